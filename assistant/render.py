"""Markdown for an Answer: verdict first, then why, then the deciding clauses quoted verbatim."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.answer import VERDICT_LABELS

if TYPE_CHECKING:
    from assistant.answer import Answer, Citation

FACET_LABELS = {
    "commercial_use": "Commercial use",
    "user_threshold": "User threshold",
    "revenue_threshold": "Revenue threshold",
    "output_use": "Use of outputs",
    "derivatives": "Derivatives / fine-tunes",
    "redistribution": "Redistribution",
    "attribution": "Attribution",
    "naming": "Naming",
    "acceptable_use": "Acceptable use",
    "field_of_use": "Field of use",
    "territory": "Territory",
    "termination": "Termination",
    "patent": "Patents",
    "openness_definition": "Openness",
    "data_availability": "Data availability",
    "warranty": "Warranty",
    "other": "Other",
}


def blockquote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.strip().splitlines())


def citation_markdown(c: Citation) -> str:
    if c.kind == "supplied":  # quoted from the user's own copy: the offsets are theirs, there is no link
        return f"**{c.label}** — your copy (chars {c.start}–{c.end})\n\n{blockquote(c.quote)}"
    kind = " *(the project's summary of the definition, not its text)*" if c.kind == "definition" else ""
    where = f" (chars {c.start}–{c.end})" if c.kind == "license" else ""
    return f"**{c.label}**{kind} — [source]({c.source_url}){where}\n\n{blockquote(c.quote)}"


def table_markdown(rows: list[dict]) -> str:
    if not rows:
        return ""
    cols = [k for k in rows[0] if k != "facet"]
    head = "| Facet | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols)
    body = "\n".join(
        f"| {FACET_LABELS.get(r['facet'], r['facet'])} | " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows
    )
    return head + "\n" + body


#: How each checklist status reads: a broken term, a condition that turns on a fact not given, a duty that applies.
CHECK_MARKS = {"violated": "✗ Not allowed as described:", "open": "? Depends:", "ok": "✓ Do:"}


def checklist_lines(a: Answer) -> list[str]:
    """What the user must do in their situation, one line per item, each with its license and section."""
    keys = {i["license_key"] for i in a.checklist}
    lines = []
    for item in a.checklist:
        secs = ", ".join(f"§{s}" if not s.startswith("¶") else s for s in item["sections"][:3])
        where = f"{item['license_key']} {secs}" if len(keys) > 1 else secs
        lines.append(f"- {CHECK_MARKS.get(item['status'], '-')} {item['text']}" + (f" ({where})" if where else ""))
    return lines


def answer_markdown(a: Answer) -> str:
    parts = []
    if a.verdict:
        parts.append(f"**Verdict: {VERDICT_LABELS[a.verdict]}**")
    if a.checklist:
        parts.append("**What you must do**\n\n" + "\n".join(checklist_lines(a)))
    parts.append(a.text.strip())
    if a.table:
        parts.append(table_markdown([{k: v for k, v in r.items() if k != "cells"} for r in a.table]))
    if a.citations:
        parts.append("**Deciding clauses**\n\n" + "\n\n".join(citation_markdown(c) for c in a.citations))
    if a.notes:
        parts.append("**Notes**\n\n" + "\n".join(f"- {n}" for n in a.notes))
    foot = " ".join(p for p in (f"As of: {a.as_of}." if a.as_of else "", a.disclaimer) if p)
    parts.append(f"*{foot}*")
    return "\n\n".join(p for p in parts if p)
