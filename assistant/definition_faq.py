"""Reviewed answers to recurring yes/no questions about an openness definition itself ("Does OSAID require the
training data?"), from corpus/definition_faq.yaml. Facts decide: the answer and its criteria are data."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.config import CORPUS_DIR
from assistant.yamlio import load_yaml


class FaqEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    definition: str
    match: list[list[str]] = Field(min_length=1)  # every group must have one phrase in the question
    unless: list[str] = Field(default_factory=list)  # any of these in the question: the entry does not apply
    verdict: Literal["yes", "no", "conditional", "not_addressed"]
    anchors: list[str] = Field(min_length=1)
    answer: str = Field(min_length=1)

    def matches(self, question: str) -> bool:
        q = " " + re.sub(r"\s+", " ", question.lower()) + " "
        if any(u.lower() in q for u in self.unless):
            return False
        return all(any(p.lower() in q for p in group) for group in self.match)


@lru_cache(maxsize=4)
def load_faq(corpus_dir: Path = CORPUS_DIR) -> tuple[FaqEntry, ...]:
    """The entries, validated: each anchor must be a criterion of a definition card."""
    from assistant.catalog import CorpusError, load_catalog

    path = corpus_dir / "definition_faq.yaml"
    if not path.exists():
        return ()
    catalog = load_catalog(corpus_dir)
    entries = []
    for i, raw in enumerate(load_yaml(path.read_text(encoding="utf-8")) or []):
        name = raw.get("id", f"#{i + 1}") if isinstance(raw, dict) else f"#{i + 1}"
        try:
            entry = FaqEntry.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            raise CorpusError(f"corpus/definition_faq.yaml: entry '{name}' field '{field}': {err['msg']}") from exc
        if catalog.definition(entry.definition) is None:
            raise CorpusError(f"corpus/definition_faq.yaml: entry '{name}': unknown definition {entry.definition!r}")
        for anchor in entry.anchors:
            if catalog.criterion(anchor) is None:
                raise CorpusError(f"corpus/definition_faq.yaml: entry '{name}': unknown anchor {anchor!r}")
        entries.append(entry)
    return tuple(entries)


def match_faq(question: str, definition: str | None) -> FaqEntry | None:
    """The first entry for this definition whose phrases all occur in the question."""
    for entry in load_faq():
        if (definition is None or entry.definition == definition) and entry.matches(question):
            return entry
    return None
