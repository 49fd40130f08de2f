"""`python -m eval`: score the assistant on the labelled splits (or one question file) and write a report.

    python -m eval                                  # dev, held-out and invariance side by side -> eval/report/
    python -m eval --split heldout                  # one split
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

from eval.runner import SPLITS, THRESHOLDS, QuestionFileError, load_questions, load_split, missed_thresholds, run_eval

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
    which = p.add_mutually_exclusive_group()
    which.add_argument("--questions", type=Path, default=None,
                       help="score one JSONL question file instead of the splits")
    which.add_argument("--split", choices=list(SPLITS), default=None, help="run one split only")
    for name, path in SPLITS.items():
        p.add_argument(f"--{name}-file", type=Path, default=path, metavar="PATH",
                       help=f"the {name} split's file (default: %(default)s)")
    p.add_argument("--max-gap", type=float, default=None, metavar="POINTS",
                   help="exit 1 if dev minus held-out verdict accuracy exceeds this many percentage points")
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
                       help=f"exit 1 if {THRESHOLDS[option]} is below this (0..1); with splits, on held-out")
    return p


def default_assistant(llm: str | None, progress: bool) -> Any:
    from assistant import Assistant

    return Assistant(llm=llm, progress=progress) if llm else Assistant(progress=progress)


def _baselines(args: argparse.Namespace, questions: Sequence[dict], searcher: Any, progress: bool):
    """The retrieval baselines of --baselines and the naive pipeline to close afterwards (None without it)."""
    if not args.baselines:
        return {}, None
    from eval.baselines import NaiveLangChain, default_license_keys, searcher_baselines

    baselines: dict = {}
    if searcher is not None:
        baselines.update(searcher_baselines(searcher))
    gold = [k for q in questions for k in ([q["license"]] if isinstance(q["license"], str) else q["license"] or [])]
    naive = NaiveLangChain(default_license_keys(fallback=gold), progress=progress)
    baselines["naive LangChain"] = naive.retrieve
    return baselines, naive


def _single_file(args: argparse.Namespace, make_assistant: Callable, progress: bool) -> int:
    """Today's single-file behaviour: --questions FILE."""
    try:
        questions = load_questions(args.questions)
    except QuestionFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.limit:
        questions = questions[: args.limit]
    assistant = make_assistant(args.llm, progress)
    searcher = getattr(assistant, "searcher", None)
    baselines, naive = _baselines(args, questions, searcher, progress)
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


def _splits(args: argparse.Namespace, make_assistant: Callable, progress: bool) -> int:
    """The labelled splits (all three, or --split NAME), side by side, thresholds on held-out."""
    from eval.metrics import accuracy_by_origin, error_analysis, gap_points, invariance_summary
    from eval.report import splits_terminal, write_splits_report

    names = [args.split] if args.split else list(SPLITS)
    files = {n: getattr(args, f"{n}_file") for n in names}
    if args.max_gap is not None and not {"dev", "heldout"} <= set(names):
        print("error: --max-gap needs both the dev and the held-out split", file=sys.stderr)
        return 2
    try:
        questions = {n: load_split(n, files[n], args.limit) for n in names}
    except QuestionFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    assistant = make_assistant(args.llm, progress)
    searcher = getattr(assistant, "searcher", None)
    baselines, naive = _baselines(args, [q for qs in questions.values() for q in qs], searcher, progress)
    try:
        runs = {n: run_eval(qs, assistant, searcher=searcher, k=args.k, baselines=baselines, progress=progress)
                for n, qs in questions.items()}
    finally:
        if naive is not None:
            naive.close()

    gate = "heldout" if "heldout" in runs else names[0]
    metrics: dict = {"splits": {n: r.metrics for n, r in runs.items()}, "gate_split": gate}
    if {"dev", "heldout"} <= set(runs):
        metrics["gap_points"] = gap_points(runs["dev"].metrics, runs["heldout"].metrics)
    metrics["by_origin"] = {n: accuracy_by_origin(questions[n], r.scores) for n, r in runs.items() if n != "invariance"}
    if "invariance" in runs:
        metrics["invariance"] = invariance_summary(questions["invariance"], runs["invariance"].scores)
    analyses = {n: error_analysis(r.scores) for n, r in runs.items()}
    metrics["error_analysis"] = {n: {g: [s.id for s in misses] for g, misses in a.items()}
                                 for n, a in analyses.items()}
    paths = write_splits_report(runs, metrics, analyses, args.report, {n: str(f) for n, f in files.items()})
    print(splits_terminal(runs, metrics, analyses))
    print(f"\nreport: {paths[0]}")

    missed = [f"{gate}: {m}" for m in missed_thresholds(runs[gate].metrics, {o: getattr(args, o) for o in THRESHOLDS})]
    if args.max_gap is not None:
        gap = metrics["gap_points"]["verdict_accuracy"]
        if gap is None:
            missed.append("the verdict accuracy gap was not measured (no data), but --max-gap was required")
        elif gap > args.max_gap:
            missed.append(f"dev minus held-out verdict accuracy = {gap:+.1f} pts exceeds --max-gap {args.max_gap:g}")
    for msg in missed:
        print(f"threshold missed: {msg}", file=sys.stderr)
    return 1 if missed else 0


def main(argv: Sequence[str] | None = None,
         make_assistant: Callable[[str | None, bool], Any] = default_assistant) -> int:
    args = build_parser().parse_args(argv)
    progress = not args.no_progress
    if args.questions is not None:
        if args.max_gap is not None:
            print("error: --max-gap compares the dev and held-out splits; it does not apply to --questions",
                  file=sys.stderr)
            return 2
        return _single_file(args, make_assistant, progress)
    return _splits(args, make_assistant, progress)


if __name__ == "__main__":
    sys.exit(main())
