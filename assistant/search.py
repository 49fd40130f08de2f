"""Hybrid clause search: dense (Chroma) + lexical (BM25), fused by reciprocal rank, optionally per license."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from assistant import store
from assistant.chunks import Chunk, license_chunks
from assistant.config import Settings
from assistant.index import ClauseIndex, open_index
from assistant.lexical import LexicalIndex
from assistant.licensedb import load_license

RRF_K = 60  # the usual reciprocal-rank-fusion constant; larger flattens the rank differences
#: Weights of the two rankings in the fusion (see bench/bench_fusion.py for how they were chosen).
DENSE_WEIGHT = 1.0
BM25_WEIGHT = 0.4
MAX_QUERY_CHARS = 2000
MODES = ("hybrid", "dense", "bm25")


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


class Searcher:
    """Holds the opened index and the embedding model, so repeated searches are fast."""

    def __init__(self, settings: Settings | None = None, index: ClauseIndex | None = None, progress: bool = True):
        self.settings = settings or Settings()
        self.index = index or open_index(self.settings, progress=progress)
        self._embedder = None
        self._lock = threading.Lock()

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
            if not missing:
                return
            new = [c for r in missing for c in license_chunks(r)]
            vecs = self.embedder.embed_documents([c.embedding_text() for c in new])
            try:
                self.index.collection.upsert(
                    ids=[c.id for c in new],
                    embeddings=vecs,
                    metadatas=[{"doc_key": c.doc_key, "section_id": c.section_id, "kind": c.kind} for c in new],
                )
            except Exception as exc:
                raise self._store_error(exc) from exc
            chunks = self.index.chunks + new
            self.index.lexical = LexicalIndex.build([c.embedding_text() for c in chunks])
            self.index.chunks = chunks
            self.index.position = {c.id: i for i, c in enumerate(chunks)}
            self.index.doc_keys |= {r.key for r in missing}

    def _store_error(self, exc: Exception) -> Exception:
        if isinstance(exc, store.StoreError):
            return exc
        if self.settings.server_mode:
            return store.StoreUnavailable(self.settings.chroma_host or "", self.settings.chroma_port or 8000, exc)
        return store.StoreError(f"The embedded vector store failed: {exc}")

    def _dense(self, query: str, n: int, keys: list[str] | None) -> list[tuple[str, float]]:
        vec = self.embedder.embed_query(query)
        try:
            return store.query_dense(self.index.collection, vec, n, keys)
        except Exception as first:
            if not self.settings.server_mode:
                raise self._store_error(first) from first
            # The server may have restarted: reconnect once before giving up.
            try:
                self.index.reconnect()
                return store.query_dense(self.index.collection, vec, n, keys)
            except Exception as exc:
                raise self._store_error(exc) from exc

    def _lexical(self, query: str, n: int, keys: list[str] | None) -> list[tuple[str, float]]:
        chunks = self.index.chunks
        mask = None
        if keys:
            wanted = set(keys)
            mask = np.fromiter((c.doc_key in wanted for c in chunks), dtype=np.float32, count=len(chunks))
        return [(chunks[i].id, s) for i, s in self.index.lexical.top(query, n, mask)]

    def search(self, query: str, licenses: Sequence[str] | None = None, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        """The k best clauses for `query`, only from `licenses` (LicenseDB keys or "def:<card>") when given."""
        q = clean_query(query)
        if mode not in MODES:
            raise SearchError(f"Unknown search mode {mode!r}: use one of {', '.join(MODES)}.")
        if not isinstance(k, int) or k < 1:
            raise SearchError("k must be a positive whole number.")
        keys = list(dict.fromkeys(licenses)) if licenses else None
        if keys:
            self.ensure_documents(keys)
        n = max(4 * k, 20)
        dense = self._dense(q, n, keys) if mode in ("hybrid", "dense") else []
        lexical = self._lexical(q, n, keys) if mode in ("hybrid", "bm25") else []
        pos = self.index.position
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
            hits.append(Hit(self.index.chunks[i], round(float(score), 6), dr, br))
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
