"""Turn parsed sections (and definition cards) into clause-level chunks for the index."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.clauses import Section, parse_sections


@dataclass(frozen=True)
class Chunk:
    id: str  # unique in the index, stable across builds: f"{doc_key}#{section_id}#{n}"
    doc_key: str  # LicenseDB key, or "def:<card id>" for a definition card
    doc_name: str
    kind: str  # "license" | "definition" | "supplied" (a text the user gave)
    section_id: str
    heading: str
    context: str  # parent headings, outermost first, joined with " > "
    text: str  # == source_text[start:end]
    start: int
    end: int
    source_url: str
    inferred: bool = False

    def embedding_text(self) -> str:
        """What is embedded and BM25-indexed: the document name and headings give a bare clause its subject."""
        head = " > ".join(p for p in (self.doc_name, self.context, self.heading) if p)
        return f"{head}\n{self.text}"


# Paragraphs first, then sentence ends (also ";" and ":" which end list items in licenses), then lines, then words.
_SEPARATORS = [r"\n[ \t]*\n", r"(?<=[.;:!?])\s+", r"\n", r"\s+"]


@lru_cache(maxsize=8)
def _splitter(max_chars: int, overlap: int):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    # keep_separator="end" keeps every character inside some piece, so pieces are exact substrings
    return RecursiveCharacterTextSplitter(
        chunk_size=max_chars,
        chunk_overlap=overlap,
        separators=_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )


def split_span(text: str, start: int, end: int, max_chars: int = 1200, overlap: int = 150) -> list[tuple[int, int]]:
    """Split text[start:end] at sentence boundaries into pieces of at most about `max_chars`, with a little overlap.

    Returns exact (start, end) offsets into `text`; one piece when the span already fits.
    """
    if end - start <= max_chars:
        return [(start, end)]
    span = text[start:end]
    out: list[tuple[int, int]] = []
    pos = 0
    for doc in _splitter(max_chars, overlap).create_documents([span]):
        piece = doc.page_content
        s = doc.metadata.get("start_index", -1)
        if s < 0 or span[s : s + len(piece)] != piece:  # never trust a computed offset blindly
            s = span.find(piece, max(0, pos - overlap - len(piece)))
            if s < 0:
                raise ValueError("splitter returned text that is not in the source")
        out.append((start + s, start + s + len(piece)))
        pos = s + len(piece)
    return out


def _label(sec: Section) -> str:
    return f"{sec.id} {sec.heading}".strip() if sec.heading else sec.id


def license_chunks(
    record: Any, max_chars: int = 1200, overlap: int = 150, sections: list[Section] | None = None,
    kind: str = "license",
) -> list[Chunk]:
    """One chunk per clause (a section's own text), long clauses split at sentence boundaries.

    `record` is a LicenseRecord (or anything with .key, .name, .text, .source_url). Every chunk's text is exactly
    record.text[start:end], and the chunks cover the text with no gap other than whitespace. `kind` is "supplied"
    for a text the user gave, whose chunks are quoted from their copy.
    """
    text = record.text
    secs = parse_sections(text) if sections is None else sections
    by_id = {s.id: s for s in secs}
    chunks: list[Chunk] = []
    for sec in secs:
        if sec.body_end <= sec.start:
            continue
        parents = []
        p = sec.parent
        while p and p in by_id:
            parents.append(_label(by_id[p]))
            p = by_id[p].parent
        context = " > ".join(reversed(parents))
        for n, (s, e) in enumerate(split_span(text, sec.start, sec.body_end, max_chars, overlap)):
            chunks.append(
                Chunk(
                    id=f"{record.key}#{sec.id}#{n}",
                    doc_key=record.key,
                    doc_name=record.name,
                    kind=kind,
                    section_id=sec.id,
                    heading=sec.heading,
                    context=context,
                    text=text[s:e],
                    start=s,
                    end=e,
                    source_url=record.source_url,
                    inferred=sec.inferred,
                )
            )
    return chunks


def definition_chunks(card: Any) -> list[Chunk]:
    """One chunk per criterion of a definition card (.id, .name, .url, .criteria with .id, .title, .text)."""
    doc_key = f"def:{card.id}"
    out = []
    for crit in card.criteria:
        text = crit.text
        out.append(
            Chunk(
                id=f"{doc_key}#{crit.id}#0",
                doc_key=doc_key,
                doc_name=card.name,
                kind="definition",
                section_id=str(crit.id),
                heading=crit.title or "",
                context="",
                text=text,
                start=0,
                end=len(text),
                source_url=card.url or "",
            )
        )
    return out
