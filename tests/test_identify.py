"""Identifying the license of a pasted LICENSE file, a model card or a model id."""

from __future__ import annotations

import importlib
import json
import threading
from pathlib import Path

import pytest
import yaml

from assistant.config import CORPUS_DIR, Settings
from assistant.identify import identify, load_hf_licenses, load_models, warm_up
from assistant.licensedb import license_keys, load_license

# the module itself: `assistant.identify` as an attribute of the package is the exported function
ident = importlib.import_module("assistant.identify")

# Texts that need ScanCode's license index: loading it takes several seconds once per test session.
slow = pytest.mark.slow

RESTRICTION = "You may not use the Work or any Derivative Works for military purposes or to build weapons."
PROSE = (
    "# Support assistant\n\nThis model answers customer questions about our products. It was fine-tuned on "
    "public and synthetic dialogues. Evaluate it on your own data before relying on it.\n"
)


def card(meta: dict, body: str = PROSE) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n" + body


@pytest.fixture(scope="module")
def index():
    warm_up()


@pytest.fixture(scope="module")
def catalog():
    models = load_models()
    if not models:
        pytest.skip("corpus/models.yaml is not available")
    return models


# --- the Hugging Face identifier table ---------------------------------------------------------------------------


def test_every_mapped_key_is_in_the_licensedb():
    raw = yaml.safe_load((CORPUS_DIR / "hf_licenses.yaml").read_text(encoding="utf-8"))
    known = set(license_keys())
    for section in ("identifiers", "license_names"):
        for name, entry in raw[section].items():
            keys = list(entry.get("keys") or [])
            for ks in (entry.get("by_link") or {}).values():
                keys += ks
            assert set(keys) <= known, f"{section}.{name}: {sorted(set(keys) - known)} not in the LicenseDB"
            assert keys or entry.get("note"), f"{section}.{name} maps to no text and says nothing about why"


def test_common_model_identifiers_are_mapped():
    table = load_hf_licenses()
    for hf_id in ("apache-2.0", "mit", "llama2", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma",
                  "openrail++", "creativeml-openrail-m", "bigscience-openrail-m", "bigscience-bloom-rail-1.0",
                  "bigcode-openrail-m", "cc-by-4.0", "cc-by-nc-4.0", "cc-by-sa-4.0", "cc-by-nc-sa-4.0",
                  "cc-by-nc-nd-4.0", "cc0-1.0", "gpl-3.0", "agpl-3.0", "bsd-3-clause", "deepseek"):
        assert table.identifiers[hf_id].keys, hf_id
    for name in ("qwen", "tongyi-qianwen", "flux-1-dev-non-commercial-license", "stabilityai-ai-community",
                 "nvidia-open-model-license", "deepseek-license"):
        assert table.license_names[name].keys, name


def test_external_ids_name_corpus_external_records():
    # a license the LicenseDB lacks is named by the corpus/external record that summarises it, both ways round
    from assistant.catalog import load_catalog

    external = load_catalog().external
    table = load_hf_licenses()
    for section in (table.identifiers, table.license_names):
        for ident, entry in section.items():
            assert set(entry.external) <= set(external), f"{ident}: {sorted(set(entry.external) - set(external))}"
    for rec in external.values():
        for hf_id in rec.hf_ids:
            entry = table.license_names.get(hf_id) or table.identifiers.get(hf_id)
            mapped = entry is not None and rec.id in entry.external
            assert mapped, f"{rec.id}: license_name {hf_id!r} is not mapped to it"


@pytest.mark.parametrize(
    ("name", "record"),
    [("mnpl", "mistral-mnpl-0.1"), ("mrl", "mistral-mrl-0.1"), ("qwen-research", "qwen-research-2024"),
     ("llama3", "meta-llama-3-2024-04-18"), ("falcon-180b-license", "tii-falcon-180b-1.0"),
     ("yi-license", "yi-community-2.1")],
)
def test_card_with_a_license_name_outside_the_licensedb_cites_its_record(name, record):
    result = identify(card({"license": "other", "license_name": name}))
    assert result.license_keys == []
    assert any(f"ext:{record}" in n for n in result.notes), result.notes


def test_bare_hugging_face_identifier():
    # a one-line identifier needs no text matching
    result = identify("cc-by-nc-4.0")
    assert result.license_keys == ["cc-by-nc-4.0"]
    assert "cc-by-nc-4.0" in result.findings[0].evidence[0]


# --- full license texts --------------------------------------------------------------------------------------------


@slow
@pytest.mark.parametrize(
    "key", ["llama-3.1-license-2024", "gemma-tou-2024-04-01", "apache-2.0", "mit", "cc-by-nc-4.0"]
)
def test_full_license_text_is_identified(index, key):
    result = identify(load_license(key).text)
    assert result.license_keys == [key]
    f = result.findings[0]
    assert (f.source, f.confidence, f.modified) == ("full_text", "high", False)
    assert f.score >= 99
    assert load_license(key).name in result.summary()


