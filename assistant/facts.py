"""Curated facts per license and facet (corpus/facts/<license-key>.yaml), schema-checked on load.

The verdicts here are the reviewed reading of each license; the reasoning step combines them with the
figures in a question. Section ids refer to the ids the clause parser gives the LicenseDB text; an id may
name another LicenseDB text as "<key>:<id>" (an acceptable-use policy and the clause that incorporates it).
Each file also lists the license's `terms` in the shared vocabulary of situations (corpus/situations.yaml): what
it grants, its thresholds, use policies, prohibitions, naming and display duties. The judge (assistant/judge.py)
evaluates them against the reading of a question; no term lists the phrases a user might type.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .catalog import CorpusError
from .config import CORPUS_DIR
from .terms import Term
from .yamlio import YAMLError, load_yaml

FACETS: tuple[str, ...] = (
    "commercial_use",
    "user_threshold",
    "revenue_threshold",
    "output_use",
    "derivatives",
    "redistribution",
    "attribution",
    "naming",
    "acceptable_use",
    "field_of_use",
    "territory",
    "termination",
    "patent",
    "openness_definition",
    "data_availability",
    "warranty",
    "other",
)

Verdict = Literal["yes", "no", "conditional", "not_addressed"]
Facet = Literal[FACETS]  # type: ignore[valid-type]
Metric = Literal["monthly_active_users", "annual_revenue", "monthly_revenue"]


class FactsError(CorpusError):
    """A curated facts file that cannot be read or does not follow the schema (names file, facet, field)."""


class _Strict(BaseModel):
    # Unknown keys are typos more often than not: refuse them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    metric: Metric
    value: float
    currency: str | None = None
    measured: str = ""
    above: Verdict
    at_or_below: Verdict
    above_summary: str
    at_or_below_summary: str


class FacetFacts(_Strict):
    verdict: Verdict
    summary: str
    sections: list[str]
    conditions: list[str] = []
    aup_sections: list[str] = []
    threshold: Threshold | None = None
    unverified: bool = False
    notes: list[str] = []


class OsdFailure(_Strict):
    criterion: str
    sections: list[str]
    why: str


class Openness(_Strict):
    osi_approved: bool
    open_data: bool = False
    osd_failures: list[OsdFailure] = []
    eu_ai_act_open_source: bool | None = None
    eu_ai_act_why: str = ""


class LicenseFacts(_Strict):
    license: str
    as_of: str
    reviewed: str
    openness: Openness | None = None
    facets: dict[Facet, FacetFacts]
    terms: list[Term] = []

    @field_validator("as_of", "reviewed", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        # An unquoted YAML date arrives as datetime.date; keep the text form.
        return value.isoformat() if isinstance(value, dt.date) else value

    def facet(self, name: str) -> FacetFacts | None:
        return self.facets.get(name)  # type: ignore[call-overload]

    def section_ids(self) -> set[str]:
        """Every section id this file refers to (facets, acceptable-use hooks, openness failures)."""
        ids: set[str] = set()
        for facts in self.facets.values():
            ids.update(facts.sections)
            ids.update(facts.aup_sections)
        for term in self.terms:
            ids.update(term.sections)
        if self.openness:
            for failure in self.openness.osd_failures:
                ids.update(failure.sections)
        return ids


def split_ref(ref: str, license_key: str) -> tuple[str, str]:
    """(license key, section id) of a section reference.

    A plain id ("3.2") refers to the facts file's own license text. An acceptable-use policy is a separate
    LicenseDB text, so a reference may name another text as "<license-key>:<id>"
    (e.g. "gemma-tou-2024-04-01:3.2", the clause that incorporates the policy).
    """
    key, sep, section = ref.partition(":")
    if sep and key and " " not in key and section:
        return key, section
    return license_key, ref


def facts_dir() -> Path:
    return CORPUS_DIR / "facts"


def _where(loc: tuple) -> tuple[str | None, str | None]:
    """(entry, field) from a pydantic error location: ("facet 'commercial_use'", "threshold.value")."""
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] == "facets":
        return f"facet {parts[1]!r}", ".".join(parts[2:]) or None
    return None, ".".join(parts) or None


def load_file(path: Path) -> LicenseFacts:
    """One facts file, validated; FactsError names the file, facet and field at fault."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise FactsError(str(path), None, None, f"cannot read YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise FactsError(str(path), None, None, "expected a mapping at the top level")
    try:
        facts = LicenseFacts.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        entry, field = _where(errors[0]["loc"])
        problem = errors[0]["msg"]
        for err in errors[1:]:
            more_entry, more_field = _where(err["loc"])
            problem += f"; also {more_entry or ''} field {more_field!r}: {err['msg']}".replace("also  ", "also ")
        raise FactsError(str(path), entry, field, problem) from exc
    if facts.license != path.stem:
        raise FactsError(str(path), None, "license", f"{facts.license!r} does not match the file name {path.stem!r}")
    return facts


@lru_cache(maxsize=8)
def _load(corpus_dir: Path) -> dict[str, LicenseFacts]:
    from .licensedb import license_keys  # local import: the LicenseDB listing is only needed here

    known = set(license_keys())
    out: dict[str, LicenseFacts] = {}
    for path in sorted(corpus_dir.glob("*.yaml")):
        facts = load_file(path)
        if facts.license not in known:
            raise FactsError(str(path), None, "license", f"{facts.license!r} is not a key in ScanCode's LicenseDB")
        out[facts.license] = facts
    return out


def load_facts(corpus_dir: Path | str | None = None) -> dict[str, LicenseFacts]:
    """All curated facts keyed by license key (cached per directory)."""
    return _load(Path(corpus_dir).resolve() if corpus_dir else facts_dir())


def facts_for(key: str) -> LicenseFacts | None:
    """The curated facts for one license, or None when nobody has curated it."""
    return load_facts().get(key)
