"""Which aspects of a license a question is about, from the phrases people actually use."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.figures import Figure, extract_figures

FACETS: tuple[str, ...] = (
    "commercial_use", "user_threshold", "revenue_threshold", "output_use", "derivatives", "redistribution",
    "attribution", "naming", "acceptable_use", "field_of_use", "territory", "termination", "patent",
    "openness_definition", "data_availability", "warranty", "other",
)  # fmt: skip

# facet -> [(regex fragment, weight)]. Fragments are matched case-insensitively on word boundaries.
# Weight 4: a phrase that settles the facet; 3: names the facet; 2: a strong hint; 1: a weak hint that only
# counts together with others. Negative weights take back a hint that another phrase explains better.
_EU_COUNTRIES = (
    r"france|french|germany|german|spain|spanish|italy|italian|poland|polish|ireland|irish|netherlands|dutch|"
    r"belgium|belgian|austria\w*|sweden|swedish|denmark|danish|finland|finnish|portugal|portuguese|greece|greek|"
    r"czech\w*|hungary|hungarian|romania\w*|bulgaria\w*|croatia\w*|slovakia|slovenia|estonia|latvia|lithuania|"
    r"luxembourg|malta|cyprus"
)
_PHRASES: dict[str, list[tuple[str, float]]] = {
    "commercial_use": [
        (r"com+erc(?:ial|ially|ialy|ialli)|commerce|for[- ]profit|revenue[- ]generating", 3),
        (r"comercial(?:mente)?|commerciale(?:ment)?|kommerziell\w*|payants?|de\s+pago|商用|商业|商業|상업", 3),
        (r"non[- ]?com+ercial(?:ly)?", -3),
        (r"sell(?:ing|s)?|resell|profit|moneti[sz]e?(?:d|ing|ation)?|make\s+money|paid|charge|paying", 2),
        (r"(?:my|our|a)\s+(?:saas|startup|company|business|product|paid\s+app|enterprise|client|customers?)", 2),
        (r"client\s+(?:work|projects?)|bu(?:si|is|s)ness\w*", 3),
        (r"saas|startup|enterprise|production|at\s+work|for\s+work|customers?|clients?", 1),
        (r"subscriptions?|ads|in\s+production", 1),
    ],
    "user_threshold": [
        (r"usuarios|utilisateurs|nutzer\w*|utenti|月活\w*|用户|ユーザー|사용자", 3),
        (r"mau|monthly\s+active\s+users?|active\s+users|user\s+(?:caps?|limits?|thresholds?|counts?|base)", 3),
        (r"700\s*(?:m|million)|100\s*(?:m|million)\s+(?:users|mau)|users?\s+limits?|how\s+many\s+users", 2),
        (r"number\s+of\s+users|users?", 1),
    ],
    "revenue_threshold": [
        (r"revenue\s+(?:caps?|limits?|thresholds?)|annual\s+revenue|turnover|arr|mrr", 3),
        (r"revenues?|earn(?:ing|s)?|make\s+more\s+than", 2),
        (r"revenue[- ]generating", -2),
    ],
    "output_use": [
        (r"outputs?|generations?", 4),
        (
            r"synthetic\s+(?:training\s+)?data|generate\s+(?:a\s+)?(?:data(?:set)?|training\s+data|text|images?|code|content)",
            4,
        ),
        (
            r"(?:images?|text|outputs?|content|data|code|art|pictures|videos?|meshes|audio|responses)\s+"
            r"(?:it\s+|the\s+model\s+|\w+\s+)?(?:generated|produced|created|made|generates|produces|creates|makes)",
            4,
        ),
        (
            r"(?:images?|text|content|art|pictures|videos?|code)\s+(?:i|we)\s+(?:make|made|generate|generated|create|"
            r"created|produce|produced)|(?:i|we)\s+generate",
            4,
        ),
        (r"generated\s+(?:by|with|from)|generated\s+\w+|(?:images|outputs?|text|content)\s+from", 3),
        (r"distill(?:ation|ing|ed)?|distil", 3),
        (
            r"train(?:ing)?\s+(?:my|our|a|another|other|an?\s+other|new|competing)?\s*(?:own\s+)?"
            r"(?:[\w-]+\s+)?(?:model|llm)s?\s+(?:on|with|using)",
            3,
        ),
        (
            r"(?:improve|train)\s+(?:another|other|a\s+different|my\s+own|our\s+own|a\s+competing)\s+(?:[\w-]+\s+)?"
            r"(?:model|llm)s?",
            3,
        ),
        (
            r"who\s+owns|own(?:ership)?\s+(?:of\s+)?(?:the\s+)?(?:outputs?|images|results|text)|"
            r"claims?\s+(?:any\s+)?(?:ownership|rights?)|copyright\s+(?:on|of|in)",
            3,
        ),
        (r"llm[- ]as[- ](?:a[- ])?judge|teacher\s+model|responses", 1),
    ],
    "derivatives": [
        (
            r"fine[- ]?tun(?:e|es|ed|ing)|finetun\w*|loras?|qloras?|adapters?|derivatives?|derived|"
            r"modif(?:y|ied|ying|ication)s?",
            3,
        ),
        (r"merg(?:e|ed|es|ing)|quanti[sz](?:e|ed|ing|ation)|gguf|awq|gptq|prun(?:e|ed|ing)|retrain\w*", 3),
        (r"adapt(?:ed|ing|ation)?|continued\s+pre-?training|train\s+on\s+top|further\s+train\w*|customi[sz]e", 3),
        (
            r"distill\w*\s+.{0,40}?\binto\b|relicens\w*|"
            r"(?:choose|pick)\s+any\s+licen[cs]e|under\s+my\s+own\s+(?:licen[cs]e|terms)|link\w*\s+(?:an?\s+|it\s+)?"
            r"(?:[\w.-]+\s+)?(?:library|into)|statically|dynamically",
            4,
        ),
        (r"distill(?:ation|ing|ed)?", 1),
        (r"change\s+the\s+weights|alter|changes?", 1),
        (r"still\s+bound|(?:license|terms)\s+follows?|inherit\w*", 3),
    ],
    "redistribution": [
        (r"redistribut\w+|re-?upload\w*|re-?host\w*|mirror(?:ing)?|sublicens\w+", 4),
        (r"distribut\w+|share\s+(?:the\s+)?(?:weights|model|it)|share|publish\w*|upload\w*", 2),
        (r"(?:put|post|release|upload|push)\w*\s+.{0,40}?\b(?:on|to)\s+(?:hf|hugging\s*face|the\s+hub|github)", 4),
        (r"ship\w*|bundl\w+|embed\s+(?:it|the\s+model)|include\s+the\s+weights|binaries", 3),
        (
            r"host\w*\b.{0,40}?\b(?:apis?|service|endpoints?)|as\s+an?\s+(?:\w+\s+)?api|(?:through|via)\s+(?:our|my|an?)\s+"
            r"(?:own\s+)?api|(?:offer|serve|provide|expose|run)\w*\s+.{0,40}?\b(?:api|endpoint)|hosted\s+(?:service|api)|"
            r"inference\s+(?:api|service)|managed\s+service|as\s+a\s+service",
            3,
        ),
        (
            r"(?:publish|release|provide|share|disclose)\w*\s+(?:my|our|the)\s+(?:changes|source|modifications)|"
            r"(?:provide|publish\w*|release\w*|offer)\s+(?:the\s+)?source(?:\s+code)?|source\s+code",
            4,
        ),
        (r"carry\s+over|pass(?:ed)?\s+(?:on|down|through)|downstream", 2),
        (r"without\s+(?:releasing|publishing|sharing|providing)", 3),
        (r"hugging\s*face|\bhf\b|on[- ]prem\w*|in\s+(?:my|our)\s+app|mobile\s+app|on[- ]device|saas", 1),
    ],
    "attribution": [
        (r"attribut(?:e|ion|ing)|credit(?:s|ing)?|acknowledg\w+|built\s+with|powered\s+by|improved\s+using", 3),
        (
            r"notices?(?:\s+(?:file|text))?|copyright\s+notice|license\s+file|include\s+the\s+license|cite|citation|"
            r"branding",
            3,
        ),
        (
            r"(?:what|which)\s+(?:do|must|should)\s+(?:i|we)\s+(?:need\s+to\s+)?(?:include|keep|show|display)|"
            r"what\s+must\s+i\s+include|(?:need|have)\s+to\s+(?:include|keep)",
            4,
        ),
        (
            r"(?:need|have|required)\s+(?:to\s+)?(?:include|keep|show|display|give|add)?\s*(?:a|an|the|some|any)?\s*"
            r"(?:notices?|credit|attribution)",
            2,
        ),
        (r"mention|disclose\s+that|display|mark\s+(?:modified|changed)", 1),
    ],
    "naming": [
        (
            r"nam(?:e|ing)\s+(?:my|our|the|a|it|them)\b|naming|"
            r"call\s+(?:my|our|the)\s+(?:model|fine[- ]?tune|product|app)|"
            r"call\s+it|rename|release\s+(?:it\s+)?as\s+(?=['\"‘“])|(?:start|starting|begin|beginning|begins)\s+with",
            4,
        ),
        (
            r"trademarks?|brand\s+name|logo|prefix|(?:use|using)\s+the\s+name|model\s+name|endorse\w*|"
            r"by\s+(?:meta|google)['\"’”]?|affiliat\w+\s+with",
            3,
        ),
        (r"names?", 1),
    ],
    "acceptable_use": [
        (r"acceptable\s+use|aup|prohibited\s+use|use\s+polic(?:y|ies)|use\s+restrictions?|usage\s+polic\w+", 3),
        (r"military|weapons?|warfare|surveillance|biometric\w*|facial\s+recognition|law\s+enforcement|policing|"
         r"targeting|defen[cs]e\s+contractors?|armed\s+forces", 3),
        (
            r"disinformation|misinformation|deepfakes?|nsfw|adult\s+content|porn\w*|malware|ransomware|spam|harass\w*|"
            r"political\s+campaign\w*|elections?|minors|csam|discriminat\w+|phishing|scams?",
            3,
        ),
        (
            r"medical\s+advice|legal\s+advice|credit\s+scoring|hiring\s+decisions|automated\s+decisions?|"
            r"automatically\s+(?:reject|deny|approve|decide)|human\s+in\s+the\s+loop|loan\s+applications?",
            3,
        ),
        (
            r"(?:for|do)\s+(?:literally\s+)?anything|any\s+purpose|anything\s+at\s+all|(?:as\s+long\s+as|if)\s+it'?s\s+legal",
            3,
        ),
        (r"medical|health\s*care|clinical|diagnos\w+|hospitals?|patients?", 2),
        (r"allowed\s+uses?|what\s+(?:can't|cannot|can\s+not)\s+i\s+(?:use|do)|banned|forbidden|harm\w*", 1),
        (r"defen[cs]e|government", 1),
    ],
    "field_of_use": [
        (
            r"non[- ]?com+ercial(?:ly)?|research[- ]only|research\s+purposes?|academic\w*|"
            r"field\s+of\s+(?:use|endeavou?r)|"
            r"(?:certain|some|particular|specific|what|which)\s+fields|fields?\s+(?:of|i\s+can)|off\s+limits|"
            r"any\s+industry|industries|outside\s+(?:of\s+)?research|restricted\s+to",
            3,
        ),
        (
            r"personal\s+use|hobby|non[- ]?production|evaluation\s+only|internal\s+(?:use|operations)|educational|"
            r"research\s+use",
            2,
        ),
        (r"medical|health\s*care|clinical|military|defen[cs]e|government|research|production", 1),
    ],
    "territory": [
        (r"in\s+the\s+eu|european\s+union|\beu\b|europe(?:an)?|eea|gdpr|" + _EU_COUNTRIES, 3),
        (
            r"china|chinese|prc|mainland|russia\w*|iran\w*|north\s+korea\w*|south\s+korea\w*|korea\w*|cuba\w*|syria\w*|"
            r"\buk\b|united\s+kingdom|britain|british|hong\s+kong|india|japan|usa|united\s+states",
            3,
        ),
        (
            r"sanction\w*|export\s+control\w*|embargo\w*|territor\w+|region\w*|countr(?:y|ies)|"
            r"domicil\w+|geographic\w*|worldwide|geo-?block\w*",
            3,
        ),
    ],
    "termination": [
        (
            r"revok\w+|revocation|terminat\w+|withdraw\w*|rescind\w*|take\s+(?:it\s+)?(?:away|back)|"
            r"(?:pull|end|cancel)\s+(?:my|the|our)\s+licen[cs]e|what\s+happens\s+to\s+(?:my|our|the)\s+licen[cs]e|"
            r"(?:keep|lose)\s+(?:my|the|our)\s+(?:rights?|licen[cs]e)",
            4,
        ),
        (
            r"stop\s+me|irrevocabl\w+|change\s+the\s+licen[cs]e|retroactive\w*|remotely\s+restrict|whenever\s+they\s+want|"
            r"at\s+any\s+time|broke\s+the\s+terms|breach\w*|violat\w+|guardrails|safety\s+(?:mechanisms|measures)",
            2,
        ),
        (r"sue|forever|perpetual\w*", 1),
    ],
    "patent": [(r"patents?|patent\s+grant|patent\s+retaliation", 3), (r"infring\w+|sue|lawsuit|litigation", 1)],
    "openness_definition": [
        (
            r"open[- ]?source\??|osi|osaid|osd|open\s+source\s+(?:ai\s+)?definition|mof|"
            r"model\s+openness(?:\s+framework)?",
            3,
        ),
        (
            r"open[- ]weights?|open[- ]weight\s+definition|owd|free\s+software|fsf|fsd|copyleft|truly\s+open|"
            r"really\s+open|how\s+open|openwash\w*|dfsg|osi[- ]approved",
            3,
        ),
        (r"ai\s+act|open\s+model|openness|libre|open\b", 1),
    ],
    "data_availability": [
        (
            r"training\s+data(?:sets?)?\s+(?:released|available|public|published|open|disclosed|shared)|"
            r"(?:release|publish|share|disclose)[sd]?\s+(?:the\s+|its\s+|their\s+)?(?:training\s+)?data(?:sets?)?\b|"
            r"data\s+(?:card|sheet|documentation)|datasheet|what\s+(?:data|datasets?)|trained\s+on\s+what",
            4,
        ),
        (r"trained\s+on|pre-?training\s+(?:data|corpus)|corpus|reproduc\w+|open\s+data|training\s+data", 2),
        (r"datasets?", 1),
    ],
    "warranty": [
        (r"warrant(?:y|ies|ed|s)?|liab(?:le|ility)|indemn\w+|as\s+is|damages|guarantee\w*", 4),
        (r"responsible\s+for|who\s+pays|at\s+my\s+own\s+risk|sued|legal\s+risk|fit\s+for|accurate", 2),
    ],
    "other": [
        (
            r"(?:which|what)\s+(?:country'?s?\s+)?law|govern(?:s|ing)\s+(?:law|the)|governing|litigat\w*|courts?|venue|"
            r"arbitration|dispute\w*",
            4,
        ),
    ],
}
# Ties go to the facet a reader would answer first ("modify and redistribute" is about redistribution).
_TIE_ORDER = (
    "user_threshold", "revenue_threshold", "warranty", "termination", "naming", "attribution", "redistribution",
    "output_use", "derivatives", "territory", "acceptable_use", "commercial_use", "field_of_use", "patent",
    "openness_definition", "data_availability", "other",
)  # fmt: skip

_COMPILED: dict[str, list[tuple[re.Pattern[str], float]]] = {
    facet: [(re.compile(rf"(?<![\w-])(?:{frag})(?![\w])", re.I), w) for frag, w in phrases]
    for facet, phrases in _PHRASES.items()
}
_ORDER = {f: i for i, f in enumerate(_TIE_ORDER)}
_LONG = 3000  # characters of a long text that are read for facets (beginning and end)
_MIN_SCORE = 2.0  # a lone weak hint (weight 1) does not make a facet
_RELATIVE = 0.34  # keep facets that score at least a third of the best one


def score_facets(text: str, figures: Sequence[Figure] | None = None) -> dict[str, float]:
    """Every facet's score for `text` (facets that score nothing are left out)."""
    text = text or ""
    if len(text) > _LONG:
        # a pasted card or long preamble: the question is at the end, the context at the start
        text = text[: _LONG // 3] + "\n" + text[-2 * _LONG // 3 :]
    scores: dict[str, float] = {}
    for facet, patterns in _COMPILED.items():
        total = 0.0
        for pattern, weight in patterns:
            if pattern.search(text):
                total += weight
        if total > 0:
            scores[facet] = total
    if figures is None:
        figures = extract_figures(text)
    if any(f.kind == "users" for f in figures):
        scores["user_threshold"] = scores.get("user_threshold", 0.0) + 5
    if any(f.kind == "money" for f in figures):
        scores["revenue_threshold"] = scores.get("revenue_threshold", 0.0) + 5
    # "EU" said about the AI Act is a question about openness, not about territory
    if re.search(r"\bai\s+act\b", text, re.I) and "territory" in scores:
        scores["territory"] -= 3
        scores["openness_definition"] = scores.get("openness_definition", 0.0) + 3
    # "non-commercial" also contains "commercial": it is a field-of-use question first
    return {f: s for f, s in scores.items() if s > 0}


def detect_facets(text: str, figures: Sequence[Figure] | None = None) -> list[str]:
    """Facets of `text`, most relevant first; ["other"] when nothing matches."""
    scores = score_facets(text, figures)
    if not scores:
        return ["other"]
    best = max(scores.values())
    keep = [f for f, s in scores.items() if s >= _MIN_SCORE and s >= best * _RELATIVE]
    if not keep:
        return ["other"]
    return sorted(keep, key=lambda f: (-scores[f], _ORDER[f]))
