"""The learned facet reading is measured against the rules on the labelled splits (eval/facet_learning.py)."""

from __future__ import annotations

from assistant.facets import detect_facets
from eval.facet_learning import compare
from eval.runner import DEFAULT_QUESTIONS, load_questions


def test_the_comparison_scores_rules_and_the_learned_reading_on_questions_it_did_not_train_on():
    rows = load_questions(DEFAULT_QUESTIONS)[:90]
    train, test = rows[:60], rows[60:]
    result = compare(train, test, folds=3)
    assert result["questions"] == {"dev": 60, "heldout": 30}
    expected = sum(detect_facets(r["question"])[0] == r["facet"] for r in test) / 30
    assert result["rules"]["heldout"] == expected
    for value in (*result["rules"].values(), *result["learned"].values()):
        assert 0.0 <= value <= 1.0
    assert result["setting"]["C"] > 0
