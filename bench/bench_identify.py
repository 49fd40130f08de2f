"""How long license identification takes: the first use of ScanCode's index, then one ~10 KB input.

    python bench/bench_identify.py             # cold load in a fresh process + warm detection times
    python bench/bench_identify.py --build     # also build the index from scratch in a temporary directory
    python bench/bench_identify.py --json      # one JSON object instead of text

Cold numbers come from fresh subprocesses, because the index is loaded once per process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGET_WARM_S = 2.0
SIZE = 10_000

_COLD = """
import json, resource, time
t0 = time.perf_counter()
from assistant.identify import warm_up, identify
t1 = time.perf_counter()
warm_up()
t2 = time.perf_counter()
identify("Licensed under the MIT License.")
print(json.dumps({"import_s": t1 - t0, "warm_up_s": t2 - t1,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def cold(env: dict[str, str] | None = None) -> dict:
    cmd = [sys.executable, "-c", _COLD]
    out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def inputs() -> dict[str, str]:
    """Three ~10 KB inputs: a license text cut short (the slowest path: sequence matching), a license file with
    an added paragraph, and a model card of plain prose with a one-line license notice."""
    from assistant.licensedb import load_license

    apache = load_license("apache-2.0").text
    gemma = load_license("gemma-tou-2024-04-01").text
    prose = ("This model was fine-tuned for customer support chat on a mix of public and synthetic dialogues. "
             "Evaluate it on your own data before use; it can produce wrong or outdated answers. ")
    card = "---\nlicense: apache-2.0\nbase_model: Qwen/Qwen2.5-7B\n---\n# Support model\n\n"
    card += (prose * (SIZE // len(prose) + 1))[: SIZE - len(card) - 80]
    card += "\n\n## License\n\nReleased under Apache 2.0.\n"
    extra = "\n\nAdditional terms: you may not use the model to provide legal advice. " * 40
    return {
        "apache-2.0 first 10 KB (partial)": apache[:SIZE],
        "gemma ToU + added paragraphs": (gemma + extra)[:SIZE],
        "model card, prose + notice": card,
    }


def warm(runs: int) -> dict[str, dict]:
    from assistant.identify import identify, warm_up

    warm_up()
    results = {}
    for name, text in inputs().items():
        identify(text)  # untimed: the first call also loads the model catalog and the identifier table
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            found = identify(text)
            times.append(time.perf_counter() - t)
        results[name] = {
            "bytes": len(text.encode()),
            "median_s": statistics.median(times),
            "max_s": max(times),
            "licenses": found.license_keys,
            "modified": any(f.modified for f in found.findings),
        }
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="warm runs per input (default 5)")
    p.add_argument("--build", action="store_true", help="also time building the index from scratch (minutes)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    from assistant.identify import index_cache_dirs, index_is_cached

    report: dict = {"index_dir": str(index_cache_dirs()[0]), "index_cached": index_is_cached()}
    if args.build:
        with tempfile.TemporaryDirectory(prefix="scancode-index-") as tmp:
            env = dict(os.environ, SCANCODE_LICENSE_INDEX_CACHE=tmp, SCANCODE_CACHE=tmp)
            report["build_from_scratch"] = cold(env)
            report["load_after_build"] = cold(env)
    report["cold_load"] = cold()
    report["warm"] = warm(args.runs)
    worst = max(r["median_s"] for r in report["warm"].values())
    report["warm_target_s"] = TARGET_WARM_S
    report["warm_ok"] = worst < TARGET_WARM_S
    report["load_average_1min"] = os.getloadavg()[0]
    report["cpus"] = os.cpu_count()

    if args.json:
        print(json.dumps(report, indent=2))
        return 0 if report["warm_ok"] else 1
    print(f"index: {report['index_dir']} (cached: {report['index_cached']})")
    for label in ("build_from_scratch", "load_after_build", "cold_load"):
        if label in report:
            r = report[label]
            print(f"{label:>20}: import {r['import_s']:.1f} s, index {r['warm_up_s']:.1f} s, "
                  f"peak memory {r['max_rss_mb']:.0f} MB")
    for name, r in report["warm"].items():
        print(f"warm  {name:<36} {r['bytes']:>6} B  median {r['median_s']:.3f} s  max {r['max_s']:.3f} s  "
              f"-> {', '.join(r['licenses']) or 'none'}{' (modified)' if r['modified'] else ''}")
    print(f"warm detection under {TARGET_WARM_S:.0f} s: {'yes' if report['warm_ok'] else 'NO'} "
          f"(slowest median {worst:.3f} s; load average {report['load_average_1min']:.1f} on {report['cpus']} CPUs)")
    return 0 if report["warm_ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
