"""Verdicts from curated facts and the question's figures: thresholds both ways, conversions, combining."""

from __future__ import annotations

import pytest

from assistant.facts import load_facts
from assistant.figures import Figure
from assistant.licensedb import license_keys
from assistant.reason import Decision, decide, decide_all, overall_verdict

LLAMA31 = "llama-3.1-license-2024"
STABILITY = "stability-ai-community-2024"
QWEN = "qwen-2024"
KIMI = "moonshot-ai-modified-mit-2025"


def users(value: float, text: str, metric: str = "monthly_active_users") -> Figure:
    return Figure(value=value, kind="users", metric=metric, currency=None, text=text)


def money(value: float, text: str, metric: str = "annual_revenue", currency: str | None = "USD") -> Figure:
    return Figure(value=value, kind="money", metric=metric, currency=currency, text=text)


@pytest.mark.parametrize(
    "figure, verdict",
    [
        (users(650e6, "650M MAU"), "yes"),
        (users(700e6, "700 million MAU"), "yes"),  # "greater than 700 million" is what is excluded
        (users(900e6, "900M monthly users"), "no"),
        (users(1.2e9, "1.2 billion MAU"), "no"),
    ],
)
def test_llama_31_user_threshold_both_ways(figure, verdict):
    for facet in ("user_threshold", "commercial_use"):
        d = decide(LLAMA31, facet, [figure])
        assert d.verdict == verdict, (facet, d.summary)
        assert "2" in d.sections
        assert d.figure == figure
        assert d.threshold["value"] == 700_000_000
        assert figure.text in d.summary


def test_without_a_figure_the_threshold_stays_open():
    d = decide(LLAMA31, "commercial_use")
    assert d.verdict == "conditional"
    assert d.figure is None
    assert d.aup_sections == ["1.b.iv"]


def test_under_the_threshold_the_acceptable_use_policy_is_a_note_not_a_condition():
    d = decide(LLAMA31, "commercial_use", [users(650e6, "650M MAU")])
    assert d.verdict == "yes"
    assert d.conditions == []
    assert any("Acceptable Use Policy" in n for n in d.notes)


def test_a_bare_user_count_is_read_as_monthly_active_users_with_a_note():
    d = decide(LLAMA31, "user_threshold", [users(900e6, "900M users", metric="users")])
    assert d.verdict == "no"
    assert any("monthly active users" in n and "900M users" in n for n in d.notes)
    d = decide(LLAMA31, "user_threshold", [users(900e6, "900M MAU")])
    assert not any("was read as monthly active users" in n for n in d.notes)


@pytest.mark.parametrize(
    "figure, verdict",
    [
        (money(800_000, "$800k revenue"), "yes"),
        (money(1_000_000, "$1M revenue"), "yes"),
        (money(3_000_000, "$3M annual revenue"), "no"),
    ],
)
def test_stability_revenue_threshold_both_ways(figure, verdict):
    for facet in ("revenue_threshold", "commercial_use"):
        d = decide(STABILITY, facet, [figure])
        assert d.verdict == verdict, (facet, d.summary)
        assert "III" in d.sections


@pytest.mark.parametrize("value, verdict", [(80e6, "yes"), (100e6, "yes"), (150e6, "no")])
def test_qwen_100m_mau_threshold(value, verdict):
    d = decide(QWEN, "commercial_use", [users(value, f"{value:,.0f} MAU")])
    assert d.verdict == verdict
    assert "4" in d.sections


def test_monthly_revenue_is_converted_to_annual():
    d = decide(STABILITY, "revenue_threshold", [money(100_000, "$100k a month", metric="monthly_revenue")])
    assert d.verdict == "no"  # 1.2M a year
    assert any("x12" in n for n in d.notes)
    d = decide(STABILITY, "revenue_threshold", [money(50_000, "$50k a month", metric="monthly_revenue")])
    assert d.verdict == "yes"  # 600k a year


def test_annual_revenue_is_converted_to_monthly():
    d = decide(KIMI, "revenue_threshold", [money(300e6, "$300M a year")])
    assert d.verdict == "conditional"  # 25M a month: the Kimi K2 display applies
    assert any("/12" in n for n in d.notes)
    d = decide(KIMI, "revenue_threshold", [money(120e6, "$120M a year")])
    assert d.verdict == "yes"  # 10M a month


def test_revenue_without_a_period_is_read_as_annual_with_a_note():
    d = decide(STABILITY, "revenue_threshold", [money(3e6, "$3M", metric="revenue")])
    assert d.verdict == "no"
    assert any("annual" in n for n in d.notes)


def test_other_currencies_are_converted_approximately():
    d = decide(STABILITY, "revenue_threshold", [money(5e6, "EUR 5M", currency="EUR")])
    assert d.verdict == "no"
    assert any("approximate" in n for n in d.notes)
    d = decide(STABILITY, "revenue_threshold", [money(950_000, "€950k", currency="EUR")])
    assert any("close to the threshold" in n for n in d.notes)


def test_an_unknown_currency_is_not_compared():
    d = decide(STABILITY, "revenue_threshold", [money(5e6, "5M zorkmids", currency="ZMD")])
    assert d.verdict == "conditional"  # the verdict without a figure
    assert any("Could not compare" in n for n in d.notes)


def test_a_figure_of_the_wrong_kind_does_not_decide():
    d = decide(STABILITY, "commercial_use", [users(5e9, "5 billion users")])
    assert d.verdict == "conditional"
    assert d.figure is None


