"""Build, verify and open the clause index: chunks + Chroma (dense) + BM25 (lexical), under one fingerprint.

On disk (embedded mode), one folder per fingerprint under `<home>/index/`:
    chunks.jsonl   every chunk, plain JSON (open it to see what is indexed)
    bm25/          the lexical index
    chroma/        the embedded Chroma store (server mode: a collection on the server instead)
    manifest.json  written last: a folder without it is an interrupted build and is never served

The lexical half needs no embeddings: `open_lexical` gives the chunks and BM25 at once (read from a complete index,
or parsed in memory in seconds when there is none), so questions are answered while `open_index` builds or opens
the dense half (see `assistant.search.Searcher`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from tqdm import tqdm

from assistant import store
from assistant.chunks import Chunk, definition_chunks, license_chunks
from assistant.clauses import PARSER_VERSION
from assistant.config import Settings
from assistant.embedcache import EmbeddingCache
from assistant.lexical import LexicalIndex
from assistant.licensedb import license_keys, licensedb_version, load_license

INDEX_FORMAT = "2"


class IndexBuildError(RuntimeError):
    """The index cannot be built or opened; the message names the directory or server and the setting to change."""


def _corpus_digest(corpus_dir: Path) -> str:
    """Only the files that decide what is indexed: the license set and the definition cards (not the facts)."""
    h = hashlib.sha256()
    files = [corpus_dir / "licenses.yaml", *sorted((corpus_dir / "definitions").glob("*.yaml"))]
    for p in files:
        if p.is_file():
            h.update(p.relative_to(corpus_dir).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def fingerprint(settings: Settings) -> str:
    """Changes whenever what the index would contain changes: corpus, LicenseDB, model, parser, scope."""
    parts = {
        "format": INDEX_FORMAT,
        "corpus": _corpus_digest(settings.corpus_dir),
        "licensedb": licensedb_version(),
        "model": settings.embedding_model,
        "parser": PARSER_VERSION,
        "scope": settings.scope,
        "only": sorted(settings.only),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def scope_keys(settings: Settings) -> list[str]:
    if settings.only:
        return list(dict.fromkeys(settings.only))
    if settings.scope == "all":
        return list(license_keys())
    from assistant.catalog import load_catalog

    return list(load_catalog(settings.corpus_dir).default_keys())


def collect_chunks(settings: Settings, keys: Iterable[str] | None = None) -> list[Chunk]:
    """Every chunk of the licenses in scope and of the definition cards, in a stable order."""
    from assistant.catalog import load_catalog

    chunks: list[Chunk] = []
    for key in keys if keys is not None else scope_keys(settings):
        chunks.extend(license_chunks(load_license(key)))
    for card in load_catalog(settings.corpus_dir).definitions.values():
        chunks.extend(definition_chunks(card))
    return chunks


@dataclass
class Manifest:
    fingerprint: str
    n_chunks: int
    n_documents: int
    licensedb: str
    model: str
    scope: str
    built_at: float
    build_seconds: float
    collection: str
    #: Seconds per step of the build (parse, bm25, chroma_open, model_load, encode, cache, chroma_add).
    phases: dict = field(default_factory=dict)


def _chunk_metadata(c: Chunk) -> dict:
    return {"doc_key": c.doc_key, "section_id": c.section_id, "kind": c.kind, "start": c.start, "end": c.end}


class ClauseIndex:
    """An opened index: the chunks, the lexical index and a Chroma collection.

    From `open_lexical` the collection is None (and, when no complete build exists yet, so are the folder and the
    manifest): such an index serves BM25 search only.
    """

    def __init__(
        self,
        settings: Settings,
        folder: Path | None,
        manifest: Manifest | None,
        chunks: list[Chunk],
        lexical,
        coll,
    ):
        self.settings = settings
        self.folder = folder
        self.manifest = manifest
        self.chunks = chunks
        self.lexical: LexicalIndex = lexical
        self.collection = coll
        self.position = {c.id: i for i, c in enumerate(chunks)}
        self.doc_keys = {c.doc_key for c in chunks}
        # keeps other processes from deleting this build while we read it
        self._in_use = _hold_shared(folder) if folder is not None else None

    @property
    def dense(self) -> bool:
        """Whether this index has its vector store (else it serves lexical search only)."""
        return self.collection is not None

    def reconnect(self) -> None:
        """Open the Chroma collection again (after a server restart)."""
        self.collection = _open_collection(self.settings, self.folder, self.manifest.collection, create=False)


def index_root(settings: Settings) -> Path:
    return settings.home / "index"


def _check_writable(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise IndexBuildError(
            f"The cache directory {path} is not writable ({exc.strerror or exc}). Point LICENSE_ASSISTANT_HOME (or the"
            " `home` setting / --home option) at a writable directory."
        ) from exc


def _open_collection(settings: Settings, folder: Path, name: str, create: bool):
    client = store.open_client(settings, folder / "chroma")
    if create:
        try:
            client.delete_collection(name)
        except Exception:  # absent: nothing to delete
            pass
        # Chroma's default search breadth (10) misses close clauses once a collection has grown by on-demand
        # additions; 100 keeps a few thousand clauses effectively exact at no noticeable cost
        return client.create_collection(
            name, metadata={"hnsw:space": "cosine", "hnsw:search_ef": 100}, embedding_function=None
        )
    return client.get_collection(name, embedding_function=None)


def _read_manifest(folder: Path) -> Manifest | None:
    try:
        return Manifest(**json.loads((folder / "manifest.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _load(settings: Settings, folder: Path, manifest: Manifest) -> ClauseIndex:
    """Open a complete index; raises if any part is missing or disagrees with the manifest."""
    # split on "\n" only: license texts hold U+2028, U+0085 ... which JSON leaves raw and splitlines() splits on
    lines = (folder / "chunks.jsonl").read_text(encoding="utf-8").split("\n")
    chunks = [Chunk(**json.loads(line)) for line in lines if line]
    if len(chunks) != manifest.n_chunks:
        raise ValueError(f"chunks.jsonl has {len(chunks)} chunks, the manifest says {manifest.n_chunks}")
    lexical = LexicalIndex.load(folder / "bm25")
    coll = _open_collection(settings, folder, manifest.collection, create=False)
    if coll.count() < manifest.n_chunks:
        raise ValueError(f"the vector store holds {coll.count()} of {manifest.n_chunks} chunks")
    return ClauseIndex(settings, folder, manifest, chunks, lexical, coll)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- builds are immutable folders; `current` names the complete one -------------------------------------------
#   <home>/index/<fp16>/builds/<build-id>/   one complete (or interrupted) build
#   <home>/index/<fp16>/current              the id of the build to serve, replaced atomically after a build
#   <home>/index/<fp16>/builds/<id>.inuse    readers hold a shared lock on it; only an unused build is deleted


def _hold_shared(folder: Path):
    """A shared lock on the build's in-use file, held for the life of the returned file object."""
    try:
        import fcntl
    except ImportError:  # no advisory locks (Windows): old builds are then never deleted
        return None
    f = open(folder.parent / f"{folder.name}.inuse", "a+")  # noqa: SIM115 (held open on purpose)
    fcntl.flock(f, fcntl.LOCK_SH)
    return f


