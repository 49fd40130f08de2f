"""The eval runner and its metrics, on hand-made answers (the metrics are the unit under test)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib.image as mpimg
import pytest

from assistant.answer import Answer, Citation
from assistant.licensedb import load_license
from eval.__main__ import main
from eval.metrics import aggregate, check_quotes, percentile, recall_curve, score_answer
from eval.report import PLOTS
from eval.runner import missed_thresholds, run_eval

MIT = load_license("mit").text
GRANT = "Permission is hereby granted, free of charge"
NOTICE = "The above copyright notice and this permission notice"


def cite(key: str, text: str, phrase: str, quote: str | None = None) -> Citation:
    start = text.index(phrase)
    end = start + len(phrase)
    quote = text[start:end] if quote is None else quote
    return Citation(license_key=key, license_name=key, section_id="¶1", heading="", quote=quote, start=start,
                    end=end, source_url="")


def question(qid: str, verdict: str = "yes", license="mit", evidence=(GRANT,), facet="commercial_use",
             text=None) -> dict:
    return {"id": qid, "question": text or f"question {qid}?", "license": license, "model": None, "history": [],
            "facet": facet, "verdict": verdict, "evidence": list(evidence), "source": None, "note": None}


def answer(verdict, licenses=("mit",), citations=(), retrieved=(), latency=10.0) -> Answer:
    return Answer(question="q", verdict=verdict, text="", citations=list(citations), licenses=list(licenses),
                  retrieved=[{"doc_key": "mit", "section_id": "¶1", "text": t} for t in retrieved], latency_ms=latency)


def test_a_wrong_verdict_lowers_accuracy_and_shows_in_the_confusion_matrix():
    qs = [question("a", "yes"), question("b", "no")]
    scores = [score_answer(qs[0], answer("yes")), score_answer(qs[1], answer("conditional"))]
    m = aggregate(scores)
    assert m["verdict_accuracy"] == pytest.approx(0.5)
    assert m["confusion"]["no"]["conditional"] == 1 and m["confusion"]["yes"]["yes"] == 1
    assert m["per_verdict"]["no"]["verdict_accuracy"] == 0.0
    assert m["per_facet"]["commercial_use"]["n"] == 2


def test_a_missing_verdict_counts_as_wrong():
    s = score_answer(question("a", "not_addressed"), answer(None))
    assert not s.verdict_ok and s.verdict == "none"


def test_a_non_verbatim_quote_lowers_fidelity():
    good = cite("mit", MIT, GRANT)
    bad = cite("mit", MIT, NOTICE, quote="The above copyright notice MAY be dropped")
    s_good = score_answer(question("a"), answer("yes", citations=[good]))
    s_bad = score_answer(question("b"), answer("yes", citations=[good, bad]))
    assert aggregate([s_good])["quote_fidelity"] == 1.0
    assert aggregate([s_good, s_bad])["quote_fidelity"] == pytest.approx(2 / 3)
    assert s_bad.bad_quotes and s_bad.bad_quotes[0]["quote"].startswith("The above copyright notice MAY")


def test_a_quote_with_offsets_of_another_place_is_not_verbatim():
    c = cite("mit", MIT, GRANT)
    shifted = Citation(**{**c.__dict__, "start": c.start + 1, "end": c.end + 1})
    assert check_quotes([shifted]).verbatim == 0


def test_definition_quotes_are_checked_against_the_card_or_counted_as_skipped():
    card = "Free redistribution: no royalty may be required."
    d = Citation(license_key="def:osd", license_name="OSD", section_id="OSD-1", heading="", quote=card[:19],
                 start=0, end=19, source_url="", kind="definition")
    found = check_quotes([d], source=lambda key, sec: card if sec == "OSD-1" else None)
    assert (found.checked, found.verbatim, found.skipped_definitions) == (1, 1, 0)
    unknown = check_quotes([d], source=lambda key, sec: None)
    assert (unknown.checked, unknown.skipped_definitions) == (0, 1)
    assert aggregate([score_answer(question("a"), answer("yes", citations=[d]),
                                   source=lambda k, s: None)])["quote_fidelity"] is None


def test_license_resolution_compares_sets_and_null_gold_wants_nothing_resolved():
    two = question("a", license=["mit", "apache-2.0"])
    assert score_answer(two, answer("yes", licenses=["apache-2.0", "mit"])).license_ok
    assert not score_answer(two, answer("yes", licenses=["mit"])).license_ok
    unknown = question("b", "not_addressed", license=None, evidence=())
    assert score_answer(unknown, answer("not_addressed", licenses=[])).license_ok
    assert not score_answer(unknown, answer("not_addressed", licenses=["mit"])).license_ok


def test_evidence_recall_folds_case_and_whitespace():
    q = question("a", evidence=[GRANT, NOTICE])
    quote = "PERMISSION is hereby\n   granted, free of charge, to any person"
    c = Citation(license_key="mit", license_name="MIT", section_id="¶1", heading="", quote=quote, start=0,
                 end=len(quote), source_url="")
    assert score_answer(q, answer("yes", citations=[c])).evidence_recall == pytest.approx(0.5)
    assert score_answer(q, answer("yes")).evidence_recall == 0.0
    assert score_answer(question("b", evidence=()), answer("yes")).evidence_recall is None


def test_retrieval_recall_only_counts_the_top_k_chunks():
    q = question("a", evidence=[GRANT])
    chunks = ["unrelated"] * 5 + [MIT]
    assert score_answer(q, answer("yes", retrieved=chunks), k=5).retrieval_recall_at_5 == 0.0
    assert score_answer(q, answer("yes", retrieved=[MIT]), k=5).retrieval_recall_at_5 == 1.0
    curve = recall_curve([[GRANT]], [["x", "y", MIT]], ks=(1, 3))
    assert curve == {"1": 0.0, "3": 1.0}


def test_latency_percentiles():
    assert percentile([10, 20, 30, 40, 50], 50) == 30
    assert percentile([10, 20], 95) == pytest.approx(19.5)
    assert percentile([], 50) is None


def test_thresholds_name_the_metric_that_missed():
    msgs = missed_thresholds({"verdict_accuracy": 0.6, "quote_fidelity": None, "evidence_recall": 0.9},
                             {"min_verdict_accuracy": 0.8, "min_quote_fidelity": 1.0, "min_evidence_recall": 0.5})
    assert any("verdict_accuracy" in m and "--min-verdict-accuracy" in m for m in msgs)
    assert any("quote_fidelity" in m and "not measured" in m for m in msgs)
    assert not any("evidence_recall" in m for m in msgs)


# ------------------------------------------------------------------------------------------ the CLI


@dataclass
class FakeHit:
    text: str


class FakeSearcher:
    """Returns the MIT text only in hybrid mode, so the curves of the modes differ."""

    def __init__(self):
        self.calls = []

    def search(self, query, licenses=None, k=5, mode="hybrid"):
        self.calls.append((query, licenses, k, mode))
        return [FakeHit(MIT if mode == "hybrid" else "nothing useful")] * min(k, 3)


class FakeAssistant:
    """Answers from a table keyed by question text; raises for anything it does not know."""

    def __init__(self, table):
        self.table = table
        self.searcher = FakeSearcher()
        self.histories = []

    def ask(self, question, history=None):
        self.histories.append(history)
        if question not in self.table:
            raise RuntimeError("index not built")
        return self.table[question]


THREE = [
    question("c1", "yes", text="Can I sell an app using an MIT model?"),
    question("c2", "no", text="Can I ship GPL code closed source?", license="gpl-3.0", evidence=()),
    {**question("c3", "conditional", text="and for this one?"), "history": ["Looking at an MIT model."]},
]


def fake_table():
    good = cite("mit", MIT, GRANT)
    return {
        "Can I sell an app using an MIT model?": answer("yes", citations=[good], retrieved=[MIT], latency=12),
        "Can I ship GPL code closed source?": answer("yes", licenses=["gpl-3.0"], latency=30),
        "and for this one?": answer("conditional", citations=[good], retrieved=[MIT], latency=20),
    }


def write_questions(tmp_path: Path, rows) -> Path:
    p = tmp_path / "mine.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return p


def test_cli_scores_a_custom_three_line_file_and_writes_the_report(tmp_path, capsys):
    qfile = write_questions(tmp_path, THREE)
    out = tmp_path / "report"
    fake = FakeAssistant(fake_table())
    rc = main(["--questions", str(qfile), "--report", str(out), "--no-progress"], make_assistant=lambda llm, p: fake)
    assert rc == 0
    assert fake.histories[2] == ["Looking at an MIT model."]  # follow-ups are asked with their history
    m = json.loads((out / "metrics.json").read_text())
    for key in ("verdict_accuracy", "evidence_recall", "license_resolution", "quote_fidelity", "retrieval_recall_at_5",
                "latency_p50_ms", "latency_p95_ms", "n_questions", "per_facet", "per_verdict", "per_license",
                "confusion", "baselines"):
        assert key in m
    assert m["n_questions"] == 3 and m["verdict_accuracy"] == pytest.approx(2 / 3)
    assert m["quote_fidelity"] == 1.0 and m["latency_p50_ms"] == 20
    report = (out / "report.md").read_text()
    assert "Can I ship GPL code closed source?" in report  # the failure is listed with expected and got
    assert "expected: **no**" in report and "got: **yes**" in report
    for name in PLOTS:
        png = out / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert mpimg.imread(png).ndim == 3
    printed = capsys.readouterr().out
    assert "verdict accuracy" in printed and "66.7%" in printed


def test_cli_exits_non_zero_when_a_threshold_is_missed(tmp_path, capsys):
    qfile = write_questions(tmp_path, THREE)
    args = ["--questions", str(qfile), "--report", str(tmp_path / "r"), "--no-progress"]
    fake = lambda llm, p: FakeAssistant(fake_table())  # noqa: E731
    assert main([*args, "--min-verdict-accuracy", "0.9"], make_assistant=fake) == 1
    assert "verdict_accuracy" in capsys.readouterr().err
    assert main([*args, "--min-verdict-accuracy", "0.6", "--min-quote-fidelity", "1"], make_assistant=fake) == 0


def test_cli_limit_and_a_failing_question(tmp_path):
    table = fake_table()
    del table["Can I ship GPL code closed source?"]
    qfile = write_questions(tmp_path, THREE)
    out = tmp_path / "r"
    rc = main(["--questions", str(qfile), "--report", str(out), "--no-progress", "--limit", "2"],
              make_assistant=lambda llm, p: FakeAssistant(table))
    assert rc == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["n_questions"] == 2 and m["errors"] == 1
    assert "RuntimeError: index not built" in (out / "report.md").read_text()


def test_cli_rejects_a_broken_question_file(tmp_path, capsys):
    p = tmp_path / "broken.jsonl"
    p.write_text('{"id": "x"}\n')
    assert main(["--questions", str(p), "--report", str(tmp_path / "r")], make_assistant=lambda llm, pr: None) == 2
    assert "broken.jsonl:1" in capsys.readouterr().err


def test_baselines_get_their_own_recall_curves():
    fake = FakeAssistant(fake_table())
    base = {"bm25 only": lambda q, lic, k: ["nothing"] * k}
    result = run_eval(THREE, fake, searcher=fake.searcher, baselines=base, progress=False)
    assert result.curves["ours (hybrid)"]["3"] == 1.0
    assert result.curves["bm25 only"]["3"] == 0.0
    assert result.metrics["baselines"] == {"bm25 only": result.curves["bm25 only"]}
    # our retrieval is filtered to what the answer resolved
    assert fake.searcher.calls[0][1] == ["mit"]


def test_naive_baseline_splits_whole_texts_and_cleans_up_its_store():
    from langchain_core.embeddings import DeterministicFakeEmbedding

    from eval.baselines import NaiveLangChain

    with NaiveLangChain(["mit", "bsd-new"], embeddings=DeterministicFakeEmbedding(size=16), progress=False) as naive:
        where = Path(naive.dir)
        assert naive.n_chunks >= 2 and where.is_dir()
        texts = naive.retrieve("Permission is hereby granted", licenses=["apache-2.0"], k=2)  # filter ignored
        assert len(texts) == 2
        assert all(len(t) <= 1000 and (t in MIT or t in load_license("bsd-new").text) for t in texts)
    assert not where.exists()


# ------------------------------------------------------------------------------------------ splits


def test_error_analysis_puts_each_miss_in_the_first_cause_that_explains_it():
    from eval.metrics import error_analysis

    q = question("a", "no", facet="commercial_use", evidence=[GRANT, NOTICE])
    wrong_license = score_answer(q, answer("yes", licenses=["apache-2.0"]))
    wrong_facet = score_answer(q, Answer(question="q", verdict="yes", text="", licenses=["mit"], facets=["patent"]))
    wrong_rule = score_answer(q, Answer(question="q", verdict="yes", text="", licenses=["mit"],
                                        facets=["commercial_use"]))
    right_but_uncited = score_answer(q, answer("no", citations=[cite("mit", MIT, GRANT)]))
    groups = error_analysis([wrong_license, wrong_facet, wrong_rule, right_but_uncited])
    assert [len(groups[g]) for g in ("license resolution", "situation reading", "rule", "retrieval")] == [1, 1, 1, 1]
    assert groups["situation reading"][0].facet_got == "patent"


def test_invariance_summary_counts_agreement_gold_and_pairs():
    from eval.metrics import invariance_summary
    from eval.runner import expand_invariance

    sits = [{"id": "s1", "license": "mit", "facet": "commercial_use", "verdict": "yes", "evidence": [], "pair": "d1",
             "variants": [{"question": "a?", "how": "synonym"}, {"question": "b?", "how": "typo"}]},
            {"id": "s2", "license": "mit", "facet": "commercial_use", "verdict": "no", "evidence": [], "pair": "d1",
             "variants": [{"question": "c?", "how": "synonym"}, {"question": "d?", "how": "story"},
                          {"question": "e?", "how": "follow-up", "history": ["x"]}]}]
    rows = expand_invariance(sits)
    assert [r["id"] for r in rows] == ["s1.1", "s1.2", "s2.1", "s2.2", "s2.3"] and rows[4]["history"] == ["x"]
    got = ["yes", "yes", "no", "yes", "no"]
    scores = [score_answer(r, answer(v)) for r, v in zip(rows, got, strict=True)]
    inv = invariance_summary(rows, scores)
    assert inv["consistent"] == 0.5 and inv["all_gold"] == 0.5
    assert inv["pairs_ok"] == 1.0 and inv["pairs_ok_strict"] == 0.0  # s2's majority is right, one variant is not
    assert [r["id"] for r in inv["disagreements"]] == ["s2"]


def split_files(tmp_path: Path) -> list[str]:
    dev = write_questions(tmp_path, THREE)
    held = tmp_path / "held.jsonl"
    held.write_text(json.dumps(THREE[0] | {"id": "h1"}) + "\n" + json.dumps(THREE[1] | {"id": "h2"}) + "\n")
    inv = tmp_path / "inv.jsonl"
    sit = {"id": "s1", "license": "mit", "facet": "commercial_use", "verdict": "yes", "evidence": [GRANT],
           "pair": None, "variants": [{"question": THREE[0]["question"], "how": "synonym"},
                                      {"question": THREE[1]["question"], "how": "typo"}]}
    inv.write_text(json.dumps(sit) + "\n")
    return ["--dev-file", str(dev), "--heldout-file", str(held), "--invariance-file", str(inv)]


def test_cli_runs_the_splits_side_by_side_with_the_gap(tmp_path, capsys):
    out = tmp_path / "r"
    rc = main([*split_files(tmp_path), "--report", str(out), "--no-progress"],
              make_assistant=lambda llm, p: FakeAssistant(fake_table()))
    assert rc == 0
    m = json.loads((out / "metrics.json").read_text())
    assert set(m["splits"]) == {"dev", "heldout", "invariance"} and m["gate_split"] == "heldout"
    assert m["splits"]["heldout"]["verdict_accuracy"] == 0.5
    assert m["gap_points"]["verdict_accuracy"] == pytest.approx(100 * (2 / 3 - 0.5), abs=0.01)
    assert m["invariance"]["consistent"] == 1.0 and m["invariance"]["all_gold"] == 1.0  # both variants said yes
    assert m["error_analysis"]["heldout"]["license resolution"] == []
    assert m["error_analysis"]["heldout"]["situation reading"] == ["h2"]
    report = (out / "report.md").read_text()
    for text in ("gap dev - heldout", "Confusion: heldout", "### situation reading", "Directional pairs"):
        assert text in report
    assert (out / "heldout" / "report.md").is_file() and (out / "dev" / "metrics.json").is_file()
    lines = [json.loads(x) for x in (out / "scores.jsonl").read_text().splitlines()]
    assert {x["split"] for x in lines} == {"dev", "heldout", "invariance"} and len(lines) == 3 + 2 + 2
    printed = capsys.readouterr().out
    assert "gap dev - heldout" in printed and "+16.7 pts" in printed and "misses by cause" in printed


def test_cli_thresholds_apply_to_heldout_and_max_gap_to_the_gap(tmp_path, capsys):
    args = [*split_files(tmp_path), "--report", str(tmp_path / "r"), "--no-progress"]
    fake = lambda llm, p: FakeAssistant(fake_table())  # noqa: E731
    assert main([*args, "--min-verdict-accuracy", "0.6"], make_assistant=fake) == 1  # held-out is at 0.5
    assert "heldout: verdict_accuracy" in capsys.readouterr().err
    assert main([*args, "--min-verdict-accuracy", "0.5"], make_assistant=fake) == 0
    assert main([*args, "--max-gap", "10"], make_assistant=fake) == 1
    assert "--max-gap" in capsys.readouterr().err
    assert main([*args, "--max-gap", "20"], make_assistant=fake) == 0
    assert main([*args, "--split", "dev", "--min-verdict-accuracy", "0.6"], make_assistant=fake) == 0
    assert main([*args, "--split", "dev", "--max-gap", "5"], make_assistant=fake) == 2


def test_cli_one_split(tmp_path):
    out = tmp_path / "r"
    rc = main([*split_files(tmp_path), "--split", "invariance", "--report", str(out), "--no-progress"],
              make_assistant=lambda llm, p: FakeAssistant(fake_table()))
    assert rc == 0
    m = json.loads((out / "metrics.json").read_text())
    assert list(m["splits"]) == ["invariance"] and "gap_points" not in m and m["invariance"]["n_variants"] == 2


def test_accuracy_by_origin_compares_like_with_like():
    from eval.metrics import accuracy_by_origin, origin_of

    assert origin_of({"source": "https://github.com/x/y/issues/1"}) == "real thread"
    assert origin_of({"source": "messy"}) == "crafted" and origin_of({"source": "forum-style"}) == "forum-style"

    class S:
        def __init__(self, id, ok):
            self.id, self.verdict_ok = id, ok

    qs = [{"id": "a", "source": "https://x"}, {"id": "b", "source": "https://y"}, {"id": "c", "source": "crafted"}]
    got = accuracy_by_origin(qs, [S("a", True), S("b", False), S("c", True)])
    assert got == {"crafted": {"n": 1, "verdict_accuracy": 1.0}, "real thread": {"n": 2, "verdict_accuracy": 0.5}}
