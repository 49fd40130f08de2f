"""The whole LicenseDB (`index --all`): chunking and BM25 at full scale, the embedding build within a time budget,
then index size, search latency and a long-tail question answered from retrieval.

    python bench/bench_scale.py --home DIR                  # everything; the build stops after --budget-min
    python bench/bench_scale.py --home DIR --budget-min 0   # only the parts that need no embedding
    python bench/bench_scale.py --home DIR --json out.json

Embeddings are cached in DIR/embeddings.sqlite, so a build stopped by the budget resumes where it stopped on the
next run. Each phase runs in its own process; peak memory is that process's maximum resident set.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench_index import QUERIES  # noqa: E402

LONG_TAIL = [  # (LicenseDB key, question): old and rare licenses outside the curated set
    ("bsd-original-uc", "Can I use this commercially, and must advertising materials mention the University?"),
    ("zpl-2.1", "May I redistribute modified versions of the software?"),
    ("artistic-1.0", "Can I sell a modified version of the package?"),
]


def _settings(home: str):
    from assistant.config import Settings

    return Settings(home=Path(home), scope="all")


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, int(p * len(v)))], 1)


def phase_static(args) -> dict:
    """Parse and chunk every license, build BM25 over all chunks, time lexical search: no embedding model."""
    from assistant.index import collect_chunks
    from assistant.lexical import LexicalIndex
    from assistant.licensedb import license_keys

    t0 = time.perf_counter()
    chunks = collect_chunks(_settings(args.home), list(license_keys()))
    chunk_s = time.perf_counter() - t0
    texts = [c.embedding_text() for c in chunks]
    t1 = time.perf_counter()
    lex = LexicalIndex.build(texts)
    bm25_s = time.perf_counter() - t1
    lat = []
    for i in range(200):
        t = time.perf_counter()
        lex.top(QUERIES[i % len(QUERIES)], 20, None)
        lat.append((time.perf_counter() - t) * 1000)
    return {
        "licenses": len(license_keys()), "chunks": len(chunks), "unique_texts": len(set(texts)),
        "documents": len({c.doc_key for c in chunks}), "chunk_s": round(chunk_s, 1), "bm25_build_s": round(bm25_s, 1),
        "bm25_p50_ms": _pct(lat, 0.5), "bm25_p95_ms": _pct(lat, 0.95), "chars": sum(len(t) for t in texts),
        "peak_rss_mb": _peak_mb(),
    }


def phase_build(args) -> dict:
    from assistant.index import open_index

    t0 = time.perf_counter()
    idx = open_index(_settings(args.home), progress=False)
    disk = sum(p.stat().st_size for p in idx.folder.rglob("*") if p.is_file())
    return {
        "open_s": round(time.perf_counter() - t0, 1), "build_s": idx.manifest.build_seconds,
        "chunks": idx.manifest.n_chunks, "documents": idx.manifest.n_documents, "index_mb": round(disk / 1e6, 1),
        "embedding_cache_mb": round((Path(args.home) / "embeddings.sqlite").stat().st_size / 1e6, 1),
        "peak_rss_mb": _peak_mb(),
    }


def phase_search(args) -> dict:
    import random

    from assistant.assistant import Assistant
    from assistant.citations import is_verbatim
    from assistant.index import open_index
    from assistant.search import Searcher

    t0 = time.perf_counter()
    idx = open_index(_settings(args.home), progress=False)
    reuse_s = time.perf_counter() - t0
    s = Searcher(idx.settings, index=idx)
    s.search(QUERIES[0], k=5)  # loads the model
    rng = random.Random(0)
    keys = sorted(k for k in idx.doc_keys if not k.startswith("def:"))
    lat = []
    for i in range(200):
        lic = [rng.choice(keys)] if i % 2 else None
        t = time.perf_counter()
        s.search(QUERIES[i % len(QUERIES)], licenses=lic, k=5)
        lat.append((time.perf_counter() - t) * 1000)
    bot = Assistant(settings=idx.settings, searcher=s, progress=False)
    tail = []
    for key, question in LONG_TAIL:
        a = bot.ask(question, licenses=[key])
        own = [c for c in a.citations if c.license_key == key]
        tail.append({
            "license": key, "verdict": a.verdict, "citations": len(own),
            "verbatim": all(is_verbatim(c) for c in a.citations),
            "retrieved_from_license": sum(1 for r in a.retrieved if r["doc_key"] == key),
            "first_section": own[0].section_id if own else None,
        })
    return {
        "reuse_s": round(reuse_s, 1), "search_p50_ms": _pct(lat, 0.5), "search_p95_ms": _pct(lat, 0.95),
        "long_tail": tail, "peak_rss_mb": _peak_mb(),
    }


def _child(args, phase: str) -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--phase", phase, "--home", args.home]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, start_new_session=True)


def _result(proc: subprocess.Popen) -> dict:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"phase failed with exit code {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1])


def _embedded(home: str) -> int:
    try:
        with sqlite3.connect(Path(home) / "embeddings.sqlite", timeout=30) as db:
            return db.execute("SELECT count(*) FROM vec").fetchone()[0]
    except sqlite3.Error:
        return 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", required=True, help="cache directory for the full index (kept: reruns resume)")
    p.add_argument("--budget-min", type=float, default=60, help="stop the embedding build after this (default 60)")
    p.add_argument("--json", help="also write the report here")
    p.add_argument("--phase", choices=["static", "build", "search"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        print(json.dumps({"static": phase_static, "build": phase_build, "search": phase_search}[args.phase](args)))
        return
    Path(args.home).mkdir(parents=True, exist_ok=True)
    report: dict = {"cpus": os.cpu_count(), "static": _result(_child(args, "static"))}
    unique = report["static"]["unique_texts"]
    if args.budget_min > 0:
        before, t0 = _embedded(args.home), time.monotonic()
        child = _child(args, "build")
        deadline = t0 + args.budget_min * 60
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(5)
        if child.poll() is None:  # over budget: stop it; the embedding cache keeps what was done
            os.killpg(child.pid, signal.SIGTERM)
            child.wait(30)
            done = _embedded(args.home)
            rate = (done - before) / max(time.monotonic() - t0, 1e-9)
            report["build"] = {
                "finished": False, "embedded": done, "of_unique_texts": unique,
                "chunks_per_s": round(rate, 1),
                "eta_min": round((unique - done) / rate / 60) if rate > 0 else None,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            }
        else:
            report["build"] = {"finished": True, **_result(child)}
            report["search"] = _result(_child(args, "search"))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
