"""Read a question (and the conversation so far) into a Situation: what the user does, in what context, with which
figures, and what kind of answer it asks for. One reading per question, shared by every license.

The vocabulary and its cues are data (corpus/situations.yaml); figures and names are read by exact lexical rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.config import CORPUS_DIR
from assistant.figures import Figure, extract_figures
from assistant.spelling import mend
from assistant.yamlio import load_yaml

ACTS: tuple[str, ...] = (
    "use", "host", "ship", "redistribute", "modify", "publish_derivative", "use_outputs", "train_on_outputs",
    "evaluate", "relicense",
)  # fmt: skip
#: Acts through which something reaches other people (what display and naming duties bind).
MAKES_AVAILABLE: frozenset[str] = frozenset({"host", "ship", "redistribute", "publish_derivative"})
KINDS: tuple[str, ...] = (
    "permission", "obligation", "cost", "existence", "ownership", "checklist", "identity", "definition", "venue",
    "restriction",
)  # fmt: skip


@dataclass
class Situation:
    """The reading of one question. Unknown is None (or empty): a condition that turns on it stays open."""

    acts: list[str] = field(default_factory=list)
    commercial: bool | None = None
    audience: str | None = None  # "internal" | "external" | None
    purposes: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    use_stated: bool = False
    regions: list[str] = field(default_factory=list)
    name: str | None = None  # the name given to a derivative
    attribution: str | None = None  # "shown" | "omitted" | None
    litigation: str | None = None  # "licensor" | None
    uses_marks: bool = False  # the licensor's names, logos or marks, or a claim of its endorsement
    figures: list[Figure] = field(default_factory=list)
    kind: str = "permission"
    negated: bool = False  # "we will not distribute it": the stated acts are what the user avoids
    asks_license: bool = False  # "do we need a separate license / permission?"
    licensor_subject: bool = False  # "does Meta claim ...?": the licensor, not the user, is asked about
    duty: str | None = None  # the duty a "do I have to ...?" asks about (display, notice, name, disclose ...)

    def has(self, *acts: str) -> bool:
        return any(a in self.acts for a in acts)

    @property
    def makes_available(self) -> bool | None:
        """True when something reaches others, False when the use is stated internal, None when unknown."""
        if self.audience == "internal" and not self.has(*MAKES_AVAILABLE - {"host"}):
            return False
        if self.has(*MAKES_AVAILABLE) or self.audience == "external":
            return True
        return None

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "figures"}
        d["figures"] = [f.__dict__ for f in self.figures]
        return d


def _compile(cues: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(f"(?:{c})" for c in cues) + r")(?![\w])", re.I)


@dataclass(frozen=True)
class Vocabulary:
    acts: dict[str, re.Pattern[str]]
    commercial: dict[str, re.Pattern[str]]
    audience: dict[str, re.Pattern[str]]
    purposes: dict[str, re.Pattern[str]]
    areas: dict[str, re.Pattern[str]]
    use_stated: re.Pattern[str]
    regions: dict[str, re.Pattern[str]]
    attribution: dict[str, re.Pattern[str]]
    litigation: dict[str, re.Pattern[str]]
    marks: re.Pattern[str]
    kinds: dict[str, re.Pattern[str]]
    duties: dict[str, re.Pattern[str]]
    duty_terms: dict[str, tuple[str, ...]]
    meanings: dict[str, str]


def _group(raw: dict, name: str) -> dict[str, re.Pattern[str]]:
    out = {}
    for key, entry in (raw.get(name) or {}).items():
        cues = entry["cues"] if isinstance(entry, dict) else entry
        pattern = _compile(cues)
        scripts = entry.get("scripts") if isinstance(entry, dict) else None
        if scripts:  # scripts without spaces between words: no word boundaries to match on
            pattern = re.compile(pattern.pattern + "|" + "|".join(re.escape(x) for x in scripts), re.I)
        out[str(key)] = pattern
    return out


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The vocabulary of situations, compiled once (corpus/situations.yaml)."""
    raw = load_yaml((path or CORPUS_DIR / "situations.yaml").read_text(encoding="utf-8"))
    meanings = {}
    for group in ("acts", "areas", "purposes", "kinds", "duties"):
        for key, entry in (raw.get(group) or {}).items():
            meanings[f"{group}.{key}"] = entry.get("means", key) if isinstance(entry, dict) else key
    unknown = set(raw.get("acts", {})) - set(ACTS)
    if unknown:
        raise ValueError(f"corpus/situations.yaml: acts {sorted(unknown)} are not in the vocabulary {ACTS}")
    return Vocabulary(
        acts=_group(raw, "acts"),
        commercial=_group(raw, "commercial"),
        audience=_group(raw, "audience"),
        purposes=_group(raw, "purposes"),
        areas=_group(raw, "areas"),
        use_stated=_compile(raw["use_stated"]["cues"]),
        regions=_group(raw, "regions"),
        attribution=_group(raw, "attribution"),
        litigation=_group(raw, "litigation"),
        marks=_compile(raw["marks"]["cues"]),
        kinds=_group(raw, "kinds"),
        duties=_group(raw, "duties"),
        duty_terms={str(k): tuple(v.get("terms") or ()) for k, v in (raw.get("duties") or {}).items()},
        meanings=meanings,
    )


