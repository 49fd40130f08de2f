"""Turn curated facts plus the figures in a question into a verdict per license and facet.

Facts decide; figures only pick between the two verdicts a threshold facet records (above / at or below).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .facts import FacetFacts, LicenseFacts, Threshold, facts_for
from .figures import Figure

#: Most restrictive first; used to combine facets and licenses.
_SEVERITY = {"no": 3, "conditional": 2, "yes": 1, "not_addressed": 0}

#: Approximate units of USD per unit of currency, only to compare a figure with a threshold that is far
#: from it; a figure close to a threshold after conversion is flagged as such.
APPROX_USD_RATES: dict[str, float] = {
    "USD": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "CHF": 1.12,
    "CAD": 0.73,
    "AUD": 0.65,
    "JPY": 0.0067,
    "CNY": 0.14,
    "HKD": 0.128,
    "INR": 0.012,
    "KRW": 0.00073,
    "SGD": 0.74,
}
_CLOSE = 0.10  # within 10% of the threshold after an approximate conversion, say so

# Facets whose question can be decided by a threshold recorded on another facet of the same license.
_BORROW = {"commercial_use": ("user_threshold", "revenue_threshold")}


@dataclass
class Decision:
    license_key: str
    facet: str
    verdict: str | None
    summary: str
    sections: list[str]
    conditions: list[str]
    notes: list[str]
    curated: bool
    unverified: bool
    threshold: dict | None = None
    figure: Figure | None = None
    aup_sections: list[str] = field(default_factory=list)
    case: str | None = None  # the phrase of the reviewed case that decided it, if one did


def _human(value: float) -> str:
    """700000000 -> '700 million', 1000000 -> '1 million', 800000 -> '800,000'."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.2f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{value:,.0f}"


def _metric_words(metric: str) -> str:
    return {
        "monthly_active_users": "monthly active users",
        "annual_revenue": "annual revenue",
        "monthly_revenue": "monthly revenue",
    }.get(metric, metric.replace("_", " "))


def _matches(figure: Figure, threshold: Threshold) -> bool:
    if figure.kind == "users":
        return threshold.metric == "monthly_active_users"
    if figure.kind == "money":
        return threshold.metric in ("annual_revenue", "monthly_revenue")
    return False


def _relevant(figures: Sequence[Figure], threshold: Threshold) -> list[Figure]:
    """Figures that can be compared with the threshold. A user count that says "monthly active users" wins
    over bare counts, which are often model sizes ("72B") or stray numbers; money figures all count (a
    parent group's bare "$50M" next to a subsidiary's "$200k/yr" must not be dropped)."""
    matching = [f for f in figures if _matches(f, threshold)]
    if threshold.metric == "monthly_active_users":
        explicit = [f for f in matching if f.metric == "monthly_active_users"]
        return explicit or matching
    return matching


def _normalise(figure: Figure, threshold: Threshold) -> tuple[float | None, list[str], bool]:
    """The figure in the threshold's metric and currency, notes on what was assumed, and whether the
    conversion used approximate exchange rates. None when it cannot be compared."""
    notes: list[str] = []
    value = figure.value
    approximate = False
    if figure.kind == "users":
        if figure.metric != "monthly_active_users":
            notes.append(f"'{figure.text}' was read as monthly active users, which is what the threshold counts.")
        return value, notes, approximate
    # money: period first
    period = figure.metric
    if period == "revenue":
        period = "annual_revenue"
        notes.append(f"'{figure.text}' does not say per year or per month; it was read as annual revenue.")
    if period != threshold.metric:
        if period == "monthly_revenue" and threshold.metric == "annual_revenue":
            value *= 12
            notes.append(f"Monthly revenue '{figure.text}' was converted to annual revenue (x12): {_human(value)}.")
        elif period == "annual_revenue" and threshold.metric == "monthly_revenue":
            value /= 12
            notes.append(f"Annual revenue '{figure.text}' was converted to monthly revenue (/12): {_human(value)}.")
    # then currency
    target = threshold.currency
    source = figure.currency
    if target and not source:
        notes.append(f"No currency was given; '{figure.text}' was read as {target}.")
    elif target and source and source.upper() != target.upper():
        rates = APPROX_USD_RATES
        if source.upper() not in rates or target.upper() not in rates:
            notes.append(f"Could not compare {source} with the {target} threshold: no exchange rate is known for it.")
            return None, notes, approximate
        value = value * rates[source.upper()] / rates[target.upper()]
        approximate = True
        notes.append(
            f"{source} was converted to {target} at an approximate fixed rate: about {target} {_human(value)}."
        )
    return value, notes, approximate


