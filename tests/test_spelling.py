"""Typos are mended before a question is read, and nothing else is changed."""

from __future__ import annotations

import pytest

from assistant.situation import read_situation
from assistant.spelling import mend


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("can we sell it comercially", "can we sell it commercially"),
        ("for a miltary drone", "for a military drone"),
        ("we finet-uned it", "we fine-tuned it"),
        ("who has ownreship of outputs", "who has ownership of outputs"),
    ],
)
def test_a_typo_one_edit_from_a_word_is_mended(typed, meant):
    assert mend(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "Can we run meta-llama/Llama-3.1-8B-Instruct on our SaaS?",  # ids and product names
        "We call the fine-tune 'HelpBott' on the card.",  # a quoted name
        "We abliterated the refusals and host it",  # words that are no typo
    ],
)
def test_names_ids_and_real_words_are_left_alone(text):
    assert mend(text) == text


def test_a_typo_no_longer_hides_the_use_from_the_reading():
    clean = read_situation("Can we use it commercially for a military customer?")
    typed = read_situation("Can we use it commecrially for a miltiary customer?")
    assert typed.commercial is clean.commercial is True
    assert typed.areas == clean.areas and "military" in typed.areas[0]
