"""Turn parsed sections (and definition cards) into clause-level chunks for the index."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    id: str  # unique in the index, stable across builds: f"{doc_key}#{section_id}#{n}"
    doc_key: str  # LicenseDB key, or "def:<card id>" for a definition card
    doc_name: str
    kind: str  # "license" | "definition"
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
