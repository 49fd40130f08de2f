"""Write a run's results: report.md, metrics.json, scores.jsonl and PNG plots; print a compact terminal table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402

from eval.metrics import CURVE_KS, QuestionScore  # noqa: E402
from eval.runner import RunResult  # noqa: E402

PLOTS = ("per_facet_accuracy.png", "recall_at_k.png", "latency_hist.png")
MAX_FAILURES = 150


def fmt(value: float | None, pct: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{100 * value:.1f}%" if pct else f"{value:.0f}"


def summary_rows(metrics: dict) -> list[tuple[str, str]]:
    q = metrics
    fidelity = fmt(q.get("quote_fidelity"))
    if q.get("quotes_skipped_definitions"):
        fidelity += f" ({q['quotes_skipped_definitions']} definition quotes not checkable)"
    return [
        ("questions", str(q["n_questions"]) + (f" ({q['errors']} failed with an error)" if q.get("errors") else "")),
        ("verdict accuracy", fmt(q["verdict_accuracy"])),
        ("license resolution", fmt(q["license_resolution"])),
        ("evidence recall", fmt(q["evidence_recall"])),
        ("retrieval recall@5 (answer's chunks)", fmt(q["retrieval_recall_at_5"])),
        ("quote fidelity", fidelity),
        ("latency p50 / p95", f"{fmt(q['latency_p50_ms'], False)} / {fmt(q['latency_p95_ms'], False)} ms"),
    ]


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _group_rows(groups: dict[str, dict]) -> list[list[str]]:
    return [[g, str(v["n"]), fmt(v["verdict_accuracy"]), fmt(v["license_resolution"]), fmt(v["evidence_recall"]),
             fmt(v["retrieval_recall_at_5"])] for g, v in groups.items()]


GROUP_HEADER = ("", "n", "verdict acc.", "license res.", "evidence recall", "recall@5")


def _curve_rows(curves: dict[str, dict]) -> list[list[str]]:
    return [[name, *(fmt(c.get(str(k))) for k in CURVE_KS)] for name, c in curves.items()]


def failures(scores: Sequence[QuestionScore]) -> list[QuestionScore]:
    return [s for s in scores if not (s.verdict_ok and s.license_ok)]


def _failure_md(s: QuestionScore) -> str:
    got_l = ", ".join(s.licenses_got) or "(none)"
    exp_l = ", ".join(s.licenses_gold) or "(none)"
    lines = [f"### {s.id} ({s.facet})", "", f"> {s.question}", "",
             f"- expected: **{s.gold_verdict}** on {exp_l}", f"- got: **{s.verdict}** on {got_l}"]
    if s.error:
        lines.append(f"- error: `{s.error}`")
    for c in s.citations[:4]:
        quote = " ".join(c["quote"].split())
        quote = quote if len(quote) <= 240 else quote[:237] + "..."
        lines.append(f"- cited {c['license_key']} §{c['section_id']}: \"{quote}\"")
    if not s.citations:
        lines.append("- cited: nothing")
    return "\n".join(lines)


def markdown(result: RunResult, questions_path: str = "") -> str:
    m = result.metrics
    parts = ["# Evaluation report", ""]
    if questions_path:
        parts += [f"Questions: `{questions_path}`", ""]
    parts += ["## Summary", "", _md_table(("metric", "value"), summary_rows(m)), ""]
    parts += ["## Per facet", "", _md_table(GROUP_HEADER, _group_rows(m["per_facet"])), ""]
    parts += ["## Per gold verdict", "", _md_table(GROUP_HEADER, _group_rows(m["per_verdict"])), ""]
    conf = m["confusion"]
    cols = list(next(iter(conf.values())).keys())
    parts += ["## Confusion (rows: expected, columns: got)", "",
              _md_table(("expected \\ got", *cols), [[g, *(str(conf[g][c]) for c in cols)] for g in conf]), ""]
    if result.curves:
        parts += ["## Retrieval: ours vs baselines (recall@k of the gold evidence)", "",
                  _md_table(("system", *(f"@{k}" for k in CURVE_KS)), _curve_rows(result.curves)), "",
                  "Ours and the bm25/dense baselines search the project's clause index, filtered to the licenses the "
                  "answer resolved; the naive LangChain pipeline searches 1000-character pieces of the whole texts "
                  "with no filter.", ""]
    parts += ["## Per license", "", _md_table(GROUP_HEADER, _group_rows(m["per_license"])), ""]
    bad = failures(result.scores)
    parts += [f"## Failures ({len(bad)})", ""]
    if len(bad) > MAX_FAILURES:
        parts += [f"The first {MAX_FAILURES} are shown; scores.jsonl has all of them.", ""]
    parts += [_failure_md(s) + "\n" for s in bad[:MAX_FAILURES]]
    if not bad:
        parts.append("None: every verdict and license set matched.")
    return "\n".join(parts) + "\n"


def plot_facets(per_facet: dict[str, dict], path: Path) -> None:
    names = list(per_facet)
    acc = [100 * (per_facet[n]["verdict_accuracy"] or 0.0) for n in names]
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.35 * len(names) + 1)))
    ax.barh(names, acc, color="#4C72B0")
    ax.set_xlim(0, 100)
    ax.set_xlabel("verdict accuracy (%)")
    ax.invert_yaxis()
    for i, n in enumerate(names):
        ax.text(min(acc[i] + 1, 92), i, f"n={per_facet[n]['n']}", va="center", fontsize=8)
    ax.set_title("Verdict accuracy per facet")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_curves(curves: dict[str, dict], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, c in curves.items():
        ks = [k for k in CURVE_KS if c.get(str(k)) is not None]
        ax.plot(ks, [100 * c[str(k)] for k in ks], marker="o", label=name)
    ax.set_xticks(list(CURVE_KS))
    ax.set_ylim(0, 100)
    ax.set_xlabel("k")
    ax.set_ylabel("evidence recall@k (%)")
    ax.set_title("Retrieval recall@k")
    if curves:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_latency(scores: Sequence[QuestionScore], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist([s.latency_ms for s in scores], bins=30, color="#55A868")
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(result: RunResult, out_dir: str | Path, questions_path: str = "") -> list[Path]:
    """Write report.md, metrics.json, scores.jsonl and the plots into out_dir; return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.md", out / "metrics.json", out / "scores.jsonl", *(out / p for p in PLOTS)]
    paths[0].write_text(markdown(result, questions_path), encoding="utf-8")
    paths[1].write_text(json.dumps(result.metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[2].write_text("".join(json.dumps(s.to_dict(), ensure_ascii=False) + "\n" for s in result.scores),
                        encoding="utf-8")
    plot_facets(result.metrics["per_facet"], paths[3])
    plot_curves(result.curves, paths[4])
    plot_latency(result.scores, paths[5])
    return paths


def terminal_table(result: RunResult) -> str:
    rows = summary_rows(result.metrics)
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    if result.curves:
        name_w = max(len(n) for n in result.curves)
        lines += ["", f"{'recall@k':<{name_w}}  " + "  ".join(f"{'@' + str(k):>6}" for k in CURVE_KS)]
        for name, c in result.curves.items():
            lines.append(f"{name:<{name_w}}  " + "  ".join(f"{fmt(c.get(str(k))):>6}" for k in CURVE_KS))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ several splits

SPLIT_ROWS: tuple[tuple[str, str], ...] = (
    ("verdict accuracy", "verdict_accuracy"),
    ("license resolution", "license_resolution"),
    ("evidence recall", "evidence_recall"),
    ("quote fidelity", "quote_fidelity"),
    ("retrieval recall@5", "retrieval_recall_at_5"),
)
MAX_MISSES = 60  # per cause group and split in report.md; scores.jsonl has all of them
QUESTION_CHARS = 90


def _points(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f} pts"


def split_table(runs: dict[str, RunResult], gap: dict | None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the side-by-side table (one column per split, then the dev minus held-out gap)."""
    header = ["", *runs, *(["gap dev - heldout"] if gap is not None else [])]
    rows = [["questions", *(str(r.metrics["n_questions"]) for r in runs.values()), *([""] if gap is not None else [])]]
    for label, key in SPLIT_ROWS:
        rows.append([label, *(fmt(r.metrics.get(key)) for r in runs.values()),
                     *([_points(gap.get(key))] if gap is not None else [])])
    rows.append(["latency p50 / p95 (ms)",
                 *(f"{fmt(r.metrics['latency_p50_ms'], False)} / {fmt(r.metrics['latency_p95_ms'], False)}"
                   for r in runs.values()), *([""] if gap is not None else [])])
    return header, rows


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    line = lambda cells: "  ".join(f"{str(c):<{w}}" if i == 0 else f"{str(c):>{w}}"  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
    return "\n".join([line(header), *(line(r) for r in rows)])


def confusion_rows(conf: dict[str, dict[str, int]]) -> tuple[list[str], list[list[str]]]:
    cols = list(next(iter(conf.values()))) if conf else []
    return ["gold \\ answered", *cols], [[g, *(str(conf[g][c]) for c in cols)] for g in conf]


def _short(text: str, n: int = QUESTION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def cause_counts(analyses: dict[str, dict[str, list]]) -> tuple[list[str], list[list[str]]]:
    from eval.metrics import GROUPS, RETRIEVAL

    header = ["misses by cause", *analyses]
    rows = [[g if g != RETRIEVAL else "retrieval (verdict right, evidence recall < 1)",
             *(str(len(a[g])) for a in analyses.values())] for g in GROUPS]
    return header, rows


def _miss_line(s: QuestionScore) -> str:
    lic_g = ", ".join(s.licenses_gold) or "(none)"
    lic_a = ", ".join(s.licenses_got) or "(none)"
    extra = f", facet {s.facet} vs {s.facet_got or '(none)'}"
    if s.evidence_recall is not None and s.verdict_ok:
        extra += f", evidence recall {fmt(s.evidence_recall)}"
    return (f"- `{s.id}` {_short(s.question)!r}: gold **{s.gold_verdict}** vs answered **{s.verdict}**; "
            f"licenses {lic_g} vs {lic_a}{extra}")


def error_analysis_md(analyses: dict[str, dict[str, list]]) -> list[str]:
    from eval.metrics import GROUPS

    header, rows = cause_counts(analyses)
    parts = ["## Error analysis", "",
             "Every miss (wrong verdict) is put in the first group that explains it: **license resolution** (the "
             "answer's license set differs from the gold set), **situation reading** (licenses right, the answer's "
             "first facet differs from the gold facet), **rule** (licenses and facet right, verdict wrong). "
             "**retrieval** lists answers whose verdict is right but which did not cite every gold evidence phrase.",
             "", _md_table(header, rows), ""]
    for group in GROUPS:
        parts += [f"### {group}", ""]
        for split, a in analyses.items():
            misses = a[group]
            parts += [f"**{split}** ({len(misses)})", ""]
            parts += [_miss_line(s) for s in misses[:MAX_MISSES]]
            if len(misses) > MAX_MISSES:
                parts.append(f"- ... and {len(misses) - MAX_MISSES} more (see scores.jsonl)")
            parts.append("")
    return parts


def invariance_rows(inv: dict) -> list[tuple[str, str]]:
    return [
        ("situations / variants", f"{inv['n_situations']} / {inv['n_variants']}"),
        ("variant answers all agree", fmt(inv["consistent"])),
        ("variant answers all equal the gold verdict", fmt(inv["all_gold"])),
        ("directional pairs whose verdicts match their golds (majority of variants)",
         f"{fmt(inv['pairs_ok'])} of {inv['n_pairs']}"),
        ("directional pairs, every variant right", fmt(inv["pairs_ok_strict"])),
    ]


def invariance_md(inv: dict) -> list[str]:
    parts = ["## Invariance and directional pairs", "", _md_table(("", "value"), invariance_rows(inv)), ""]
    parts += [f"### Situations whose variants disagree ({len(inv['disagreements'])})", ""]
    for r in inv["disagreements"]:
        parts += [f"- `{r['id']}` (gold **{r['gold']}**, majority {r['majority']}):"]
        parts += [f"  - {v['how']}: **{v['verdict']}**: {_short(v['question'], 110)!r}" for v in r["variants"]]
    if not inv["disagreements"]:
        parts.append("None.")
    parts += ["", f"### Situations answered consistently but not with the gold verdict ({len(inv['off_gold'])})", ""]
    off = [f"- `{r['id']}`: gold **{r['gold']}**, answered **{r['majority']}**" for r in inv["off_gold"]]
    parts += off or ["None."]
    parts += ["", "### Directional pairs", "",
              _md_table(("pair", "situation: gold -> answered (majority)", "ok"),
                        [[p["pair"], "; ".join(f"{s['id']}: {s['gold']} -> {s['majority']}" for s in p["situations"]),
                          "yes" if p["ok"] else "**no**"] for p in inv["pairs"]]), ""]
    return parts


def splits_markdown(runs: dict[str, RunResult], gap: dict | None, analyses: dict, inv: dict | None,
                    files: dict[str, str], by_origin: dict | None = None) -> str:
    header, rows = split_table(runs, gap)
    parts = ["# License assistant: evaluation by split", "",
             "Splits: " + ", ".join(f"**{n}** (`{files[n]}`)" for n in runs) + ". Each split's full report (per "
             "facet, per license, failures, plots) is in its own directory next to this file.", "",
             _md_table(header, rows), ""]
    if by_origin:
        parts += ["## Verdict accuracy by where the questions come from", "", _md_table(*origin_rows(by_origin)), ""]
    for name, r in runs.items():
        h, rs = confusion_rows(r.metrics["confusion"])
        parts += [f"## Confusion: {name} (rows: gold verdict, columns: answered verdict)", "", _md_table(h, rs), ""]
    parts += error_analysis_md(analyses)
    if inv is not None:
        parts += invariance_md(inv)
    return "\n".join(parts) + "\n"


def write_splits_report(runs: dict[str, RunResult], metrics: dict, analyses: dict, out_dir: str | Path,
                        files: dict[str, str]) -> list[Path]:
    """report.md, metrics.json and scores.jsonl (one line per question, with its split) in out_dir, and each
    split's own full report in out_dir/<split>/."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, r in runs.items():
        write_report(r, out / name, questions_path=files[name])
    paths = [out / "report.md", out / "metrics.json", out / "scores.jsonl"]
    paths[0].write_text(splits_markdown(runs, metrics.get("gap_points"), analyses, metrics.get("invariance"),
                                        files, metrics.get("by_origin")), encoding="utf-8")
    paths[1].write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[2].write_text("".join(json.dumps({"split": name, **s.to_dict()}, ensure_ascii=False) + "\n"
                                for name, r in runs.items() for s in r.scores), encoding="utf-8")
    return paths


def origin_rows(by_origin: dict[str, dict]) -> tuple[list[str], list[list[str]]]:
    """Verdict accuracy of each split by where its questions come from (n in brackets)."""
    origins = sorted({o for split in by_origin.values() for o in split})
    header = ["verdict accuracy by origin", *by_origin]
    rows = [[o, *(f"{fmt(s[o]['verdict_accuracy'])} ({s[o]['n']})" if o in s else "-" for s in by_origin.values())]
            for o in origins]
    return header, rows


def splits_terminal(runs: dict[str, RunResult], metrics: dict, analyses: dict) -> str:
    header, rows = split_table(runs, metrics.get("gap_points"))
    lines = [_text_table(header, rows), ""]
    if metrics.get("by_origin"):
        lines += [_text_table(*origin_rows(metrics["by_origin"])), ""]
    for name, r in runs.items():
        h, rs = confusion_rows(r.metrics["confusion"])
        lines += [f"confusion {name} (rows gold, columns answered)", _text_table(h, rs), ""]
    lines += [_text_table(*cause_counts(analyses))]
    inv = metrics.get("invariance")
    if inv is not None:
        lines += ["", "invariance", _text_table(("", ""), invariance_rows(inv))]
    return "\n".join(lines)
