"""Benchmark the index: build time against the embedding floor, reuse time, search latency, peak memory.

The floor is the bundled model encoding the same clauses and nothing else (one encode call, batch 64, model
loaded before the clock starts), measured in the same run as the default build, so both see the same machine.

    python bench/bench_index.py                 # default set, in a fresh temporary home
    python bench/bench_index.py --all           # the whole LicenseDB
    python bench/bench_index.py --home DIR      # reuse/build in DIR instead

Each phase runs in its own process, so "reuse" and "first search" are measured as a new user would see them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = [
    "monthly active users greater than 700 million", "can I use the outputs to train another model",
    "redistribution must include a copy of this agreement", "Built with Llama attribution",
    "non-commercial research purposes only", "patent license terminates on litigation", "acceptable use policy",
    "annual revenue exceeds one million dollars", "governing law and jurisdiction", "warranty disclaimer as is",
    "modified files must carry prominent notices", "share alike same license", "military surveillance prohibited",
    "territory excludes the European Union", "trademark use of the licensor's name", "sublicense rights",
    "termination upon breach delete all copies", "derivatives of the model distillation synthetic data",
    "hosting the model as a service API", "no discrimination against fields of endeavor",
]


def _phase(args: argparse.Namespace, phase: str) -> dict:
    """Run one phase in a fresh interpreter and return its JSON report."""
    cmd = [sys.executable, __file__, "--phase", phase, "--home", args.home] + (["--all"] if args.all else [])
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _settings(args):
    from dataclasses import replace

    from assistant.config import Settings

    s = Settings(home=Path(args.home))
    return replace(s, scope="all") if args.all else s


def run_floor(args: argparse.Namespace) -> dict:
    """The embedding floor: the model encoding every clause text of the scope, nothing else timed."""
    from assistant.embeddings import DOCUMENT_BATCH, SentenceEmbedder
    from assistant.index import collect_chunks

    texts = [c.embedding_text() for c in collect_chunks(_settings(args))]
    model = SentenceEmbedder()._model
    model.encode(texts[:8])  # warm up
    t0 = time.perf_counter()
    model.encode(texts, batch_size=DOCUMENT_BATCH, normalize_embeddings=True, convert_to_numpy=True)
    took = time.perf_counter() - t0
    return {"phase": "floor", "chunks": len(texts), "floor_s": round(took, 2)}


def run_phase(args: argparse.Namespace) -> dict:
    from assistant.index import open_index

    if args.phase == "floor":
        return run_floor(args)

    t0 = time.perf_counter()
    idx = open_index(_settings(args), progress=False)
    opened = time.perf_counter() - t0
    report = {
        "phase": args.phase, "open_s": round(opened, 2), "chunks": idx.manifest.n_chunks,
        "documents": idx.manifest.n_documents, "build_s": idx.manifest.build_seconds,
        "phases": idx.manifest.phases,
    }
    if args.phase == "search":
        from assistant.search import Searcher

        s = Searcher(idx.settings, index=idx)
        t1 = time.perf_counter()
        s.search(QUERIES[0], k=5)
        report["first_search_ms"] = round((time.perf_counter() - t1) * 1000, 1)
        rng = random.Random(0)
        keys = sorted(idx.doc_keys - {k for k in idx.doc_keys if k.startswith("def:")})
        lat = []
        for i in range(200):
            q = QUERIES[i % len(QUERIES)]
            lic = [rng.choice(keys)] if i % 2 else None  # half filtered to one license, half over everything
            t = time.perf_counter()
            s.search(q, licenses=lic, k=5)
            lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        report["search_p50_ms"] = round(statistics.median(lat), 1)
        report["search_p95_ms"] = round(lat[int(0.95 * len(lat)) - 1], 1)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    disk = sum(p.stat().st_size for p in idx.folder.rglob("*") if p.is_file())
    report["index_mb"] = round(disk / 1e6, 1)
    return report


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", help="cache directory (default: a new temporary one, so the first phase builds)")
    p.add_argument("--all", action="store_true", help="the whole LicenseDB")
    p.add_argument("--no-floor", action="store_true", help="skip measuring the embedding floor")
    p.add_argument("--phase", choices=["floor", "build", "reuse", "search"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args)))
        return
    args.home = args.home or tempfile.mkdtemp(prefix="la-bench-")
    # The floor is measured before and after the build and averaged: on a shared machine the load drifts.
    floors = [_phase(args, "floor")] if not args.no_floor else []
    build = _phase(args, "build")
    floors += [_phase(args, "floor")] if floors else []
    floor = None
    if floors:
        floor = {"chunks": floors[0]["chunks"], "floor_s": sum(f["floor_s"] for f in floors) / len(floors)}
    reuse = _phase(args, "reuse")
    search = _phase(args, "search")
    rows = {
        "scope": "all" if args.all else "default",
        "chunks": build["chunks"], "documents": build["documents"],
    }
    if floor:
        rows.update({
            "floor_s (model encoding only)": round(floor["floor_s"], 2),
            "floor_s before / after the build": " / ".join(str(f["floor_s"]) for f in floors),
            "floor_chunks_per_s": round(floor["chunks"] / max(floor["floor_s"], 1e-9), 1),
        })
    rows.update({
        "build_s": build["build_s"], "chunks_per_s": round(build["chunks"] / max(build["build_s"], 1e-9), 1),
    })
    rows["build phases (s)"] = ", ".join(f"{k} {v}" for k, v in build["phases"].items())
    if floor:
        rows["build / floor"] = round(build["build_s"] / max(floor["floor_s"], 1e-9), 2)
    rows.update({
        "build_peak_rss_mb": build["peak_rss_mb"], "index_mb": build["index_mb"],
        "reuse_s": reuse["open_s"], "first_search_ms": search["first_search_ms"],
        "search_p50_ms": search["search_p50_ms"], "search_p95_ms": search["search_p95_ms"],
        "search_peak_rss_mb": search["peak_rss_mb"],
    })
    width = max(map(len, rows))
    for k, v in rows.items():
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
