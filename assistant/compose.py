"""The offline composer: deterministic plain-English text over decisions, assessments and clauses.

It words the answer; it never decides it. The verdict comes from the curated facts (assistant.reason) or the
openness assessment (assistant.openness), and the quotes from the source texts (assistant.citations).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer import VERDICT_LABELS
from assistant.render import FACET_LABELS

LEAD = {
    "yes": "Yes.",
    "no": "No.",
    "conditional": "Yes, but only under conditions.",
    "not_addressed": "The license text does not decide this.",
}


def license_label(key: str) -> str:
    from assistant.catalog import load_catalog
    from assistant.licensedb import load_license

    entry = load_catalog().license(key)
    if entry:
        return entry.name
    try:
        return load_license(key).short_name
    except KeyError:
        return key


def subject_sentence(models: Sequence[str], licenses: Sequence[str], chains: Sequence[str]) -> str:
    """Which license governs the model the user named, and why (the resolution chain)."""
    if not models:
        return ""
    names = ", ".join(f"**{license_label(k)}** (`{k}`)" for k in licenses)
    text = f"{', '.join(models)}: governed by {names}." if names else f"{', '.join(models)}: no license resolved."
    # a direct "model -> license" chain repeats the sentence; derivatives ("-> base ...") say why
    chains = [c for c in chains if c.count("->") > 1]
    if chains:
        text += " Why: " + "; ".join(chains) + "."
    return text


#: How the reasons of a verdict are introduced.
REASONS_LEAD = {
    "no": "Not allowed as described.",
    "conditional": "Allowed, on conditions the question leaves open.",
    "yes": "Allowed.",
    "not_addressed": "",
}


#: Literal questions ("do I have to ...?", "does it forbid ...?") get a literal lead, not "allowed".
LITERAL_LEAD = {"no": "No.", "conditional": "It depends.", "yes": "Yes.", "not_addressed": ""}
PERMISSION_KINDS = frozenset({"permission", "checklist"})


def decisions_text(decisions: Sequence) -> str:
    """One short paragraph per license (several facets joined)."""
    # the verdict itself is shown by the caller (badge / "Verdict:" line); the text says why
    lines: list[str] = []
    by_license: dict[str, list] = {}
    for d in decisions:
        by_license.setdefault(d.license_key, []).append(d)
    multi = len(by_license) > 1
    for key, ds in by_license.items():
        seen: set[str] = set()
        sentences = []
        for d in ds:
            s = d.summary.strip()
            if s and s not in seen:
                seen.add(s)
                sentences.append(s)
        body = " ".join(sentences)
        leads = REASONS_LEAD if getattr(ds[0], "kind", "permission") in PERMISSION_KINDS else LITERAL_LEAD
        lead = leads.get(ds[0].verdict or "", "") if getattr(ds[0], "checklist", None) is not None else ""
        if lead and not multi:
            body = f"{lead} {body}"
        if multi:
            v = ds[0].verdict
            tag = f" — *{VERDICT_LABELS[v]}*" if v in VERDICT_LABELS else ""
            lines.append(f"**{license_label(key)}**{tag}: {body}")
        else:
            lines.append(body)
    return "\n\n".join(x for x in lines if x)


def uncurated_text(key: str, category: str) -> str:
    return (
        f"The {license_label(key)} (`{key}`) is in ScanCode's LicenseDB (category: {category}) but its terms are not "
        "curated here, so no verdict is given. The clauses below are the ones that best match the question; read them "
        "to decide."
    )


def unknown_text(unknown: Sequence[str], suggestions: dict[str, list[str]]) -> str:
    parts = []
    for u in unknown:
        sug = suggestions.get(u) or []
        hint = f" Closest known names: {', '.join(sug)}." if sug else ""
        parts.append(f"I don't know a model or license called “{u}”.{hint}")
    parts.append("I can't answer without its license text, and I won't guess its terms.")
    return " ".join(parts)


def no_subject_text() -> str:
    return (
        "Which model or license do you mean? Name it (e.g. “Llama 3.1”, “Gemma 2”, “Apache-2.0”) or pick one, "
        "and I'll answer from its text. The clauses below are the closest matches across all indexed licenses."
    )


def openness_text(assessment) -> str:
    lines = [f"{LEAD.get(assessment.verdict, '')} {assessment.subject}: {assessment.label}.".strip()]
    for check in assessment.checks:
        mark = {True: "meets", False: "fails", None: "cannot tell"}[check.met]
        lines.append(f"- `{check.anchor}` — {mark}: {check.why}")
    return "\n".join(lines)


def comparison_rows(cells: dict[tuple[str, str], object], facets: Sequence[str], keys: Sequence[str]) -> list[dict]:
    """Rows for a facet x license table; each cell a verdict label and the section that decides it."""
    rows = []
    for facet in facets:
        row: dict = {"facet": facet}
        for key in keys:
            d = cells.get((facet, key))
            if d is None or d.verdict is None:
                row[license_label(key)] = "not curated"
                continue
            sec = f" (§{d.sections[0]})" if d.sections else ""
            row[license_label(key)] = f"{VERDICT_LABELS[d.verdict]}{sec}"
        rows.append(row)
    return rows


def comparison_text(facets: Sequence[str], keys: Sequence[str], verdict: str | None) -> str:
    names = " vs ".join(license_label(k) for k in keys)
    facet_names = ", ".join(FACET_LABELS.get(f, f).lower() for f in facets)
    lead = f"Compared on {facet_names}: {names}."
    if verdict:
        lead += f" Taken together (the most restrictive wins): {VERDICT_LABELS[verdict].lower()}."
    return lead
