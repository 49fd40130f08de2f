"""Faults a running assistant meets, seen from `ask()` and from the chat: the Chroma server going away and coming
back, a cache directory it cannot write, a server that is not there at start, a damaged embedding cache."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.index import IndexBuildError, open_index
from assistant.store import StoreUnavailable
from assistant.ui import Backend, make_respond
from tests.conftest import TEST_HOME, free_port

SMALL = ("mit", "llama-3.1-license-2024")
LLAMA_NO = "Can we use Llama 3.1 commercially with 900M monthly active users?"


def seeded_home(path: Path) -> Path:
    """A fresh cache directory with a copy of the test index's embedding cache, so a small build embeds nothing."""
    path.mkdir(parents=True, exist_ok=True)
    cache = TEST_HOME / "embeddings.sqlite"
    if cache.is_file():
        src, dst = sqlite3.connect(cache), sqlite3.connect(path / "embeddings.sqlite")
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    return path


def chat_reply(backend: Backend, question: str) -> str:
    """The last assistant message the chat shows for `question`."""
    *_, last = make_respond(backend)(question, [], "")
    return last[0][-1]["content"]


def loaded(settings: Settings) -> Backend:
    backend = Backend(settings)
    backend._load()  # what the background thread does, here in the test's thread
    return backend


@pytest.fixture
def unwritable_home(tmp_path) -> Path:
    if os.geteuid() == 0:  # root writes anywhere: a file where the directory should be fails for root too
        blocker = tmp_path / "not-a-dir"
        blocker.write_text("x")
        return blocker / "home"
    home = tmp_path / "ro"
    home.mkdir()
    home.chmod(0o500)
    return home


# -- Chroma in server mode -----------------------------------------------------------------------------------------
@pytest.mark.server
def test_server_stopped_mid_session_ask_raises_naming_it_the_chat_says_so_and_both_recover(tmp_path, chroma_server):
    from assistant.assistant import Assistant

    settings = Settings(
        home=seeded_home(tmp_path / "home"), only=SMALL, chroma_host=chroma_server.host, chroma_port=chroma_server.port
    )
    bot = Assistant(settings=settings, progress=False)
    backend = loaded(settings)
    assert backend.ready, backend.message
    # dense search joins in the background; the outage below is one of the vector store it then uses
    assert bot.searcher.wait_for_dense(600) and backend.assistant.searcher.wait_for_dense(600)
    assert bot.ask(LLAMA_NO).verdict == "no"
    where = f"{chroma_server.host}:{chroma_server.port}"

    chroma_server.stop()
    try:
        # The API raises: a program can catch StoreUnavailable and retry; an Answer would hide the outage.
        with pytest.raises(StoreUnavailable) as err:
            bot.ask(LLAMA_NO)
        assert where in str(err.value) and "CHROMA_HOST" in str(err.value)
        shown = chat_reply(backend, LLAMA_NO)
        assert where in shown and "not reachable" in shown
        assert "Traceback" not in shown and "verdict-badge" not in shown
    finally:
        chroma_server.start()

    again = bot.ask(LLAMA_NO)  # the same Assistant: no restart
    assert again.verdict == "no" and again.citations
    assert "verdict-badge verdict-no" in chat_reply(backend, LLAMA_NO)


@pytest.mark.server
def test_questions_that_need_no_vector_search_still_get_their_message_while_the_server_is_down(
    tmp_path, chroma_server
):
    from assistant.assistant import Assistant

    settings = Settings(
        home=seeded_home(tmp_path / "home"), only=SMALL, chroma_host=chroma_server.host, chroma_port=chroma_server.port
    )
    bot = Assistant(settings=settings, progress=False)
    chroma_server.stop()
    try:
        assert "Please type" in bot.ask("  ").text
        assert "limit" in bot.ask("x" * 9000).text
    finally:
        chroma_server.start()


def test_server_not_there_at_start_is_shown_in_the_page_status_and_the_chat(tmp_path):
    port = free_port()
    settings = Settings(home=tmp_path / "home", only=("mit",), chroma_host="127.0.0.1", chroma_port=port)
    backend = loaded(settings)
    assert backend.status()["state"] == "failed"
    assert f"127.0.0.1:{port}" in backend.status()["message"]
    shown = chat_reply(backend, "Is MIT permissive?")
    assert f"127.0.0.1:{port}" in shown and "could not start" in shown


# -- the cache directory -------------------------------------------------------------------------------------------
def test_unwritable_cache_dir_ask_level_names_the_directory_and_the_setting(unwritable_home):
    from assistant.assistant import Assistant

    with pytest.raises(IndexBuildError) as err:
        Assistant(settings=Settings(home=unwritable_home, only=("mit",)), progress=False)
    assert str(unwritable_home) in str(err.value) and "LICENSE_ASSISTANT_HOME" in str(err.value)


def test_unwritable_cache_dir_is_shown_in_the_page_status_and_the_chat(unwritable_home):
    backend = loaded(Settings(home=unwritable_home, only=("mit",)))
    status = backend.status()
    assert status["state"] == "failed" and not status["ready"]
    assert str(unwritable_home) in status["message"] and "LICENSE_ASSISTANT_HOME" in status["message"]
    shown = chat_reply(backend, "Is MIT permissive?")
    assert str(unwritable_home) in shown and "LICENSE_ASSISTANT_HOME" in shown and "Traceback" not in shown


def test_damaged_embedding_cache_is_started_afresh(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "embeddings.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)  # a torn write
    idx = open_index(Settings(home=home, only=("mit",)), progress=False)
    assert idx.collection.count() == idx.manifest.n_chunks > 0
    with sqlite3.connect(home / "embeddings.sqlite") as db:  # the new cache holds what was embedded
        assert db.execute("SELECT count(*) FROM vec").fetchone()[0] >= idx.manifest.n_chunks



def test_an_unreachable_server_does_not_break_the_next_index_in_the_same_process(tmp_path):
    """A program that tried a Chroma server which was down, then falls back to the embedded store (or another
    server), must get that store, not an error about the first server."""
    port = free_port()
    with pytest.raises(StoreUnavailable):
        open_index(Settings(home=tmp_path / "a", only=("mit",), chroma_host="127.0.0.1", chroma_port=port),
                   progress=False)
    idx = open_index(Settings(home=seeded_home(tmp_path / "b"), only=("mit",)), progress=False)
    from assistant.search import Searcher

    hits = Searcher(idx.settings, index=idx).search("permission is hereby granted free of charge", k=1)
    assert hits and hits[0].doc_key == "mit"


def test_license_texts_with_unicode_line_separators_index_and_reopen(tmp_path):
    """U+2028 / U+0085 in a license text (cnri-jython has them) stay inside one chunks.jsonl line on reopen."""
    settings = Settings(home=seeded_home(tmp_path / "home"), only=("cnri-jython",))
    first = open_index(settings, progress=False)
    again = open_index(settings, progress=False)
    assert again.manifest.built_at == first.manifest.built_at and len(again.chunks) == first.manifest.n_chunks
