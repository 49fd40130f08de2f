"""Benchmark ask(): first answer in a fresh process, warm latency over 200 questions, peak memory.

    python bench/bench_ask.py [--home DIR] [--questions eval/questions.jsonl] [-n 200]

The index must exist (or is built first, outside the timings); the offline composer is used.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def first_answer(home: str | None) -> dict:
    """A new interpreter: import, load index and model, answer one question."""
    code = (
        "import time, json; t0 = time.perf_counter();"
        "from assistant.config import Settings; from assistant.assistant import Assistant;"
        "from pathlib import Path; import os;"
        "s = Settings(home=Path(os.environ['H'])) if os.environ.get('H') else Settings();"
        "a = Assistant(settings=s, progress=False); t1 = time.perf_counter();"
        "ans = a.ask('Can we use Llama 3.1 commercially with 900M monthly users?'); t2 = time.perf_counter();"
        "print(json.dumps({'load_s': round(t1 - t0, 2), 'first_answer_s': round(t2 - t0, 2), 'verdict': ans.verdict}))"
    )
    env = {**__import__("os").environ, "H": home or ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home")
    p.add_argument("--questions", default="eval/questions.jsonl")
    p.add_argument("-n", type=int, default=200)
    args = p.parse_args()

    from pathlib import Path

    from assistant.assistant import Assistant
    from assistant.config import Settings
    from eval.runner import load_questions

    settings = Settings(home=Path(args.home)) if args.home else Settings()
    bot = Assistant(settings=settings, progress=True)  # builds the index if needed, before any timing
    cold = first_answer(args.home)
    questions = load_questions(args.questions)
    bot.ask(questions[0]["question"])  # warm-up
    lat = []
    for i in range(args.n):
        q = questions[i % len(questions)]
        t = time.perf_counter()
        bot.ask(q["question"], history=q.get("history"))
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    rows = {
        "fresh process: load assistant (s)": cold["load_s"],
        "fresh process: first answer (s)": cold["first_answer_s"],
        f"warm ask() p50 over {args.n} (ms)": round(statistics.median(lat), 1),
        f"warm ask() p95 over {args.n} (ms)": round(lat[int(0.95 * len(lat)) - 1], 1),
        "warm ask() max (ms)": round(lat[-1], 1),
        "peak RSS (MB)": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    for k, v in rows.items():
        print(f"{k:<36} {v}")


if __name__ == "__main__":
    main()
