"""Judge one license's terms against the reading of a question: a verdict, what decides it, and what the user
must do in their situation (a checklist, each item with its section).

One judge for every license and every kind of question. Each term is evaluated to one status:
- violated: the stated facts break it (a prohibition triggered, a figure above a threshold, a name without the
  required prefix) -> the verdict is no;
- open: it is material and turns on a fact the question leaves open (no figure, use unspecified, no name given)
  -> conditional, and the answer says what it turns on;
- ok: it binds the user and the stated facts satisfy it (or it is paperwork, which never decides a verdict);
- n/a: it does not bind this situation (a display duty for purely internal use).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.facts import LicenseFacts, Term, facts_for
from assistant.figures import Figure
from assistant.situation import MAKES_AVAILABLE, Situation, load_vocabulary

#: The act a question is about when it names none, from what it asks about.
DEFAULT_ACT = {
    "commercial_use": "use", "user_threshold": "use", "revenue_threshold": "use", "output_use": "use_outputs",
    "derivatives": "modify", "redistribution": "redistribute", "attribution": "redistribute",
    "naming": "publish_derivative", "acceptable_use": "use", "field_of_use": "use", "territory": "use",
}  # fmt: skip
#: The facet of a question that names an act but reads as being about something else.
ACT_FACET = {
    "train_on_outputs": "output_use", "use_outputs": "output_use", "publish_derivative": "derivatives",
    "modify": "derivatives", "redistribute": "redistribution", "host": "commercial_use", "ship": "commercial_use",
}  # fmt: skip
#: Facets that ask about the license itself rather than an act: their reviewed facet verdict answers them.
NON_ACT_FACETS = frozenset({"termination", "patent", "warranty", "other", "data_availability", "openness_definition"})
#: For "is there a ... ?" and "do I have to ...?": which term types the facet asks about.
FACET_TERMS = {
    "user_threshold": ("user_threshold",),
    "revenue_threshold": ("revenue_threshold",),
    "territory": ("territory",),
    "acceptable_use": ("use_policy", "prohibition"),
    "field_of_use": ("noncommercial", "purpose_limit", "use_policy"),
    "commercial_use": ("noncommercial", "purpose_limit"),
    "naming": ("name_prefix",),
    "attribution": ("notice", "display"),
    "redistribution": ("notice", "share_alike"),
    "derivatives": ("share_alike", "name_prefix", "no_derivatives"),
    "output_use": ("prohibition",),
    "termination": ("termination",),
    "patent": ("patent_termination",),
    "warranty": ("warranty_disclaimer",),
}
_THRESHOLDS = ("user_threshold", "revenue_threshold")
#: Topics narrow enough that only their own conditions make a permission answer depend on facts left open.
FOCUSED_FACETS = frozenset({"naming", "attribution"})
HANDING_ON_FACETS = frozenset({"redistribution", "derivatives"})
#: For "do I have to ...?": the duties a question about naming or credit can mean ("do we have to mention TII?").
OBLIGATION_TERMS = {"naming": ("name_prefix", "display"), "attribution": ("notice", "display")}  # fmt: skip
#: Acts that a grant of "use" covers when the license does not name them.
_USE_COVERS = frozenset({"use", "use_outputs", "train_on_outputs", "evaluate", "host"})
_SEVERITY = {"no": 3, "conditional": 2, "yes": 1, "not_addressed": 0}
APPROX_USD_RATES: dict[str, float] = {
    "USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CHF": 1.12, "CAD": 0.73, "AUD": 0.65, "JPY": 0.0067, "CNY": 0.14,
    "HKD": 0.128, "INR": 0.012, "KRW": 0.00073, "SGD": 0.74,
}  # fmt: skip


@dataclass
class Finding:
    term: Term
    status: str  # "violated" | "open" | "ok" | "na"
    why: str  # one sentence, for this situation
    triggered: bool = False  # a threshold the stated figure passes, where passing it adds a duty (it stays open)


@dataclass
class ChecklistItem:
    text: str
    license_key: str
    sections: list[str]
    status: str  # "open" (turns on a fact not given) | "ok" (applies) | "violated"

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Judgement:
    license_key: str
    facet: str
    verdict: str | None
    reasons: list[str]  # the sentences that decide the verdict
    sections: list[str]  # the sections the deciding terms cite, most decisive first
    checklist: list[ChecklistItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    curated: bool = True
    unverified: bool = False
    figure: Figure | None = None
    kind: str = "permission"  # the kind of question the verdict answers (its yes means what that kind asks)

    @property
    def summary(self) -> str:
        return " ".join(dict.fromkeys(r for r in self.reasons if r))

    def policy_documents(self) -> list[str]:
        """Other LicenseDB texts that decide this judgement: a use policy whose listed use is touched, or the text
        a violated term's section lives in ("llama-4-license-2025:5")."""
        docs = []
        for f in self.findings:
            if f.status != "violated":
                continue
            if f.term.doc and f.term.type == "use_policy":
                docs.append(f.term.doc)
            docs += [x.split(":", 1)[0] for x in f.term.sections if ":" in x]
        return list(dict.fromkeys(d for d in docs if d != self.license_key))


