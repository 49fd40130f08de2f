"""The first minute: questions are answered before the embedding model has loaded (BM25 at once, dense search
joining from a background thread), a missing index is built in the background while the chat answers, and the
verdict and cited sections do not change when dense search joins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from assistant.config import ENV_HOME, REPO_ROOT, Settings
from assistant.index import open_index, open_lexical
from tests.conftest import TEST_HOME

LLAMA_NO = "Can we use Llama 3.1 commercially with 900M monthly active users?"
SMALL = ("mit", "llama-3.1-license-2024")


def _seeded(path):
    from tests.test_faults import seeded_home

    return seeded_home(path)


def _sections(answer) -> list[tuple[str, str]]:
    return [(c.license_key, c.section_id) for c in answer.citations]


def test_lexical_half_needs_no_index_and_no_model(tmp_path):
    idx = open_lexical(Settings(home=tmp_path / "home", only=SMALL))
    assert not idx.dense and idx.manifest is None
    assert {"mit", "llama-3.1-license-2024"} <= idx.doc_keys
    hits = idx.lexical.top("700 million monthly active users", 3)
    assert hits and "700 million" in idx.chunks[hits[0][0]].text


def test_answer_before_dense_then_same_verdict_and_sections_after(tmp_path):
    from assistant.assistant import Assistant

    settings = Settings(home=_seeded(tmp_path / "home"), only=SMALL)
    bot = Assistant(settings=settings, progress=False)
    first = bot.ask(LLAMA_NO)  # dense search may or may not have joined yet: it is never waited for here
    assert bot.searcher.wait_for_dense(timeout=600), bot.searcher.dense_status
    after = bot.ask(LLAMA_NO)
    assert after.dense_search is True
    assert first.verdict == after.verdict == "no"
    assert _sections(first) == _sections(after) and ("llama-3.1-license-2024", "2") in _sections(after)
    assert [c.quote for c in first.citations] == [c.quote for c in after.citations]


def test_a_question_answered_without_dense_search_says_so(tmp_path):
    from assistant.assistant import Assistant
    from assistant.search import Searcher

    class Slow(Searcher):
        def _join_dense(self):  # dense search never joins: what the first seconds look like
            pass

    settings = Settings(home=_seeded(tmp_path / "home"), only=SMALL)
    bot = Assistant(settings=settings, searcher=Slow(settings, progress=False))
    answer = bot.ask(LLAMA_NO)
    assert answer.dense_search is False and answer.verdict == "no"
    assert ("llama-3.1-license-2024", "2") in _sections(answer)
    assert answer.retrieved and all(r["dense_rank"] is None for r in answer.retrieved)
    assert bot.ask("  ").dense_search is True  # no retrieval at all: nothing was missing


def test_search_waits_for_dense_so_its_results_are_hybrid(tmp_path):
    from assistant.search import Searcher

    s = Searcher(Settings(home=_seeded(tmp_path / "home"), only=SMALL), progress=False)
    hits = s.search("700 million monthly active users", licenses=["llama-3.1-license-2024"], k=3)
    assert s.dense_ready and any(h.dense_rank is not None for h in hits)


def test_license_added_before_dense_joins_is_searchable_densely_after(tmp_path):
    from assistant.search import Searcher

    s = Searcher(Settings(home=_seeded(tmp_path / "home"), only=("mit",)), progress=False)
    with s.answering():
        s.search("advertising materials", licenses=["bsd-original-uc"], k=2)
    assert s.wait_for_dense(timeout=600)
    hits = s.search("advertising materials must display acknowledgement", licenses=["bsd-original-uc"], k=2,
                    mode="dense")
    assert hits and all(h.doc_key == "bsd-original-uc" for h in hits)


def test_dense_build_progress_is_reported(tmp_path):
    from assistant.search import Searcher

    seen = []
    s = Searcher(Settings(home=tmp_path / "home", only=("isc",)), progress=False, background=False)
    assert s.dense_ready and s.index.manifest.n_chunks > 0
    idx = open_index(Settings(home=tmp_path / "home2", only=("isc",)), progress=False,
                     on_progress=lambda d, t: seen.append((d, t)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] == idx.manifest.n_chunks


def test_import_and_first_ask_do_not_import_torch_on_the_calling_thread():
    """An import hook records which thread imports torch or sentence_transformers: never the caller's."""
    code = r"""
import json, sys, threading, importlib.abc
seen = []
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "sentence_transformers"):
            seen.append(threading.current_thread() is threading.main_thread())
        return None
sys.meta_path.insert(0, Watch())
import assistant
from assistant import ask
a = ask("Can we use Llama 3.1 commercially with 900M monthly active users?")
print(json.dumps({"main_thread_imports": sum(seen), "verdict": a.verdict}))
"""
    env = {**os.environ, "LICENSE_ASSISTANT_HOME": str(TEST_HOME), "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {"main_thread_imports": 0, "verdict": "no"}


def test_public_names_are_the_documented_objects_whatever_was_imported_before(settings):
    code = (
        "import assistant.search, assistant.identify, inspect\n"
        "from assistant import search, identify, Searcher, ask\n"
        "assert inspect.isfunction(search) and search.__module__ == 'assistant.search', search\n"
        "assert inspect.isfunction(identify) and identify.__module__ == 'assistant.identify', identify\n"
        "import assistant\n"
        "assert assistant.search is search and assistant.identify is identify\n"
        "from assistant.search import Searcher as S\n"
        "assert S is Searcher\n"
        "print(identify('meta-llama/Llama-3.1-8B').license_keys)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "llama-3.1-license-2024" in out.stdout

    # the one-liner, exactly as a user types it in a fresh shell, with the index present
    open_index(settings, progress=False)
    one_liner = "from assistant import search, identify; print(search('700 million monthly active users', k=1))"
    env[ENV_HOME] = str(settings.home)
    out = subprocess.run([sys.executable, "-c", one_liner], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    printed = out.stdout.strip()
    assert printed.startswith("[Hit(chunk=Chunk(") and printed.count("Hit(chunk=") == 1, printed[:300]
    assert "monthly active users" in printed


def text_of(content) -> str:
    """A chat message's text: Gradio sends a string or a list of typed parts."""
    if isinstance(content, str):
        return content
    return " ".join(p.get("text", "") for p in content if isinstance(p, dict))


@pytest.mark.slow
def test_chat_answers_from_no_index_while_the_dense_index_builds(tmp_path):
    """`python app.py` on an empty home (what `make run` does on a fresh clone): a curated question is answered
    within 20 s of the start, the status shows the dense build's progress, and once it is done the same question
    gets the same verdict and cited sections."""
    pytest.importorskip("gradio_client")
    from gradio_client import Client

    from tests.test_ui_browser import AppProcess

    app = AppProcess(tmp_path / "fresh-home")  # nothing in it: no index, no embedding cache
    try:
        app.wait_http()
        c = Client(app.url, verbose=False, download_files=False)
        while not c.predict(api_name="/status")["ready"]:
            assert time.monotonic() - app.started < 20, "no answer within 20 s of the start"
            time.sleep(0.2)
        status = c.predict(api_name="/status")
        chat, _, _ = c.predict(LLAMA_NO, [], "", api_name="/ask")
        answered_s = time.monotonic() - app.started
        first = text_of(chat[-1]["content"])
        assert "verdict-badge verdict-no" in first and "§2" in first
        assert answered_s < 20, f"first answer after {answered_s:.1f} s"
        assert not status["dense"], "the dense index cannot be built in seconds"
        assert "keyword search" in status["message"]
        deadline = time.monotonic() + 1800
        while not (status := c.predict(api_name="/status"))["dense"]:
            assert status["state"] == "answering", status
            assert time.monotonic() < deadline, "the dense index did not finish"
            time.sleep(2)
        assert "Ready:" in status["message"]
        chat, _, _ = c.predict(LLAMA_NO, [], "", api_name="/ask")
        after = text_of(chat[-1]["content"])
        assert "verdict-badge verdict-no" in after

        def sections(html: str) -> list[str]:
            import re

            return re.findall(r"§[0-9A-Za-z.()]+", html)

        assert sections(first) == sections(after)
    finally:
        app.stop()
