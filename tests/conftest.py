"""Shared fixtures: one real index (real LicenseDB, real parser, real embedding model, embedded Chroma) per run,
and a real `chroma run` server on 127.0.0.1 for the server-mode tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.pop("CHROMA_HOST", None)  # the default fixtures test the embedded store
os.environ.pop("CHROMA_PORT", None)

#: A persistent home for the test index, so an unchanged index is reused across runs (the fingerprint guards it).
TEST_HOME = Path(os.environ.get("LICENSE_ASSISTANT_TEST_HOME", REPO_ROOT / ".cache" / "test-home"))


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(home=TEST_HOME)


@pytest.fixture(scope="session")
def searcher(settings):
    from assistant.search import Searcher

    return Searcher(settings, progress=False)


def stop_process(proc: subprocess.Popen | None) -> None:
    """Terminate a server process started by a test, killing it if it does not exit in time."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """A real Chroma server process on loopback, which tests may stop and start again on the same port."""

    def __init__(self, path: Path, port: int):
        self.path, self.port, self.host = path, port, "127.0.0.1"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
        assert exe, "the chroma CLI ships with the chromadb wheel"
        self.log = open(self.path.parent / f"chroma-{self.port}.log", "ab")
        self.proc = subprocess.Popen(
            [exe, "run", "--path", str(self.path), "--host", self.host, "--port", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    pass
                import chromadb

                chromadb.HttpClient(host=self.host, port=self.port).heartbeat()
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"chroma run exited with {self.proc.returncode}") from None
                time.sleep(0.3)
        raise RuntimeError("chroma server did not come up in time")

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "data", free_port())
    server.start()
    yield server
    server.stop()
