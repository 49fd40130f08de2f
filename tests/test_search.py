"""Hybrid clause search over the real default index: the clause a user looks for comes back, with its address."""

from __future__ import annotations

import pytest

from assistant.licensedb import UnknownLicenseError, load_license
from assistant.search import SearchError

# (query, license filter, expected section id, a phrase the clause must contain)
SPOT_CHECKS = [
    ("monthly active users greater than 700 million", ["llama-3.1-license-2024"], "2", "700 million monthly active"),
    ("display Built with Llama on a related website", ["llama-3.1-license-2024"], "1.b.i", "Built with Llama"),
    ("NOTICE text file attribution notices in derivative works", ["apache-2.0"], "4(d)", "NOTICE"),
    ("patent license terminates if you institute patent litigation", ["apache-2.0"], "3", "patent"),
    ("more than 100 million monthly active users", ["qwen-2024"], "4", "100 million"),
    ("annual revenue exceeds US $1,000,000", ["stability-ai-community-2024"], None, "1,000,000"),
    ("use outputs to train or improve other foundational models", ["stability-ai-community-2024"], "IV.b", None),
    ("Prohibited Use Policy incorporated by reference", ["gemma-tou-2024-04-01"], None, "Prohibited Use Policy"),
    ("military use", ["deepseek-la-1.0"], None, "military"),
    ("THE SOFTWARE IS PROVIDED AS IS WITHOUT WARRANTY", ["mit"], None, "WITHOUT WARRANTY"),
    ("NonCommercial means not primarily intended for commercial advantage", ["cc-by-nc-4.0"], None,
     "commercial advantage"),
    ("you may not use this model for commercial or production purposes", ["flux-1-nc"], None, "commercial"),
]


@pytest.mark.parametrize("query,licenses,section,phrase", SPOT_CHECKS)
def test_spot_check_clause_is_found(searcher, query, licenses, section, phrase):
    hits = searcher.search(query, licenses=licenses, k=3)
    assert hits, "a filtered search over an indexed license must return clauses"
    assert all(h.doc_key in licenses for h in hits)
    if section is not None:
        assert section in [h.section_id for h in hits], [(h.section_id, h.text[:60]) for h in hits]
    if phrase is not None:
        assert any(phrase.lower() in h.text.lower() for h in hits), [h.text[:80] for h in hits]


def test_hits_point_at_exact_text(searcher):
    for h in searcher.search("redistribution conditions", k=10):
        if h.chunk.kind == "license":
            assert load_license(h.doc_key).text[h.start : h.end] == h.text
        assert h.doc_name and h.section_id and h.chunk.source_url.startswith("http")


def test_unfiltered_search_finds_the_right_license(searcher):
    hits = searcher.search("Llama 3.1 700 million monthly active users additional commercial terms", k=5)
    assert any(h.doc_key == "llama-3.1-license-2024" for h in hits)


def test_definition_cards_are_searchable(searcher):
    hits = searcher.search("no discrimination against fields of endeavor", k=5)
    assert any(h.doc_key == "def:osd" and h.section_id == "osd-6" for h in hits)


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_single_retriever_modes(searcher, mode):
    hits = searcher.search("700 million monthly active users", licenses=["llama-3.1-license-2024"], k=3, mode=mode)
    assert hits and hits[0].doc_key == "llama-3.1-license-2024"


def test_license_outside_default_set_is_added_on_demand(searcher):
    key = "bsd-original-uc"  # an old BSD variant: in the LicenseDB, not in the default set
    hits = searcher.search("advertising materials must display acknowledgement", licenses=[key], k=3)
    assert hits and all(h.doc_key == key for h in hits)
    assert "advertising" in " ".join(h.text for h in hits).lower()
    # a collection grown by an on-demand addition still finds the closest clauses by dense search alone
    dense = searcher.search("no discrimination against fields of endeavor", k=5, mode="dense")
    assert any(h.doc_key == "def:osd" and h.section_id == "osd-6" for h in dense)


@pytest.mark.parametrize("query", ["", "   \n\t ", None, 42])
def test_bad_query_gets_a_clear_message(searcher, query):
    with pytest.raises(SearchError, match="(empty|text)"):
        searcher.search(query)


def test_unknown_license_names_close_matches(searcher):
    with pytest.raises(UnknownLicenseError) as err:
        searcher.search("commercial use", licenses=["llama-3.1-licence"])
    assert "llama-3.1-license-2024" in str(err.value)


@pytest.mark.parametrize("key", ["../../etc/passwd", "a/b", "..", "mit\x00"])
def test_path_like_license_keys_are_refused(searcher, key):
    with pytest.raises(UnknownLicenseError):
        searcher.search("anything", licenses=[key])


def test_langchain_retriever_returns_documents_with_clause_metadata(searcher):
    docs = searcher.as_retriever(licenses=["llama-3.1-license-2024"], k=3).invoke("700 million monthly active users")
    assert docs
    meta = docs[0].metadata
    assert meta["license_key"] == "llama-3.1-license-2024"
    assert {"section_id", "heading", "start", "end", "source_url"} <= meta.keys()
    assert load_license(meta["license_key"]).text[meta["start"] : meta["end"]] == docs[0].page_content