def _human(value: float) -> str:
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.2f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{value:,.0f}"


def _when_matches(term: Term, s: Situation, acts: Sequence[str]) -> bool:
    w = term.only_if
    if w is None:
        return True
    if w.commercial is not None and s.commercial is not None and s.commercial != w.commercial:
        return False
    if w.audience == "external" and s.makes_available is False:
        return False
    if w.audience == "internal" and s.makes_available is True:
        return False
    if w.acts and not set(w.acts) & set(acts):
        return False
    return not (w.areas and s.areas and not set(w.areas) & set(s.areas))


def _binds(term: Term, acts: Sequence[str]) -> bool:
    return not term.acts or bool(set(term.acts) & set(acts))


# -- figures against thresholds --------------------------------------------------------------------------------
def _money_value(f: Figure, term: Term) -> tuple[float | None, list[str]]:
    notes = []
    value = f.value
    period = {"monthly_revenue": "monthly", "annual_revenue": "annual"}.get(f.metric)
    if period is None:
        period = "annual"
        notes.append(f"'{f.text}' does not say per year or per month; it was read as annual revenue.")
    want = term.period or "annual"
    if period != want:
        value = value * 12 if period == "monthly" else value / 12
        notes.append(f"'{f.text}' was converted to {want} revenue: {_human(value)}.")
    target, source = (term.currency or "").upper(), (f.currency or "").upper()
    if target and not source:
        notes.append(f"No currency was given; '{f.text}' was read as {target}.")
    elif target and source != target:
        if source not in APPROX_USD_RATES or target not in APPROX_USD_RATES:
            return None, [f"No exchange rate is known for {source}; the figure could not be compared."]
        value = value * APPROX_USD_RATES[source] / APPROX_USD_RATES[target]
        notes.append(f"{source} was converted to {target} at an approximate fixed rate: about {_human(value)}.")
    return value, notes


def _side(f: Figure, value: float, upper: float | None, limit: float, comparator: str) -> str | None:
    """'above' | 'below' | None (cannot tell) for the user's figure, read with its own comparator."""
    over = (lambda v: v > limit) if comparator == "gt" else (lambda v: v >= limit)
    c = f.comparator
    if c == "range" and upper is not None:
        return "above" if over(value) else "below" if not over(upper) else None
    if c == "eq":
        return "above" if over(value) else "below"
    if c in ("gt", "ge"):  # "more than 800M": above when even the smallest value it allows is above
        smallest = value + (1 if c == "gt" else 0)
        return "above" if over(smallest) else None
    if c in ("lt", "le"):  # "under 5M": below when even the largest value it allows is below
        largest = value - (1 if c == "lt" else 0)
        return "below" if not over(largest) else None
    return None


def _threshold(term: Term, s: Situation) -> tuple[str, str, Figure | None, list[str]]:
    users = term.type == "user_threshold"
    figs = [f for f in s.figures if f.kind == ("users" if users else "money")]
    if users:
        explicit = [f for f in figs if f.metric == "monthly_active_users"]
        figs = explicit or figs
    limit = f"{(term.currency + ' ') if term.currency else ''}{_human(term.value or 0)}"
    what = "monthly active users" if users else f"{term.period or 'annual'} revenue"
    counted = f" (counted: {term.counted})" if term.counted else ""
    if not figs:
        return "open", f"It depends on your size: the threshold is {limit} {what}{counted}.", None, []
    results = []
    for f in figs:
        if users:
            value, upper, notes = f.value, f.upper, []
            if f.metric != "monthly_active_users":
                notes.append(f"'{f.text}' was read as monthly active users, which is what the threshold counts.")
        else:
            value, notes = _money_value(f, term)
            upper = None
            if value is not None and f.upper is not None:
                upper = value * f.upper / f.value if f.value else None
        if value is None:
            results.append(("open", f"'{f.text}' could not be compared with {limit}.", f, notes))
            continue
        side = _side(f, value, upper, term.value or 0, term.comparator)
        if side == "above":
            results.append(("violated", f"{f.text} is above the threshold of {limit} {what}{counted}. {term.summary}",
                            f, notes))
        elif side == "below":
            results.append(("ok", f"{f.text} is at or below the threshold of {limit} {what}{counted}.", f, notes))
        else:
            results.append(("open", f"'{f.text}' may fall on either side of {limit} {what}{counted}.", f, notes))
    order = {"violated": 0, "open": 1, "ok": 2}
    return min(results, key=lambda r: order[r[0]])


