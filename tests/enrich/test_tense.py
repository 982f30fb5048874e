"""The parser-free sentence splitter of enrich/tense.py (which recalls.py also reads) around
"No.": the word at the end of a line ends its sentence, the number sign does not. Every text
here is written for the test."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.enrich.tense import DateContext, sentence_starts


def _sentences(text: str) -> list[str]:
    starts = sentence_starts(text)
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


@pytest.mark.parametrize("first", [
    "Asked whether she would stand again, the mayor said No.",
    "The answer from the harbour board was a flat No.",
    'Asked about a delay, the minister said: "No."',
    "He said no.",
])
def test_tense_a_line_break_after_the_word_no_ends_the_sentence(first: str) -> None:
    text = f"{first}\nThe council will vote on the budget on Friday."
    assert _sentences(text) == [first, "The council will vote on the budget on Friday."]


@pytest.mark.parametrize("text", [
    "Trains to Kelby leave from Platform No. 4 until the bridge reopens.",
    "Trains to Kelby leave from Platform No.\n4 until the bridge reopens.",
    "The ferry berths at Pier No. 12 on weekdays.",
])
def test_tense_no_before_a_number_does_not_end_the_sentence(text: str) -> None:
    assert sentence_starts(text) == [0]


def test_tense_a_blank_line_ends_a_sentence_even_after_an_abbreviation() -> None:
    text = "The fire started in a shop on Quarry St.\n\nCrews stayed overnight."
    assert _sentences(text) == ["The fire started in a shop on Quarry St.",
                                "Crews stayed overnight."]
    # One line break after a title is still no end: "Sgt." goes on to the name.
    assert sentence_starts("The report was signed by Sgt.\nAlma Reyes on Monday.") == [0]


def test_tense_the_word_no_no_longer_lends_its_tense_to_the_next_line() -> None:
    # "said" (past) was the last cue before "Friday" while "No." hid the sentence end; on its
    # own line, "On Friday the polls close" points ahead.
    text = "Asked whether she would stand again, the mayor said No.\nOn Friday the polls close."
    context = DateContext(text, date(2024, 6, 12), None)
    start = text.index("Friday")
    assert context.direction(start, start + len("Friday")) == "future"
    # The same line after a number sign keeps the sentence's past tense.
    text = "Trains were held at Platform No.\n4 on Friday after the polls closed."
    context = DateContext(text, date(2024, 6, 12), None)
    start = text.index("Friday")
    assert context.direction(start, start + len("Friday")) == "past"
