"""Citations are read from the source text by offset, so a quote that is not verbatim never reaches a user."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.answer import Citation
from assistant.chunks import Chunk
from assistant.clauses import Section, find_section, parse_sections
from assistant.licensedb import load_license

#: Sections longer than this are quoted by their most relevant clause-chunk rather than whole.
MAX_QUOTE_CHARS = 1800
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=512)
def sections_of(key: str) -> tuple[Section, ...]:
    return tuple(parse_sections(load_license(key).text))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _best_window(text: str, start: int, end: int, hint: str) -> tuple[int, int]:
    """Within a long section, the paragraph that shares most words with `hint` (the question and facts)."""
    words = set(_WORD.findall(hint.lower()))
    best, best_score = (start, min(end, start + MAX_QUOTE_CHARS)), -1.0
    pos = start
    for para in re.split(r"(\n\s*\n)", text[start:end]):
        p_start, p_end = pos, pos + len(para)
        pos = p_end
        if not para.strip():
            continue
        if p_end - p_start > MAX_QUOTE_CHARS:
            p_end = p_start + MAX_QUOTE_CHARS
        toks = _WORD.findall(text[p_start:p_end].lower())
        score = sum(1 for t in toks if t in words) / (1 + len(toks) ** 0.5)
        if score > best_score:
            best, best_score = (p_start, p_end), score
    return best


def _quote_span(text: str, sec: Section, hint: str) -> tuple[int, int]:
    """The offsets to quote for a section: all of it, or its most relevant paragraph when it is long."""
    start, end = _trim(text, sec.start, sec.end)
    if end - start > MAX_QUOTE_CHARS:
        start, end = _trim(text, *_best_window(text, start, end, hint))
    return start, end


def cite_section(key: str, section_id: str, hint: str = "") -> Citation | None:
    """A citation of one section of a LicenseDB text, or None when the text has no such section."""
    rec = load_license(key)
    sec = find_section(list(sections_of(key)), section_id)
    if sec is None:
        return None
    start, end = _quote_span(rec.text, sec, hint)
    return Citation(
        license_key=key,
        license_name=rec.short_name,
        section_id=sec.id,
        heading=sec.heading,
        quote=rec.text[start:end],
        start=start,
        end=end,
        source_url=rec.source_url,
        kind="license",
        inferred_section=sec.inferred,
    )


def cite_supplied(
    text: str, sections: Sequence[Section], section_id: str, key: str, name: str, hint: str = ""
) -> Citation | None:
    """A citation of one section of a license text the user supplied (kind "supplied"), or None when their copy
    has no such section: a section is never stood in for by another."""
    sec = find_section(list(sections), section_id)
    if sec is None:
        return None
    start, end = _quote_span(text, sec, hint)
    if start >= end:
        return None
    return Citation(
        license_key=key,
        license_name=name,
        section_id=sec.id,
        heading=sec.heading,
        quote=text[start:end],
        start=start,
        end=end,
        source_url="",
        kind="supplied",
        inferred_section=sec.inferred,
    )


def cite_chunk(chunk: Chunk) -> Citation:
    return Citation(
        license_key=chunk.doc_key,
        license_name=chunk.doc_name,
        section_id=chunk.section_id,
        heading=chunk.heading,
        quote=chunk.text,
        start=chunk.start,
        end=chunk.end,
        source_url=chunk.source_url,
        kind=chunk.kind,
        inferred_section=chunk.inferred,
    )


def cite_criterion(anchor: str) -> Citation | None:
    """A citation of a definition card criterion: the project's own summary, cited as such."""
    from assistant.catalog import load_catalog

    found = load_catalog().criterion(anchor)
    if not found:
        return None
    card, crit = found
    return Citation(
        license_key=f"def:{card.id}",
        license_name=f"{card.name} (summary)",
        section_id=crit.id,
        heading=crit.title,
        quote=crit.text,
        start=0,
        end=len(crit.text),
        source_url=card.url,
        kind="definition",
    )


def source_text(citation: Citation, supplied: str | None = None) -> str | None:
    """The text a citation quotes; `supplied` is the user's own copy, which "supplied" citations quote."""
    if citation.kind == "supplied":
        return supplied
    if citation.kind == "definition" or citation.license_key.startswith("def:"):
        from assistant.catalog import load_catalog

        found = load_catalog().criterion(citation.section_id)
        return found[1].text if found else None
    try:
        return load_license(citation.license_key).text
    except KeyError:
        return None


def is_verbatim(citation: Citation, supplied: str | None = None) -> bool:
    text = source_text(citation, supplied)
    return text is not None and text[citation.start : citation.end] == citation.quote and bool(citation.quote)


def verified(citations: list[Citation], supplied: str | None = None) -> list[Citation]:
    """Only citations whose quote is exactly the source text at their offsets; duplicates dropped. Citations of a
    user's own copy (kind "supplied") are checked against `supplied`, and dropped when it is not given."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for c in citations:
        by_offset = c.kind in ("license", "supplied")
        k = (c.license_key, c.start, c.end) if by_offset else (c.license_key, hash(c.section_id), 0)
        if k in seen or not is_verbatim(c, supplied):
            continue
        seen.add(k)
        out.append(c)
    return out
