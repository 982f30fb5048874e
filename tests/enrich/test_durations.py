"""Tests for storyline.enrich.durations: lengths of time, frequencies and vague references,
on sentences written for these tests."""

from __future__ import annotations

import pytest

from storyline.enrich.durations import find_time_amounts


def amounts(text: str) -> dict[str, tuple[str, str]]:
    return {a.text: (a.value, a.quantity) for a in find_time_amounts(text)}


@pytest.mark.parametrize(
    ("sentence", "expression", "value"),
    [
        ("The talks have been frozen for nearly two years.", "nearly two years", "P2Y"),
        ("Shares hit a five-year low on the news.", "five-year", "P5Y"),
        ("Stocks have fallen over the past three months.", "the past three months", "P3M"),
        ("The siege lasted twenty four hours.", "twenty four hours", "PT24H"),
        ("He waited more than 40 minutes.", "more than 40 minutes", "PT40M"),
        ("Rebels broke their 8-month-old truce.", "8-month-old", "P8M"),
        ("The reform took two decades.", "two decades", "P20Y"),
        ("It will take a couple of weeks.", "a couple of weeks", "P2W"),
        ("Repairs could take several months.", "several months", "PXM"),
        ("Prices rose in recent years.", "recent years", "PXY"),
        ("Earnings fell in the past two quarters.", "the past two quarters", "P2Q"),
    ],
)
def test_durations_lengths_of_time(sentence: str, expression: str, value: str) -> None:
    assert amounts(sentence)[expression] == (value, "duration")


@pytest.mark.parametrize(
    ("sentence", "expression", "value", "quantity"),
    [
        ("The ferry now sails daily.", "daily", "P1D", "set"),
        ("Inspectors visit every month.", "every month", "P1M", "set"),
        ("The ferry now sails daily.", "now", "PRESENT_REF", "reference"),
        ("The mill is currently closed.", "currently", "PRESENT_REF", "reference"),
        ("The council recently cut its budget.", "recently", "PAST_REF", "reference"),
        ("Floods hit the valley several years ago.", "several years ago", "PAST_REF",
         "reference"),
        ("Such storms were rare in the past.", "the past", "PAST_REF", "reference"),
        ("More cuts may come in the near future.", "the near future", "FUTURE_REF",
         "reference"),
    ],
)  # fmt: skip
def test_durations_frequencies_and_references(
    sentence: str, expression: str, value: str, quantity: str
) -> None:
    assert amounts(sentence)[expression] == (value, quantity)


@pytest.mark.parametrize(
    "sentence",
    [
        "A 39-year-old man was arrested.",  # an age
        "Profits rose two years ago.",  # a date, left to dates.py
        "A quarter of the staff left.",  # a fraction
        "Nearly three-quarters of voters agreed.",
        "The company pays a quarterly dividend.",
        "She tried a second time.",
        "Profit was $5 million a year earlier.",  # a point in time, anchored elsewhere
        "Two days later, the talks resumed.",
    ],
)
def test_durations_not_lengths_of_time(sentence: str) -> None:
    assert [a for a in find_time_amounts(sentence) if a.quantity == "duration"] == []


def test_durations_the_past_with_a_length_is_one_duration() -> None:
    found = find_time_amounts("Sales fell over the past two weeks.")
    assert [(a.text, a.value) for a in found] == [("the past two weeks", "P2W")]


def test_durations_spans_do_not_overlap_and_are_in_order() -> None:
    text = "For the next three years, work goes on daily; right now it is stalled."
    found = find_time_amounts(text)
    assert [a.text for a in found] == ["the next three years", "daily", "right now"]
    assert all(text[a.start_char : a.end_char] == a.text for a in found)
