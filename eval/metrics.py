"""Scores for one answer against one labelled question, and their averages overall and per group.

Every score is plain arithmetic over the `Answer` the assistant returned and the gold labels, so the metrics can be
checked on hand-made answers. Quote fidelity re-reads the source text itself (it does not trust the assistant's own
verification): a license quote must equal `load_license(key).text[start:end]`, a definition quote must equal the
text of the card criterion it cites.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.answer import VERDICTS

#: k values for the retrieval recall curves.
CURVE_KS: tuple[int, ...] = (1, 3, 5, 10)
#: The label used for a missing verdict (the assistant answered with a message, or failed).
NO_VERDICT = "none"

_WS = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case- and whitespace-folded copy, for 'is this gold string contained in that text' checks."""
    return _WS.sub(" ", text).strip().casefold()


def gold_licenses(question: dict) -> set[str]:
    lic = question.get("license")
    if lic is None:
        return set()
    return {lic} if isinstance(lic, str) else set(lic)


def contained_share(evidence: Sequence[str], texts: Iterable[str]) -> float | None:
    """Share of evidence strings found in at least one of `texts` (folded); None when there is no evidence."""
    if not evidence:
        return None
    folded = [fold(t) for t in texts if t]
    joined = " ".join(folded)  # a gold phrase may straddle two adjacent quotes
    found = sum(1 for e in evidence if (fe := fold(e)) and (any(fe in t for t in folded) or fe in joined))
    return found / len(evidence)


# ------------------------------------------------------------------------------------------ quote fidelity


def default_quote_source(license_key: str, section_id: str) -> str | None:
    """The text a citation's offsets index into: the LicenseDB text, or a definition card criterion's text."""
    if license_key.startswith("def:"):
        try:
            from assistant.catalog import load_catalog

            found = load_catalog().criterion(section_id)
        except Exception:  # no catalog yet, or a broken one: the citation cannot be checked
            return None
        return found[1].text if found else None
    from assistant.licensedb import load_license

    try:
        return load_license(license_key).text
    except KeyError:
        return ""  # an unknown key is a citation of nothing: it cannot be verbatim


@dataclass
class QuoteCheck:
    checked: int = 0
    verbatim: int = 0
    skipped_definitions: int = 0  # definition citations whose card text could not be found
    bad: list[dict] = field(default_factory=list)


QuoteSource = Callable[[str, str], "str | None"]


def check_quotes(citations: Sequence[Any], source: QuoteSource = default_quote_source) -> QuoteCheck:
    out = QuoteCheck()
    for c in citations:
        text = source(c.license_key, c.section_id)
        if text is None:
            out.skipped_definitions += 1
            continue
        out.checked += 1
        if c.quote and 0 <= c.start <= c.end <= len(text) and text[c.start : c.end] == c.quote:
            out.verbatim += 1
        else:
            out.bad.append({"license_key": c.license_key, "section_id": c.section_id, "start": c.start,
                            "end": c.end, "quote": c.quote[:200]})
    return out


# ------------------------------------------------------------------------------------------ one question


@dataclass
class QuestionScore:
    id: str
    question: str
    facet: str
    gold_verdict: str
    verdict: str
    licenses_gold: list[str]
    licenses_got: list[str]
    verdict_ok: bool
    license_ok: bool
    evidence_recall: float | None
    retrieval_recall_at_5: float | None
    quotes_checked: int
    quotes_verbatim: int
    quotes_skipped: int
    latency_ms: float
    facet_got: str | None = None  # the first facet the answer read in the question
    citations: list[dict] = field(default_factory=list)
    bad_quotes: list[dict] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def score_answer(question: dict, answer: Any, source: QuoteSource = default_quote_source, k: int = 5) -> QuestionScore:
    """Score one `assistant.answer.Answer` (or anything shaped like it) against one labelled question."""
    gold = gold_licenses(question)
    got = set(answer.licenses or [])
    quotes = [c.quote for c in answer.citations]
    retrieved = [r.get("text", "") if isinstance(r, dict) else getattr(r, "text", "") for r in answer.retrieved][:k]
    qc = check_quotes(answer.citations, source)
    verdict = answer.verdict or NO_VERDICT
    return QuestionScore(
        id=question["id"], question=question["question"], facet=question["facet"],
        gold_verdict=question["verdict"], verdict=verdict,
        licenses_gold=sorted(gold), licenses_got=sorted(got),
        verdict_ok=verdict == question["verdict"], license_ok=got == gold,
        evidence_recall=contained_share(question.get("evidence") or [], quotes),
        retrieval_recall_at_5=contained_share(question.get("evidence") or [], retrieved),
        quotes_checked=qc.checked, quotes_verbatim=qc.verbatim, quotes_skipped=qc.skipped_definitions,
        latency_ms=float(getattr(answer, "latency_ms", 0.0) or 0.0),
        facet_got=next(iter(getattr(answer, "facets", None) or []), None),
        citations=[{"license_key": c.license_key, "section_id": c.section_id, "quote": c.quote}
                   for c in answer.citations],
        bad_quotes=qc.bad,
    )


