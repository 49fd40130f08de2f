"""The project's own knowledge catalog (corpus/): licenses to index, models, and openness definition cards.

The catalog is plain YAML reviewed like code. Loading it validates every entry (schema, LicenseDB keys, unique
keys/aliases/anchors, cross references) and raises CorpusError naming the file, the entry and the field, so a
bad data change fails loudly instead of giving wrong answers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from assistant import config
from assistant.licensedb import close_matches, license_keys
from assistant.terms import Term
from assistant.yamlio import SafeLoader, YAMLError, load_yaml

LicenseKind = Literal["model", "aup", "open-source", "open-data", "content", "other"]
ReleaseStatus = Literal["yes", "no", "partial", "unknown"]
ContentType = Literal["code", "data", "document"]

#: What a model release can include; the keys of ModelEntry.released and the targets of MOF `maps_to`.
RELEASE_FIELDS: tuple[str, ...] = (
    "weights",
    "inference_code",
    "training_code",
    "training_data",
    "data_documentation",
    "paper",
    "intermediate_checkpoints",
)

_HF_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_PARTIAL_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ANCHOR_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SEP_RE = re.compile(r"[\s\-_]+")


def normalize_alias(text: str) -> str:
    """Lowercase, with runs of spaces, '-' and '_' collapsed to one space: "Llama-3.1_8B" -> "llama 3.1 8b"."""
    return _SEP_RE.sub(" ", str(text).strip().lower()).strip()


class CorpusError(ValueError):
    """A corpus file that does not validate. The message names the file, the entry and the field."""

    def __init__(self, file: str, entry: str | None, field: str | None, problem: str):
        self.file = file
        self.entry = entry
        self.field = field
        self.problem = problem
        where = file
        if entry:
            where += f": {entry}"
        if field:
            where += f" field {field!r}"
        super().__init__(f"{where}: {problem}")


class _Strict(BaseModel):
    # extra="forbid" turns a misspelt field name in the YAML into an error instead of silently dropping it
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_partial_date(value: Any) -> Any:
    # YAML turns 2024-07-23 into a date; models may also give "2024-07" or "2023" when the day is not known
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return value


class LicenseEntry(_Strict):
    """One license of the default index set (corpus/licenses.yaml)."""

    key: str
    name: str = Field(min_length=1)
    family: str = Field(min_length=1)
    version: str | None = None
    released: dt.date | None = None
    kind: LicenseKind
    aliases: list[str] = Field(default_factory=list)
    url: str = Field(pattern=r"^https?://")
    aup: str | None = None
    notes: str = ""

    @field_validator("version", mode="before")
    @classmethod
    def _version_str(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v


class ModelVariant(_Strict):
    """Sizes of a model family whose license differs from the rest of the family (e.g. Qwen2.5-72B)."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    licenses: list[str]
    external_licenses: list[str] = Field(default_factory=list)
    base_models: list[str] = Field(default_factory=list)
    unverified: list[str] = Field(default_factory=list)
    notes: str = ""


