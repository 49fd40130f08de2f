"""Load a labelled question file, ask the assistant every question, and score the answers.

The runner only needs two things from the assistant: an object with `ask(question, history=...)` returning an
`Answer`, and (for the recall@k curves) a searcher with `search(query, licenses=..., k=..., mode=...)`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from assistant.answer import VERDICTS
from eval.metrics import CURVE_KS, QuestionScore, aggregate, failed_score, recall_curve, score_answer

EVAL_DIR = Path(__file__).resolve().parent
DEFAULT_QUESTIONS = EVAL_DIR / "questions.jsonl"
DEFAULT_HELDOUT = EVAL_DIR / "heldout.jsonl"
DEFAULT_INVARIANCE = EVAL_DIR / "invariance.jsonl"
#: The labelled splits `python -m eval` runs by default: the dev split is tuned on, held-out is what is reported,
#: and the invariance set asks each situation several ways.
SPLITS: dict[str, Path] = {"dev": DEFAULT_QUESTIONS, "heldout": DEFAULT_HELDOUT, "invariance": DEFAULT_INVARIANCE}

FACETS: tuple[str, ...] = (
    "commercial_use", "user_threshold", "revenue_threshold", "output_use", "derivatives", "redistribution",
    "attribution", "naming", "acceptable_use", "field_of_use", "territory", "termination", "patent",
    "openness_definition", "data_availability", "warranty", "other",
)

_KEY = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9.+_-]*$"}
#: The schema of one line of a question file (see the design notes: "Labelled questions").
QUESTION_SCHEMA: dict = {
    "type": "object",
    "required": ["id", "question", "license", "facet", "verdict", "evidence"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "question": {"type": "string", "minLength": 1},
        "license": {"oneOf": [_KEY, {"type": "array", "items": _KEY, "minItems": 2, "uniqueItems": True},
                              {"type": "null"}]},
        "model": {"type": ["string", "null"]},
        "history": {"type": "array", "items": {"type": "string"}},
        "facet": {"enum": list(FACETS)},
        "verdict": {"enum": list(VERDICTS)},
        "evidence": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "source": {"type": ["string", "null"]},
        "note": {"type": ["string", "null"]},
    },
}

HOWS: tuple[str, ...] = ("synonym", "word order", "typo", "comparator", "unit", "negation", "story", "follow-up")

#: The schema of one situation of the invariance file: one gold verdict, asked several ways.
INVARIANCE_SCHEMA: dict = {
    "type": "object",
    "required": ["id", "license", "facet", "verdict", "evidence", "variants"],
    "additionalProperties": False,
    "properties": {
        **{k: QUESTION_SCHEMA["properties"][k] for k in ("id", "license", "model", "facet", "verdict", "evidence",
                                                         "source", "note")},
        "pair": {"type": ["string", "null"]},
        "variants": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["question", "how"], "additionalProperties": False,
            "properties": {"question": {"type": "string", "minLength": 1},
                           "history": {"type": "array", "items": {"type": "string"}},
                           "how": {"enum": list(HOWS)}}}},
    },
}

#: Command-line threshold name -> metrics.json key.
THRESHOLDS = {
    "min_verdict_accuracy": "verdict_accuracy",
    "min_evidence_recall": "evidence_recall",
    "min_license_resolution": "license_resolution",
    "min_quote_fidelity": "quote_fidelity",
}

#: A retrieval baseline: (query, resolved licenses or None, k) -> texts of the top-k chunks, best first.
Retrieve = Callable[[str, "list[str] | None", int], list[str]]


class QuestionFileError(ValueError):
    """A question file that cannot be used; the message names the file and line."""


def load_questions(path: str | Path, schema: dict = QUESTION_SCHEMA) -> list[dict]:
    """Read and validate a JSONL question file (blank lines and lines starting with '#' are skipped)."""
    path = Path(path)
    if not path.is_file():
        raise QuestionFileError(f"{path}: no such question file")
    validator = jsonschema.Draft202012Validator(schema)
    out, seen = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        errors = sorted(validator.iter_errors(row), key=lambda e: list(e.path))
        if errors:
            where = "/".join(str(p) for p in errors[0].path) or "(line)"
            raise QuestionFileError(f"{path}:{n}: {where}: {errors[0].message}")
        if row["id"] in seen:
            raise QuestionFileError(f"{path}:{n}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        if "variants" not in row:
            row.setdefault("history", [])
        row.setdefault("model", None)
        out.append(row)
    if not out:
        raise QuestionFileError(f"{path}: no questions")
    return out


def load_invariance(path: str | Path) -> list[dict]:
    """Read and validate an invariance file: one situation per line, each with its variants."""
    return load_questions(path, INVARIANCE_SCHEMA)


def expand_invariance(situations: Sequence[dict]) -> list[dict]:
    """One question row per variant (id `<situation>.<n>`), carrying the situation's gold labels."""
    out = []
    for sit in situations:
        for n, v in enumerate(sit["variants"], 1):
            out.append({"id": f"{sit['id']}.{n}", "question": v["question"], "history": list(v.get("history") or []),
                        "license": sit["license"], "model": sit.get("model"), "facet": sit["facet"],
                        "verdict": sit["verdict"], "evidence": list(sit["evidence"]), "source": sit.get("source"),
                        "note": sit.get("note"), "situation": sit["id"], "pair": sit.get("pair"), "how": v["how"]})
    return out


