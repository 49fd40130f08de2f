"""The clause parser on real LicenseDB texts: ids a lawyer would cite, exact offsets, no lost text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from assistant.clauses import Section, find_section, parse_sections, section_path
from assistant.licensedb import license_keys, load_license

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "licenses.yaml"


def default_keys() -> list:
    """The default index set from corpus/licenses.yaml, as pytest params (a skip when the file is absent)."""
    if not CORPUS.exists():
        return [pytest.param("", marks=pytest.mark.skip(reason="corpus/licenses.yaml does not exist"))]
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    entries = data.get("licenses", []) if isinstance(data, dict) else data
    return [e["key"] for e in entries]


def check_layout(text: str, sections: list[Section]) -> None:
    """Offsets are exact and trimmed, the tree nests properly, and the clauses' own texts tile the text."""
    ids = [s.id for s in sections]
    assert len(ids) == len(set(ids)), "section ids must be unique within a text"
    by_id = {s.id: s for s in sections}
    for s in sections:
        assert 0 <= s.start < s.end <= len(text)
        assert s.start < s.body_end <= s.end
        assert text[s.start:s.end] == text[s.start:s.end].strip(), s.id
        if s.parent is not None:
            parent = by_id[s.parent]
            assert parent.start <= s.start and s.end <= parent.end, s.id
            assert s.level == parent.level + 1
        else:
            assert s.level == 0
    pos = 0
    for s in sorted(sections, key=lambda s: s.start):
        assert s.start >= pos, f"{s.id} overlaps the clause before it"
        assert not text[pos:s.start].strip(), f"text lost before {s.id}: {text[pos:s.start][:80]!r}"
        pos = s.body_end
    assert not text[pos:].strip(), f"text lost at the end: {text[pos:][:80]!r}"


@pytest.mark.parametrize("key", default_keys())
def test_default_set_sections_tile_the_text(key):
    text = load_license(key).text
    sections = parse_sections(text)
    check_layout(text, sections)
    for s in sections:  # a heading is a title, not the first half of a wrapped sentence
        if s.heading:
            assert len(s.heading) <= 100 and not s.heading.endswith((",", ";")), (s.id, s.heading)
            assert s.heading.split()[-1].lower() not in {"the", "of", "and", "or", "to", "a", "in"}, (s.id, s.heading)


def test_whole_licensedb_sections_tile_the_text():
    failures = []
    for key in license_keys():
        text = load_license(key).text
        try:
            check_layout(text, parse_sections(text))
        except AssertionError as exc:
            failures.append(f"{key}: {exc}")
    assert not failures, "\n".join(failures[:20])


def sections_of(key: str) -> tuple[str, list[Section]]:
    text = load_license(key).text
    return text, parse_sections(text)


def body(text: str, sec: Section | None) -> str:
    assert sec is not None
    return " ".join(text[sec.start:sec.end].split())


def test_llama_31_threshold_and_attribution_clauses():
    text, secs = sections_of("llama-3.1-license-2024")
    two = find_section(secs, "2")
    assert "700 million monthly active users" in body(text, two)
    assert "Additional Commercial Terms" in two.heading
    assert "Built with Llama" in body(text, find_section(secs, "1.b.i"))
    tops = [s.id for s in secs if s.level == 0 and not s.id.startswith("¶")]
    assert tops == [str(n) for n in range(1, len(tops) + 1)] and len(tops) >= 7
    # "700 million" or "3.1" in a sentence is not a section
    assert not any(re.fullmatch(r"700|3\.1|2024", s.id) for s in secs)


def test_llama_33_markdown_numbers():
    text, secs = sections_of("llama-3.3-license-2024")
    assert "700 million" in body(text, find_section(secs, "2"))
    assert "Disclaimer of Warranty" in find_section(secs, "3").heading


def test_apache_notice_clause_is_4d():
    text, secs = sections_of("apache-2.0")
    d = find_section(secs, "4(d)")
    assert d.id == "4(d)" and d.parent == "4"
    assert '"NOTICE" text file' in body(text, d)
    assert find_section(secs, "4").heading == "Redistribution"


def test_gemma_use_restrictions_have_their_own_section():
    text, secs = sections_of("gemma-tou-2024-04-01")
    restr = find_section(secs, "3.2")
    assert restr.heading == "Use Restrictions" and restr.parent == "3"
    assert "Prohibited Use Policy" in body(text, restr)
    assert "DISTRIBUTION AND RESTRICTIONS" in find_section(secs, "Section 3").heading
    assert [s.id for s in section_path(secs, "3.2")] == ["3", "3.2"]


def test_stability_community_inferred_roman_sections():
    text, secs = sections_of("stability-ai-community-2024")
    b = find_section(secs, "IV.b")
    assert b.heading == "Use Restrictions"
    assert "create or improve any foundational generative AI model" in body(text, b)
    assert find_section(secs, "IV").inferred  # the text prints no "IV": it is inferred from "Section IV(a)" refs
    assert find_section(secs, "III").heading == "COMMERCIAL USE LICENSE"
    assert find_section(secs, "iv.B") is b


