"""A license text the user supplied (a LICENSE file, a paste): checked, cut into clauses, indexed, identified.

The result is plain data for the answering step (assistant/text_answer.py): the text as read, its sections (the
clause parser LicenseDB texts go through), its clause chunks with a BM25 index over them, and what the text is:
- a LicenseDB license, by ScanCode's matcher (assistant/identify.py), possibly a modified copy of one, with the
  sections the copy changes;
- a license whose terms the project recorded (corpus/external), by the name in its title, since the LicenseDB
  holds no text to match it against;
- or neither.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.chunks import Chunk, license_chunks
from assistant.clauses import Section, find_section, parse_sections
from assistant.identify import DEFAULT_MAX_BYTES, SOURCE_FULL_TEXT, Identification
from assistant.lexical import LexicalIndex

#: The most a supplied text may hold: the UI's upload limit, and the one identification applies.
MAX_TEXT_BYTES = DEFAULT_MAX_BYTES
#: The key citations of an unidentified text carry (there is no license key to give them).
SUPPLIED_KEY = "supplied"
#: The title of a license is in its first lines; a name further down is a reference to another text.
_TITLE_LINES = 5
_TITLE_CHARS = 500
_MIN_NAME_CHARS = 8  # shorter aliases ("mnpl", "yi license") are too easily part of other words


class LicenseTextError(ValueError):
    """A supplied license text that cannot be used: missing, empty, binary, not UTF-8 or over the size limit."""


@dataclass
class TextIdentity:
    """What a supplied text is. `kind`: "licensedb" (key is a LicenseDB key), "external" (key is the id of a
    corpus/external record) or "unknown" (key is None)."""

    kind: str
    key: str | None
    name: str
    modified: bool = False
    differences: list[str] = field(default_factory=list)  # what a modified copy adds, changes or leaves out
    changed_sections: list[str] = field(default_factory=list)  # ids in the user's copy that differ (and ancestors)
    confidence: str = ""
    how: str = ""  # one phrase: how it was identified
    notes: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # LicenseDB keys the text only refers to (notices, metadata)

    def touches(self, section_id: str) -> bool:
        """Whether the user's copy changed this section (an id of their copy) or a clause inside it."""
        return section_id in self.changed_sections

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SuppliedText:
    """A supplied text, parsed and indexed. Every chunk's text is `text[start:end]`."""

    text: str
    source: str  # a path, "standard input" or "pasted text"
    sections: list[Section]
    chunks: list[Chunk]
    identity: TextIdentity
    lexical: LexicalIndex | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def key(self) -> str:
        """The key its citations carry: the LicenseDB key, "ext:<id>" for a recorded license, else "supplied"."""
        return _key(self.identity)

    @property
    def citation_name(self) -> str:
        """How citations of this copy are labelled: the license it was taken for, said to be the user's copy."""
        return _citation_name(self.identity)

    def section(self, section_id: str) -> Section | None:
        return find_section(self.sections, section_id)

    def search(self, query: str, k: int = 5) -> list[tuple[Chunk, float]]:
        """The user's clauses that best match the query by BM25, best first."""
        if self.lexical is None or not query.strip():
            return []
        return [(self.chunks[i], score) for i, score in self.lexical.top(query, k)]

    def describe(self) -> dict[str, Any]:
        """For the Answer: where the text came from and what it was taken for."""
        return {"source": self.source, "sha256": self.sha256, "chars": len(self.text), **self.identity.to_dict()}


# ---------------------------------------------------------------------------------------------------------------
# Reading and checking


