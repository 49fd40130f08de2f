"""The quality gate: the whole labelled set through the real assistant, with the thresholds the project promises."""

from __future__ import annotations

import json

import pytest

# The floor measured on the relabelled dev split (472 rows, 2026-12-02): a change that lowers it fails.
GATE = [
    "--min-verdict-accuracy", "0.62",
    "--min-evidence-recall", "0.6",
    "--min-license-resolution", "0.85",
    "--min-quote-fidelity", "1.0",
]


@pytest.mark.slow
def test_full_eval_meets_the_thresholds(settings, searcher, tmp_path, capsys):
    from assistant.assistant import Assistant
    from eval.__main__ import main

    code = main(["--report", str(tmp_path), "--no-progress", *GATE],
                make_assistant=lambda llm, progress: Assistant(settings=settings, searcher=searcher))
    out = capsys.readouterr()
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    print(out.out)  # the terminal table, kept in the test log
    assert metrics["n_questions"] >= 200
    assert code == 0, out.err
