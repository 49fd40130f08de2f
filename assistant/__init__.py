"""License Q&A assistant: verdicts on AI model licenses, with the deciding clauses quoted verbatim.

    from assistant import ask
    answer = ask("Can we use Llama 3.1 commercially with 900M monthly active users?")
    answer.verdict, answer.citations[0].quote

Names are imported lazily, so `import assistant` stays cheap until a model or index is needed. `search` and
`identify` are both functions exported here and modules of this package (`assistant.search`, `assistant.identify`):
`from assistant import search` always gives the function, whatever was imported before; the modules are reached
with `from assistant.search import ...` or `importlib.import_module("assistant.search")`.
"""

from __future__ import annotations

import importlib
import sys
import types
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
    "LicenseTextError": "assistant.user_text",
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
    "LicenseTextError",
]

if TYPE_CHECKING:
    from assistant.answer import Answer, Citation
    from assistant.assistant import Assistant, ask
    from assistant.config import Settings
    from assistant.identify import Identification, identify
    from assistant.search import Hit, Searcher, as_retriever, search
    from assistant.user_text import LicenseTextError


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # resolved once; later lookups do not come here
        return value
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package module. Importing a submodule binds it as an attribute of its package; for the exported names
    that are also submodule names (`search`, `identify`) the exported function is kept instead."""

    def __setattr__(self, name: str, value) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{name}":
            value = getattr(value, name, None)
            if value is None:  # the submodule is still being imported: resolved on first use
                self.__dict__.pop(name, None)
                return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