def test_qwen_threshold_clause_is_4():
    text, secs = sections_of("qwen-2024")
    assert "100 million monthly active users" in body(text, find_section(secs, "4"))
    assert find_section(secs, "3.c") is not None


def test_rail_attachment_items():
    text, secs = sections_of("bigscience-open-rail-m")
    item = find_section(secs, "Attachment A, (b)")
    assert item is not None and item.parent == "Attachment A"
    assert "minors" in body(text, item)
    assert "Use-based restrictions" in find_section(secs, "5").heading
    assert find_section(secs, "III").heading.startswith("CONDITIONS OF USAGE")
    # clauses are numbered through the whole text, under the "Section I..IV" parts
    assert find_section(secs, "5").parent == "III"


def test_unnumbered_texts_get_paragraph_ids():
    for key in ("mit", "isc"):
        text, secs = sections_of(key)
        assert [s.id for s in secs] == [f"¶{n}" for n in range(1, len(secs) + 1)]
        assert len(secs) >= 2
    text, secs = sections_of("mit")
    assert any("WITHOUT WARRANTY" in body(text, s) for s in secs)


def test_bsd_list_and_disclaimer():
    text, secs = sections_of("bsd-new")
    assert all(not s.inferred for s in secs)
    assert any("Neither the name" in body(text, s) for s in secs)


def test_nvidia_open_model_inferred_ids_follow_cross_references():
    text, secs = sections_of("nvidia-open-model-2025-04-28")
    # the license says "as described in Section 2.1" about its conditions for use
    cond = find_section(secs, "2.1")
    assert cond.inferred and cond.heading == "Conditions for Use"
    assert find_section(secs, "3").heading == "Redistribution"
    assert all(s.inferred for s in secs if not s.id.startswith("¶"))


def test_falcon_and_flux_inferred_numbers():
    text, secs = sections_of("falcon-2-11b-1.0")
    # "Subject to Section 5.3" points at the paragraph about updates of the acceptable use policy
    assert "Acceptable Use Policy may be updated" in body(text, find_section(secs, "5.3"))
    assert find_section(secs, "5").heading == "Acceptable Use" and find_section(secs, "5").inferred
    text, secs = sections_of("flux-1-nc")
    # "survive 2(c), 2(d)": the text's own references use parenthesised letters
    assert find_section(secs, "2(d)").heading == "Outputs"
    assert "Non-Commercial" in find_section(secs, "2(b)").heading


def test_find_section_matches_loosely():
    text, secs = sections_of("llama-3.1-license-2024")
    want = find_section(secs, "1.b.i")
    for spelling in ("1(b)(i)", "Section 1.b.i", "§1.b.i", "§ 1(b)(i)", "1.B.I", "section 1(b)(i)"):
        assert find_section(secs, spelling) is want, spelling
    assert find_section(secs, "9") is None
    assert find_section(secs, "") is None
    text, secs = sections_of("apache-2.0")
    assert find_section(secs, "Section 4.d").id == "4(d)"
    assert [s.id for s in section_path(secs, "4(d)")] == ["4", "4(d)"]
    assert section_path(secs, "42") == []


def test_numbers_inside_sentences_are_not_sections():
    text = (
        "Example Agreement\n\n"
        "1. Grant. You may use the model if you have fewer than\n"
        "700 million monthly active users, as set out in Version\n"
        "2.0 of this Agreement and in Section\n"
        "3. of the policy dated 2024.\n\n"
        "2. Limits. a. You must not exceed 1.1 times the quota. b. You must keep notices.\n\n"
        "3. Term. This Agreement ends on 31 December 2030.\n"
    )
    secs = parse_sections(text)
    assert [s.id for s in secs] == ["¶1", "1", "2", "2.a", "2.b", "3"]
    check_layout(text, secs)
    assert find_section(secs, "2.a").heading == ""
    assert body(text, find_section(secs, "1")).endswith("dated 2024.")


def test_headings_and_definitions():
    text, secs = sections_of("qwen-2024")
    assert find_section(secs, "2").heading == "Grant of Rights"
    assert find_section(secs, "1.b").heading == "We"  # a defined term heads its definition
    text, secs = sections_of("cc-by-4.0")
    assert find_section(secs, "2.a.1").parent == "2.a"
    assert "License grant" in find_section(secs, "2.a").heading


