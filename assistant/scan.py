"""Find every model a project or machine holds: Hugging Face ids in code and config, Ollama models, the local
Hugging Face cache and model folders on disk; then name each one's license(s) and base-model chain.

Finding is plain file reading (Python's `ast` for .py files, line regexes elsewhere) and needs no index; judging
a found model for a use profile is `assistant.policy`'s job.
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 1_000_000
#: Folders never entered: version control, dependencies, virtual environments, caches.
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "env", ".env", "__pycache__", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".ipynb_checkpoints", ".cache", ".idea",
    }
)  # fmt: skip

KIND_CODE = "python"
KIND_CONFIG = "config"
KIND_OLLAMA = "ollama"
KIND_HF_CACHE = "hf_cache"
KIND_FOLDER = "model_folder"

CONFIG_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".toml", ".env", ".cfg", ".ini", ".conf"})
OLLAMA_TEXT_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".md", ".txt", ".yaml", ".yml", ".ps1", ".mk", ".rst"})
OLLAMA_TEXT_NAMES = frozenset({"dockerfile", "makefile", "justfile", "containerfile", "procfile"})
WEIGHT_SUFFIXES = (".safetensors", ".gguf", ".bin", ".pt", ".pth", ".onnx", ".ckpt", ".h5", ".msgpack")

#: Callables whose first argument (or the named keyword) is a model id.
_ID_CALLS = {
    "from_pretrained": ("pretrained_model_name_or_path", "model_id", "repo_id"),
    "SentenceTransformer": ("model_name_or_path",),
    "CrossEncoder": ("model_name_or_path", "model_name"),
    "hf_hub_download": ("repo_id",),
    "snapshot_download": ("repo_id",),
    "InferenceClient": ("model",),
    "HuggingFaceEmbeddings": ("model_name",),
    "HuggingFacePipeline": ("model_id",),
}
_TRIGGERS = tuple(_ID_CALLS) + ("pipeline", "ollama")
_OLLAMA_CALLS = ("pull", "chat", "generate", "embed", "embeddings", "show")
_CALL_NAMES = frozenset(_ID_CALLS) | {"pipeline"} | frozenset(_OLLAMA_CALLS)
_TRIGGER_RE = re.compile("|".join(re.escape(t) for t in _TRIGGERS))

# a Hugging Face repo id: "org/name" (no path-like prefixes, no file extension)
_HF_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
_FILEISH = re.compile(r"\.(?:json|ya?ml|toml|txt|py|bin|pt|pth|safetensors|gguf|onnx|ckpt|csv|md|png|jpg)$", re.I)
_OLLAMA_NAME = re.compile(r"^(?:[\w.-]+/)?[a-z0-9][\w.-]*(?::[\w.-]+)?$", re.I)
_CONFIG_LINE = re.compile(r"""^\s*(?:-\s*)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*["']?([^"'\s,#}\]]+)""")
_CONFIG_KEY = re.compile(r"model|repo_id|checkpoint|base_model|_name_or_path|embedder|tokenizer", re.I)
_OLLAMA_CMD = re.compile(r"\bollama\s+(?:pull|run)\s+([\w./:@-]+)")
_MODELFILE_FROM = re.compile(r"^\s*FROM\s+(\S+)", re.I)
_PY_CALL_RE = re.compile(
    r"""(?:from_pretrained|SentenceTransformer|CrossEncoder|hf_hub_download|snapshot_download)\(\s*"""
    r"""(?:\w+\s*=\s*)?["']([^"']+)["']|pipeline\([^)]*?model\s*=\s*["']([^"']+)["']"""
)
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Location:
    file: str
    line: int


@dataclass
class Reference:
    """One place a model is named: the id as written, what kind of place, where."""

    ref: str
    kind: str  # python | config | ollama | hf_cache | model_folder
    file: str
    line: int
    detail: str = ""  # e.g. "from_pretrained", "FROM", "config.json _name_or_path"


@dataclass
class FoundModel:
    """A model with every place it was found and what its license is."""

    model: str  # the id as found (Hugging Face id, Ollama name, or a folder path)
    kind: str
    found_in: list[Location] = field(default_factory=list)
    licenses: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)  # catalog model names it resolved to
    chains: list[str] = field(default_factory=list)  # how each license was reached (base-model chain)
    notes: list[str] = field(default_factory=list)
    origin: str | None = None  # a folder's `_name_or_path`, a cache repo's revision
    revision: str | None = None
    _card: str | None = None  # the model card text, when one was read
    _license_texts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("_card", None)
        d.pop("_license_texts", None)
        return d


