"""How well the question's topic (facet) is read: the lexical rules against a classifier on the bundled embeddings.

    python bench/bench_reading.py

Trains logistic regression on the dev split's gold facets (MiniLM sentence embeddings), then scores both readings
on the held-out split, which neither was written against. Also scores the combination the engine could use (the
rules, and the classifier where the rules find no topic). Prints accuracy and the time per question.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load(name: str) -> list[dict]:
    return [json.loads(x) for x in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def main() -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from assistant.embeddings import get_embedder
    from assistant.facets import detect_facets
    from assistant.figures import extract_figures

    dev, held = load("questions.jsonl"), load("heldout.jsonl")
    text = lambda r: " ".join([*r.get("history", []), r["question"]])  # noqa: E731
    emb = get_embedder()
    t0 = time.perf_counter()
    x_dev = np.array(emb.embed_documents([text(r) for r in dev]))
    x_held = np.array(emb.embed_documents([text(r) for r in held]))
    embed_ms = (time.perf_counter() - t0) * 1000 / (len(dev) + len(held))
    clf = LogisticRegression(max_iter=2000, C=4.0).fit(x_dev, [r["facet"] for r in dev])
    learned = clf.predict(x_held)
    t0 = time.perf_counter()
    rules = [detect_facets(r["question"], extract_figures(r["question"]))[0] for r in held]
    rules_ms = (time.perf_counter() - t0) * 1000 / len(held)
    gold = [r["facet"] for r in held]
    both = [lr if ru == "other" else ru for ru, lr in zip(rules, learned, strict=True)]

    def acc(pred: list[str]) -> float:
        return sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold)

    print(f"held-out questions: {len(held)} (classifier trained on {len(dev)} dev questions)")
    print(f"rules (assistant/facets.py)        facet accuracy {acc(rules):.1%}   {rules_ms:.2f} ms/question")
    print(f"logistic regression on MiniLM      facet accuracy {acc(list(learned)):.1%}   {embed_ms:.1f} ms/question")
    print(f"rules, classifier where rules fail facet accuracy {acc(both):.1%}")


if __name__ == "__main__":
    main()