def test_any_slice_of_a_license_parses_cleanly():
    """Texts cut anywhere (partial copies, odd excerpts) still give exact, gap-free, unique sections."""
    import random

    rng = random.Random(7)
    keys = license_keys()
    for _ in range(300):
        text = load_license(rng.choice(keys)).text
        if not text:
            continue
        a = rng.randrange(len(text))
        piece = text[a : a + rng.randrange(1, 3000)]
        check_layout(piece, parse_sections(piece))
    for odd in ("", "   \n ", "1.", "(a)", "Attachment A", "a. b. c.", "\n\n1.\n\n2.\n"):
        check_layout(odd, parse_sections(odd))


def top_ids(secs: list[Section]) -> list[str]:
    return [s.id for s in secs if s.level == 0 and not s.id.startswith("¶")]


def test_rail_clause_after_an_untitled_sub_list_is_top_level():
    # "4. Distribution ..." holds untitled items 1-4; the titled "5. Use-based restrictions." is clause 5
    text, secs = sections_of("bigscience-rail-1.0")
    five = find_section(secs, "5")
    assert five.heading == "Use-based restrictions" and five.parent == "III"
    assert find_section(secs, "6").heading == "The Output You Generate"
    assert find_section(secs, "4.4") is not None and find_section(secs, "4.5") is None
    assert "Use-based restrictions. The restrictions" not in body(text, find_section(secs, "4"))


def test_chameleon_clause_back_at_the_margin_closes_the_indented_list():
    text, secs = sections_of("chameleon-research-2024")
    assert top_ids(secs) == [str(n) for n in range(1, 12)]
    assert find_section(secs, "3").heading == "Restrictions"
    assert [s.id for s in section_path(secs, "3.5")] == ["3", "3.5"]
    assert find_section(secs, "2.3") is None
    assert "No trademark licenses" in body(text, find_section(secs, "7.1"))
    assert find_section(secs, "10").heading == "Modifications and Amendments"


def test_responsible_ai_11_termination_is_section_4_as_in_10():
    text, secs = sections_of("responsible-ai-source-1.1")
    assert top_ids(secs) == top_ids(sections_of("responsible-ai-source-1.0")[1]) == [str(n) for n in range(1, 8)]
    assert find_section(secs, "4").heading == "Termination"
    assert find_section(secs, "4(i)").parent == "4"
    assert "Section 3.2" in body(text, find_section(secs, "3.3"))
    assert find_section(secs, "3.4") is None


def test_open_aleph_numbers_without_a_dot_head_sections():
    text, secs = sections_of("open-aleph-1.0")
    assert top_ids(secs) == [str(n) for n in range(1, 11)]
    assert find_section(secs, "3").heading == "Non-Commercial use"  # not title-cased, but it continues "2 ..."
    assert find_section(secs, "4.3").parent == "4"
    assert "courts" in body(text, find_section(secs, "4.3"))
    assert "License Text and Notices" not in body(text, find_section(secs, "4.3"))
    assert find_section(secs, "5").heading == "License Text and Notices"


def test_c_uda_number_glued_to_a_defined_term():
    text, secs = sections_of("c-uda-1.0")
    data = find_section(secs, "5.2")
    assert data.heading == "Data" and data.parent == "5"
    assert [s.id for s in secs if s.parent == "5"] == [f"5.{n}" for n in range(1, 7)]


def test_nested_list_closing_rules_on_made_up_texts():
    indented = (
        "1. Grant. You may use it as follows:\n"
        "   1. Use. You may run it.\n"
        "   2. Share. You may share it.\n"
        "2. Limits. You must not:\n"
        "   1. sell it;\n"
        "   2. rename it.\n"
        "3. Term. This ends in 2030.\n"
    )
    secs = parse_sections(indented)
    check_layout(indented, secs)
    assert top_ids(secs) == ["1", "2", "3"] and find_section(secs, "2.2").parent == "2"
    flat = (
        "1. Scope. It covers the files.\n"
        "2. Conditions. You must:\n"
        "1. keep this notice;\n"
        "2. not sell it;\n"
        "3. pay the fee.\n"
        "3. Term. This ends in 2030.\n"
    )
    secs = parse_sections(flat)
    check_layout(flat, secs)
    # the untitled "3." continues the sub-list of 2; the titled "3. Term." closes it
    assert [s.id for s in secs] == ["1", "2", "2.1", "2.2", "2.3", "3"]
    bare = (
        "Terms\n\n1 Definitions\n\nWords.\n\n2 Grant of rights\n\nText.\n\n"
        "2.1 Scope. More text.\n\n3 Final words\n\nEnd.\n"
    )
    secs = parse_sections(bare)
    check_layout(bare, secs)
    assert top_ids(secs) == ["1", "2", "3"] and find_section(secs, "2").heading == "Grant of rights"
    glued = "1. Definitions\n\n1.1. “Data” means data.\n1.2.“User” means you.\n1.3. “Work” means this.\n"
    secs = parse_sections(glued)
    check_layout(glued, secs)
    assert [s.id for s in secs] == ["1", "1.1", "1.2", "1.3"] and find_section(secs, "1.2").heading == "User"
