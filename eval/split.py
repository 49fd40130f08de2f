"""`python -m eval.split FILE...`: add newly labelled rows to the dev and held-out splits.

A row's split is fixed by a hash of where it came from (its thread URL, else its id), so every question from one
thread lands in the same split and a re-run never moves a row. About 40% of the new rows go to the held-out split,
which nothing is tuned on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from eval.runner import DEFAULT_QUESTIONS, load_questions

HELDOUT = DEFAULT_QUESTIONS.parent / "heldout.jsonl"
HELDOUT_SHARE = 0.40


def split_of(row: dict) -> str:
    origin = row.get("source") if str(row.get("source") or "").startswith("http") else row["id"]
    h = int(hashlib.sha256(str(origin).encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "heldout" if h < HELDOUT_SHARE else "dev"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.split", description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", type=Path)
    args = p.parse_args(argv)
    known = {r["id"] for f in (DEFAULT_QUESTIONS, HELDOUT) for r in load_questions(f)}
    added = {"dev": 0, "heldout": 0}
    for path in args.files:
        for row in load_questions(path):
            if row["id"] in known:
                continue
            target = HELDOUT if split_of(row) == "heldout" else DEFAULT_QUESTIONS
            with target.open("a", encoding="utf-8") as out:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            known.add(row["id"])
            added[split_of(row)] += 1
    print(f"added {added['dev']} rows to {DEFAULT_QUESTIONS.name}, {added['heldout']} to {HELDOUT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
