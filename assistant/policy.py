"""The use a project makes of its models (a profile, from the command line or a policy file) and the judgement of
each found model against it: one question per model, answered by the assistant, cached per (licenses, profile)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: Verdicts a scan reports: the assistant's four, plus "unknown" for a model whose license was not established.
SCAN_VERDICTS = ("yes", "no", "conditional", "not_addressed", "unknown")
DEFAULT_FAIL_ON = ("no", "unknown")

Use = Literal["commercial", "internal", "research", "personal"]
Distribution = Literal["weights", "service", "product", "outputs"]
ScanVerdict = Literal["yes", "no", "conditional", "not_addressed", "unknown"]


class PolicyError(ValueError):
    """A policy file or profile option that cannot be used; the message is one line for the user."""


_AMOUNT = re.compile(r"^\s*\$?\s*(\d+(?:\.\d+)?)\s*([kmbt]?)\s*$", re.I)
_SCALE = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


def parse_amount(value: Any) -> int | None:
    """'2M' -> 2000000, '900k' -> 900000, 1500 -> 1500, '$1.5B' -> 1500000000."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("expected a number such as 2M or 900k")
    if isinstance(value, (int, float)):
        return int(value)
    m = _AMOUNT.match(str(value).replace(",", "").replace("_", ""))
    if not m:
        raise ValueError(f"{value!r} is not a number such as 2M, 900k or 1500")
    return int(float(m.group(1)) * _SCALE[m.group(2).lower()])