_QUOTED_NAME = re.compile(
    r"(?:\bas|\bcall(?:ed|ing)?(?:\s+(?:it|them|the\s+\w+))?|\bnam(?:e|ed|ing)\s+(?:it|them|the\s+\w+)?|\bbrand(?:ed)?\s+(?:it\s+)?as|"
    r"\bunder\s+the\s+name|\brename(?:d)?\s+(?:it\s+)?(?:to)?)\s*"
    r"[\"'“‘«]([^\"'”’»]{2,40})[\"'”’»]",
    re.I,
)
_BARE_NAME = re.compile(
    r"\b(?:call(?:ed)?\s+it|name(?:d)?\s+it|release(?:d)?\s+it\s+as|publish(?:ed)?\s+it\s+as|brand(?:ed)?\s+it\s+as|"
    r"rename(?:d)?\s+it\s+(?:to\s+)?)\s+([A-Z][\w.+-]*(?:[ -][A-Z0-9][\w.+-]*){0,2})"
)
# "we won't distribute it", "not going to publish": the act named is avoided, not done
_ACT_STEMS = r"(?:distribut|redistribut|publish|releas|shar|upload|ship|sell|host|expos|offer|apis?\b|servic|saas)\w*"
_NEGATED_ACT = re.compile(
    r"\b(?:not|never|no|won.t|wont|don.t|dont|do\s+not|will\s+not|without|nor|isn.t|aren.t)\s+(?:\w+\s+){0,3}?"
    rf"{_ACT_STEMS}(?:\s*(?:,|or|and|nor)\s+(?:\w+\s+)?{_ACT_STEMS})*",
    re.I,
)
_ACT_WORD = re.compile(
    r"(distribut|redistribut|publish|releas|shar|upload|ship|sell|host|expos|offer|api|servic|saas)\w*", re.I
)
_ACT_OF_WORD = {
    "distribut": "redistribute", "redistribut": "redistribute", "publish": "publish_derivative",
    "releas": "publish_derivative", "shar": "redistribute", "upload": "redistribute", "ship": "ship",
    "sell": "ship", "host": "host", "expos": "host", "offer": "host", "api": "host", "servic": "host", "saas": "host",
}  # fmt: skip


_RELEASES = re.compile(
    r"\b(?:publish|releas|shar|upload|distribut|sell|open[- ]?sourc|put\s+(?:it\s+)?(?:on|up))\w*", re.I
)


def _name(text: str) -> str | None:
    m = _QUOTED_NAME.search(text) or _BARE_NAME.search(text)
    return m.group(1).strip() if m else None


