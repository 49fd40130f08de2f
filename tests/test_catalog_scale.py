"""The catalog at scale: 400+ models with sources, external license records, and names as people type them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.catalog import CorpusError, load_catalog
from assistant.config import CORPUS_DIR
from assistant.licensedb import license_keys
from assistant.resolve import norm_key, resolve

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _files() -> list[Path]:
    return [CORPUS_DIR / "models.yaml", *sorted((CORPUS_DIR / "models").glob("*.yaml"))]


def test_at_least_400_models(catalog):
    assert len(catalog.models) >= 400


def test_every_record_has_a_source_and_a_checked_date(catalog):
    for m in catalog.models:
        assert m.source.startswith("http") and m.checked, m.name
    assert sum(m.verified for m in catalog.models) >= 50


def test_no_alias_belongs_to_two_models_even_as_resolution_reads_it():
    owners: dict[tuple[str, ...], set[str]] = {}
    for f in _files():
        for m in yaml.load(f.read_text(encoding="utf-8"), Loader=_LOADER)["models"]:
            names = [m["name"], *m.get("aliases", [])]
            for a in names + [a.split("/", 1)[1] for a in names if "/" in a]:
                owners.setdefault(norm_key(a), set()).add(m["name"])
    assert {a: o for a, o in owners.items() if len(o) > 1} == {}


def test_every_license_key_is_in_the_licensedb_and_every_external_id_exists(catalog):
    keys = set(license_keys())
    for m in catalog.models:
        assert set(m.licenses) <= keys, m.name
        assert all(catalog.external_license(x) for x in m.external_licenses), m.name
        if m.family:
            assert catalog.model(m.family) is not None and catalog.model(m.family).family is None


REQUIRED_EXTERNAL = [
    "meta-llama-3-2024-04-18", "llama-3.1-aup", "llama-3.2-aup", "llama-3.3-aup", "mistral-mrl-0.1",
    "mistral-mnpl-0.1", "qwen-research-2024", "tii-falcon-180b-1.0", "yi-community-2.1", "jamba-open-model-1.0",
    "tencent-hunyuan-community", "gemma-tou-2024-02-21", "nvidia-open-model-2024-06", "cohere-c4ai-aup",
    "tii-falcon-llm-2.0",
]  # fmt: skip


def test_external_records_cover_the_licenses_the_licensedb_lacks(catalog):
    assert [x for x in REQUIRED_EXTERNAL if x not in catalog.external] == []
    for e in catalog.external.values():
        assert e.id not in license_keys()
        assert e.terms and all(t.sections and t.summary for t in e.terms), e.id
    eu = [t for t in catalog.external["llama-3.2-aup"].terms if t.type == "territory"]
    assert eu and eu[0].regions == ["eu"]
    assert catalog.external_license("mrl").id == "mistral-mrl-0.1"  # the HF license_name


def test_a_bad_external_term_names_file_and_field(tmp_path):
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, dest)
    path = dest / "external" / "mistral-mrl-0.1.yaml"
    data = yaml.safe_load(path.read_text())
    data["terms"][0]["type"] = "grnt"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CorpusError, match=r"mistral-mrl-0\.1\.yaml.*terms\.0\.type"):
        load_catalog(dest)


def test_an_unknown_external_id_is_rejected(tmp_path):
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, dest)
    path = dest / "models" / "mistral.yaml"
    path.write_text(
        path.read_text().replace("external_licenses: [mistral-mrl-0.1]", "external_licenses: [mistral-mrl-9]", 1)
    )
    with pytest.raises(CorpusError, match=r"external_licenses\.0.*mistral-mrl-9.*did you mean"):
        load_catalog(dest)


# ------------------------------------------------------------------------------------------ names as typed


def _set(r) -> set[str]:
    return set(r.licenses) | set(r.external)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mixtral 8x22B", {"apache-2.0"}),
        ("Qwen2.5-3B", {"qwen-research-2024"}),
        ("Qwen2.5 7B", {"apache-2.0"}),
        ("Qwen/Qwen2.5-72B-Instruct", {"qwen-2024"}),
        ("qwen 2 5 72b", {"qwen-2024"}),
        ("can I use gema 2 commercially", {"gemma-tou-2024-04-01"}),
        ("is mistrall 7b ok for my app", {"apache-2.0"}),
        ("lama 3.1 70b", {"llama-3.1-license-2024", "llama-3.1-aup"}),
        ("TheBloke/Llama-2-13B-chat-GGUF", {"llama-2-license-2023", "llama-2-aup"}),
        ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", {"llama-3.1-license-2024", "llama-3.1-aup"}),
        ("mlx-community/Qwen2.5-7B-Instruct-4bit", {"apache-2.0"}),
        ("unsloth/llama-3-8b-bnb-4bit", {"meta-llama-3-2024-04-18"}),
        ("Meta-Llama-3-8B-Instruct.Q4_K_M.gguf", {"meta-llama-3-2024-04-18"}),
        ("TheBloke/Mistral-7B-Instruct-v0.2-AWQ", {"apache-2.0"}),
        ("Mistral Small 2409", {"mistral-mrl-0.1"}),
        ("Mistral Small 3.1", {"apache-2.0"}),
        ("Codestral 22B", {"mistral-mnpl-0.1"}),
        ("Ministral 8B", {"mistral-mrl-0.1"}),
        ("Falcon 180B", {"tii-falcon-180b-1.0"}),
        ("Falcon3-7B-Instruct", {"tii-falcon-llm-2.0"}),
        ("internlm2_5-7b-chat", {"apache-2.0", "internlm-model-license"}),
        ("DeepSeek-R1-Distill-Qwen-7B", {"mit", "apache-2.0"}),
        ("DeepSeek-R1-Distill-Llama-70B", {"mit", "llama-3.3-license-2024", "llama-3.3-aup"}),
        ("Code Llama 34B", {"llama-2-license-2023", "llama-2-aup"}),
        ("Llama Guard 3 8B", {"llama-3.1-license-2024", "llama-3.1-aup"}),
        ("Whisper large-v3", {"mit"}),
        ("MusicGen medium", {"cc-by-nc-4.0", "mit"}),
        ("Jamba 1.5 Mini", {"jamba-open-model-1.0"}),
        ("Command R+", {"cc-by-nc-4.0", "cohere-c4ai-aup"}),
        ("Phi-3.5 mini", {"mit"}),
    ],
)
def test_names_as_people_type_them(text, expected):
    assert _set(resolve(f"What license is {text} under?")) == expected


def test_mixtral_8x22b_is_not_8x7b():
    assert resolve("Mixtral 8x22B").models == ["Mixtral 8x22B"]
    assert resolve("mistralai/Mixtral-8x22B-Instruct-v0.1").models == ["Mixtral 8x22B"]
    assert resolve("Mixtral 8x7B").models == ["Mixtral 8x7B"]


def test_qwen25_sizes_differ():
    assert resolve("Qwen2.5-3B").external == ["qwen-research-2024"] and resolve("Qwen2.5-3B").licenses == []
    assert resolve("Qwen2.5-7B").licenses == ["apache-2.0"]
    assert resolve("Qwen2.5-72B").licenses == ["qwen-2024"]


@pytest.mark.parametrize(
    ("text", "size"), [("Mistral Small", "24.09"), ("Qwen2.5", "72B"), ("Llama Guard", "Llama Guard 2 8B")]
)
def test_ambiguous_names_say_which_versions_differ(text, size):
    r = resolve(f"Can I use {text} commercially?")
    assert r.ambiguous and size in r.ambiguous[0]


def test_quantized_copies_say_they_inherit():
    r = resolve("TheBloke/Llama-2-13B-chat-GGUF")
    assert r.models == ["Llama 2 13B"] and any("quantized or converted copy" in n for n in r.notes)


def test_a_fine_tune_card_naming_a_base_inherits_its_license():
    card = "---\nbase_model: mistralai/Ministral-8B-Instruct-2410\n---\n# acme/ministral-support-bot"
    assert _set(resolve(card)) == {"mistral-mrl-0.1"}


def test_license_facts_per_size(catalog):
    facts = catalog.license_facts("Qwen2.5")
    by = {f["model"]: f for f in facts}
    assert by["Qwen2.5-72B"]["licenses"] == ["qwen-2024"] and by["Qwen2.5-3B"]["external_licenses"] == [
        "qwen-research-2024"
    ]
    one = catalog.license_facts("TheBloke/Llama-2-13B-chat-GGUF")
    assert [f["model"] for f in one] == ["Llama 2 13B"] and one[0]["license_names"] == ["Llama 2 Community License"]
    f = catalog.license_facts("Ministral 8B")[0]
    assert f["verified"] and f["card"].startswith("https://") and f["checked"] == "2026-12-02"
    assert catalog.license_facts("no such model at all") == []