# -- one term ----------------------------------------------------------------------------------------------
def evaluate(term: Term, s: Situation, acts: Sequence[str]) -> Finding:
    """The status of one term in the situation."""
    t = term.type
    if t != "grant" and not _when_matches(term, s, acts):
        return Finding(term, "na", "")
    if t == "grant":
        return Finding(term, "ok", term.summary)
    if t in _THRESHOLDS:
        status, why, _fig, _notes = _threshold(term, s)
        if status == "open" and not s.figures and s.makes_available is False and s.commercial is not True:
            return Finding(term, "na", why)  # a size test is about products and services, not in-house work
        if status == "violated" and term.above == "conditional":
            return Finding(term, "open", f"{why} {term.summary}", triggered=True)
        return Finding(term, status, why)
    if t == "trademark":
        return Finding(term, "violated" if s.uses_marks else "na", term.summary)
    if t == "use_policy":
        touched = sorted(set(s.areas) & set(term.areas)) if term.listed else []
        if touched:
            return Finding(term, "violated", f"The use touches what the policy prohibits ({', '.join(touched)}).")
        if s.areas and not term.listed:
            return Finding(term, "open", "The use may touch the policy, whose list is published separately.")
        if s.use_stated:
            return Finding(term, "ok", "The stated use is outside what the policy lists.")
        return Finding(term, "open", "It depends on the use: the use policy rules some uses out, and yours is not "
                                     "stated.")
    if t == "prohibition":
        hit_acts = set(term.acts) & set(acts) if term.acts else set()
        hit_areas = set(term.areas) & set(s.areas)
        hit_regions = set(term.regions) & set(s.regions)
        if hit_acts or hit_areas or hit_regions:
            return Finding(term, "violated", term.summary)
        return Finding(term, "na", "")
    if t == "noncommercial":
        if s.commercial is True:
            return Finding(term, "violated", "The use is commercial, and the license permits only non-commercial use.")
        if s.commercial is False or set(s.purposes) & {"personal", "research", "academic", "evaluation"}:
            return Finding(term, "ok", "The stated use is non-commercial.")
        return Finding(term, "open", "It depends on whether the use is commercial: only non-commercial use is granted.")
    if t == "purpose_limit":
        allowed = set(term.allowed)
        if s.commercial is True or "production" in s.purposes or s.has("host", "ship"):
            return Finding(term, "violated", f"Only {', '.join(term.allowed)} use is permitted; this use is not.")
        if set(s.purposes) & allowed or s.commercial is False:
            return Finding(term, "ok", "The stated use is one the license permits.")
        return Finding(term, "open", f"It depends on the purpose: only {', '.join(term.allowed)} use is permitted.")
    if t == "territory":
        hit = sorted(set(term.regions) & set(s.regions))
        if hit:
            return Finding(term, "violated", term.summary)
        if s.regions:
            return Finding(term, "ok", "The stated region is not excluded.")
        return Finding(term, "open" if term.material_when_unknown else "na", term.summary)
    if t == "name_prefix":
        bound = set(term.acts or ("publish_derivative",))
        if not set(acts) & bound or s.makes_available is False:
            return Finding(term, "na", "")
        prefix = term.prefix or ""
        if s.name:
            if s.name.lower().startswith(prefix.lower()):
                return Finding(term, "ok", f"'{s.name}' begins with \"{prefix}\".")
            return Finding(
                term,
                "violated",
                f"A model published as '{s.name}' does not comply: the name must begin with \"{prefix}\".",
            )
        if s.attribution == "omitted":
            return Finding(term, "violated", f'The name of such a model must begin with "{prefix}".')
        return Finding(term, "open", f'Yes if the derivative\'s name begins with "{prefix}".')
    if t == "display":
        bound = set(term.acts or MAKES_AVAILABLE)
        available = s.makes_available
        if available is False or not (set(acts) & bound or available):
            return Finding(term, "na", "")
        if s.attribution == "omitted":
            return Finding(term, "violated", f'"{term.text}" must be displayed; leaving it out is not allowed.')
        if s.attribution == "shown":
            return Finding(term, "ok", f'"{term.text}" is displayed.')
        return Finding(term, "open", f'You must display "{term.text}".')
    if t == "notice":
        bound = set(term.acts or ("redistribute", "ship", "publish_derivative"))
        if not set(acts) & bound or s.makes_available is False:
            return Finding(term, "na", "")
        if s.attribution == "omitted" or "relicense" in acts:
            return Finding(term, "violated", term.summary)
        return Finding(term, "ok", term.summary)
    if t == "share_alike":
        bound = set(term.acts or ("publish_derivative", "redistribute"))
        if "relicense" in acts and set(acts) & (bound | {"relicense"}):
            return Finding(term, "violated", term.summary)
        if not set(acts) & bound or s.makes_available is False:
            return Finding(term, "na", "")
        return Finding(term, "open", term.summary)
    if t == "no_derivatives":
        if set(acts) & {"publish_derivative"} or ("modify" in acts and s.makes_available):
            return Finding(term, "violated", term.summary)
        return Finding(term, "na", "")
    if t == "patent_termination":
        return Finding(term, "violated" if s.litigation == "licensor" else "na", term.summary)
    if t == "warranty_disclaimer":
        return Finding(term, "na", term.summary)
    # fee, ownership, termination, warranty_disclaimer: facts for literal questions, never a condition of use
    return Finding(term, "na", term.summary)


