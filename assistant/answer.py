"""The answer a user gets: a verdict, the reasons, and the deciding clauses quoted verbatim."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Verdict = Literal["yes", "no", "conditional", "not_addressed"]
VERDICTS: tuple[str, ...] = ("yes", "no", "conditional", "not_addressed")
VERDICT_LABELS = {
    "yes": "Yes",
    "no": "No",
    "conditional": "Conditional",
    "not_addressed": "Not addressed",
}
NOT_LEGAL_ADVICE = "This is an automated reading of license texts, not legal advice."


@dataclass(frozen=True)
class Citation:
    """One quoted clause. `quote` is always `source_text[start:end]` of the cited document."""

    license_key: str  # LicenseDB key, "def:<card id>" for a definition card; for a supplied text what it was taken for
    license_name: str
    section_id: str
    heading: str
    quote: str
    start: int
    end: int
    source_url: str
    #: "license" (verbatim LicenseDB text), "definition" (the project's own summary of a definition) or "supplied"
    #: (verbatim from the license text the user supplied: offsets into their copy)
    kind: str = "license"
    inferred_section: bool = False  # section number inferred from the text's layout, not printed in it

    @property
    def label(self) -> str:
        sec = f"§{self.section_id}" if not self.section_id.startswith("¶") else self.section_id
        if self.inferred_section:
            sec += " (numbering inferred)"
        return f"{self.license_name}, {sec}" + (f" — {self.heading}" if self.heading else "")


@dataclass
class Answer:
    question: str
    verdict: Verdict | None
    text: str  # markdown explanation, without the quotes (they are in citations)
    citations: list[Citation] = field(default_factory=list)
    licenses: list[str] = field(default_factory=list)  # resolved LicenseDB keys
    external_licenses: list[str] = field(default_factory=list)  # licenses without a LicenseDB text (recorded terms)
    models: list[str] = field(default_factory=list)  # resolved model names
    facets: list[str] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)  # extracted figures, e.g. {"value": 9e8, "unit": "users"}
    notes: list[str] = field(default_factory=list)
    as_of: str = ""
    disclaimer: str = NOT_LEGAL_ADVICE
    table: list[dict] | None = None  # comparisons: one row per facet, one cell per license
    checklist: list[dict] = field(default_factory=list)  # what the user must do: text, license_key, sections, status
    situation: dict = field(default_factory=dict)  # the reading of the question the verdict was judged against
    retrieved: list[dict] = field(default_factory=list)  # the top retrieved chunks (for the eval and debugging)
    latency_ms: float = 0.0
    #: False when retrieval ran on BM25 alone because dense search had not joined yet (the verdict and the cited
    #: sections come from the curated facts and do not change; only `retrieved` may rank differently).
    dense_search: bool = True
    #: For a question about a license text the user supplied: where it came from, what it was identified as
    #: (kind "licensedb" | "external" | "unknown", key, name), whether it is modified and how. Empty otherwise.
    supplied_text: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_markdown(self) -> str:
        from assistant.render import answer_markdown

        return answer_markdown(self)
