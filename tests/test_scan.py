"""Finding models in a project: code, configs, Ollama files, model folders and the Hugging Face cache. No index."""

from __future__ import annotations

import pytest

from assistant.policy import PolicyError, UseProfile, combine, load_policy, make_profile, parse_amount
from assistant.scan import find_references, group, hf_cache_models, resolve_model, scan
from tests.scan_helpers import CACHE_REV, copy_repo, make_hf_cache

EXPECTED = {
    # (id, file, line)
    ("mistralai/Mistral-7B-v0.1", "app/generate.py", 10),  # through MODEL_ID, read by the ast
    ("mistralai/Mistral-7B-v0.1", "app/generate.py", 11),
    ("meta-llama/Llama-3.1-8B-Instruct", "app/generate.py", 15),  # pipeline(model=...)
    ("TheBloke/Llama-2-13B-chat-GGUF", "app/generate.py", 17),  # hf_hub_download(repo_id=...)
    ("sentence-transformers/all-MiniLM-L6-v2", "app/embed.py", 3),
    ("black-forest-labs/FLUX.1-dev", "app/images.py", 4),  # diffusers pipeline
    ("stabilityai/stable-diffusion-xl-base-1.0", "app/images.py", 5),  # keyword argument on a later line
    ("Qwen/Qwen2.5-7B-Instruct", "app/legacy_py2.py", 3),  # not Python 3: the fallback patterns
    ("BAAI/bge-small-en-v1.5", "config/settings.yaml", 2),
    ("google/gemma-2-9b", "config/settings.yaml", 5),
    ("acme-internal/secret-reranker-v2", "config/rerank.json", 3),
    ("tiiuae/falcon-7b", "config/app.toml", 2),
    ("deepseek-ai/DeepSeek-R1", ".env", 1),
    ("llama3.1:8b", "ollama/Modelfile", 1),
    ("mistral:7b", "scripts/setup.sh", 3),
    ("gemma2:9b", "Dockerfile", 2),
    ("phi3", "Makefile", 2),
    ("qwen2.5:7b", "README.md", 6),  # in a fenced code block
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_repo(tmp_path_factory.mktemp("scan"))


@pytest.fixture(scope="module")
def found(project):
    refs, folders = find_references(project)
    return refs, folders


def test_every_kind_of_reference_is_found_with_file_and_line(found):
    refs, folders = found
    got = {(r.ref, r.file, r.line) for r in refs}
    assert EXPECTED <= got
    assert {f.model for f in folders} == {"models/local-classifier", "models/support-bot"}
    assert len(EXPECTED) + len(folders) >= 15


def test_nothing_is_found_where_it_must_not_be(found):
    refs, _ = found
    ids = {r.ref for r in refs}
    assert "should-not/be-found" not in ids  # node_modules
    assert "in/venv" not in ids  # a folder holding pyvenv.cfg
    assert "too/big" not in ids  # a file over 1 MB
    assert "anything-you-like" not in ids  # prose in a README, outside code blocks
    assert not any(r.startswith(("./", "models/")) for r in ids)  # local paths are folders, not ids


def test_references_come_in_file_order_so_reports_are_the_same_on_every_machine(found):
    refs, _ = found

    def order(loc: tuple[str, int]) -> tuple:
        *folders, name = loc[0].split("/")  # a folder's files before its subfolders, each in name order
        return tuple((1, f) for f in folders) + ((0, name),), loc[1]

    where = [(r.file, r.line) for r in refs]
    assert len(where) > 15 and where == sorted(where, key=order)


def test_references_group_into_one_model_with_every_place(found):
    refs, _ = found
    models = {m.model: m for m in group(refs)}
    assert [(loc.file, loc.line) for loc in models["mistralai/Mistral-7B-v0.1"].found_in] == [
        ("app/generate.py", 10), ("app/generate.py", 11)
    ]
    assert models["llama3.1:8b"].kind == "ollama"


def test_licenses_and_chains(found):
    refs, folders = found
    models = {m.model: resolve_model(m) for m in group(refs) + folders}
    assert models["mistralai/Mistral-7B-v0.1"].licenses == ["apache-2.0"]
    assert models["black-forest-labs/FLUX.1-dev"].licenses == ["flux-1-nc"]
    gguf = models["TheBloke/Llama-2-13B-chat-GGUF"]
    assert gguf.licenses == ["llama-2-license-2023"]  # a quantized repackaging keeps the original license
    assert any("GGUF repackaging" in n for n in gguf.notes)
    assert models["llama3.1:8b"].licenses == ["llama-3.1-license-2024"]
    assert models["mistral:7b"].licenses == ["apache-2.0"]
    bot = models["models/support-bot"]  # a fine-tune whose card names its base_model
    assert "llama-3.1-license-2024" in bot.licenses
    assert any("base_model: meta-llama/Llama-3.1-8B-Instruct" in c for c in bot.chains)
    assert models["models/local-classifier"].licenses == ["mit"]  # its LICENSE file, by ScanCode's detection
    assert models["acme-internal/secret-reranker-v2"].licenses == []  # unknown to the catalog


def test_hf_cache_is_read_with_scan_cache_dir(tmp_path):
    cache = make_hf_cache(tmp_path)
    models = {m.model: m for m in hf_cache_models(cache)}
    assert set(models) == {"microsoft/Phi-3-mini-4k-instruct", "acme/cached-classifier"}
    assert models["acme/cached-classifier"].revision == CACHE_REV
    resolved = {m.model: m.licenses for m in scan(None, hf_cache=cache)}
    assert resolved == {"microsoft/Phi-3-mini-4k-instruct": ["mit"], "acme/cached-classifier": ["apache-2.0"]}
    assert hf_cache_models(tmp_path / "empty") == []


# ------------------------------------------------------------------------------------------------ profiles


def test_amounts():
    assert parse_amount("2M") == 2_000_000
    assert parse_amount("900k") == 900_000
    assert parse_amount("$1.5B") == 1_500_000_000
    assert parse_amount(1500) == 1500
    with pytest.raises(ValueError):
        parse_amount("lots")


def test_profile_questions_ask_one_act_each():
    p = make_profile({"use": "commercial", "mau": "2M", "region": "EU", "distribute": "weights,service",
                      "train_on_outputs": True})
    qs = p.questions()
    assert qs[0].startswith("Can we use this model commercially") and "2 million monthly active users" in qs[0]
    assert "in the EU" in qs[0]
    assert any("weights" in q for q in qs[1:]) and any("train another model" in q for q in qs[1:])
    assert UseProfile(use="research").questions() == ["Can we use this model for a non-commercial research project?"]
    assert p.key() == make_profile({**p.model_dump(), "fail_on": ["no"]}).key()  # fail_on does not change a verdict


@pytest.mark.parametrize(
    "data, words",
    [({"use": "selling"}, "use"), ({"mau": "many"}, "mau"), ({"distribute": "everything"}, "distribute"),
     ({"fail_on": "maybe"}, "fail_on"), ({"colour": "red"}, "colour")],
)
def test_bad_profiles_give_one_line(data, words):
    with pytest.raises(PolicyError) as err:
        make_profile(data)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_policy_file(tmp_path):
    f = tmp_path / "policy.yaml"
    f.write_text("use: commercial\nmau: 2M\ndistribute: [weights]\nfail_on: [no, unknown, conditional]\n")
    p = load_policy(f, {"region": "EU"})
    assert p.mau == 2_000_000 and p.region == "EU" and p.fail_on == ["no", "unknown", "conditional"]
    f.write_text("use: [unclosed\n")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(f)
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "missing.yaml")


def test_combine_takes_the_most_restrictive():
    assert combine(["yes", "not_addressed"]) == "yes"
    assert combine(["yes", "conditional", "no"]) == "no"
    assert combine(["not_addressed", "not_addressed"]) == "not_addressed"
