"""Questions about a license text the user supplies: the verdict from what the text is, every quote from their copy.

License texts are never stored in the repository: a user's copy is a LicenseDB text written out at test time (as
is, re-wrapped, or with a sentence changed), and a license the LicenseDB lacks is stood in for by a short synthetic
text, written here, whose section numbers match its record in corpus/external.
"""

from __future__ import annotations

import re

import pytest

from assistant.answer import Answer
from assistant.licensedb import load_license
from assistant.user_text import (
    MAX_TEXT_BYTES,
    LicenseTextError,
    changed_sections,
    check_text,
    external_by_title,
    load_supplied,
)

slow = pytest.mark.slow

LLAMA = "llama-3.1-license-2024"

#: Stands in for the Mistral AI Non-Production License (corpus/external/mistral-mnpl-0.1.yaml cites §2.1, §3.2,
#: §3.3). Synthetic: written for these tests, in the project's words, not the license's.
SYNTHETIC_MNPL = """Mistral AI Non-Production License

Synthetic stand-in written for a test; it is not the text of the license.

1. Scope. This stand-in exists so that section numbers can be matched.

2. Rights.
2.1 Grant. You may use, copy, change and share the model and what you derive from it, within Section 3.

3. Limits.
3.1 Notices. Keep this stand-in with every copy you share.
3.2 Non-production only. Use the model only for testing, research, personal or evaluation purposes away from
production, never in a commercial activity and never as a hosted service for others.
3.3 Other uses. Anything else needs a separate license from the licensor.
"""

#: A made-up license nothing is recorded about.
SYNTHETIC_UNKNOWN = """Acme Widget Model Terms (synthetic, for a test)

1. Use. You may run the widget model for your own projects.
2. Money. You may not sell access to the model or use it in a paid product without written consent from Acme.
3. Sharing. Copies you share must carry these terms.
"""


@pytest.fixture(scope="module")
def bot(settings, searcher):
    from assistant.assistant import Assistant

    return Assistant(settings=settings, searcher=searcher)


def quoted_from(answer: Answer, text: str) -> None:
    """Every clause is quoted from the user's copy, at the offsets given."""
    assert answer.citations
    for c in answer.citations:
        assert c.kind == "supplied", c
        assert text[c.start : c.end] == c.quote and c.quote.strip(), c


def copy_of(tmp_path, text: str, name: str = "LICENSE") -> str:
    """Write the user's copy to disk and read it back as the CLI would."""
    from assistant.user_text import read_license_file

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_license_file(path)


# --- a license the LicenseDB lacks, with recorded terms ------------------------------------------------------------


@slow
@pytest.mark.parametrize(
    ("question", "about_the_model"),
    [
        ("Can I use this in a commercial product?", "Can I use Codestral 22B in a commercial product?"),
        ("Can I use it for research?", "Can I use Codestral 22B for research?"),
        ("Can I offer it as a hosted service to paying customers?",
         "Can I offer Codestral 22B as a hosted service to paying customers?"),
    ],
)
def test_recorded_license_verdict_is_the_facts_and_quotes_are_the_users_copy(bot, tmp_path, question,
                                                                             about_the_model):
    text = copy_of(tmp_path, SYNTHETIC_MNPL)
    a = bot.ask(question, license_text=text)
    # the same verdict as for a model under that license, asked by name (which can quote nothing)
    by_name = bot.ask(about_the_model)
    assert by_name.external_licenses == ["mistral-mnpl-0.1"] and not by_name.citations
    assert a.verdict == by_name.verdict
    assert a.external_licenses == ["mistral-mnpl-0.1"] and a.supplied_text["kind"] == "external"
    quoted_from(a, text)
    record_sections = {"2.1", "3.2", "3.3"}
    assert {c.section_id for c in a.citations} <= record_sections
    assert "Mistral AI Non-Production License (your copy)" in a.to_markdown()


