"""Openness assessments on the real corpus: curated license facts, the model catalog and the definition cards."""

from __future__ import annotations

import pytest

from assistant.catalog import load_catalog
from assistant.clauses import find_section, parse_sections
from assistant.licensedb import load_license
from assistant.openness import DEFINITIONS, assess, describe_release, mof_class


def _check(assessment, anchor):
    found = [c for c in assessment.checks if c.anchor == anchor]
    assert found, f"no check {anchor!r} in {[c.anchor for c in assessment.checks]}"
    return found[0]


def _has_card(card_id: str) -> bool:
    return load_catalog().definition(card_id) is not None


def test_llama_31_fails_osd_5_and_6_citing_its_own_clauses():
    a = assess("osd", [], model="Llama 3.1")
    assert a.verdict == "no"
    text = load_license("llama-3.1-license-2024").text
    sections = parse_sections(text)
    for anchor in ("osd-5", "osd-6"):
        check = _check(a, anchor)
        assert check.met is False
        assert check.license_key == "llama-3.1-license-2024"
        assert check.sections, f"{anchor} must name the deciding clauses"
        for sid in check.sections:
            assert find_section(sections, sid) is not None, f"{anchor} cites {sid!r}, which the text does not have"
    assert "2" in _check(a, "osd-5").sections  # the 700M monthly-active-user clause


def test_llama_31_is_open_weights_but_not_open_source_ai():
    a = assess("osaid", [], model="Llama 3.1")
    assert a.verdict == "no"
    assert a.label.startswith("open weights, not open source")
    assert _check(a, "osaid-f-use").met is False
    assert _check(a, "osaid-parameters").met is False


def test_apache_model_with_weights_only_is_open_weights_not_shown_osaid():
    model = "Mistral 7B"
    assert load_catalog().model(model).licenses == ["apache-2.0"]
    assert assess("osd", [], model=model).verdict == "yes"
    assert assess("open-weights", [], model=model).verdict == "yes"
    osaid = assess("osaid", [], model=model)
    assert osaid.verdict != "yes"
    assert osaid.label.startswith("open weights, not")
    assert all(c.met is True for c in osaid.checks if c.anchor.startswith("osaid-f-"))


def test_unknown_release_component_is_cannot_tell_not_a_guess():
    entry = load_catalog().model("BGE")
    assert entry.released["training_code"] == "unknown"
    code = _check(assess("osaid", [], model="BGE"), "osaid-code")
    assert code.met is None
    assert "cannot tell" in code.why.lower()


def test_olmo_meets_osaid_and_the_reported_validation_is_noted():
    a = assess("osaid", [], model="OLMo")
    assert a.verdict == "yes"
    assert a.label == "Open Source AI (OSAID 1.0)"
    for anchor in ("osaid-data-information", "osaid-code", "osaid-parameters"):
        assert _check(a, anchor).met is True
    assert any("as reported" in n.lower() and "passed" in n for n in a.notes)


def test_gemma_fails_osaid_on_its_terms_of_use():
    a = assess("osaid", [], model="Gemma")
    assert a.verdict == "no"
    failing = [c for c in a.checks if c.met is False and c.license_key == "gemma-tou-2024-04-01"]
    assert failing and all(c.sections for c in failing)


def test_cc_by_nc_fails_osd_6_on_the_non_commercial_grant():
    a = assess("osd", ["cc-by-nc-4.0"])
    assert a.verdict == "no"
    check = _check(a, "osd-6")
    assert check.met is False
    sections = parse_sections(load_license("cc-by-nc-4.0").text)
    assert all(find_section(sections, s) is not None for s in check.sections)


def test_osi_approved_license_passes_osd_and_fsd_and_share_alike_is_no_obstacle():
    for key in ("apache-2.0", "gpl-3.0"):
        assert assess("osd", [key]).verdict == "yes"
        assert assess("fsd", [key]).verdict == "yes"


def test_license_only_osaid_answer_says_the_release_still_matters():
    assert assess("osaid", ["mit"]).verdict == "conditional"
    assert assess("osaid", ["llama-3.1-license-2024"]).verdict == "no"


def test_describe_release_says_what_was_and_was_not_released():
    text = describe_release("Llama 3.1")
    assert "no training data" in text
    assert "no training code" in text
    assert describe_release("OLMo").startswith("weights, training code and training data")


def test_every_anchor_an_assessment_cites_is_on_a_definition_card():
    catalog = load_catalog()
    cards = [d for d in ("osd", "osaid", "fsd", "open-weights", "eu-ai-act", "mof") if _has_card(d)]
    assert {"osd", "osaid", "fsd"} <= set(cards)
    for definition in cards:
        for model in ("Llama 3.1", "OLMo", "Gemma", "Mistral 7B"):
            for c in assess(definition, [], model=model).checks:
                assert catalog.criterion(c.anchor) is not None, f"{definition}: unknown anchor {c.anchor!r}"


def test_unknown_definition_and_model_are_refused():
    with pytest.raises(ValueError):
        assess("osi-ish", ["mit"])
    with pytest.raises(KeyError):
        assess("osd", [], model="No Such Model 9000")
    assert set(DEFINITIONS) == {"osd", "osaid", "mof", "fsd", "eu-ai-act", "open-weights"}


@pytest.mark.skipif(not _has_card("mof"), reason="corpus/definitions/mof.yaml not present")
def test_mof_custom_model_license_gives_no_class():
    cls, checks = mof_class("Llama 3.1")
    assert cls is None
    weights = [c for c in checks if c.met is False and "MOF does not accept" in c.why]
    assert weights, "the custom license must be named as the reason"
    assert assess("mof", [], model="Llama 3.1").label == "no MOF class"


@pytest.mark.skipif(not _has_card("mof"), reason="corpus/definitions/mof.yaml not present")
def test_mof_open_release_with_untracked_components_is_cannot_tell_not_a_class():
    cls, checks = mof_class("OLMo")
    by_anchor = {c.anchor: c for c in checks}
    assert by_anchor["mof-iii-params-final"].met is True  # Apache-2.0 weights count
    untracked = [c for c in checks if "does not track" in c.why]
    assert untracked and all(c.met is None for c in untracked)
    if any(c.met is None for c in checks if c.anchor.startswith("mof-iii-")):
        assert cls is None
        assert assess("mof", [], model="OLMo").verdict == "not_addressed"


@pytest.mark.skipif(not _has_card("eu-ai-act"), reason="corpus/definitions/eu-ai-act.yaml not present")
def test_eu_ai_act_user_threshold_disqualifies_and_systemic_risk_stays_open():
    assert assess("eu-ai-act", [], model="Llama 3.1").verdict == "no"
    apache = assess("eu-ai-act", [], model="Mistral 7B")
    assert apache.verdict == "conditional"
    assert _check(apache, "eu-ai-act-51-2").met is None