def failed_score(question: dict, error: str, latency_ms: float = 0.0) -> QuestionScore:
    """The score of a question the assistant could not answer at all (an exception)."""
    return QuestionScore(
        id=question["id"], question=question["question"], facet=question["facet"],
        gold_verdict=question["verdict"], verdict=NO_VERDICT, licenses_gold=sorted(gold_licenses(question)),
        licenses_got=[], verdict_ok=False, license_ok=False,
        evidence_recall=0.0 if question.get("evidence") else None,
        retrieval_recall_at_5=0.0 if question.get("evidence") else None,
        quotes_checked=0, quotes_verbatim=0, quotes_skipped=0, latency_ms=latency_ms, error=error,
    )


# ------------------------------------------------------------------------------------------ aggregates


def mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..100), like numpy's default."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summarize(scores: Sequence[QuestionScore]) -> dict:
    """The headline numbers for a group of scored questions."""
    checked = sum(s.quotes_checked for s in scores)
    return {
        "n": len(scores),
        "verdict_accuracy": mean(float(s.verdict_ok) for s in scores),
        "license_resolution": mean(float(s.license_ok) for s in scores),
        "evidence_recall": mean(s.evidence_recall for s in scores),
        "retrieval_recall_at_5": mean(s.retrieval_recall_at_5 for s in scores),
        # None when nothing could be checked: "no quotes" is not the same as "all quotes verbatim"
        "quote_fidelity": (sum(s.quotes_verbatim for s in scores) / checked) if checked else None,
        "quotes_checked": checked,
        "quotes_skipped_definitions": sum(s.quotes_skipped for s in scores),
    }


def group_by(scores: Sequence[QuestionScore], key: Callable[[QuestionScore], Iterable[str]]) -> dict[str, dict]:
    groups: dict[str, list[QuestionScore]] = defaultdict(list)
    for s in scores:
        for g in key(s):
            groups[g].append(s)
    return {g: summarize(v) for g, v in sorted(groups.items())}


def confusion(scores: Sequence[QuestionScore]) -> dict[str, dict[str, int]]:
    """gold verdict -> predicted verdict -> count (rows and columns always list every verdict)."""
    labels = [*VERDICTS, NO_VERDICT]
    counts = Counter((s.gold_verdict, s.verdict) for s in scores)
    return {g: {p: counts.get((g, p), 0) for p in labels} for g in VERDICTS}


def aggregate(scores: Sequence[QuestionScore]) -> dict:
    """Everything metrics.json reports about the assistant itself (baselines are added by the runner)."""
    overall = summarize(scores)
    lat = [s.latency_ms for s in scores]
    return {
        "n_questions": len(scores),
        "verdict_accuracy": overall["verdict_accuracy"],
        "evidence_recall": overall["evidence_recall"],
        "license_resolution": overall["license_resolution"],
        "quote_fidelity": overall["quote_fidelity"],
        "quotes_checked": overall["quotes_checked"],
        "quotes_skipped_definitions": overall["quotes_skipped_definitions"],
        "retrieval_recall_at_5": overall["retrieval_recall_at_5"],
        "latency_p50_ms": percentile(lat, 50),
        "latency_p95_ms": percentile(lat, 95),
        "errors": sum(1 for s in scores if s.error),
        "per_facet": group_by(scores, lambda s: [s.facet]),
        "per_verdict": group_by(scores, lambda s: [s.gold_verdict]),
        "per_license": group_by(scores, lambda s: s.licenses_gold or ["(none)"]),
        "confusion": confusion(scores),
    }


def recall_curve(evidence_by_question: Sequence[Sequence[str]], retrieved_by_question: Sequence[Sequence[str]],
                 ks: Sequence[int] = CURVE_KS) -> dict[str, float | None]:
    """Mean recall@k over questions that have gold evidence, for each k (texts ranked best first)."""
    out = {}
    for k in ks:
        pairs = zip(evidence_by_question, retrieved_by_question, strict=True)
        out[str(k)] = mean(contained_share(ev, texts[:k]) for ev, texts in pairs)
    return out


# ------------------------------------------------------------------------------------------ error analysis

#: The cause groups of a miss, in the order they are tried: the first that explains the miss is its cause.
CAUSES: tuple[str, ...] = ("license resolution", "situation reading", "rule")
#: Verdict right, but the answer did not cite every gold evidence phrase.
RETRIEVAL = "retrieval"
GROUPS: tuple[str, ...] = (*CAUSES, RETRIEVAL)


def cause_of(s: QuestionScore) -> str | None:
    """Why a verdict is wrong (None when it is right): the licenses, then the reading of the situation, then the rule.

    - license resolution: the answer rests on another set of licenses than the gold set;
    - situation reading: the licenses are right but the answer's first facet is not the gold facet;
    - rule: licenses and facet right, yet the verdict is wrong (the license's rule, or how it was applied).
    """
    if s.verdict_ok:
        return None
    if not s.license_ok:
        return "license resolution"
    if s.facet_got != s.facet:
        return "situation reading"
    return "rule"


