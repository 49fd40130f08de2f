"""Resolving license and model mentions: aliases, versions, HF ids, typos, base-model chains, unknown names."""

from __future__ import annotations

import textwrap

import pytest

from assistant.catalog import load_catalog
from assistant.resolve import resolve


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


# ------------------------------------------------------------------------------------ the project's catalog


@pytest.mark.parametrize(
    ("text", "licenses"),
    [
        ("llama3.1", ["llama-3.1-license-2024"]),
        ("Can I use Llama 3.1 commercially?", ["llama-3.1-license-2024"]),
        ("Llama-3.1-8B-Instruct", ["llama-3.1-license-2024"]),
        ("meta-llama/Llama-3.3-70B-Instruct", ["llama-3.3-license-2024"]),
        ("gemma 2", ["gemma-tou-2024-04-01"]),
        ("Gemma 3 27B", ["gemma-tou-2025-03-24"]),
        ("Qwen2.5-72B", ["qwen-2024"]),
        ("Qwen/Qwen2.5-72B-Instruct", ["qwen-2024"]),
        ("Qwen2.5-7B", ["apache-2.0"]),
        ("qwen2.5 7b instruct", ["apache-2.0"]),
        ("DeepSeek-R1", ["mit"]),
        ("SDXL", ["bigscience-open-rail-m2"]),
        ("Mistral 7B", ["apache-2.0"]),
        ("the Apache license", ["apache-2.0"]),
        ("CC BY-NC", ["cc-by-nc-4.0"]),
        ("OpenRAIL-M", ["bigscience-open-rail-m"]),
        ("FLUX.1 [dev]", ["flux-1-nc"]),
        ("Apache 2.0 vs MIT", ["apache-2.0", "mit"]),
        ("Is the MIT license ok for Phi-4?", ["mit"]),
    ],
)
def test_names_aliases_versions_and_hf_ids(catalog, text, licenses):
    r = resolve(text, catalog)
    assert r.licenses == licenses
    assert not r.unknown


def test_models_are_named_and_chained_to_their_license(catalog):
    r = resolve("Can I use Qwen2.5-72B or Mistral 7B?", catalog)
    assert r.models == ["Qwen2.5-72B", "Mistral 7B"]
    assert r.licenses == ["qwen-2024", "apache-2.0"]
    assert any("Qwen2.5-72B" in c and "qwen-2024" in c for c in r.chains)


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        ("Llama 3.1", "llama-3.1-license-2024", {"llama-3.2-license-2024", "llama-3.3-license-2024"}),
        ("Llama 3.2 vision", "llama-3.2-license-2024", {"llama-3.1-license-2024"}),
        ("Llama 2", "llama-2-license-2023", {"llama-3.1-license-2024"}),
    ],
)
def test_version_specificity(catalog, text, expected, not_expected):
    r = resolve(text, catalog)
    assert expected in r.licenses and not (set(r.licenses) & not_expected)
    assert "Meta Llama 3" not in r.models


def test_llama_3_is_its_own_model_without_a_licensedb_text(catalog):
    r = resolve("Is Llama 3 ok for my app?", catalog)
    assert r.models == ["Meta Llama 3"] and r.licenses == []
    assert r.notes  # says why there is no license text


@pytest.mark.parametrize(
    ("typo", "model"),
    [("lama 3.1", "Llama 3.1"), ("llamma 3.3", "Llama 3.3"), ("Gemmma 2", "Gemma 2"), ("mistal 7b", "Mistral 7B")],
)
def test_typos_resolve_with_a_note(catalog, typo, model):
    r = resolve(f"can i use {typo} commercially", catalog)
    assert r.models == [model]
    assert any(typo in n for n in r.notes)


def test_derivative_carries_its_base_model_terms(catalog):
    r = resolve("Can I use DeepSeek-R1-Distill-Llama-8B in production?", catalog)
    assert set(r.licenses) == {"mit", "llama-3.1-license-2024"}
    assert any(
        "DeepSeek-R1-Distill-Llama-8B" in c and "base" in c and c.endswith("llama-3.1-license-2024") for c in r.chains
    )


