"""Optional: let a LangChain chat model word the answer. Facts decide; the model only explains.

The model gets the question, the decided facts and the retrieved clauses with ids, and must return JSON:
{"verdict": ..., "explanation": ..., "cited_ids": [...]}. Unknown ids are dropped, quotes always come from the
source text, a verdict that contradicts the facts is overridden with a note, and malformed output falls back to
the offline composer's text.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from assistant.answer import VERDICTS, Answer
from assistant.citations import cite_chunk

SYSTEM = (
    "You explain software and AI-model license terms. Use ONLY the facts and clauses given. Reply with one JSON "
    'object and nothing else: {"verdict": "yes|no|conditional|not_addressed", "explanation": "2-3 plain sentences", '
    '"cited_ids": ["clause ids from the list"]}. Never invent clauses or ids.'
)


class LlmReply(BaseModel):
    verdict: str | None = None
    explanation: str = Field(min_length=1)
    cited_ids: list[str] = Field(default_factory=list)


def load_chat_model(spec: Any):
    """A chat model from a spec such as "ollama:llama3.1" / "openai:gpt-4o-mini", or a BaseChatModel as is."""
    if not isinstance(spec, str):
        return spec
    from langchain.chat_models import init_chat_model

    return init_chat_model(spec)


def _prompt(answer: Answer, decisions, hits) -> list[tuple[str, str]]:
    facts = [
        {"license": d.license_key, "facet": d.facet, "verdict": d.verdict, "summary": d.summary, "sections": d.sections}
        for d in decisions
    ]
    clauses = "\n\n".join(f"[{h.chunk.id}] {h.doc_name} §{h.section_id}: {h.text[:1200]}" for h in hits)
    user = (
        f"Question: {answer.question}\n\nDecided facts (authoritative): {json.dumps(facts)}\n\n"
        f"Verdict from the facts: {answer.verdict}\n\nClauses:\n{clauses}"
    )
    return [("system", SYSTEM), ("human", user)]


def _parse(content: Any) -> LlmReply | None:
    text = content if isinstance(content, str) else json.dumps(content)
    m = re.search(r"\{.*\}", text, re.S)
    if not m:
        return None
    try:
        return LlmReply.model_validate_json(m.group(0))
    except ValidationError:
        return None


def llm_compose(llm, answer: Answer, decisions, hits) -> Answer:
    """The answer with the model's wording, kept grounded: facts' verdict, verbatim quotes, known ids only."""
    try:
        reply = _parse(llm.invoke(_prompt(answer, decisions, hits)).content)
    except Exception as exc:  # a remote model can fail in many ways; the offline answer still stands
        return replace(
            answer,
            notes=answer.notes + [f"The language model failed ({type(exc).__name__}); showing the offline answer."],
        )
    if reply is None:
        return replace(
            answer, notes=answer.notes + ["The language model's reply was malformed; showing the offline answer."]
        )
    notes = list(answer.notes)
    by_id = {h.chunk.id: h for h in hits}
    unknown = [i for i in reply.cited_ids if i not in by_id]
    if unknown:
        notes.append(f"Dropped {len(unknown)} clause reference(s) the language model made up.")
    extra = [cite_chunk(by_id[i].chunk) for i in reply.cited_ids if i in by_id]
    if reply.verdict != answer.verdict and answer.verdict is not None:
        shown = reply.verdict if reply.verdict in VERDICTS else "an invalid verdict"
        notes.append(f"The language model said {shown}; the curated facts say {answer.verdict}, which stands.")
    text = reply.explanation.strip()
    subject = answer.text.split("\n\n", 1)[0] if answer.models else ""
    return replace(
        answer,
        text="\n\n".join(p for p in (subject, text) if p),
        citations=answer.citations + [c for c in extra if c not in answer.citations],
        notes=notes,
    )