# -- the verdict ---------------------------------------------------------------------------------------------
def _acts_for(s: Situation, facet: str) -> list[str]:
    acts = list(s.acts)
    if not acts:
        acts = [DEFAULT_ACT.get(facet, "use")]
    if "use" not in acts:
        acts.append("use")  # every act uses the model
    return acts


def _granted(facts: LicenseFacts, acts: Sequence[str]) -> tuple[bool, list[str]]:
    grants = [t for t in facts.terms if t.type == "grant"]
    if not grants:
        return False, list(acts)
    covered = set()
    for g in grants:
        allowed = set(g.acts) if g.acts else None
        for a in acts:
            if allowed is None or a in allowed or (a in _USE_COVERS and "use" in allowed):
                covered.add(a)
    return True, [a for a in acts if a not in covered]


def _literal_terms(facts: LicenseFacts, facet: str, question_types: Sequence[str] = ()) -> list[Term]:
    wanted = tuple(question_types) or FACET_TERMS.get(facet, ())
    return [t for t in facts.terms if t.type in wanted]


def facet_of_situation(s: Situation) -> str | None:
    """What a question is about, from its reading alone, when its words named no topic the facet rules know."""
    if s.litigation:
        return "patent"  # "if I sue them, does my license keep running?"
    if s.has(*ACT_FACET):
        return next(ACT_FACET[a] for a in s.acts if a in ACT_FACET)
    if s.areas:
        return "acceptable_use"
    if any(f.kind == "users" for f in s.figures):
        return "user_threshold"
    if any(f.kind == "money" for f in s.figures):
        return "revenue_threshold"
    if s.regions:
        return "territory"
    if s.commercial is not None:
        return "commercial_use"
    if s.use_stated or s.audience is not None:
        return "acceptable_use"  # "for internal document search: OK?" asks whether that use is allowed
    return None


def terms_for(key: str) -> LicenseFacts | None:
    """The curated facts of a LicenseDB license, or the recorded terms of a license the LicenseDB lacks."""
    facts = facts_for(key)
    if facts is not None:
        return facts
    from assistant.catalog import load_catalog

    ext = load_catalog().external_license(key)
    if ext is None:
        return None
    return LicenseFacts(license=ext.id, as_of=str(ext.date or ext.checked), reviewed=str(ext.checked), facets={},
                        terms=list(ext.terms))


