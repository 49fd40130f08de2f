"""A LangChain retriever over the clause index, for anyone composing their own chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class ClauseRetriever(BaseRetriever):
    """Returns clause `Document`s whose metadata says exactly where the text comes from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any
    licenses: list[str] | None = None
    k: int = 5
    mode: str = "hybrid"

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.searcher.search(query, licenses=self.licenses, k=self.k, mode=self.mode)
        return [
            Document(
                page_content=h.text,
                id=h.chunk.id,
                metadata={
                    "license_key": h.doc_key,
                    "license_name": h.doc_name,
                    "kind": h.chunk.kind,
                    "section_id": h.section_id,
                    "heading": h.heading,
                    "context": h.chunk.context,
                    "start": h.start,
                    "end": h.end,
                    "source_url": h.chunk.source_url,
                    "inferred_section": h.chunk.inferred,
                    "score": h.score,
                },
            )
            for h in hits
        ]
