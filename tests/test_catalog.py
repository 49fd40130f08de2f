"""The knowledge catalog under corpus/: valid keys, unique aliases, model licenses, definition cards, errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from assistant.catalog import RELEASE_FIELDS, CorpusError, load_catalog, normalize_alias
from assistant.config import CORPUS_DIR
from assistant.licensedb import license_keys

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FACTS_DEFINITIONS = Path("/work/shared/facts/definitions.md")

# The AI-model licenses the LicenseDB 32.5 ships that the assistant must always index.
REQUIRED_AI_KEYS = [
    "llama-2-license-2023", "llama-3.1-license-2024", "llama-3.2-license-2024", "llama-3.3-license-2024",
    "llama-4-cla-2025", "llama-4-license-2025", "gemma-tou-2024-04-01", "gemma-tou-2025-03-24",
    "gemma-pup-2024-02-21", "qwen-2024", "tongyi-qianwen-2023", "deepseek-la-1.0", "falcon-2-11b-1.0",
    "nvidia-open-model-2025-04-28", "stability-ai-community-2024", "stability-ai-nc-2023-12-06", "flux-1-nc",
    "bigscience-open-rail-m", "bigscience-rail-1.0", "bigscience-open-rail-m2", "stable-diffusion-2022-08-22",
    "bigcode-open-rail-m-v1", "moonshot-ai-modified-mit-2025", "openmdw-1.0", "open-weights-permissive-1.0.0",
    "exaone-ai-model-1.1-nc", "fair-ai-public-1.0", "hyperclova-x-seed-2025", "tencent-hunyuan-3d-2.0-cla",
    "openatom-model-1.0", "llama-license-2023", "bilibili-model-ula-2025-09-09",
]
# Licenses that models and datasets commonly ship under (0BSD is bsd-zero, Boost is boost-1.0 in ScanCode).
COMMON_KEYS = [
    "apache-2.0", "mit", "bsd-new", "bsd-simplified", "gpl-2.0", "gpl-3.0", "lgpl-2.1", "lgpl-3.0", "agpl-3.0",
    "mpl-2.0", "unlicense", "cc0-1.0", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nc-sa-4.0",
    "cc-by-nc-nd-4.0", "cc-by-nd-4.0", "odc-by-1.0", "odbl-1.0", "pddl-1.0", "cdla-permissive-1.0",
    "cdla-permissive-2.0", "cdla-sharing-1.0", "isc", "boost-1.0", "zlib", "bsd-zero",
]
REQUIRED_MODELS = [
    "Llama 2", "Llama 3", "Llama 3.1", "Llama 3.2", "Llama 3.3", "Llama 4", "Gemma", "Gemma 2", "Gemma 3",
    "Qwen", "Qwen2", "Qwen2.5", "Qwen3", "QwQ", "DeepSeek-V3", "DeepSeek-R1", "DeepSeek-R1-Distill-Llama-8B",
    "DeepSeek LLM", "DeepSeek Coder", "Mistral 7B", "Mixtral", "Falcon-7B", "Falcon-40B", "Falcon-180B",
    "Falcon 2 11B", "SD 1.5", "Stable Diffusion 2", "SDXL", "SD3", "SD 3.5", "FLUX.1 dev", "FLUX.1 schnell",
    "BLOOM", "StarCoder", "StarCoder2", "OLMo", "OLMo 2", "Pythia", "Phi-3", "Phi-4", "gpt-oss-20b", "Grok-1",
    "Command R", "Yi", "Granite 3.0", "all-MiniLM-L6-v2", "BGE", "Hunyuan-Large", "Kimi K2", "Nemotron-4 340B",
    "EXAONE", "HyperCLOVA X SEED",
]
REQUIRED_ANCHORS = {
    "osd": [f"osd-{i}" for i in range(1, 11)],
    "osaid": ["osaid-f-use", "osaid-f-study", "osaid-f-modify", "osaid-f-share", "osaid-data-information",
              "osaid-code", "osaid-parameters", "osaid-copyleft-ok", "osaid-model-def"],
    "mof": ["mof-class-1", "mof-class-2", "mof-class-3", "mof-iii-model-architecture", "mof-iii-params-final",
            "mof-iii-technical-report", "mof-iii-eval-results", "mof-iii-model-card", "mof-iii-data-card",
            "mof-iii-sample-outputs", "mof-ii-training-code", "mof-ii-inference-code", "mof-ii-eval-code",
            "mof-ii-eval-data", "mof-ii-libraries", "mof-i-research-paper", "mof-i-datasets",
            "mof-i-preprocessing-code", "mof-i-params-intermediate", "mof-i-model-metadata", "mof-lic-code",
            "mof-lic-data", "mof-lic-doc"],
    "fsd": ["fsd-0", "fsd-1", "fsd-2", "fsd-3"],
    "eu-ai-act": ["eu-ai-act-2-12", "eu-ai-act-53-1", "eu-ai-act-53-2", "eu-ai-act-54-6", "eu-ai-act-51-2",
                  "eu-ai-act-rec-102", "eu-ai-act-rec-103", "eu-ai-act-rec-104", "eu-ai-act-guidelines-2025"],
    "open-weights": [f"owd-{i}" for i in range(1, 11)],
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, dest)
    return dest


def _raw(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def _dump(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


# ------------------------------------------------------------------------------------------------ licenses


def test_every_catalog_key_exists_in_the_licensedb(catalog):
    known = set(license_keys())
    used = set(catalog.default_keys())
    used |= {e.aup for e in catalog.licenses if e.aup}
    for m in catalog.models:
        used |= set(m.licenses) | {k for v in m.variants for k in v.licenses}
    assert sorted(used - known) == []


def test_default_set_holds_the_required_ai_and_common_licenses(catalog):
    keys = catalog.default_keys()
    assert [k for k in REQUIRED_AI_KEYS + COMMON_KEYS if k not in keys] == []
    assert len(keys) == len(set(keys))


def test_default_keys_keep_file_order(catalog):
    raw_keys = [e["key"] for e in _raw(CORPUS_DIR / "licenses.yaml")["licenses"]]
    assert catalog.default_keys() == raw_keys


def test_no_alias_is_shared_by_two_licenses():
    owners: dict[str, set[str]] = {}
    for e in _raw(CORPUS_DIR / "licenses.yaml")["licenses"]:
        for alias in [e["key"], e["name"], *e.get("aliases", [])]:
            owners.setdefault(normalize_alias(alias), set()).add(e["key"])
    assert {a: o for a, o in owners.items() if len(o) > 1} == {}


def test_no_alias_is_shared_by_two_models():
    owners: dict[str, set[str]] = {}
    files = [CORPUS_DIR / "models.yaml", *sorted((CORPUS_DIR / "models").glob("*.yaml"))]
    for m in [m for f in files for m in _raw(f)["models"]]:
        for alias in [m["name"], *m.get("aliases", [])]:
            owners.setdefault(normalize_alias(alias), set()).add(m["name"])
        for v in m.get("variants", []):
            for alias in [v["name"], *v.get("aliases", [])]:
                owners.setdefault(normalize_alias(alias), set()).add(f"{m['name']}/{v['name']}")
    assert {a: o for a, o in owners.items() if len(o) > 1} == {}


@pytest.mark.parametrize(
    "typed, key",
    [
        ("Llama-3.1 community license", "llama-3.1-license-2024"),
        ("llama3.1", "llama-3.1-license-2024"),
        ("the apache license", "apache-2.0"),
        ("ASL 2.0", "apache-2.0"),
        ("apache2", "apache-2.0"),
        ("MIT license", "mit"),
        ("cc by-nc 4.0", "cc-by-nc-4.0"),
        ("creativeml openrail-m", "stable-diffusion-2022-08-22"),
        ("openrail++", "bigscience-open-rail-m2"),
        ("bigscience-bloom-rail-1.0", "bigscience-rail-1.0"),
        ("gemma", "gemma-tou-2025-03-24"),  # the terms in force today
        ("llama 4 license", "llama-4-cla-2025"),
        ("Llama 4 acceptable use policy", "llama-4-license-2025"),
    ],
)
def test_what_people_type_resolves_to_the_right_license(catalog, typed, key):
    assert catalog.resolve_license(typed).key == key
    assert catalog.alias_index()[normalize_alias(typed)] == key


def test_licenses_point_to_the_acceptable_use_policy_they_incorporate(catalog):
    assert catalog.license("llama-4-cla-2025").aup == "llama-4-license-2025"
    assert catalog.license("llama-4-license-2025").kind == "aup"
    for key in ("gemma-tou-2024-04-01", "gemma-tou-2025-03-24"):
        assert catalog.license(key).aup == "gemma-pup-2024-02-21"


def test_alias_normalisation_folds_case_spaces_dashes_and_underscores():
    assert normalize_alias("  Llama-3.1_Community   License ") == "llama 3.1 community license"


# -------------------------------------------------------------------------------------------------- models


def test_catalog_has_at_least_45_models_and_the_widely_used_ones(catalog):
    assert len(catalog.models) >= 45
    assert [m for m in REQUIRED_MODELS if catalog.model(m) is None] == []


def test_model_lookup_by_hf_id_is_case_insensitive(catalog):
    # the catalog knows sizes: an HF id names the size, whose family is the release
    assert catalog.model("META-LLAMA/llama-3.1-8b-instruct").name == "Llama 3.1 8B"
    assert catalog.model("meta-llama/Llama-3.1-8B").family == "Llama 3.1"
    assert catalog.model("no-such/model") is None


def test_qwen25_sizes_resolve_to_different_licenses(catalog):
    big = catalog.model_licenses("Qwen/Qwen2.5-72B-Instruct")
    mid = catalog.model_licenses("Qwen2.5-7B")
    assert big == ["qwen-2024"]
    assert mid == ["apache-2.0"]
    entry, variant = catalog.resolve_model("qwen2.5-3b")
    assert entry.name == "Qwen2.5-3B" and entry.family == "Qwen2.5" and variant is None
    assert entry.licenses == [] and entry.external_licenses == ["qwen-research-2024"] and "Research" in entry.notes
    assert catalog.model_alias_index()[normalize_alias("Qwen/Qwen2.5-72B")] == ("Qwen2.5-72B", None)


def test_a_derivative_names_its_base_and_carries_both_licenses(catalog):
    distill = catalog.model("deepseek-ai/DeepSeek-R1-Distill-Llama-8B")
    assert distill.base_models
    base = catalog.model(distill.base_models[0])
    assert base is not None and base.name == "Llama 3.1 8B" and base.family == "Llama 3.1"
    assert set(distill.licenses) >= {"mit", *base.licenses}


def test_models_without_a_licensedb_text_say_why(catalog):
    no_text = [m for m in catalog.models if not m.licenses]
    assert {"Meta Llama 3", "Falcon-180B", "Mistral Small 24.09"} <= {m.name for m in no_text}
    # a note, or the external record of the license (corpus/external/), says what the license is
    assert all(m.notes.strip() or m.external_licenses for m in no_text)


def test_release_fields_are_complete_and_unverified_facts_stay_marked(catalog):
    for m in catalog.models:
        assert set(m.released) == set(RELEASE_FIELDS), m.name
    assert catalog.model("Pythia").released["intermediate_checkpoints"] == "yes"
    assert catalog.model("Llama 3.1").released["training_data"] == "no"
    assert "release_date" in catalog.model("Codestral").unverified
    assert "release_date" in catalog.model("Kimi K2").unverified
    assert "licenses" in catalog.model("StarCoder2").unverified


# --------------------------------------------------------------------------------------------- definitions


def test_every_definition_card_has_its_anchors_and_a_canonical_url(catalog):
    assert set(REQUIRED_ANCHORS) <= set(catalog.definitions)
    for card_id, anchors in REQUIRED_ANCHORS.items():
        card = catalog.definition(card_id)
        assert card.url.startswith("https://"), card_id
        assert 3 <= len(re.findall(r"[.!?](\s|$)", card.summary)) <= 6, card_id
        ids = {c.id for c in card.criteria}
        assert [a for a in anchors if a not in ids] == [], card_id


def test_criterion_lookup_accepts_the_fact_sheet_spellings(catalog):
    card, crit = catalog.criterion("MOF-class-III")
    assert (card.id, crit.id) == ("mof", "mof-class-3")
    card, crit = catalog.criterion("EUAIA-53-2")
    assert (card.id, crit.id) == ("eu-ai-act", "eu-ai-act-53-2")
    assert catalog.criterion("osd-11") is None


def test_mof_components_say_what_they_are_and_which_release_field_shows_them(catalog):
    components = [c for c in catalog.definition("mof").criteria if c.mof_class]
    assert len(components) == 17
    assert all(c.content_type in ("code", "data", "document") for c in components)
    maps = {c.id: c.maps_to for c in components}
    assert maps["mof-i-datasets"] == "training_data"
    assert maps["mof-iii-params-final"] == "weights"
    assert maps["mof-i-params-intermediate"] == "intermediate_checkpoints"


def test_unverified_definition_facts_are_marked(catalog):
    assert catalog.criterion("eu-ai-act-guidelines-2025")[1].unverified
    assert catalog.criterion("osaid-data-classes")[1].unverified
    assert {"version", "date"} <= set(catalog.definition("fsd").unverified)
    assert not catalog.criterion("osd-6")[1].unverified


def test_open_weights_card_says_it_is_not_an_osi_standard(catalog):
    assert "not OSI standards" in catalog.definition("open-weights").status


@pytest.mark.skipif(not FACTS_DEFINITIONS.is_file(), reason="the research fact sheet is not available here")
def test_cards_do_not_copy_long_runs_from_the_fact_sheet(catalog):
    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    n = 12
    facts = words(FACTS_DEFINITIONS.read_text(encoding="utf-8"))
    shingles = {tuple(facts[i : i + n]) for i in range(len(facts) - n + 1)}
    copied = []
    for card in catalog.definitions.values():
        for label, text in [("summary", card.summary)] + [(c.id, c.text) for c in card.criteria]:
            w = words(text)
            copied += [(card.id, label) for i in range(len(w) - n + 1) if tuple(w[i : i + n]) in shingles]
    assert copied == []


# ------------------------------------------------------------------------------------------ broken corpora


def test_a_wrong_license_key_names_file_model_field_and_the_likely_key(corpus_copy):
    path = corpus_copy / "models.yaml"
    data = _raw(path)
    entry = next(m for m in data["models"] if m["name"] == "Llama 3.1")
    entry["licenses"] = ["llama-3.1"]
    _dump(path, data)
    with pytest.raises(CorpusError) as err:
        load_catalog(corpus_copy)
    msg = str(err.value)
    assert "models.yaml" in msg and "'Llama 3.1'" in msg and "'licenses.0'" in msg
    assert "llama-3.1-license-2024" in msg


def test_a_colliding_alias_names_both_licenses(corpus_copy):
    path = corpus_copy / "licenses.yaml"
    data = _raw(path)
    mit = next(e for e in data["licenses"] if e["key"] == "mit")
    mit["aliases"].append("Apache 2.0")
    _dump(path, data)
    with pytest.raises(CorpusError) as err:
        load_catalog(corpus_copy)
    msg = str(err.value)
    assert "licenses.yaml" in msg and "'mit'" in msg and "aliases." in msg and "apache-2.0" in msg


def test_a_missing_criterion_text_names_card_and_field(corpus_copy):
    path = corpus_copy / "definitions" / "osd.yaml"
    data = _raw(path)
    del data["criteria"][5]["text"]
    _dump(path, data)
    with pytest.raises(CorpusError) as err:
        load_catalog(corpus_copy)
    msg = str(err.value)
    assert "osd.yaml" in msg and "'osd'" in msg and "'criteria.5.text'" in msg


def test_a_bad_release_value_or_misspelt_field_is_rejected(corpus_copy):
    path = corpus_copy / "models.yaml"
    data = _raw(path)
    data["models"][0]["released"]["weights"] = "maybe"
    _dump(path, data)
    with pytest.raises(CorpusError, match=r"released\.weights"):
        load_catalog(corpus_copy)
    data["models"][0]["released"]["weights"] = "yes"
    data["models"][0]["licence"] = ["mit"]
    _dump(path, data)
    with pytest.raises(CorpusError, match=r"'licence'.*unknown field"):
        load_catalog(corpus_copy)


def test_a_dangling_base_model_is_rejected(corpus_copy):
    path = corpus_copy / "models.yaml"
    data = _raw(path)
    entry = next(m for m in data["models"] if m["name"] == "DeepSeek-R1-Distill-Llama-8B")
    entry["base_models"] = ["Llama 9000"]
    _dump(path, data)
    with pytest.raises(CorpusError, match=r"base_models\.0.*Llama 9000"):
        load_catalog(corpus_copy)


def test_loading_is_cached_per_directory(corpus_copy):
    assert load_catalog() is load_catalog(CORPUS_DIR)
    assert load_catalog(corpus_copy) is not load_catalog()
