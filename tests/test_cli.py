"""The `license-assistant` command: what a user sees on the terminal."""

from __future__ import annotations

import json

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
