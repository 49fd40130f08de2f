"""The model catalog's facts as a user meets them: what a release includes, which license a typed name gets."""

from __future__ import annotations

import pytest

from assistant.catalog import RELEASE_FIELDS, load_catalog
from assistant.openness import assess, describe_release
from assistant.resolve import resolve


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _check(assessment, anchor):
    return next(c for c in assessment.checks if c.anchor == anchor)


# ------------------------------------------------------------------------------------------- what was released

#: Open-weights models that published weights but neither training code, training data nor data documentation.
WEIGHTS_NOT_DATA = [
    "Llama 2", "Meta Llama 3", "Llama 3.1", "Llama 3.2", "Llama 3.3", "Llama 4", "Gemma", "Gemma 2", "Gemma 3",
    "Mistral 7B", "Mixtral 8x7B", "Qwen2.5", "Qwen3", "DeepSeek-V3", "DeepSeek-R1", "Phi-3", "Phi-4", "Grok-1",
    "Command R",
]  # fmt: skip


@pytest.mark.parametrize("name", WEIGHTS_NOT_DATA)
def test_open_weights_models_say_no_training_code_or_data_rather_than_unknown(catalog, name):
    released = catalog.model(name).released
    assert released["weights"] == "yes"
    for field in ("training_code", "training_data", "data_documentation"):
        assert released[field] == "no", f"{name}: {field}"
    text = describe_release(name)
    assert "no training code" in text and "no training data" in text


@pytest.mark.parametrize("name", ["Mistral 7B", "Llama 3.1", "Grok-1"])
def test_withheld_training_code_makes_osaid_fail_rather_than_cannot_tell(name):
    a = assess("osaid", [], model=name)
    assert _check(a, "osaid-code").met is False
    assert a.verdict == "no"


@pytest.mark.parametrize("name", ["OLMo", "OLMo 2", "Pythia"])
def test_fully_open_research_models_release_everything_and_meet_osaid(catalog, name):
    assert all(catalog.model(name).released[f] == "yes" for f in RELEASE_FIELDS)
    assert assess("osaid", [], model=name).verdict == "yes"


def test_a_component_nobody_checked_stays_cannot_tell():
    entry = load_catalog().model("BGE")
    assert entry.released["training_code"] == "unknown"
    assert "released.training_code" in entry.unverified
    code = _check(assess("osaid", [], model="BGE"), "osaid-code")
    assert code.met is None and "cannot tell" in code.why.lower()


def test_components_recorded_beyond_the_fact_sheet_are_marked_unverified(catalog):
    # BLOOM's training code, data documentation and paper are only "commonly reported" on the fact sheet
    bloom = catalog.model("BLOOM")
    for field in ("training_code", "data_documentation", "paper"):
        assert bloom.released[field] == "yes" and f"released.{field}" in bloom.unverified
    assert bloom.released["training_data"] == "no"


# --------------------------------------------------------------------------------------------------- licenses


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("Can I use SDXL Turbo commercially?", "stability-ai-nc-2023-12-06"),
        ("Is sd-turbo ok for my SaaS?", "stability-ai-nc-2023-12-06"),
        ("stabilityai/sdxl-turbo license", "stability-ai-nc-2023-12-06"),
        ("Can I use SDXL commercially?", "bigscience-open-rail-m2"),
        ("What license is Kimi K2 Instruct under?", "moonshot-ai-modified-mit-2025"),
        ("Can I fine-tune SD 3.5 Large Turbo?", "stability-ai-community-2024"),
        ("Is Stable Video Diffusion commercial?", "stability-ai-community-2024"),
    ],
)
def test_model_named_in_a_question_brings_its_own_license(question, key):
    assert resolve(question).licenses == [key]


def test_turbo_models_do_not_inherit_the_rail_license_of_their_bases(catalog):
    for name in ("Stable Diffusion XL Turbo", "SD Turbo"):
        entry = catalog.model(name)
        assert entry.licenses == ["stability-ai-nc-2023-12-06"]
        assert entry.base_models == []


def test_stable_video_diffusion_notes_its_non_commercial_first_release(catalog):
    assert "non-commercial" in catalog.model("Stable Video Diffusion").notes


# ---------------------------------------------------------------------------------------------------- aliases


@pytest.mark.parametrize(
    ("typed", "model"),
    [
        ("FLUX.1 [dev]", "FLUX.1 [dev]"),
        ("flux dev", "FLUX.1 [dev]"),
        ("flux1-dev", "FLUX.1 [dev]"),
        ("flux-dev", "FLUX.1 [dev]"),
        ("sdxl turbo", "Stable Diffusion XL Turbo"),
        ("sd3.5 medium", "SD 3.5 Medium"),
        ("stable diffusion 3.5 large", "SD 3.5 Large"),
        ("kimi k2 instruct", "Kimi K2 Instruct"),
        ("deepseek v2 chat", "DeepSeek-V2 236B"),
        ("Llama-4-Scout-17B-16E", "Llama 4 Scout"),
        ("Maverick 17B", "Llama 4 Maverick"),
        ("llama 3 point 2", "Llama 3.2"),
        ("Mistral-7B-Instruct-v0.2", "Mistral 7B"),
        ("gemma-2-9b-it", "Gemma 2 9B"),
        ("svd xt 1.1", "SVD-XT 1.1"),
    ],
)
def test_common_spellings_find_the_model(typed, model):
    assert resolve(f"Can I use {typed} in my product?").models == [model]


def test_everyday_words_are_not_read_as_model_names():
    assert resolve("We are a maverick startup; can we use the scout approach?").models == []
