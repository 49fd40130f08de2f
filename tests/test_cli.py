"""The `license-assistant` command: what a user sees on the terminal."""

from __future__ import annotations

import io
import json

import pytest

from assistant.cli import main
from tests.conftest import TEST_HOME


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--home", str(TEST_HOME)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_search_prints_license_section_and_text(capsys):
    code, out, _ = run(capsys, "search", "monthly active users greater than 700 million",
                       "--license", "llama-3.1-license-2024", "-k", "3")
    assert code == 0
    assert "[llama-3.1-license-2024] §2 Additional Commercial Terms" in out
    assert "700 million monthly active users" in out


def test_empty_query_is_refused_without_building_anything(capsys, tmp_path):
    code = main(["search", "  ", "--home", str(tmp_path / "home")])
    assert code == 2 and "empty" in capsys.readouterr().err
    assert not (tmp_path / "home").exists()


def test_unknown_license_names_close_matches(capsys):
    code, _, err = run(capsys, "search", "commercial use", "--license", "apache-2")
    assert code == 2 and "apache-2.0" in err and "Traceback" not in err


def test_ask_json(capsys):
    code, out, _ = run(capsys, "ask", "Can we use Llama 3.1 commercially with 900M monthly users?", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["verdict"] == "no"
    assert any(c["section_id"] == "2" for c in answer["citations"])


def test_identify_a_model_card(capsys, tmp_path):
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: apache-2.0\n---\n# A model\n")
    code, out, _ = run(capsys, "identify", str(card))
    assert code == 0 and "apache-2.0" in out


@pytest.mark.slow
def test_ask_about_a_license_file_quotes_that_file(capsys, tmp_path):
    from assistant.licensedb import load_license

    path = tmp_path / "LICENSE"
    path.write_text(load_license("llama-3.1-license-2024").text, encoding="utf-8")
    code, out, _ = run(capsys, "ask", "Can we use it commercially with 900M monthly users?", "--license-file",
                       str(path), "--json")
    answer = json.loads(out)
    assert code == 0 and answer["verdict"] == "no"
    assert answer["supplied_text"]["key"] == "llama-3.1-license-2024" and answer["supplied_text"]["source"] == str(path)
    text = path.read_text(encoding="utf-8")
    assert answer["citations"] and all(
        c["kind"] == "supplied" and text[c["start"] : c["end"]] == c["quote"] for c in answer["citations"]
    )


@pytest.mark.slow
def test_ask_about_a_license_text_on_standard_input(capsys, monkeypatch):
    from tests.test_license_file import SYNTHETIC_MNPL

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(SYNTHETIC_MNPL.encode("utf-8"))))
    code, out, _ = run(capsys, "ask", "Can I use this in a commercial product?", "--license-file", "-")
    assert code == 0 and out.startswith("**Verdict: No**")
    assert "Mistral AI Non-Production License (your copy), §3.2" in out
    assert "never in a commercial activity" in out


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: d / "missing-LICENSE", "no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: _write(d / "empty", b""), "is empty"),
        (lambda d: _write(d / "model.bin", b"\x00\x01\x02\x03" * 500), "binary"),
        (lambda d: _write(d / "latin1", "Lizenz für café".encode("latin-1")), "not UTF-8"),
        (lambda d: _write(d / "huge", b"Permission is hereby granted. " * 8000), "the limit is 200,000 bytes"),
    ],
)
def test_a_bad_license_file_is_one_line_and_exit_code_2(capsys, tmp_path, make, says):
    path = make(tmp_path)
    code = main(["ask", "Can I use it commercially?", "--license-file", str(path), "--home", str(tmp_path / "h")])
    err = capsys.readouterr().err
    assert code == 2 and says in err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "h").exists()  # refused before anything was loaded


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
