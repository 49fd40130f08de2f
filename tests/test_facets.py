"""Which aspect of a license a question is about, from everyday phrasing."""

from __future__ import annotations

import pytest

from assistant.facets import FACETS, detect_facets
from assistant.figures import extract_figures


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Can I use Llama 3.1 in my SaaS?", "commercial_use"),
        ("Can I sell images made with SDXL?", "output_use"),  # selling outputs is an output question
        ("Can I sell an app built on Mistral 7B?", "commercial_use"),
        ("can I use it for my startup", "commercial_use"),
        ("Can we monetize an app built on Mistral 7B?", "commercial_use"),
        ("Can I train my own model on its outputs?", "output_use"),
        ("Can I distill DeepSeek-R1 into a small model?", "derivatives"),  # the distilled model is a derivative
        ("Can I use DeepSeek-R1 outputs to distill my own model?", "output_use"),
        ("can I generate synthetic data with Llama 3.1", "output_use"),
        ("Who owns the images the model generates?", "output_use"),
        ("Can I fine-tune Mistral 7B?", "derivatives"),
        ("Is it ok to merge two Llama models?", "derivatives"),
        ("May I quantize Qwen2.5-72B to GGUF?", "derivatives"),
        ("Can I ship it in my app?", "redistribution"),
        ("Can I host it as an API for others?", "redistribution"),
        ("can I put it on HF after changing it", "redistribution"),
        ("Can I redistribute the weights?", "redistribution"),
        ("Do I need to credit Meta?", "attribution"),
        ("Do I have to show Built with Llama?", "attribution"),
        ("Can I call my model FooChat?", "naming"),
        ("Can I use Gemma for military applications?", "acceptable_use"),
        ("Can I use Llama for surveillance?", "acceptable_use"),
        ("What does the acceptable use policy forbid?", "acceptable_use"),
        ("Can I use Command R non-commercially only?", "field_of_use"),
        ("Is Command R research only?", "field_of_use"),
        ("Can I use Llama 3.2 vision in the EU?", "territory"),
        ("Is Hunyuan usable in Europe?", "territory"),
        ("Can I use it in China?", "territory"),
        ("Can someone in a sanctioned country download FLUX.1 dev?", "territory"),
        ("Can Meta revoke my license?", "termination"),
        ("Can they terminate it if I break the rules?", "termination"),
        ("Does Apache 2.0 include a patent grant?", "patent"),
        ("Is there a warranty?", "warranty"),
        ("Is Meta liable if the model is wrong?", "warranty"),
        ("Is Llama 3 open source?", "openness_definition"),
        ("Is OLMo OSI compliant?", "openness_definition"),
        ("Does Llama meet OSAID?", "openness_definition"),
        ("What MOF class is Pythia?", "openness_definition"),
        ("Is Mistral 7B open weights?", "openness_definition"),
        ("Does the EU AI Act open source exemption apply to Llama?", "openness_definition"),
        ("Was the training data released?", "data_availability"),
        ("Which law governs the Qwen license?", "other"),
    ],
)
def test_main_facet(text, first):
    facets = detect_facets(text)
    assert facets[0] == first, facets
    assert set(facets) <= set(FACETS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can I use Llama 3.1 commercially with 900M MAU?", ["user_threshold", "commercial_use"]),
        ("We have $3M annual revenue, can we use SD 3.5?", ["revenue_threshold"]),
        ("Can I quantize Qwen2.5-72B and put it on HF?", ["redistribution", "derivatives"]),
        ("Can I monetize a Gemma fine-tune?", ["derivatives", "commercial_use"]),
    ],
)
def test_several_facets_most_relevant_first(text, expected):
    assert detect_facets(text)[: len(expected)] == expected


def test_a_users_figure_implies_the_user_threshold():
    assert "user_threshold" in detect_facets("we will have 1.2 billion people on it")
    assert "revenue_threshold" in detect_facets("we make €2.5m a year")
    # figures given by the caller are used as they are (no second extraction)
    figs = extract_figures("900M MAU")
    assert detect_facets("is that ok?", figs)[0] == "user_threshold"


def test_non_commercial_is_a_field_of_use_question_first():
    assert detect_facets("Is it non-commercial?")[0] == "field_of_use"


@pytest.mark.parametrize("text", ["", "hello", "What is this?", "thanks!"])
def test_default_is_other(text):
    assert detect_facets(text) == ["other"]


def test_messy_phrasing():
    assert detect_facets("CAN I SELL STUFF I MAKE W/ IT??? for my startup!!!")[0] == "commercial_use"
    assert detect_facets("finetuning + lora on llama3.1... allowed???")[0] == "derivatives"
    long = "I have a long story about my company. " * 200 + "Can I fine-tune it?"
    assert detect_facets(long)[0] == "derivatives"