def _negated_acts(text: str) -> set[str]:
    out = set()
    for m in _NEGATED_ACT.finditer(text):
        for w in _ACT_WORD.finditer(m.group(0)):
            out.add(_ACT_OF_WORD[w.group(1).lower()])
    return out


# A sentence ends at . ! ? (or their CJK forms) followed by space or the end; "v0.1" and "3.5" do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[。！？])|\s+[—–]\s+|(?<=\w):\s+(?=\S)|,\s+so\s+(?=\S)")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|esp|resp|no)\.|\b[A-Z]\.)$", re.I)
# "Since Llama 3.1 is MIT, can I ...?": a premise before the question proper, stated, not asked
_PREMISE = re.compile(
    r"^\W*(?:so\s+)?(?:since|because|as|given(?:\s+that)?|now\s+that|seeing\s+(?:as|that)|if\s+it.s\s+true\s+that)\s+"
    r"[^,;?]{3,160}[,;]\s*",
    re.I,
)


def question_sentence(text: str) -> str:
    """The sentence that asks: the last one with a question mark (else the last one), without a stated premise.
    Its wording decides the kind of question; the sentences before it describe the situation."""
    sentences: list[str] = []
    for piece in (x.strip() for x in _SENTENCE_END.split(text.strip())):
        if piece and sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + piece  # "e.g." and "i.e." do not end a sentence
        elif piece:
            sentences.append(piece)
    if not sentences:
        return text
    asking = [x for x in sentences if x.rstrip().endswith(("?", "？"))]
    last = (asking or sentences)[-1]
    return _PREMISE.sub("", last, count=1) or last


# "Does Gemma's prohibited use policy allow it?" names a document; the question is whether it allows it
_POLICY_NAME = re.compile(r"\b(?:prohibited|acceptable|restricted)[- ]use\s+polic(?:y|ies)\b", re.I)


def _kind(text: str, vocab: Vocabulary) -> str:
    text = _POLICY_NAME.sub("use policy", text)
    asked = question_sentence(text)
    kind = _kind_of(asked, vocab)
    if kind == "permission" and asked != text:
        # a bare "Is that OK?" takes its kind from nothing; a statement of what is asked may sit earlier
        earlier = _kind_of(text, vocab)
        if earlier not in ("identity", "permission") and not _asks_permission_first(asked):
            return earlier
    return kind


_PERMITTED_UNDER = re.compile(
    r"\b(?:allowed|permitted|ok|okay|fine|legal|compliant|acceptable|possible)\s+(?:under|by|with|per)\b", re.I
)


_VENUE_WORD = re.compile(r"\b(?:law|laws|court|courts|jurisdiction|arbitration|venue|litigat\w*|disputes?)\b", re.I)


def _kind_of(text: str, vocab: Vocabulary) -> str:
    k = vocab.kinds
    # Order: the most specific reading of the question wins.
    if k["identity"].search(text) and not _PERMITTED_UNDER.search(text):
        return "identity"  # "is that allowed under the Llama 2 license?" asks for permission
    if k["ownership"].search(text):
        return "ownership"
    if k["cost"].search(text) and not _asks_permission_first(text):
        return "cost"  # "can we use it without paying?" asks for permission, "do we pay?" for the cost
    if k["checklist"].search(text):
        return "checklist"
    if k["obligation"].search(text) and not _asks_permission_first(text):
        return "obligation"
    if k["existence"].search(text):
        return "existence"
    if k["restriction"].search(text) and not _asks_permission_first(text):
        return "restriction"  # "does it forbid ...?" is answered literally: no when it is allowed
    if k["venue"].search(text) and _VENUE_WORD.search(text):
        return "venue"
    if k["definition"].search(text):
        return "definition"
    return "permission"