def check_text(raw: str | bytes, source: str = "The text", max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The text to answer from, or LicenseTextError saying what is wrong with it. Line ends are read as "\\n" (the
    clause parser's convention), so quotes are exact substrings of the text with its line ends normalised."""
    if isinstance(raw, bytes):
        size = len(raw)
        if size > max_bytes:
            raise LicenseTextError(_too_big(source, size, max_bytes))
        if b"\x00" in raw[:8000]:
            raise LicenseTextError(f"{source} looks like a binary file, not a license text.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise LicenseTextError(f"{source} is not UTF-8 text; save the license as UTF-8.") from None
    elif isinstance(raw, str):
        text = raw
        size = len(text.encode("utf-8", errors="replace"))
        if size > max_bytes:
            raise LicenseTextError(_too_big(source, size, max_bytes))
    else:
        raise LicenseTextError(f"A license text must be text (str), not {type(raw).__name__}.")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\f")
    if controls > max(8, len(text) // 100):
        raise LicenseTextError(f"{source} looks like a binary file, not a license text.")
    if controls:  # a few stray control characters: gone, so no quote carries one
        text = "".join(ch for ch in text if ord(ch) >= 32 or ch in "\t\n\f")
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be written out
    if not text.strip():
        raise LicenseTextError(f"{source} is empty: give the text of the license.")
    return text


def _too_big(source: str, size: int, limit: int) -> str:
    return (f"{source} is {size:,} bytes; the limit is {limit:,} bytes ({limit // 1000} KB): give only the license "
            "text.")


def read_license_file(path: str | Path, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The checked text of a license file, or of standard input for "-"; LicenseTextError otherwise."""
    if str(path) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        raw: str | bytes = stream.read(max_bytes + 1) if stream is not None else sys.stdin.read(max_bytes + 1)
        return check_text(raw, "Standard input", max_bytes)
    p = Path(path).expanduser()
    if not p.exists():
        raise LicenseTextError(f"no such file: {p}")
    if p.is_dir():
        raise LicenseTextError(f"{p} is a folder; give the license file in it.")
    try:
        size = p.stat().st_size
        if size > max_bytes:  # refused before it is read
            raise LicenseTextError(_too_big(str(p), size, max_bytes))
        raw = p.read_bytes()
    except OSError as exc:
        raise LicenseTextError(f"cannot read {p}: {exc.strerror or exc}") from None
    return check_text(raw, str(p), max_bytes)


# ---------------------------------------------------------------------------------------------------------------
# Identifying


def _norm(text: str) -> str:
    """Lowercase words; dots kept only inside version numbers ("3.1"), so titles compare across punctuation."""
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text.lower())
    return " ".join(re.sub(r"[^a-z0-9.]+", " ", text).split())


def _title(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:_TITLE_LINES]
    return "\n".join(lines)[:_TITLE_CHARS]


def _record_names(record: Any) -> list[str]:
    names = [record.name, re.sub(r"\s*\([^)]*\)\s*$", "", record.name)]  # "X (June 2024)": the title says "X"
    names += [a for a in record.aliases if " " in a.strip()]
    return [n for n in dict.fromkeys(_norm(n) for n in names) if len(n) >= _MIN_NAME_CHARS]


def external_by_title(text: str, catalog: Any) -> tuple[Any, list[str]] | None:
    """(the corpus/external record the text's title names, notes), or None. The earliest and longest name in the
    title wins: "Meta Llama 3 Community License Agreement" over its alias "llama 3 community license"."""
    head = f" {_norm(_title(text))} "
    best: tuple[int, int, Any] | None = None
    for record in catalog.external.values():
        for name in _record_names(record):
            pos = head.find(f" {name} ")
            if pos >= 0 and (best is None or (pos, -len(name)) < (best[0], -best[1])):
                best = (pos, len(name), record)
    if best is None:
        return None
    record = best[2]
    notes = []
    said = re.search(r"\bv(?:ersion)?\s*:?\s*(\d+(?:\.\d+)*)\b", _title(text), re.I)
    if said and record.version and re.fullmatch(r"\d+(?:\.\d+)*", record.version) and said.group(1) != record.version:
        notes.append(f"Your copy says version {said.group(1)}; the terms recorded here are of version "
                     f"{record.version}, so its sections or terms may differ.")
    return record, notes


def _is_full_text(finding: Any) -> bool:
    return finding.source == SOURCE_FULL_TEXT and bool(finding.evidence) and "full text" in finding.evidence[0]


def changed_sections(original: str, copy: str, sections: list[Section] | None = None) -> list[str]:
    """Ids of the sections of `copy` whose own text differs from the section of the same id in `original` (spaces
    and line breaks aside), and of the sections `copy` lacks, each with the sections that contain it."""
    def body(text: str, s: Section) -> str:
        return " ".join(text[s.start : s.body_end].split())

    mine = sections if sections is not None else parse_sections(copy)
    theirs = parse_sections(original)
    by_id = {s.id: s for s in mine}
    their_by_id = {s.id: s for s in theirs}
    changed: set[str] = set()

    def mark(sid: str | None, tree: dict[str, Section]) -> None:
        while sid is not None and sid in tree:
            changed.add(sid)
            sid = tree[sid].parent

    for s in mine:
        other = their_by_id.get(s.id)
        if other is None or body(copy, s) != body(original, other):
            mark(s.id, by_id)
    for s in theirs:
        if s.id not in by_id:
            mark(s.parent, by_id)  # a clause left out changes the section that held it
            changed.add(s.id)
    order = [s.id for s in mine] + [s.id for s in theirs]
    return sorted(changed, key=lambda sid: order.index(sid))


def identify_text(text: str, catalog: Any = None, identification: Identification | None = None) -> TextIdentity:
    """What the text is. `identification`: ScanCode's reading of this same text when the caller already has it
    (the UI's Identify tab); it is made here otherwise."""
    from assistant.identify import identify
    from assistant.licensedb import load_license

    if catalog is None:
        from assistant.catalog import load_catalog

        catalog = load_catalog()
    ident = identification if identification is not None else identify(text, max_bytes=MAX_TEXT_BYTES)
    full = [f for f in ident.findings if _is_full_text(f)]
    titled = external_by_title(text, catalog)
    if full and not full[0].modified:
        f = full[0]
        notes = [f"Your text also holds the {g.license_name} ({g.license_key}); this answer is about the "
                 f"{f.license_name}." for g in full[1:2]]
        return TextIdentity("licensedb", f.license_key, f.license_name, confidence=f.confidence,
                            how=f"its full text matches the {f.license_name} in ScanCode's LicenseDB "
                                f"({f.score:.0f}%)", notes=notes)
    if titled is not None:
        record, notes = titled
        if full:
            notes.append(f"It resembles the {full[0].license_name} ({full[0].license_key}) in parts, but its title "
                         f"names the {record.name}.")
        return TextIdentity("external", record.id, record.name, confidence="medium",
                            how="its title names it (the LicenseDB has no text of it to compare yours with)",
                            notes=notes)
    if full:
        f = full[0]
        return TextIdentity(
            "licensedb", f.license_key, f.license_name, modified=True, differences=list(f.differences),
            changed_sections=changed_sections(load_license(f.license_key).text, text), confidence=f.confidence,
            how=f"a MODIFIED copy of the {f.license_name} (match score {f.score:.0f}%)",
        )
    return TextIdentity("unknown", None, "your license text", how="not recognised",
                        notes=list(ident.notes), mentions=list(ident.license_keys))


# ---------------------------------------------------------------------------------------------------------------
# All of it


def _key(identity: TextIdentity) -> str:
    if identity.kind == "licensedb" and identity.key:
        return identity.key
    return f"ext:{identity.key}" if identity.kind == "external" else SUPPLIED_KEY


def _citation_name(identity: TextIdentity) -> str:
    return "Your license text" if identity.kind == "unknown" else f"{identity.name} (your copy)"


@dataclass(frozen=True)
class _Doc:
    """What license_chunks needs of a document."""

    key: str
    name: str
    text: str
    source_url: str = ""


def load_supplied(
    text: str | bytes,
    source: str = "pasted text",
    *,
    catalog: Any = None,
    identification: Identification | None = None,
) -> SuppliedText:
    """Check, parse, index and identify a supplied license text. Raises LicenseTextError for unusable input."""
    text = check_text(text, "The license text" if source == "pasted text" else source)
    identity = identify_text(text, catalog, identification)
    sections = parse_sections(text)
    chunks = license_chunks(_Doc(_key(identity), _citation_name(identity), text), sections=sections,
                            kind="supplied")
    lexical = LexicalIndex.build([c.embedding_text() for c in chunks]) if chunks else None
    return SuppliedText(text, source, sections, chunks, identity, lexical)
