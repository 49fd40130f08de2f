"""`python -m eval.facet_learning`: does a classifier learned from the labelled questions read the topic of a
question (its facet) better than the weighted rules of assistant/facets.py?

A logistic regression on the bundled MiniLM embedding of each dev question, plus the rules' own facet scores, is
trained on the dev split only. It is scored by 5-fold cross-validation on dev (each question classified by a model
that never saw it) and once on the held-out split, next to the rules. The held-out labels are only counted, never
used to train or to pick a setting: C and the weight of the rule scores are chosen by the dev cross-validation.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import numpy as np

from assistant.facets import FACETS, detect_facets, score_facets
from eval.runner import DEFAULT_HELDOUT, DEFAULT_QUESTIONS, load_questions

SETTINGS = [(c, w) for c in (2.0, 8.0, 32.0) for w in (0.2, 0.5)]  # (C, weight of the rule scores)


def _features(texts: Sequence[str], vectors: np.ndarray, weight: float) -> np.ndarray:
    rules = np.array([[score_facets(t).get(f, 0.0) for f in FACETS] for t in texts])
    return np.hstack([vectors, rules * weight])


def compare(dev: list[dict], heldout: list[dict], folds: int = 5) -> dict:
    """Facet accuracy of the rules and of the learned reading, on dev (cross-validated) and on held-out."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, cross_val_predict

    from assistant.embeddings import get_embedder

    embedder = get_embedder()
    dq, hq = [r["question"] for r in dev], [r["question"] for r in heldout]
    dv, hv = np.array(embedder.embed_documents(dq)), np.array(embedder.embed_documents(hq))
    dy, hy = np.array([r["facet"] for r in dev]), np.array([r["facet"] for r in heldout])
    split = KFold(folds, shuffle=True, random_state=0)
    best = None
    for c, w in SETTINGS:
        pred = cross_val_predict(LogisticRegression(C=c, max_iter=3000), _features(dq, dv, w), dy, cv=split)
        acc = float(np.mean(pred == dy))
        if best is None or acc > best[0]:
            best = (acc, c, w)
    acc, c, w = best
    model = LogisticRegression(C=c, max_iter=3000).fit(_features(dq, dv, w), dy)
    learned_ho = float(np.mean(model.predict(_features(hq, hv, w)) == hy))
    rules = {
        name: float(np.mean([detect_facets(r["question"])[0] == r["facet"] for r in rows]))
        for name, rows in (("dev", dev), ("heldout", heldout))
    }
    return {
        "questions": {"dev": len(dev), "heldout": len(heldout)},
        "rules": rules,
        "learned": {"dev_cross_validated": acc, "heldout": learned_ho},
        "setting": {"C": c, "rule_weight": w},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.facet_learning", description=__doc__.splitlines()[0])
    p.add_argument("--dev-file", default=DEFAULT_QUESTIONS)
    p.add_argument("--heldout-file", default=DEFAULT_HELDOUT)
    args = p.parse_args(argv)
    result = compare(load_questions(args.dev_file), load_questions(args.heldout_file))
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
