"""The judge: one reading of the question, every license's terms evaluated against it."""

from __future__ import annotations

import pytest

from assistant.facts import load_facts
from assistant.judge import judge
from assistant.situation import ACTS, read_situation


def verdict(key: str, question: str, facet: str, history=()) -> str | None:
    s = read_situation(question, history)
    return judge(key, s, facet, asks_license=s.asks_license).verdict


@pytest.mark.parametrize("comparator", ["above", "over", "more than", "beyond", "in excess of"])
def test_a_figure_above_the_llama_threshold_is_no_whatever_the_comparator(comparator):
    q = f"Can I use Llama 3.1 commercially {comparator} 700M users?"
    assert verdict("llama-3.1-license-2024", q, "user_threshold") == "no"


@pytest.mark.parametrize("users, expected", [("650M", "yes"), ("900M", "no"), ("exactly 700 million", "yes")])
def test_directional_user_counts(users, expected):
    q = f"We have {users} monthly active users. Can we use Llama 3.1 in our product?"
    assert verdict("llama-3.1-license-2024", q, "user_threshold") == expected


def test_under_a_figure_that_may_exceed_the_threshold_stays_open():
    assert (
        verdict("llama-3.1-license-2024", "at least 650M monthly active users, commercial use ok?", "user_threshold")
        == "conditional"
    )


def test_a_saas_names_the_display_duty_and_the_use_policy():
    s = read_situation("We're building a SaaS on top of Llama 3.3 70B, about 2M users. Any catch?")
    j = judge("llama-3.3-license-2024", s, "commercial_use")
    assert j.verdict == "conditional"
    texts = " ".join(i.text for i in j.checklist)
    assert "Built with Llama" in texts and "Acceptable Use Policy" in texts


def test_a_follow_up_name_without_the_prefix_breaks_the_naming_rule():
    history = ["We're building a SaaS on top of Llama 3.3 70B, about 2M users. Any catch?"]
    q = "and if we fine-tune it and publish the weights as 'MedBot'?"
    assert verdict("llama-3.3-license-2024", q, "derivatives", history) == "no"
    assert verdict("llama-3.3-license-2024", "and if we publish it as 'Llama-MedBot'?", "derivatives", history) != "no"


@pytest.mark.parametrize(
    "figures, expected",
    [
        ("about 30M monthly users and $2M a month in revenue", "no"),
        ("about 300M monthly users", "yes"),
        ("", "conditional"),
    ],
)
def test_a_duty_that_arises_above_a_threshold_binds_only_above_it(figures, expected):
    size = f", with {figures}" if figures else ""
    q = f"Our commercial assistant runs on Kimi K2{size}. Must we show 'Kimi K2' in the UI?"
    assert verdict("moonshot-ai-modified-mit-2025", q, "attribution") == expected


def test_a_duty_that_needs_distribution_is_not_owed_by_a_hosted_service():
    q = "We patched a GPL-3.0 inference server and only offer it as a web service. Do we have to publish the patch?"
    assert verdict("gpl-3.0", q, "redistribution") == "no"


def test_paying_is_answered_literally():
    assert (
        verdict(
            "llama-3.2-license-2024", "Do I need to pay Meta anything to use Llama 3.2 in my app?", "commercial_use"
        )
        == "no"
    )


def test_internal_training_data_from_llama_31_is_allowed_but_llama_2_bans_it():
    q = "Can we use it to create training data for our own model that we keep internal?"
    assert verdict("llama-3.1-license-2024", q, "output_use") == "yes"
    assert verdict("llama-2-license-2023", q, "output_use") == "no"


@pytest.mark.parametrize("key", ["flux-1-nc", "cc-by-nc-4.0", "exaone-ai-model-1.1-nc"])
def test_non_commercial_licenses_turn_on_the_purpose(key):
    assert verdict(key, "Can I use it commercially in my startup's product?", "commercial_use") == "no"
    assert verdict(key, "Can I use it for my personal hobby project, no money involved?", "commercial_use") != "no"


def test_revenue_with_currency_and_period():
    key = "stability-ai-community-2024"
    assert verdict(key, "We make $800k a year; can we sell an app built on it?", "revenue_threshold") == "yes"
    assert verdict(key, "We make €2M in annual revenue; commercial use ok?", "revenue_threshold") == "no"
    assert verdict(key, "Our revenue is $150k per month; commercial ok?", "revenue_threshold") == "no"  # 1.8M a year


