"""Curated facts: every file follows the schema, and every clause it cites exists in the license text."""

from __future__ import annotations

import re
from functools import cache

import pytest

from assistant.clauses import Section, find_section, parse_sections
from assistant.facts import FactsError, facts_dir, facts_for, load_facts, load_file, split_ref
from assistant.licensedb import license_keys, load_license

FILES = sorted(facts_dir().glob("*.yaml"))


@cache
def _sections(key: str) -> tuple[list[Section], str]:
    text = load_license(key).text
    return parse_sections(text), text


def test_there_are_facts_files():
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_facts_file_follows_the_schema(path):
    facts = load_file(path)
    assert facts.license == path.stem
    assert facts.license in license_keys()
    assert facts.facets, "a facts file with no facet answers nothing"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_cited_section_exists_in_the_license_text(path):
    facts = load_file(path)
    missing = []
    for ref in sorted(facts.section_ids()):
        key, section_id = split_ref(ref, facts.license)
        sections, _ = _sections(key)
        if find_section(sections, section_id) is None:
            missing.append(ref)
    assert not missing, f"{path.name} cites sections the parser does not find: {missing}"


def _spellings(value: float) -> list[str]:
    """How a license may print a threshold: '700 million', '1,000,000', 'RMB 1 billion'."""
    n = round(value)  # "at least X" is recorded as just under X
    out = [f"{n:,}"]
    if n % 1_000_000 == 0:
        out.append(f"{n // 1_000_000} million")
    if n % 1_000_000_000 == 0:
        out.append(f"{n // 1_000_000_000} billion")
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_threshold_values_appear_in_their_sections(path):
    """A threshold's figure must be printed in the clauses the facet cites, so a typo in the YAML shows up."""
    facts = load_file(path)
    for name, facet in facts.facets.items():
        if facet.threshold is None:
            continue
        sections, text = _sections(facts.license)
        cited = " ".join(
            text[s.start : s.end]
            for s in (find_section(sections, split_ref(r, facts.license)[1]) for r in facet.sections)
            if s is not None
        )
        cited = re.sub(r"\s+", " ", cited)
        assert any(sp in cited for sp in _spellings(facet.threshold.value)), (
            f"{path.name} facet {name}: {facet.threshold.value:,.0f} not found in sections {facet.sections}"
        )


def test_policy_documents_point_back_at_the_clause_that_incorporates_them():
    """For 'may I use Gemma / Llama 4 for X?' the policy item and the incorporating license clause are both cited."""
    for policy, license_key, clause in (
        ("gemma-pup-2024-02-21", "gemma-tou-2024-04-01", "3.2"),
        ("gemma-pup-2024-02-21", "gemma-tou-2025-03-24", "3.2"),
        ("llama-4-license-2025", "llama-4-cla-2025", "1.b.iv"),
    ):
        policy_use = facts_for(policy).facet("acceptable_use")
        assert f"{license_key}:{clause}" in policy_use.aup_sections
        assert clause in facts_for(license_key).facet("acceptable_use").aup_sections


def test_conduct_rules_are_kept_apart_from_size_caps():
    """Acceptable-use facets never carry a user or revenue threshold."""
    for facts in load_facts().values():
        for name in ("acceptable_use", "field_of_use"):
            facet = facts.facet(name)
            assert facet is None or facet.threshold is None, facts.license


def test_a_broken_file_names_file_facet_and_field(tmp_path):
    path = tmp_path / "qwen-2024.yaml"
    source = (facts_dir() / "qwen-2024.yaml").read_text(encoding="utf-8")
    path.write_text(source.replace("value: 100000000", "value: lots"), encoding="utf-8")
    with pytest.raises(FactsError) as err:
        load_file(path)
    message = str(err.value)
    assert "qwen-2024.yaml" in message and "commercial_use" in message and "threshold.value" in message


def test_a_file_named_after_another_license_is_refused(tmp_path):
    path = tmp_path / "qwen-2024.yaml"
    path.write_text((facts_dir() / "tongyi-qianwen-2023.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(FactsError, match="does not match the file name"):
        load_file(path)


def test_an_unknown_key_is_refused(tmp_path):
    (tmp_path / "no-such-license-2099.yaml").write_text(
        "license: no-such-license-2099\nas_of: '2099'\nreviewed: '2099'\nfacets: {}\n", encoding="utf-8"
    )
    with pytest.raises(FactsError, match="not a key"):
        load_facts(tmp_path)


def test_an_unknown_facet_name_is_refused(tmp_path):
    path = tmp_path / "qwen-2024.yaml"
    source = (facts_dir() / "qwen-2024.yaml").read_text(encoding="utf-8")
    path.write_text(source.replace("  naming:", "  nameing:"), encoding="utf-8")
    with pytest.raises(FactsError, match="nameing"):
        load_file(path)


def test_facts_for_an_uncurated_license_is_none():
    curated = set(load_facts())
    uncurated = next(k for k in license_keys() if k not in curated)
    assert facts_for(uncurated) is None
    assert facts_for("llama-3.1-license-2024") is not None
