"""Hybrid clause search: dense (Chroma) + lexical (BM25), fused by reciprocal rank, optionally per license."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np

from assistant import store
from assistant.chunks import Chunk, license_chunks
from assistant.config import Settings
from assistant.index import ClauseIndex, attach_dense, open_lexical
from assistant.lexical import LexicalIndex
from assistant.licensedb import load_license

RRF_K = 60  # the usual reciprocal-rank-fusion constant; larger flattens the rank differences
#: Weights of the two rankings in the fusion (see bench/bench_fusion.py for how they were chosen).
DENSE_WEIGHT = 1.0
BM25_WEIGHT = 0.4
MAX_QUERY_CHARS = 2000
MODES = ("hybrid", "dense", "bm25")
#: The background loader starts after the first answer, or after this many seconds, or when a search waits for it:
#: importing torch and sentence-transformers is CPU-bound Python, which would slow the first answer down.
DENSE_START_DELAY = 2.0


class SearchError(ValueError):
    """A query that cannot be searched; the message says why."""


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused score (or the single retriever's score in dense/bm25 mode)
    dense_rank: int | None = None
    bm25_rank: int | None = None

    # Flat accessors: a hit reads like the clause it points at.
    @property
    def doc_key(self) -> str:
        return self.chunk.doc_key

    @property
    def doc_name(self) -> str:
        return self.chunk.doc_name

    @property
    def section_id(self) -> str:
        return self.chunk.section_id

    @property
    def heading(self) -> str:
        return self.chunk.heading

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def start(self) -> int:
        return self.chunk.start

    @property
    def end(self) -> int:
        return self.chunk.end

    def to_dict(self) -> dict:
        d = asdict(self.chunk)
        d.update(score=self.score, dense_rank=self.dense_rank, bm25_rank=self.bm25_rank)
        return d


def clean_query(query: object) -> str:
    if not isinstance(query, str):
        raise SearchError("The query must be text.")
    # lone surrogates (undecodable bytes) make the tokenizer raise: replace them like NULs
    q = query.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8").strip()
    if not q:
        raise SearchError("The query is empty: type a few words about the clause you are looking for.")
    return q[:MAX_QUERY_CHARS]


@dataclass
class DenseStatus:
    """How far dense search is: "loading" (opening the index, loading the model), "building" (embedding clauses:
    `done` of `total`), "ready", or "failed" (`error` says why; lexical search still answers)."""

    state: str = "loading"
    done: int = 0
    total: int = 0
    error: str | None = None

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    def describe(self) -> str:
        if self.state == "building" and self.total:
            return f"building the dense index: {self.done:,} of {self.total:,} clauses embedded ({self.percent}%)"
        if self.state == "building":
            return "building the dense index"
        if self.state == "ready":
            return "dense search ready"
        if self.state == "failed":
            return f"dense search unavailable ({self.error})"
        return "loading the embedding model"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class Retrieval:
    """What the searches made inside `Searcher.answering()` used: `dense` is False when any ran on BM25 alone."""

    def __init__(self) -> None:
        self.dense = True


class Searcher:
    """Holds the opened index and the embedding model, so repeated searches are fast.

    Lexical (BM25) search is there at once; dense search joins when a background thread has opened (or built)
    the vector store and loaded the embedding model. `search()` waits for it, so its results are always hybrid;
    inside `answering()` (what `Assistant.ask` uses) a hybrid search does not wait and runs on BM25 alone until
    dense search is ready. `background=False` loads everything before returning, as a plain blocking call.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        index: ClauseIndex | None = None,
        progress: bool = True,
        background: bool = True,
    ):
        self.settings = settings or Settings()
        self._progress = progress
        self._embedder = None
        self._lock = threading.RLock()
        self._tls = threading.local()
        self._settled = threading.Event()
        self._go = threading.Event()
        self._error: BaseException | None = None
        self.dense_status = DenseStatus()
        if index is None and self.settings.server_mode:
            store.open_client(self.settings).heartbeat()  # an unreachable server is said at once, not later
        self.index = index if index is not None else open_lexical(self.settings)
        self._scope_chunks = self.index.chunks  # what the dense build indexes (later additions replace the list)
        self.dense_status.total = len(self.index.chunks)
        if background:
            threading.Thread(target=self._join_dense_soon, name="dense-search-loader", daemon=True).start()
        else:
            self._join_dense()
            if self._error is not None:
                raise self._error

    # -- dense search, joined in the background ------------------------------------------------------------------
    def _on_build(self, done: int, total: int) -> None:
        self.dense_status = DenseStatus("building", done, total)

    def _join_dense_soon(self) -> None:
        self._go.wait(DENSE_START_DELAY)
        self._join_dense()

    def _join_dense(self) -> None:
        from assistant.embeddings import get_embedder

        try:
            idx = attach_dense(self.index, self._scope_chunks, progress=self._progress, on_progress=self._on_build)
            self.dense_status = DenseStatus("loading", len(idx.chunks), len(idx.chunks))
            embedder = get_embedder(self.settings.embedding_model)
            embedder.embed_query("warm up")  # the first real query would otherwise pay for it
            with self._lock:
                # licenses added to the lexical index meanwhile (ensure_documents) join the dense one too
                extra = [k for k in self.index.doc_keys - idx.doc_keys if not k.startswith("def:")]
                self._embedder = embedder
                if extra:
                    self._add_documents(idx, [load_license(k) for k in extra])
                self.index = idx
            self.dense_status = DenseStatus("ready", len(idx.chunks), len(idx.chunks))
        except BaseException as exc:  # kept for search() to raise; answering goes on with BM25
            self._error = exc
            self.dense_status = DenseStatus("failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            self._settled.set()

    @property
    def dense_ready(self) -> bool:
        return self.dense_status.ready

    def wait_for_dense(self, timeout: float | None = None) -> bool:
        """Block until dense search has joined (True) or failed / timed out (False)."""
        self._go.set()
        self._settled.wait(timeout)
        return self.dense_ready

    @contextmanager
    def answering(self) -> Iterator[Retrieval]:
        """Within this block (on this thread), hybrid searches do not wait for dense search."""
        record = Retrieval()
        previous = getattr(self._tls, "record", None)
        self._tls.record = record
        try:
            yield record
        finally:
            self._tls.record = previous
            self._go.set()  # an answer has been given: loading dense search no longer delays one

    def _need_dense(self, wait: bool) -> bool:
        """Whether dense search is there for this search; waits for it (re-raising its failure) when `wait`."""
        if self.dense_ready:
            return True
        if not wait:
            return False
        self._go.set()
        self._settled.wait()
        if self._error is not None:
            raise self._error
        return True

    @property
    def embedder(self):
        if self._embedder is None:
            from assistant.embeddings import get_embedder

            self._embedder = get_embedder(self.settings.embedding_model)
        return self._embedder

    # -- documents outside the default set are added on first use, so any LicenseDB license can be searched
    def ensure_documents(self, keys: Sequence[str]) -> None:
        missing = [k for k in keys if not k.startswith("def:") and k not in self.index.doc_keys]
        if not missing:
            return
        records = [load_license(k) for k in missing]  # raises UnknownLicenseError with close matches
        with self._lock:
            missing = [r for r in records if r.key not in self.index.doc_keys]
            if missing:
                self._add_documents(self.index, missing)

    def _add_documents(self, index: ClauseIndex, records) -> None:
        """Add these licenses' clauses to `index`: to BM25 always, to the vector store when it has one."""
        new = [c for r in records for c in license_chunks(r)]
        if index.dense:
            vecs = self.embedder.embed_documents([c.embedding_text() for c in new])
            try:
                index.collection.upsert(
                    ids=[c.id for c in new],
                    embeddings=vecs,
                    metadatas=[{"doc_key": c.doc_key, "section_id": c.section_id, "kind": c.kind} for c in new],
                )
            except Exception as exc:
                raise self._store_error(exc) from exc
        chunks = index.chunks + new
        lexical = LexicalIndex.build([c.embedding_text() for c in chunks])
        # readers take `chunks`, `position` and `lexical` together: publish the new ones in that order
        index.chunks = chunks
        index.position = {c.id: i for i, c in enumerate(chunks)}
        index.lexical = lexical
        index.doc_keys = index.doc_keys | {r.key for r in records}

    def _store_error(self, exc: Exception) -> Exception:
        if isinstance(exc, store.StoreError):
            return exc
        if self.settings.server_mode:
            return store.StoreUnavailable(self.settings.chroma_host or "", self.settings.chroma_port or 8000, exc)
        return store.StoreError(f"The embedded vector store failed: {exc}")

    def _dense(self, index: ClauseIndex, query: str, n: int, keys: list[str] | None) -> list[tuple[str, float]]:
        vec = self.embedder.embed_query(query)
        try:
            return store.query_dense(index.collection, vec, n, keys)
        except Exception as first:
            if not self.settings.server_mode:
                raise self._store_error(first) from first
            # The server may have restarted: reconnect once before giving up.
            try:
                index.reconnect()
                return store.query_dense(index.collection, vec, n, keys)
            except Exception as exc:
                raise self._store_error(exc) from exc

    def _lexical(self, chunks: list[Chunk], lexical: LexicalIndex, query: str, n: int, keys: list[str] | None):
        mask = None
        if keys:
            wanted = set(keys)
            mask = np.fromiter((c.doc_key in wanted for c in chunks), dtype=np.float32, count=len(chunks))
        return [(chunks[i].id, s) for i, s in lexical.top(query, n, mask)]

    def search(self, query: str, licenses: Sequence[str] | None = None, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        """The k best clauses for `query`, only from `licenses` (LicenseDB keys or "def:<card>") when given.

        Waits for dense search if it has not joined yet, except for hybrid searches inside `answering()`, which
        then rank by BM25 alone (and say so in the block's record)."""
        q = clean_query(query)
        if mode not in MODES:
            raise SearchError(f"Unknown search mode {mode!r}: use one of {', '.join(MODES)}.")
        if not isinstance(k, int) or k < 1:
            raise SearchError("k must be a positive whole number.")
        keys = list(dict.fromkeys(licenses)) if licenses else None
        record: Retrieval | None = getattr(self._tls, "record", None)
        use_dense = mode == "dense" or (mode == "hybrid" and self._need_dense(wait=record is None))
        if mode == "dense":
            self._need_dense(wait=True)
        elif mode == "hybrid" and not use_dense and record is not None:
            record.dense = False
        if keys:
            self.ensure_documents(keys)
        index = self.index  # one snapshot: dense search may join (and swap the index) while this search runs
        with self._lock:
            chunks, pos, lex = index.chunks, index.position, index.lexical
        n = max(4 * k, 20)
        dense = self._dense(index, q, n, keys) if use_dense else []
        lexical = self._lexical(chunks, lex, q, n, keys) if mode in ("hybrid", "bm25") else []
        if mode == "dense":
            ranked = [(cid, s, r, None) for r, (cid, s) in enumerate(dense, 1)]
        elif mode == "bm25":
            ranked = [(cid, s, None, r) for r, (cid, s) in enumerate(lexical, 1)]
        else:
            fused: dict[str, list] = {}
            for r, (cid, _) in enumerate(dense, 1):
                fused.setdefault(cid, [0.0, None, None])
                fused[cid][0] += DENSE_WEIGHT / (RRF_K + r)
                fused[cid][1] = r
            for r, (cid, _) in enumerate(lexical, 1):
                fused.setdefault(cid, [0.0, None, None])
                fused[cid][0] += BM25_WEIGHT / (RRF_K + r)
                fused[cid][2] = r
            ranked = sorted(((cid, v[0], v[1], v[2]) for cid, v in fused.items()), key=lambda t: -t[1])
        hits = []
        for cid, score, dr, br in ranked:
            i = pos.get(cid)
            if i is None:  # a chunk in the store that this index does not know (e.g. added by another process)
                continue
            hits.append(Hit(chunks[i], round(float(score), 6), dr, br))
            if len(hits) == k:
                break
        return hits

    def as_retriever(self, licenses: Sequence[str] | None = None, k: int = 5, mode: str = "hybrid"):
        from assistant.retriever import ClauseRetriever

        return ClauseRetriever(searcher=self, licenses=list(licenses) if licenses else None, k=k, mode=mode)


_default: Searcher | None = None
_default_lock = threading.Lock()


def default_searcher() -> Searcher:
    global _default
    with _default_lock:
        if _default is None:
            _default = Searcher()
        return _default


def search(query: str, licenses: Sequence[str] | None = None, k: int = 5, mode: str = "hybrid") -> list[Hit]:
    """Search the default index (built on first use). See `Searcher.search`."""
    return default_searcher().search(query, licenses=licenses, k=k, mode=mode)


def as_retriever(licenses: Sequence[str] | None = None, k: int = 5, mode: str = "hybrid"):
    """A LangChain retriever over the default index."""
    return default_searcher().as_retriever(licenses=licenses, k=k, mode=mode)
