"""Split a license text into a tree of sections with the ids a lawyer would cite and exact offsets."""

from __future__ import annotations

from dataclasses import dataclass

#: Part of the index fingerprint: bump when the parser's output changes.
PARSER_VERSION = "1"


@dataclass(frozen=True)
class Section:
    id: str  # "1.b.i", "2", "4(d)", "Attachment A, 3", "Section 5", "¶1"
    heading: str  # "" when the section has no heading
    start: int  # offsets into LicenseRecord.text: the whole section, subsections included
    end: int
    body_end: int  # end of the section's own text, before its first subsection (== end for a leaf)
    level: int  # 0 for top-level sections
    parent: str | None
    inferred: bool = False  # number inferred from layout or cross-references, not printed in the text


def parse_sections(text: str) -> list[Section]:
    """Sections of `text` in document order, ids unique within the text."""
    raise NotImplementedError


def find_section(sections: list[Section], section_id: str) -> Section | None:
    """The section with this id, matching loosely ("1(b)(i)", "1.b.i", "Section 1.b.i" are the same)."""
    raise NotImplementedError
