"""Index lifecycle: reuse, rebuild on change, recovery from damage and interruption, locking, server mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from assistant.config import Settings
from assistant.index import IndexBuildError, fingerprint, index_root, open_index
from assistant.search import Searcher
from assistant.store import StoreUnavailable

SMALL = ("mit", "apache-2.0")


@pytest.fixture
def small(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", only=SMALL)


def test_build_then_reuse_without_rebuilding(small):
    first = open_index(small, progress=False)
    built_at = first.manifest.built_at
    assert {c.doc_key for c in first.chunks} >= set(SMALL)
    assert first.collection.count() == first.manifest.n_chunks
    t0 = time.perf_counter()
    again = open_index(small, progress=False)
    assert again.manifest.built_at == built_at, "an unchanged index must be reused, not rebuilt"
    assert time.perf_counter() - t0 < 3


def test_changed_inputs_change_the_fingerprint(small):
    assert fingerprint(small) != fingerprint(replace(small, only=("mit",)))
    assert fingerprint(small) != fingerprint(replace(small, embedding_model="some/other-model"))
    assert fingerprint(small) == fingerprint(replace(small))


def test_interrupted_build_is_never_served(small):
    idx = open_index(small, progress=False)
    (idx.folder / "manifest.json").unlink()  # what a build killed before its last step leaves behind
    again = open_index(small, progress=False)
    assert again.manifest.built_at > idx.manifest.built_at
    assert (again.folder / "manifest.json").exists()


@pytest.mark.parametrize("damage", ["truncate_chunks", "delete_chroma", "garbage_bm25"])
def test_damaged_index_is_detected_and_rebuilt(small, damage, capsys):
    idx = open_index(small, progress=False)
    folder = idx.folder
    if damage == "truncate_chunks":
        lines = (folder / "chunks.jsonl").read_text().splitlines()
        (folder / "chunks.jsonl").write_text("\n".join(lines[: len(lines) // 2]))
    elif damage == "delete_chroma":
        import shutil

        from assistant.store import forget_clients

        forget_clients()  # what a new process sees: Chroma's in-process client cache would hide the deletion
        shutil.rmtree(folder / "chroma")
    else:
        for p in (folder / "bm25").iterdir():
            p.write_bytes(b"\x00garbage")
    again = open_index(small, progress=False)
    assert "rebuilding" in capsys.readouterr().err
    assert again.manifest.built_at > idx.manifest.built_at
    hits = Searcher(small, index=again).search("permission is hereby granted free of charge", k=3)
    assert hits and hits[0].doc_key == "mit"


def test_killed_build_process_is_rebuilt_on_next_start(tmp_path):
    settings = Settings(home=tmp_path / "home", only=("gpl-3.0", "agpl-3.0", "gpl-2.0", "lgpl-3.0"))
    code = (
        "from assistant.index import open_index; from assistant.config import Settings; from pathlib import Path;"
        f"open_index(Settings(home=Path({str(settings.home)!r}), only={settings.only!r}), progress=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    base = index_root(settings) / fingerprint(settings)[:16]
    deadline = time.time() + 120
    while time.time() < deadline and not list(base.glob("builds/*/chroma")):
        time.sleep(0.1)
    time.sleep(0.5)
    proc.kill()
    proc.wait()
    killed = list(base.glob("builds/*"))
    assert not list(base.glob("builds/*/manifest.json")), "the build should have been killed before it finished"
    assert not (base / "current").exists(), "an interrupted build is never made current"
    idx = open_index(settings, progress=False)
    assert idx.collection.count() == idx.manifest.n_chunks
    assert {"gpl-3.0", "agpl-3.0"} <= idx.doc_keys
    assert not any(p.exists() for p in killed if p.is_dir()), "the interrupted build's folder is cleaned up"


def test_a_rebuild_never_pulls_the_index_from_under_a_reader(small):
    reader = open_index(small, progress=False)
    fresh = open_index(small, progress=False, rebuild=True)
    assert fresh.folder != reader.folder
    assert reader.folder.exists(), "a build another process still reads is not deleted"
    hits = Searcher(small, index=reader).search("permission is hereby granted", licenses=["mit"], k=1)
    assert hits and hits[0].doc_key == "mit"


def test_two_processes_on_an_empty_cache_build_once(tmp_path):
    home = tmp_path / "home"
    code = (
        "import json; from assistant.index import open_index; from assistant.config import Settings;"
        f"from pathlib import Path; i = open_index(Settings(home=Path({str(home)!r}), only=('mit', 'isc')),"
        " progress=False); print(json.dumps([i.manifest.built_at, i.collection.count()]))"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [json.loads(p.communicate(timeout=300)[0].strip().splitlines()[-1]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0] == outs[1], "the second process must reuse the index the first one built"


def test_unwritable_cache_directory_gets_a_clear_message(tmp_path):
    if os.geteuid() == 0:
        target = tmp_path / "file-not-dir"
        target.write_text("x")  # root can write anywhere; a file where a directory should be fails for root too
        home = target / "home"
    else:
        home = tmp_path / "ro"
        home.mkdir()
        home.chmod(0o500)
    with pytest.raises(IndexBuildError) as err:
        open_index(Settings(home=home, only=SMALL), progress=False)
    assert str(home) in str(err.value) and "LICENSE_ASSISTANT_HOME" in str(err.value)


@pytest.mark.server
def test_server_mode_builds_and_searches_on_a_real_chroma_server(tmp_path, chroma_server):
    settings = Settings(home=tmp_path / "home", only=SMALL, chroma_host=chroma_server.host,
                        chroma_port=chroma_server.port)
    searcher = Searcher(settings, progress=False)
    assert searcher.wait_for_dense(600), searcher.dense_status  # the collection is built in the background
    import chromadb

    names = [c.name for c in chromadb.HttpClient(host=chroma_server.host, port=chroma_server.port).list_collections()]
    assert searcher.index.manifest.collection in names
    hits = searcher.search("including the implied warranties of merchantability", licenses=["mit"], k=2)
    assert hits and hits[0].doc_key == "mit"
    # a second start reuses the server's collection
    again = open_index(settings, progress=False)
    assert again.manifest.built_at == searcher.index.manifest.built_at


@pytest.mark.server
def test_server_stopped_mid_session_gives_a_clear_message_then_recovers(tmp_path, chroma_server):
    settings = Settings(home=tmp_path / "home", only=SMALL, chroma_host=chroma_server.host,
                        chroma_port=chroma_server.port)
    searcher = Searcher(settings, progress=False)
    assert searcher.search("warranty", licenses=["mit"], k=1)
    chroma_server.stop()
    try:
        with pytest.raises(StoreUnavailable) as err:
            searcher.search("warranty", licenses=["mit"], k=1)
        assert f"{chroma_server.host}:{chroma_server.port}" in str(err.value)
    finally:
        chroma_server.start()
    assert searcher.search("warranty", licenses=["mit"], k=1), "search must work again once the server is back"


def test_unreachable_server_names_host_and_port(tmp_path):
    from tests.conftest import free_port

    port = free_port()
    with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}"):
        open_index(Settings(home=tmp_path, only=SMALL, chroma_host="127.0.0.1", chroma_port=port), progress=False)
