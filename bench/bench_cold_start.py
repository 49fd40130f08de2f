"""Benchmark the first minute: how soon a fresh process answers, against the cost of loading the embedding model.

    python bench/bench_cold_start.py                # index present (built first in a temporary home, untimed)
    python bench/bench_cold_start.py --home DIR     # use (or build) the index in DIR
    python bench/bench_cold_start.py --no-index     # also: a fresh home with no index at all
    python bench/bench_cold_start.py --repeat 3     # median of 3 runs of each phase

Each phase runs in a new interpreter, interleaved, so they see the same machine load:
- `import sentence_transformers` alone (what loading dense search costs before any model is read);
- `from assistant import ask; ask(...)` with the index present: seconds from interpreter start to the first
  Answer, its verdict and cited sections, and whether it was given with dense search;
- with `--no-index`: the same in an empty home, then how long the dense index took to finish in the background.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "Can we use Llama 3.1 commercially with 900M monthly active users?"

IMPORT_ST = "import time; t0 = time.perf_counter(); import sentence_transformers; print(time.perf_counter() - t0)"

FIRST_ANSWER = """
import json, sys, threading, time
t0 = time.perf_counter()
from assistant import ask
answer = ask({question!r})
took = time.perf_counter() - t0
report = {{"first_answer_s": round(took, 2), "verdict": answer.verdict, "dense_search": answer.dense_search,
          "sections": [c.license_key + ":" + c.section_id for c in answer.citations]}}
if {wait!r}:
    from assistant.assistant import default_assistant
    searcher = default_assistant().searcher
    searcher.wait_for_dense()
    report["dense_ready_s"] = round(time.perf_counter() - t0, 2)
    again = ask({question!r})
    report["after_dense"] = {{"verdict": again.verdict, "dense_search": again.dense_search,
                             "sections": [c.license_key + ":" + c.section_id for c in again.citations]}}
print(json.dumps(report))
"""


def _run(code: str, home: str) -> str:
    env = {**os.environ, "LICENSE_ASSISTANT_HOME": home, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", help="cache directory holding (or to hold) the index; default: a new temporary one")
    p.add_argument("--no-index", action="store_true", help="also time a fresh home with no index")
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args()

    home = args.home or tempfile.mkdtemp(prefix="la-cold-")
    from assistant.config import Settings
    from assistant.index import open_index

    t = time.perf_counter()
    open_index(Settings(home=Path(home)), progress=False)  # outside the timings
    print(f"(index ready in {home} after {time.perf_counter() - t:.1f} s, untimed)", file=sys.stderr)

    imports, firsts, cold = [], [], []
    for _ in range(args.repeat):
        imports.append(float(_run(IMPORT_ST, home)))
        firsts.append(json.loads(_run(FIRST_ANSWER.format(question=QUESTION, wait=False), home)))
        if args.no_index:
            empty = tempfile.mkdtemp(prefix="la-cold-empty-")
            cold.append(json.loads(_run(FIRST_ANSWER.format(question=QUESTION, wait=True), empty)))

    med_import = statistics.median(imports)
    med_first = statistics.median(r["first_answer_s"] for r in firsts)
    rows = {
        "import sentence_transformers alone (s)": round(med_import, 2),
        "first answer, fresh process, index present (s)": med_first,
        "ratio first answer / import": round(med_first / med_import, 2),
        "first answer verdict / dense search": f"{firsts[0]['verdict']} / {firsts[0]['dense_search']}",
        "first answer cited sections": ", ".join(firsts[0]["sections"]),
    }
    if cold:
        rows["first answer, no index yet (s)"] = statistics.median(r["first_answer_s"] for r in cold)
        rows["dense index built in the background by (s)"] = statistics.median(r["dense_ready_s"] for r in cold)
        same = all(
            r["after_dense"]["verdict"] == r["verdict"] and r["after_dense"]["sections"] == r["sections"] for r in cold
        )
        rows["same verdict and sections after dense joined"] = same
    if args.repeat > 1:
        rows["runs (import s / first answer s)"] = ", ".join(
            f"{i:.1f}/{f['first_answer_s']:.1f}" for i, f in zip(imports, firsts, strict=True)
        )
    width = max(map(len, rows))
    for k, v in rows.items():
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