def load_split(name: str, path: str | Path, limit: int | None = None) -> list[dict]:
    """The question rows of one split; the invariance split is expanded to one row per variant.

    `limit` keeps the first N questions (for the invariance split: the first N situations, all their variants).
    """
    if name == "invariance":
        return expand_invariance(load_invariance(path)[:limit])
    return load_questions(path)[:limit]


def retrieval_query(question: dict) -> str:
    """What the retrievers are asked: earlier turns first, so 'this model' has its subject."""
    return "\n".join([*question.get("history", []), question["question"]])


@dataclass
class RunResult:
    scores: list[QuestionScore]
    metrics: dict
    curves: dict[str, dict[str, float | None]] = field(default_factory=dict)  # system -> str(k) -> recall


def _texts(hits: Sequence[Any]) -> list[str]:
    return [h.get("text", "") if isinstance(h, dict) else getattr(h, "text", "") for h in hits]


def searcher_retriever(searcher: Any, mode: str) -> Retrieve:
    """A retriever over the project's own index in one search mode, filtered to the resolved licenses."""

    def retrieve(query: str, licenses: list[str] | None, k: int) -> list[str]:
        return _texts(searcher.search(query, licenses=licenses or None, k=k, mode=mode))

    return retrieve


def run_eval(
    questions: Sequence[dict],
    assistant: Any,
    searcher: Any = None,
    k: int = 5,
    baselines: dict[str, Retrieve] | None = None,
    progress: bool = True,
) -> RunResult:
    """Ask every question, score each answer, and compute recall@k curves for our retrieval and the baselines.

    Our curve uses the assistant's searcher in hybrid mode, filtered to the licenses the answer resolved; the
    searcher-mode baselines get the same filter, so only the ranking differs. A baseline that ignores the filter
    (the naive pipeline) simply does not use it.
    """
    from tqdm import tqdm

    systems: dict[str, Retrieve] = {}
    if searcher is not None:
        systems["ours (hybrid)"] = searcher_retriever(searcher, "hybrid")
    systems.update(baselines or {})
    kmax = max(max(CURVE_KS), k)
    scores: list[QuestionScore] = []
    retrieved: dict[str, list[list[str]]] = {name: [] for name in systems}
    evidence: list[list[str]] = []
    for q in tqdm(questions, desc="eval", unit="q", disable=not progress):
        t0 = time.perf_counter()
        resolved: list[str] | None = None
        try:
            answer = assistant.ask(q["question"], history=q.get("history") or None)
            scores.append(score_answer(q, answer, k=k))
            resolved = list(answer.licenses or []) or None
        except Exception as exc:  # one broken answer must not stop the run; it is scored as a failure
            scores.append(failed_score(q, f"{type(exc).__name__}: {exc}", (time.perf_counter() - t0) * 1000))
        evidence.append(list(q.get("evidence") or []))
        query = retrieval_query(q)
        for name, retrieve in systems.items():
            try:
                retrieved[name].append(retrieve(query, resolved, kmax))
            except Exception:  # a retriever that fails on one query scores zero on it
                retrieved[name].append([])
    metrics = aggregate(scores)
    curves = {name: recall_curve(evidence, texts) for name, texts in retrieved.items()}
    metrics["retrieval_recall_at_k"] = curves
    metrics["baselines"] = {name: curve for name, curve in curves.items() if name != "ours (hybrid)"}
    return RunResult(scores=scores, metrics=metrics, curves=curves)


def missed_thresholds(metrics: dict, thresholds: dict[str, float | None]) -> list[str]:
    """One message per threshold the run missed (a metric that could not be measured counts as missed)."""
    out = []
    for option, key in THRESHOLDS.items():
        minimum = thresholds.get(option)
        if minimum is None:
            continue
        value = metrics.get(key)
        flag = "--" + option.replace("_", "-")
        if value is None:
            out.append(f"{key} was not measured (no data), but {flag} {minimum:g} was required")
        elif value < minimum:
            out.append(f"{key} = {value:.3f} is below {flag} {minimum:g}")
    return out
