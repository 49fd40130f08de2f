"""Name the license of what a user has: a pasted LICENSE file, a model card, or a model id.

Three sources, each reported as a separate Finding so a user can see which one said what:
- a model card's YAML front matter (`license:`, `license_name:` + `license_link:`, `base_model:`), mapped to
  LicenseDB keys through corpus/hf_licenses.yaml;
- the text itself, matched by ScanCode's own license detection (its index is loaded once per process);
- a model id or name, looked up in the model catalog (corpus/models.yaml).

A text that matches a known license only partly is reported as modified, with what was added, changed or left
out: a modified license is a different license and is never silently equated with the original.
"""

from __future__ import annotations

import os
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.config import CORPUS_DIR, Settings
from assistant.licensedb import UnknownLicenseError, license_keys, licensedb_version, load_license
from assistant.yamlio import YAMLError, load_yaml

DEFAULT_MAX_BYTES = 200_000
HF_LICENSES_FILE = "hf_licenses.yaml"
HF_LICENSES_URL = "https://huggingface.co/docs/hub/repositories-licenses"

SOURCE_FRONT_MATTER = "front_matter"
SOURCE_FULL_TEXT = "full_text"
SOURCE_MODEL_ID = "model_id"
SOURCE_LICENSE_NAME = "license_name"

_QUOTE_CHARS = 100  # longest quoted snippet in evidence / differences
_MAX_DIFFERENCES = 8
_CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


class IdentifyInputError(ValueError):
    """Input that cannot be identified: too large, or binary rather than text. The message says what to do."""


@dataclass
class Finding:
    """One license that one source points to."""

    license_key: str
    license_name: str
    source: str  # "front_matter" | "full_text" | "model_id" | "license_name"
    score: float  # 0..100: match score (full text) or how exactly the metadata names the text
    confidence: str  # "high" | "medium" | "low"
    evidence: list[str]  # which lines matched / which field said what, short
    modified: bool = False  # the text matches a known license only partly
    differences: list[str] = field(default_factory=list)


@dataclass
class Identification:
    findings: list[Finding]
    models: list[str]
    base_models: list[str]
    notes: list[str]

    @property
    def license_keys(self) -> list[str]:
        """The distinct LicenseDB keys found, in the order they were found."""
        return list(dict.fromkeys(f.license_key for f in self.findings))

    def summary(self) -> str:
        """One plain-English paragraph a UI can show."""
        return _summary(self)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["license_keys"] = self.license_keys
        data["summary"] = self.summary()
        return data


# ---------------------------------------------------------------------------------------------------------------
# Input checks


def _clean_input(text: str | bytes, max_bytes: int) -> tuple[str, list[str]]:
    notes: list[str] = []
    if isinstance(text, bytes):
        raw_len = len(text)
        text = text.decode("utf-8", errors="replace")
    elif isinstance(text, str):
        raw_len = len(text.encode("utf-8", errors="replace"))
    else:
        raise TypeError(f"identify() needs text (str), not {type(text).__name__}")
    if raw_len > max_bytes:
        raise IdentifyInputError(
            f"The input is {raw_len:,} bytes; the limit is {max_bytes:,} bytes. "
            "Paste only the LICENSE file or the model card (README.md)."
        )
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text) // 100):
        raise IdentifyInputError(
            "The input looks like a binary file (or text saved as UTF-16): it holds NUL and other control "
            "bytes. Paste the text of the LICENSE file or README.md, saved as UTF-8."
        )
    if controls:
        text = "".join(ch for ch in text if ord(ch) >= 32 or ch in "\t\n\r\f")
        notes.append(f"Removed {controls} control character(s) (such as NUL bytes) from the input.")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return text, notes


# ---------------------------------------------------------------------------------------------------------------
# Hugging Face metadata


@dataclass(frozen=True)
class HFEntry:
    """One Hugging Face identifier (or license_name) and the LicenseDB texts it names."""

    ident: str
    keys: tuple[str, ...]
    name: str | None = None
    confidence: str = "high"
    note: str | None = None
    by_link: tuple[tuple[str, tuple[str, ...]], ...] = ()
    external: tuple[str, ...] = ()  # ids of corpus/external records, for a license the LicenseDB has no text for


@dataclass(frozen=True)
class HFTable:
    identifiers: dict[str, HFEntry]
    license_names: dict[str, HFEntry]


def _entry(ident: str, raw: dict) -> HFEntry:
    raw = raw or {}
    return HFEntry(
        ident=ident,
        keys=tuple(raw.get("keys") or ()),
        name=raw.get("name"),
        confidence=str(raw.get("confidence") or "high"),
        note=raw.get("note"),
        by_link=tuple((str(k), tuple(v or ())) for k, v in (raw.get("by_link") or {}).items()),
        external=tuple(str(x) for x in (raw.get("external") or ())),
    )


