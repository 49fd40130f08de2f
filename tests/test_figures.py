"""Figures a question gives: user counts and money, normalised exactly; sizes, versions and dates are not figures."""

from __future__ import annotations

import pytest

from assistant.figures import Figure, extract_figures

USERS, MONEY = "users", "money"
MAU, USR = "monthly_active_users", "users"


@pytest.mark.parametrize(
    ("text", "value", "kind", "metric", "currency"),
    [
        ("900M MAU", 900_000_000, USERS, MAU, None),
        ("1.2 billion monthly active users", 1_200_000_000, USERS, MAU, None),
        ("Can I use Llama 3.1 if we have 700 million?", 700_000_000, USERS, USR, None),
        ("700m users", 700_000_000, USERS, USR, None),
        ("10k users", 10_000, USERS, USR, None),
        ("half a billion users", 500_000_000, USERS, USR, None),
        ("1bn users", 1_000_000_000, USERS, USR, None),
        ("5000 users", 5_000, USERS, USR, None),
        ("1,000,000 users", 1_000_000, USERS, USR, None),
        ("what about above 1B users?", 1_000_000_000, USERS, USR, None),
        ("our MAU is 900 million", 900_000_000, USERS, MAU, None),
        ("we have 650M monthly users", 650_000_000, USERS, MAU, None),
        ("two hundred million customers", 200_000_000, USERS, USR, None),
        ("$3M annual revenue", 3_000_000, MONEY, "annual_revenue", "USD"),
        ("annual revenue of $3M", 3_000_000, MONEY, "annual_revenue", "USD"),
        ("USD 1,000,000", 1_000_000, MONEY, "revenue", "USD"),
        ("EUR 500k", 500_000, MONEY, "revenue", "EUR"),
        ("€2.5m a year", 2_500_000, MONEY, "annual_revenue", "EUR"),
        ("$20M per month", 20_000_000, MONEY, "monthly_revenue", "USD"),
        ("3 million dollars of revenue", 3_000_000, MONEY, "revenue", "USD"),
        ("£750k ARR", 750_000, MONEY, "annual_revenue", "GBP"),
        ("we make $800k", 800_000, MONEY, "revenue", "USD"),
        ("we make 3 million a year", 3_000_000, MONEY, "annual_revenue", None),
    ],
)
def test_one_figure(text, value, kind, metric, currency):
    [fig] = extract_figures(text)
    assert (fig.value, fig.kind, fig.metric, fig.currency) == (value, kind, metric, currency)
    assert fig.text in text


@pytest.mark.parametrize(
    "text",
    [
        "Llama 3.1 70B",
        "Is the 8B parameters model different?",
        "Llama-3.1-8B-Instruct",
        "Qwen2.5-72B",
        "Mixtral 8x7B",
        "released in 2024",
        "the license dated 2024-07-23",
        "see section 5 and §4",
        "Article 53 of the AI Act",
        "models trained with more than 10^25 FLOP",
        "1e25 FLOPs",
        "version 3.1",
        "Llama 3.1 405B vs Gemma 2 27B",
        "it takes 10 minutes and 4 GB",
        "a user asked me",
        "10% of the time",
        "SD 1.5 or FLUX.1 dev?",
    ],
)
def test_not_a_figure(text):
    assert extract_figures(text) == []


def test_normalised_values_are_exact_not_float_noise():
    # 1.2 * 1e9 and 2.3 * 1e6 are not exact in binary floating point; the extractor must not drift
    for text, exact in [("1.2 billion users", 1_200_000_000), ("2.3M users", 2_300_000), ("$0.7M", 700_000)]:
        [fig] = extract_figures(text)
        assert fig.value == exact


def test_several_figures_in_order_and_model_size_skipped():
    figs = extract_figures("Llama 3 is 70B; we have 2B users and make $800k a month")
    assert [(f.kind, f.value) for f in figs] == [("users", 2_000_000_000), ("money", 800_000)]
    assert figs[1].metric == "monthly_revenue"


def test_bare_amount_takes_its_kind_from_the_question():
    [fig] = extract_figures("Our revenue is 3 million, can we use SD 3.5?")
    assert fig.kind == "money" and fig.value == 3_000_000


def test_figure_is_plain_frozen_data():
    fig = extract_figures("900M MAU")[0]
    assert isinstance(fig, Figure)
    with pytest.raises(AttributeError):
        fig.value = 1  # type: ignore[misc]


def test_messy_input():
    assert extract_figures("") == []
    figs = extract_figures("CAN WE USE IT?!?! we have like ~900M MAU!!! and $3M/yr..." * 50)
    assert len(figs) == 100 and {f.value for f in figs} == {900_000_000, 3_000_000}


@pytest.mark.parametrize(
    "text",
    ["Am I allowed to fine-tune it?", "can I use it at all?", "a model", "At most one team uses it", "I'm a B2B shop"],
)
def test_short_words_are_not_word_numbers(text):
    assert extract_figures(text) == []


@pytest.mark.parametrize(
    "text,value",
    [("500 milion MAU", 5e8), ("2 bilion users", 2e9), ("3 mil users", 3e6), ("1.5 millon monthly users", 1.5e6)],
)
def test_common_misspellings_of_scales_are_read(text, value):
    figs = extract_figures(text)
    assert figs and figs[0].value == value


@pytest.mark.parametrize(
    ("text", "comparator"),
    [
        ("we don't have more than 700 million monthly users", "le"),
        ("we never exceed 700M monthly active users", "le"),
        ("we are not under 5M users", "ge"),
        ("we're above the $1M revenue line", "gt"),
        ("below Qwen's 100M monthly users", "lt"),
    ],
)
def test_a_negated_or_determined_comparator(text, comparator):
    assert extract_figures(text)[0].comparator == comparator


def test_us_dollars_spelled_out_are_money():
    f = extract_figures("about 2,000,000 US dollars a year")[0]
    assert f.kind == "money" and f.currency == "USD" and f.value == 2_000_000
