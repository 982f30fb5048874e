"""Words, regular-expression fragments and small parsers shared by the English date patterns.

Part of the date resolver whose entry point is ``dates.py`` (the overview and the conventions
are in its docstring). The pattern modules, ``date_months.py``, ``date_relative.py`` and
``date_years.py``, build their patterns from the fragments here and return ``Resolved``
intervals; ``calendar_spans.py`` does the calendar arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from storyline.enrich.calendar_spans import relative_year
from storyline.enrich.tense import DateContext

#: What a pattern's handler returns: the first and last day and the granularity, or None
#: where the match is not a date after all ("May 5-3" is a score).
Resolved = tuple[date, date, str]
Handler = Callable[[re.Match[str], DateContext], Resolved | None]

_MONTH_NAMES = (
    "january jan|february feb|march mar|april apr|may|june jun|july jul|august aug"
    "|september sep sept|october oct|november nov|december dec"
)
_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(_MONTH_NAMES.split("|"), start=1)
    for name in names.split()
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

# Month and weekday names are matched case-sensitively inside otherwise case-insensitive
# patterns: lower-case "may" and "march" are a verb and a noun far more often than a month.
_FULL_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
MONTH = rf"(?-i:{_FULL_MONTHS})\b"
MONTH_ANY = rf"(?-i:{_FULL_MONTHS}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
WEEKDAY = r"(?-i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
DAY = r"\b(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?\b(?![%]|[.:,]\d)"
YEAR = r"\b(?:19|20)\d\d\b(?!%|[.,:]\d)"
NUMBER = r"\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
#: A year after a month or date: "May 16, 2024", "May 2024", "the end of May last year".
YEAR_AFTER = rf"(?:,?\s+(?P<y>{YEAR})|\s+(?P<yrel>this|last|next)\s+year\b)"
RANGE_SEP = r"\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b|\band\b)\s*"


def number(word: str) -> int:
    """A count written in digits or as a word up to twelve ("a", "two", "14")."""
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def month_number(word: str) -> int:
    """1-12 for a month name or abbreviation ("Sept.", "march")."""
    return _MONTH_NUMBERS[word.rstrip(".").lower()]


def day_number(word: str) -> int:
    """The day of a day-of-month token ("3rd", "24")."""
    return int(re.sub(r"\D", "", word))


def stated_year(m: re.Match[str], pub: date) -> int | None:
    """The year written after a month or date ("2024", "last year"), if any."""
    if m["y"]:
        return int(m["y"])
    if m["yrel"]:
        return relative_year(m["yrel"], pub)
    return None