@lru_cache(maxsize=4)
def load_hf_licenses(path: Path | None = None) -> HFTable:
    """corpus/hf_licenses.yaml as plain data."""
    path = path or CORPUS_DIR / HF_LICENSES_FILE
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    return HFTable(
        identifiers={_norm_ident(k): _entry(str(k), v) for k, v in (data.get("identifiers") or {}).items()},
        license_names={_norm_ident(k): _entry(str(k), v) for k, v in (data.get("license_names") or {}).items()},
    )


def _norm_ident(value: object) -> str:
    return re.sub(r"[\s_]+", "-", str(value).strip().strip("'\"").lower())


def split_front_matter(text: str) -> tuple[dict | None, str, int, list[str]]:
    """(metadata, body, number of lines before the body, notes) for a card with `---` YAML front matter."""
    m = re.match(r"\A\s*---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", text, re.S)
    if not m:
        return None, text, 0, []
    body = text[m.end() :]
    offset = len(text[: m.end()].splitlines())  # line numbers as ScanCode counts them (str.splitlines)
    try:
        meta = load_yaml(m.group(1))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        msg = f"The card's YAML front matter could not be read{where}; only its text was checked."
        return None, body, offset, [msg]
    if not isinstance(meta, dict):
        return None, body, offset, ["The card's front matter is not a YAML mapping; only its text was checked."]
    return meta, body, offset, []


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value).strip()] if str(value).strip() else []


def _keys_for(entry: HFEntry, link: str | None) -> tuple[tuple[str, ...], str | None]:
    """The entry's keys, or the ones its `by_link` table picks for this license_link."""
    if link:
        low = link.lower()
        for needle, keys in entry.by_link:
            if needle.lower() in low:
                return keys, needle
    return entry.keys, None


def _license_label(key: str) -> str:
    try:
        return load_license(key).name
    except UnknownLicenseError:
        return key


def _metadata_findings(meta: dict, table: HFTable) -> tuple[list[Finding], list[str]]:
    findings: list[Finding] = []
    notes: list[str] = []
    link = str(meta.get("license_link") or "").strip() or None
    link_ev = f"license_link: {link}" if link else None

    def add(entry: HFEntry, field_name: str, value: str, source: str) -> None:
        keys, needle = _keys_for(entry, link)
        ev = [f"{field_name}: {value}"] + ([link_ev] if link_ev else [])
        if needle:
            ev.append(f"license_link contains {needle!r}")
        if not keys:
            what = entry.name or value
            if entry.external:
                what += " (the project's summary: " + ", ".join(f"ext:{x}" for x in entry.external) + ")"
            notes.append(
                f"`{field_name}: {value}` names {what}, which has no text in the LicenseDB"
                + (f": {entry.note}" if entry.note else ".")
            )
            return
        if entry.note:
            notes.append(f"{field_name}: {value}: {entry.note}")
        confidence = entry.confidence if not needle else "medium"
        for key in keys:
            findings.append(
                Finding(
                    license_key=key,
                    license_name=_license_label(key),
                    source=source,
                    score=100.0 if confidence == "high" else 90.0,
                    confidence=confidence,
                    evidence=list(ev),
                )
            )

    licenses = _as_list(meta.get("license"))
    names = _as_list(meta.get("license_name"))
    if "license" in meta and not licenses:
        notes.append("The card has an empty `license:` field.")
    for value in licenses:
        ident = _norm_ident(value)
        if ident == "other":
            if not names:
                notes.append(
                    "The card declares `license: other` but gives no `license_name:`; the license text "
                    "(the repository's LICENSE file) is needed to say which license it is."
                )
            continue
        entry = table.identifiers.get(ident)
        if entry is not None:
            add(entry, "license", value, SOURCE_FRONT_MATTER)
        elif ident in license_keys():
            add(
                HFEntry(
                    ident,
                    (ident,),
                    confidence="medium",
                    note="not a Hugging Face identifier, but it is a LicenseDB key.",
                ),
                "license",
                value,
                SOURCE_FRONT_MATTER,
            )
        else:
            notes.append(
                f"The card declares `license: {value}`, which is not a known Hugging Face license "
                f"identifier (see {HF_LICENSES_URL})."
            )
    for value in names:
        ident = _norm_ident(value)
        entry = table.license_names.get(ident) or table.identifiers.get(ident)
        if entry is None and ident in license_keys():
            entry = HFEntry(ident, (ident,), confidence="medium")
        if entry is not None and ident != "other":
            add(entry, "license_name", value, SOURCE_LICENSE_NAME)
        else:
            notes.append(
                f"The card names `license_name: {value}`, which this project does not map to a LicenseDB "
                "text yet; paste the repository's LICENSE file to identify it"
                + (f" (license_link: {link})." if link else ".")
            )
    return findings, notes


