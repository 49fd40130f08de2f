"""A scanned project judged by the real assistant for two use profiles; the ML-BOM; the command's exit codes."""

from __future__ import annotations

import json

import pytest

from assistant.cli import main
from assistant.licensedb import load_license
from assistant.policy import Judge, audit, make_profile
from assistant.scan import scan
from tests.conftest import TEST_HOME
from tests.scan_helpers import copy_repo, make_hf_cache

RESEARCH = {"use": "research"}
SAAS = {"use": "commercial", "mau": "2M", "region": "EU", "distribute": "weights,service", "train_on_outputs": True}
APACHE = ("mistralai/Mistral-7B-v0.1", "sentence-transformers/all-MiniLM-L6-v2", "tiiuae/falcon-7b", "mistral:7b")


@pytest.fixture(scope="module")
def bot(settings, searcher):
    from assistant.assistant import Assistant

    return Assistant(settings=settings, searcher=searcher, progress=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    base = tmp_path_factory.mktemp("judge")
    return copy_repo(base), make_hf_cache(base)


@pytest.fixture(scope="module")
def models(project):
    root, cache = project
    return scan(root, hf_cache=cache)


@pytest.fixture(scope="module")
def rows(models, bot):
    return {
        name: {r["model"]: r for r in audit(models, bot, make_profile(p))}
        for name, p in (("research", RESEARCH), ("saas", SAAS))
    }


def test_permissive_models_pass_both_profiles(rows):
    for profile in ("research", "saas"):
        for model in APACHE:
            assert rows[profile][model]["licenses"] == ["apache-2.0"]
            assert rows[profile][model]["verdict"] == "yes", (profile, model)
            assert rows[profile][model]["status"] == "pass"
        assert rows[profile]["acme/cached-classifier"]["verdict"] == "yes"  # from the cache, apache-2.0 card


def test_non_commercial_license_fails_commercial_saas(rows):
    flux = rows["saas"]["black-forest-labs/FLUX.1-dev"]
    assert flux["licenses"] == ["flux-1-nc"] and flux["verdict"] == "no" and flux["status"] == "fail"
    assert any(o["license"] == "flux-1-nc" for o in flux["obligations"])


def test_non_commercial_license_allows_research(rows):
    assert rows["research"]["black-forest-labs/FLUX.1-dev"]["verdict"] in ("yes", "conditional")


def test_training_on_outputs_decides_llama_2(rows):
    # Llama 2 forbids using its outputs to improve other language models: the quantized repackaging inherits it
    gguf = rows["saas"]["TheBloke/Llama-2-13B-chat-GGUF"]
    assert gguf["licenses"] == ["llama-2-license-2023"] and gguf["verdict"] == "no"
    assert rows["research"]["TheBloke/Llama-2-13B-chat-GGUF"]["verdict"] != "no"


def test_unknown_model_fails_closed(rows):
    for profile in ("research", "saas"):
        row = rows[profile]["acme-internal/secret-reranker-v2"]
        assert row["licenses"] == [] and row["verdict"] == "unknown" and row["status"] == "fail"
        assert row["found_in"] == [{"file": "config/rerank.json", "line": 3}]


def test_fine_tune_folder_is_judged_under_its_base_license(rows):
    bot = rows["saas"]["models/support-bot"]
    assert "llama-3.1-license-2024" in bot["licenses"]
    assert bot["verdict"] == rows["saas"]["meta-llama/Llama-3.1-8B-Instruct"]["verdict"]


def test_obligations_quote_the_license_verbatim(rows):
    for row in rows["saas"].values():
        for o in row["obligations"]:
            if "quote" in o:
                assert o["quote"] in load_license(o["license"]).text
                assert o["section"]


def test_one_question_set_per_license_set(models, bot):
    judge = Judge(bot, make_profile(SAAS))
    for m in models:
        if m.licenses:
            judge(m.licenses)
    assert judge.asked == len({tuple(sorted(set(m.licenses))) for m in models if m.licenses})


def test_cyclonedx_ml_bom_validates(rows):
    from assistant.bom import bom_json, validate

    text = bom_json(list(rows["saas"].values()), "commercial")
    assert validate(text) is None
    doc = json.loads(text)
    comps = {c["name"]: c for c in doc["components"]}
    assert all(c["type"] == "machine-learning-model" for c in comps.values())
    assert [lic["license"]["id"] for lic in comps["mistralai/Mistral-7B-v0.1"]["licenses"]] == ["Apache-2.0"]
    assert comps["mistralai/Mistral-7B-v0.1"]["purl"].startswith("pkg:huggingface/mistralai/")
    flux = comps["black-forest-labs/FLUX.1-dev"]
    assert flux["licenses"] and {"name": "license-assistant:verdict", "value": "no"} in flux["properties"]


# ------------------------------------------------------------------------------------------------ the command


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["scan", *argv, "--home", str(TEST_HOME)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_exit_1_when_a_model_fails_and_json_fields(capsys, project):
    root, _ = project
    code, out, _ = run(capsys, str(root), "--use", "commercial", "--mau", "2M", "--format", "json")
    rows = json.loads(out)
    assert code == 1
    assert all({"model", "licenses", "verdict", "found_in", "obligations"} <= set(r) for r in rows)
    assert {r["model"] for r in rows if r["status"] == "fail"} >= {"black-forest-labs/FLUX.1-dev",
                                                                   "acme-internal/secret-reranker-v2"}


def test_exit_0_when_every_model_passes_and_fail_on_widens(capsys, tmp_path):
    (tmp_path / "a.py").write_text('import transformers\ntransformers.AutoModel.from_pretrained("tiiuae/falcon-7b")\n')
    code, out, _ = run(capsys, str(tmp_path), "--use", "commercial")
    assert code == 0 and "PASS" in out and "tiiuae/falcon-7b" in out
    (tmp_path / "Modelfile").write_text("FROM llama3.1:8b\n")
    code, _, _ = run(capsys, str(tmp_path), "--use", "commercial")
    assert code == 0  # Llama 3.1 commercially is conditional: passes the default fail_on (no, unknown)
    code, out, _ = run(capsys, str(tmp_path), "--use", "commercial", "--fail-on", "no,conditional,unknown")
    assert code == 1 and "FAIL" in out


def test_policy_file_markdown_and_cyclonedx(capsys, tmp_path, project):
    root, cache = project
    policy = tmp_path / "policy.yaml"
    policy.write_text("use: research\nfail_on: [unknown]\nallow: [acme-internal/secret-reranker-v2]\n")
    code, out, _ = run(capsys, str(root), "--policy", str(policy), "--format", "markdown")
    assert code == 0  # the unknown model is allowed by name, nothing else is unknown
    assert out.startswith("# Models found") and "| status | verdict | model |" in out
    bom = tmp_path / "bom.json"
    code, _, _ = run(capsys, str(root), "--hf-cache", str(cache), "--format", "cyclonedx", "-o", str(bom))
    from assistant.bom import validate

    assert code == 1 and validate(bom.read_text()) is None
    assert "microsoft/Phi-3-mini-4k-instruct" in bom.read_text()


@pytest.mark.parametrize(
    "argv, words",
    [(["/no/such/folder"], "no such folder"), ([], "give a PATH"),
     (["{root}", "--policy", "/no/policy.yaml"], "policy file not found"),
     (["{root}", "--policy", "{bad}"], "not valid YAML"), (["{root}", "--policy", "{wrong}"], "colour"),
     (["{root}", "--mau", "lots"], "mau"), (["{root}", "--fail-on", "maybe"], "fail_on"),
     (["{root}", "--hf-cache", "/no/cache"], "no such Hugging Face cache")],
)
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, argv, words):
    (tmp_path / "bad.yaml").write_text("use: [unclosed\n")
    (tmp_path / "wrong.yaml").write_text("use: research\ncolour: red\n")
    argv = [a.format(root=tmp_path, bad=tmp_path / "bad.yaml", wrong=tmp_path / "wrong.yaml") for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and words in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and out == ""


def test_each_term_is_listed_once_per_model(rows):
    for profile in rows.values():
        for model, row in profile.items():
            keys = [(o.get("license"), tuple(o.get("sections") or ()), o.get("section_id")) for o in row["obligations"]]
            assert len(keys) == len(set(keys)), model
