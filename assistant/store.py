"""The Chroma side of the index: an embedded PersistentClient by default, a real Chroma server when configured."""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings

# chromadb is imported where a client is opened: `import assistant` and lexical search do not pay for it.


class StoreError(RuntimeError):
    """The vector store cannot be used; the message says which store and what to do."""


class StoreUnavailable(StoreError):
    def __init__(self, host: str, port: int, cause: Exception | None = None):
        self.host, self.port = host, port
        super().__init__(
            f"The Chroma server at {host}:{port} is not reachable"
            + (f" ({type(cause).__name__})" if cause else "")
            + ". Start it (e.g. `chroma run --host 127.0.0.1 --port PORT --path DIR`) or unset CHROMA_HOST to use the"
            " embedded store."
        )


def _chroma_settings():
    import chromadb

    # A new object per client: chromadb's HttpClient writes its host, port and API class into the settings it is
    # given, and a shared object would then send later embedded (or other-server) clients to that server.
    return chromadb.Settings(anonymized_telemetry=False, allow_reset=False)


def describe(settings: Settings) -> str:
    if settings.server_mode:
        return f"Chroma server {settings.chroma_host}:{settings.chroma_port or 8000}"
    return "embedded Chroma"


def open_client(settings: Settings, path: Path | None = None):
    """A Chroma client: HttpClient in server mode, else a PersistentClient at `path`."""
    import chromadb

    if settings.server_mode:
        host, port = settings.chroma_host or "127.0.0.1", settings.chroma_port or 8000
        try:
            client = chromadb.HttpClient(host=host, port=port, settings=_chroma_settings())
            client.heartbeat()
        except Exception as exc:  # connection refused, DNS, timeouts: all mean "not reachable"
            raise StoreUnavailable(host, port, exc) from exc
        return client
    if path is None:
        raise ValueError("an embedded store needs a path")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())


def collection_name(fingerprint: str) -> str:
    # 3-512 chars of [a-zA-Z0-9._-]; the fingerprint makes a changed corpus or model a new collection
    return f"license-assistant-{fingerprint[:16]}"


def query_dense(collection, embedding: list[float], k: int, doc_keys: list[str] | None) -> list[tuple[str, float]]:
    """(chunk id, cosine similarity) best first, optionally only chunks of the given documents."""
    where = None
    if doc_keys:
        where = {"doc_key": doc_keys[0]} if len(doc_keys) == 1 else {"doc_key": {"$in": list(doc_keys)}}
    res = collection.query(query_embeddings=[embedding], n_results=k, where=where, include=["distances"])
    ids = res["ids"][0] if res["ids"] else []
    dists = res["distances"][0] if res.get("distances") else [0.0] * len(ids)
    return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=False)]


def forget_clients() -> None:
    """Drop Chroma's per-path client cache, so a folder that was deleted and rebuilt is opened afresh."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
