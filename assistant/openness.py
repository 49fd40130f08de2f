"""Assess licenses and model releases against openness definitions (OSD, OSAID, MOF, FSD, EU AI Act, open weights).

Everything decided here comes from reviewed data: the curated facts per license (corpus/facts: OSI approval,
open-data status, the OSD criteria a license fails and the clauses that fail it) and the model catalog
(corpus/models.yaml: what each release actually includes). Where that data is silent a check says
"cannot tell" (met None) instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from assistant.catalog import Catalog, ModelEntry, load_catalog, normalize_alias
from assistant.facts import LicenseFacts, facts_for
from assistant.licensedb import UnknownLicenseError, load_license

DEFINITIONS: tuple[str, ...] = ("osd", "osaid", "mof", "fsd", "eu-ai-act", "open-weights")

#: Criteria most AI-model licenses are measured on, with the OSD criterion each one mirrors.
_OSD_CORE = ("osd-3", "osd-5", "osd-6")
#: The Open Weight Definition copies the OSD criteria one for one ("weights" for "source code").
_OWD_FOR_OSD = {f"osd-{i}": f"owd-{i}" for i in range(1, 11)}
#: FSD freedoms a failed OSD criterion takes away: field/person limits stop freedom 0 (run for any purpose);
#: limits on derived works stop freedom 3 (share modified versions); limits on redistribution stop freedom 2.
_FSD_FOR_OSD = {
    "osd-5": "fsd-0",
    "osd-6": "fsd-0",
    "osd-3": "fsd-3",
    "osd-4": "fsd-3",
    "osd-1": "fsd-2",
    "osd-7": "fsd-2",
}
#: OSAID freedoms a failed OSD criterion takes away.
_OSAID_FOR_OSD = {
    "osd-5": "osaid-f-use",
    "osd-6": "osaid-f-use",
    "osd-3": "osaid-f-modify",
    "osd-4": "osaid-f-modify",
    "osd-1": "osaid-f-share",
    "osd-7": "osaid-f-share",
}
_OSAID_FREEDOMS = ("osaid-f-use", "osaid-f-study", "osaid-f-modify", "osaid-f-share")

#: EU AI Act Art. 51(2): a general-purpose model is presumed to have systemic risk above this training compute.
SYSTEMIC_RISK_FLOP = 1e25

#: OSI's validation of models against OSAID 1.0 around its release (October 2024), as reported in OSI's
#: co-design report; reported outcomes, not a certification this project makes.
REPORTED_OSAID_VALIDATION: dict[str, str] = {
    "pythia": "passed",
    "olmo": "passed",
    "amber": "passed",
    "crystalcoder": "passed",
    "t5": "passed",
    "bloom": "would pass with license changes",
    "starcoder2": "would pass with license changes",
    "llama 2": "did not pass",
    "grok": "did not pass",
    "phi 2": "did not pass",
    "mixtral": "did not pass",
}

_RELEASE_LABELS = {
    "weights": "weights",
    "inference_code": "inference code",
    "training_code": "training code",
    "training_data": "training data",
    "data_documentation": "data documentation",
    "paper": "paper or technical report",
    "intermediate_checkpoints": "intermediate checkpoints",
}


@dataclass
class CriterionCheck:
    anchor: str  # definition card anchor, e.g. "osd-6"
    definition: str  # card id, e.g. "osd"
    met: bool | None  # None = cannot tell from what the corpus knows
    why: str  # one sentence, our words
    license_key: str | None = None
    sections: list[str] = field(default_factory=list)  # license clauses that decide it


@dataclass
class OpennessAssessment:
    subject: str  # model or license name
    definition: str  # "osd" | "osaid" | "mof" | "fsd" | "eu-ai-act" | "open-weights"
    verdict: str  # "yes" | "no" | "conditional" | "not_addressed" (does it meet the definition?)
    label: str  # e.g. "open weights, not open source", "MOF Class III (Open Model)" or "no MOF class"
    checks: list[CriterionCheck]
    notes: list[str]


# ---------------------------------------------------------------------------------------------- lookups


@lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return load_catalog()


def _model(model: str) -> tuple[ModelEntry, list[str]]:
    """The catalog entry for a model name or alias and the license keys of the variant the name picks."""
    found = _catalog().resolve_model(model)
    if not found:
        raise KeyError(f"Unknown model {model!r}: it is not in corpus/models.yaml.")
    entry, variant = found
    return entry, (list(variant.licenses) if variant else list(entry.licenses))


def _name(key: str) -> str:
    try:
        return load_license(key).short_name
    except UnknownLicenseError:
        return key


def _facts(key: str) -> LicenseFacts | None:
    return facts_for(key)


def _open_for_mof(facts: LicenseFacts | None) -> bool | None:
    """MOF accepts OSI-approved and open-data licenses (OpenMDW is on its open-data list); None = no facts."""
    if facts is None or facts.openness is None:
        return None
    return facts.openness.osi_approved or facts.openness.open_data


def _status(entry: ModelEntry, field_name: str) -> str:
    return entry.released.get(field_name, "unknown")


def _reported_validation(name: str) -> str | None:
    norm = normalize_alias(name)
    for model, outcome in REPORTED_OSAID_VALIDATION.items():
        if norm == model or norm.startswith(model + " "):
            return outcome
    return None


# ---------------------------------------------------------------------------------------------- license checks


def _license_checks(key: str, definition: str, anchors_for_failure: dict[str, str] | None) -> list[CriterionCheck]:
    """OSD-style checks for one license: its recorded failures, or a pass for an OSI-approved license.

    `anchors_for_failure` maps an OSD criterion to the definition's own anchor (None: use the OSD anchor).
    """
    facts = _facts(key)
    name = _name(key)

    def anchor(osd: str) -> str:
        return (anchors_for_failure or {}).get(osd, osd)

    if facts is None or facts.openness is None:
        return [
            CriterionCheck(
                anchor(_OSD_CORE[-1]), definition, None, f"The corpus has no curated openness facts for {name}.", key
            )
        ]
    op = facts.openness
    if op.osd_failures:
        seen: set[str] = set()
        out = []
        for failure in op.osd_failures:
            a = anchor(failure.criterion)
            if a in seen:  # two OSD criteria can map to one freedom: report it once, with all clauses
                prev = next(c for c in out if c.anchor == a)
                prev.sections += [s for s in failure.sections if s not in prev.sections]
                prev.why += f" {failure.why}"
                continue
            seen.add(a)
            out.append(CriterionCheck(a, definition, False, f"{name}: {failure.why}", key, list(failure.sections)))
        return out
    if op.osi_approved:
        return [
            CriterionCheck(anchor(c), definition, True, f"{name} is OSI-approved, so it meets the OSD criteria.", key)
            for c in _OSD_CORE
        ]
    return [
        CriterionCheck(
            anchor(c),
            definition,
            None,
            f"{name} is not OSI-approved; the curated facts record no failure of this criterion.",
            key,
        )
        for c in _OSD_CORE
    ]


def _license_state(checks: list[CriterionCheck]) -> bool | None:
    if any(c.met is False for c in checks):
        return False
    if checks and all(c.met is True for c in checks):
        return True
    return None


# ---------------------------------------------------------------------------------------------- definitions


def _assess_osd(subject: str, keys: list[str], entry: ModelEntry | None) -> OpennessAssessment:
    checks = [c for k in keys for c in _license_checks(k, "osd", None)]
    state = _license_state(checks)
    notes = ["The OSD judges licenses; OSI approval is the authoritative test."]
    if state is False:
        verdict, label = "no", "not open source (fails the OSD)"
        if entry is not None and _status(entry, "weights") == "yes":
            label = "open weights under a restrictive license, not open source"
    elif state is True:
        verdict, label = "yes", "OSI-approved open-source license"
        if entry is not None:
            notes.append(f"What was released: {describe_release(entry.name)}.")
            notes.append(
                "An open-source license on the weights alone does not make the model Open Source AI; see OSAID."
            )
    else:
        verdict, label = "not_addressed", "no OSD failure recorded, but not OSI-approved"
    return OpennessAssessment(subject, "osd", verdict, label, checks, notes)


def _assess_open_weights(subject: str, keys: list[str], entry: ModelEntry | None) -> OpennessAssessment:
    checks = [c for k in keys for c in _license_checks(k, "open-weights", _OWD_FOR_OSD)]
    # The OWD has no approval process: a license with no recorded OSD failure and curated facts passes.
    for c in checks:
        if c.met is None and _facts(c.license_key or "") is not None:
            c.met = True
            c.why = f"{_name(c.license_key or '')}: the curated facts record no failure of this criterion."
    if entry is not None:
        w = _status(entry, "weights")
        met = {"yes": True, "no": False}.get(w)
        checks.insert(
            0,
            CriterionCheck(
                "owd-2",
                "open-weights",
                met,
                f"Weights released: {w}."
                if met is not None
                else f"The catalog does not say whether the weights are fully released ({w}).",
                None,
            ),
        )
    state = _license_state(checks)
    verdict = {True: "yes", False: "no", None: "not_addressed"}[state]
    label = {
        True: "open weights (Open Weight Definition)",
        False: "not open weights under the Open Weight Definition",
        None: "cannot tell whether it meets the Open Weight Definition",
    }[state]
    notes = ["The Open Weight Definition is a draft community definition, not an OSI standard."]
    if entry is not None:
        notes.append(f"What was released: {describe_release(entry.name)}.")
    return OpennessAssessment(subject, "open-weights", verdict, label, checks, notes)


def _assess_fsd(subject: str, keys: list[str], entry: ModelEntry | None) -> OpennessAssessment:
    checks = []
    for k in keys:
        base = _license_checks(k, "fsd", _FSD_FOR_OSD)
        if base and all(c.met is True for c in base):  # OSI-approved: the four freedoms are granted
            base = [
                CriterionCheck(f"fsd-{i}", "fsd", True, f"{_name(k)} is OSI-approved and grants this freedom.", k)
                for i in range(4)
            ]
        elif base and all(c.met is None for c in base):
            base = [CriterionCheck("fsd-0", "fsd", None, base[0].why, k)]
        checks += base
    state = _license_state(checks)
    verdict = {True: "yes", False: "no", None: "not_addressed"}[state]
    label = {
        True: "free software license (grants the four freedoms)",
        False: "not a free software license",
        None: "cannot tell whether it grants the four freedoms",
    }[state]
    notes = ["The FSF keeps its own list of free licenses; this reading follows OSI approval and recorded failures."]
    return OpennessAssessment(subject, "fsd", verdict, label, checks, notes)


def _assess_osaid(subject: str, keys: list[str], entry: ModelEntry | None) -> OpennessAssessment:
    checks: list[CriterionCheck] = []
    license_ok: list[bool | None] = []
    for k in keys:
        base = _license_checks(k, "osaid", _OSAID_FOR_OSD)
        if base and all(c.met is True for c in base):
            base = [
                CriterionCheck(a, "osaid", True, f"{_name(k)} is OSI-approved and grants this freedom.", k)
                for a in _OSAID_FREEDOMS
            ]
        elif base and all(c.met is None for c in base):
            base = [CriterionCheck("osaid-f-use", "osaid", None, base[0].why, k)]
        license_ok.append(_license_state(base))
        checks += base
    terms_open = False if False in license_ok else True if license_ok and all(license_ok) else None
    notes: list[str] = []
    if entry is None:
        state = _license_state(checks)
        if state is False:
            verdict, label = "no", "license does not grant the four freedoms: no model under it is Open Source AI"
        elif state is True:
            verdict = "conditional"
            label = "license grants the four freedoms; a model also needs data information and code"
        else:
            verdict, label = "not_addressed", "cannot tell whether the license grants the four freedoms"
        return OpennessAssessment(subject, "osaid", verdict, label, checks, notes)

    def component(anchor: str, fields: list[str], what: str) -> CriterionCheck:
        statuses = {f: _status(entry, f) for f in fields}
        parts = ", ".join(f"{_RELEASE_LABELS[f]}: {s}" for f, s in statuses.items())
        if any(s == "no" for s in statuses.values()):
            return CriterionCheck(anchor, "osaid", False, f"{what} not released ({parts}).")
        if not all(s == "yes" for s in statuses.values()):
            return CriterionCheck(anchor, "osaid", None, f"{what}: cannot tell from the catalog ({parts}).")
        if terms_open is False:
            return CriterionCheck(
                anchor, "osaid", False, f"{what} released ({parts}), but not under terms granting the four freedoms."
            )
        if terms_open:
            return CriterionCheck(anchor, "osaid", True, f"{what} released under open terms ({parts}).")
        return CriterionCheck(
            anchor, "osaid", None, f"{what} released ({parts}); whether its terms are open is not recorded."
        )

    checks += [
        component("osaid-data-information", ["data_documentation"], "Data information"),
        component("osaid-code", ["training_code", "inference_code"], "Training and inference code"),
        component("osaid-parameters", ["weights"], "Parameters"),
    ]
    state = _license_state(checks)
    verdict = {True: "yes", False: "no", None: "not_addressed"}[state]
    if state is True:
        label = "Open Source AI (OSAID 1.0)"
    elif _status(entry, "weights") == "yes":
        label = (
            "open weights, not open source"
            if state is False
            else "open weights, not shown to be open source: the catalog does not know every required component"
        )
    else:
        label = "not Open Source AI" if state is False else "cannot tell"
    reported = _reported_validation(entry.name)
    if reported:
        notes.append(f"As reported, OSI's 2024 validation of {entry.name} against OSAID: {reported}.")
        if state is None and reported in ("passed", "did not pass"):
            # The catalog cannot tell; OSI's own reported validation of this model decides, labelled as reported.
            verdict = "yes" if reported == "passed" else "no"
            label = f"{label}; OSI reported that it {reported} validation"
    notes.append(f"What was released: {describe_release(entry.name)}.")
    notes.append("OSAID requires detailed data information, not the training data itself.")
    return OpennessAssessment(subject, "osaid", verdict, label, checks, notes)


def _assess_eu(subject: str, keys: list[str], entry: ModelEntry | None) -> OpennessAssessment:
    checks = []
    for k in keys:
        facts = _facts(k)
        flag = facts.openness.eu_ai_act_open_source if facts and facts.openness else None
        why = (
            facts.openness.eu_ai_act_why
            if facts and facts.openness and facts.openness.eu_ai_act_why
            else "The corpus has no curated facts on this license."
        )
        secs = [s for f in (facts.openness.osd_failures if facts and facts.openness else []) for s in f.sections]
        checks.append(
            CriterionCheck("eu-ai-act-53-2", "eu-ai-act", flag, f"{_name(k)}: {why}", k, secs if flag is False else [])
        )
    notes = [
        "Art. 53(2) lifts only the technical-documentation duties; the copyright policy and the training-content "
        "summary are always required."
    ]
    if entry is not None:
        w = _status(entry, "weights")
        checks.append(
            CriterionCheck(
                "eu-ai-act-53-2",
                "eu-ai-act",
                {"yes": True, "no": False}.get(w),
                f"Weights must be public; catalog says: {w}.",
            )
        )
        checks.append(
            CriterionCheck(
                "eu-ai-act-51-2",
                "eu-ai-act",
                None,
                "The corpus does not record the training compute, so whether the model exceeds "
                "10^25 FLOP (systemic risk, no exemption) cannot be told.",
            )
        )
    license_checks = [c for c in checks if c.license_key]
    state = _license_state(license_checks)
    if state is False or any(c.met is False for c in checks):
        verdict, label = "no", "does not qualify for the open-source exemption of Art. 53(2)"
    elif state is True:
        verdict, label = "conditional", "license qualifies; the exemption is lost if the model has systemic risk"
        notes.append("Models with systemic risk (presumed above 10^25 FLOP of training compute) never qualify.")
    else:
        verdict, label = "not_addressed", "cannot tell whether the license qualifies"
    return OpennessAssessment(subject, "eu-ai-act", verdict, label, checks, notes)


# ---------------------------------------------------------------------------------------------- MOF

#: Release fields the model license itself covers; other components (code, papers, datasets) may ship under
#: their own licenses, which the catalog does not record.
_UNDER_MODEL_LICENSE = ("weights", "intermediate_checkpoints")
_CLASS_NAMES = {3: "Class III (Open Model)", 2: "Class II (Open Tooling)", 1: "Class I (Open Science)"}
_ROMAN = {"III": 3, "II": 2, "I": 1}


def mof_class(model: str) -> tuple[int | None, list[CriterionCheck]]:
    """The highest MOF class the model reaches (1, 2 or 3) or None, with one check per required component.

    A component counts when the catalog says it was released and the model's licenses are open for MOF
    (OSI-approved or open-data). Weights under a license MOF does not accept block every class. Components the
    catalog does not track or marks unknown, and datasets (whose own licenses are not recorded), are "cannot tell".
    """
    entry, keys = _model(model)
    card = _catalog().definition("mof")
    if card is None:
        raise KeyError("The MOF definition card (corpus/definitions/mof.yaml) is missing.")
    lic_open = [_open_for_mof(_facts(k)) for k in keys]
    terms = False if False in lic_open else True if lic_open and all(lic_open) else None
    names = ", ".join(_name(k) for k in keys)
    checks: list[CriterionCheck] = []
    by_class: dict[int, list[bool | None]] = {1: [], 2: [], 3: []}
    for c in card.criteria:
        if not c.mof_class or c.optional:
            continue
        status = _status(entry, c.maps_to) if c.maps_to else None
        if status is None:
            met, why = None, f"{c.title}: the catalog does not track this component, so it cannot be told."
        elif status == "no":
            met, why = False, f"{c.title}: not released."
        elif status in ("unknown", "partial"):
            met, why = None, f"{c.title}: release status is {status} in the catalog."
        elif c.maps_to in _UNDER_MODEL_LICENSE and terms is False:
            met, why = (
                False,
                (
                    f"{c.title}: released, but under {names}, which MOF does not accept "
                    "(neither OSI-approved nor open-data)."
                ),
            )
        elif c.maps_to == "training_data":
            # datasets carry their own licenses, which the catalog does not record
            met, why = None, f"{c.title}: released; the datasets' own licenses are not recorded in the catalog."
        elif c.maps_to not in _UNDER_MODEL_LICENSE and terms is not True:
            met, why = (
                None,
                (
                    f"{c.title}: released; the catalog records only the model license ({names}), "
                    "not this component's license."
                ),
            )
        elif terms is None:
            met, why = None, f"{c.title}: released; whether {names} is acceptable to MOF is not recorded."
        else:
            met, why = True, f"{c.title}: released under {names}."
        checks.append(CriterionCheck(c.id, "mof", met, why, keys[0] if len(keys) == 1 else None))
        by_class[_ROMAN[c.mof_class]].append(met)
    reached: int | None = None
    for cls in (3, 2, 1):  # cumulative: Class II needs all of Class III, Class I all of both
        if by_class[cls] and all(m is True for m in by_class[cls]):
            reached = cls
        else:
            break
    return reached, checks


def _assess_mof(subject: str, keys: list[str], entry: ModelEntry | None) -> OpennessAssessment:
    notes: list[str] = []
    if entry is None:
        checks = []
        for k in keys:
            ok = _open_for_mof(_facts(k))
            why = {
                True: f"{_name(k)} is OSI-approved or an open-data license, which MOF accepts.",
                False: f"{_name(k)} is neither OSI-approved nor an open-data license, so MOF does not accept it.",
                None: f"The corpus has no curated facts on {_name(k)}.",
            }[ok]
            checks.append(CriterionCheck("mof-class-3", "mof", ok, why, k))
        state = _license_state(checks)
        verdict = {True: "conditional", False: "no", None: "not_addressed"}[state]
        label = {
            True: "license acceptable to MOF; the class depends on what is released",
            False: "no MOF class for components under this license",
            None: "cannot tell",
        }[state]
        return OpennessAssessment(subject, "mof", verdict, label, checks, notes)
    reached, checks = mof_class(entry.name)
    if reached is not None:
        verdict, label = "yes", f"MOF {_CLASS_NAMES[reached]}"
    elif any(c.met is False for c in checks if c.anchor in _class3_anchors()):
        verdict, label = "no", "no MOF class"
    else:
        verdict, label = "not_addressed", "MOF class cannot be told from the catalog"
        notes.append("Some Class III components are not tracked or unknown in the catalog.")
    notes.append(f"What was released: {describe_release(entry.name)}.")
    return OpennessAssessment(subject, "mof", verdict, label, checks, notes)


def _class3_anchors() -> set[str]:
    card = _catalog().definition("mof")
    return {c.id for c in (card.criteria if card else []) if c.mof_class == "III" and not c.optional}


# ---------------------------------------------------------------------------------------------- public API

_ASSESSORS = {
    "osd": _assess_osd,
    "osaid": _assess_osaid,
    "mof": _assess_mof,
    "fsd": _assess_fsd,
    "eu-ai-act": _assess_eu,
    "open-weights": _assess_open_weights,
}


def assess(definition: str, license_keys: list[str], model: str | None = None) -> OpennessAssessment:
    """Does this license (or this model's release) meet `definition`? Model licenses come from the catalog
    when no license keys are given."""
    definition = definition.lower()
    if definition not in _ASSESSORS:
        raise ValueError(f"Unknown definition {definition!r}; expected one of {', '.join(DEFINITIONS)}")
    entry = None
    keys = list(license_keys)
    subject = ""
    if model:
        entry, model_keys = _model(model)
        keys = keys or model_keys
        found = _catalog().resolve_model(model)
        subject = found[1].name if found and found[1] else entry.name  # a variant's own name, e.g. Qwen2.5-72B
    if not keys:
        raise ValueError("Give at least one license key or a model the catalog knows.")
    subject = subject or ", ".join(_name(k) for k in keys)
    return _ASSESSORS[definition](subject, keys, entry)


def describe_release(model: str) -> str:
    """What a release includes, in words: "weights only; no training code; training data unknown; ..."."""
    entry, _ = _model(model)
    st = {f: _status(entry, f) for f in _RELEASE_LABELS}
    others = [s for f, s in st.items() if f != "weights"]
    if st["weights"] != "yes":
        head = "no weights" if st["weights"] == "no" else f"weights {st['weights']}"
    elif all(s == "no" for s in others):
        head = "weights only"
    elif st["training_data"] == "yes" and st["training_code"] == "yes":
        head = "weights, training code and training data"
    elif "yes" in (st["inference_code"], st["training_code"]):
        head = "weights and code"
    else:
        head = "weights"
    rest = []
    for f, label in _RELEASE_LABELS.items():
        if f == "weights":
            continue
        s = st[f]
        rest.append(
            {"yes": f"{label} released", "no": f"no {label}", "partial": f"{label} partly released"}.get(
                s, f"{label} unknown"
            )
        )
    return "; ".join([head, *rest])