# ---------------------------------------------------------------------------------------------------------------
# Model catalog


@dataclass(frozen=True)
class ModelRef:
    """A catalog model or variant, flattened: what a model id resolves to."""

    name: str
    aliases: tuple[str, ...]
    licenses: tuple[str, ...]
    base_models: tuple[str, ...] = ()
    parent: str | None = None  # the family entry a variant belongs to
    notes: str = ""


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _flatten(entries: Iterable[Any]) -> list[ModelRef]:
    out: list[ModelRef] = []
    for e in entries:
        name = str(_get(e, "name") or "").strip()
        if not name:
            continue
        licenses = tuple(_as_list(_get(e, "licenses")))
        bases = tuple(_as_list(_get(e, "base_models")))
        aliases = tuple(_as_list(_get(e, "aliases")))
        out.append(ModelRef(name, aliases, licenses, bases, notes=str(_get(e, "notes") or "")))
        for v in _get(e, "variants") or ():
            vname = str(_get(v, "name") or "").strip()
            if vname:
                # a variant's own list wins even when empty: [] means its license has no LicenseDB text
                vlic = _get(v, "licenses")
                out.append(
                    ModelRef(
                        vname,
                        tuple(_as_list(_get(v, "aliases"))),
                        licenses if vlic is None else tuple(_as_list(vlic)),
                        tuple(_as_list(_get(v, "base_models"))) or bases,
                        parent=name,
                        notes=str(_get(v, "notes") or ""),
                    )
                )
    return out


def load_models(corpus_dir: Path | None = None) -> list[ModelRef]:
    """Every catalog entry and variant, from assistant.catalog when present, else from corpus/models.yaml.

    Raises ValueError (or the catalog's CorpusError) when the catalog files cannot be read.
    """
    corpus_dir = corpus_dir or CORPUS_DIR
    try:
        from assistant.catalog import load_catalog  # type: ignore[import-not-found]
    except ImportError:
        load_catalog = None
    if load_catalog is not None:
        try:
            return _flatten(load_catalog(corpus_dir).models)
        except ValueError:
            pass  # another corpus file may be broken: models.yaml alone can still be read below
    path = corpus_dir / "models.yaml"
    if not path.is_file():
        return []
    data = load_yaml(path.read_text(encoding="utf-8")) or []
    if isinstance(data, dict):
        data = data.get("models") or []
    return _flatten(data if isinstance(data, list) else [])


def _catalog(models: list[ModelRef] | None, notes: list[str]) -> list[ModelRef]:
    if models is not None:
        return models
    try:
        found = load_models()
    except (ValueError, OSError, YAMLError) as exc:
        notes.append(f"The model catalog could not be read ({_short(str(exc), 160)}); model ids were not looked up.")
        return []
    return found


