"""Answers about a license text the user supplied, with every clause quoted from their copy.

What the text was identified as (assistant/user_text.py) decides where the verdict comes from:
- a LicenseDB license: the usual answer for it, each clause then quoted from the user's copy (the same words where
  they are in it, else the section of the same number). A modified copy says which sections it changes; a verdict
  that rests on a changed section is withheld, since the curated facts are those of the original;
- a license whose terms the project recorded (corpus/external): the verdict from those terms, and the sections they
  name quoted from the user's copy by section number (a section their copy lacks is said to be missing);
- anything else: no curated facts exist, so no verdict; the clauses of the text closest to the question, by BM25.

Every quote is checked against the supplied text (assistant.citations.verified) before it reaches the user.
Definition criteria (openness questions) are the project's summaries and stay cited as such.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from assistant.answer import VERDICT_LABELS, Answer, Citation
from assistant.assistant import FACET_HINTS, MAX_QUESTION_CHARS, _openness_of_recorded_terms
from assistant.citations import cite_chunk, cite_supplied, verified
from assistant.user_text import SuppliedText, load_supplied

MAX_QUOTES = 4


def answer_supplied(assistant: Any, question: str, license_text: str | bytes | SuppliedText,
                    history: Sequence[Any] | None = None) -> Answer:
    """Answer `question` about the supplied license text with `assistant` (an Assistant). Raises
    LicenseTextError (a ValueError) when the text is empty, binary, not UTF-8 or over the size limit."""
    t0 = time.perf_counter()
    supplied = license_text if isinstance(license_text, SuppliedText) else load_supplied(
        license_text, catalog=assistant.catalog)
    if not isinstance(question, str) or not question.strip() or len(question) > MAX_QUESTION_CHARS:
        return assistant.ask(question, history=history)  # the message for a question that cannot be answered
    kind = supplied.identity.kind
    if kind == "licensedb":
        answer = _from_licensedb(assistant, question, supplied, history)
    elif kind == "external":
        answer = _from_record(assistant, question, supplied, history)
    else:
        answer = _from_retrieval(assistant, question, supplied, history)
    answer.citations = verified(answer.citations, supplied=supplied.text)
    answer.supplied_text = supplied.describe()
    answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
    return answer


# ---------------------------------------------------------------------------------------------------------------
# Shared pieces


def _identified(supplied: SuppliedText) -> str:
    ident = supplied.identity
    if ident.kind == "licensedb":
        return f"Your text ({supplied.source}): the **{ident.name}** (`{ident.key}`): {ident.how}."
    if ident.kind == "external":
        return f"Your text ({supplied.source}): the **{ident.name}**: {ident.how}."
    return f"Your text ({supplied.source}) was not recognised."


def _retrieved(supplied: SuppliedText, query: str, k: int = 5) -> list[dict]:
    return [{"doc_key": c.doc_key, "section_id": c.section_id, "text": c.text, "start": c.start, "end": c.end,
             "score": round(score, 4)} for c, score in supplied.search(query, k)]


def _hint(question: str, facets: Sequence[str]) -> str:
    return f"{question} {' '.join(FACET_HINTS.get(f, '') for f in facets[:2])}".strip()


def _as_of(assistant: Any, supplied: SuppliedText, lead: str = "") -> str:
    from assistant.licensedb import licensedb_version

    parts = [lead] if lead else []
    parts += [f"your copy ({supplied.source}, sha256 {supplied.sha256[:12]})", f"LicenseDB from {licensedb_version()}",
              f"corpus {assistant.corpus_version}"]
    return "; ".join(parts)


def _named_elsewhere(assistant: Any, question: str, supplied: SuppliedText) -> list[str]:
    """Licenses or models the question names that are not the supplied text."""
    from assistant.compose import license_label
    from assistant.understand import understand

    q = understand(question, catalog=assistant.catalog)
    own = supplied.identity.key
    named = [k for k in [*q.licenses, *q.external] if k != own]
    if not named or own in q.licenses or own in q.external:
        return []
    if q.models:
        return list(dict.fromkeys(q.models))
    records = assistant.catalog.external
    return list(dict.fromkeys(records[k].name if k in records else license_label(k) for k in named))


def _quote_sections(supplied: SuppliedText, refs: Sequence[str], hint: str, label: str,
                    limit: int = MAX_QUOTES) -> tuple[list[Citation], list[str]]:
    """Citations of the named sections from the user's copy, and a note for each one their copy lacks."""
    cites: list[Citation] = []
    notes: list[str] = []
    for ref in dict.fromkeys(refs):
        c = cite_supplied(supplied.text, supplied.sections, ref, supplied.key, supplied.citation_name, hint)
        if c is None:
            notes.append(f"§{ref}, which {label} cite, is not in your copy (no section has that number), so "
                         "nothing is quoted for it.")
        elif all(c.start != x.start for x in cites):
            cites.append(c)
        if len(cites) >= limit:
            break
    return cites, notes