@slow
def test_commercial_use_quotes_the_purpose_limit_from_the_copy(bot, tmp_path):
    text = copy_of(tmp_path, SYNTHETIC_MNPL)
    a = bot.ask("Can I use this in a commercial product?", license_text=text)
    assert a.verdict == "no"
    c = next(c for c in a.citations if c.section_id == "3.2")
    assert "never in a commercial activity" in c.quote  # the synthetic words: quoted from the copy, not recalled


@slow
def test_a_section_the_copy_lacks_is_said_to_be_missing_not_replaced(bot, tmp_path):
    without_32 = re.sub(r"3\.2 Non-production only\..*?\n(?=3\.3)", "", SYNTHETIC_MNPL, flags=re.S)
    assert "3.2" not in without_32
    text = copy_of(tmp_path, without_32)
    a = bot.ask("Can I use this in a commercial product?", license_text=text)
    assert a.verdict == "no"  # the recorded terms still decide
    assert all(c.section_id != "3.2" for c in a.citations)
    assert any("§3.2" in n and "not in your copy" in n for n in a.notes)
    for c in a.citations:
        assert text[c.start : c.end] == c.quote


# --- a LicenseDB license ------------------------------------------------------------------------------------------


@slow
def test_licensedb_copy_answers_as_usual_quoting_the_copy(bot, tmp_path):
    text = copy_of(tmp_path, load_license(LLAMA).text)
    question = "Can we use it commercially with 900M monthly active users?"
    a = bot.ask(question, license_text=text)
    usual = bot.ask(question, licenses=[LLAMA])
    assert a.verdict == usual.verdict == "no"
    assert a.licenses[0] == LLAMA and a.supplied_text["key"] == LLAMA and not a.supplied_text["modified"]
    quoted_from(a, text)
    assert "2" in {c.section_id for c in a.citations}
    assert "700 million monthly active users" in next(c.quote for c in a.citations if c.section_id == "2")


@slow
def test_rewrapped_copy_is_quoted_as_it_is_laid_out(bot, tmp_path):
    # the user's copy has its lines joined: the LicenseDB's quotes are not in it word for word with line breaks
    original = load_license("apache-2.0").text
    rewrapped = re.sub(r"(?<=\S)[ \t]*\n[ \t]*(?=\S)", " ", original)
    text = copy_of(tmp_path, rewrapped)
    a = bot.ask("Can I use this commercially?", license_text=text)
    assert a.verdict == "yes" and not a.supplied_text["modified"]
    quoted_from(a, text)
    assert any(c.section_id == "2" and "perpetual, worldwide" in c.quote for c in a.citations)


@slow
def test_modified_copy_is_reported_and_quoted_from_the_modified_text(bot, tmp_path):
    original = load_license("apache-2.0").text
    sentence = ("You must give any other recipients of the Work or\n          Derivative Works a copy of this "
                "License; and")
    assert sentence in original
    changed = original.replace(sentence, "You need not give other recipients any copy of this License; and")
    text = copy_of(tmp_path, changed)
    a = bot.ask("Do I have to include a copy of the license when I redistribute modified versions?",
                license_text=text)
    assert a.supplied_text["modified"] and "4(a)" in a.supplied_text["changed_sections"]
    assert "modified" in a.text.lower()
    assert a.verdict is None  # the verdict rests on the changed clause: the original's does not carry over
    quoted_from(a, text)
    assert any("You need not give other recipients" in c.quote for c in a.citations)
    assert all(sentence not in c.quote for c in a.citations)

    # a question the change does not touch keeps its verdict, and still says the copy is modified
    b = bot.ask("Can I use this commercially?", license_text=text)
    assert b.verdict == "yes" and "Your copy is modified" in b.text
    quoted_from(b, text)


@slow
def test_a_question_about_another_license_is_not_answered_from_this_text(bot, tmp_path):
    text = copy_of(tmp_path, load_license("mit").text)
    a = bot.ask("Can we use Llama 3.1 commercially with 900M monthly users?", license_text=text)
    assert a.verdict is None and not a.citations
    assert "not the license text you supplied" in a.text


# --- a text nothing is known about ----------------------------------------------------------------------------------


