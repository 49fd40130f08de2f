"""`ask()`: understand -> retrieve -> reason -> compose -> Answer. The public entry point for programs."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from assistant import compose
from assistant.answer import Answer, Citation
from assistant.citations import cite_chunk, cite_criterion, cite_section, verified
from assistant.config import Settings
from assistant.licensedb import licensedb_version, load_license

#: Longer questions get a message instead of an answer (the UI caps input at 2,000 characters).
MAX_QUESTION_CHARS = 8000
MAX_LICENSES = 8  # more subjects than this in one question is a list, not a question

#: Words added to the retrieval query per facet, so the clause that decides it ranks high.
FACET_HINTS = {
    "commercial_use": "commercial use",
    "user_threshold": "monthly active users threshold",
    "revenue_threshold": "annual revenue exceeds",
    "output_use": "outputs results generated train improve other models",
    "derivatives": "derivative works modifications fine-tune",
    "redistribution": "distribute copies redistribution",
    "attribution": "attribution notice copy of this agreement",
    "naming": "name trademark Built with",
    "acceptable_use": "acceptable use policy prohibited use restrictions",
    "field_of_use": "non-commercial research purposes only",
    "territory": "territory jurisdiction European Union",
    "termination": "terminate termination breach",
    "patent": "patent license litigation",
    "warranty": "warranty AS IS liability",
}
INJECTION_NOTE = (
    "The question asked to change how it is answered; that was ignored. Verdicts come only from the license text "
    "and the curated facts."
)


def _corpus_version() -> str:
    from assistant.config import CORPUS_DIR

    h = hashlib.sha256()
    for p in sorted(CORPUS_DIR.rglob("*.yaml")):
        h.update(p.read_bytes())
    return h.hexdigest()[:10]


class Assistant:
    """Holds the loaded index, embedding model and catalog, so repeated questions are fast.

    Construction returns within seconds: the searcher serves BM25 at once and loads dense search (building the
    index when there is none) in a background thread."""

    def __init__(self, settings: Settings | None = None, llm: Any = None, searcher=None, progress: bool = True):
        from assistant.catalog import load_catalog
        from assistant.search import Searcher

        self.settings = settings or Settings()
        self.catalog = load_catalog(self.settings.corpus_dir)
        self.searcher = searcher or Searcher(self.settings, progress=progress)
        self.corpus_version = _corpus_version()
        self.llm = None
        if llm is not None:
            from assistant.llm import load_chat_model

            self.llm = load_chat_model(llm)

    # -- helpers -------------------------------------------------------------------------------------------
    def _as_of(self, keys: Sequence[str]) -> str:
        from assistant.facts import facts_for

        parts = []
        for k in keys:
            f = facts_for(k)
            entry = self.catalog.license(k)
            date = (f.as_of if f else None) or (entry.released if entry else None)
            parts.append(f"{compose.license_label(k)}" + (f" (version of {date})" if date else ""))
        parts.append(f"LicenseDB from {licensedb_version()}")
        parts.append(f"corpus {self.corpus_version}")
        return "; ".join(parts)

    def _retrieve(self, question: str, keys: Sequence[str] | None, facets: Sequence[str], k: int = 5):
        hint = " ".join(FACET_HINTS.get(f, "") for f in facets[:2])
        return self.searcher.search(f"{question} {hint}".strip(), licenses=list(keys) if keys else None, k=k)

    def _section_citations(self, key: str, refs: Sequence[str], hint: str, limit: int = 2) -> list[Citation]:
        from assistant.facts import split_ref

        out = []
        for ref in refs:
            doc, sec = split_ref(ref, key)
            c = cite_section(doc, sec, hint=hint)
            if c:
                out.append(c)
            if len(out) >= limit:
                break
        return out

    def _policy_documents(self, decisions) -> list[str]:
        """Acceptable-use policies (separate LicenseDB texts) that a deciding fact cites by "<key>:<section>"."""
        from assistant.facts import split_ref

        docs = []
        for d in decisions:
            for ref in d.sections:
                doc, _ = split_ref(ref, d.license_key)
                entry = self.catalog.license(doc)
                if doc != d.license_key and entry is not None and entry.kind == "aup":
                    docs.append(doc)
        return list(dict.fromkeys(docs))

    def _aup_citations(self, key: str, question: str) -> list[Citation]:
        """For conduct questions, the policy item that matches the question, from the license's AUP document."""
        entry = self.catalog.license(key)
        aup = getattr(entry, "aup", None) if entry else None
        docs = [d for d in (aup, key if entry and entry.kind == "aup" else None) if d]
        if not docs:
            return []
        hits = self.searcher.search(question, licenses=docs, k=1)
        return [cite_chunk(h.chunk) for h in hits]

    # -- the pipeline --------------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[Any] | None = None,
        licenses: Sequence[str] | None = None,
        context: Any = None,
    ) -> Answer:
        """Answer one question. `history`: earlier user turns (strings or {"role","content"} dicts);
        `licenses`: LicenseDB keys the conversation is scoped to; `context`: an `Identification` of a pasted file."""
        t0 = time.perf_counter()
        # Retrieval does not wait for the embedding model: until dense search has joined it runs on BM25 alone,
        # and the Answer says so (the verdict and the cited sections come from the facts either way).
        answering = getattr(self.searcher, "answering", None)
        with answering() if answering else contextlib.nullcontext() as retrieval:
            answer = self._ask(question, history, licenses, context)
        answer.dense_search = getattr(retrieval, "dense", True)
        answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
        return answer

    def _message(self, question: str, text: str, notes: Sequence[str] = ()) -> Answer:
        return Answer(question=question, verdict=None, text=text, notes=list(notes), as_of=self._as_of([]))

    def _ask(self, question, history, licenses, context) -> Answer:
        from assistant.understand import understand

        if not isinstance(question, str):
            return self._message(str(question)[:200], "The question must be text.")
        # NULs and lone surrogates (undecodable bytes) would break the tokenizer and any UTF-8 output
        question = question.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
        if not question.strip():
            return self._message(
                question,
                "Please type a question about a model license, e.g. “Can I use Llama 3.1 "
                "commercially with 900M monthly users?”",
            )
        if len(question) > MAX_QUESTION_CHARS:
            return self._message(
                question[:200] + "…",
                f"The question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
                "Ask about the part of the license you need.",
            )
        if isinstance(licenses, str):
            licenses = [licenses]  # one key, not its characters
        try:
            scoped = [k for k in (licenses or []) if isinstance(k, str)]
        except TypeError:  # not a list of keys: answer as if none were given
            scoped = []
        if context is not None and not scoped:
            scoped = list(getattr(context, "license_keys", []) or [])
        bad = []
        for k in list(scoped):
            try:
                load_license(k)
            except KeyError as exc:
                bad.append(str(exc))
                scoped.remove(k)
        q = understand(question, history=history, licenses=scoped or None, catalog=self.catalog)
        notes = list(q.notes) + bad
        if q.injection:
            notes.append(INJECTION_NOTE)
        if not q.language_ok:
            notes.append("Only English questions are understood well; the answer below may miss your point.")
        keys = list(dict.fromkeys(q.licenses))[:MAX_LICENSES]
        if len(q.licenses) > MAX_LICENSES:
            notes.append(f"The question names {len(q.licenses)} licenses; only the first {MAX_LICENSES} are answered.")
        base = dict(
            question=question,
            licenses=keys,
            models=list(q.models),
            facets=list(q.facets),
            figures=[asdict(f) for f in q.figures],
            as_of=self._as_of(keys),
        )

        if q.openness and (keys or q.models):
            return self._finish(self._openness(q, keys, base, notes), q)
        if q.openness:
            return self._finish(self._definition(q, base, notes), q)
        if q.models and q.facets and q.facets[0] == "data_availability":
            return self._finish(self._release(q, keys, base, notes), q)
        if not keys and q.models:
            return self._finish(self._unlicensed_models(q, base, notes), q)
        if not keys:
            if q.unknown:
                hits = []
                text = compose.unknown_text(q.unknown, q.suggestions)
                return self._finish(Answer(verdict="not_addressed", text=text, notes=notes, **base), q, hits)
            hits = self._retrieve(question, None, q.facets)
            return self._finish(
                Answer(
                    verdict=None,
                    text=compose.no_subject_text(),
                    notes=notes,
                    citations=[cite_chunk(h.chunk) for h in hits[:2]],
                    **base,
                ),
                q,
                hits,
            )
        if q.comparison and len(keys) >= 2:
            return self._finish(self._comparison(q, keys, base, notes), q)
        return self._finish(self._decide(q, keys, base, notes), q)

    def _decide(self, q, keys: list[str], base: dict, notes: list[str]) -> Answer:
        from assistant.reason import decide_all, overall_verdict, restrictions_elsewhere

        facets = list(q.facets) or ["other"]
        primary = [facets[0]]
        if q.figures:
            primary += [f for f in facets if f in ("user_threshold", "revenue_threshold") and f not in primary]
        decisions = decide_all(keys, primary, q.figures, question=q.question)
        for key in keys:
            decisions += restrictions_elsewhere(key, primary, q.figures, q.question)
        hits = self._retrieve(q.question, keys, facets)
        hint = q.question + " " + " ".join(FACET_HINTS.get(f, "") for f in primary)
        citations: list[Citation] = []
        curated = [d for d in decisions if d.curated]
        for d in decisions:
            if d.curated:
                citations += self._section_citations(d.license_key, d.sections, hint, limit=3)
                if d.verdict == "conditional" and d.facet != "acceptable_use":
                    # the clause that binds the acceptable-use policy is one of the conditions
                    citations += self._section_citations(d.license_key, d.aup_sections, hint, limit=1)
                notes += [n for n in d.notes if n not in notes]
                if d.unverified:
                    notes.append(
                        f"Part of this rests on a fact not yet verified against the source "
                        f"({compose.license_label(d.license_key)}, {d.facet}); check the text."
                    )
                if d.facet == "acceptable_use":
                    citations += self._aup_citations(d.license_key, q.question)
                    citations += self._section_citations(d.license_key, d.aup_sections, hint, limit=1)
        verdict = overall_verdict(curated) if curated else None
        for doc in self._policy_documents(curated):
            if doc not in base["licenses"]:
                base["licenses"].append(doc)  # the answer rests on the policy document as well
        parts = [compose.subject_sentence(q.models, keys, q.chains)]
        if curated:
            parts.append(compose.decisions_text(curated))
        for key in dict.fromkeys(d.license_key for d in decisions if not d.curated):
            parts.append(compose.uncurated_text(key, load_license(key).category))
            citations += [cite_chunk(h.chunk) for h in hits if h.doc_key == key][:3]
        if curated and all(d.verdict == "not_addressed" for d in curated):
            citations += [cite_chunk(h.chunk) for h in hits[:2]]
            parts.append("The closest clauses are quoted below for reference.")
        if not citations:
            citations = [cite_chunk(h.chunk) for h in hits[:2]]
        answer = Answer(
            verdict=verdict, text="\n\n".join(p for p in parts if p), citations=citations, notes=notes, **base
        )
        return self._llm_words(answer, decisions, hits)

    def _comparison(self, q, keys: list[str], base: dict, notes: list[str]) -> Answer:
        from assistant.reason import decide, overall_verdict

        facets = list(q.facets) if q.facets and q.facets != ["other"] else ["commercial_use"]
        cells = {(f, k): decide(k, f, q.figures, question=q.question) for f in facets for k in keys}
        citations = []
        for (f, k), d in cells.items():
            if d.curated:
                citations += self._section_citations(k, d.sections, q.question + " " + FACET_HINTS.get(f, ""), 1)
        curated = [d for d in cells.values() if d.curated]
        verdict = overall_verdict(curated) if curated else None
        text = compose.comparison_text(facets, keys, verdict)
        text += "\n\n" + compose.decisions_text([d for d in cells.values() if d.curated])
        table = compose.comparison_rows(cells, facets, keys)
        hits = self._retrieve(q.question, keys, facets)
        return Answer(verdict=verdict, text=text, citations=citations, table=table, notes=notes, **base), hits

    def _openness(self, q, keys: list[str], base: dict, notes: list[str]):
        from assistant.openness import assess

        model = q.models[0] if q.models else None
        if model is None and q.openness == "mof":
            # MOF classes are for released models; about a license alone, the reviewed FAQ (which licenses MOF
            # accepts) is the better answer when one matches.
            from assistant.definition_faq import match_faq

            faq = match_faq(q.question, "mof")
            if faq:
                citations = [c for c in (cite_criterion(a) for a in faq.anchors) if c]
                hits = self._retrieve(q.question, keys + ["def:mof"], q.facets)
                return Answer(verdict=faq.verdict, text=faq.answer.strip(), citations=citations, notes=notes,
                              **base), hits
        a = assess(q.openness, keys, model=model)
        citations: list[Citation] = []
        for check in a.checks:
            c = cite_criterion(check.anchor)
            if c:
                citations.append(c)
            if check.license_key and check.sections:
                citations += self._section_citations(check.license_key, check.sections, q.question, limit=1)
        notes += [n for n in a.notes if n not in notes]
        parts = (compose.subject_sentence(q.models, keys, q.chains), compose.openness_text(a))
        text = "\n\n".join(p for p in parts if p)
        hits = self._retrieve(q.question, keys + [f"def:{q.openness}"], q.facets)
        return Answer(verdict=a.verdict, text=text, citations=citations, notes=notes, **base), hits

    def _definition(self, q, base: dict, notes: list[str]):
        """A question about a definition itself: a reviewed FAQ answer when one matches, else the card's summary."""
        from assistant.definition_faq import match_faq

        card = self.catalog.definition(q.openness)
        hits = self._retrieve(q.question, [f"def:{q.openness}"], q.facets)
        faq = match_faq(q.question, q.openness)
        if faq:
            citations = [c for c in (cite_criterion(a) for a in faq.anchors) if c]
            return Answer(verdict=faq.verdict, text=faq.answer.strip(), citations=citations, notes=notes, **base), hits
        citations = [cite_chunk(h.chunk) for h in hits[:3]]
        text = f"**{card.name}** ({card.publisher}, {card.version}): {card.summary.strip()}" if card else ""
        return Answer(verdict=None, text=text, citations=citations, notes=notes, **base), hits

    def _unlicensed_models(self, q, base: dict, notes: list[str]) -> Answer:
        """Models the catalog knows whose license text is not in the LicenseDB: say so, quote nothing."""
        lines = []
        for name in q.models:
            entry, _ = self.catalog.resolve_model(name)
            why = f" {entry.notes.strip()}" if entry and entry.notes else ""
            lines.append(f"{name}: its license text is not in ScanCode's LicenseDB, so I can't quote or check it.{why}")
        lines.append("Read the model's own license file; I won't guess its terms.")
        return Answer(verdict="not_addressed", text="\n\n".join(lines), notes=notes, **base)

    def _release(self, q, keys: list[str], base: dict, notes: list[str]):
        """"Was the training data released?": answered from the model catalog's record of what was published."""
        from assistant.openness import describe_release

        model = q.models[0]
        entry, _ = self.catalog.resolve_model(model)
        status = (entry.released.get("training_data") if entry else None) or "unknown"
        verdict = {"yes": "yes", "no": "no", "partial": "conditional"}.get(status, "not_addressed")
        text = "\n\n".join(p for p in (compose.subject_sentence(q.models, keys, q.chains),
                                         f"What {model} released: {describe_release(model)}.") if p)
        if entry and "released.training_data" in entry.unverified:
            notes.append("The record of the training data release is not verified against the source.")
        hits = self._retrieve(q.question, keys, q.facets)
        return Answer(verdict=verdict, text=text, notes=notes, **base), hits

    def _llm_words(self, answer: Answer, decisions, hits):
        if self.llm is None:
            return answer, hits
        from assistant.llm import llm_compose

        return llm_compose(self.llm, answer, decisions, hits), hits

    def _finish(self, result, q, hits=None) -> Answer:
        if isinstance(result, tuple):
            result, hits = result
        result.citations = verified(result.citations)  # a quote that is not verbatim never reaches the user
        result.retrieved = [h.to_dict() for h in (hits or [])]
        return result


_default: Assistant | None = None
_lock = threading.Lock()


def default_assistant() -> Assistant:
    global _default
    with _lock:
        if _default is None:
            _default = Assistant()
        return _default


def ask(
    question: str, history: Sequence[Any] | None = None, licenses: Sequence[str] | None = None, context: Any = None
) -> Answer:
    """Answer a question about AI model licenses with a verdict and the deciding clauses quoted verbatim."""
    return default_assistant().ask(question, history=history, licenses=licenses, context=context)
