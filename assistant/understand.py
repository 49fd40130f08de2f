"""Turn a question (and the chat so far) into plain data: subjects, facets, figures and flags."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.facets import detect_facets
from assistant.figures import Figure, extract_figures
from assistant.resolve import Resolution, resolve
from assistant.situation import Situation, load_vocabulary, read_situation
from assistant.spelling import mend

MAX_HISTORY_TURNS = 12  # older turns rarely name the subject of a follow-up, and each costs a resolve()


@dataclass
class Query:
    question: str
    licenses: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    comparison: bool = False  # "X vs Y", "compare", "which of these", several subjects
    openness: str | None = None  # "osd" | "osaid" | "mof" | "fsd" | "eu-ai-act" | "open-weights" | None
    subject_from_history: bool = False  # subject taken from earlier turns
    unknown: list[str] = field(default_factory=list)
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    injection: bool = False  # "ignore previous instructions", "just say yes" ...
    language_ok: bool = True  # False when the question is clearly not English
    situation: Situation = field(default_factory=Situation)  # what the user does, in what context (one reading)
    named_licenses: list[str] = field(default_factory=list)  # licenses the question names outright ("is X MIT?")
    external: list[str] = field(default_factory=list)  # corpus/external ids: licenses the LicenseDB has no text for


_COMPARISON = re.compile(
    r"\b(?:vs\.?|versus|compar(?:e|ed|ing|ison)|difference(?:s)?\s+between|differ(?:s)?\s+from|which\s+of\s+(?:these|"
    r"them|the)|which\s+(?:one|license|model)\s+(?:is|should|would|has|lets|allows)|better|stricter|"
    r"more\s+(?:permissive|restrictive|open)|less\s+(?:permissive|restrictive)|side[- ]by[- ]side|or\s+should\s+i)\b",
    re.I,
)
_SPOKEN_VERSION = re.compile(r"(\d)\s+point\s+(\d)\b", re.I)
_BOTH = re.compile(r"\b(?:both|each\s+of|all\s+of)\b", re.I)
# Most specific first: "open source AI definition" is OSAID, a bare "open source" is the OSD.
_OPENNESS: list[tuple[str, re.Pattern[str]]] = [
    ("osaid", re.compile(r"\bosaid\b|open[- ]source\s+ai(?:\s+definition)?\b|open\s+source\s+ai\b", re.I)),
    (
        "mof",
        re.compile(
            r"\bmof\b|model\s+openness(?:\s+framework)?|openness\s+framework|mot\s+class|class\s+i{1,3}\b", re.I
        ),
    ),
    ("eu-ai-act", re.compile(r"\b(?:eu\s+)?ai\s+act\b|article\s+53|art\.?\s*53|\b2024/1689\b", re.I)),
    ("fsd", re.compile(r"\bfsf\b|\bfsd\b|free\s+software(?:\s+definition)?|four\s+freedoms|\blibre\b", re.I)),
    ("open-weights", re.compile(r"open[- ]?weights?\b|\bowd\b", re.I)),
    ("osd", re.compile(r"open[- ]?source|\bosi\b|\bosd\b|osi[- ]approved|open\s+source\s+definition|\bdfsg\b", re.I)),
]
_ASKS_LICENSE_OF = re.compile(
    r"\b(?:licen[cs]ed|released|published|distributed|available)\s+(?:\w+\s+)?(?:under|as)\b|"
    r"\b(?:what|which)\s+licen[cs]e|\b(?:is|are)\s+(?:it|they|this|that|the\s+model|[\w.-]+(?:\s+[\w.-]+)?)\s+"
    r"(?:under|really|actually|truly)\b|\bvs\.?\b|\bversus\b|\bcompar",
    re.I,
)
_HYPOTHETICAL = re.compile(r"\b(?:pretend|suppose|supposing|imagine|assume|assuming|hypothetical\w*)\b", re.I)
_INJECTION = re.compile(
    r"(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|the\s+|your\s+|my\s+|these\s+|those\s+)*"
    r"(?:previous\s+|prior\s+|above\s+|earlier\s+|preceding\s+|system\s+|safety\s+|original\s+)*"
    r"(?:instructions?|rules|prompts?|guidelines|guardrails|directions|constraints|context|policies)"
    r"|(?:just|simply|only|always)\s+(?:say|answer|reply|respond|output|write)\s+(?:with\s+)?[\"'“]?(?:yes|no|allowed|"
    r"true|ok)\b"
    r"|you\s+(?:must|have\s+to|should|will|are\s+required\s+to)\s+(?:answer|say|reply|respond|output)\s+(?:with\s+)?"
    r"[\"'“]?(?:yes|no|allowed|that)\b"
    r"|answer\s+[\"'“]?yes[\"'”]?\s+(?:no\s+matter|regardless|whatever)"
    r"|\b(?:new|system|developer|admin)\s+(?:instructions?|prompt|mode)\s*[:=]"
    r"|\byou\s+are\s+now\b|\bpretend\s+(?:to\s+be|you\s+are|that)\b|\bjailbreak|\bdo\s+anything\s+now\b"
    r"|\bpretend\s+(?:the\s+|this\s+|its\s+)?[\w .-]{1,40}?\s+(?:is|are|was|were)\b"
    r"|reveal\s+(?:your\s+)?(?:system\s+)?prompt|<\|im_start\|>|\[/?inst\]|###\s*instruction",
    re.I,
)
_FOLLOW_UP = re.compile(
    r"^\s*(?:and|also|so|then|but|ok(?:ay)?|now|what\s+about|how\s+about|same\s+(?:for|question)|and\s+for|"
    r"what\s+if|and\s+if|does\s+(?:this|that|it)|is\s+(?:this|that|it)|can\s+(?:i|we)\s+(?:also|still)|"
    r"would\s+(?:this|that|it)|if\s+so)\b"
    r"|\b(?:this|that|the\s+same)\s+(?:model|license|licence|one|terms)\b|\b(?:it|its|they|them)\b",
    re.I,
)
_WORD = re.compile(r"[^\W\d_]+", re.U)
_ENGLISH = frozenset(
    "the is are can i we my our use it to of and for with what does do if under this that model license licence "
    "commercially allowed be an on how you need must may which when there any using used have has not".split()
)
_FOREIGN = frozenset(
    # German, French, Spanish, Italian, Portuguese, Dutch function words that are not English words
    "der die das und ist nicht ich kann ein eine mit für auf wie darf dürfen verwenden nutzen kommerziell modell "
    "lizenz wir unser unsere welche oder auch sind werden "
    "le les est pas je peux une des avec pour sur comment utiliser commercialement modèle nous notre "
    "qui dans du est-ce puis-je "
    "el los las puedo una con para sobre como usar comercialmente modelo licencia nosotros en del se puede "
    "il lo gli è posso uno per usare modello licenza che "
    "os é não um uma licença em da podemos "
    "het een niet ik kan voor hoe gebruiken licentie mag".split()
)


def _turn_text(item: Any) -> str | None:
    """The text of a user turn: a string, a {"role", "content"} dict, or a (user, assistant) pair; else None."""
    if isinstance(item, str):
        return item
    if isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
        return item[0]  # the older chat format: [user message, assistant reply]
    if isinstance(item, dict):
        if item.get("role", "user") != "user":
            return None
        content = item.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):  # multimodal message: [{"type": "text", "text": ...}, ...]
            parts = [p.get("text") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
            return " ".join(parts) or None
    return None


def user_turns(history: Sequence[Any] | None) -> list[str]:
    """User turns of `history`, oldest first; malformed items are skipped."""
    if not history or isinstance(history, (str, bytes)):
        return [history] if isinstance(history, str) and history.strip() else []
    try:
        items = list(history)
    except TypeError:
        return []
    out = [t for t in (_turn_text(i) for i in items) if t and t.strip()]
    return out[-MAX_HISTORY_TURNS:]


# "Do we have to open source our code?" asks about a duty to publish source, not about a definition of openness.
_OPEN_SOURCE_VERB = re.compile(
    r"\bopen[- ]?sourc(?:e|es|ed|ing)\s+(?=(?:our|my|the|their|its|your|all|any|it|them|this|that|everything)\b)",
    re.I,
)


def open_source_as_verb(text: str) -> str:
    """The text with "open source X" (the verb) said as "publish the source of X"."""
    return _OPEN_SOURCE_VERB.sub("publish the source of ", text)


def detect_openness(text: str) -> str | None:
    text = open_source_as_verb(text)
    for name, pattern in _OPENNESS:
        if pattern.search(text):
            return name
    return None


def detect_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


def is_english(text: str) -> bool:
    """False only when the text is clearly in another language (another script, or foreign function words)."""
    text = text[:3000]  # enough to tell the language of a long paste
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 6:
        latin = sum(1 for c in letters if c.isascii() or "\u00c0" <= c <= "\u024f")
        if latin / len(letters) < 0.5:
            return False
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 4:
        return True
    foreign = sum(1 for w in words if w in _FOREIGN)
    english = sum(1 for w in words if w in _ENGLISH)
    return not (foreign >= 2 and foreign > english)


def _has_subject(r: Resolution) -> bool:
    return bool(r.licenses or r.models or r.ambiguous or r.unknown)


def _subjects(r: Resolution, picked: Sequence[str]) -> int:
    """How many things the question is about: models, plus licenses named on their own (not via a model)."""
    if not (r.models or r.licenses):
        return len(picked)
    return len(r.models) + len(r.direct_licenses)


def understand(
    question: str,
    history: Sequence[Any] | None = None,
    licenses: Sequence[str] | None = None,
    catalog: Any = None,
) -> Query:
    """Plain data about `question`: what it is about (from history or `licenses` when it names nothing), the
    facets, the figures, and flags for comparisons, openness definitions, injections and language."""
    question = question if isinstance(question, str) else ""
    res = resolve(_SPOKEN_VERSION.sub(r"\1.\2", question), catalog)  # "llama 3 point 2" is Llama 3.2
    figures = extract_figures(question)
    facets = detect_facets(open_source_as_verb(mend(question)), figures)  # typos would hide a topic from the facet cues
    q = Query(
        question=question,
        licenses=list(res.licenses),
        models=list(res.models),
        chains=list(res.chains),
        facets=facets,
        figures=figures,
        openness=detect_openness(question),
        unknown=list(res.unknown),
        suggestions=dict(res.suggestions),
        notes=list(res.ambiguous) + list(res.notes),
        injection=detect_injection(question),
        language_ok=is_english(question),
        named_licenses=list(res.direct_licenses),
        external=list(res.external),
    )
    picked = [k for k in (licenses or []) if isinstance(k, str) and k]
    turns = user_turns(history)
    follow_up = bool(turns) and (bool(_FOLLOW_UP.search(question)) or len(_WORD.findall(question)) <= 4)
    subject = res
    stated = _stated_license_governs(question, res)
    if stated:
        # A model's own catalog license governs what may be done with it. A different license named next to it is
        # either a second subject ("under both the Stability license and FLUX.1 [dev]") or a misunderstanding
        # ("Kimi K2 ... like any MIT-licensed model"): compared in the first case, noted in the second.
        carried = [k for k in res.licenses if k not in res.direct_licenses]
        listed = "; ".join(c for c in res.chains if " -> base " not in c)
        if _COMPARISON.search(question) or _BOTH.search(question):
            q.licenses = list(dict.fromkeys(res.direct_licenses + carried))
        else:
            q.licenses = carried
            q.notes.append(
                f"The question mentions {', '.join(res.direct_licenses)}, but the catalog lists {listed}: "
                "the answer follows the model's own license."
            )
    elif res.models and res.direct_licenses and _HYPOTHETICAL.search(question):
        # "Pretend the EXAONE license is MIT": the pretended license is not a subject of the answer
        carried = [k for k in res.licenses if k not in res.direct_licenses]
        if carried:
            q.licenses = carried
            q.notes.append(f"Ignored the supposed license ({', '.join(res.direct_licenses)}): the model's own "
                           "license decides.")
    targets = _named_for_something_else(question, catalog)
    if targets & set(q.licenses) and set(q.licenses) - targets:
        # "can I put my LoRA out under GPL-3?": the license a work would be put under is not one it was given
        q.licenses = [k for k in q.licenses if k not in targets]
        names = ", ".join(sorted(targets & set(res.direct_licenses)))
        q.notes.append(f"{names}: named as the license something else is (or would be) released under, not as "
                       "one of the subject's; the answer follows the subject's licenses.")
    if not (res.licenses or res.models or res.external) and res.ambiguous and turns:
        # "then we'd publish it as 'Llama-MedBot'": a bare family word in a follow-up is not a new subject
        prior = _history_subject(turns, catalog)
        if prior is not None and (prior.licenses or prior.models):
            res = Resolution()
    if not _has_subject(res):
        if picked:
            # a license chosen in the UI is the current subject of "this model" / "this license"
            q.licenses = list(dict.fromkeys(picked))
        elif turns:
            prior = _history_subject(turns, catalog)
            if prior is not None:
                prior = _resize(prior, question, catalog)
                subject = prior
                q.licenses, q.models, q.chains = list(prior.licenses), list(prior.models), list(prior.chains)
                q.external = list(prior.external)
                q.subject_from_history = True
                named = ", ".join(prior.models or prior.licenses)
                q.notes.append(f"Taken from earlier in the conversation: {named}.")
                q.notes += [n for n in prior.ambiguous if n not in q.notes]

    if turns and follow_up:
        _inherit_question_parts(q, turns)

    q.licenses = _weights_or_code(question, q.models, q.licenses, catalog)
    q.situation = read_situation(question, turns if (turns and follow_up) else (), figures=q.figures)
    if q.situation.kind == "venue" and "other" not in q.facets:
        q.facets = ["other"] + q.facets
    count = len(q.licenses) if stated or q.licenses != res.licenses else _subjects(subject, q.licenses)
    q.comparison = bool(_COMPARISON.search(question)) or count >= 2
    if q.openness and "openness_definition" not in q.facets:
        q.facets = ["openness_definition"] + [f for f in q.facets if f != "other"]
    return q


_SIZE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?[bBmM])\b")
_TRAILING_SIZE = re.compile(r"[- ]?\d+(?:\.\d+)?[bBmM]$")


def _resize(prior: Resolution, question: str, catalog: Any) -> Resolution:
    """ "what about the 72B?" after "Qwen2.5-7B": the same model family at the size the follow-up names."""
    size = _SIZE.search(question)
    if not size or not prior.models or any(size.group(1) in f.text for f in extract_figures(question)):
        return prior  # "and for 2B users?" is a figure, not a model size
    for name in prior.models:
        r = resolve(f"{_TRAILING_SIZE.sub('', name)}-{size.group(1)}", catalog)
        if r.models and r.licenses and r.models != prior.models:
            return r
    return prior


_WEIGHTS = re.compile(
    r"\b(?:weights?|checkpoints?|pretrained\s+models?|model\s+files?|parameters|safetensors|gguf)\b", re.I
)
_CODE = re.compile(
    r"\b(?:training|inference|source|its|their|the)\s+code\b|\bcodebase\b|\b(?:code|repo(?:sitory)?)\s+(?:is|are|itself)\b",
    re.I,
)


def _weights_or_code(question: str, models: Sequence[str], licenses: list[str], catalog: Any) -> list[str]:
    """A model whose code and weights ship under different licenses: a question about its weights is not answered
    from the code's license, nor one about its code from the weights' license."""
    if not models:
        return licenses
    from assistant.catalog import load_catalog

    cat = catalog or load_catalog()
    code = {k for name in models for k in getattr(cat.resolve_model(name)[0], "code_licenses", None) or ()}
    if not code & set(licenses):
        return licenses
    weights, code_asked = bool(_WEIGHTS.search(question)), bool(_CODE.search(question))
    if weights and not code_asked and set(licenses) - code:
        return [k for k in licenses if k not in code]
    if code_asked and not weights:
        return [k for k in licenses if k in code]
    return licenses


def _named_for_something_else(question: str, catalog: Any) -> set[str]:
    """Licenses named only for something other than the subject: the training data's, else a release target's."""
    data = _named_only_in(question, _DATA_LICENSE, catalog)
    return data or _named_only_in(question, load_vocabulary().acts["relicense"], catalog)


def _named_only_in(question: str, pattern: re.Pattern[str], catalog: Any) -> set[str]:
    """Licenses named only inside the phrases `pattern` finds: "published under GPL-3", "release my fork under
    MIT", "as CC0", "the training data is CC BY-SA"."""
    spans = [m.group(0) for m in pattern.finditer(question)]
    if not spans:
        return set()
    inside = {k for span in spans for k in resolve(span, catalog).direct_licenses}
    rest = pattern.sub(" ", question)
    return inside - set(resolve(rest, catalog).direct_licenses)