_PERMISSION_LEAD = re.compile(
    r"^\W*(?:(?:so|ok|okay|hi|hey|quick\s+question)\W+)*(?:can|may|could|am\s+i\s+allowed|are\s+we\s+allowed|is\s+it\s+(?:ok|okay|"
    r"allowed|legal|fine|possible)|would\s+it\s+be\s+(?:ok|legal|allowed)|are\s+(?:we|i)\s+(?:allowed|permitted|ok)|is\s+\w+\s+allowed|(?:is|are)\s+(?:[\w.-]+\s+){1,6}?(?:ok|okay|fine|allowed|permitted|legal)\s+(?:to|for)\b)\b",
    re.I,
)


def _asks_permission_first(text: str) -> bool:
    """ "Can we use it commercially, or do we need a license?" asks for permission first."""
    return bool(_PERMISSION_LEAD.search(question_sentence(text)))


def read_situation(
    question: str, history: Sequence[str] = (), figures: Sequence[Figure] | None = None, vocab: Vocabulary | None = None
) -> Situation:
    """The Situation a question describes. Earlier user turns (oldest first) fill in what a follow-up leaves out:
    "and if we publish the weights as 'MedBot'?" keeps the earlier commercial SaaS context and adds the act."""
    vocab = vocab or load_vocabulary()
    s = _read_one(mend(question or ""), vocab, figures)
    for turn in reversed(list(history or [])):
        prior = _read_one(mend(turn), vocab, None)
        _inherit(s, prior)
    return s


# "the Mistral Research License", "a non-commercial licence": words that name a license describe it, not the use
_LICENSE_NAME = re.compile(
    r"\b(?:non[- ]?commercial|research|community|non[- ]?production|academic|evaluation|open)"
    r"(?:[\s-]+(?:research|community|use|model|models|ai|rail\S*|open|only))*[\s-]+(?:licen[cs]es?|agreements?|terms)\b",
    re.I,
)


# "no company, no money", "nothing military, medical or legal", "I won't sell anything": a cue under a negation
# (within its clause, across a short list) is what the user does not do
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:no|not|never|nothing|without|nor|neither|none|no\s+longer)|n[’']t)"
    r"(?:[\s,]+(?:or|and|nor|even|any|a|an|the|for|to|be|is|it|anything|use)?\s*[\w-]+){0,4}?[\s,]*$",
    re.I,
)
_CLAUSE_BREAK = re.compile(r"[.;:!?()]|\b(?:but|just|only|instead|rather)\b", re.I)


