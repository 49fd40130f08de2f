"""Which licenses and models a text names: aliases, versions, Hugging Face ids, typos and base-model chains.

Matching works on tokens, never on substrings, so "mit" in "submit" or "phi" in "philosophy" never match.
Names are split where letters meet digits ("llama3.1" -> "llama 3.1") and a version stays one token, so
"Llama 3.1" cannot match "Llama 3" or "Llama 3.2". The longest alias wins at each position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from assistant.yamlio import YAMLError, load_yaml

#: Words that are also model/license names: they count only when capitalised or next to a version,
#: a size or a word like "license"/"model" ("bloom filter", "an expat in Berlin" are not mentions).
WEAK_ALIASES = frozenset(
    {
        "bloom", "falcon", "flux", "granite", "phi", "yi", "mistral", "command", "expat", "grok", "pythia", "orca",
        "alpaca", "vicuna", "dolly", "zephyr", "gemini", "nova", "aya", "jamba", "olmo", "stable", "kimi", "oal",
        "mdl", "al2", "isc", "zlib", "unlicense", "chameleon", "hunyuan", "exaone", "playground", "boost",
        "cosmos", "svd", "seed", "whisper", "bark", "magnet", "moonlight", "janus", "devstral", "ministral",
    }
)  # fmt: skip
#: English words a typo-tolerant match must never turn into a name.
_NOT_TYPOS = frozenset(
    {
        "gamma", "lemma", "drama", "karma", "comma", "mistrial", "mistral", "falcons", "blooms", "blooming",
        "phase", "flash", "flask", "lamas", "plasma", "magma", "stamp", "steam", "apart", "patch", "apache",
        "license", "licence", "licensed", "licenses", "licences", "model", "models", "using", "would", "could",
        "should", "their", "there", "these", "those", "which", "where", "about", "other", "under", "after",
        "commercial", "commercially", "community", "research", "public", "terms", "policy", "agreement",
        "general", "version", "weights", "release", "released", "open", "source", "modified", "permissive",
        "creative", "commons", "attribution", "sharealike", "noncommercial", "noderivatives", "products",
        "product", "service", "services", "company", "startup", "outputs", "output", "generate", "large",
        "small", "medium", "instruct", "chat", "vision", "base", "distill", "distilled", "sharing", "uses",
        "maybe", "legal", "clear", "exact", "games", "gemstone", "lamp", "gemmy", "quest", "quick", "steady",
        "stables", "diffuse", "falling", "granted", "grants", "flows", "fluxes", "phis", "commander", "commands",
    }
)  # fmt: skip
_OWNERS = frozenset(
    {
        "meta", "google", "microsoft", "nvidia", "ibm", "tencent", "openai", "black", "alibaba", "cohere", "allenai",
        "eleutherai", "bigscience", "bigcode", "stabilityai", "tiiuae", "baai", "facebook", "runwayml", "compvis",
        "lightricks", "mistralai", "the", "open", "all",
        # everyday words that begin some model names ("Code Llama", "Large Language ..."): not families on their own
        "code", "chat", "base", "small", "large", "vision",
    }
)  # fmt: skip
#: Words that do not tell one license name from another ("the Stability AI Community License").
_GENERIC = frozenset(
    {"the", "license", "licence", "agreement", "ai", "model", "models", "terms", "of", "use", "version", "a", "an"}
)
#: Everyday words that start some license names ("Open Weights ...", "Creative Commons ..."): a loosely
#: written name must start with a distinctive word instead.
_LOOSE_NOT_HEADS = frozenset(
    {
        "open", "free", "public", "general", "modified", "new", "simplified", "zero", "creative", "software", "non",
        "responsible", "computational", "montreal", "fair", "research", "community", "gnu", "common",
    }
)  # fmt: skip
_LOOSE_STOP = frozenset({"vs", "versus", "and", "or", "for", "in", "to", "with", "on", "at", "if", "is", "can", "but"})
_CONTEXT_WORDS = frozenset(
    {"license", "licence", "licensed", "model", "models", "weights", "terms", "checkpoint", "llm"}
)

# a run of letters ("llama", "openrail++"), or a number with what follows it ("3.1", "8b", "8x7b", "0.5b"):
# "llama3.1" -> "llama", "3.1" and "Qwen2.5-72B" -> "qwen", "2.5", "72b", so a version stays one token
_TOKEN_RE = re.compile(r"[^\W\d_]+\+*|\d[^\W_]*(?:\.[^\W_]+)*\+*")
_VERSIONISH = re.compile(r"^(?:\d+(?:\.\d+)*[a-z]?|\d+(?:\.\d+)?[bmk]|\d+x\d+[bm]?|\d{4})$")
_SIZE_TOKEN = re.compile(r"^\d+(?:\.\d+)?[bm]$|^\d+x\d+b$", re.I)
_HF_ID = re.compile(r"(?<![\w/.-])([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*[A-Za-z0-9])(?![\w/])")
_BASE_MODEL = re.compile(r"^\s*base_model\s*:\s*(.*)$", re.M)
_CARD_LICENSE = re.compile(r"^\s*(license|license_name)\s*:\s*['\"]?([\w.+-]+)['\"]?\s*$", re.M)
_NAMED_LICENSE = re.compile(
    r"\b((?:[A-Z][\w.+-]*|[0-9][\w.+-]*)(?:[ -](?:[A-Z0-9][\w.+-]*))*)\s+(?:[Ll]icen[cs]e|[Tt]erms of [Uu]se)\b"
)
_CAP_NAME_VERSION = re.compile(
    r"\b([A-Z][A-Za-z]{1,20})[- ]?(v?\d+(?:\.\d+)*[a-z]?(?:[- ]?\d+(?:\.\d+)?[BbMm])?|\d+(?:\.\d+)?[BbMm])\b"
)
_NOT_NAMES = frozenset(
    {
        "section", "sections", "article", "art", "clause", "version", "step", "part", "chapter", "page", "item",
        "exhibit", "attachment", "appendix", "schedule", "table", "figure", "class", "level", "tier", "phase",
        "python", "windows", "ios", "android", "java", "ubuntu", "cuda", "rtx", "iphone", "macos", "node", "php",
        "the", "this", "that", "which", "what", "community", "open", "source", "their", "its", "my", "our", "your",
        "a", "an", "any", "same", "whole", "original", "commercial", "enterprise", "research", "separate", "new",
        "different", "software", "model", "data", "is", "does", "do", "can", "under", "and", "or", "with", "for",
        "of", "to", "in", "on", "by", "as", "if", "it", "why", "how", "when", "where", "who", "are", "was", "be",
        "top", "over", "above", "below", "about", "around", "than", "q", "jan", "feb", "mar", "apr", "may", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january", "february", "march", "april", "june", "july",
        "august", "september", "october", "november", "december", "we", "i", "you", "they", "he", "she", "us",
        "mau", "users", "user", "usd", "eur", "gbp", "license", "licence", "terms", "use", "full", "free",
        "proprietary", "custom", "own", "permissive", "restrictive", "standard", "usual", "default", "current",
        "latest", "old", "older", "newer", "public", "private", "vs", "versus", "gpu", "gpus", "cpu",
        "h100", "a100", "core", "cores", "gb", "tb", "mb", "k", "m", "b", "day", "days", "year", "years",
        "month", "months", "week", "weeks", "hour", "hours", "osaid", "osd", "mof", "fsd", "osi", "fsf", "owd",
        "eu", "ai", "act", "gdpr", "hf", "llm", "llms", "api", "saas", "faq", "pdf", "v", "ok", "okay", "no",
        "yes", "hi", "hello", "thanks", "please", "also", "but", "so", "then", "just", "only", "all", "some",
        "approved", "compatible", "valid", "similar", "such", "specific", "particular", "copyleft", "weak",
        "strong", "modified", "existing", "another", "other", "correct", "right", "wrong", "official",
    }
)  # fmt: skip


@dataclass
class Resolution:
    licenses: list[str] = field(default_factory=list)  # LicenseDB keys, in mention order, deduplicated
    models: list[str] = field(default_factory=list)  # model (or variant) names
    chains: list[str] = field(default_factory=list)  # human-readable why, e.g. "X -> base Y -> key"
    unknown: list[str] = field(default_factory=list)  # mentions that look like a model/license but match nothing
    suggestions: dict[str, list[str]] = field(default_factory=dict)  # unknown mention -> closest known names
    ambiguous: list[str] = field(default_factory=list)  # notes on mentions that need a version or size
    external: list[str] = field(
        default_factory=list
    )  # ids of corpus/external records (licenses without a LicenseDB text)
    direct_licenses: list[str] = field(default_factory=list)  # licenses named on their own, not carried by a model
    notes: list[str] = field(default_factory=list)  # typo readings, models without a LicenseDB text ...


# ------------------------------------------------------------------------------------------------- tokens


class _Tok(NamedTuple):
    norm: str
    start: int
    end: int
    raw: str


def tokens(text: str) -> list[_Tok]:
    """Lowercased word tokens with their spans; letters and digits split, "v" before a number dropped."""
    toks: list[_Tok] = []
    for m in _TOKEN_RE.finditer(text):
        raw = m.group(0)
        if raw in ("s", "S") and m.start() > 0 and text[m.start() - 1] in "'’":
            continue  # possessive: "Gemma's prohibited use policy" is "Gemma prohibited use policy"
        toks.append(_Tok(raw.lower(), m.start(), m.end(), raw))
    # "v1.5" / "V 2" -> "1.5" / "2": a version prefix is noise on both sides of the match
    return [
        t for i, t in enumerate(toks) if not (t.norm == "v" and i + 1 < len(toks) and toks[i + 1].norm[0].isdigit())
    ]


def norm_key(text: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokens(text))


# ------------------------------------------------------------------------------------------------- index


@dataclass(frozen=True)
class _Target:
    kind: str  # "license" | "model" | "external" (a license the LicenseDB lacks)
    key: str  # license key, or model name
    variant: str | None = None


@dataclass
class _Index:
    catalog: Any
    aliases: dict[tuple[str, ...], _Target]
    max_len: int
    vocab_by_letter: dict[str, list[str]]
    vocab: frozenset[str]
    families: dict[str, list[Any]]  # head token -> models whose name starts with it
    display: dict[str, str]  # display name -> license key or model name (for suggestions)
    license_names: dict[str, str]
    loose: dict[str, list[tuple[frozenset[str], str]]]  # first content word -> (content words, license key)
    hf_ids: dict[str, list[str]]  # HF license identifier -> keys
    hf_notes: dict[str, str]
    heads: frozenset[str] = frozenset()  # first tokens of all aliases
    models_by_name: dict[str, Any] = field(default_factory=dict)
    members: dict[str, list[Any]] = field(default_factory=dict)  # family name -> its sizes and releases
    pairs: frozenset[tuple[str, str]] = frozenset()  # (word, version) pairs that start an alias: "qwen", "2.5"
    external_names: dict[str, str] = field(default_factory=dict)
    typo_cache: dict[tuple[str, bool], str | None] = field(default_factory=dict)


def _models(catalog: Any) -> list[Any]:
    return list(getattr(catalog, "models", []) or [])


def _licenses(catalog: Any) -> dict[str, Any]:
    lic = getattr(catalog, "licenses", {}) or {}
    if isinstance(lic, dict):
        return dict(lic)
    return {e.key: e for e in lic}


def _load_hf(catalog: Any) -> tuple[dict[str, list[str]], dict[str, str]]:
    corpus_dir = getattr(catalog, "corpus_dir", None)
    path = Path(corpus_dir) / "hf_licenses.yaml" if corpus_dir else None
    if not path or not path.is_file():
        return {}, {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except YAMLError:
        return {}, {}
    ids: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    for section in ("identifiers", "license_names"):
        for ident, entry in (data.get(section) or {}).items():
            if not isinstance(entry, dict):
                continue
            ids.setdefault(str(ident).lower(), list(entry.get("keys") or []))
            if entry.get("note"):
                notes.setdefault(str(ident).lower(), str(entry["note"]))
            elif not entry.get("keys") and entry.get("name"):
                notes.setdefault(str(ident).lower(), f"{entry['name']}: no LicenseDB text.")
    return ids, notes


def _build_index(catalog: Any) -> _Index:
    aliases: dict[tuple[str, ...], _Target] = {}
    display: dict[str, str] = {}
    licenses = _licenses(catalog)

    # models first: "Llama 3.1" is the model (which carries its license); "Llama 3.1 license" stays a license
    def forms(alias: str) -> list[tuple[str, ...]]:
        # "Qwen/Qwen2.5-7B" is also written without its owner
        out = [norm_key(alias)]
        if "/" in alias:
            out.append(norm_key(alias.split("/", 1)[1]))
        return out

    for m in _models(catalog):
        display.setdefault(m.name, m.name)
        for v in m.variants:
            display.setdefault(v.name, m.name)
            for a in (v.name, *v.aliases):
                for f in forms(a):
                    aliases.setdefault(f, _Target("model", m.name, v.name))
        for a in (m.name, *m.aliases):
            for f in forms(a):
                aliases.setdefault(f, _Target("model", m.name))
    license_aliases: dict[tuple[str, ...], _Target] = {}
    for key, e in licenses.items():
        display.setdefault(e.name, key)
        for a in (key, e.name, *e.aliases):
            aliases.setdefault(norm_key(a), _Target("license", key))
            license_aliases.setdefault(norm_key(a), _Target("license", key))
    # licenses the LicenseDB lacks, by the names people give them ("Yi Series Models Community License")
    for ext_id, e in (getattr(catalog, "external", {}) or {}).items():
        for a in (e.name, *getattr(e, "aliases", [])):
            if len(norm_key(a)) >= 2:
                aliases.setdefault(norm_key(a), _Target("external", ext_id))
    aliases.pop((), None)
    vocab = {t for k in aliases for t in k if len(t) >= 4 and t.isalpha()}
    by_letter: dict[str, list[str]] = {}
    for w in sorted(vocab):
        by_letter.setdefault(w[0], []).append(w)
    # a family is every model whose name (or a plain alias) starts with the same word: "llama" -> LLaMA,
    # Llama 2, Meta Llama 3 ("llama 3"), Llama 3.1 ...; owners ("meta", "google") are not families
    families: dict[str, list[Any]] = {}
    for m in _models(catalog):
        if getattr(m, "family", None):
            continue  # "Llama 3.1 8B" is reached through its family "Llama 3.1"
        heads = {k[0] for k in (norm_key(a) for a in (m.name, *m.aliases) if "/" not in a) if k}
        for h in heads:
            if h.isalpha() and len(h) >= 2 and h not in _OWNERS and m not in families.setdefault(h, []):
                families[h].append(m)
    families = {h: ms for h, ms in families.items() if len(ms) >= 2}
    # a bare family word ("Llama", "Gemma") names no single model when the family's licenses differ:
    # it then means the license of that name if there is one ("Gemma" -> the Gemma terms), else nothing
    for h, ms in families.items():
        if len({(tuple(sorted(m.licenses)), tuple(_ext(m))) for m in ms}) > 1:
            if (h,) in license_aliases:
                aliases[(h,)] = license_aliases[(h,)]
            else:
                aliases.pop((h,), None)
    members: dict[str, list[Any]] = {}
    for m in _models(catalog):
        if getattr(m, "family", None):
            members.setdefault(m.family, []).append(m)
    hf_ids, hf_notes = _load_hf(catalog)
    loose: dict[str, list[tuple[frozenset[str], str]]] = {}
    for key, e in licenses.items():
        for a in (e.name, *e.aliases):
            words = [w for w in norm_key(a) if w not in _GENERIC]
            if len(words) < 2 or not words[0].isalpha() or words[0] in _LOOSE_NOT_HEADS:
                continue
            if (frozenset(words), key) not in loose.get(words[0], []):
                loose.setdefault(words[0], []).append((frozenset(words), key))
    return _Index(
        catalog=catalog,
        aliases=aliases,
        max_len=max((len(k) for k in aliases), default=1),
        vocab_by_letter=by_letter,
        vocab=frozenset(vocab),
        families=families,
        display=display,
        license_names={k: e.name for k, e in licenses.items()},
        loose=loose,
        hf_ids=hf_ids,
        hf_notes=hf_notes,
        heads=frozenset(k[0] for k in aliases),
        models_by_name={m.name: m for m in _models(catalog)},
        members=members,
        pairs=frozenset(k[:2] for k in aliases if len(k) >= 2),
        external_names={k: e.name for k, e in (getattr(catalog, "external", {}) or {}).items()},
    )


def _ext(m: Any) -> list[str]:
    return list(getattr(m, "external_licenses", []) or [])


_INDEXES: dict[int, _Index] = {}


def _index_for(catalog: Any) -> _Index:
    idx = _INDEXES.get(id(catalog))
    if idx is None or idx.catalog is not catalog:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        idx = _INDEXES[id(catalog)] = _build_index(catalog)
    return idx


@lru_cache(maxsize=1)
def _default_catalog() -> Any:
    from assistant.catalog import load_catalog

    return load_catalog()


# ------------------------------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Match:
    target: _Target
    i: int  # first token
    j: int  # one past the last token
    start: int
    end: int
    fuzzy: bool = False


def _weak_ok(toks: list[_Tok], i: int, j: int) -> bool:
    """A one-word alias that is also an English word counts only with a capital, version, size or context word."""
    if j - i != 1 or toks[i].norm not in WEAK_ALIASES:
        return True
    if any(c.isupper() for c in toks[i].raw):
        return True
    nxt = toks[j].norm if j < len(toks) else ""
    prev = toks[i - 1].norm if i > 0 else ""
    return bool(_VERSIONISH.match(nxt)) or nxt in _CONTEXT_WORDS or prev in _CONTEXT_WORDS


def _match_all(idx: _Index, norms: list[str], toks: list[_Tok], fuzzy_at: set[int]) -> list[_Match]:
    out: list[_Match] = []
    i = 0
    n = len(norms)
    while i < n:
        found = None
        if norms[i] not in idx.heads:
            i += 1
            continue
        for length in range(min(idx.max_len, n - i), 0, -1):
            target = idx.aliases.get(tuple(norms[i : i + length]))
            if target is None or not _weak_ok(toks, i, i + length):
                continue
            found = _Match(
                target,
                i,
                i + length,
                toks[i].start,
                toks[i + length - 1].end,
                fuzzy=any(k in fuzzy_at for k in range(i, i + length)),
            )
            break
        if found:
            out.append(found)
            i = found.j
        else:
            i += 1
    return out


def _fuzzy_norms(idx: _Index, toks: list[_Tok]) -> tuple[list[str], set[int]]:
    """Token list with likely typos of known names corrected ("lama" -> "llama" before a version)."""
    norms = [t.norm for t in toks]
    fixed: set[int] = set()
    for k, t in enumerate(toks):
        w = t.norm
        if len(w) < 4 or not w.isalpha() or w in idx.vocab or w in _NOT_TYPOS:
            continue
        nxt = toks[k + 1].norm if k + 1 < len(toks) else ""
        # a typo is trusted more before a version or size ("lama 3.1", "mistal 7b"), not before a year
        versioned = (bool(_VERSIONISH.match(nxt)) and not nxt.isdigit()) or (nxt.isdigit() and len(nxt) <= 2)
        short = len(w) < 6 and not versioned
        key = (w, versioned)
        if key not in idx.typo_cache:
            choices = [c for c in idx.vocab_by_letter.get(w[0], []) if abs(len(c) - len(w)) <= 2]
            best = process.extractOne(w, choices, scorer=fuzz.ratio, score_cutoff=85 if versioned else 88)
            if len(idx.typo_cache) > 50_000:
                idx.typo_cache.clear()
            hit = best[0] if best else None
            # a short word away from a version is read as a typo only of a family word ("gema" -> "gemma")
            idx.typo_cache[key] = hit if hit and (not short or hit in idx.families) else None
        if idx.typo_cache[key]:
            norms[k] = idx.typo_cache[key]
            fixed.add(k)
    return norms, fixed


# ------------------------------------------------------------------------------------------------- resolve


class _Acc:
    """Collects results in mention order without duplicates."""

    def __init__(self) -> None:
        self.r = Resolution()
        self.carried: set[str] = set()  # licenses reached through a named model

    def lic(self, key: str, direct: bool = False) -> None:
        if key not in self.r.licenses:
            self.r.licenses.append(key)
        if direct and key not in self.r.direct_licenses:
            self.r.direct_licenses.append(key)

    def add(self, lst: list[str], item: str) -> None:
        if item and item not in lst:
            lst.append(item)


def _model_entry(idx: _Index, name: str) -> Any:
    return idx.models_by_name.get(name)


def _lookup_model(idx: _Index, ref: str) -> _Target | None:
    """A base-model reference ("meta-llama/Llama-3.1-8B", "Llama 3.1 8B") -> catalog model, if any."""
    ref = ref.strip().strip("'\"")
    cand = [ref, ref.split("/", 1)[1]] if "/" in ref else [ref]
    for c in cand:
        t = idx.aliases.get(norm_key(c))
        if t and t.kind == "model":
            return t
    # the longest model alias inside the reference ("meta-llama/Llama-3.1-8B-Instruct" -> Llama 3.1 8B ...)
    toks = tokens(cand[-1])
    matches = [m for m in _match_all(idx, [t.norm for t in toks], toks, set()) if m.target.kind == "model"]
    return max(matches, key=lambda m: m.j - m.i).target if matches else None


def _target_label(t: _Target) -> str:
    return t.variant or t.key


def _base_label(ref: str, t: _Target) -> str:
    """How a base model is named in a chain: as the catalog writes it, unless that is a bare HF id."""
    if t.variant or "/" in ref:
        return _target_label(t)
    return ref


def _add_model(idx: _Index, acc: _Acc, t: _Target, depth: int = 0, prefix: str = "", sized: bool = False) -> list[str]:
    """Add a model and (through its base models) every license it carries; returns its license keys."""
    m = _model_entry(idx, t.key)
    if m is None:
        return []
    variant = next((v for v in m.variants if v.name == t.variant), None) if t.variant else None
    members = idx.members.get(m.name, []) if variant is None else []
    if variant:
        own, ext = list(variant.licenses), list(getattr(variant, "external_licenses", []) or [])
    else:
        own, ext = _default_licenses(m, members)
    label = _target_label(t)
    if depth == 0:
        acc.add(acc.r.models, label)
        if own or ext:
            acc.add(acc.r.chains, f"{label} -> {', '.join(own + ext)}")
    for k in own:
        acc.lic(k)
        acc.carried.add(k)
    for x in ext:
        acc.add(acc.r.external, x)
    bases = list(variant.base_models) if variant and variant.base_models else list(m.base_models)
    head = f"{prefix}{label}"
    base_keys: list[str] = []
    for ref in bases if depth < 3 else []:
        bt = _lookup_model(idx, ref)
        if bt is None:
            acc.add(acc.r.notes, f"{label}: base model {ref} is not in the catalog.")
            continue
        keys = _add_model(idx, acc, bt, depth + 1, prefix=f"{head} -> base ")
        base_keys += keys
        if keys:
            acc.add(acc.r.chains, f"{head} -> base {_base_label(ref, bt)} -> {', '.join(keys)}")
    if depth == 0:
        if variant is None and (m.variants or members) and not sized:
            _variant_note(idx, acc, m, members)
        if not own and not base_keys:
            names = ", ".join(idx.external_names.get(x, x) for x in ext)
            note = (variant.notes if variant and variant.notes else m.notes).strip()
            if ext:
                note = f"{names} (no LicenseDB text; the catalog's record of its terms applies). {note}".strip()
            acc.add(acc.r.notes, f"{label}: {note or 'no LicenseDB text.'}")
    return list(dict.fromkeys(own + base_keys))


def _default_licenses(m: Any, members: list[Any] = ()) -> tuple[list[str], list[str]]:
    """A model named without a size: the licenses every size shares (plus those no size overrides).

    "DeepSeek-R1" is MIT even though its Llama-based distills add Llama terms; when the sizes share nothing
    (Qwen2.5: Apache-2.0 for most, the Qwen License for 72B) all of the model's licenses apply, with a note.
    Returns (LicenseDB keys, external ids).
    """
    own, ext = list(m.licenses), _ext(m)
    sizes = [(set(v.licenses), set(_ext(v))) for v in m.variants] or [(set(x.licenses), set(_ext(x))) for x in members]
    if not sizes:
        return own, ext
    keys_all = set.intersection(*(k for k, _ in sizes))
    ext_all = set.intersection(*(e for _, e in sizes))
    keys_any = set().union(*(k for k, _ in sizes))
    ext_any = set().union(*(e for _, e in sizes))
    keep = [k for k in own if k in keys_all or k not in keys_any]
    keep_ext = [x for x in ext if x in ext_all or x not in ext_any]
    if keep or keep_ext:
        if len({(tuple(sorted(k)), tuple(sorted(e))) for k, e in sizes}) == 1:
            return keep, keep_ext
    return own, ext


def _variant_note(idx: _Index, acc: _Acc, m: Any, members: list[Any] = ()) -> None:
    groups: dict[tuple[str, ...], list[str]] = {}
    sizes = list(m.variants) or list(members)
    for v in sizes:
        groups.setdefault(tuple(v.licenses) + tuple(_ext(v)), []).append(v.name)
    if len(groups) == 1:
        return  # every size has the same license: nothing to ask
    names = {**idx.license_names, **idx.external_names}
    parts = [
        f"{'/'.join(vs)} use{'s' if len(vs) == 1 else ''} "
        + (", ".join(names.get(k, k) for k in keys) if keys else "a license with no LicenseDB text")
        for keys, vs in groups.items()
    ]
    acc.add(acc.r.ambiguous, f"{m.name} without a size: {'; '.join(parts)}.")


def _family_note(idx: _Index, head: str, raw: str) -> str:
    ms = idx.families[head]
    names = idx.license_names
    parts = []
    for m in ms:
        lic = ", ".join([names.get(k, k) for k in m.licenses] + [idx.external_names.get(x, x) for x in _ext(m)])
        lic = lic or "no LicenseDB text"
        parts.append(f"{m.name} ({lic})")
    return f"'{raw}' without a version is ambiguous: " + "; ".join(parts) + ". Say which version."


_LICENSE_WORDS = re.compile(r"\b(?:the|licen[cs]e|agreement|terms\s+of\s+use|community)\b", re.I)


def _suggest(idx: _Index, mention: str) -> list[str]:
    """Closest known names: license names for "... License" mentions, model names otherwise."""
    if re.search(r"licen[cs]e|terms", mention, re.I):
        bare = _LICENSE_WORDS.sub(" ", mention).strip() or mention
        choices = {_LICENSE_WORDS.sub(" ", n).strip() or n: n for n in idx.license_names.values()}
    else:
        bare = mention
        choices = {n: n for n, owner in idx.display.items() if owner not in idx.license_names}
    found = process.extract(bare, list(choices), scorer=fuzz.WRatio, limit=3, score_cutoff=70)
    return [choices[name] for name, _score, _i in found]


def _card_fields(text: str, idx: _Index, acc: _Acc) -> tuple[list[str], set[str]]:
    """`base_model:` and `license:` lines of a pasted model card; returns base refs and the ids consumed."""
    refs: list[str] = []
    for m in _BASE_MODEL.finditer(text):
        val = m.group(1).strip()
        if val.startswith("["):
            refs += [v.strip().strip("'\"") for v in val.strip("[]").split(",") if v.strip()]
        elif val:
            refs.append(val.strip("'\""))
        else:  # a YAML list on the following lines
            for line in text[m.end() :].splitlines()[1:]:
                item = re.match(r"^\s*-\s*(\S+)", line)
                if not item:
                    break
                refs.append(item.group(1).strip("'\""))
    consumed = set(refs)
    for m in _CARD_LICENSE.finditer(text):
        ident = m.group(2).lower()
        keys = idx.hf_ids.get(ident)
        if keys is None:
            continue
        consumed.add(m.group(2))
        for k in keys:
            if k in idx.license_names:
                acc.lic(k, direct=True)
                acc.add(acc.r.chains, f"model card {m.group(1)}: {m.group(2)} -> {k}")
        note = idx.hf_notes.get(ident)
        if note and (not keys or ident in ("gemma", "openrail++", "deepseek")):
            acc.add(acc.r.notes, f"{m.group(1)}: {m.group(2)}: {note}")
    return refs, consumed


def resolve(text: str, catalog: Any = None) -> Resolution:
    """Licenses and models named in `text` (question, model card, file name), with how each was reached."""
    if catalog is None:
        catalog = _default_catalog()
    idx = _index_for(catalog)
    acc = _Acc()
    text = text if isinstance(text, str) else ""
    if not text.strip():
        return acc.r

    refs, consumed = _card_fields(text, idx, acc) if "base_model" in text or "license" in text else ([], set())
    for ref in refs:
        bt = _lookup_model(idx, ref)
        if bt is None:
            acc.add(acc.r.unknown, ref)
            acc.r.suggestions[ref] = _suggest(idx, ref)
            continue
        keys = _add_model(idx, acc, bt, depth=1)
        acc.add(acc.r.chains, f"model card base_model {ref} -> {_target_label(bt)} -> {', '.join(keys)}")

    toks = tokens(text)
    norms, fixed = _fuzzy_norms(idx, toks)
    toks, norms, fixed = _join_versions(idx, toks, norms, fixed)
    matches = _match_all(idx, norms, toks, fixed)
    matched_models = {m.target.key for m in matches if m.target.kind == "model"}
    covered: set[int] = set()
    for mt in matches:
        covered.update(range(mt.i, mt.j))
        if mt.fuzzy:
            written = text[mt.start : mt.end]
            name = (
                _target_label(mt.target) if mt.target.kind == "model"
                else idx.external_names[mt.target.key] if mt.target.kind == "external"
                else idx.license_names[mt.target.key]
            )  # fmt: skip
            acc.add(acc.r.notes, f"Read '{written}' as {name}.")
        if mt.target.kind == "model":
            sized = any(_SIZE_TOKEN.match(norms[k]) for k in range(mt.i, mt.j))
            _add_model(idx, acc, mt.target, sized=sized)
            _repackaging_note(idx, acc, text, mt)
        elif mt.target.kind == "external":
            acc.add(acc.r.external, mt.target.key)
        else:
            acc.lic(mt.target.key, direct=True)
            _bare_license_note(idx, acc, mt, toks, matched_models)

    _loose_license_names(idx, acc, text, toks, norms, covered)
    _bare_family_heads(idx, acc, toks, norms, covered, matched_models)
    _unknown_mentions(idx, acc, text, toks, covered, consumed)
    acc.r.direct_licenses = [k for k in acc.r.direct_licenses if k not in acc.carried]
    return acc.r


_REPACKAGED = re.compile(
    r"gguf|ggml|awq|gptq|mlx|bnb|\d+bits?\b|exl2|q\d_k|q\d_\d|fp8|int[48]|onnx|4bpw|\d\.\d+bpw", re.I
)


def _repackaging_note(idx: _Index, acc: _Acc, text: str, mt: _Match) -> None:
    """A quantized or converted copy ("...-GGUF", "mlx-community/...-4bit") keeps the license of what it copies."""
    lo = text.rfind(" ", 0, mt.start) + 1
    hi = text.find(" ", mt.end)
    word = text[lo : hi if hi >= 0 else len(text)].strip(".,;:!?()[]'\"")
    if word and _REPACKAGED.search(word[mt.end - lo :] + " " + word[: max(0, mt.start - lo)]):
        acc.add(
            acc.r.notes,
            f"'{word}' is a quantized or converted copy of {_target_label(mt.target)}: it keeps that model's license.",
        )


def _join_versions(
    idx: _Index, toks: list[_Tok], norms: list[str], fixed: set[int]
) -> tuple[list[_Tok], list[str], set[int]]:
    """ "qwen 2 5" -> "qwen 2.5" when the name and the joined version start a known alias."""
    k = 0
    out_t: list[_Tok] = []
    out_n: list[str] = []
    out_f: set[int] = set()
    while k < len(toks):
        if (
            k + 2 < len(toks)
            and norms[k].isalpha()
            and norms[k + 1].isdigit()
            and norms[k + 2].isdigit()
            and len(norms[k + 1]) <= 2
            and len(norms[k + 2]) <= 2
            and (norms[k], f"{norms[k + 1]}.{norms[k + 2]}") in idx.pairs
        ):
            a, b = toks[k + 1], toks[k + 2]
            if k in fixed:
                out_f.add(len(out_t))
            out_t.append(toks[k])
            out_n.append(norms[k])
            out_f.add(len(out_t))  # read loosely: say so
            out_t.append(_Tok(f"{a.norm}.{b.norm}", a.start, b.end, f"{a.raw} {b.raw}"))
            out_n.append(f"{a.norm}.{b.norm}")
            k += 3
            continue
        if k in fixed:
            out_f.add(len(out_t))
        out_t.append(toks[k])
        out_n.append(norms[k])
        k += 1
    return out_t, out_n, out_f


def _loose_license_names(
    idx: _Index, acc: _Acc, text: str, toks: list[_Tok], norms: list[str], covered: set[int]
) -> None:
    """License names written loosely: "the Stability non-commercial model", "Stability Community vs ...".

    From a word that starts some license name, the following words (up to a connective such as "vs") are
    compared with that license's names, ignoring generic words; the name sharing the most words wins if it
    shares at least two and most of each side.
    """
    for k in range(len(toks)):
        if k in covered or norms[k] not in idx.loose:
            continue
        window: list[str] = []
        last = k
        for j in range(k, min(k + 7, len(toks))):
            if j in covered or norms[j] in _LOOSE_STOP:
                break
            last = j
            if norms[j] not in _GENERIC:
                window.append(norms[j])
        seen = set(window)
        best: tuple[float, str] | None = None
        for words, key in idx.loose[norms[k]]:
            shared = len(words & seen)
            score = shared / len(words | seen)
            if shared >= 2 and score >= 0.6 and (best is None or score > best[0]):
                best = (score, key)
        if best:
            acc.lic(best[1], direct=True)
            covered.update(range(k, last + 1))
            written = text[toks[k].start : toks[last].end]
            acc.add(acc.r.notes, f"Read '{written}' as the {idx.license_names[best[1]]}.")


def _bare_license_note(idx: _Index, acc: _Acc, mt: _Match, toks: list[_Tok], matched_models: set[str]) -> None:
    """'Gemma' alone names the current Gemma terms; say which models that does and does not cover."""
    if mt.j - mt.i != 1:
        return
    head = toks[mt.i].norm
    family = idx.families.get(head)
    if not family or any(m.name in matched_models for m in family):
        return
    others = [m for m in family if mt.target.key not in m.licenses]
    if not others:
        return
    names = idx.license_names
    alt = "; ".join(
        f"{m.name}: {', '.join(names.get(k, k) for k in m.licenses) or 'no LicenseDB text'}" for m in others
    )
    acc.add(
        acc.r.ambiguous,
        f"'{toks[mt.i].raw}' without a version is read as the {names[mt.target.key]}; "
        f"other {toks[mt.i].raw} models differ ({alt}).",
    )


def _bare_family_heads(
    idx: _Index, acc: _Acc, toks: list[_Tok], norms: list[str], covered: set[int], matched_models: set[str]
) -> None:
    for k, t in enumerate(toks):
        if k in covered or norms[k] not in idx.families:
            continue
        if not _weak_ok(toks, k, k + 1):
            continue
        if any(m.name in matched_models for m in idx.families[norms[k]]) or any(
            key.startswith(norms[k]) for key in acc.r.licenses
        ):
            continue  # "Built with Llama" next to "Llama 3.1" is about Llama 3.1
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if nxt is not None and k + 1 not in covered and _VERSIONISH.match(nxt.norm):
            mention = f"{t.raw} {nxt.raw}"
            acc.add(acc.r.unknown, mention)
            fam_names = [m.name for m in idx.families[norms[k]]]
            found = process.extract(mention, fam_names, scorer=fuzz.WRatio, limit=3)
            acc.r.suggestions[mention] = [n for n, _s, _i in found]
            continue
        shared = {tuple(m.licenses) for m in idx.families[norms[k]]}
        if len(shared) == 1 and next(iter(shared)):
            # "Phi" alone: every Phi model has the same license, so the version does not matter
            for key in next(iter(shared)):
                acc.lic(key)
            names = ", ".join(idx.license_names.get(x, x) for x in next(iter(shared)))
            acc.add(acc.r.notes, f"Every {t.raw} model in the catalog uses the {names}.")
            continue
        acc.add(acc.r.ambiguous, _family_note(idx, norms[k], t.raw))


def _span_covered(toks: list[_Tok], covered: set[int], start: int, end: int) -> bool:
    """Does any matched token overlap text[start:end]? (tokens are in text order: bisect, not scan)"""
    k = _first_ending_after(toks, start)
    while k < len(toks) and toks[k].start < end:
        if k in covered:
            return True
        k += 1
    return False


def _first_ending_after(toks: list[_Tok], start: int) -> int:
    lo, hi = 0, len(toks)
    while lo < hi:
        mid = (lo + hi) // 2
        if toks[mid].end <= start:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _unknown_mentions(
    idx: _Index, acc: _Acc, text: str, toks: list[_Tok], covered: set[int], consumed: set[str]
) -> None:
    found: list[tuple[int, str]] = []

    def add(mention: str, pos: int) -> None:
        found.append((pos, mention.strip(" .,;:!?")))

    for m in _HF_ID.finditer(text):
        owner, name = m.group(1), m.group(2)
        if not re.search(r"\d|-", name) or len(name) < 3 or owner.lower() in {"and", "or", "he", "she"}:
            continue
        if not _span_covered(toks, covered, m.start(), m.end()) and not re.fullmatch(r"[\d.]+", name):
            add(m.group(0), m.start())
    for m in _NAMED_LICENSE.finditer(text):
        words = [(w.group(0), m.start(1) + w.start()) for w in re.finditer(r"[^ -]+", m.group(1))]
        while words and words[0][0].lower() in _NOT_NAMES:
            words = words[1:]
        if not words or all(w.lower() in _NOT_NAMES for w, _ in words):
            continue
        if any(norm_key(w)[:1] and norm_key(w)[0] in idx.families for w, _ in words):
            continue  # "the Llama license": a family without a version, noted as ambiguous
        start = words[0][1]
        if _span_covered(toks, covered, m.start(1), m.end()):
            continue
        add(text[start : m.end()], start)
    for m in _CAP_NAME_VERSION.finditer(text):
        if m.group(1).lower() in _NOT_NAMES or m.group(1).lower() in idx.families:
            continue
        if re.fullmatch(r"(?:19|20)\d\d", m.group(2)):
            continue  # "May 2024"
        if m.start() > 0 and text[m.start() - 1] in "'\"‘“":
            continue  # a quoted name is one the user proposes ("call it 'SuperChat-8B'")
        if not _span_covered(toks, covered, m.start(), m.end()):
            add(m.group(0), m.start())
    for _pos, mention in sorted(found):
        if mention and mention not in acc.r.unknown and mention not in consumed:
            if any(mention in u or u in mention for u in acc.r.unknown):
                continue  # "Foo-7B" inside "acme/Foo-7B"
            acc.r.unknown.append(mention)
            acc.r.suggestions[mention] = _suggest(idx, mention)
