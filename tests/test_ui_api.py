"""The chat's HTTP API (gradio_client against a running `python app.py`) and the HTML the page renders."""

from __future__ import annotations

import os
import time

import pytest

from assistant.answer import Answer, Citation
from assistant.ui import Backend, answer_parts, citation_html, make_respond, read_upload, user_turns

LLAMA = "llama-3.1-license-2024"


def _answer(quote: str, text: str = "Yes.", kind: str = "license") -> Answer:
    c = Citation(
        LLAMA,
        "Llama 3.1 Community License",
        "2",
        "Additional Commercial Terms",
        quote,
        10,
        10 + len(quote),
        "https://example.org/llama",
        kind=kind,
    )
    return Answer(
        question="q",
        verdict="conditional",
        text=text,
        citations=[c],
        notes=["<b>note</b>"],
        as_of="2024-07-23",
    )


def test_license_text_and_echoed_words_are_escaped_before_they_reach_the_page():
    html = "\n\n".join(
        answer_parts(_answer("if <script>x()</script> & more", text="I don't know <img src=x>."))
    )
    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt; &amp; more" in html
    assert "<img" not in html and "&lt;img src=x&gt;" in html
    assert "<b>note</b>" not in html
    assert 'class="verdict-badge verdict-conditional"' in html
    assert "not legal advice" in html


def test_clause_block_is_one_line_with_section_source_and_copy_button():
    block = citation_html(_answer("first line\n\nsecond line").citations[0], open_=True)
    assert "\n" not in block  # a blank line would end the HTML block inside the chat's Markdown
    assert "<details" in block and " open>" in block
    assert "Llama 3.1 Community License, §2 — Additional Commercial Terms" in block
    assert 'href="https://example.org/llama"' in block and "copy-quote" in block


def test_definition_criteria_are_labelled_as_the_projects_summary():
    parts = answer_parts(_answer("Weights are available under OSI-approved terms.", kind="definition"))
    joined = "\n".join(parts)
    assert "Definition criteria" in joined and "the project's summary" in joined
    assert "Deciding clauses" not in joined


def test_uploads_over_200_kb_or_binary_are_refused_with_a_reason(tmp_path):
    big = tmp_path / "LICENSE"
    big.write_text("Permission is hereby granted. " * 8000)
    with pytest.raises(ValueError, match="200 KB"):
        read_upload(str(big))
    binary = tmp_path / "model.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(ValueError, match="binary"):
        read_upload(str(binary))
    ok = tmp_path / "README.md"
    ok.write_text("license: apache-2.0\n", encoding="utf-8")
    assert read_upload(str(ok)) == "license: apache-2.0\n"


def test_follow_up_history_is_the_users_own_words():
    chat = [
        {"role": "user", "content": "a &lt;b&gt; c"},
        {"role": "assistant", "content": "x"},
        {"role": "user", "content": "and Gemma?"},
    ]
    assert user_turns(chat) == ["a <b> c", "and Gemma?"]


class _Ready(Backend):
    """A backend whose assistant is a stand-in, to see what the chat shows for a given answer or failure."""

    def __init__(self, answer=None, error=None):
        super().__init__()
        self.state = "ready"
        self.asked: list = []
        outer = self

        class _Assistant:
            def ask(self, question, history=None, licenses=None):
                outer.asked.append((question, history, licenses))
                if error:
                    raise error
                return answer

        self.assistant = _Assistant()


def _run(backend, question, chat=None, scope=""):
    return [out[0][-1]["content"] for out in make_respond(backend)(question, chat or [], scope)]


def test_answer_streams_verdict_first_then_explanation_then_clauses():
    steps = _run(_Ready(_answer("You must request a license from Meta.")), "Can we use Llama 3.1?")
    first_verdict = next(i for i, s in enumerate(steps) if "verdict-badge" in s)
    first_clause = next(i for i, s in enumerate(steps) if "Deciding clauses" in s)
    assert "verdict-badge" not in steps[0]  # a "reading" line comes first
    assert first_verdict < first_clause and "Deciding clauses" not in steps[first_verdict]
    assert "not legal advice" in steps[-1] and "You must request a license from Meta." in steps[-1]