# --------------------------------------------------------------------------------------------------- walking


def _is_venv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg"))


def iter_files(root: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """(folder, entry) for every regular file under root, outside skipped folders, at most MAX_FILE_BYTES.

    In name order, a folder's files before its subfolders: the report lists models in the same order on every
    machine (os.scandir's order is the file system's)."""
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False):
                    if e.name not in SKIP_DIRS and not _is_venv(e.path):
                        subfolders.append(e.path)
                elif e.is_file(follow_symlinks=False) and e.stat().st_size <= MAX_FILE_BYTES:
                    yield folder, e
            except OSError:
                continue
        stack += reversed(subfolders)  # popped first to last


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if b"\x00" in data[:4096]:
        return None  # binary
    return data.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------------------------------- python


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _owner(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return ""


def _str_value(node: ast.expr | None, consts: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return consts.get(node.id)
    return None


def _is_str(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _scan_tree(tree: ast.Module) -> tuple[dict[str, str], list[ast.Call]]:
    """One walk over the tree: `NAME = "literal"` assignments (so `from_pretrained(MODEL_ID)` is read exactly)
    and the calls worth looking at."""
    consts: dict[str, str] = {}
    calls: list[ast.Call] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if _call_name(node.func) in _CALL_NAMES:
                calls.append(node)
        elif isinstance(node, ast.Assign):
            if _is_str(node.value):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        consts.setdefault(t.id, node.value.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and _is_str(node.value):
            consts.setdefault(node.target.id, node.value.value)
    return consts, calls


def _keyword(call: ast.Call, names: Iterable[str]) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg in names:
            return kw.value
    return None


def python_refs(text: str, file: str) -> list[Reference]:
    """Model ids passed to the loaders of transformers, diffusers, sentence-transformers, huggingface_hub,
    LangChain and the ollama client, read from the syntax tree (regexes only when the file does not parse)."""
    if not _TRIGGER_RE.search(text):
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return _regex_python(text, file)
    consts, calls = _scan_tree(tree)
    out: list[Reference] = []
    for node in calls:
        name = _call_name(node.func)
        value: str | None = None
        kind = KIND_CODE
        if name in _ID_CALLS:
            arg = node.args[0] if node.args else _keyword(node, _ID_CALLS[name])
            value = _str_value(arg, consts)
        elif name == "pipeline":
            arg = _keyword(node, ("model",))
            if arg is None and len(node.args) >= 2:
                arg = node.args[1]
            value = _str_value(arg, consts)
        elif _owner(node.func) == "ollama" and name in _OLLAMA_CALLS:
            arg = _keyword(node, ("model",)) or (node.args[0] if node.args else None)
            value = _str_value(arg, consts)
            kind = KIND_OLLAMA
        if not value:
            continue
        if kind == KIND_CODE and not _HF_ID.match(value):
            continue  # a local path or a computed name: model folders are found on their own
        out.append(Reference(value, kind, file, node.lineno, name))
    return out


def _regex_python(text: str, file: str) -> list[Reference]:
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        for m in _PY_CALL_RE.finditer(line):
            value = m.group(1) or m.group(2)
            if value and _HF_ID.match(value):
                out.append(Reference(value, KIND_CODE, file, i, "call"))
    return out


# --------------------------------------------------------------------------------------------------- text files


def _looks_like_hf_id(value: str, folder: str) -> bool:
    if not _HF_ID.match(value) or _FILEISH.search(value) or value.startswith((".", "/")):
        return False
    return not os.path.exists(os.path.join(folder, value))  # a relative path to something on disk is no id


def config_refs(text: str, file: str, folder: str) -> list[Reference]:
    """`model: org/name`-style settings in YAML, JSON, TOML, INI and .env files (one per line)."""
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        m = _CONFIG_LINE.match(line)
        if not m or not _CONFIG_KEY.search(m.group(1)):
            continue
        key, value = m.group(1), m.group(2)
        if _looks_like_hf_id(value, folder):
            out.append(Reference(value, KIND_CONFIG, file, i, key))
        elif "ollama" in key.lower() and _OLLAMA_NAME.match(value):
            out.append(Reference(value, KIND_OLLAMA, file, i, key))
    return out


def ollama_refs(text: str, file: str, markdown: bool = False) -> list[Reference]:
    """`ollama pull NAME` / `ollama run NAME` lines; in Markdown, only inside fenced code blocks."""
    out = []
    fenced = False
    for i, line in enumerate(text.splitlines(), 1):
        if markdown and _FENCE.match(line):
            fenced = not fenced
            continue
        if markdown and not fenced:
            continue
        for m in _OLLAMA_CMD.finditer(line):
            out.append(Reference(m.group(1), KIND_OLLAMA, file, i, m.group(0).rsplit(" ", 1)[0]))
        if markdown:
            for m in _PY_CALL_RE.finditer(line):
                value = m.group(1) or m.group(2)
                if value and _HF_ID.match(value):
                    out.append(Reference(value, KIND_CODE, file, i, "code block"))
    return out


def modelfile_refs(text: str, file: str) -> list[Reference]:
    """An Ollama Modelfile's `FROM` line: a library model, an `hf.co/org/repo` model or a local weights file."""
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        m = _MODELFILE_FROM.match(line)
        if m:
            value = m.group(1)
            hf = re.match(r"^(?:https?://)?(?:hf\.co|huggingface\.co)/([^/\s:]+/[^/\s:]+)", value)
            if hf:
                out.append(Reference(hf.group(1), KIND_OLLAMA, file, i, "FROM (Hugging Face)"))
            else:
                out.append(Reference(value, KIND_OLLAMA, file, i, "FROM"))
    return out


def _is_modelfile(name: str) -> bool:
    low = name.lower()
    return low == "modelfile" or low.startswith("modelfile.") or low.endswith(".modelfile")


# --------------------------------------------------------------------------------------------------- folders


def _card_metadata(path: Path) -> dict | None:
    """A model card's front matter, read by huggingface_hub."""
    from huggingface_hub import metadata_load

    try:
        return metadata_load(path)
    except Exception:  # a malformed front matter is no model card
        return None


def _is_model_folder(folder: str, names: set[str]) -> bool:
    if any(n.endswith(WEIGHT_SUFFIXES) for n in names):
        return True
    if "config.json" in names:
        try:
            with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
                cfg = json.load(f)
        except (OSError, ValueError):
            return False
        return isinstance(cfg, dict) and any(k in cfg for k in ("_name_or_path", "architectures", "model_type"))
    if "README.md" in names:
        meta = _card_metadata(Path(folder) / "README.md")
        return bool(meta) and any(k in meta for k in ("base_model", "pipeline_tag", "library_name", "model-index"))
    return False


def folder_model(folder: str, names: set[str], root: Path) -> FoundModel:
    """A model folder on disk: its card (front matter), LICENSE file and config.json's `_name_or_path`."""
    rel = os.path.relpath(folder, root)
    fm = FoundModel(model=rel if rel != "." else Path(folder).name, kind=KIND_FOLDER)
    where = rel
    if "README.md" in names:
        text = _read(os.path.join(folder, "README.md"))
        if text and _card_metadata(Path(folder) / "README.md") is not None:
            fm._card = text
            where = os.path.join(rel, "README.md")
    for n in sorted(names):
        if n.upper().split(".")[0] in ("LICENSE", "LICENCE", "COPYING"):
            t = _read(os.path.join(folder, n))
            if t:
                fm._license_texts.append(t)
                where = where if fm._card else os.path.join(rel, n)
    if "config.json" in names:
        try:
            with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
                cfg = json.load(f)
            origin = cfg.get("_name_or_path") if isinstance(cfg, dict) else None
            if isinstance(origin, str) and _HF_ID.match(origin):
                fm.origin = origin
        except (OSError, ValueError):
            pass
    fm.found_in.append(Location(os.path.normpath(where), 1))
    return fm


# --------------------------------------------------------------------------------------------------- HF cache


def default_hf_cache() -> Path:
    from huggingface_hub.constants import HF_HUB_CACHE

    return Path(HF_HUB_CACHE)


def hf_cache_models(cache_dir: Path) -> list[FoundModel]:
    """Models in a Hugging Face cache folder, read with huggingface_hub.scan_cache_dir."""
    from huggingface_hub import scan_cache_dir

    if not Path(cache_dir).is_dir():
        return []
    info = scan_cache_dir(cache_dir)
    out = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model":
            continue
        revs = sorted(repo.revisions, key=lambda r: r.last_modified, reverse=True)
        fm = FoundModel(model=repo.repo_id, kind=KIND_HF_CACHE)
        fm.found_in.append(Location(str(repo.repo_path), 0))
        if revs:
            fm.revision = revs[0].commit_hash
            card = revs[0].snapshot_path / "README.md"
            if card.is_file() and _card_metadata(card) is not None:
                fm._card = _read(str(card))
        out.append(fm)
    return out


# --------------------------------------------------------------------------------------------------- finding


def find_references(root: Path) -> tuple[list[Reference], list[FoundModel]]:
    """Every model reference in files under root, and every model folder."""
    root = Path(root)
    refs: list[Reference] = []
    folders: list[FoundModel] = []
    by_folder: dict[str, set[str]] = {}
    prefix = str(root).rstrip(os.sep) + os.sep
    for folder, entry in iter_files(root):
        name = entry.name
        by_folder.setdefault(folder, set()).add(name)
        low = name.lower()
        suffix = os.path.splitext(low)[1]
        is_py = suffix == ".py"
        is_mf = _is_modelfile(name)
        is_cfg = suffix in CONFIG_SUFFIXES or low.startswith(".env")
        is_text = suffix in OLLAMA_TEXT_SUFFIXES or low in OLLAMA_TEXT_NAMES or low.startswith("dockerfile")
        if not (is_py or is_mf or is_cfg or is_text):
            continue
        text = _read(entry.path)
        if not text:
            continue
        rel = entry.path[len(prefix):] if entry.path.startswith(prefix) else os.path.relpath(entry.path, root)
        found: list[Reference] = []
        if is_py:
            found += python_refs(text, rel)
        elif is_mf:
            found += modelfile_refs(text, rel)
        else:
            if is_cfg and name != "config.json":
                found += config_refs(text, rel, folder)
            if is_text and "ollama" in text:
                found += ollama_refs(text, rel, markdown=suffix in (".md", ".rst"))
        refs += sorted(found, key=lambda r: r.line)  # in the order they appear in the file
    for folder, names in sorted(by_folder.items()):
        if _is_model_folder(folder, names):
            folders.append(folder_model(folder, names, root))
    return refs, folders


def group(refs: Iterable[Reference]) -> list[FoundModel]:
    """One FoundModel per distinct model id (case-insensitive), with every place it was found."""
    models: dict[tuple[str, str], FoundModel] = {}
    for r in refs:
        kind = KIND_OLLAMA if r.kind == KIND_OLLAMA else "huggingface"
        key = (kind, r.ref.lower())
        fm = models.setdefault(key, FoundModel(model=r.ref, kind=kind))
        loc = Location(r.file, r.line)
        if loc not in fm.found_in:
            fm.found_in.append(loc)
    return list(models.values())


# --------------------------------------------------------------------------------------------------- licenses

#: Ollama library names whose spelling the catalog's aliases do not cover (tags are dropped before lookup).
OLLAMA_NAMES = {
    "mistral": "Mistral 7B",
    "mixtral": "Mixtral 8x7B",
    "gemma": "Gemma",
    "gemma2": "Gemma 2",
    "gemma3": "Gemma 3",
    "codellama": "Code Llama",
    "llama2": "Llama 2",
    "llama3": "Llama 3",
    "phi3": "Phi-3",
    "phi4": "Phi-4",
    "qwen2.5": "Qwen2.5",
    "falcon": "Falcon",
    "deepseek-r1": "DeepSeek-R1",
    "nomic-embed-text": "nomic-embed-text",
}


def _ollama_query(name: str) -> str:
    base, _, tag = name.partition(":")
    base = base.rsplit("/", 1)[-1]
    size = tag.split("-")[0] if re.match(r"^\d+(?:\.\d+)?[bm]\b", tag or "", re.I) else ""
    head = OLLAMA_NAMES.get(base.lower(), base)
    return f"{head} {size}".strip()


def _resolve_id(query: str, fm: FoundModel) -> None:
    from assistant.identify import identify
    from assistant.resolve import resolve

    r = resolve(query)
    if r.licenses:
        fm.licenses += [k for k in r.licenses if k not in fm.licenses]
        fm.resolved += [m for m in r.models if m not in fm.resolved]
        fm.chains += [c for c in r.chains if c not in fm.chains]
        fm.notes += [n for n in r.notes if n not in fm.notes]
        return
    try:
        ident = identify(query)
    except ValueError:
        return
    for k in ident.license_keys:
        if k not in fm.licenses:
            fm.licenses.append(k)
            fm.chains.append(f"{query} -> {k} (model catalog)")
    fm.resolved += [m for m in ident.models if m not in fm.resolved]
    if r.models and not fm.licenses:  # known model, no LicenseDB text for its license
        fm.resolved += [m for m in r.models if m not in fm.resolved]
        fm.notes += [n for n in r.notes if n not in fm.notes]


_REPACKAGE = re.compile(r"(?i)[-_.](gguf|ggml|gptq|awq|exl2|mlx|4bit|8bit|int4|int8|fp8|bnb|onnx)\b")


def resolve_model(fm: FoundModel) -> FoundModel:
    """Fill in a found model's licenses and chain: its card and LICENSE file first, then its id or origin."""
    from assistant.identify import identify

    if fm._card:
        try:
            ident = identify(fm._card)
        except ValueError as exc:
            fm.notes.append(f"model card not read: {exc}")
        else:
            for f in ident.findings:
                if f.license_key not in fm.licenses:
                    fm.licenses.append(f.license_key)
                chain = f"model card {'; '.join(f.evidence[:2])} -> {f.license_key}"
                if chain not in fm.chains:
                    fm.chains.append(chain)
            fm.resolved += [m for m in ident.models if m not in fm.resolved]
            fm.notes += [n for n in ident.notes if n.startswith(("Derived from", "The base model", "The card's"))]
    for text in fm._license_texts:
        try:
            ident = identify(text)
        except ValueError:
            continue
        for k in ident.license_keys:
            if k not in fm.licenses:
                fm.licenses.append(k)
                fm.chains.append(f"LICENSE file -> {k}")
    if not fm.licenses:
        if fm.kind == KIND_OLLAMA:
            name = fm.model
            if name.endswith(WEIGHT_SUFFIXES) or "/" in name and not _HF_ID.match(name):
                name = Path(name).name
            _resolve_id(_ollama_query(name) if ":" in name or name.lower() in OLLAMA_NAMES else name, fm)
        elif fm.kind == KIND_FOLDER:
            if fm.origin:
                _resolve_id(fm.origin, fm)
        else:
            _resolve_id(fm.model, fm)
    m = _REPACKAGE.search(fm.model)
    if m and fm.licenses:
        fm.notes.append(
            f"{fm.model} is a {m.group(1).upper()} repackaging: the weights stay under the original model's "
            f"license ({', '.join(fm.licenses)})."
        )
    if not fm.licenses:
        fm.notes.append("No license could be established for this model: it is reported as unknown.")
    return fm


def scan(root: Path | None = None, hf_cache: Path | None = None) -> list[FoundModel]:
    """Find every model under root (and in a Hugging Face cache folder) and name its license(s)."""
    models: list[FoundModel] = []
    if root is not None:
        refs, folders = find_references(Path(root))
        models += group(refs) + folders
    if hf_cache is not None:
        models += hf_cache_models(Path(hf_cache))
    return [resolve_model(m) for m in models]


# --------------------------------------------------------------------------------------------------- rendering

_VERDICT_WORDS = {"yes": "yes", "no": "NO", "conditional": "conditional", "not_addressed": "not addressed",
                  "unknown": "UNKNOWN"}


def _where(row: dict, limit: int = 2) -> str:
    locs = [f"{loc['file']}:{loc['line']}" if loc["line"] else loc["file"] for loc in row["found_in"]]
    more = f" (+{len(locs) - limit})" if len(locs) > limit else ""
    return ", ".join(locs[:limit]) + more


def _obligation_label(o: dict) -> str:
    if "quote" in o:
        quote = " ".join(o["quote"].split())
        quote = quote if len(quote) <= 160 else quote[:157] + "..."
        return f"{o.get('license')} §{o.get('section')}: \"{quote}\""
    text = o.get("text") or o.get("item") or o.get("action") or json.dumps(o, ensure_ascii=False)
    return str(text)


def render_table(rows: list[dict], profile_summary: str = "") -> str:
    """A plain-text table for the terminal, then the obligations of every model that is not a plain yes."""
    heads = ("status", "verdict", "model", "licenses", "found in")
    body = [
        (r["status"].upper(), _VERDICT_WORDS.get(r["verdict"], r["verdict"]), r["model"],
         ", ".join(r["licenses"]) or "-", _where(r))
        for r in rows
    ]
    widths = [min(max([len(h)] + [len(b[i]) for b in body]), 48) for i, h in enumerate(heads)]

    def fmt(cells):
        return "  ".join(str(c)[: widths[i]].ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    lines = []
    if profile_summary:
        lines.append(f"Use profile: {profile_summary}")
        lines.append("")
    lines += [fmt(heads), fmt(["-" * w for w in widths])] + [fmt(b) for b in body]
    failed = sum(r["status"] == "fail" for r in rows)
    lines.append("")
    lines.append(f"{len(rows)} model(s), {failed} failing the policy.")
    for r in rows:
        if r["verdict"] == "yes" and not r["notes"]:
            continue
        lines.append("")
        lines.append(f"{r['model']} — {_VERDICT_WORDS.get(r['verdict'], r['verdict'])}")
        for c in r["chains"][:3]:
            lines.append(f"  via {c}")
        for o in r["obligations"][:4]:
            lines.append(f"  - {_obligation_label(o)}")
        for n in r["notes"][:2]:
            lines.append(f"  note: {n}")
    return "\n".join(lines)


def render_markdown(rows: list[dict], profile_summary: str = "") -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    out = ["# Models found", ""]
    if profile_summary:
        out += [f"Use profile: **{esc(profile_summary)}**", ""]
    out += ["| status | verdict | model | licenses | found in |", "|---|---|---|---|---|"]
    for r in rows:
        out.append(
            f"| {r['status']} | {_VERDICT_WORDS.get(r['verdict'], r['verdict'])} | `{esc(r['model'])}` | "
            f"{esc(', '.join(r['licenses']) or '-')} | {esc(_where(r, 5))} |"
        )
    for r in rows:
        if not (r["obligations"] or r["notes"] or r["chains"]):
            continue
        out += ["", f"## `{esc(r['model'])}`: {_VERDICT_WORDS.get(r['verdict'], r['verdict'])}", ""]
        out += [f"- via {esc(c)}" for c in r["chains"]]
        for o in r["obligations"]:
            if "quote" in o:
                out.append(f"- **{o.get('license')} §{o.get('section')}**: > {esc(' '.join(o['quote'].split()))}")
            else:
                out.append(f"- {esc(_obligation_label(o))}")
        out += [f"- _note:_ {esc(n)}" for n in r["notes"]]
    return "\n".join(out) + "\n"