@slow
def test_unknown_text_gets_no_verdict_and_its_closest_clauses(bot, tmp_path):
    text = copy_of(tmp_path, SYNTHETIC_UNKNOWN)
    a = bot.ask("Can I use it in a paid product?", license_text=text)
    assert a.verdict is None and a.supplied_text["kind"] == "unknown"
    assert "no curated facts exist" in a.text
    quoted_from(a, text)
    assert a.citations[0].section_id == "2" and "paid product" in a.citations[0].quote


# --- input that cannot be used --------------------------------------------------------------------------------------


def test_unusable_texts_are_refused_with_a_reason():
    with pytest.raises(LicenseTextError, match="empty"):
        check_text(" \n\n ")
    with pytest.raises(LicenseTextError, match="binary"):
        check_text(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    with pytest.raises(LicenseTextError, match="UTF-8"):
        check_text("café license".encode("latin-1"))
    with pytest.raises(LicenseTextError, match="200,000 bytes"):
        check_text("Permission is hereby granted. " * 8000)
    assert MAX_TEXT_BYTES == 200_000  # the UI's upload limit
    assert check_text("1. Use.\r\n2. Share.\r\n") == "1. Use.\n2. Share.\n"


def test_python_api_refuses_an_empty_text(bot):
    with pytest.raises(LicenseTextError, match="empty"):
        bot.ask("Can I use this commercially?", license_text="")


# --- the pieces ---------------------------------------------------------------------------------------------------


def test_title_names_the_recorded_license_not_a_reference_further_down():
    from assistant.catalog import load_catalog

    catalog = load_catalog()
    record, notes = external_by_title(SYNTHETIC_MNPL, catalog)
    assert record.id == "mistral-mnpl-0.1" and notes == []
    _, notes = external_by_title(SYNTHETIC_MNPL.replace("License\n", "License, Version 0.2\n", 1), catalog)
    assert any("version 0.2" in n for n in notes)
    far_down = "Our terms\n\n" + "1. Use it.\n" * 6 + "2. Unlike the Mistral AI Non-Production License, all goes.\n"
    assert external_by_title(far_down, catalog) is None


def test_changed_sections_name_the_clause_and_the_sections_holding_it():
    original = "1. Use.\n\n2. Sharing.\n(a) Keep notices.\n(b) Say what you changed.\n\n3. No warranty.\n"
    copy = original.replace("Say what you changed", "Say nothing")
    assert changed_sections(original, copy) == ["2", "2(b)"]
    assert changed_sections(original, original.replace("\n(a)", "  \n (a)")) == []  # layout is not a change


@slow
def test_supplied_text_is_indexed_for_keyword_search():
    s = load_supplied(SYNTHETIC_UNKNOWN)
    (chunk, _), *_ = s.search("sell access paid product")
    assert chunk.section_id == "2" and s.text[chunk.start : chunk.end] == chunk.text


# --- the chat's Identify tab ----------------------------------------------------------------------------------------


@slow
def test_identify_tab_then_ask_about_the_pasted_text(bot, settings):
    from assistant.ui import PASTED_SCOPE, Backend, make_identify, make_respond

    backend = Backend(settings)
    backend.assistant, backend.state = bot, "ready"
    *_, (html, found, button, identified) = list(make_identify(backend)(SYNTHETIC_MNPL, None))
    assert identified == SYNTHETIC_MNPL and button["interactive"] is True
    assert backend.pasted_scope(identified).label == "Your pasted text: Mistral AI Non-Production License"
    steps = [out[0][-1]["content"] for out in make_respond(backend)(
        "Can I use this in a commercial product?", [], PASTED_SCOPE, identified)]
    final = steps[-1]
    assert "verdict-no" in final and "quoted from your pasted copy" in final
    assert "never in a commercial activity" in final  # the pasted copy's own words

    # a reloaded page has lost the pasted text: say so, do not answer about something else
    lost = [out[0][-1]["content"] for out in make_respond(backend)("Can I sell it?", [], PASTED_SCOPE, None)]
    assert "paste it again" in lost[-1]
