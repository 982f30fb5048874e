"""Casualty counts: deaths and injuries with their numbers, and what is not a toll."""

from __future__ import annotations

import pytest

from storyline.enrich.casualties import find_casualties, parse_count


def _tolls(text: str) -> list[tuple[str, int]]:
    return [(c.action, c.count) for c in find_casualties(text)]


@pytest.mark.parametrize(
    ("text", "tolls"),
    [
        (
            "A blaze swept through a box factory in Marlow on Monday, killing three workers "
            "and injuring eleven others.",
            [("deaths", 3), ("injuries", 11)],
        ),
        ("Two firefighters were hurt and 14 people died.", [("injuries", 2), ("deaths", 14)]),
        ("The collapse left at least 9 people dead and 40 injured.",
         [("deaths", 9), ("injuries", 40)]),
        ("The death toll rose to 1,250 on Sunday.", [("deaths", 1250)]),
        ("Police said a dozen people were wounded.", [("injuries", 12)]),
    ],
)
def test_casualties_counts(text: str, tolls: list[tuple[str, int]]) -> None:
    assert _tolls(text) == tolls


@pytest.mark.parametrize(
    "text",
    [
        "A 52-year-old man was killed.",  # no count: "a man" is one person, not a toll
        "She was injured two years ago in a fall.",  # the number measures time
        "The storm could kill 20 people, forecasters warned.",  # still to come
        "The disease killed 40% of the herd.",
        "Dozens were hurt in the crush.",  # vague
    ],
)
def test_casualties_not_a_toll(text: str) -> None:
    assert find_casualties(text) == []


def test_casualties_highest_count_of_a_sentence_wins() -> None:
    text = "The quake killed 12 people; by evening the death toll had risen to 15."
    assert _tolls(text) == [("deaths", 15)]
    assert parse_count("1,200") == 1200 and parse_count("seven") == 7 and parse_count("x") is None