@slow
def test_appended_use_restriction_is_reported_as_modified(index):
    result = identify(load_license("apache-2.0").text + "\n\nAdditional restriction. " + RESTRICTION + "\n")
    f = next(f for f in result.findings if f.license_key == "apache-2.0")
    assert f.modified and f.confidence != "high"
    assert any("at the end" in d and "military purposes" in d for d in f.differences)
    assert "modified" in result.summary().lower()


@slow
def test_inserted_sentence_is_reported_where_it_is(index):
    text = load_license("apache-2.0").text
    anchor = "You may add Your own copyright statement"
    changed = text.replace(anchor, RESTRICTION + " " + anchor, 1)
    line = changed[: changed.index(RESTRICTION)].count("\n") + 1
    f = identify(changed).findings[0]
    assert f.license_key == "apache-2.0" and f.modified
    assert any(f"line {line}" in d and "military" in d for d in f.differences)


@slow
def test_removed_section_is_reported_as_missing(index):
    text = load_license("apache-2.0").text
    start, end = text.index("6. Trademarks."), text.index("7. Disclaimer of Warranty.")
    f = identify(text[:start] + text[end:]).findings[0]
    assert f.license_key == "apache-2.0" and f.modified
    assert any(d.startswith("missing text") and "trademarks" in d for d in f.differences)


@slow
def test_license_notice_with_an_added_restriction_is_modified(index):
    notice = (
        'Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in '
        "compliance with the License. You may obtain a copy of the License at "
        "http://www.apache.org/licenses/LICENSE-2.0\n\nUnless required by applicable law or agreed to in writing, "
        'software distributed under the License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR '
        "CONDITIONS OF ANY KIND, either express or implied. See the License for the specific language governing "
        "permissions and limitations under the License.\n"
    )
    plain = identify(notice).findings[0]
    assert plain.license_key == "apache-2.0" and not plain.modified
    changed = identify(notice + "\n" + RESTRICTION + "\n").findings[0]
    assert changed.license_key == "apache-2.0" and changed.modified
    assert any("military" in d for d in changed.differences)


@slow
def test_filled_in_copyright_notice_is_not_a_modification(index):
    text = "Copyright (c) 2025 Example Widgets Ltd.\n\n" + load_license("mit").text
    f = identify(text).findings[0]
    assert f.license_key == "mit" and not f.modified


@slow
def test_notice_naming_another_version_is_not_taken_for_it(index):
    # ScanCode finds this line close to its Llama 2 notice rule; the version numbers say it is not Llama 2
    text = "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc.\n"
    result = identify(text)
    assert "llama-2-license-2023" not in result.license_keys
    assert any("version 3.1" in n for n in result.notes)


@slow
def test_text_that_is_no_license(index):
    text = "Tomorrow we will walk to the lake, have lunch by the water and be back before dark.\n" * 20
    result = identify(text)
    assert result.findings == [] and result.license_keys == []
    assert "no license was recognised" in result.summary().lower()


# --- model cards ---------------------------------------------------------------------------------------------------


@slow
def test_card_with_llama31_license(index):
    result = identify(card({"license": "llama3.1", "language": ["en"]}))
    f = result.findings[0]
    assert result.license_keys == ["llama-3.1-license-2024"]
    assert f.source == "front_matter" and "license: llama3.1" in f.evidence


@slow
def test_card_with_other_and_license_name(index):
    meta = {"license": "other", "license_name": "qwen",
            "license_link": "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE"}
    result = identify(card(meta))
    assert result.license_keys == ["qwen-2024"]
    assert result.findings[0].source == "license_name"


def test_card_with_unmapped_license_name_says_so():
    result = identify(card({"license": "other", "license_name": "acme-model-license-v7"}, body=""))
    assert result.findings == []
    assert any("acme-model-license-v7" in n for n in result.notes)


@slow
def test_card_with_base_model_reports_the_base_license(index, catalog):
    base = next(m for m in catalog if m.licenses and "apache-2.0" not in m.licenses
                and all(k in license_keys() for k in m.licenses) and any("/" in a for a in m.aliases))
    base_id = next(a for a in base.aliases if "/" in a)
    result = identify(card({"license": "apache-2.0", "base_model": base_id}))
    assert result.base_models == [base_id]
    inherited = [f for f in result.findings if f.source == "model_id"]
    assert {f.license_key for f in inherited} == set(base.licenses)
    assert "apache-2.0" in result.license_keys
    assert any(n.startswith("Derived from " + base_id) for n in result.notes)


