"""Retrieval recall@k of the hybrid search for several fusion weights, on a labelled question file.

    python bench/bench_fusion.py [--questions eval/questions.jsonl] [--k 5]

Each question is searched within its gold licenses (as the assistant does once it has resolved them), and a gold
evidence string counts as found when it is contained in one of the top-k chunks (whitespace and case folded).
"""

from __future__ import annotations

import argparse
import re

from assistant import search as search_mod
from assistant.search import Searcher
from eval.runner import load_questions


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().lower()


def recall(searcher: Searcher, questions: list[dict], k: int) -> float:
    found = total = 0
    for q in questions:
        gold = q["license"] if isinstance(q["license"], list) else [q["license"]] if q["license"] else None
        if not q["evidence"] or not gold:
            continue
        text = " ".join(_fold(h.text) for h in searcher.search(q["question"], licenses=gold, k=k))
        found += sum(_fold(e) in text for e in q["evidence"])
        total += len(q["evidence"])
    return found / max(total, 1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--questions", default="eval/questions.jsonl")
    p.add_argument("--k", type=int, default=5)
    args = p.parse_args()
    questions = load_questions(args.questions)
    searcher = Searcher(progress=False)
    for dense, lexical in [(1, 0), (0, 1), (1, 1), (1, 0.7), (1, 0.5), (1, 0.4), (1, 0.3)]:
        search_mod.DENSE_WEIGHT, search_mod.BM25_WEIGHT = dense, lexical
        print(f"dense {dense:<4} bm25 {lexical:<4} recall@{args.k} {recall(searcher, questions, args.k):.3f}")


if __name__ == "__main__":
    main()