def test_an_exception_becomes_a_friendly_message_not_a_traceback():
    steps = _run(_Ready(error=RuntimeError("boom at line 3")), "Can we use Llama 3.1?")
    assert "something went wrong" in steps[-1]
    assert "boom" not in steps[-1] and "Traceback" not in steps[-1]


def test_follow_up_passes_earlier_questions_and_a_picked_model_scopes_it():
    backend = _Ready(_answer("x"))
    chat = [
        {"role": "user", "content": "Can we use Llama 3.1 with 900M users?"},
        {"role": "assistant", "content": "No."},
    ]
    _run(backend, "and Gemma?", chat)
    assert backend.asked[-1][1] == ["Can we use Llama 3.1 with 900M users?"]
    _run(backend, "Can I use this model commercially?", [], "model:Gemma 2")
    _, history, licenses = backend.asked[-1]
    assert history == ["About Gemma 2."] and licenses and all(k.startswith("gemma") for k in licenses)


# -- against the running app ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(settings):
    pytest.importorskip("gradio_client")
    from gradio_client import Client

    from tests.test_ui_browser import AppProcess

    if os.environ.get("LICENSE_ASSISTANT_TEST_URL"):
        c = Client(os.environ["LICENSE_ASSISTANT_TEST_URL"], verbose=False, download_files=False)
        c.early = None
        yield c
        return
    from assistant.index import open_index

    open_index(settings, progress=False)
    app = AppProcess(settings.home)
    try:
        app.wait_http()
        c = Client(app.url, verbose=False, download_files=False)
        # A question asked while the assistant is still loading gets a message instead of an error.
        status = c.predict(api_name="/status")
        c.early = None if status["ready"] else c.predict("Is MIT permissive?", [], "", api_name="/ask")[0]
        deadline = time.monotonic() + 120
        while not c.predict(api_name="/status")["ready"]:
            assert time.monotonic() < deadline, "the assistant did not become ready"
            time.sleep(0.5)
        yield c
    finally:
        app.stop()


def _last_text(chat: list[dict]) -> str:
    content = chat[-1]["content"]
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


@pytest.mark.slow
def test_ask_endpoint_answers_with_verdict_and_section_2(client):
    chat, box, _export = client.predict(
        "Can we use Llama 3.1 commercially with 900M monthly users?", [], "", api_name="/ask"
    )
    text = _last_text(chat)
    assert box == ""
    assert "verdict-badge verdict-no" in text
    assert "§2" in text and "700 million monthly active users" in text


@pytest.mark.slow
def test_ask_endpoint_scoped_and_guarded(client):
    chat, _, _ = client.predict("Can I use this model commercially?", [], f"license:{LLAMA}", api_name="/ask")
    text = _last_text(chat)
    assert "verdict-badge" in text
    assert "Llama 3.1 Community License Agreement 2024, §" in text  # a clause from the scoped license
    chat, _, _ = client.predict("y" * 2500, [], "", api_name="/ask")
    assert "the limit is 2,000" in _last_text(chat)


@pytest.mark.slow
def test_compare_endpoint_gives_a_cited_cell_per_license(client):
    out = client.predict([f"license:{LLAMA}", "license:apache-2.0"], ["commercial_use"], api_name="/compare")
    assert "Llama 3.1" in out and "Apache" in out
    assert out.count("verdict-badge") == 2
    assert out.count("<blockquote>") == 2


@pytest.mark.slow
def test_question_before_ready_gets_a_still_loading_message(client):
    if client.early is None:
        pytest.skip("the assistant was ready before the first question could be asked")
    assert "still loading" in _last_text(client.early)
