"""`python -m eval`: score the assistant on a labelled question file and write a report.

    python -m eval                                  # eval/questions.jsonl -> eval/report/
    python -m eval --questions my.jsonl --limit 20  # your own questions
    python -m eval --baselines                      # also BM25-only, dense-only and a naive LangChain pipeline
    python -m eval --min-verdict-accuracy 0.8       # exit 1 when a threshold is missed
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.runner import DEFAULT_QUESTIONS, THRESHOLDS, QuestionFileError, load_questions, missed_thresholds, run_eval

DEFAULT_REPORT = Path(__file__).resolve().parent / "report"


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a fraction between 0 and 1")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval",
                                description="Score the license assistant on labelled questions.")
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS,
                   help="JSONL question file (default: %(default)s)")
    p.add_argument("--k", type=_positive, default=5, help="retrieved chunks scored per answer (default: %(default)s)")
    p.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="output directory (default: %(default)s)")
    p.add_argument("--baselines", action="store_true",
                   help="also score BM25-only, dense-only and a naive LangChain pipeline (slower)")
    p.add_argument("--llm", metavar="SPEC", default=None,
                   help="word answers with a chat model, e.g. ollama:llama3.1 (verdicts still come from the facts)")
    p.add_argument("--limit", type=_positive, default=None, help="only the first N questions")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    for option in THRESHOLDS:
        p.add_argument("--" + option.replace("_", "-"), type=_fraction, default=None, metavar="FRACTION",
                       help=f"exit 1 if {THRESHOLDS[option]} is below this (0..1)")
    return p


def default_assistant(llm: str | None, progress: bool) -> Any:
    from assistant import Assistant

    return Assistant(llm=llm, progress=progress) if llm else Assistant(progress=progress)


def main(argv: Sequence[str] | None = None,
         make_assistant: Callable[[str | None, bool], Any] = default_assistant) -> int:
    args = build_parser().parse_args(argv)
    progress = not args.no_progress
    try:
        questions = load_questions(args.questions)
    except QuestionFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.limit:
        questions = questions[: args.limit]

    assistant = make_assistant(args.llm, progress)
    searcher = getattr(assistant, "searcher", None)
    baselines: dict = {}
    naive = None
    if args.baselines:
        from eval.baselines import NaiveLangChain, default_license_keys, searcher_baselines

        if searcher is not None:
            baselines.update(searcher_baselines(searcher))
        gold = [k for q in questions for k in ([q["license"]] if isinstance(q["license"], str) else q["license"] or [])]
        naive = NaiveLangChain(default_license_keys(fallback=gold), progress=progress)
        baselines["naive LangChain"] = naive.retrieve
    try:
        result = run_eval(questions, assistant, searcher=searcher, k=args.k, baselines=baselines, progress=progress)
    finally:
        if naive is not None:
            naive.close()

    from eval.report import terminal_table, write_report

    paths = write_report(result, args.report, questions_path=str(args.questions))
    print(terminal_table(result))
    print(f"\nreport: {paths[0]}")
    missed = missed_thresholds(result.metrics, {o: getattr(args, o) for o in THRESHOLDS})
    for msg in missed:
        print(f"threshold missed: {msg}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