def judge(license_key: str, s: Situation, facet: str, asks_license: bool = False) -> Judgement:
    """The verdict for one license in the situation. `facet` says what the question is about; `asks_license`: the
    question asks whether a separate license or permission is needed (answered literally for an obligation)."""
    facts = terms_for(license_key)
    if facts is None:
        return Judgement(
            license_key,
            facet,
            None,
            [
                f"The license {license_key} has not been curated yet, so no "
                "verdict is given; read the quoted clauses instead."
            ],
            [],
            curated=False,
        )
    if facet in ("data_availability", "other") and s.kind != "venue":
        facet = facet_of_situation(s) or facet  # "create training data with it", "police use" name an act or area
    own = facts.facet(facet)
    if not facts.terms or (facet in NON_ACT_FACETS and s.kind in ("permission", "checklist", "definition", "identity")
                           and not (facet == "other" and s.kind == "venue")):
        return _facet_default(facts, facet, s)
    acts = _acts_for(s, facet)
    findings = [evaluate(t, s, acts) for t in facts.terms]
    if "relicense" in acts and not _granted(facts, ["relicense"])[1] and s.attribution != "omitted":
        # a license that lets you sublicense (MIT, BSD) only asks that its notice travels with the copies
        findings = [
            Finding(f.term, "ok", f.term.summary) if f.term.type == "notice" and f.status == "violated" else f
            for f in findings
        ]
    j = Judgement(
        license_key,
        facet,
        None,
        [],
        [],
        findings=findings,
        unverified=any(f.term.unverified for f in findings if f.status in ("violated", "open")),
        kind=s.kind,
    )
    j.checklist = _checklist(license_key, findings)
    has_grant, missing = _granted(facts, acts)
    violated = [f for f in findings if f.status == "violated"]
    opened = [f for f in findings if f.status == "open"]
    kind = s.kind
    settled = [f for f in findings if f.term.type in _THRESHOLDS and f.status in ("ok", "violated") and s.figures]
    if settled and kind_is_size_question(s, facet):
        # The user gave the figure a threshold turns on: that is what is asked. Other open conditions stay on
        # the checklist, but do not decide the verdict.
        opened = [f for f in opened if f.term.type in _THRESHOLDS]
    if (kind == "permission" and _focused(facet, s)) or (kind == "restriction" and facet in FACET_TERMS):
        # "Can we call it 'HelpBot'?" asks about the name: a condition on other things (the size test, the use
        # policy) stays on the checklist but does not make this answer depend on it
        opened = [f for f in opened if _on_topic(f.term, facet, s)]
    if missing and has_grant:
        missing_words = ", ".join(a.replace("_", " ") for a in missing)
        j.reasons.append(f"The license grants no right to {missing_words}.")
    if kind == "venue":
        law = [t for t in facts.terms if t.type == "governing_law"]
        if not law:
            j.verdict = "not_addressed"
            j.reasons.append("The license names no governing law or court.")
            return j
        t = law[0]
        j.sections = list(t.sections)
        j.reasons.append(t.summary)
        if s.regions:
            j.verdict = "yes" if set(s.regions) & set(t.regions) else "no"
        else:
            j.verdict = "not_addressed"
        return j
    if kind == "existence":
        terms = _literal_terms(facts, facet)
        j.verdict = "yes" if terms else "no"
        j.reasons += [t.summary for t in terms] or [f"The license has no such term ({facet.replace('_', ' ')})."]
        j.sections = [x for t in terms for x in t.sections]
        if not terms and own:
            j.sections = list(own.sections)
        return j
    if kind == "cost":
        fees = [t for t in facts.terms if t.type == "fee" and _when_matches(t, s, acts)]
        above = [f for f in violated if f.term.type in ("user_threshold", "revenue_threshold")]
        if fees:
            j.verdict = "yes"
            j.reasons += [t.summary for t in fees]
            j.sections = [x for t in fees for x in t.sections]
        elif above:
            j.verdict = "conditional"
            j.reasons += [f.why for f in above] + ["Above it you need a separate license, on terms the licensor sets."]
            j.sections = [x for f in above for x in f.term.sections]
        else:
            j.verdict = "no"
            grants = [t for t in facts.terms if t.type == "grant"]
            j.reasons.append("The license is royalty-free: it asks no fee for the rights it grants.")
            j.reasons += [f.why for f in opened if f.term.type in ("user_threshold", "revenue_threshold")]
            j.sections = [x for t in grants for x in t.sections] + [
                x for f in opened if f.term.type in ("user_threshold", "revenue_threshold") for x in f.term.sections
            ]
        return j
    if kind == "ownership":
        terms = [t for t in facts.terms if t.type == "ownership"]
        if not terms:
            j.verdict = "not_addressed"
            j.reasons.append("The license says nothing about who owns them.")
            return j
        t = terms[0]
        # what is owned: outputs when the question says so, or asks of outputs and names no fine-tune
        if s.has("use_outputs") or (facet == "output_use" and not s.has("modify", "publish_derivative")):
            t = next((x for x in terms if x.of == "outputs"), None)
            if t is None:  # owning derivatives says nothing about who owns what the model generates
                j.verdict = "not_addressed"
                j.reasons.append("The license says nothing about who owns what the model generates.")
                return j
        else:
            t = next((x for x in terms if x.of == "derivatives"), t)
        licensor_asked = _asks_about_licensor(s)
        if licensor_asked:
            j.verdict = "yes" if t.owner == "licensor" else "no"
        else:
            j.verdict = "no" if t.owner == "licensor" else "yes"
        j.reasons.append(t.summary)
        j.sections = list(t.sections)
        return j
    if kind == "obligation":
        if asks_license:
            # "Do we need a separate license?": literally, yes when the stated facts withhold the rights. Only the
            # terms that send a user to the licensor for a license count; a use policy or a display duty does not.
            gates = ("user_threshold", "revenue_threshold", "noncommercial", "purpose_limit", "territory", "fee")
            # a threshold whose passing only adds a duty (display a name) sends nobody to the licensor
            gate = [f for f in opened if f.term.type in gates and f.term.above != "conditional"]
            base = _permission(j, [f for f in violated if f.term.type in gates or f.term.type == "prohibition"],
                               gate, has_grant, missing)
            j.verdict = _reverse(base)
            return j
        if s.duty:  # the duty the question names decides which terms can impose it
            wanted = duty_terms(s.duty)
            duties = [
                f for f in findings
                if f.term.type in wanted or (f.term.duty == s.duty and f.term.type in _THRESHOLDS)
            ]
        else:
            wanted = OBLIGATION_TERMS.get(facet, FACET_TERMS.get(facet, ()))
            duties = [f for f in findings if f.term.type in wanted and f.term.type != "prohibition"]
        # a size test binds only above it: below, its duty does not arise; with no figure, it turns on the size
        sized = [f for f in duties if f.term.type in _THRESHOLDS and f.status == "open" and not f.triggered]
        binding = [
            f for f in duties
            if f.status == "violated" or f.triggered or (f.status in ("ok", "open") and f.term.type not in _THRESHOLDS)
        ]  # fmt: skip
        if sized and not binding:
            j.verdict = "conditional"
            j.reasons += [f.why for f in sized]
            j.sections = [x for f in sized for x in f.term.sections]
        elif binding:
            j.verdict = "yes"
            j.reasons += [f.term.must or f.term.summary for f in binding]
            j.sections = [x for f in binding for x in f.term.sections]
        elif duties and s.makes_available is None:
            j.verdict = "conditional"
            j.reasons += [
                f"Only when the model or a product using it is distributed or made available: "
                f"{f.term.must or f.term.summary}"
                for f in duties
            ]
            j.sections = [x for f in duties for x in f.term.sections]
        else:
            j.verdict = "no"
            j.reasons.append(
                "Nothing in the license requires it in this situation."
                if duties
                else "The license has no such requirement."
            )
            j.sections = [x for f in duties for x in f.term.sections]
        return j
    allowed = _permission(j, violated, opened, has_grant, missing)
    if kind == "restriction":  # "does it forbid ...?": yes when it is not allowed
        j.verdict = _reverse(allowed)
    return j


