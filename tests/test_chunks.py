"""Clause-level chunks: exact text, full coverage, parent headings as context, definition cards."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.chunks import Chunk, definition_chunks, license_chunks, split_span
from assistant.clauses import parse_sections
from assistant.licensedb import license_keys, load_license
from tests.test_clauses import default_keys

REPO = Path(__file__).resolve().parents[1]


def check_chunks(text: str, chunks: list[Chunk], overlap: int) -> None:
    """Each chunk is the exact source text; together they cover it; only pieces of one clause overlap."""
    assert len({c.id for c in chunks}) == len(chunks), "chunk ids must be unique"
    pos = 0
    prev: Chunk | None = None
    for c in sorted(chunks, key=lambda c: (c.start, c.end)):
        assert c.text == text[c.start:c.end] and c.text.strip() == c.text and c.text
        assert not text[pos:c.start].strip(), f"text not in any chunk before {c.id}: {text[pos:c.start][:80]!r}"
        if prev is not None and c.start < prev.end:
            assert c.section_id == prev.section_id, f"{c.id} overlaps another clause"
            assert prev.end - c.start <= overlap, f"{c.id} overlaps more than the allowed overlap"
        pos = max(pos, c.end)
        prev = c
    assert not text[pos:].strip()


@pytest.mark.parametrize("key", default_keys())
def test_default_set_chunks_cover_the_text(key):
    rec = load_license(key)
    chunks = license_chunks(rec)
    check_chunks(rec.text, chunks, 150)
    assert all(c.doc_key == key and c.kind == "license" and c.id.startswith(f"{key}#") for c in chunks)


def test_whole_licensedb_chunks_cover_the_text():
    failures = []
    total = 0
    for key in license_keys():
        rec = load_license(key)
        chunks = license_chunks(rec)
        total += len(chunks)
        try:
            check_chunks(rec.text, chunks, 150)
        except AssertionError as exc:
            failures.append(f"{key}: {exc}")
    assert not failures, "\n".join(failures[:20])
    assert total > len(license_keys())


def test_clause_chunk_carries_its_parent_headings():
    rec = load_license("llama-3.1-license-2024")
    chunks = license_chunks(rec)
    attr = [c for c in chunks if c.section_id == "1.b.i"]
    assert len(attr) == 1 and "Built with Llama" in attr[0].text
    assert attr[0].context == "1 License Rights and Redistribution > 1.b Redistribution and Use"
    assert attr[0].id == "llama-3.1-license-2024#1.b.i#0"
    assert "Llama 3.1" in attr[0].embedding_text().splitlines()[0]
    # a parent with subsections contributes only its own text: "1.b" does not repeat its items
    parent = [c for c in chunks if c.section_id == "1.b"]
    assert parent and all("Built with Llama" not in c.text for c in parent)


def test_inferred_flag_reaches_the_chunks():
    chunks = license_chunks(load_license("nvidia-open-model-2025-04-28"))
    cond = [c for c in chunks if c.section_id == "2.1"]
    assert cond and cond[0].inferred


def test_long_clause_is_split_at_sentence_ends_with_overlap():
    rec = load_license("gpl-3.0")
    secs = parse_sections(rec.text)
    chunks = license_chunks(rec, max_chars=400, overlap=80, sections=secs)
    check_chunks(rec.text, chunks, 80)
    by_sec: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_sec.setdefault(c.section_id, []).append(c)
    long = [cs for cs in by_sec.values() if len(cs) > 2]
    assert long, "gpl-3.0 has clauses longer than 400 characters"
    inner = []
    for cs in long:
        assert [c.id.rsplit("#", 1)[1] for c in cs] == [str(n) for n in range(len(cs))]
        assert all(len(c.text) <= 400 for c in cs)
        inner += cs[:-1]
    # pieces end where a sentence (or list item) ends; only a sentence longer than the limit is cut elsewhere
    ends = [c for c in inner if re.search(r"[.;:!?)\"”]$", c.text)]
    assert len(ends) >= 0.6 * len(inner)
    assert any(b.start < a.end for cs in long for a, b in zip(cs, cs[1:], strict=False))


def test_split_span_offsets_are_exact():
    text = "Intro. " + " ".join(f"Sentence number {n} says something short." for n in range(60))
    pieces = split_span(text, 7, len(text), max_chars=200, overlap=40)
    assert len(pieces) > 5
    assert pieces[0][0] == 7 and pieces[-1][1] == len(text)
    for s, e in pieces:
        assert e - s <= 200 and text[s:e].strip() == text[s:e]
        assert text[s:e].endswith(".")
    assert split_span(text, 0, 50) == [(0, 50)]


def fake_card():
    crit = [
        SimpleNamespace(id="weights", title="Weights available", text="The trained parameters are published."),
        SimpleNamespace(id="data-info", title="Data information", text="Sufficiently detailed information."),
    ]
    return SimpleNamespace(id="osaid-1.0", name="Open Source AI Definition 1.0", url="https://example.org/osaid",
                           summary="A summary.", criteria=crit)


def test_definition_chunks_from_a_card():
    chunks = definition_chunks(fake_card())
    assert [c.id for c in chunks] == ["def:osaid-1.0#weights#0", "def:osaid-1.0#data-info#0"]
    c = chunks[0]
    assert (c.doc_key, c.kind, c.section_id, c.heading) == ("def:osaid-1.0", "definition", "weights",
                                                            "Weights available")
    assert c.text == "The trained parameters are published." and (c.start, c.end) == (0, len(c.text))
    assert c.source_url == "https://example.org/osaid" and c.doc_name == "Open Source AI Definition 1.0"


def test_definition_chunks_from_the_real_cards():
    folder = REPO / "corpus" / "definitions"
    if not folder.is_dir() or not any(folder.glob("*.yaml")):
        pytest.skip("corpus/definitions/ has no cards yet")
    from assistant.catalog import load_catalog

    cards = load_catalog().definitions
    cards = list(cards.values()) if isinstance(cards, dict) else list(cards)
    assert cards
    ids = set()
    for card in cards:
        chunks = definition_chunks(card)
        assert len(chunks) == len(card.criteria)
        for c, crit in zip(chunks, card.criteria, strict=True):
            assert c.text == crit.text and c.section_id == crit.id and c.doc_key == f"def:{card.id}"
            ids.add(c.id)
    assert len(ids) == sum(len(c.criteria) for c in cards)
