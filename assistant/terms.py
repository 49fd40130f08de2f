"""License terms in the shared vocabulary of situations: the one schema every license's terms are written in.

Curated LicenseDB licenses (corpus/facts/<key>.yaml, `terms:`) and licenses the LicenseDB lacks (corpus/external/)
use the same terms; the judge (assistant/judge.py) evaluates them against the reading of a question.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from assistant.situation import ACTS

TermType = Literal[
    "grant", "user_threshold", "revenue_threshold", "use_policy", "prohibition", "noncommercial", "purpose_limit",
    "territory", "name_prefix", "display", "notice", "share_alike", "no_derivatives", "fee", "ownership",
    "patent_termination", "termination", "warranty_disclaimer", "trademark", "governing_law",
]  # fmt: skip
Act = Literal[ACTS]  # type: ignore[valid-type]
#: Sectors a use can touch (Situation.areas); the keys of `areas:` in corpus/situations.yaml.
AREAS: frozenset[str] = frozenset(
    {
        "military", "weapons", "medical", "legal", "employment_credit", "surveillance", "biometrics",
        "law_enforcement", "critical_infrastructure", "elections", "sexual", "minors", "impersonation", "spam_bots",
        "malware", "disinformation", "discrimination", "illegal", "harassment", "automated_decisions",
    }
)  # fmt: skip
#: Fields each term type needs besides type, sections and summary.
_NEEDS: dict[str, tuple[str, ...]] = {
    "user_threshold": ("value",),
    "revenue_threshold": ("value", "currency"),
    "purpose_limit": ("allowed",),
    "territory": ("regions",),
    "name_prefix": ("prefix",),
    "display": ("text",),
    "ownership": ("of", "owner"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_Strict):
    """A filter on the situation: the term binds only when every given field matches (unknown counts as a match,
    so the condition stays open)."""

    commercial: bool | None = None
    audience: Literal["internal", "external"] | None = None
    acts: list[Act] = []
    areas: list[str] = []


class Term(_Strict):
    """One term of a license, in the shared vocabulary of situations (corpus/situations.yaml)."""

    type: TermType
    sections: list[str]
    summary: str
    must: str | None = None  # the checklist line: what the user has to do when the term binds them
    acts: list[Act] = []  # the acts it binds (grant: the acts it permits); empty: every act
    only_if: When | None = None  # the situations it binds; unknown facts count as a match (it stays open)
    unverified: bool = False
    # thresholds
    value: float | None = None
    comparator: Literal["gt", "ge"] = "gt"
    currency: str | None = None
    period: Literal["annual", "monthly"] | None = None
    counted: str = ""
    above: Literal["no", "conditional"] = "no"  # what passing the threshold does: rights withheld, or a duty added
    duty: str | None = None  # the duty passing it adds (a key of `duties` in corpus/situations.yaml)
    # use policies, prohibitions, territory
    areas: list[str] = []
    regions: list[str] = []  # territory: the excluded regions; prohibition: regions it forbids
    doc: str | None = None  # the LicenseDB key or external id of a policy text the term incorporates
    listed: bool = True  # False: the policy's list is published elsewhere, not in this text
    material_when_unknown: bool = False  # territory: an unstated region leaves the answer open
    scope: str | None = None  # what part of the release the term covers, in words
    # naming and display
    prefix: str | None = None
    text: str | None = None
    # purpose limits
    allowed: list[str] = []
    # governing_law: `regions` holds where the law and the courts are
    # ownership
    of: Literal["outputs", "derivatives"] | None = None
    owner: Literal["user", "licensor", "none_claimed"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        # "excluded" reads better for a territory; it is the same list as `regions`
        if isinstance(data, dict) and "excluded" in data:
            data = dict(data)
            data["regions"] = list(data.pop("excluded") or []) + list(data.get("regions") or [])
        if isinstance(data, dict) and data.get("counted") is None:
            data = {k: v for k, v in data.items() if k != "counted"}
        if isinstance(data, dict) and data.get("comparator") is None:
            data = {k: v for k, v in data.items() if k != "comparator"}
        if isinstance(data, dict) and data.get("above") is None:
            data = {k: v for k, v in data.items() if k != "above"}
        if isinstance(data, dict) and data.get("only_if") == {}:
            data = {k: v for k, v in data.items() if k != "only_if"}
        return data

    @field_validator("areas")
    @classmethod
    def _known_areas(cls, v: list[str]) -> list[str]:
        unknown = [a for a in v if a not in AREAS]
        if unknown:
            raise ValueError(f"unknown area(s) {unknown}; expected some of {sorted(AREAS)}")
        return v

    def model_post_init(self, __context: Any) -> None:
        missing = [f for f in _NEEDS.get(self.type, ()) if getattr(self, f) in (None, [])]
        if self.type == "use_policy" and self.listed and not self.areas:
            missing.append("areas (or listed: false)")
        if missing:
            raise ValueError(f"a {self.type} term needs {missing}")