def _reverse(verdict: str | None) -> str | None:
    """The answer to the reverse question ("do we need a license?", "does it forbid it?") of a may-I verdict."""
    return {"no": "yes", "yes": "no"}.get(verdict, verdict) if verdict else verdict


def _focused(facet: str, s: Situation) -> bool:
    """Whether a permission question asks about one topic only: a name or credit; or handing on files (a fine-tune
    uploaded, weights shared or sold) when no product or service of the user's is stated with it: the use
    conditions then flow down to the recipients, which is paperwork."""
    if facet in FOCUSED_FACETS:
        return True
    return facet in HANDING_ON_FACETS and not s.has("host", "ship")


def _on_topic(term: Term, facet: str, s: Situation) -> bool:
    """A term that bears on what a focused question asks: its topic's kind of term, or a term bound to an act the
    question names."""
    if term.type in FACET_TERMS.get(facet, ()):
        return True
    return bool(term.acts) and bool(set(term.acts) & (set(s.acts) - {"use"})) and term.type != "grant"


def duty_terms(duty: str) -> tuple[str, ...]:
    """The kinds of term that impose a duty of the vocabulary."""
    return load_vocabulary().duty_terms.get(duty, ())


def kind_is_size_question(s: Situation, facet: str) -> bool:
    """A question that gives a size figure for a license with a size test asks whether that size is allowed."""
    if s.kind != "permission":
        return False  # "any catch?" asks for every condition, not only the size test
    return facet in ("user_threshold", "revenue_threshold", "commercial_use") or any(
        f.kind in ("users", "money") for f in s.figures
    )


