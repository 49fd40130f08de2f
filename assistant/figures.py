"""Numbers in a question that can decide a threshold: user counts and money amounts, normalised exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Figure:
    value: float  # normalised number: users as a count, money in units of the currency
    kind: str  # "users" | "money"
    metric: str  # "monthly_active_users" | "users" | "annual_revenue" | "monthly_revenue" | "revenue"
    currency: str | None  # "USD", "EUR", ... for money
    text: str  # as written in the question
    comparator: str = "eq"  # how the question relates to the number: eq, gt, ge, lt, le ("above 700M" is gt)
    upper: float | None = None  # the top of a range ("between 600M and 800M"); value is its bottom


_SCALES = {
    "k": 10**3, "thousand": 10**3, "grand": 10**3,
    "m": 10**6, "mm": 10**6, "mn": 10**6, "mio": 10**6, "million": 10**6, "millions": 10**6,
    "milion": 10**6, "millon": 10**6, "milions": 10**6, "mil": 10**6,  # common misspellings and shorthand
    "b": 10**9, "bn": 10**9, "billion": 10**9, "billions": 10**9, "bilion": 10**9, "billon": 10**9,
    "t": 10**12, "tn": 10**12, "trillion": 10**12,
    "millionen": 10**6, "millones": 10**6, "milioni": 10**6, "milhões": 10**6, "mio.": 10**6,
    "milliarden": 10**9, "milliards": 10**9, "milliard": 10**9, "mrd": 10**9,
    "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "만": 10**4, "억": 10**8,
}  # fmt: skip
_SPELLED_SCALES = frozenset({"thousand", "million", "millions", "billion", "billions", "trillion", "milion", "millon",
                             "milions", "bilion", "billon", "millionen", "millones", "milioni", "milliarden",
                             "milliards"})
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "several": None, "few": None,
}  # fmt: skip
_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "c$": "CAD", "a$": "AUD"}
_CODES = ("USD", "EUR", "GBP", "JPY", "CNY", "RMB", "CHF", "CAD", "AUD", "INR", "KRW", "SGD", "HKD")
_CURRENCY_WORDS = {
    "美元": "USD", "ドル": "USD", "달러": "USD", "元": "CNY", "人民币": "CNY", "円": "JPY", "원": "KRW",
    "dollar": "USD", "dollars": "USD", "bucks": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP",
    "pounds": "GBP", "quid": "GBP", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "rupees": "INR",
    "won": "KRW", "francs": "CHF",
}  # fmt: skip

_num = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_wordnum = (
    r"half\s+a|a\s+half|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:\s+hundred)?|hundred"
)
_scale = (
    r"万|萬|亿|億|만|억|"
    r"millionen|millones|milioni|milhões|milliarden|milliards?|mrd|"
    r"thousand|grand|millions?|mill?ions?|millon|mil|mio|mn|mm|billions?|bill?ions?|billon|bn|trillion|tn|[kmbt]"
)
_prefix = r"us\$|c\$|a\$|[$€£¥₹]|(?:usd|eur|gbp|jpy|cny|rmb|chf|cad|aud|inr|krw|sgd|hkd)\b"

# One amount: an optional currency in front, a number (digits or words), an optional scale.
_AMOUNT = re.compile(
    rf"(?:(?P<cur>{_prefix})\s?)?"
    rf"(?:(?P<num>{_num})|(?P<word>\b(?:{_wordnum})))"
    rf"(?:\s?(?P<scale>{_scale}))?"
    rf"(?![A-Za-z0-9_^])",  # ASCII only: in Chinese or Japanese a unit follows with no space
    re.I,
)
# What may follow an amount and tells its unit; a few harmless words may sit in between.
_FILLER = (
    r"(?:\s*\+|\s+(?:plus|or\s+more|or\s+so|more|of|active|monthly|daily|weekly|registered|paying|total|end|"
    r"unique|global|worldwide|concurrent|mobile|app|product|platform|our|my|in|\(|\)))*"
)
_UNIT_AFTER = re.compile(
    rf"{_FILLER}\s*-?\s*(?P<unit>"
    r"(?:monthly|daily|weekly)\s+active\s+users|active\s+(?:monthly\s+)?users|monthly\s+users|"
    r"(?:monthly|daily|weekly)\s+actives|actives|"
    r"月活(?:跃)?(?:用户)?|用户|ユーザー|사용자|mau|maus|dau|wau|users?|nutzer(?:innen)?|benutzer|utilisateurs|usuarios|utenti|usuários|customers?|subscribers?|accounts?|people|visitors|members|seats|clients|"
    r"(?:usd|eur|gbp|jpy|cny|rmb|chf|cad|aud|inr|krw|sgd|hkd)\b|(?:us\s+|u\.s\.\s+)?dollars?|bucks|euros?|pounds?|quid|yuan|"
    r"renminbi|yen|rupees|francs|won\b|美元|元|人民币|ドル|円|달러|원|"
    r"(?:in\s+)?(?:annual\s+|yearly\s+|monthly\s+)?(?:revenue|turnover|sales|arr|mrr|income|profit|gmv)"
    r")(?![A-Za-z0-9_])",
    re.I,
)
_PERIOD = re.compile(
    r"(?:\s*(?:of|in|the|revenue|turnover|sales|income|usd|eur|dollars|euros|,))*\s*"
    r"(?P<p>(?:a|per|each|every|/)\s*(?:year|yr|annum|month|mo)\b|annually|yearly|monthly|p\.?a\.?(?!\w)|arr|mrr)",
    re.I,
)
_BEFORE_TAIL = (
    r"\s*(?:revenues?|turnover|sales|income|arr|mrr)?\s*(?:of|is|was|:|=|at|around|about|over|above|under|below|"
    r"exceeds?|reached|hits?)?\s*(?:about|around|over|above|under|below|roughly|~)?\s*$"
)
_ANNUAL_BEFORE = re.compile(
    rf"(?:\b(?:annual|yearly|arr|per\s+year|annual\s+recurring)|年商|年收入|年营收|年間|연매출){_BEFORE_TAIL}", re.I
)
_MONTHLY_BEFORE = re.compile(
    rf"(?:\b(?:monthly|mrr|per\s+month|monthly\s+recurring)|每月|月收入|月商|월매출){_BEFORE_TAIL}", re.I
)
# Words just before a number that make it a section, version, year or date rather than a figure.
_NOT_A_FIGURE_BEFORE = re.compile(
    r"\b(?:section|sections|§|art\.?|article|clause|para(?:graph)?|version|v|release|step|page|item|chapter|"
    r"exhibit|appendix|in|since|until|by|from|year|of\s+(?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december)|january|february|march|april|may|june|july|august|september|"
    r"october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?\s*$",
    re.I,
)
_MODEL_SIZE_AFTER = re.compile(r"\s*-?\s*(?:param|parameter|model|weights?|instruct|base|chat|tokens?|flop)", re.I)
_USERS_CONTEXT = re.compile(r"\b(?:users?|mau|maus|dau|customers|subscribers|audience|user\s+base)\b", re.I)
_MONEY_CONTEXT = re.compile(
    r"\b(?:revenue|turnover|arr|mrr|sales|income|earn(?:s|ing)?|make|making|made|valuation|funding|profit)\b",
    re.I,
)
_MAU_UNIT = re.compile(r"mau|monthly\s+active|active\s+monthly|monthly\s+users|daily|dau|wau", re.I)


def _currency_of(token: str | None) -> str | None:
    if not token:
        return None
    t = token.strip().lower()
    if t in _SYMBOLS:
        return _SYMBOLS[t]
    if t.upper() in _CODES:
        return "CNY" if t.upper() == "RMB" else t.upper()
    return _CURRENCY_WORDS.get(t)


def _base_value(m: re.Match) -> Decimal | None:
    if m.group("num"):
        return Decimal(m.group("num").replace(",", ""))
    words = m.group("word").lower().split()
    if words[:2] in (["half", "a"], ["a", "half"]):
        return Decimal("0.5")
    if words == ["hundred"]:
        return Decimal(100)
    n = _WORD_NUMBERS.get(words[0])
    if n is None:
        return None
    return Decimal(n) * (100 if words[-1] == "hundred" else 1)


def _revenue_metric(text: str, start: int, end: int, unit_end: int) -> str:
    unit_text = text[end:unit_end].lower()
    if re.search(r"month|mrr", unit_text):
        return "monthly_revenue"
    if re.search(r"annual|year|arr", unit_text):
        return "annual_revenue"
    after = _PERIOD.match(text, unit_end)
    if after:
        p = after.group("p").lower().replace(" ", "")
        if any(w in p for w in ("month", "mo", "mrr")):
            return "monthly_revenue"
        return "annual_revenue"
    before = text[max(0, start - 40) : start]
    if _MONTHLY_BEFORE.search(before):
        return "monthly_revenue"
    if _ANNUAL_BEFORE.search(before):
        return "annual_revenue"
    return "revenue"


def _kind_from_unit(unit: str) -> tuple[str, str | None]:
    """('users'|'money', currency) for the word that follows an amount."""
    u = unit.lower().split()[-1]
    cur = _currency_of(u)
    if cur:
        return "money", cur
    if u in {"revenue", "turnover", "sales", "arr", "mrr", "income", "profit", "gmv"}:
        return "money", None
    return "users", None


# Words just before a figure that say how the user's number relates to it ("above 700M" is more than 700M).
_COMPARATORS: list[tuple[str, re.Pattern[str]]] = [
    ("ge", re.compile(r"\b(?:at\s+least|no\s+(?:less|fewer)\s+than|a\s+minimum\s+of|min(?:imum)?\.?)\s*$", re.I)),
    ("le", re.compile(r"\b(?:at\s+most|up\s+to|no\s+more\s+than|not\s+more\s+than|max(?:imum)?\.?|a\s+maximum\s+of"
                      r"|not\s+(?:above|over|exceeding))\s*$", re.I)),
    ("gt", re.compile(r"(?:超过|超過|以上|넘는|이상|"
                      r"\b(?:above|over|more\s+than|greater\s+than|beyond|exceed(?:s|ed|ing)?|in\s+excess\s+of|"
                      r"north\s+of|upwards\s+of|past|surpass(?:es|ed|ing)?|bigger\s+than|larger\s+than|higher\s+than|"
                      r"mehr\s+als|über|plus\s+de|más\s+de|mas\s+de|oltre|超过|超過)|>=?)\s*$", re.I)),
    ("lt", re.compile(r"(?:\b(?:under|below|less\s+than|fewer\s+than|smaller\s+than|lower\s+than|beneath|"
                      r"short\s+of|weniger\s+als|unter|moins\s+de|menos\s+de|sotto)|<=?|低于|不到)\s*$", re.I)),
]
_OR_MORE_AFTER = re.compile(r"\s*(?:\+|or\s+more|and\s+(?:up|above|more)|plus\b)", re.I)
_OR_LESS_AFTER = re.compile(r"\s*(?:or\s+(?:less|fewer)|and\s+(?:under|below|less))", re.I)
_RANGE_BEFORE = re.compile(r"\b(?:between|from)\s*$", re.I)
_RANGE_JOIN = re.compile(r"\s*(?:and|to|-|–)\s*$", re.I)


# "above the $1M line", "below Qwen's 100M": a determiner between the comparator and the number
_DETERMINER_TAIL = re.compile(r"\s+(?:the|a|an|our|their|its|this|that|[\w.-]+(?:'s|’s))\s*$", re.I)
# "we don't have more than 700M", "we never exceed": the comparator is negated
_NEGATION_TAIL = re.compile(r"(?:\b(?:not|never|no|nor)|n[’']t)\s+(?:\w+\s+){0,2}$", re.I)
_FLIPPED = {"gt": "le", "ge": "lt", "lt": "ge", "le": "gt"}


def _comparator(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 40) : start]
    before = re.sub(r"(?:\s+(?:about|around|roughly|approximately|approx\.?|~|some|nearly|almost))+\s*$", " ", before)
    before = _DETERMINER_TAIL.sub(" ", before)
    for name, pattern in _COMPARATORS:
        m = pattern.search(before)
        if m:
            if name in ("gt", "lt") and _NEGATION_TAIL.search(before[: m.start()]):
                return _FLIPPED[name]
            return name
    if "+" in text[start:end] or _OR_MORE_AFTER.match(text, end):
        return "ge"
    if _OR_LESS_AFTER.match(text, end):
        return "le"
    return "eq"


def _ranges(text: str, figures: list[Figure], spans: list[tuple[int, int]]) -> list[Figure]:
    """ "between 600M and 800M users": one figure from 600M to 800M (the unit may sit on the second number)."""
    out: list[Figure] = []
    i = 0
    while i < len(figures):
        f = figures[i]
        if i + 1 < len(figures):
            g = figures[i + 1]
            gap = text[spans[i][1] : spans[i + 1][0]]
            if _RANGE_JOIN.fullmatch(gap) and (f.kind == g.kind or True) and \
                    _RANGE_BEFORE.search(text[max(0, spans[i][0] - 12) : spans[i][0]]):
                lo, hi = sorted((f.value, g.value))
                out.append(Figure(lo, g.kind, g.metric, g.currency or f.currency,
                                  text[spans[i][0] : spans[i + 1][1]].strip(), "range", hi))
                i += 2
                continue
        out.append(f)
        i += 1
    return out


def extract_figures(text: str) -> list[Figure]:
    """User counts and money amounts in `text`, in order. Sizes ("70B"), versions, years and sections are skipped."""
    figures: list[Figure] = []
    spans: list[tuple[int, int]] = []
    if not text:
        return figures
    for m in _AMOUNT.finditer(text):
        start, end = m.span()
        if m.group("cur") is None and start > 0 and text[start - 1] in "-_/.^x×:#":
            continue  # part of a name or id: "Llama-3.1-8B", "8x7B", "10^25"
        before_char = text[start - 1] if start > 0 else " "
        if m.group("num") and before_char.isascii() and before_char.isalnum() and not m.group("cur"):
            continue  # glued to a word: "v2", "A100" (CJK text glues numbers to words, so only ASCII counts)
        if text[end : end + 1] in ("^", "-") and re.match(r"[-^]\d", text[end : end + 2]):
            continue  # "10^25", "2024-07-23"
        base = _base_value(m)
        if base is None:
            continue
        scale_tok = (m.group("scale") or "").lower()
        scale = _SCALES.get(scale_tok, 1)
        cur = _currency_of(m.group("cur"))
        unit = _UNIT_AFTER.match(text, end)
        before = text[max(0, start - 30) : start]
        # A word number needs a spelled-out scale ("half a billion"); "a user", "Am", "at" are not figures.
        if m.group("word") and (scale_tok not in _SPELLED_SCALES or not text[m.end("word")].isspace()):
            continue
        if not cur and _NOT_A_FIGURE_BEFORE.search(before) and not scale_tok:
            continue
        if unit is None and not cur and _MODEL_SIZE_AFTER.match(text, end):
            continue
        kind: str | None = None
        metric = ""
        unit_end = end
        if cur:
            kind = "money"
            # "$3M USD" or "USD 3M in revenue": the unit may still say revenue; currency stays the prefix's
            if unit is not None and _kind_from_unit(unit.group("unit"))[0] == "money":
                unit_end = unit.end()
        elif unit is not None:
            kind, cur = _kind_from_unit(unit.group("unit"))
            unit_end = unit.end()
        elif scale_tok:
            if scale_tok in ("b", "t") and m.group("num"):
                # "70B" alone is a model size; only a nearby user/money word makes it a figure
                near = text[max(0, start - 25) : start]
                if _USERS_CONTEXT.search(near):
                    kind = "users"
                elif _MONEY_CONTEXT.search(near):
                    kind = "money"
                else:
                    continue
            else:
                window = text[max(0, start - 60) : end + 40]
                if _USERS_CONTEXT.search(window):
                    kind = "users"
                elif _MONEY_CONTEXT.search(window):
                    kind = "money"
                elif _MONEY_CONTEXT.search(text) and not _USERS_CONTEXT.search(text):
                    kind = "money"
                else:
                    kind = "users"  # a bare "700 million" in a license question is most often a user count
        else:
            continue
        value = float(base * scale)
        if kind == "money":
            metric = _revenue_metric(text, start, end, unit_end)
        else:
            unit_text = text[end:unit_end] if unit is not None else text[max(0, start - 30) : start]
            metric = "monthly_active_users" if _MAU_UNIT.search(unit_text) else "users"
        comparator = _comparator(text, start, unit_end)
        figures.append(Figure(value, kind, metric, cur, text[start:unit_end].strip(), comparator))
        spans.append((start, unit_end))
    return _ranges(text, figures, spans)