@slow
def test_card_whose_metadata_and_text_disagree(index):
    text = card({"license": "apache-2.0"}, body=load_license("llama-3.1-license-2024").text)
    result = identify(text)
    assert set(result.license_keys) == {"apache-2.0", "llama-3.1-license-2024"}
    assert any("disagree" in n for n in result.notes)
    # line numbers count from the top of what the user pasted, front matter included
    first_body_line = text.split("\n").index("---", 1) + 2
    llama = next(f for f in result.findings if f.license_key == "llama-3.1-license-2024")
    assert llama.evidence[0].startswith(f"lines {first_body_line}-")


# --- model ids -----------------------------------------------------------------------------------------------------


def test_model_id_from_the_catalog(catalog):
    checked = 0
    for entry in catalog:
        ids = [a for a in entry.aliases if "/" in a]
        keys = [k for k in entry.licenses if k in license_keys()]
        if not ids or not keys:
            continue
        result = identify(ids[0])
        assert result.license_keys == keys, ids[0]
        assert all(f.source == "model_id" for f in result.findings)
        assert result.models == [entry.name]
        checked += 1
    assert checked >= 3


def test_hugging_face_url_and_quantized_repo_name(catalog):
    entry = next(m for m in catalog if m.licenses and any("/" in a for a in m.aliases)
                 and all(k in license_keys() for k in m.licenses))
    repo = next(a for a in entry.aliases if "/" in a)
    assert identify(f"https://huggingface.co/{repo}").license_keys == list(entry.licenses)
    # a repackaged copy named after the model ("...-GGUF") resolves to it, with lower confidence
    found = identify(repo + "-GGUF")
    assert found.license_keys == list(entry.licenses)
    assert all(f.confidence == "medium" for f in found.findings)


def test_variant_without_a_licensedb_text_does_not_take_the_family_license(catalog):
    variants = [m for m in catalog if m.parent and not m.licenses and m.aliases
                and any(p.name == m.parent and p.licenses for p in catalog)]
    if not variants:
        pytest.skip("the catalog has no variant whose license lacks a LicenseDB text")
    for v in variants:
        result = identify(v.aliases[0])
        assert result.findings == [], v.name
        assert result.models == [v.name]
        assert any(v.name in n for n in result.notes)


def test_unknown_model_id():
    result = identify("nobody-real/not-a-model-xyz-7b", models=[])
    assert result.findings == []
    assert any("not in the model catalog" in n for n in result.notes)


# --- input checks --------------------------------------------------------------------------------------------------


def test_input_over_the_size_cap_is_refused():
    with pytest.raises(ValueError, match="limit is 1,000 bytes"):
        identify("a" * 1001, max_bytes=1000)
    with pytest.raises(ValueError, match="200,000"):
        identify("word " * 50_000)


def test_binary_input_is_refused():
    blob = bytes(range(256)) * 40
    with pytest.raises(ValueError, match="binary"):
        identify(blob.decode("latin-1"))


@slow
def test_stray_nul_bytes_are_removed(index):
    text = load_license("mit").text
    result = identify(text[:200] + "\x00" + text[200:])
    assert result.license_keys == ["mit"]
    assert any("control character" in n for n in result.notes)


def test_empty_input():
    result = identify("   \n ")
    assert result.findings == [] and "empty" in result.summary()


# --- the index and the API around it -------------------------------------------------------------------------------


def test_index_goes_to_the_app_cache_when_nothing_is_bundled(monkeypatch, tmp_path):
    monkeypatch.delenv("SCANCODE_LICENSE_INDEX_CACHE", raising=False)
    monkeypatch.delenv("SCANCODE_CACHE", raising=False)
    monkeypatch.setattr(ident, "_bundled_index_dir", lambda: None)
    index_dir, lock_dir = ident.index_cache_dirs(Settings(home=tmp_path))
    assert index_dir == lock_dir and tmp_path in index_dir.parents
    monkeypatch.setenv("SCANCODE_LICENSE_INDEX_CACHE", str(tmp_path / "elsewhere"))
    assert ident.index_cache_dirs(Settings(home=tmp_path))[0] == Path(tmp_path / "elsewhere")


@slow
def test_concurrent_use_gives_the_same_answers(index):
    texts = [load_license(k).text for k in ("mit", "apache-2.0", "cc-by-nc-4.0", "llama-3.1-license-2024")]
    expected = [identify(t).license_keys for t in texts]
    got: list = [None] * len(texts)

    def run(i: int) -> None:
        got[i] = identify(texts[i]).license_keys

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == expected


@slow
def test_warm_up_reports_progress_only_once(index):
    messages: list[str] = []
    assert warm_up(messages.append) == 0.0  # already loaded in this process
    assert messages == []


@slow
def test_result_serialises_to_json(index):
    data = json.loads(json.dumps(identify(load_license("mit").text).to_dict()))
    assert data["license_keys"] == ["mit"] and data["summary"]
    assert data["findings"][0]["source"] == "full_text"