def _compare(figure: Figure, threshold: Threshold) -> tuple[str | None, str, list[str]]:
    """(verdict, summary, notes) for one figure against one threshold; verdict None when not comparable."""
    value, notes, approximate = _normalise(figure, threshold)
    if value is None:
        return None, "", notes
    unit = f"{threshold.currency} " if threshold.currency else ""
    limit = f"{unit}{_human(threshold.value)} {_metric_words(threshold.metric)}"
    if value > threshold.value:
        verdict, side, text = threshold.above, "above", threshold.above_summary
    else:
        verdict, side, text = threshold.at_or_below, "at or below", threshold.at_or_below_summary
    if approximate and abs(value - threshold.value) <= _CLOSE * threshold.value:
        notes.append("The converted figure is close to the threshold; check it with the actual exchange rate.")
    if threshold.measured:
        notes.append(f"The threshold is measured for: {threshold.measured}.")
    # Show the normalised number only when it differs from what the question wrote.
    shown = "" if value == figure.value else f" (about {unit}{_human(value)})"
    summary = f"{figure.text}{shown} is {side} the threshold of {limit}. {text}"
    return verdict, summary, notes


def _candidates(facts: LicenseFacts, facet: str, own: FacetFacts) -> list[tuple[str, FacetFacts, Threshold]]:
    found: list[tuple[str, FacetFacts, Threshold]] = []
    if own.threshold:
        found.append((facet, own, own.threshold))
    for other in _BORROW.get(facet, ()):
        other_facts = facts.facet(other)
        if other_facts and other_facts.threshold:
            if not any(t.metric == other_facts.threshold.metric for _, _, t in found):
                found.append((other, other_facts, other_facts.threshold))
    return found


#: Threshold facets that, on a license without any threshold, are answered by its general use grant.
_NO_CAP_FALLBACK = {"user_threshold": "commercial_use", "revenue_threshold": "commercial_use"}


def _has_threshold(facts: LicenseFacts) -> bool:
    return any(f.threshold for f in facts.facets.values())


def _threshold_related(condition: str) -> bool:
    words = condition.lower()
    return any(w in words for w in ("monthly active", "mau", "revenue", "users"))


def _uncurated(license_key: str, facet: str, figures: Sequence[Figure]) -> Decision:
    return Decision(
        license_key=license_key,
        facet=facet,
        verdict=None,
        summary=(
            f"The license {license_key} has not been curated yet, so no verdict is given; "
            "read the quoted clauses instead."
        ),
        sections=[],
        conditions=[],
        notes=["No curated facts exist for this license."],
        curated=False,
        unverified=False,
        figure=figures[0] if figures else None,
    )


def _apply_case(decision: Decision, own: FacetFacts, question: str | None) -> Decision:
    """The first reviewed case whose phrases occur in the question replaces the facet's general verdict."""
    if not question:
        return decision
    for case in own.cases:
        phrase = case.matches(question)
        if phrase is None:
            continue
        decision.verdict = case.verdict
        decision.case = phrase
        decision.summary = case.summary.strip()
        decision.sections = list(dict.fromkeys([*case.sections, *decision.sections]))
        decision.notes = [*case.notes, f"Decided for this question because it mentions '{phrase.rstrip('*')}'."]
        decision.notes += [n for n in own.notes if n not in decision.notes]
        decision.unverified = decision.unverified or case.unverified
        if case.verdict != "conditional":
            decision.conditions = []
        return decision
    return decision