def _asks_about_licensor(s: Situation) -> bool:
    return s.licensor_subject


def _permission(
    j: Judgement, violated: list[Finding], opened: list[Finding], has_grant: bool, missing: Sequence[str]
) -> str:
    """The permission verdict: no when a term is violated or the act is not granted, conditional when a material
    term is open, yes when granted; the deciding sentences and sections go into the judgement."""
    if violated or (missing and has_grant):
        j.verdict = "no"
        j.reasons += [f.why for f in violated]
        j.sections = [x for f in violated for x in f.term.sections]
        if missing and has_grant:
            j.sections += [x for f in j.findings if f.term.type == "grant" for x in f.term.sections]
    elif opened:
        j.verdict = "conditional"
        j.reasons += [f.why for f in opened]
        grants = [x for f in j.findings if f.term.type == "grant" for x in f.term.sections]
        j.sections = [x for f in opened for x in f.term.sections] + grants
    elif has_grant:
        j.verdict = "yes"
        grants = [f for f in j.findings if f.term.type == "grant"]
        j.reasons += [f.term.summary for f in grants]
        ok = [f for f in j.findings if f.status == "ok" and f.term.type in ("user_threshold", "revenue_threshold")]
        j.reasons += [f.why for f in ok]
        j.sections = [x for f in ok for x in f.term.sections] + [x for f in grants for x in f.term.sections]
    else:
        j.verdict = "not_addressed"
        j.reasons.append("The license text says nothing that decides this.")
    j.sections = list(dict.fromkeys(j.sections))
    return j.verdict


def _checklist(key: str, findings: Sequence[Finding]) -> list[ChecklistItem]:
    items = []
    for f in findings:
        if f.status == "na" or f.term.type == "grant":
            continue
        text = f.term.must or f.why or f.term.summary
        if f.status == "violated":
            text = f.why
        items.append(ChecklistItem(text, key, list(f.term.sections), f.status))
    order = {"violated": 0, "open": 1, "ok": 2}
    return sorted(items, key=lambda i: order[i.status])


def _facet_default(facts: LicenseFacts, facet: str, s: Situation) -> Judgement:
    """A question about the license itself (termination, warranty, governing law ...): the reviewed facet answer."""
    own = facts.facet(facet)
    if own is None:
        return Judgement(
            facts.license,
            facet,
            "not_addressed",
            [f"The curated facts for {facts.license} record nothing that decides this."],
            [],
        )
    j = Judgement(
        facts.license,
        facet,
        own.verdict,
        [own.summary.strip()],
        list(own.sections),
        notes=list(own.notes),
        unverified=own.unverified,
    )
    if facts.terms:
        acts = _acts_for(s, facet)
        findings = [evaluate(t, s, acts) for t in facts.terms]
        hits = [
            f
            for f in findings
            if f.status == "violated" and f.term.type in ("prohibition", "territory", "patent_termination")
        ]
        if hits and facet in ("termination", "patent"):
            # "If I sue the licensor, do I keep my license?": the stated facts end it
            j.verdict = "no"
            j.reasons = [f.term.summary for f in hits]
            j.sections = [x for f in hits for x in f.term.sections]
        j.checklist = _checklist(facts.license, findings)
    return j


def overall(judgements: Sequence[Judgement]) -> str | None:
    """The combined verdict: the most restrictive of the curated ones."""
    verdicts = [j.verdict for j in judgements if j.verdict is not None]
    if not verdicts:
        return None
    return max(verdicts, key=lambda v: _SEVERITY[v])