# ---------------------------------------------------------------------------------------------------------------
# A LicenseDB license


def _from_licensedb(assistant: Any, question: str, supplied: SuppliedText, history) -> Answer:
    ident = supplied.identity
    key = ident.key
    other = _named_elsewhere(assistant, question, supplied)
    if other:
        return _mismatch(assistant, question, supplied, other)
    answer = assistant.ask(question, history=history, licenses=[key])
    citations, notes = _reanchor(answer.citations, supplied, question)
    answer.citations = citations
    answer.notes = [*answer.notes, *ident.notes, *notes]
    lead = [_identified(supplied)]
    if ident.modified:
        lead.append(_modified(answer, supplied, _hint(question, answer.facets)))
    answer.text = "\n\n".join([*lead, answer.text])
    answer.retrieved = _retrieved(supplied, _hint(question, answer.facets))
    answer.as_of = f"{answer.as_of}; your copy ({supplied.source}, sha256 {supplied.sha256[:12]})"
    return answer


def _reanchor(citations: Sequence[Citation], supplied: SuppliedText, hint: str) -> tuple[list[Citation], list[str]]:
    """The answer's clauses quoted from the user's copy. A clause of the license is found in it by its words, or
    else by its section number (a modified copy's changed section is always quoted as it stands in their copy);
    a clause of another document (a use policy) only by its words."""
    out: list[Citation] = []
    notes: list[str] = []
    text, ident = supplied.text, supplied.identity
    for c in citations:
        if c.kind == "definition":
            out.append(c)
            continue
        own = c.license_key == ident.key
        sec = supplied.section(c.section_id) if own else None
        changed = sec is not None and ident.touches(sec.id)
        start = -1
        if not changed:
            lo, hi = (sec.start, sec.end) if sec is not None else (0, len(text))
            start = text.find(c.quote, lo, hi)
            if start < 0:
                start = text.find(c.quote)
        if start >= 0:
            at = supplied.section(c.section_id) if own else None
            out.append(replace(c, license_key=supplied.key if own else c.license_key,
                               license_name=supplied.citation_name if own else f"{c.license_name} (in your copy)",
                               start=start, end=start + len(c.quote), source_url="", kind="supplied",
                               section_id=at.id if at else c.section_id))
            continue
        if own:
            again = cite_supplied(text, supplied.sections, c.section_id, supplied.key, supplied.citation_name, hint)
            if again is not None:
                out.append(again)
                continue
            notes.append(f"§{c.section_id} of the {ident.name}, which this answer rests on, is not in your copy; "
                         "nothing is quoted in its place.")
        else:
            notes.append(f"This answer also rests on the {c.license_name}, §{c.section_id} ({c.source_url}), which "
                         "is not part of the text you supplied, so it is not quoted here.")
    return out, list(dict.fromkeys(notes))


def _modified(answer: Answer, supplied: SuppliedText, hint: str) -> str:
    """What a modified copy means for the answer. When a clause the answer rests on was changed, the verdict (which
    is the original's) is withheld, the changed clauses are quoted as they stand in the user's copy, and the
    explanation is said to be the original's."""
    ident = supplied.identity
    changes = "; ".join(ident.differences[:3]) or "it matches the original only in part"
    refs = [c.section_id for c in answer.citations if c.kind == "supplied"]
    refs += [s for item in answer.checklist for s in item.get("sections", [])]
    deciding = list(dict.fromkeys(sec.id for r in refs if (sec := supplied.section(r)) and ident.touches(sec.id)))
    head = (f"**Your copy is modified**: it differs from the {ident.name} ({changes}). A modified license is a "
            "different license.")
    if deciding and answer.verdict is not None:
        was = VERDICT_LABELS[answer.verdict]
        answer.verdict = None
        answer.checklist = []
        quoted = {c.section_id for c in answer.citations if c.kind == "supplied"}
        extra, _ = _quote_sections(supplied, [s for s in deciding if s not in quoted], hint, "")
        answer.citations = extra + answer.citations  # the changed clauses first
        answer.text = f"What the original {ident.name} says: {answer.text}"
        where = ", ".join(f"§{s}" for s in deciding)
        return (f"{head} Your copy changes {where}, which this answer rests on, so the verdict for the original "
                f"text ({was}) may not hold for yours and none is given: read the quoted clauses from your copy.")
    where = ", ".join(f"§{s}" for s in ident.changed_sections[:4])
    tail = (f" The changes ({where}) are not in the clauses this answer rests on; it follows the original text, so "
            "read the changes too.") if where else " The answer follows the original text; read the changes too."
    return head + tail


