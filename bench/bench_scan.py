"""How long the finding step of `scan` takes on a generated tree of 10,000 files (code, configs, docs, model
folders, skipped folders), in a temporary directory.

    python bench/bench_scan.py [--files 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from assistant.scan import find_references, group

IDS = ["mistralai/Mistral-7B-v0.1", "meta-llama/Llama-3.1-8B-Instruct", "black-forest-labs/FLUX.1-dev",
       "sentence-transformers/all-MiniLM-L6-v2", "acme/internal-model"]  # fmt: skip


def make_tree(root: Path, n: int, seed: int = 0) -> int:
    rnd = random.Random(seed)
    filler = "\n".join(f"def f{i}(x):\n    return x * {i}\n" for i in range(60))  # ~1.5 KB of plain code
    written = 0
    for i in range(n):
        folder = root / f"pkg{i // 200}" / f"sub{(i // 20) % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = i % 10
        model = rnd.choice(IDS)
        if kind < 6:
            load = f'from transformers import AutoModel\nm = AutoModel.from_pretrained("{model}")\n'
            body = filler if i % 25 else load
            (folder / f"m{i}.py").write_text(body + filler)
        elif kind == 6:
            (folder / f"c{i}.yaml").write_text(f"name: job{i}\nmodel: {model}\nbatch: 8\n" + "x: 1\n" * 40)
        elif kind == 7:
            (folder / f"c{i}.json").write_text(json.dumps({"model_name": model, "k": 5}, indent=2))
        elif kind == 8:
            (folder / f"doc{i}.md").write_text("# Notes\n\n```bash\nollama pull llama3.1:8b\n```\n" + "text\n" * 50)
        else:
            (folder / f"data{i}.txt").write_text("plain text line\n" * 80)
        written += 1
    skipped = root / "node_modules" / "dep"
    skipped.mkdir(parents=True)
    for i in range(200):
        (skipped / f"x{i}.py").write_text('AutoModel.from_pretrained("never/found")\n')
    return written


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        n = make_tree(root, args.files)
        print(f"generated {n:,} files in {time.perf_counter() - t0:.1f} s")
        import huggingface_hub  # noqa: F401  (imported once, outside the timing)

        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            refs, folders = find_references(root)
            models = group(refs)
            times.append(time.perf_counter() - t0)
        print(f"finding step: {len(refs):,} references, {len(models)} distinct models, {len(folders)} model folders")
        print(f"  best {min(times):.2f} s, worst {max(times):.2f} s over {args.repeat} runs "
              f"({args.files / min(times):,.0f} files/s)")


if __name__ == "__main__":
    main()