def decide(license_key: str, facet: str, figures: Sequence[Figure] = (), question: str | None = None) -> Decision:
    """The verdict for one license and facet, using the question's figures where a threshold applies and,
    when the question text is given, the facet's reviewed cases (e.g. "military use" under acceptable_use)."""
    facts = facts_for(license_key)
    if facts is None:
        return _uncurated(license_key, facet, figures)
    own = facts.facet(facet)
    if own is None and facet in _NO_CAP_FALLBACK and not _has_threshold(facts):
        # "Any user limit?" on a license with no size or revenue cap: the general grant answers it.
        general = decide(license_key, _NO_CAP_FALLBACK[facet], figures, question)
        kind = "user-count" if facet == "user_threshold" else "revenue"
        general.facet = facet
        general.summary = f"The license sets no {kind} threshold. {general.summary}".strip()
        return general
    if own is None:
        return Decision(
            license_key=license_key,
            facet=facet,
            verdict="not_addressed",
            summary=f"The curated facts for {license_key} record nothing that decides this ({facet}).",
            sections=[],
            conditions=[],
            notes=[f"No curated entry for the facet '{facet}' in {license_key}."],
            curated=True,
            unverified=False,
        )
    decision = Decision(
        license_key=license_key,
        facet=facet,
        verdict=own.verdict,
        summary=own.summary.strip(),
        sections=list(own.sections),
        conditions=list(own.conditions),
        notes=list(own.notes),
        curated=True,
        unverified=own.unverified,
        threshold=own.threshold.model_dump() if own.threshold else None,
        aup_sections=list(own.aup_sections),
    )
    results = []
    for source_facet, source, threshold in _candidates(facts, facet, own):
        for figure in _relevant(figures, threshold):
            verdict, summary, notes = _compare(figure, threshold)
            results.append((verdict, summary, notes, figure, threshold, source_facet, source))
    if not results:
        return _apply_case(decision, own, question)
    comparable = [r for r in results if r[0] is not None]
    if not comparable:
        for r in results:
            decision.notes.extend(r[2])
        decision.notes.append("The figure could not be compared, so the verdict is the one without a figure.")
        return _apply_case(decision, own, question)
    # Several figures (users and revenue): the most restrictive outcome decides.
    verdict, summary, notes, figure, threshold, source_facet, source = max(comparable, key=lambda r: _SEVERITY[r[0]])
    for other in comparable:
        if other[3] is not figure:
            decision.notes.append(other[1])
    decision.verdict = verdict
    decision.summary = summary
    decision.figure = figure
    decision.threshold = threshold.model_dump()
    decision.unverified = own.unverified or source.unverified
    for section in source.sections:
        if section not in decision.sections:
            decision.sections.append(section)
    if source_facet != facet:
        decision.notes.append(f"Decided by the license's {source_facet.replace('_', ' ')}.")
    # The figure settles the size test; the license's other conditions stay conditions only while the
    # verdict is still conditional, otherwise they are worth a note (a "yes" keeps the AUP as a note).
    still = [c for c in own.conditions if not _threshold_related(c)]
    decision.conditions = still if verdict == "conditional" else []
    if still and verdict == "yes":
        decision.notes.append("Other terms still apply: " + "; ".join(still) + ".")
    decision.notes = notes + decision.notes
    return decision


def decide_all(
    license_keys: Iterable[str], facets: Iterable[str], figures: Sequence[Figure] = (), question: str | None = None
) -> list[Decision]:
    """One decision per (license, facet) pair, licenses in the given order."""
    facet_list = list(facets)
    return [decide(key, facet, figures, question) for key in license_keys for facet in facet_list]


def overall_verdict(decisions: Sequence[Decision]) -> str | None:
    """The combined verdict: the most restrictive of the curated ones (no > conditional > yes);
    not_addressed only when every one is; None when none is curated."""
    verdicts = [d.verdict for d in decisions if d.verdict is not None]
    if not verdicts:
        return None
    return max(verdicts, key=lambda v: _SEVERITY[v])


def restrictions_elsewhere(
    license_key: str, asked: Sequence[str], figures: Sequence[Figure], question: str
) -> list[Decision]:
    """Reviewed "no" cases of the license's other facets that the question triggers.

    A restriction applies whatever the question's main topic: "can we fine-tune Llama 4 in Berlin?" is about
    derivatives, but the EU clause (a territory case) decides it.
    """
    facts = facts_for(license_key)
    if facts is None or not question:
        return []
    found = []
    for facet in facts.facets:
        if facet in asked:
            continue
        d = decide(license_key, facet, figures, question)
        if d.case is not None and d.verdict == "no":
            found.append(d)
    return found
