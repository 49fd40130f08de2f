"""A persistent cache of clause embeddings, keyed by model and text, so a rebuild only embeds what changed.

Rebuilding the index after a corpus edit or a parser change then costs seconds, not the minutes that embedding
every clause again takes on a laptop CPU.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np


def _key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self._create()
        except sqlite3.DatabaseError:  # not a database (damaged, truncated): it is only a cache, start afresh
            path.unlink(missing_ok=True)
            self._create()

    def _create(self) -> None:
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, data BLOB NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def embed(
        self,
        model: str,
        texts: Sequence[str],
        compute: Callable[[list[str]], list[list[float]]],
        progress: Callable[[int], None] | None = None,
        batch: int = 512,
    ) -> list[list[float]]:
        """Vectors for `texts`, from the cache where present; the others are computed and stored.

        The texts to compute are sorted by length (longest first) and handed to `compute` in slices of `batch`,
        so each slice pads to similar lengths; each slice is stored in one transaction as soon as it is done, so
        an interrupted build resumes from what was embedded.
        """
        keys = [_key(model, t) for t in texts]
        found: dict[str, list[float]] = {}
        try:
            with self._connect() as db:
                for i in range(0, len(keys), 500):
                    part = keys[i : i + 500]
                    q = f"SELECT key, data FROM vec WHERE key IN ({','.join('?' * len(part))})"
                    for k, data in db.execute(q, part):
                        found[k] = np.frombuffer(data, dtype=np.float32).tolist()
        except sqlite3.DatabaseError:  # a damaged cache is only a cache: start it afresh
            self.path.unlink(missing_ok=True)
            self.__init__(self.path)
        if progress and found:
            progress(sum(1 for k in keys if k in found))
        missing = [i for i, k in enumerate(keys) if k not in found]
        first: dict[str, int] = {}
        for i in missing:  # the same text twice is computed once
            first.setdefault(keys[i], i)
        todo = sorted(first.values(), key=lambda i: -len(texts[i]))
        for s in range(0, len(todo), batch):
            idx = todo[s : s + batch]
            vecs = compute([texts[i] for i in idx])
            rows = [(keys[i], np.asarray(v, dtype=np.float32).tobytes()) for i, v in zip(idx, vecs, strict=True)]
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)", rows)
            for i, v in zip(idx, vecs, strict=True):
                found[keys[i]] = v
            if progress:
                progress(len(idx))
        if progress and len(missing) > len(todo):
            progress(len(missing) - len(todo))
        return [found[k] for k in keys]
