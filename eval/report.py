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