def test_commercial_use_borrows_the_license_user_threshold():
    """Kimi K2's commercial_use has no threshold of its own; the user threshold decides it."""
    d = decide(KIMI, "commercial_use", [users(150e6, "150M MAU")])
    assert d.verdict == "conditional"
    assert "¶4" in d.sections
    assert d.threshold["metric"] == "monthly_active_users"
    assert decide(KIMI, "commercial_use", [users(50e6, "50M MAU")]).verdict == "yes"


def test_with_users_and_revenue_the_stricter_outcome_decides():
    d = decide(KIMI, "commercial_use", [users(50e6, "50M MAU"), money(30e6, "$30M monthly", "monthly_revenue")])
    assert d.verdict == "conditional"
    assert d.threshold["metric"] == "monthly_revenue"


def test_uncurated_license_gives_no_verdict():
    curated = set(load_facts())
    key = next(k for k in license_keys() if k not in curated)
    d = decide(key, "commercial_use", [users(1e6, "1M users")])
    assert d.curated is False
    assert d.verdict is None
    assert "not been curated" in d.summary


def test_a_facet_the_facts_do_not_cover_is_not_addressed():
    d = decide("llama-4-license-2025", "patent")  # the Llama 4 policy says nothing about patents
    assert d.curated is True
    assert d.verdict == "not_addressed"
    assert d.notes


def test_policy_items_and_incorporating_clause_come_together():
    d = decide("gemma-pup-2024-02-21", "acceptable_use")
    assert d.verdict == "conditional"
    assert "¶12" in d.sections
    assert "gemma-tou-2024-04-01:3.2" in d.aup_sections


def _d(verdict):
    return Decision("k", "f", verdict, "", [], [], [], verdict is not None, False)


@pytest.mark.parametrize(
    "verdicts, combined",
    [
        (["yes", "conditional"], "conditional"),
        (["yes", "no", "conditional"], "no"),
        (["yes", "not_addressed"], "yes"),
        (["not_addressed", "not_addressed"], "not_addressed"),
        (["yes", None], "yes"),
        ([None], None),
        ([], None),
    ],
)
def test_overall_verdict_is_the_most_restrictive(verdicts, combined):
    assert overall_verdict([_d(v) for v in verdicts]) == combined


def test_several_facets_of_one_license_combine():
    decisions = decide_all([LLAMA31], ["commercial_use", "redistribution"], [users(650e6, "650M MAU")])
    assert [d.facet for d in decisions] == ["commercial_use", "redistribution"]
    assert decisions[0].verdict == "yes"
    assert overall_verdict(decisions) == "conditional"  # redistribution keeps its naming and display rules


def test_a_model_under_two_licenses_takes_the_stricter():
    """A Llama 3.1 distill also published under MIT: the Llama terms decide."""
    big = decide_all(["mit", LLAMA31], ["commercial_use"], [users(900e6, "900M MAU")])
    assert [d.license_key for d in big] == ["mit", LLAMA31]
    assert overall_verdict(big) == "no"
    small = decide_all(["mit", LLAMA31], ["commercial_use"], [users(650e6, "650M MAU")])
    assert small[1].verdict == "yes"
    assert overall_verdict(small) != "no"


# -- reviewed cases: question-specific answers recorded in the facts -------------------------------------------


def test_a_prohibited_use_named_in_the_question_is_a_no_with_its_item():
    q = "Can we use DeepSeek-V3 for military logistics planning?"
    d = decide("deepseek-la-1.0", "acceptable_use", question=q)
    assert d.verdict == "no"
    assert d.sections[0] == "Attachment A"
    assert any("military" in n for n in d.notes)
    assert decide("deepseek-la-1.0", "acceptable_use").verdict == "conditional"  # without the question


def test_fighting_a_prohibited_thing_is_not_the_prohibited_thing():
    assert decide("gemma-pup-2024-02-21", "acceptable_use", question="Can Gemma write spam emails?").verdict == "no"
    d = decide("gemma-pup-2024-02-21", "acceptable_use", question="Can I build a spam filter with Gemma?")
    assert d.verdict == "conditional"


def test_license_clause_and_policy_item_are_both_cited_for_a_policy_question():
    d = decide("llama-4-cla-2025", "acceptable_use", question="Could a defense contractor use Llama 4 for weapons?")
    assert d.verdict == "no"
    assert "llama-4-license-2025:2.a" in d.sections and "1.b.iv" in d.sections


def test_eu_exclusion_hits_eu_companies_but_not_end_users():
    company = decide("llama-4-cla-2025", "territory", question="We're a French company. Can we use Llama 4?")
    assert company.verdict == "no"
    user = decide("llama-4-cla-2025", "territory", question="I'm a consumer in Spain using an app built on Llama 4.")
    assert user.verdict == "yes"
    language = decide("llama-4-cla-2025", "territory", question="Can Llama 4 translate German text?")
    assert language.verdict == "conditional"


def test_hosting_and_plain_download_differ_under_the_stability_research_license():
    key = "stability-ai-nc-2023-12-06"
    assert decide(key, "redistribution", question="Can I run a free public API for my hobby project?").verdict == "no"
    assert decide(key, "redistribution", question="Can I upload my fine-tune to Hugging Face?").verdict == "yes"


def test_a_figure_decides_before_any_case():
    q = "We're a consumer app with 900M MAU, can we use Llama 4?"
    d = decide("llama-4-cla-2025", "commercial_use", [users(900e6, "900M MAU")], question=q)
    assert d.verdict == "no"


def test_decide_all_passes_the_question_on():
    q = "Is military use allowed under both?"
    decisions = decide_all(["deepseek-la-1.0", "tencent-hunyuan-3d-2.0-cla"], ["acceptable_use"], question=q)
    assert [d.verdict for d in decisions] == ["no", "no"]
    assert overall_verdict(decisions) == "no"