def error_analysis(scores: Sequence[QuestionScore]) -> dict[str, list[QuestionScore]]:
    """Every miss in exactly one cause group, plus the retrieval list (verdict right, evidence recall below 1)."""
    out: dict[str, list[QuestionScore]] = {g: [] for g in GROUPS}
    for s in scores:
        cause = cause_of(s)
        if cause is not None:
            out[cause].append(s)
        elif s.evidence_recall is not None and s.evidence_recall < 1:
            out[RETRIEVAL].append(s)
    return out


# ------------------------------------------------------------------------------------------ splits

#: The fractions compared across splits (the gap is reported in percentage points).
GAP_KEYS: tuple[str, ...] = ("verdict_accuracy", "license_resolution", "evidence_recall", "quote_fidelity",
                             "retrieval_recall_at_5")


def gap_points(dev: dict, heldout: dict) -> dict[str, float | None]:
    """dev minus held-out, in percentage points, for each fraction (None when either side was not measured)."""
    out: dict[str, float | None] = {}
    for key in GAP_KEYS:
        a, b = dev.get(key), heldout.get(key)
        out[key] = None if a is None or b is None else round(100 * (a - b), 2)
    return out


# ------------------------------------------------------------------------------------------ invariance


def majority(verdicts: Sequence[str]) -> str:
    """The most common verdict (ties go to the one asked first)."""
    return Counter(verdicts).most_common(1)[0][0] if verdicts else NO_VERDICT


def invariance_summary(questions: Sequence[dict], scores: Sequence[QuestionScore]) -> dict:
    """CheckList-style figures over the variants of each situation and the directional pairs.

    `questions` are the expanded variants (each with "situation", "how", "pair"), in the order of `scores`.
    - consistent: share of situations whose variants all got the same verdict;
    - all_gold: share of situations whose variants all got the gold verdict;
    - pairs_ok: share of directional pairs where both situations' majority verdicts equal their golds;
    - pairs_ok_strict: the same, but every variant of both situations must equal its gold.
    """
    sits: dict[str, dict] = {}
    for q, s in zip(questions, scores, strict=True):
        sit = sits.setdefault(q["situation"], {"id": q["situation"], "gold": q["verdict"], "pair": q.get("pair"),
                                               "license": q.get("license"), "variants": []})
        sit["variants"].append({"how": q.get("how", ""), "question": q["question"], "verdict": s.verdict})
    rows = list(sits.values())
    for r in rows:
        got = [v["verdict"] for v in r["variants"]]
        r["consistent"] = len(set(got)) == 1
        r["all_gold"] = all(g == r["gold"] for g in got)
        r["majority"] = majority(got)
    pairs: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["pair"]:
            pairs[r["pair"]].append(r)
    pair_rows = [{"pair": p, "situations": [{"id": r["id"], "gold": r["gold"], "majority": r["majority"]}
                                            for r in members],
                  "ok": all(r["majority"] == r["gold"] for r in members),
                  "ok_strict": all(r["all_gold"] for r in members)}
                 for p, members in sorted(pairs.items())]
    return {
        "n_situations": len(rows),
        "n_variants": len(scores),
        "consistent": mean(float(r["consistent"]) for r in rows),
        "all_gold": mean(float(r["all_gold"]) for r in rows),
        "n_pairs": len(pair_rows),
        "pairs_ok": mean(float(p["ok"]) for p in pair_rows),
        "pairs_ok_strict": mean(float(p["ok_strict"]) for p in pair_rows),
        "pairs": pair_rows,
        "disagreements": [r for r in rows if not r["consistent"]],
        "off_gold": [r for r in rows if r["consistent"] and not r["all_gold"]],
    }


def origin_of(question: dict) -> str:
    """Where a labelled question comes from: a real thread (its URL), crafted to probe the reading (typos, follow-ups,
    injections ...), or written in the style of a forum post ("forum-style", "HF discussion style" ...)."""
    source = str(question.get("source") or "")
    if source.startswith("http"):
        return "real thread"
    return "crafted" if source in ("crafted", "adversarial", "messy", "follow-up") else "forum-style"


def accuracy_by_origin(questions: Sequence[dict], scores: Sequence[QuestionScore]) -> dict[str, dict]:
    """Verdict accuracy per origin of the questions: splits of a different mix are compared like with like."""
    origin = {q["id"]: origin_of(q) for q in questions}
    out: dict[str, dict] = {}
    for s in scores:
        o = out.setdefault(origin.get(s.id.split(".")[0], "forum-style"), {"n": 0, "right": 0})
        o["n"] += 1
        o["right"] += bool(s.verdict_ok)
    return {k: {"n": v["n"], "verdict_accuracy": v["right"] / v["n"]} for k, v in sorted(out.items())}
