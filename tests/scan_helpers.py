"""Builders for the scan tests: a copy of the fixture repository with the parts git cannot hold, and a Hugging Face
cache folder laid out as huggingface_hub writes it (blobs, refs, snapshots of symlinks)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

FIXTURE_REPO = Path(__file__).parent / "fixtures" / "scan_repo"
CACHE_REV = "0123456789abcdef0123456789abcdef01234567"

CARD_APACHE = """---
license: apache-2.0
library_name: transformers
pipeline_tag: text-classification
---

# cached-classifier
"""


def copy_repo(dest: Path) -> Path:
    """The fixture repository, plus a virtual environment and a file over 1 MB that must both be skipped."""
    root = dest / "project"
    shutil.copytree(FIXTURE_REPO, root)
    venv = root / "venv-local"
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib" / "hub.py").write_text('from transformers import AutoModel\nAutoModel.from_pretrained("in/venv")\n')
    big = 'from transformers import AutoModel\nAutoModel.from_pretrained("too/big")\n' + "#" * 1_100_000 + "\n"
    (root / "app" / "huge_generated.py").write_text(big)
    return root


def _add_repo(cache: Path, repo_id: str, files: dict[str, str]) -> None:
    folder = cache / ("models--" + repo_id.replace("/", "--"))
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(CACHE_REV)
    snap = folder / "snapshots" / CACHE_REV
    snap.mkdir(parents=True)
    (folder / "blobs").mkdir()
    for name, text in files.items():
        digest = hashlib.sha256(text.encode()).hexdigest()
        blob = folder / "blobs" / digest
        blob.write_text(text)
        os.symlink(os.path.relpath(blob, snap), snap / name)


def make_hf_cache(dest: Path) -> Path:
    """A cache with a catalog model (config only) and a model whose card declares its license."""
    cache = dest / "hf-cache" / "hub"
    cache.mkdir(parents=True)
    _add_repo(cache, "microsoft/Phi-3-mini-4k-instruct", {"config.json": '{"model_type": "phi3"}'})
    _add_repo(cache, "acme/cached-classifier", {"README.md": CARD_APACHE, "config.json": '{"model_type": "bert"}'})
    return cache
