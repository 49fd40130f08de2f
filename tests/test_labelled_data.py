"""The labelled data every split rests on: dev (eval/questions.jsonl), held-out (eval/heldout.jsonl) and the
invariance set (eval/invariance.jsonl). Fast and offline: it reads the files and the LicenseDB texts only.

The count checks state what the data set promises; their names start with `test_promise_`, so `-k promise` runs
them alone and `-k 'not promise'` runs the rest.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

from rapidfuzz import fuzz, process

from assistant.licensedb import license_keys
from eval.runner import HOWS, SPLITS, load_invariance, load_questions
from eval.validate import keys_of, row_problems

#: token_set_ratio (0..100) on lowercased questions at or above which a held-out question is a near-duplicate of a
#: dev question. rapidfuzz compares 200 x 400 questions in about a second; the bundled MiniLM model took about 50 s
#: to load and encode the same sets, so the lexical check is the one kept here.
NEAR_DUPLICATE = 90

#: What the data set promises (the count checks below).
MIN_DEV_PLUS_HELDOUT = 600
MIN_HELDOUT = 200
MIN_URL_SHARE = 0.40
MIN_SITUATIONS = 60
MIN_VARIANTS = 5
MIN_PAIRS = 12


@cache
def questions(split: str) -> tuple[dict, ...]:
    return tuple(load_questions(SPLITS[split]))


@cache
def situations() -> tuple[dict, ...]:
    return tuple(load_invariance(SPLITS["invariance"]))


def labelled() -> list[tuple[str, dict]]:
    return [(s, r) for s in ("dev", "heldout") for r in questions(s)] + [("invariance", r) for r in situations()]


def test_every_file_follows_its_schema():
    # the loaders validate every line against QUESTION_SCHEMA / INVARIANCE_SCHEMA and raise with file and line
    assert questions("dev") and questions("heldout") and situations()
    for sit in situations():
        assert all(v["how"] in HOWS for v in sit["variants"]), sit["id"]


def test_ids_are_unique_across_all_files():
    ids = Counter(r["id"] for _, r in labelled())
    assert not {i: n for i, n in ids.items() if n > 1}


def test_every_license_key_exists():
    known = set(license_keys())
    assert not {(r["id"], k) for _, r in labelled() for k in keys_of(r) if k not in known}


def test_every_evidence_string_is_verbatim_in_its_license_text():
    problems = [f"{split} {r['id']}: {p}" for split, r in labelled() for p in row_problems(r)]
    assert not problems, "\n".join(problems[:20])


def test_directional_pairs_are_two_situations_with_different_verdicts():
    pairs: dict[str, list[dict]] = {}
    for sit in situations():
        if sit.get("pair"):
            pairs.setdefault(sit["pair"], []).append(sit)
    for pid, members in pairs.items():
        assert len(members) == 2, pid
        assert members[0]["verdict"] != members[1]["verdict"], pid


def test_no_heldout_question_is_a_near_duplicate_of_a_dev_question():
    dev = [r["question"].lower() for r in questions("dev")]
    held = [r["question"].lower() for r in questions("heldout")]
    scores = process.cdist(held, dev, scorer=fuzz.token_set_ratio, score_cutoff=NEAR_DUPLICATE)
    dupes = [(questions("heldout")[i]["id"], questions("dev")[j]["id"])
             for i, row in enumerate(scores) for j, s in enumerate(row) if s >= NEAR_DUPLICATE]
    assert not dupes, f"held-out questions too close to dev questions: {dupes[:10]}"


# ------------------------------------------------------------------------------------------ what the set promises


def test_promise_dev_plus_heldout_has_at_least_600_rows():
    n = len(questions("dev")) + len(questions("heldout"))
    assert n >= MIN_DEV_PLUS_HELDOUT, f"dev + held-out = {n} rows, the set promises at least {MIN_DEV_PLUS_HELDOUT}"


def test_promise_heldout_has_at_least_200_rows():
    n = len(questions("heldout"))
    assert n >= MIN_HELDOUT, f"held-out = {n} rows, the set promises at least {MIN_HELDOUT}"


def test_promise_at_least_40_percent_of_rows_cite_a_real_source_url():
    rows = [*questions("dev"), *questions("heldout")]
    share = sum(1 for r in rows if (r.get("source") or "").startswith("http")) / len(rows)
    assert share >= MIN_URL_SHARE, f"{share:.1%} of dev + held-out rows have a source URL; promised {MIN_URL_SHARE:.0%}"


def test_promise_invariance_has_60_situations_asked_5_ways_and_12_directional_pairs():
    sits = situations()
    assert len(sits) >= MIN_SITUATIONS
    thin = [s["id"] for s in sits if len(s["variants"]) < MIN_VARIANTS]
    assert not thin, f"situations asked fewer than {MIN_VARIANTS} ways: {thin}"
    pairs = {s["pair"] for s in sits if s.get("pair")}
    assert len(pairs) >= MIN_PAIRS