def _model_key(s: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", s.lower())


_HF_URL = re.compile(r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?:models/)?([^/\s]+/[^/\s?#]+)", re.I)


def lookup_model(model_id: str, models: list[ModelRef]) -> tuple[ModelRef, str] | None:
    """The catalog entry for a model id ("org/name", a URL, or a name), with how it matched."""
    model_id = model_id.strip()
    m = _HF_URL.match(model_id)
    if m:
        model_id = m.group(1)
    full = _model_key(model_id)
    short = _model_key(model_id.rsplit("/", 1)[-1])
    if not short:
        return None
    by_key: dict[str, ModelRef] = {}
    for entry in models:  # variants come after their family, so a variant's exact name wins
        for label in (entry.name, *entry.aliases):
            by_key[_model_key(label)] = entry
    for k in (full, short):
        if k in by_key:
            return by_key[k], "exact"
    # A longer id built on a catalog name ("Llama-3.1-8B-Instruct-GGUF"): the longest catalog name it starts with,
    # ending at a word boundary of the original id. Only for ids: free text ("Phi-3 is under MIT") must match exactly.
    if any(ch.isspace() for ch in model_id):
        return None
    tail = model_id.rsplit("/", 1)[-1]
    best: tuple[int, ModelRef] | None = None
    for entry in models:
        for label in (entry.name, *entry.aliases):
            lk = _model_key(label.rsplit("/", 1)[-1])
            if len(lk) >= 4 and short.startswith(lk) and (best is None or len(lk) > best[0]):
                # accept only if the id continues with a separator after the matched part
                consumed = _consumed_chars(tail, len(lk))
                if consumed is not None and (consumed == len(tail) or tail[consumed] in "-_. "):
                    best = (len(lk), entry)
    return (best[1], "prefix") if best else None


def _consumed_chars(text: str, n_key_chars: int) -> int | None:
    """How many characters of `text` hold its first n alphanumeric/dot characters."""
    count = 0
    for i, ch in enumerate(text):
        if ch.isalnum() or ch == ".":
            count += 1
            if count == n_key_chars:
                return i + 1
    return None


def _model_findings(
    model_id: str, models: list[ModelRef], *, as_base: bool
) -> tuple[list[Finding], list[str], str | None]:
    notes: list[str] = []
    hit = lookup_model(model_id, models)
    if hit is None:
        if as_base:
            where = "the model catalog" if models else "the model catalog (which is empty or missing)"
            notes.append(
                f"The base model {model_id} is not in {where}; its license could not be added. "
                "A derivative is normally bound by its base model's license too."
            )
        return [], notes, None
    entry, how = hit
    label = entry.name if not entry.parent else f"{entry.name} ({entry.parent})"
    field_name = "base_model" if as_base else "model id"
    ev = [
        f"{field_name}: {model_id}",
        f"catalog entry: {label}" + (" (closest name the id starts with)" if how == "prefix" else ""),
    ]
    findings: list[Finding] = []
    for key in entry.licenses:
        if key not in license_keys():
            notes.append(f"The catalog lists {key!r} for {entry.name}, which is not a LicenseDB key.")
            continue
        findings.append(
            Finding(
                license_key=key,
                license_name=_license_label(key),
                source=SOURCE_MODEL_ID,
                score=100.0 if how == "exact" else 80.0,
                confidence="high" if how == "exact" else "medium",
                evidence=list(ev),
            )
        )
    if not entry.licenses:
        why = f": {_short(entry.notes, 240)}" if entry.notes else "."
        notes.append(f"The model catalog knows {entry.name}, but its license has no text in the LicenseDB{why}")
    if as_base and findings:
        names = ", ".join(f"{f.license_name} ({f.license_key})" for f in findings)
        notes.append(
            f"Derived from {model_id}: a fine-tune, quantization or merge stays bound by its base model's "
            f"license, so {names} applies as well as the card's own license."
        )
    return findings, notes, entry.name


# ---------------------------------------------------------------------------------------------------------------
# ScanCode's license index: loaded lazily, once per process


_INDEX_LOCK = threading.Lock()
_MATCH_LOCK = threading.Lock()  # the matcher keeps small module-level caches; one detection at a time
_INDEX: Any = None


def _bundled_index_dir() -> Path | None:
    """The index that scancode-toolkit wheels ship pre-built, if this install has it."""
    from importlib import util

    spec = util.find_spec("licensedcode")
    if spec is None or not spec.origin:
        return None
    base = Path(spec.origin).parent / "data" / "cache"
    cache_file = base / "license_index" / "index_cache"
    return base if cache_file.is_file() and cache_file.stat().st_size > 0 else None


def index_cache_dirs(settings: Settings | None = None) -> tuple[Path, Path]:
    """(where ScanCode's license index is read or built, where ScanCode keeps its lock and other caches).

    SCANCODE_LICENSE_INDEX_CACHE and SCANCODE_CACHE win when set. Otherwise the index pre-built inside the
    installed package is used as is (only read); when there is none, it is built once under the app's cache
    directory (Settings().home/scancode/<version>), which is writable, unlike a system site-packages.
    """
    settings = settings or Settings()
    version = re.sub(r"[^A-Za-z0-9.]+", "-", licensedb_version()).strip("-")
    own = settings.home / "scancode" / version
    env_index = os.environ.get("SCANCODE_LICENSE_INDEX_CACHE")
    index_dir = Path(env_index) if env_index else (_bundled_index_dir() or own)
    lock_dir = Path(os.environ.get("SCANCODE_CACHE") or own)
    return index_dir, lock_dir


def index_is_cached(settings: Settings | None = None) -> bool:
    index_dir, _ = index_cache_dirs(settings)
    f = index_dir / "license_index" / "index_cache"
    return f.is_file() and f.stat().st_size > 0


def warm_up(progress: Callable[[str], None] | None = None, settings: Settings | None = None) -> float:
    """Load (or, the first time ever, build) ScanCode's license index; returns the seconds it took (0 if loaded)."""
    global _INDEX
    if _INDEX is not None:
        return 0.0
    with _INDEX_LOCK:
        if _INDEX is not None:
            return 0.0
        t0 = time.perf_counter()
        index_dir, lock_dir = index_cache_dirs(settings)
        if progress:
            progress(
                "Loading the license detection index (first use in this session)..."
                if index_is_cached(settings)
                else "Building the license detection index (first use only; this takes several minutes)..."
            )
        lock_dir.mkdir(parents=True, exist_ok=True)
        index_dir.mkdir(parents=True, exist_ok=True)
        # scancode_config reads these when first imported and creates the directories they name; point them at
        # places that exist and are writable (a user's own settings win).
        os.environ.setdefault("SCANCODE_CACHE", str(lock_dir))
        os.environ.setdefault("SCANCODE_LICENSE_INDEX_CACHE", str(index_dir))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # typecode warns about the system libmagic on import
            from licensedcode import cache as lc

            if lc._LICENSE_CACHE is None:
                # explicit directories: right even when scancode_config was imported earlier with other values
                lc._LICENSE_CACHE = lc.LicenseCache.load_or_build(
                    licensedcode_cache_dir=str(index_dir), scancode_cache_dir=str(lock_dir)
                )
        _INDEX = lc._LICENSE_CACHE.index
        elapsed = time.perf_counter() - t0
        if progress:
            progress(f"License detection index ready ({elapsed:.1f} s).")
        return elapsed


def _index() -> Any:
    if _INDEX is None:
        warm_up()
    return _INDEX


# ---------------------------------------------------------------------------------------------------------------
# Full-text detection


# a copyright notice line ("Copyright 2024 Acme", "(c) Acme", "© Acme"): filling one in is not a change of terms
_COPYRIGHT_LINE = re.compile(r"^\W*(?:copyright\b|\(c\)|©)", re.I)


@dataclass
class _Tok:
    value: str
    line: int
    pos: int  # query position of a known token, -1 for a word the index does not know
    matched: bool
    i: int = 0  # index in the token list


@dataclass
class _Run:
    """A stretch of words no license match covers."""

    toks: list[_Tok]
    prev_pos: int | None  # last matched query position before it
    next_pos: int | None

    @property
    def words(self) -> int:
        return len(self.toks)

    @property
    def first_line(self) -> int:
        return self.toks[0].line

    @property
    def last_line(self) -> int:
        return self.toks[-1].line


def _short(s: str, n: int = _QUOTE_CHARS) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def _is_vague(key: str) -> bool:
    try:
        return load_license(key).category == "Unstated License"
    except UnknownLicenseError:
        return True


def _text_tokens(body: str, idx: Any, matched: set[int]) -> list[_Tok]:
    """The body's words with their query positions and whether a license match covers them."""
    from licensedcode.match import tokenize_matched_text
    from licensedcode.stopwords import STOPWORDS

    toks: list[_Tok] = []
    for t in tokenize_matched_text(location=None, query_string=body, dictionary=idx.dictionary, start_line=1):
        if not t.is_text or not t.value.strip():
            continue
        if t.pos < 0 and t.value.lower() in STOPWORDS:
            continue  # markup words (html tags, entities) that the matcher ignores too
        toks.append(_Tok(t.value, t.line_num, t.pos, t.pos >= 0 and t.pos in matched, len(toks)))
    return toks


def _runs(toks: list[_Tok]) -> list[_Run]:
    runs: list[_Run] = []
    prev: int | None = None
    cur: list[_Tok] = []
    for t in toks:
        if t.matched:
            if cur:
                runs.append(_Run(cur, prev, t.pos))
                cur = []
            prev = t.pos
        else:
            cur.append(t)
    if cur:
        runs.append(_Run(cur, prev, None))
    return runs


def _quote_run(run: _Run) -> str:
    return _short(" ".join(t.value for t in run.toks))


def _words_before(toks: list[_Tok], run: _Run, n: int = 5) -> str:
    i = run.toks[0].i
    return " ".join(t.value for t in toks[max(0, i - n) : i])


def _missing_runs(match: Any, idx: Any) -> list[tuple[int, list[str]]]:
    """Runs of the license's own words the match did not find: (the rule position before the run, words)."""
    tids = idx.tids_by_rid[match.rule.rid]
    ispan = set(match.ispan)
    runs: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    start = -1
    for i, tid in enumerate(tids):
        if i in ispan:
            if cur:
                runs.append((start, cur))
                cur = []
            start = i
        else:
            cur.append(idx.tokens_by_tid[tid])
    if cur:
        runs.append((start, cur))
    return runs


def _differences(
    match: Any,
    idx: Any,
    toks: list[_Tok],
    runs: list[_Run],
    body_lines: list[str],
    line_offset: int,
    count_outside: bool,
    is_first: bool,
    is_last: bool,
) -> list[str]:
    """What this text adds to, changes in or leaves out of the license the match points to."""
    qspan = sorted(match.qspan)
    ispan = sorted(match.ispan)
    i_by_q = dict(zip(qspan, ispan, strict=False))  # the matcher aligns both spans position by position
    qlo, qhi = match.qstart, match.qend
    missing = _missing_runs(match, idx)
    missing_after = {start: words for start, words in missing}  # keyed by the aligned rule position before it
    used_missing: set[int] = set()
    diffs: list[str] = []
    for run in runs:
        inside = run.prev_pos is not None and run.next_pos is not None and qlo <= run.prev_pos and run.next_pos <= qhi
        before = run.prev_pos is None or run.prev_pos < qlo
        after = run.next_pos is None or run.next_pos > qhi
        line = run.first_line + line_offset
        lines = f"line {line}" if run.last_line == run.first_line else f"lines {line}-{run.last_line + line_offset}"
        on_copyright = all(
            _COPYRIGHT_LINE.match(body_lines[n - 1]) for n in {t.line for t in run.toks} if 0 < n <= len(body_lines)
        )
        if inside:
            if on_copyright:
                continue  # a filled-in copyright notice is not a change of terms
            ipos = i_by_q.get(run.prev_pos)
            if ipos is not None and ipos in missing_after:
                used_missing.add(ipos)
                diffs.append(
                    f"changed text at {lines}: '{_quote_run(run)}' in place of "
                    f"'{_short(' '.join(missing_after[ipos]))}'"
                )
            else:
                diffs.append(f"added text at {lines}, after '…{_words_before(toks, run)}': '{_quote_run(run)}'")
        elif count_outside and run.words >= 3 and not on_copyright:
            if after and is_last and (run.next_pos is None):
                diffs.append(f"added text at the end ({lines}): '{_quote_run(run)}'")
            elif before and is_first and run.prev_pos is None:
                diffs.append(f"added text at the start ({lines}): '{_quote_run(run)}'")
    for start, words in missing:
        if start in used_missing or not words:
            continue
        where = "at the start" if start < 0 else f"after '…{' '.join(_rule_words(idx, match, start))}'"
        diffs.append(f"missing text {where}: '{_short(' '.join(words))}' ({len(words)} words of the original)")
    return diffs


def _version_conflict(match: Any, idx: Any, runs: list[_Run]) -> tuple[str, str] | None:
    """(the text's numbers, the rule's numbers) when a partial match differs from its rule in version numbers:
    "Llama 3.1 is licensed under ..." partly matches a Llama 2 notice, but it names another license."""
    if match.coverage() >= 100 and match.score() >= 100:
        return None
    lo, hi = match.qstart, match.qend
    def numbers(words: list[str]) -> list[str]:
        return [w for w in words if any(c.isdigit() for c in w)]

    inside = [r for r in runs if r.prev_pos is not None and r.next_pos is not None and lo <= r.prev_pos
              and r.next_pos <= hi]
    ours = [n for n in (numbers([t.value for t in r.toks]) for r in inside) if n]
    theirs = [n for n in (numbers(words) for _, words in _missing_runs(match, idx)) if n]
    if ours and theirs and {w for n in ours for w in n} != {w for n in theirs for w in n}:
        return ".".join(ours[0]), ".".join(theirs[0])
    return None


def _rule_words(idx: Any, match: Any, end: int, n: int = 5) -> list[str]:
    tids = idx.tids_by_rid[match.rule.rid]
    return [idx.tokens_by_tid[t] for t in tids[max(0, end - n + 1) : end + 1]]


def _lines(match: Any, offset: int) -> str:
    a, b = match.lines()
    return f"line {a + offset}" if a == b else f"lines {a + offset}-{b + offset}"


_FULL_TEXT_TOKENS = 300  # a rule this long is a license's terms, whatever its flags say
_COMPARED_TOKENS = 50  # shorter rules (tags, one-line references) are not compared word by word


def _is_full_text(match: Any) -> bool:
    rule = match.rule
    # ScanCode flags some whole-terms rules as notices (e.g. Apache-2.0 without its appendix): go by length too
    return bool(getattr(rule, "is_from_license", False) or getattr(rule, "is_license_text", False)
                or rule.length >= _FULL_TEXT_TOKENS)


def _kind(match: Any) -> str:
    if _is_full_text(match):
        return "full text"
    rule = match.rule
    return "notice" if rule.is_license_notice else "tag" if rule.is_license_tag else "reference"


def detect_text(body: str, line_offset: int = 0, *, is_card: bool = False) -> tuple[list[Finding], list[str]]:
    """License findings for a text, by ScanCode's matcher; line numbers shifted by `line_offset`."""
    if not body.strip():
        return [], []
    idx = _index()
    from licensedcode.cache import get_licensing

    with _MATCH_LOCK:
        matches = list(idx.match(query_string=body))
        matched: set[int] = set()
        for m in matches:
            matched.update(m.qspan)
        toks = _text_tokens(body, idx, matched)
    runs = _runs(toks)
    body_lines = body.splitlines()  # the same line breaks ScanCode counts
    licensing = get_licensing()
    notes: list[str] = []
    share = sum(t.matched for t in toks) / len(toks) if toks else 0.0
    # The text around a license counts as part of it when the input is essentially a license file; in a model card
    # the surrounding prose is the card's own text.
    count_outside = not is_card and share >= 0.6

    def is_compared(m: Any) -> bool:
        # word by word: license terms always; longer notices too when the input is a license file
        return _is_full_text(m) or (count_outside and m.rule.length >= _COMPARED_TOKENS)

    compared = sorted((m for m in matches if is_compared(m)), key=lambda m: m.qstart)

    by_key: dict[str, list[Any]] = {}
    expr_of: dict[int, str] = {}
    for m in matches:
        expr = m.rule.license_expression
        keys = [str(k) for k in licensing.license_keys(expr, unique=True)]
        for key in keys:
            if _is_vague(key):
                notes.append(
                    f"Text at {_lines(m, line_offset)} refers to a license without naming it "
                    f"({key}): '{_short(m.matched_text(whole_lines=False, highlight=False), 80)}'."
                )
                continue
            conflict = None if _is_full_text(m) else _version_conflict(m, idx, runs)
            if conflict:
                notes.append(
                    f"Text at {_lines(m, line_offset)} resembles a notice of {_license_label(key)} ({key}) but "
                    f"names version {conflict[0]} where it has {conflict[1]}; not counted as that license."
                )
                continue
            by_key.setdefault(key, []).append(m)
            expr_of[id(m)] = expr

    findings: list[Finding] = []
    for key, ms in by_key.items():
        ms.sort(key=lambda m: (not _is_full_text(m), -m.len()))
        primary = ms[0]
        is_full = _is_full_text(primary)
        evidence: list[str] = []
        for m in ms[:5]:
            kind = _kind(m)
            ev = (
                f"{_lines(m, line_offset)}: {kind} of {_license_label(key)}, "
                f"{m.coverage():.0f}% of it matched (rule {m.rule.identifier}, {m.matcher})"
            )
            if expr_of[id(m)] != key:
                ev += f"; expression: {expr_of[id(m)]}"
            evidence.append(ev)
        differences: list[str] = []
        for m in (x for x in ms if is_compared(x)):
            differences += _differences(
                m, idx, toks, runs, body_lines, line_offset, count_outside,
                is_first=m is compared[0], is_last=m is compared[-1],
            )
        differences = list(dict.fromkeys(differences))
        modified = bool(differences) or (is_full and primary.coverage() < 100)
        coverage = primary.coverage()
        if is_full:
            confidence = "high" if not modified and coverage >= 99 else "medium" if coverage >= 80 else "low"
        else:
            confidence = "medium" if primary.score() >= 90 else "low"
        if len(differences) > _MAX_DIFFERENCES:
            extra = len(differences) - _MAX_DIFFERENCES
            differences = differences[:_MAX_DIFFERENCES] + [f"… and {extra} more difference(s)"]
        findings.append(
            Finding(
                license_key=key,
                license_name=_license_label(key),
                source=SOURCE_FULL_TEXT,
                score=round(float(primary.score()), 1),
                confidence=confidence,
                evidence=evidence,
                modified=modified,
                differences=differences,
            )
        )
    findings.sort(key=lambda f: (_CONFIDENCE_RANK[f.confidence], -f.score))
    return findings, notes


# ---------------------------------------------------------------------------------------------------------------
# The entry point


_ID_RE = re.compile(r"^(?:https?://\S+|[A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*|[A-Za-z0-9][\w.+\-]*)$")


def identify(
    text: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    models: list[ModelRef] | None = None,
    hf_table: HFTable | None = None,
) -> Identification:
    """Name the license(s) of a LICENSE text, a model card or a model id.

    `models` and `hf_table` default to the project's catalog and corpus/hf_licenses.yaml.
    Raises IdentifyInputError (a ValueError) for input over `max_bytes` or input that is binary rather than text.
    """
    text, notes = _clean_input(text, max_bytes)
    table = hf_table or load_hf_licenses()
    findings: list[Finding] = []
    found_models: list[str] = []
    base_models: list[str] = []
    stripped = text.strip()
    if not stripped:
        return Identification(
            [], [], [], notes + ["The input is empty: paste a LICENSE text, a model card or a model id."]
        )

    # A single short line: a model id, a model name, or a Hugging Face license identifier.
    if "\n" not in stripped and len(stripped) <= 200:
        catalog = _catalog(models, notes)
        if _ID_RE.match(stripped) or len(stripped) <= 80:
            fs, ns, name = _model_findings(stripped, catalog, as_base=False)
            if name:
                found_models.append(name)
                return Identification(fs, found_models, base_models, notes + ns)
        ident = _norm_ident(stripped)
        entry = table.identifiers.get(ident) or table.license_names.get(ident)
        if entry is not None:
            fs, ns = _metadata_findings(
                {"license": stripped} if ident in table.identifiers else {"license": "other", "license_name": stripped},
                table,
            )
            for f in fs:  # a bare identifier, not a card: say so
                f.evidence = [
                    f"Hugging Face license identifier: {stripped}" if e.startswith(("license:", "license_name:")) else e
                    for e in f.evidence
                ]
            return Identification(fs, [], [], notes + ns)
        if "/" in stripped and " " not in stripped:
            where = "the model catalog" if catalog else "the model catalog (which is empty or missing)"
            notes.append(
                f"{stripped} looks like a model id but is not in {where}; paste its model "
                "card (README.md) or LICENSE file instead."
            )
            return Identification([], [], [], notes)

    meta, body, offset, fm_notes = split_front_matter(text)
    notes += fm_notes
    if meta is not None:
        fs, ns = _metadata_findings(meta, table)
        findings += fs
        notes += ns
        for key in ("model_name", "model_id"):
            found_models += _as_list(meta.get(key))
        base_models = _as_list(meta.get("base_model"))
        if base_models:
            catalog = _catalog(models, notes)
            relation = str(meta.get("base_model_relation") or "").strip()
            if relation:
                notes.append(f"base_model_relation: {relation}.")
            for base in base_models:
                fs, ns, _ = _model_findings(base, catalog, as_base=True)
                findings += fs
                notes += ns

    text_findings, text_notes = detect_text(body, offset, is_card=meta is not None)
    findings += text_findings
    notes += text_notes

    if meta is not None:
        declared = {f.license_key for f in findings if f.source in (SOURCE_FRONT_MATTER, SOURCE_LICENSE_NAME)}
        full = {f.license_key for f in text_findings if f.evidence and "full text" in f.evidence[0]}
        if declared and full and not declared & full:
            notes.append(
                "The card's metadata and the license text in it disagree: "
                f"metadata says {', '.join(sorted(declared))}, the text is {', '.join(sorted(full))}."
            )
    if not findings:
        if meta is None:
            notes.append(
                "No license was recognised in this text: it does not match any license or license notice "
                "in ScanCode's LicenseDB."
            )
        else:
            notes.append(
                "No license could be identified from this card: its metadata names none that the "
                "LicenseDB holds and its text matches none."
            )
    return Identification(findings, list(dict.fromkeys(found_models)), base_models, list(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------------------------------------------
# Summary


_SOURCE_WORDS = {
    SOURCE_FRONT_MATTER: "declared in the card's `license:` metadata",
    SOURCE_LICENSE_NAME: "named by the card's `license_name:`",
    SOURCE_MODEL_ID: "from the model catalog",
}


def _summary(result: Identification) -> str:
    if not result.findings:
        return " ".join(result.notes) if result.notes else "No license was recognised."
    parts: list[str] = []
    for key in result.license_keys:
        fs = [f for f in result.findings if f.license_key == key]
        how: list[str] = []
        for f in fs:
            if f.source == SOURCE_FULL_TEXT:
                is_text = bool(f.evidence) and "full text" in f.evidence[0]
                if f.modified:
                    first = f.differences[0] if f.differences else "it matches only in part"
                    how.append(
                        f"MODIFIED copy of its {'full text' if is_text else 'license notice'} (match score "
                        f"{f.score:.0f}%; {first}); a modified license is a different license, read the changes"
                    )
                else:
                    how.append(f"{'its full text' if is_text else 'a license notice'} matches ({f.score:.0f}%)")
            elif f.source == SOURCE_MODEL_ID and any(e.startswith("base_model:") for e in f.evidence):
                base = next(e for e in f.evidence if e.startswith("base_model:")).split(":", 1)[1].strip()
                how.append(f"license of the base model {base}")
            elif f.source == SOURCE_MODEL_ID:
                entry = next((e for e in f.evidence if e.startswith("catalog entry:")), "catalog entry: ?")
                how.append(f"the license the model catalog lists for {entry.split(':', 1)[1].strip()}")
            elif f.evidence and f.evidence[0].startswith("Hugging Face license identifier"):
                how.append(f"the {f.evidence[0][0].lower()}{f.evidence[0][1:]}")
            else:
                how.append(_SOURCE_WORDS.get(f.source, f.source))
        conf = min((f.confidence for f in fs), key=lambda c: _CONFIDENCE_RANK[c])
        parts.append(f"{fs[0].license_name} ({key}): {'; '.join(dict.fromkeys(how))} [{conf} confidence]")
    head = "License identified: " if len(parts) == 1 else "Licenses identified: "
    text = head + "; ".join(parts) + "."
    important = [n for n in result.notes if n.startswith(("Derived from", "The card's metadata and"))]
    return " ".join([text, *important])