def _human(n: int) -> str:
    for scale, word in ((10**9, "billion"), (10**6, "million"), (10**3, "thousand")):
        if n >= scale and n % (scale // 10) == 0:
            v = n / scale
            return f"{v:g} {word}"
    return f"{n:,}"


class UseProfile(BaseModel):
    """What the project does with its models. Every field is optional except the kind of use."""

    model_config = ConfigDict(extra="forbid")

    use: Use = "commercial"
    mau: int | None = Field(None, ge=0, description="monthly active users of the product")
    revenue: int | None = Field(None, ge=0, description="annual revenue in US dollars")
    region: str | None = Field(None, description="where it is used or offered, e.g. EU")
    distribute: list[Distribution] = Field(default_factory=list)
    fine_tune: bool = False
    train_on_outputs: bool = False
    fail_on: list[ScanVerdict] = Field(default_factory=lambda: list(DEFAULT_FAIL_ON))
    allow: list[str] = Field(default_factory=list, description="model ids accepted after review, never failed")

    @field_validator("mau", "revenue", mode="before")
    @classmethod
    def _amounts(cls, v: Any) -> Any:
        return parse_amount(v)

    @field_validator("distribute", "fail_on", "allow", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [p.strip() for p in v.split(",") if p.strip()]
        return v

    @field_validator("fail_on", mode="after")
    @classmethod
    def _dedupe(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @field_validator("fail_on", mode="before")
    @classmethod
    def _yaml_booleans(cls, v: Any) -> Any:
        # YAML 1.1 reads a bare `no` / `yes` as a boolean: `fail_on: [no, unknown]` means the verdicts
        if isinstance(v, list):
            return [{False: "no", True: "yes"}[x] if isinstance(x, bool) else x for x in v]
        return v

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, v: Any) -> Any:
        return str(v).strip() if v is not None and str(v).strip() else None

    def key(self) -> str:
        """What the verdict depends on (fail_on and allow only decide pass or fail)."""
        return self.model_dump_json(exclude={"fail_on", "allow"})

    def questions(self) -> list[str]:
        """The profile as questions about "this model": the use itself (with its users, revenue and region), then
        one per further act (redistributing weights, fine-tuning, using outputs). One act per question, because a
        question that asks several things is answered on its first facets only."""
        if self.use == "commercial":
            head = "Can we use this model commercially"
            if "service" in self.distribute:
                head += ", offering it to customers as a hosted service (SaaS)"
            if "product" in self.distribute:
                head += ", shipping it inside a product"
        else:
            head = {
                "internal": "Can we use this model internally in our company",
                "research": "Can we use this model for a non-commercial research project",
                "personal": "Can I use this model for personal non-commercial use",
            }[self.use]
        if self.mau is not None:
            head += f", with {_human(self.mau)} monthly active users"
        if self.revenue is not None:
            head += f", with ${_human(self.revenue)} annual revenue"
        if self.region:
            head += f", in the {self.region}" if self.region.upper() in ("EU", "US", "UK") else f", in {self.region}"
        out = [head + "?"]
        if "weights" in self.distribute:
            out.append("Can we redistribute this model's weights?")
        if self.fine_tune:
            out.append("Can we fine-tune this model?")
        if "outputs" in self.distribute:
            out.append("Can we publish this model's outputs?")
        if self.train_on_outputs:
            out.append("Can we use this model's outputs to train another model?")
        return out

    def summary(self) -> str:
        bits = [self.use]
        if self.mau is not None:
            bits.append(f"{_human(self.mau)} MAU")
        if self.revenue is not None:
            bits.append(f"${_human(self.revenue)} revenue")
        if self.region:
            bits.append(self.region)
        bits += [f"distributes {d}" for d in self.distribute]
        if self.fine_tune:
            bits.append("fine-tunes")
        if self.train_on_outputs:
            bits.append("trains on outputs")
        return ", ".join(bits)


def _one_line(err: ValidationError) -> str:
    parts = []
    for e in err.errors()[:3]:
        loc = ".".join(str(p) for p in e["loc"]) or "policy"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


def make_profile(data: dict[str, Any], source: str = "options") -> UseProfile:
    try:
        return UseProfile.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        raise PolicyError(f"invalid {source}: {_one_line(exc)}") from None


def load_policy(path: str | Path, overrides: dict[str, Any] | None = None) -> UseProfile:
    """A policy file (YAML or JSON): the use profile, `fail_on` and `allow`; options given on the command line win."""
    from assistant.yamlio import YAMLError, load_yaml

    p = Path(path)
    if not p.is_file():
        raise PolicyError(f"policy file not found: {p}")
    try:
        data = load_yaml(p.read_text(encoding="utf-8")) or {}
    except (YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PolicyError(f"policy file {p} is not valid YAML: {first}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"policy file {p} must be a mapping of settings (use:, mau:, region: ...)")
    if isinstance(data.get("profile"), dict):  # allow the profile nested under `profile:`
        nested = data.pop("profile")
        data = {**nested, **data}
    data.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return make_profile(data, source=f"policy file {p}")


# --------------------------------------------------------------------------------------------------- judging


@dataclass
class Judgement:
    verdict: str  # one of SCAN_VERDICTS
    obligations: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)  # [{question, verdict}] as asked
    notes: list[str] = field(default_factory=list)


_SEVERITY = {"yes": 0, "conditional": 1, "no": 2}


def _citation(c: Any) -> dict:
    return {
        "license": c.license_key,
        "section": c.section_id,
        "heading": c.heading,
        "quote": c.quote,
        "source_url": c.source_url,
    }


def combine(verdicts: Sequence[str | None]) -> str:
    """The most restrictive of the verdicts (no > conditional > yes); not_addressed only when every one is."""
    decided = [v for v in verdicts if v in _SEVERITY]
    return max(decided, key=_SEVERITY.__getitem__) if decided else "not_addressed"


def judge_model(assistant: Any, licenses: Sequence[str], profile: UseProfile) -> Judgement:
    """The verdict and obligations for a model under `licenses`, for the profile, from the assistant.

    Obligations are the answers' checklists when they have one, else their citations (section id + verbatim
    quote). The only place a scan asks the assistant: a structured call can replace it."""
    if not licenses:
        return Judgement("unknown", notes=["No license was established for this model."])
    obligations: list[dict] = []
    citations: list[dict] = []
    asked: list[dict] = []
    notes: list[str] = []
    for question in profile.questions():
        answer = assistant.ask(question, licenses=list(licenses))
        asked.append({"question": question, "verdict": answer.verdict or "not_addressed"})
        cites = [_citation(c) for c in answer.citations]
        checklist = getattr(answer, "checklist", None)
        items = [_obligation(c if isinstance(c, dict) else _as_dict(c)) for c in checklist] if checklist else cites
        for item in items:
            _merge_obligation(obligations, item)
        citations += [c for c in cites if c not in citations]
        notes += [n for n in answer.notes if n not in notes]
    return Judgement(combine([q["verdict"] for q in asked]), obligations, citations, asked, notes)


#: Which status of one term wins when the profile's questions read it differently: a breach, then a reading that
#: had the deciding fact (the figure, the stated use), then one that left it open.
_STATUS_RANK = {"violated": 0, "ok": 1, "open": 2}


def _merge_obligation(obligations: list[dict], item: dict) -> None:
    """One line per term of a license: the same sections asked about twice keep their most decided status."""
    key = (item.get("license"), tuple(item.get("sections") or ()), item.get("section_id"))
    for i, seen in enumerate(obligations):
        if (seen.get("license"), tuple(seen.get("sections") or ()), seen.get("section_id")) == key:
            if _STATUS_RANK.get(item.get("status"), 3) < _STATUS_RANK.get(seen.get("status"), 3):
                obligations[i] = item
            return
    obligations.append(item)


def _obligation(item: dict) -> dict:
    """A checklist item in the shape of an obligation: what to do, its license and sections, its status."""
    out = dict(item)
    if "license_key" in out:
        out["license"] = out.pop("license_key")
    return out


def _as_dict(item: Any) -> dict:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(item):
        return asdict(item)
    if hasattr(item, "model_dump"):
        return item.model_dump()
    return {"item": str(item)}


class Judge:
    """Judges models for one profile, asking once per distinct license set."""

    def __init__(self, assistant: Any, profile: UseProfile):
        self.assistant, self.profile = assistant, profile
        self._cache: dict[tuple[tuple[str, ...], str], Judgement] = {}
        self.asked = 0

    def __call__(self, licenses: Sequence[str]) -> Judgement:
        key = (tuple(sorted(set(licenses))), self.profile.key())
        if key not in self._cache:
            self.asked += 1 if licenses else 0
            self._cache[key] = judge_model(self.assistant, sorted(set(licenses)), self.profile)
        return self._cache[key]


def fails(verdict: str, model: str, profile: UseProfile) -> bool:
    if any(model.lower() == a.lower() for a in profile.allow):
        return False
    return verdict in profile.fail_on


# --------------------------------------------------------------------------------------------------- the audit


def audit(models: Sequence[Any], assistant: Any, profile: UseProfile) -> list[dict]:
    """One row per found model: licenses, chain, where found, verdict for the profile, obligations, pass/fail."""
    judge = Judge(assistant, profile) if assistant is not None else None
    rows = []
    for m in models:
        if m.licenses and judge is not None:
            j = judge(m.licenses)
        else:
            j = Judgement("unknown", notes=["No license was established for this model."] if not m.licenses else [])
        verdict = j.verdict
        row = {
            "model": m.model,
            "kind": m.kind,
            "licenses": list(m.licenses),
            "resolved_as": list(m.resolved),
            "chains": list(m.chains),
            "found_in": [{"file": loc.file, "line": loc.line} for loc in m.found_in],
            "revision": m.revision,
            "origin": m.origin,
            "verdict": verdict,
            "status": "fail" if fails(verdict, m.model, profile) else "pass",
            "allowed_by_policy": any(m.model.lower() == a.lower() for a in profile.allow),
            "obligations": j.obligations,
            "citations": j.citations,
            "questions": j.questions,
            "notes": list(dict.fromkeys(list(m.notes) + list(j.notes))),
        }
        rows.append(row)
    return rows
