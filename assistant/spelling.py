"""Mend the typos of a question before its situation is read: "commecrially", "finet-uned", "miltiary".

The reading of a situation matches words; a transposed or dropped letter would hide an act, a context or a sector
from it. A word is mended only when it is in no dictionary and exactly one dictionary word of the same neighbourhood
is one edit away, so correct words, names and ids are left alone.

The dictionary is every word of the bundled embedding model's vocabulary (plain English), of the indexed license
texts (the legal words a question borrows) and of the vocabulary of situations (its cues).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from assistant.config import BUNDLED_MODEL, CORPUS_DIR

_WORD = re.compile(r"[A-Za-z][a-z]+(?:-[a-z]+)*")
_QUOTED = re.compile(r"[\"'“‘«][^\"'”’»]{1,60}[\"'”’»]")
MIN_LENGTH = 5  # shorter words have too many neighbours one edit away


def _vocab_words() -> set[str]:
    from assistant.embeddings import resolve_model_path

    try:
        path = Path(resolve_model_path(BUNDLED_MODEL)) / "vocab.txt"
        return {w for w in path.read_text(encoding="utf-8").split() if w.isalpha() and w.isascii()}
    except (ImportError, OSError):
        return set()


def _license_words() -> set[str]:
    from assistant.catalog import load_catalog
    from assistant.licensedb import UnknownLicenseError, load_license

    words: set[str] = set()
    for entry in load_catalog().licenses:
        try:
            text = load_license(entry.key).text
        except (UnknownLicenseError, OSError):
            continue
        words.update(w.lower() for w in _WORD.findall(text))
    return words


def _cue_words() -> set[str]:
    raw = (CORPUS_DIR / "situations.yaml").read_text(encoding="utf-8")
    return {w.lower() for w in re.findall(r"[a-z]{4,}", raw)}


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """Words of English and of the license texts."""
    return frozenset(_vocab_words() | _license_words())


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """The dictionary: English, the license texts, and the cue words (some of them in other languages)."""
    return _english() | frozenset(_cue_words())


_LETTERS = "abcdefghijklmnopqrstuvwxyz-"
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "ers")


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | transposes | replaces | inserts


def _is_known(low: str) -> bool:
    known = _known()
    if low in known or low.replace("-", "") in known:
        return True
    # an inflection of a known word ("refusals", "hosted") is a word, not a typo
    return any(low.endswith(x) and low[: -len(x)] in _english() for x in _SUFFIXES)


@lru_cache(maxsize=4096)
def mend_word(word: str) -> str:
    """The dictionary word `word` is a typo of, or `word` itself."""
    low = word.lower()
    if len(low) < MIN_LENGTH or _is_known(low):
        return word
    nearest = _one_edit(low) & _known()
    return next(iter(nearest)) if len(nearest) == 1 else word


def mend(text: str) -> str:
    """`text` with its typos mended; quoted names, ids and capitalised names are kept as written."""
    if not text:
        return text
    keep = [m.span() for m in _QUOTED.finditer(text)]

    def fix(m: re.Match[str]) -> str:
        word, start, end = m.group(0), m.start(), m.end()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        in_id = before in "/_.@#" or after in "/_@" or after.isdigit()  # "meta-llama/Llama-3.1", "v2"
        proper = word[0].isupper() and start > 0 and text[start - 2 : start] != ". "  # capitalised mid-sentence
        if in_id or proper or any(a <= start < b for a, b in keep):
            return word
        return mend_word(word)

    return _WORD.sub(fix, text)