def _negated_at(text: str, start: int) -> bool:
    before = text[max(0, start - 60) : start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    return bool(_NEGATION_BEFORE.search(before))


def _affirmed(pattern: re.Pattern[str], text: str) -> bool:
    """Whether the cue occurs at least once not under a negation."""
    return any(not _negated_at(text, m.start()) for m in pattern.finditer(text))


def _negated_only(pattern: re.Pattern[str], text: str) -> bool:
    """Whether the cue occurs, and only under a negation."""
    hits = list(pattern.finditer(text))
    return bool(hits) and all(_negated_at(text, m.start()) for m in hits)


# "a model released under CC-BY-NC" describes what the user has; "we released it under MIT" is an act of theirs
_DESCRIBED_UNDER = re.compile(
    r"\b(?!(?:i|we|they|you|he|she|have|has|had|be|been|is|are|was|were|get|got|being|will|ll|ve|to)\b)([\w-]+)\s+"
    r"(?:released|licen[cs]ed|published|distributed|shared|offered|provided|available)\s+(?=(?:under|as)\b)",
    re.I,
)


def _read_one(text: str, vocab: Vocabulary, figures: Sequence[Figure] | None) -> Situation:
    s = Situation()
    context = _LICENSE_NAME.sub(" license ", text)  # what the use is, read without the licenses' own names
    negated = _negated_acts(text)
    described = _DESCRIBED_UNDER.sub(r"\1 ( ", text)
    acts = [a for a, p in vocab.acts.items() if _affirmed(p, described)]
    s.acts = [a for a in acts if a not in negated or a in ("modify", "use_outputs", "train_on_outputs", "evaluate")]
    if negated and not s.has(*MAKES_AVAILABLE):
        s.negated = True
    com_yes = _affirmed(vocab.commercial["yes"], context)
    # "I won't sell anything", "no company, no money": a denied commercial context is a non-commercial one
    com_no = bool(vocab.commercial["no"].search(context)) or _negated_only(vocab.commercial["yes"], context)
    # "non-commercial" contains "commercial": the negative reading wins when both match the same words
    if (
        com_no
        and not re.search(r"(?<!non[- ])(?<!non)\bcom+er[cs]ial", context, re.I)
        and not re.search(
            r"\b(?:sell|paid|customers?|clients?|business|company|startup|saas|revenue|monetiz|profit)", context, re.I
        )
    ):
        com_yes = False
    if com_yes and not com_no:
        s.commercial = True
    elif com_no and not com_yes:
        s.commercial = False
    elif com_yes and com_no:
        # "a university spin-off selling ...": selling decides; "non-commercial research" decides the other way
        s.commercial = bool(
            re.search(r"\b(?:sell|paid|customers?|clients?|saas|revenue|monetiz|profit|startup|company)", context, re.I)
        )
    internal = bool(vocab.audience["internal"].search(text))
    external = _affirmed(vocab.audience["external"], text)
    if internal and not (external and s.has(*MAKES_AVAILABLE)):
        s.audience = "internal"
    elif external or s.has(*MAKES_AVAILABLE):
        s.audience = "external"
    s.purposes = [p for p, pat in vocab.purposes.items() if pat.search(context)]
    s.areas = [a for a, pat in vocab.areas.items() if _affirmed(pat, text)]
    # training another model or benchmarking is itself a stated use
    s.use_stated = bool(s.areas) or s.has("train_on_outputs", "evaluate") or bool(vocab.use_stated.search(text))
    s.regions = [r for r, pat in vocab.regions.items() if _affirmed(pat, text)]
    s.name = _name(text)
    if not s.has("publish_derivative") and s.has("modify", "train_on_outputs") and s.audience != "internal" and (
        s.name or (_RELEASES.search(_without_duty(text, vocab)) and not negated)
    ):
        s.acts.append("publish_derivative")  # a derivative given a name or released reaches others
    if vocab.attribution["omitted"].search(text):
        s.attribution = "omitted"
    elif vocab.attribution["shown"].search(text):
        s.attribution = "shown"
    if vocab.litigation["licensor"].search(text):
        s.litigation = "licensor"
    s.uses_marks = bool(vocab.marks.search(text))
    s.figures = list(figures) if figures is not None else extract_figures(text)
    s.kind = _kind(text, vocab)
    s.asks_license = bool(_ASKS_LICENSE.search(text))
    if s.kind == "obligation" and not s.asks_license:
        duty = _duty_acts(text, vocab)
        s.acts = [a for a in s.acts if a not in duty]
        words = _duty(text, vocab)
        s.duty = next((d for d, pat in vocab.duties.items() if pat.search(words)), None) if words else None
    s.licensor_subject = bool(_LICENSOR_SUBJECT.search(text))
    return s


# The duty a "do I have to ...?" asks about ends where the clause does, or where its condition begins
_DUTY_END = re.compile(
    r"[,;:?!.]|\b(?:if|when|once|because|since|after|before|unless|as\s+long\s+as|so\s+that)\b", re.I
)


def _duty(text: str, vocab: Vocabulary) -> str:
    """The words of the duty a "do I have to ...?" question asks about ("" when it asks no such thing)."""
    asked = question_sentence(text)
    m = vocab.kinds["obligation"].search(asked)
    if not m or _ASKS_LICENSE.search(asked) or _asks_permission_first(asked):
        return ""
    rest = asked[m.end():]
    end = _DUTY_END.search(rest)
    return (rest[: end.start()] if end else rest).strip()


def _without_duty(text: str, vocab: Vocabulary) -> str:
    duty = _duty(text, vocab)
    return text.replace(duty, " ") if duty else text


def _duty_acts(text: str, vocab: Vocabulary) -> set[str]:
    """Acts named only as the duty asked about: "I run it as SaaS. Do I have to publish my changes?" asks whether
    publishing is required; it does not say the user publishes. Modifying stays: there is something to publish."""
    duty = _duty(text, vocab)
    if not duty:
        return set()
    outside = text.replace(duty, " ")
    return {
        a for a, p in vocab.acts.items()
        if a in MAKES_AVAILABLE | {"relicense"} and p.search(duty) and not p.search(outside)
    }  # fmt: skip


# Acquiring a license or permission, not handing one on ("do we need a separate license?", "ask Meta for one");
# "do I need to include the license text?" is a duty, not this.
_ASKS_LICENSE = re.compile(
    r"\b(?:need|needs|require|requires|required|have\s+to|must|should)\s+(?:to\s+)?(?:get|obtain|buy|request|ask\s+for|"
    r"sign|apply\s+for|purchase|negotiate)?\s*(?:a|an|any|their|its|the)?\s*(?:separate|special|commercial|enterprise|paid|"
    r"extra|another|additional|new|different|dedicated|written|explicit|express|prior)?\s*(?:\w+.s\s+)?"
    r"(?:licen[cs]e\s+(?:from|with)|licen[cs]e\b(?!\s+(?:text|file|notice|copy))(?=.*\b(?:from|by|with)\b)|permission|"
    r"approval|consent|authori[sz]ation)|"
    r"\b(?:need|require|get|obtain|request)\s+(?:a|an)\s+(?:separate|special|commercial|enterprise|paid|extra|another|"
    r"additional|new|different)\s+licen[cs]e|"
    r"\b(?:ask|request|contact|talk\s+to|get\s+in\s+touch\s+with)\s+(?:\w+\s+){0,2}(?:for\s+)?(?:a\s+)?(?:licen[cs]e|permission)",
    re.I,
)
_LICENSOR_SUBJECT = re.compile(
    r"\b(?:does|do|can|will|would|could|did|whether|if)\s+(?:meta|google|alibaba|stability(?:\s+ai)?|microsoft|mistral|nvidia|deepseek|"
    r"tencent|naver|lg|tii|bfl|black\s+forest\s+labs|moonshot|openai|the\s+licensor|they|the\s+(?:company|developers?|authors?|"
    r"creators?|vendor))\s+(?:\w+\s+)?(?:owns?|claims?|gets?|takes?|keeps?|retains?|holds?|ha(?:ve|s)\s+(?:any\s+)?rights)\b",
    re.I,
)


def _inherit(s: Situation, prior: Situation) -> None:
    """A follow-up keeps what it does not restate; one that now says "internal" drops what reached others."""
    inherited = [a for a in prior.acts if a not in s.acts]
    if s.audience == "internal":
        inherited = [a for a in inherited if a not in MAKES_AVAILABLE]
    s.acts = list(dict.fromkeys(s.acts + inherited))
    if s.commercial is None:
        s.commercial = prior.commercial
    if s.audience is None:
        s.audience = prior.audience
    elif s.audience == "internal" and prior.audience == "external" and s.has(*MAKES_AVAILABLE):
        s.audience = "external"
    s.purposes = list(dict.fromkeys(s.purposes + prior.purposes))
    s.areas = list(dict.fromkeys(s.areas + prior.areas))
    s.use_stated = s.use_stated or prior.use_stated
    s.regions = list(dict.fromkeys(s.regions + prior.regions))
    s.name = s.name or prior.name
    s.attribution = s.attribution or prior.attribution
    s.litigation = s.litigation or prior.litigation
    s.uses_marks = s.uses_marks or prior.uses_marks
    if not s.figures:
        s.figures = list(prior.figures)
