"""The optional LLM composer stays grounded whatever the model says (LangChain fake chat models stand in for it)."""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.citations import is_verbatim

Q = "Can we use Llama 3.1 commercially with 900M monthly active users?"


def fake(content: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=content)]))


@pytest.fixture(scope="module")
def offline(settings, searcher):
    from assistant.assistant import Assistant

    return Assistant(settings=settings, searcher=searcher).ask(Q)


def ask_with(settings, searcher, model):
    from assistant.assistant import Assistant

    return Assistant(settings=settings, searcher=searcher, llm=model).ask(Q)


def test_good_reply_words_the_answer(settings, searcher, offline):
    reply = {"verdict": "no", "explanation": "Above 700M MAU Meta must grant a separate license.",
             "cited_ids": [r["id"] for r in offline.retrieved[:1]]}
    a = ask_with(settings, searcher, fake(json.dumps(reply)))
    assert a.verdict == "no"
    assert "Meta must grant" in a.text
    assert all(is_verbatim(c) for c in a.citations)


def test_invented_clause_is_dropped(settings, searcher):
    reply = {"verdict": "no", "explanation": "See the clause.", "cited_ids": ["llama-3.1-license-2024#99.z#0"]}
    a = ask_with(settings, searcher, fake(json.dumps(reply)))
    assert not any(c.section_id == "99.z" for c in a.citations)
    assert any("made up" in n for n in a.notes)
    assert all(is_verbatim(c) for c in a.citations)


def test_malformed_reply_falls_back_to_the_offline_answer(settings, searcher, offline):
    a = ask_with(settings, searcher, fake("Sure! The answer is probably yes."))
    assert a.verdict == offline.verdict == "no"
    assert a.text == offline.text
    assert any("malformed" in n for n in a.notes)


def test_contradicting_verdict_is_overridden(settings, searcher):
    a = ask_with(settings, searcher, fake(json.dumps({"verdict": "yes", "explanation": "Go ahead.", "cited_ids": []})))
    assert a.verdict == "no"
    assert any("which stands" in n for n in a.notes)