def _mismatch(assistant: Any, question: str, supplied: SuppliedText, other: Sequence[str]) -> Answer:
    names = ", ".join(other)
    text = (f"{_identified(supplied)}\n\nThe question names {names}, which is not the license text you supplied. "
            "Ask about “this license” to get an answer from your text, or ask without the text to get one about "
            f"{names}.")
    return Answer(question=question, verdict=None, text=text, as_of=_as_of(assistant, supplied))


# ---------------------------------------------------------------------------------------------------------------
# A license whose terms are recorded


def _from_record(assistant: Any, question: str, supplied: SuppliedText, history) -> Answer:
    from assistant.judge import judge, overall
    from assistant.understand import understand

    record = assistant.catalog.external[supplied.identity.key]
    q = understand(question, history=history, catalog=assistant.catalog)
    facet = (q.facets or ["other"])[0]
    j = judge(record.id, q.situation, facet, asks_license=q.situation.asks_license)
    if q.openness in ("osd", "osaid", "open-weights", "fsd", None) and facet == "openness_definition":
        j = _openness_of_recorded_terms(j, record)
    hint = _hint(question, q.facets)
    refs = [*j.sections, *(s for item in j.checklist for s in item.sections if item.status != "ok")]
    citations, notes = _quote_sections(supplied, refs, hint, f"the recorded terms of the {record.name}")
    if refs and not citations:
        notes.append("None of the sections the recorded terms cite was found in your copy: it may be another "
                     "version of the license, or numbered differently.")
    reference = ""
    if not refs:  # the recorded terms name no clause for this: the copy's closest ones, for reference only
        citations = [cite_chunk(c) for c, _ in supplied.search(hint, k=2)]
        reference = "The closest clauses of your copy are quoted below for reference." if citations else ""
    notes = [*supplied.identity.notes, *notes]
    notes.append(f"The verdict rests on the terms of the {record.name} as recorded here (read at {record.source}, "
                 f"checked {record.checked}); the quotes are from your copy, matched by section number. No copy of "
                 "the text is held here, so changes in yours cannot be detected: read the quoted clauses.")
    if record.unverified:
        notes.append(f"Not every recorded term of the {record.name} was verified against its full text "
                     f"({', '.join(record.unverified)}); check the text before relying on it.")
    other = _named_elsewhere(assistant, question, supplied)
    if other:
        notes.insert(0, f"The question names {', '.join(other)}; this answer is about the text you supplied.")
    text = "\n\n".join(x for x in (_identified(supplied), j.summary, reference) if x)
    return Answer(
        question=question, verdict=overall([j]), text=text,
        citations=citations, external_licenses=[record.id], models=list(q.models), facets=list(q.facets),
        figures=[asdict(f) for f in q.figures], notes=list(dict.fromkeys(notes)),
        as_of=_as_of(assistant, supplied, f"{record.name} (terms recorded {record.checked})"),
        checklist=[item.to_dict() for item in j.checklist], situation=q.situation.to_dict(),
        retrieved=_retrieved(supplied, hint),
    )


# ---------------------------------------------------------------------------------------------------------------
# A text nothing is known about


def _from_retrieval(assistant: Any, question: str, supplied: SuppliedText, history) -> Answer:
    from assistant.compose import license_label
    from assistant.understand import understand

    q = understand(question, history=history, catalog=assistant.catalog)
    hint = _hint(question, q.facets)
    hits = supplied.search(hint, k=5)
    citations = [cite_chunk(c) for c, _ in hits[:3]]
    text = (f"{_identified(supplied)} It is neither a license in ScanCode's LicenseDB nor one whose terms are "
            "recorded here, so no curated facts exist for it and no verdict is given.")
    # ScanCode's "no license was recognised" says the same as the lines above
    notes = [n for n in supplied.identity.notes if not n.startswith(("No license was recognised",
                                                                      "No license could be identified"))]
    text += ("\n\nThe clauses of your text that best match the question are quoted below; read them to decide."
             if citations else "\n\nNo clause of your text matches the question's words.")
    if supplied.identity.mentions:
        named = ", ".join(f"{license_label(k)} ({k})" for k in supplied.identity.mentions)
        notes.append(f"Your text refers to {named} without holding its terms: ask about that license by name, or "
                     "supply its full text.")
    other = _named_elsewhere(assistant, question, supplied)
    if other:
        notes.append(f"The question names {', '.join(other)}; this answer is about the text you supplied.")
    return Answer(
        question=question, verdict=None, text=text, citations=citations, models=list(q.models),
        facets=list(q.facets), figures=[asdict(f) for f in q.figures], notes=notes,
        as_of=_as_of(assistant, supplied), situation=q.situation.to_dict(), retrieved=_retrieved(supplied, hint),
    )