# "the Tatoeba data is CC BY-NC-SA", "part of the training data is CC BY-SA": the license of the data, not the model's
_DATA_LICENSE = re.compile(
    r"\b(?:data(?:sets?)?|corpus|corpora|wikipedia|training\s+sets?)\b[^.?!;]{0,30}?\b(?:is|are|was|were|under|licensed)\b"
    r"[^.?!;,]{0,30}",
    re.I,
)


def _stated_license_governs(question: str, r: Resolution) -> bool:
    """A license named outright next to a model the catalog lists under other terms is the one asked about,
    unless the question asks which license the model has ("Is Llama 3.1 under MIT?") or only pretends."""
    if not (r.direct_licenses and r.models) or _ASKS_LICENSE_OF.search(question) or _HYPOTHETICAL.search(question):
        return False
    return not (set(r.direct_licenses) & (set(r.licenses) - set(r.direct_licenses)))


def _history_subject(turns: list[str], catalog: Any) -> Resolution | None:
    """The subject of the most recent earlier turn that named one."""
    for turn in reversed(turns):
        r = resolve(turn, catalog)
        if r.licenses or r.models or r.ambiguous:
            return r
    return None


def _inherit_question_parts(q: Query, turns: list[str]) -> None:
    """A follow-up that names no facet ("and Gemma?") asks the previous question again: reuse its facets, and
    its figures when it gives none ("what about above 1B users?" brings its own)."""
    if q.facets != ["other"]:
        return
    for turn in reversed(turns):
        figures = extract_figures(turn)
        facets = detect_facets(turn, figures)
        if facets == ["other"] and not figures:
            continue
        q.facets = facets
        if not q.figures:
            q.figures = figures
        if q.openness is None and "openness_definition" in facets:
            q.openness = detect_openness(turn)
        return
