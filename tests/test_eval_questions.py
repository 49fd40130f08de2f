"""The labelled question set: schema, license keys, verbatim evidence, and the coverage it promises."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache, lru_cache

import jsonschema
import pytest

from assistant.licensedb import license_keys, load_license
from eval.runner import DEFAULT_QUESTIONS, FACETS, QUESTION_SCHEMA, QuestionFileError, load_questions

OPENNESS = {"openness_definition", "data_availability"}
FIGURE = re.compile(
    r"\$\s?\d|\d[\d,.]*\s*(k|m|bn|million|milion|billion|millions)\b|\d{1,3}(,\d{3})+|\bexactly\b.*\d", re.I
)


@lru_cache(maxsize=1)
def rows() -> list[dict]:
    return [json.loads(line) for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def keys_of(row: dict) -> list[str]:
    lic = row["license"]
    return [] if lic is None else [lic] if isinstance(lic, str) else list(lic)


@cache
def folded_text(key: str) -> str:
    return re.sub(r"\s+", " ", load_license(key).text).strip()


def test_every_line_is_valid_json_and_follows_the_schema():
    validator = jsonschema.Draft202012Validator(QUESTION_SCHEMA)
    for n, row in enumerate(rows(), 1):
        errors = list(validator.iter_errors(row))
        assert not errors, f"line {n} ({row.get('id')}): {errors[0].message}"
    assert len(load_questions(DEFAULT_QUESTIONS)) == len(rows())  # the runner's loader accepts the file too


def test_ids_are_unique():
    ids = [r["id"] for r in rows()]
    assert len(ids) == len(set(ids))


def test_every_license_key_exists_in_the_licensedb():
    known = set(license_keys())
    unknown = {(r["id"], k) for r in rows() for k in keys_of(r) if k not in known}
    assert not unknown


def test_every_evidence_string_is_verbatim_in_its_license_text():
    missing = []
    for r in rows():
        texts = [folded_text(k) for k in keys_of(r)]
        for e in r["evidence"]:
            if not any(re.sub(r"\s+", " ", e).strip() in t for t in texts):
                missing.append((r["id"], e))
    assert not missing


def test_evidence_is_short_and_present_where_a_text_decides():
    for r in rows():
        assert len(r["evidence"]) <= 3, r["id"]
        for e in r["evidence"]:
            assert 4 <= len(e.split()) <= 25, (r["id"], e)
        if not r["evidence"]:
            # only definition questions, unknown licenses and texts that say nothing may go without evidence
            assert r["license"] is None or r["verdict"] == "not_addressed" or r["facet"] in OPENNESS, r["id"]


def test_a_question_whose_license_the_licensedb_lacks_quotes_nothing():
    # its verdict comes from the terms recorded in the project's own words; no clause can be quoted
    for r in rows():
        if r["license"] is None:
            assert r["evidence"] == [], r["id"]


def test_size_and_spread():
    assert len(rows()) >= 220
    licenses = Counter(k for r in rows() for k in keys_of(r))
    assert len(licenses) >= 25
    facets = Counter(r["facet"] for r in rows())
    thin = {f: facets.get(f, 0) for f in FACETS if facets.get(f, 0) < 5}
    assert not thin, f"facets asked fewer than 5 times: {thin}"
    assert set(Counter(r["verdict"] for r in rows())) == {"yes", "no", "conditional", "not_addressed"}


def test_coverage_of_question_kinds():
    rs = rows()
    assert sum(1 for r in rs if FIGURE.search(r["question"])) >= 35
    assert sum(1 for r in rs if r.get("model")) >= 25
    assert sum(1 for r in rs if r["facet"] in OPENNESS) >= 20
    assert sum(1 for r in rs if isinstance(r["license"], list)) >= 12
    messy = [r for r in rs if r.get("history") or (r.get("source") or "") == "adversarial" or len(r["question"]) > 400]
    assert len(messy) >= 20
    assert sum(1 for r in rs if r.get("history")) >= 5
    assert sum(1 for r in rs if r["license"] is None) >= 5  # licenses the LicenseDB lacks, answered from facts
    assert any(re.search(r"ignore (your|all)", r["question"], re.I) for r in rs)


@pytest.mark.parametrize(
    "keys, facet, verdicts",
    [
        ({"llama-2-license-2023", "llama-3.1-license-2024", "llama-3.3-license-2024"}, "user_threshold", {"yes", "no"}),
        ({"qwen-2024", "tongyi-qianwen-2023"}, "user_threshold", {"yes", "no"}),
        ({"stability-ai-community-2024"}, "revenue_threshold", {"yes", "no"}),
        ({"tencent-hunyuan-3d-2.0-cla"}, "user_threshold", {"yes", "no"}),
        ({"moonshot-ai-modified-mit-2025"}, "user_threshold", {"no", "conditional"}),
        ({"moonshot-ai-modified-mit-2025"}, "revenue_threshold", {"no", "conditional"}),
    ],
)
def test_thresholds_are_asked_on_both_sides_with_a_figure(keys, facet, verdicts):
    seen = {r["verdict"] for r in rows()
            if set(keys_of(r)) & keys and r["facet"] == facet and FIGURE.search(r["question"])}
    assert verdicts <= seen


def test_loader_reports_the_line_of_a_bad_question(tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = dict(rows()[0])
    bad.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "x2", "verdict": "maybe"}) + "\n")
    with pytest.raises(QuestionFileError, match=r"bad.jsonl:2: verdict"):
        load_questions(bad)