def test_pasted_model_card_inherits_base_model_terms(catalog):
    card = textwrap.dedent(
        """\
        ---
        base_model:
        - meta-llama/Llama-3.1-8B
        tags: [text-generation, fine-tuned]
        ---
        # acme-chat
        A fine-tune for customer support.
        """
    )
    r = resolve(card, catalog)
    assert r.licenses == ["llama-3.1-license-2024"]
    assert any("base_model" in c and "llama-3.1-license-2024" in c for c in r.chains)


def test_model_card_license_field(catalog):
    r = resolve("---\nlicense: apache-2.0\n---\n# acme/tiny-model-v2", catalog)
    assert r.licenses == ["apache-2.0"]


def test_bare_llama_is_ambiguous_and_gets_no_license(catalog):
    r = resolve("Can I use Llama commercially?", catalog)
    assert r.licenses == [] and r.models == []
    assert r.ambiguous and "Llama 3.1" in r.ambiguous[0]


def test_bare_gemma_is_the_gemma_terms_in_force_with_a_note(catalog):
    r = resolve("Can I fine-tune Gemma?", catalog)
    assert r.licenses == ["gemma-tou-2025-03-24"]  # Google publishes one page of terms, the current one
    assert r.ambiguous and "Gemma 4" in r.ambiguous[0]


def test_bare_family_with_one_license_resolves(catalog):
    r = resolve("Can I use Phi commercially?", catalog)
    assert r.licenses == ["mit"] and not r.ambiguous


@pytest.mark.parametrize(
    ("text", "licenses"),
    [
        ("Can I upload my fine-tune of a Stability non-commercial model?", ["stability-ai-nc-2023-12-06"]),
        (
            "Stability Community vs Stability Non-Commercial Research license",
            ["stability-ai-community-2024", "stability-ai-nc-2023-12-06"],
        ),
        ("Under Gemma's prohibited use policy, is spam allowed?", ["gemma-pup-2024-02-21"]),
    ],
)
def test_loosely_written_license_names(catalog, text, licenses):
    assert resolve(text, catalog).licenses == licenses


@pytest.mark.parametrize(
    "text", ["For stability reasons we pin versions.", "Is it open weights?", "Is CC-BY an open data license?"]
)
def test_loose_names_need_distinctive_words(catalog, text):
    r = resolve(text, catalog)
    assert not {
        "stability-ai-community-2024",
        "stability-ai-nc-2023-12-06",
        "open-weights-permissive-1.0.0",
        "o-uda-1.0",
    } & set(r.licenses)


def test_size_less_qwen25_is_noted(catalog):
    r = resolve("Is Qwen2.5 ok?", catalog)
    assert r.models == ["Qwen2.5"]
    assert {"apache-2.0", "qwen-2024"} <= set(r.licenses)
    assert r.ambiguous and "72B" in r.ambiguous[0]


@pytest.mark.parametrize(
    "text",
    [
        "Please submit the form and explain the philosophy behind it.",
        "My admit letter says the summit is in Yiwu.",
        "A bloom filter is a data structure; the falcon flew over the granite.",
        "I'm an expat; the gamma distribution has a mistrial.",
        "Can I use this for my startup if we have 900M users?",
        "See section 3.2 of the text, dated May 2024.",
        "Is Python 3 ok with Windows 11?",
    ],
)
def test_no_false_positives_on_english(catalog, text):
    r = resolve(text, catalog)
    assert (r.licenses, r.models, r.unknown, r.ambiguous) == ([], [], [], [])


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Can I use Llama 5 commercially?", "Llama 5"),
        ("Is Foo-7B allowed for my SaaS?", "Foo-7B"),
        ("What about acme/SuperModel-13B?", "acme/SuperModel-13B"),
        ("Is the Zorblax License permissive?", "Zorblax License"),
    ],
)
def test_unknown_mentions_are_reported(catalog, text, mention):
    r = resolve(text, catalog)
    assert mention in r.unknown
    assert r.licenses == []