def _delete_if_unused(folder: Path) -> bool:
    try:
        import fcntl
    except ImportError:
        return False
    with open(folder.parent / f"{folder.name}.inuse", "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # another process is reading it
        shutil.rmtree(folder, ignore_errors=True)
    (folder.parent / f"{folder.name}.inuse").unlink(missing_ok=True)
    return True


def _current(base: Path) -> Path | None:
    try:
        build_id = (base / "current").read_text().strip()
    except OSError:
        return None
    return base / "builds" / build_id if build_id else None


def _set_current(base: Path, folder: Path) -> None:
    tmp = base / f"current.tmp-{os.getpid()}"
    tmp.write_text(folder.name)
    os.replace(tmp, base / "current")  # atomic: readers see the old build or the new one, never half of one


def _collect_garbage(base: Path, keep: Path) -> None:
    """Delete local builds other than `keep` that no process is reading (interrupted, damaged or superseded).

    In server mode an old build's Chroma collection stays on the server: other hosts may still read it.
    """
    builds = base / "builds"
    for folder in builds.iterdir() if builds.exists() else []:
        if folder.is_dir() and folder != keep:
            _delete_if_unused(folder)


#: Called during a build with (clauses embedded so far, clauses in all).
BuildProgress = Callable[[int, int], None]


def build(
    settings: Settings,
    folder: Path,
    fp: str,
    progress: bool = True,
    chunks: list[Chunk] | None = None,
    on_progress: BuildProgress | None = None,
) -> ClauseIndex:
    """Build everything from scratch into the new folder `folder`; the manifest is written only when all parts are
    complete, and the caller points `current` at it only then. `chunks`: the scope's chunks when already parsed."""
    from assistant.embeddings import get_embedder

    t0 = time.perf_counter()
    phases: dict[str, float] = {}
    clock = [t0]

    def lap(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(phases.get(name, 0.0) + now - clock[0], 2)
        clock[0] = now

    folder.mkdir(parents=True)
    chunks = chunks if chunks is not None else collect_chunks(settings)
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as f:
        for c in chunks:
            f.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
    texts = [c.embedding_text() for c in chunks]
    lap("parse")
    LexicalIndex.build(texts).save(folder / "bm25")
    lap("bm25")

    name = f"{store.collection_name(fp)}-{folder.name}"
    coll = _open_collection(settings, folder, name, create=True)
    lap("chroma_open")
    embedder = None

    def compute(batch: list[str]) -> list[list[float]]:
        nonlocal embedder
        lap("cache")
        if embedder is None:  # loaded only if something is not cached
            embedder = get_embedder(settings.embedding_model)
            lap("model_load")
        vecs = embedder.embed_documents(batch)
        lap("encode")
        return vecs

    bar = tqdm(total=len(chunks), desc="Embedding clauses", unit="chunk", disable=not progress, file=sys.stderr)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        bar.update(n)
        if on_progress:
            on_progress(done, len(chunks))

    if on_progress:
        on_progress(0, len(chunks))
    vecs = EmbeddingCache(settings.home / "embeddings.sqlite").embed(
        settings.embedding_model, texts, compute, progress=advance
    )
    bar.close()
    lap("cache")
    step = _max_batch(coll)  # Chroma caps the size of one add
    for i in range(0, len(chunks), step):
        part = chunks[i : i + step]
        coll.add(ids=[c.id for c in part], embeddings=vecs[i : i + step], metadatas=[_chunk_metadata(c) for c in part])
    lap("chroma_add")
    manifest = Manifest(
        fingerprint=fp,
        n_chunks=len(chunks),
        n_documents=len({c.doc_key for c in chunks}),
        licensedb=licensedb_version(),
        model=settings.embedding_model,
        scope=settings.scope,
        built_at=time.time(),
        build_seconds=round(time.perf_counter() - t0, 2),
        collection=name,
        phases=phases,
    )
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(json.dumps(asdict(manifest), indent=2))
    os.replace(tmp, folder / "manifest.json")  # atomic: the index is complete only from here on
    return _load(settings, folder, manifest)


def _max_batch(coll) -> int:
    try:
        return max(1, int(coll._client.get_max_batch_size()))
    except Exception:  # an older client or a server that does not say: a size every store accepts
        return 1000


def _try_load(settings: Settings, folder: Path | None, fp: str) -> ClauseIndex | None:
    """The complete index in `folder`, or None (with a message) when it is missing, interrupted or damaged."""
    if folder is None:
        return None
    manifest = _read_manifest(folder)
    if manifest is None or manifest.fingerprint != fp:
        return None
    try:
        return _load(settings, folder, manifest)
    except store.StoreUnavailable:
        raise
    except Exception as exc:  # corrupted or partly deleted
        _say(f"The index in {folder} is damaged ({type(exc).__name__}: {exc}); rebuilding it.")
        return None


def _base(settings: Settings) -> tuple[Path, str]:
    root = index_root(settings)
    _check_writable(root)
    fp = fingerprint(settings)
    base = root / fp[:16]
    _check_writable(base)
    return base, fp


def open_lexical(settings: Settings | None = None) -> ClauseIndex:
    """The lexical half of the index, at once and without embeddings or Chroma: the complete build's chunks and
    BM25 when one exists, else the scope's clauses parsed now and indexed in memory (seconds).

    Raises IndexBuildError when the cache directory is unusable, as `open_index` would.
    """
    settings = settings or Settings()
    base, fp = _base(settings)
    folder = _current(base)
    manifest = _read_manifest(folder) if folder is not None else None
    if folder is not None and manifest is not None and manifest.fingerprint == fp:
        try:
            lines = (folder / "chunks.jsonl").read_text(encoding="utf-8").split("\n")
            chunks = [Chunk(**json.loads(line)) for line in lines if line]
            if len(chunks) == manifest.n_chunks:
                return ClauseIndex(settings, folder, manifest, chunks, LexicalIndex.load(folder / "bm25"), None)
        except Exception:  # damaged: parse afresh below; open_index will rebuild it
            pass
    chunks = collect_chunks(settings)
    return ClauseIndex(settings, None, None, chunks, LexicalIndex.build([c.embedding_text() for c in chunks]), None)


def attach_dense(
    idx: ClauseIndex,
    scope_chunks: list[Chunk] | None = None,
    progress: bool = True,
    on_progress: BuildProgress | None = None,
) -> ClauseIndex:
    """The complete index for `idx` (from `open_lexical`): its own build's vector store opened when it has one,
    else `open_index` (which builds it from `scope_chunks`, the scope's chunks as `open_lexical` parsed them).

    Clauses added to `idx` after it was opened (licenses outside the scope) are not part of the result."""
    if idx.dense:
        return idx
    if idx.folder is not None and idx.manifest is not None:
        try:
            coll = _open_collection(idx.settings, idx.folder, idx.manifest.collection, create=False)
            if coll.count() >= idx.manifest.n_chunks:
                chunks, lexical = idx.chunks, idx.lexical
                if len(chunks) != idx.manifest.n_chunks:  # appended to since: keep the build's own clauses only
                    chunks = chunks[: idx.manifest.n_chunks]
                    lexical = LexicalIndex.load(idx.folder / "bm25")
                return ClauseIndex(idx.settings, idx.folder, idx.manifest, chunks, lexical, coll)
        except store.StoreUnavailable:
            raise
        except Exception:  # damaged: open_index says so and rebuilds
            pass
    return open_index(idx.settings, progress=progress, chunks=scope_chunks, on_progress=on_progress)


def open_index(
    settings: Settings | None = None,
    progress: bool = True,
    rebuild: bool = False,
    chunks: list[Chunk] | None = None,
    on_progress: BuildProgress | None = None,
) -> ClauseIndex:
    """The index for these settings: reused at once when complete and unchanged, else (re)built under a file lock.

    `chunks`: the scope's chunks when already parsed (by `open_lexical`); `on_progress(done, total)` follows the
    embedding of a build."""
    settings = settings or Settings()
    base, fp = _base(settings)

    if not rebuild and (idx := _try_load(settings, _current(base), fp)):
        return idx
    try:
        with FileLock(str(base / "build.lock")).acquire(timeout=3600):
            seen = _current(base)
            # Another process may have finished a build while we waited for the lock.
            if not rebuild and (idx := _try_load(settings, seen, fp)):
                return idx
            folder = base / "builds" / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
            if progress:
                _say(f"Building the clause index in {folder} ({store.describe(settings)}) ...")
            idx = build(settings, folder, fp, progress=progress, chunks=chunks, on_progress=on_progress)
            _set_current(base, folder)
            _collect_garbage(base, keep=folder)
            return idx
    except Timeout as exc:
        raise IndexBuildError(f"Timed out waiting for another process building the index in {base}.") from exc
