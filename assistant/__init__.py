"""License Q&A assistant: verdicts on AI model licenses, with the deciding clauses quoted verbatim.

    from assistant import ask
    answer = ask("Can we use Llama 3.1 commercially with 900M monthly active users?")
    answer.verdict, answer.citations[0].quote

Names are imported lazily, so `import assistant` stays cheap until a model or index is needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "ask": "assistant.assistant",
    "Assistant": "assistant.assistant",
    "Answer": "assistant.answer",
    "Citation": "assistant.answer",
    "search": "assistant.search",
    "Searcher": "assistant.search",
    "Hit": "assistant.search",
    "as_retriever": "assistant.search",
    "identify": "assistant.identify",
    "Identification": "assistant.identify",
    "Settings": "assistant.config",
}
__all__ = [
    "ask",
    "Assistant",
    "Answer",
    "Citation",
    "search",
    "Searcher",
    "Hit",
    "as_retriever",
    "identify",
    "Identification",
    "Settings",
]

if TYPE_CHECKING:
    from assistant.answer import Answer, Citation
    from assistant.assistant import Assistant, ask
    from assistant.config import Settings
    from assistant.identify import Identification, identify
    from assistant.search import Hit, Searcher, as_retriever, search


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