def test_a_use_policy_is_open_only_when_the_use_is():
    key = "gemma-tou-2024-04-01"
    assert verdict(key, "Can I use Gemma commercially?", "commercial_use") == "conditional"
    assert verdict(key, "Can we use Gemma to write ad copy for our shop?", "commercial_use") == "yes"
    assert (
        verdict(
            key, "Can we use Gemma to automatically reject loan applications without human review?", "acceptable_use"
        )
        == "no"
    )


def test_display_duties_do_not_bind_internal_use():
    key = "llama-3.1-license-2024"
    assert verdict(key, "Do we have to show 'Built with Llama' in our public app?", "attribution") == "yes"
    assert (
        verdict(key, "Do we have to show 'Built with Llama' for a tool only our staff use internally?", "attribution")
        == "no"
    )


def test_copyleft_and_relicensing():
    assert (
        verdict("gpl-3.0", "Can I ship a modified GPL-3.0 engine inside my closed-source app?", "derivatives") == "no"
    )
    assert (
        verdict("cc-by-sa-4.0", "If I adapt it and publish it, can I choose any license I want?", "derivatives") == "no"
    )
    assert verdict("mit", "Can I redistribute MIT weights under my own license?", "redistribution") == "yes"


def test_every_license_answers_every_act():
    """Every curated license's terms give a verdict for each act of the vocabulary (or say not addressed)."""
    for key, facts in load_facts().items():
        if not facts.terms:
            continue
        for act in ACTS:
            s = read_situation("")
            s.acts = [act]
            j = judge(key, s, "commercial_use")
            assert j.verdict in ("yes", "no", "conditional", "not_addressed"), (key, act)


@pytest.mark.parametrize(
    "question, expected",
    [
        # "does it forbid ...?" is answered as asked: no when it is allowed, yes when it is not
        ("Does the Apache 2.0 license forbid us from selling a fine-tuned model?", "no"),
        ("Does CC-BY-NC-4.0 prohibit a company from selling access to the model?", "yes"),
        ("Would the Llama 3.1 license stop a platform with 900 million monthly active users?", "yes"),
    ],
)
def test_a_question_whether_it_forbids_is_answered_literally(question, expected):
    s = read_situation(question)
    assert s.kind == "restriction"
    key = {"Apache": "apache-2.0", "CC-BY": "cc-by-nc-4.0", "Llama": "llama-3.1-license-2024"}
    lic = next(v for k, v in key.items() if k in question)
    assert judge(lic, s, "commercial_use").verdict == expected


def test_a_literal_no_is_not_worded_as_a_refusal():
    from assistant import ask

    a = ask("We patched a GPL-3.0 inference server and only offer it as a web service. Must we publish the patch?")
    assert a.verdict == "no"
    assert "Not allowed" not in a.text


def test_a_question_about_the_name_of_an_internal_model_is_not_made_conditional_by_other_terms():
    q = "Our Llama 3.3 fine-tune stays on our own servers and nobody outside sees it. May we name it 'DeskPal'?"
    assert verdict("llama-3.3-license-2024", q, "naming") == "yes"
    published = "We publish our Llama 3.3 fine-tune on Hugging Face. May we name it 'DeskPal'?"
    assert verdict("llama-3.3-license-2024", published, "naming") == "no"


def test_who_owns_the_outputs_is_not_answered_from_who_owns_derivatives():
    # Llama 3.1 says who owns derivatives (5.b), nothing about generated text
    q = "If Llama 3.1 generates the marketing copy for our site, who owns that copy?"
    assert verdict("llama-3.1-license-2024", q, "output_use") == "not_addressed"


def test_suing_the_licensor_ends_the_license_when_the_terms_say_so():
    q = "If we sue Alibaba claiming Qwen2.5-72B infringes our patent, do we keep our Qwen License?"
    assert verdict("qwen-2024", q, "other") == "no"


def test_a_duty_above_a_size_is_no_need_for_permission():
    q = "Our app will pass 150M monthly active users. Do we need Moonshot's permission to keep using Kimi K2?"
    assert verdict("moonshot-ai-modified-mit-2025", q, "user_threshold") == "no"