def test_unknown_mentions_get_close_suggestions(catalog):
    r = resolve("Can I use Llama 5?", catalog)
    assert r.suggestions["Llama 5"] and all("Llama" in s for s in r.suggestions["Llama 5"])


def test_messy_input(catalog):
    assert resolve("", catalog).licenses == []
    assert resolve("   ", catalog).models == []
    r = resolve("LLAMA3.1!!!   vs.... gemma-2???", catalog)
    assert r.licenses == ["llama-3.1-license-2024", "gemma-tou-2024-04-01"]
    long = "We are a company with a long history. " * 300 + "Can we use Mistral 7B?"
    assert resolve(long, catalog).models == ["Mistral 7B"]


# ------------------------------------------------------------------------------------ a catalog of our own


MINI_LICENSES = """\
licenses:
  - {key: apache-2.0, name: Apache License 2.0, family: Apache, kind: open-source, url: "https://a.example",
     aliases: [apache]}
  - {key: mit, name: MIT License, family: MIT, kind: open-source, url: "https://m.example"}
  - {key: qwen-2024, name: Qwen License Agreement, family: Qwen, kind: model, url: "https://q.example"}
"""
MINI_MODELS = """\
models:
  - name: Zeta
    developer: Acme
    licenses: [apache-2.0, qwen-2024]
    variants:
      - {name: Zeta-Big, aliases: [zeta 99b], licenses: [qwen-2024]}
      - {name: Zeta-Small, aliases: [zeta 1b], licenses: [apache-2.0]}
    released: &rel {weights: yes, inference_code: unknown, training_code: unknown, training_data: no,
                    data_documentation: unknown, paper: unknown, intermediate_checkpoints: unknown}
    url: https://z.example
    source: https://z.example
    checked: 2026-12-02
  - name: Acme-Zeta-Chat
    developer: Someone
    licenses: [mit]
    base_models: [acme/Zeta-Big]
    released: *rel
    aliases: [someone/acme-zeta-chat]
    url: https://zc.example
    source: https://zc.example
    checked: 2026-12-02
"""


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    (d / "licenses.yaml").write_text(MINI_LICENSES)
    (d / "models.yaml").write_text(MINI_MODELS.replace("base_models: [acme/Zeta-Big]", "base_models: [Zeta-Big]"))
    (d / "definitions").mkdir()
    return load_catalog(d)


def test_variant_less_mention_lists_the_sizes(mini):
    r = resolve("Can I use Zeta?", mini)
    assert r.models == ["Zeta"] and set(r.licenses) == {"apache-2.0", "qwen-2024"}
    assert "Zeta-Big" in r.ambiguous[0] and "Zeta-Small" in r.ambiguous[0]


def test_variant_by_alias(mini):
    assert resolve("zeta 99b in my product", mini).licenses == ["qwen-2024"]
    assert resolve("Zeta 1B", mini).licenses == ["apache-2.0"]


def test_derivative_chain_through_catalog(mini):
    r = resolve("someone/acme-zeta-chat", mini)
    assert r.models == ["Acme-Zeta-Chat"]
    assert r.licenses == ["mit", "qwen-2024"]
    assert "Acme-Zeta-Chat -> base Zeta-Big -> qwen-2024" in r.chains


def test_results_follow_the_catalog_passed_in(mini, catalog):
    assert resolve("Mistral 7B", mini).models == []
    assert resolve("Mistral 7B", catalog).models == ["Mistral 7B"]


@pytest.mark.parametrize(
    ("text", "external"),
    [
        ("Does the Yi Series Models Community License let a startup sell an app?", "yi-community-2.1"),
        ("under the mistral ai research license, may I benchmark it?", "mistral-mrl-0.1"),
    ],
)
def test_a_license_the_licensedb_lacks_is_named_by_its_own_name(catalog, text, external):
    r = resolve(text, catalog)
    assert external in r.external and not r.licenses
