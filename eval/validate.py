"""`python -m eval.validate FILE...`: check labelled question files before they are used.

Checks what a label needs to be trusted: the schema, unique ids, license keys that exist in the LicenseDB, and
evidence strings that occur verbatim (whitespace folded) in one of the labelled licenses' texts. Exit 0 when every
file passes, 1 when a row fails (each failure is printed with its file and id), 2 for an unreadable file.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from eval.runner import QuestionFileError, load_invariance, load_questions


def keys_of(row: dict) -> list[str]:
    lic = row.get("license")
    return [] if lic is None else [lic] if isinstance(lic, str) else list(lic)


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def folded_text(key: str) -> str | None:
    from assistant.licensedb import load_license

    try:
        return fold(load_license(key).text)
    except KeyError:
        return None


def row_problems(row: dict) -> list[str]:
    """What is wrong with one labelled row (empty when nothing is)."""
    problems = []
    texts = []
    for key in keys_of(row):
        text = folded_text(key)
        if text is None:
            problems.append(f"license key {key!r} is not in the LicenseDB")
        else:
            texts.append(text)
    for ev in row.get("evidence") or []:
        if texts and not any(fold(ev) in t for t in texts):
            problems.append(f"evidence not verbatim in {keys_of(row)}: {ev[:80]!r}")
    if row.get("evidence") and not keys_of(row):
        problems.append("evidence given but license is null")
    return problems


def load_rows(path: Path) -> list[dict]:
    """A question file, or an invariance file (its lines carry "variants") checked with its own schema."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    return load_invariance(path) if '"variants"' in first else load_questions(path)


def validate(paths: Iterable[Path]) -> tuple[int, list[str]]:
    """(rows checked, failure messages) over all files; ids must be unique across the files too."""
    failures: list[str] = []
    seen: dict[str, Path] = {}
    count = 0
    for path in paths:
        for row in load_rows(path):
            count += 1
            if row["id"] in seen:
                failures.append(f"{path}: {row['id']}: id also used in {seen[row['id']]}")
            seen[row["id"]] = path
            failures += [f"{path}: {row['id']}: {p}" for p in row_problems(row)]
    return count, failures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.validate", description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", type=Path)
    args = p.parse_args(argv)
    try:
        count, failures = validate(args.files)
    except QuestionFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    for f in failures:
        print(f)
    print(f"{count} rows checked, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