class ModelEntry(_Strict):
    """One model (or model family) in corpus/models.yaml or corpus/models/*.yaml.

    A size or release of a family names the family in `family` (e.g. "Llama 3.1 8B" -> "Llama 3.1") and takes
    the family's developer, release date, release facts and url unless it gives its own.
    """

    name: str = Field(min_length=1)
    family: str | None = None
    developer: str = Field(min_length=1)
    release_date: str | None = None  # ISO date, possibly reduced precision: "2024-07-23", "2024-07", "2023"
    licenses: list[str]
    external_licenses: list[str] = Field(default_factory=list)  # ids of corpus/external/*.yaml records
    code_licenses: list[str] = Field(default_factory=list)  # those of `licenses` that cover only the code
    variants: list[ModelVariant] = Field(default_factory=list)
    base_models: list[str] = Field(default_factory=list)
    released: dict[str, ReleaseStatus]
    aliases: list[str] = Field(default_factory=list)
    url: str = Field(pattern=r"^https?://")
    source: str = Field(pattern=r"^https?://")  # where the license fact was read (the model card, as a rule)
    checked: dt.date  # when it was read there
    unverified: list[str] = Field(default_factory=list)
    notes: str = ""

    @property
    def verified(self) -> bool:
        """True when the license fact was checked against its source (not listed in `unverified`)."""
        return "licenses" not in self.unverified

    @field_validator("release_date", mode="before")
    @classmethod
    def _date_str(cls, v: Any) -> Any:
        return _as_partial_date(v)

    @field_validator("release_date")
    @classmethod
    def _date_format(cls, v: str | None) -> str | None:
        if v is not None and not _PARTIAL_DATE_RE.match(v):
            raise ValueError(f"{v!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return v

    @field_validator("released", mode="before")
    @classmethod
    def _yaml_booleans(cls, v: Any) -> Any:
        # YAML 1.1 reads unquoted yes/no as booleans; take them back as the words they were
        if isinstance(v, dict):
            return {k: ("yes" if x is True else "no" if x is False else x) for k, x in v.items()}
        return v

    @field_validator("released")
    @classmethod
    def _release_fields(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(RELEASE_FIELDS))
        if unknown:
            raise ValueError(f"unknown release field(s) {unknown}; expected {list(RELEASE_FIELDS)}")
        missing = [f for f in RELEASE_FIELDS if f not in v]
        if missing:
            raise ValueError(f"missing release field(s) {missing} (use 'unknown' when not known)")
        return v

    def licenses_for(self, variant: str | None = None) -> list[str]:
        """The license keys of one variant (by name), or of the whole model when no variant is given."""
        if variant:
            for v in self.variants:
                if v.name == variant:
                    return list(v.licenses)
        return list(self.licenses)


_EXTERNAL_ID_RE = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")


class ExternalLicense(_Strict):
    """A license the LicenseDB holds no text for (corpus/external/<id>.yaml): its facts and terms, paraphrased.

    The text itself is never stored; `url` is where it is published and `source` where it was read.
    """

    id: str = Field(pattern=_EXTERNAL_ID_RE.pattern)
    name: str = Field(min_length=1)
    version: str | None = None
    date: str | None = None  # the date the text carries, possibly "YYYY-MM"
    url: str = Field(pattern=r"^https?://")
    source: str = Field(pattern=r"^https?://")
    checked: dt.date
    kind: LicenseKind = "model"
    aup: str | None = None  # the acceptable-use policy it incorporates: an external id or a LicenseDB key
    aliases: list[str] = Field(default_factory=list)
    hf_ids: list[str] = Field(default_factory=list)  # Hugging Face `license_name:` values that name it
    summary: str = Field(min_length=1)
    terms: list[Term] = Field(default_factory=list)
    unverified: list[str] = Field(default_factory=list)
    notes: str = ""

    @field_validator("version", "date", mode="before")
    @classmethod
    def _strs(cls, v: Any) -> Any:
        return _as_partial_date(v) if not isinstance(v, float) else str(v)

    @property
    def doc_key(self) -> str:
        """The key an answer resting on this record cites (there is no LicenseDB text to quote)."""
        return f"ext:{self.id}"


class Criterion(_Strict):
    """One criterion of a definition card, citable by its stable anchor id."""

    id: str = Field(pattern=_ANCHOR_RE.pattern)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    unverified: bool = False
    group: str | None = None
    aliases: list[str] = Field(default_factory=list)  # other spellings of the anchor, e.g. "mof-class-iii"
    url: str | None = None  # when the criterion comes from a different source than the card
    # MOF components only: what the component is, its class, and which ModelEntry.released field shows it
    content_type: ContentType | None = None
    mof_class: Literal["I", "II", "III"] | None = None
    optional: bool = False
    maps_to: str | None = None

    @field_validator("maps_to")
    @classmethod
    def _maps_to(cls, v: str | None) -> str | None:
        if v is not None and v not in RELEASE_FIELDS:
            raise ValueError(f"{v!r} is not a release field; expected one of {list(RELEASE_FIELDS)}")
        return v


class DefinitionCard(_Strict):
    """The project's own summary of an openness definition (cited as a summary, never as the original)."""

    id: str = Field(pattern=_ANCHOR_RE.pattern)
    name: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    version: str | None = None
    date: str | None = None
    url: str = Field(pattern=r"^https?://")
    status: str = ""  # e.g. "draft community definition, not an OSI standard"
    summary: str = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    unverified: list[str] = Field(default_factory=list)
    notes: str = ""

    @field_validator("date", mode="before")
    @classmethod
    def _date_str(cls, v: Any) -> Any:
        return _as_partial_date(v)

    @field_validator("version", mode="before")
    @classmethod
    def _version_str(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v

    @property
    def doc_key(self) -> str:
        """The key a citation of this card carries (see assistant.answer.Citation)."""
        return f"def:{self.id}"


class Catalog(BaseModel):
    """Everything in corpus/, validated, with lookups by key, name, alias and anchor."""

    model_config = ConfigDict(frozen=True)

    corpus_dir: Path
    licenses: list[LicenseEntry]
    models: list[ModelEntry]
    definitions: dict[str, DefinitionCard]  # card id -> card, in file-name order
    external: dict[str, ExternalLicense] = Field(default_factory=dict)  # id -> record, in file-name order

    _members: dict[str, list[ModelEntry]] = PrivateAttr(default_factory=dict)
    _licenses: dict[str, LicenseEntry] = PrivateAttr(default_factory=dict)
    _aliases: dict[str, str] = PrivateAttr(default_factory=dict)
    _model_aliases: dict[str, tuple[str, str | None]] = PrivateAttr(default_factory=dict)
    _models: dict[str, ModelEntry] = PrivateAttr(default_factory=dict)
    _definitions: dict[str, DefinitionCard] = PrivateAttr(default_factory=dict)
    _anchors: dict[str, tuple[str, str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        self._licenses = {e.key: e for e in self.licenses}
        for e in self.licenses:
            for a in (e.key, e.name, *e.aliases):
                self._aliases.setdefault(normalize_alias(a), e.key)
        self._models = {m.name: m for m in self.models}
        for m in self.models:
            if m.family:
                self._members.setdefault(m.family, []).append(m)
        for m in self.models:
            for a in (m.name, *m.aliases):
                self._model_aliases.setdefault(normalize_alias(a), (m.name, None))
            for v in m.variants:
                for a in (v.name, *v.aliases):
                    self._model_aliases.setdefault(normalize_alias(a), (m.name, v.name))
        self._definitions = dict(self.definitions)
        for d in self.definitions.values():
            for c in d.criteria:
                for a in (c.id, *c.aliases):
                    self._anchors.setdefault(a.lower(), (d.id, c.id))

    # -- licenses
    def license(self, key: str) -> LicenseEntry | None:
        return self._licenses.get(key)

    def default_keys(self) -> list[str]:
        """LicenseDB keys to index by default, in file order."""
        return [e.key for e in self.licenses]

    def alias_index(self) -> dict[str, str]:
        """Normalised alias (also key and name) -> license key."""
        return dict(self._aliases)

    def resolve_license(self, text: str) -> LicenseEntry | None:
        """The license a key, name or alias names (normalised exact match; fuzzy matching is not done here)."""
        key = self._aliases.get(normalize_alias(text))
        return self._licenses.get(key) if key else None

    # -- models
    def model(self, name: str) -> ModelEntry | None:
        """A model by exact name or alias (including a variant's name or alias), case-insensitive."""
        hit = self._model_aliases.get(normalize_alias(name))
        return self._models[hit[0]] if hit else None

    def resolve_model(self, name: str) -> tuple[ModelEntry, ModelVariant | None] | None:
        """Like model(), but also says which variant the name picked (None: the model as a whole)."""
        hit = self._model_aliases.get(normalize_alias(name))
        if not hit:
            return None
        entry = self._models[hit[0]]
        variant = next((v for v in entry.variants if v.name == hit[1]), None)
        return entry, variant

    def model_licenses(self, name: str) -> list[str]:
        """License keys for a model name or alias: the variant's when the name picks one, else the model's."""
        found = self.resolve_model(name)
        if not found:
            return []
        entry, variant = found
        return list(variant.licenses) if variant else list(entry.licenses)

    def model_alias_index(self) -> dict[str, tuple[str, str | None]]:
        """Normalised alias (also names) -> (model name, variant name or None)."""
        return dict(self._model_aliases)

    def family_members(self, name: str) -> list[ModelEntry]:
        """The sizes and releases that name `name` as their family, in file order ([] for a single model)."""
        found = self.model(name)
        return list(self._members.get(found.name, [])) if found else []

    def all_models(self) -> list[tuple[ModelEntry, ModelVariant | None]]:
        """Every model the catalog knows: each entry, and each variant of an entry that has variants."""
        out: list[tuple[ModelEntry, ModelVariant | None]] = []
        for m in self.models:
            out += [(m, v) for v in m.variants] if m.variants else [(m, None)]
        return out

    # -- licenses the LicenseDB has no text for
    def external_license(self, id: str) -> ExternalLicense | None:
        """An external license record by id, or by a Hugging Face `license_name:` or alias (normalised)."""
        if id in self.external:
            return self.external[id]
        norm = normalize_alias(id)
        return next(
            (e for e in self.external.values() if norm in {normalize_alias(a) for a in (e.id, *e.hf_ids, *e.aliases)}),
            None,
        )

    def license_facts(self, model_name: str) -> list[dict[str, Any]]:
        """What an identity question ("what license is X under?") needs, per size or variant of the model named.

        The name is looked up as typed (aliases, HF ids), then through assistant.resolve (typos, quantized
        repackagings such as "TheBloke/Llama-2-13B-chat-GGUF", fine-tunes naming a base). One dict per size or
        variant: model, family, licenses (LicenseDB keys) and license_names, external_licenses (ids of corpus/external
        records) and external_names, base_models with their licenses, card (the source URL), url (where the terms
        are published), checked (ISO date), verified (False: the answer must hedge), unverified (fields), notes.
        [] when the name matches no catalog model.
        """
        found = self.resolve_model(model_name)
        if found is None:
            from assistant.resolve import resolve  # local: resolve imports this module

            hit = resolve(model_name, self)
            names = hit.models[:1]
            found = self.resolve_model(names[0]) if names else None
            if found is None:
                return []
        entry, variant = found
        if variant is not None:
            return [self._facts(entry, variant)]
        members = self._members.get(entry.name, [])
        if members:
            return [self._facts(m, None) for m in members]
        if entry.variants:
            return [self._facts(entry, v) for v in entry.variants]
        return [self._facts(entry, None)]

    def _facts(self, entry: ModelEntry, variant: ModelVariant | None) -> dict[str, Any]:
        keys = list(variant.licenses) if variant else list(entry.licenses)
        ext = (
            list(variant.external_licenses)
            if variant and variant.external_licenses
            else list(entry.external_licenses if not variant else [])
        )
        bases = list(variant.base_models) if variant and variant.base_models else list(entry.base_models)
        unverified = sorted(set(entry.unverified) | set(variant.unverified if variant else []))
        base_facts = []
        for ref in bases:
            b = self.resolve_model(ref)
            if b is None:
                base_facts.append({"model": ref, "licenses": [], "external_licenses": [], "in_catalog": False})
                continue
            be, bv = b
            base_facts.append(
                {
                    "model": bv.name if bv else be.name,
                    "licenses": list(bv.licenses if bv else be.licenses),
                    "external_licenses": list(bv.external_licenses if bv else be.external_licenses),
                    "in_catalog": True,
                }
            )
        return {
            "model": variant.name if variant else entry.name,
            "family": entry.name if variant else entry.family,
            "developer": entry.developer,
            "licenses": keys,
            "license_names": [self._licenses[k].name if k in self._licenses else k for k in keys],
            "external_licenses": ext,
            "external_names": [self.external[x].name if x in self.external else x for x in ext],
            "base_models": base_facts,
            "card": entry.source,
            "url": entry.url,
            "checked": entry.checked.isoformat(),
            "verified": "licenses" not in unverified,
            "unverified": unverified,
            "notes": (variant.notes if variant and variant.notes else entry.notes).strip(),
        }

    # -- definitions
    def definition(self, id: str) -> DefinitionCard | None:
        return self._definitions.get(id.lower())

    def criterion(self, anchor_id: str) -> tuple[DefinitionCard, Criterion] | None:
        """The card and criterion an anchor id (or one of its aliases) names, case-insensitive."""
        hit = self._anchors.get(anchor_id.strip().lower())
        if not hit:
            return None
        card = self._definitions[hit[0]]
        return card, next(c for c in card.criteria if c.id == hit[1])


# ---------------------------------------------------------------------------------------------- loading


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(config.REPO_ROOT))
    except ValueError:
        return str(path)


class _Loader(SafeLoader):
    """Safe loader that leaves dates as strings, so pydantic checks them and a bad date names its entry."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise CorpusError(_display(path), None, None, "file not found")
    try:
        return load_yaml(path.read_text(encoding="utf-8"), _Loader)
    except YAMLError as exc:
        raise CorpusError(_display(path), None, None, f"not valid YAML: {exc}") from exc


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _validate(cls: type[BaseModel], raw: Any, file: str, entry: str) -> Any:
    if not isinstance(raw, dict):
        raise CorpusError(file, entry, None, f"expected a mapping, got {type(raw).__name__}")
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        problem = err["msg"]
        if err["type"] == "extra_forbidden":
            problem = "unknown field (misspelt?)"
        elif "input" in err and err["type"] not in ("missing",):
            problem = f"{err['input']!r}: {problem}"
        raise CorpusError(file, entry, _loc(err["loc"]), problem) from None


def _entries(data: Any, top: str, file: str) -> list[Any]:
    if not isinstance(data, dict) or not isinstance(data.get(top), list):
        raise CorpusError(file, None, top, f"the file must hold a top-level list '{top}:'")
    return data[top]


def _label(kind: str, raw: Any, field: str, i: int) -> str:
    value = raw.get(field) if isinstance(raw, dict) else None
    return f"{kind} {value!r}" if value else f"{kind} #{i + 1}"


def _suggest(key: str, preferred: Iterable[str] = ()) -> list[str]:
    """Likely meant keys: catalog keys the typo starts or nearly matches first, then any LicenseDB key."""
    preferred = list(preferred)
    found = [k for k in preferred if key and k.startswith(key)]
    found += [k for k in difflib.get_close_matches(key, preferred, n=3, cutoff=0.6) if k not in found]
    found += [k for k in license_keys() if key and k.startswith(key) and k not in found]
    found += [k for k in close_matches(key) if k not in found]
    return found[:3]


def _check_key(key: str, file: str, entry: str, field: str, preferred: Iterable[str] = ()) -> None:
    if key not in license_keys():
        hint = _suggest(key, preferred)
        did = f" (did you mean {', '.join(hint)}?)" if hint else ""
        raise CorpusError(file, entry, field, f"{key!r} is not a LicenseDB key{did}")


def _load_licenses(path: Path) -> list[LicenseEntry]:
    file = _display(path)
    out: list[LicenseEntry] = []
    seen_alias: dict[str, str] = {}
    for i, raw in enumerate(_entries(_read_yaml(path), "licenses", file)):
        label = _label("license", raw, "key", i)
        e = _validate(LicenseEntry, raw, file, label)
        _check_key(e.key, file, label, "key")
        if e.aup is not None:
            _check_key(e.aup, file, label, "aup")
        if any(x.key == e.key for x in out):
            raise CorpusError(file, label, "key", f"{e.key!r} is listed twice")
        for j, alias in enumerate((e.key, e.name, *e.aliases)):
            norm = normalize_alias(alias)
            field = "key" if j == 0 else "name" if j == 1 else f"aliases.{j - 2}"
            if not norm:
                raise CorpusError(file, label, field, "empty alias")
            other = seen_alias.get(norm)
            if other is not None and other != e.key:
                raise CorpusError(file, label, field, f"alias {alias!r} is already used by license {other!r}")
            seen_alias[norm] = e.key
        out.append(e)
    keys = {e.key for e in out}
    for e in out:
        if e.aup is not None and e.aup not in keys:
            raise CorpusError(file, f"license {e.key!r}", "aup", f"{e.aup!r} is not in this file")
    return out


def _check_unverified(fields: list[str], allowed: set[str], file: str, label: str, prefix: str = "") -> None:
    for i, name in enumerate(fields):
        if name not in allowed:
            raise CorpusError(file, label, f"{prefix}unverified.{i}", f"{name!r} is not a field of this entry")


#: What a size or release takes from its family entry when it does not say it itself.
_INHERITED = ("developer", "release_date", "released", "url", "code_licenses")


def _model_files(corpus_dir: Path) -> list[Path]:
    """corpus/models.yaml, then corpus/models/*.yaml (one file per family or developer) in name order."""
    folder = corpus_dir / "models"
    return [corpus_dir / "models.yaml", *(sorted(folder.glob("*.yaml")) if folder.is_dir() else [])]


def _load_models(paths: Path | list[Path], license_set: set[str], external_ids: Iterable[str] = ()) -> list[ModelEntry]:
    paths = [paths] if isinstance(paths, Path) else list(paths)
    external_ids = set(external_ids)
    raws: list[tuple[str, int, Any]] = []
    for path in paths:
        file = _display(path)
        raws += [(file, i, raw) for i, raw in enumerate(_entries(_read_yaml(path), "models", file))]
    by_name = {raw["name"]: raw for _f, _i, raw in raws if isinstance(raw, dict) and isinstance(raw.get("name"), str)}

    out: list[ModelEntry] = []
    where: dict[str, tuple[str, str]] = {}  # model name -> (file, label)
    seen: dict[str, str] = {}
    allowed = set(ModelEntry.model_fields) | {f"released.{f}" for f in RELEASE_FIELDS}
    variant_allowed = set(ModelVariant.model_fields)

    def check_licenses(keys: list[str], file: str, label: str, prefix: str) -> None:
        for j, key in enumerate(keys):
            _check_key(key, file, label, f"{prefix}licenses.{j}", sorted(license_set))
            if key not in license_set:
                raise CorpusError(
                    file, label, f"{prefix}licenses.{j}", f"{key!r} is not in corpus/licenses.yaml (add it there)"
                )

    def check_external(ids: list[str], file: str, label: str, prefix: str) -> None:
        for j, x in enumerate(ids):
            if x not in external_ids:
                hint = difflib.get_close_matches(x, sorted(external_ids), n=2, cutoff=0.5)
                did = f" (did you mean {', '.join(hint)}?)" if hint else ""
                raise CorpusError(
                    file, label, f"{prefix}external_licenses.{j}", f"{x!r} is not a corpus/external record{did}"
                )

    def claim(alias: str, owner: str, file: str, label: str, field: str) -> None:
        norm = normalize_alias(alias)
        if not norm:
            raise CorpusError(file, label, field, "empty alias")
        other = seen.get(norm)
        if other is not None and other != owner:
            raise CorpusError(file, label, field, f"alias {alias!r} is already used by {other}")
        seen[norm] = owner

    for file, i, raw in raws:
        label = _label("model", raw, "name", i)
        if isinstance(raw, dict) and isinstance(raw.get("family"), str):
            fam = by_name.get(raw["family"])
            if fam is None:
                raise CorpusError(file, label, "family", f"{raw['family']!r} is not a model of the catalog")
            if fam.get("family"):
                raise CorpusError(file, label, "family", f"{raw['family']!r} is itself a member of a family")
            raw = {**{k: fam[k] for k in _INHERITED if k in fam and k not in raw}, **raw}
        m = _validate(ModelEntry, raw, file, label)
        if m.name in where:
            raise CorpusError(file, label, "name", f"{m.name!r} is listed twice (also in {where[m.name][0]})")
        check_licenses(m.licenses, file, label, "")
        check_external(m.external_licenses, file, label, "")
        if set(m.code_licenses) - set(m.licenses):
            raise CorpusError(file, label, "code_licenses", "a code license must be one of the model's licenses")
        if not m.licenses and not m.notes.strip() and not m.external_licenses and not m.base_models:
            raise CorpusError(file, label, "notes", "a model without LicenseDB licenses needs a note saying why")
        _check_unverified(m.unverified, allowed, file, label)
        owner = f"model {m.name!r}"
        claim(m.name, owner, file, label, "name")
        for j, a in enumerate(m.aliases):
            claim(a, owner, file, label, f"aliases.{j}")
        for k, v in enumerate(m.variants):
            prefix = f"variants.{k}."
            check_licenses(v.licenses, file, label, prefix)
            check_external(v.external_licenses, file, label, prefix)
            extra = [key for key in v.licenses if key not in m.licenses]
            if extra:
                raise CorpusError(file, label, f"{prefix}licenses", f"{extra} missing from the model's own licenses")
            if not v.licenses and not (v.notes.strip() or m.notes.strip()):
                raise CorpusError(file, label, f"{prefix}notes", "a variant without licenses needs a note")
            _check_unverified(v.unverified, variant_allowed, file, label, prefix)
            claim(v.name, f"{owner} variant {v.name!r}", file, label, f"{prefix}name")
            for j, a in enumerate(v.aliases):
                claim(a, f"{owner} variant {v.name!r}", file, label, f"{prefix}aliases.{j}")
        where[m.name] = (file, label)
        out.append(m)

    names = {m.name: m for m in out}
    for m in out:
        file, label = where[m.name]
        if m.family:
            fam = names[m.family]
            extra = [k for k in m.licenses if k not in fam.licenses]
            extra += [x for x in m.external_licenses if x not in fam.external_licenses]
            if extra:
                raise CorpusError(file, label, "licenses", f"{extra} missing from the family {fam.name!r}'s licenses")
        # base models must name a catalog model (any alias) or look like a Hugging Face id "owner/name"
        refs = [(f"base_models.{j}", b) for j, b in enumerate(m.base_models)]
        for k, v in enumerate(m.variants):
            refs += [(f"variants.{k}.base_models.{j}", b) for j, b in enumerate(v.base_models)]
        for field, ref in refs:
            if normalize_alias(ref) not in seen and not _HF_ID_RE.match(ref):
                raise CorpusError(file, label, field, f"{ref!r} is neither a catalog model nor an HF id owner/name")
    return out


def _load_external(folder: Path, license_set: set[str]) -> list[ExternalLicense]:
    """corpus/external/<id>.yaml: one license without a LicenseDB text per file (none when the folder is absent)."""
    if not folder.is_dir():
        return []
    out: list[ExternalLicense] = []
    for path in sorted(folder.glob("*.yaml")):
        file = _display(path)
        raw = _read_yaml(path)
        label = _label("external license", raw if isinstance(raw, dict) else {}, "id", 0)
        if isinstance(raw, dict) and isinstance(raw.get("terms"), list):
            for k, t in enumerate(raw["terms"]):
                if isinstance(t, dict):
                    try:
                        Term.model_validate(t)
                    except ValidationError as exc:
                        err = exc.errors()[0]
                        sub = _loc(err["loc"])
                        problem = "unknown field (misspelt?)" if err["type"] == "extra_forbidden" else err["msg"]
                        raise CorpusError(file, label, f"terms.{k}" + (f".{sub}" if sub else ""), problem) from None
        e = _validate(ExternalLicense, raw, file, label)
        if e.id != path.stem:
            raise CorpusError(file, label, "id", f"{e.id!r} must equal the file name {path.stem!r}")
        if e.id in license_keys():
            raise CorpusError(file, label, "id", f"{e.id!r} is a LicenseDB key: use the key, not an external record")
        _check_unverified(e.unverified, set(ExternalLicense.model_fields), file, label)
        out.append(e)
    ids = {e.id for e in out}
    for e in out:
        file = _display(folder / f"{e.id}.yaml")
        refs = [("aup", e.aup)] + [(f"terms.{k}.doc", t.doc) for k, t in enumerate(e.terms)]
        for field, ref in refs:
            if ref is not None and ref not in ids and ref not in license_set and ref not in license_keys():
                raise CorpusError(
                    file, f"external license {e.id!r}", field, f"{ref!r} is neither an external id nor a key"
                )
    return out


def _load_definitions(folder: Path) -> list[DefinitionCard]:
    if not folder.is_dir():
        raise CorpusError(_display(folder), None, None, "definitions folder not found")
    out: list[DefinitionCard] = []
    anchors: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        file = _display(path)
        raw = _read_yaml(path)
        label = _label("definition", raw if isinstance(raw, dict) else {}, "id", 0)
        card = _validate(DefinitionCard, raw, file, label)
        if card.id != path.stem:
            raise CorpusError(file, label, "id", f"{card.id!r} must equal the file name {path.stem!r}")
        if card.id in {c.id for c in out}:
            raise CorpusError(file, label, "id", f"{card.id!r} is used by another card")
        _check_unverified(card.unverified, set(DefinitionCard.model_fields), file, label)
        for k, c in enumerate(card.criteria):
            for j, a in enumerate((c.id, *c.aliases)):
                field = f"criteria.{k}.id" if j == 0 else f"criteria.{k}.aliases.{j - 1}"
                norm = a.lower()
                if norm in anchors:
                    raise CorpusError(file, label, field, f"anchor {a!r} is already used by {anchors[norm]}")
                anchors[norm] = f"{card.id}/{c.id}"
        out.append(card)
    return out


@lru_cache(maxsize=8)
def _load(corpus_dir: Path) -> Catalog:
    licenses = _load_licenses(corpus_dir / "licenses.yaml")
    keys = {e.key for e in licenses}
    external = _load_external(corpus_dir / "external", keys)
    models = _load_models(_model_files(corpus_dir), keys, {e.id for e in external})
    definitions = _load_definitions(corpus_dir / "definitions")
    return Catalog(
        corpus_dir=corpus_dir,
        licenses=licenses,
        models=models,
        definitions={d.id: d for d in definitions},
        external={e.id: e for e in external},
    )


def load_catalog(corpus_dir: Path | None = None) -> Catalog:
    """Load and validate corpus/ (default: assistant.config.CORPUS_DIR). Cached per directory.

    Raises CorpusError (a ValueError) naming the file, entry and field of the first problem found.
    """
    return _load(Path(corpus_dir or config.CORPUS_DIR).resolve())
