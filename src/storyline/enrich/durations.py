"""Time expressions that are not calendar intervals: lengths of time ("three years", "a
five-year low", "the past two weeks", "several months"), frequencies ("daily", "every
month") and vague references ("now", "currently", "recently", "in the past", "the near
future").

``dates.py`` resolves expressions that name days to intervals of days; these name none, so
they come back as ``TimeAmount`` values written the TimeML way (``P3Y``, ``PT4H``, ``PXM``
for a vague count, ``PRESENT_REF``...). Regular expressions only, like ``dates.py``.

Conventions: a decade is ten years (``P10Y``) and a century a hundred; "the last twenty four
hours" is ``PT24H``; "2 1/2 years" counts the whole years (``P2Y``); "N units ago" is a date
(``dates.py``), but "several years ago", with no count to go back by, is ``PAST_REF``; "a
year earlier", "two days later" are points in time anchored on some other one, and are not
reported. Ages ("a 39-year-old man") are not lengths of anything that happened and are
skipped; an "8-month-old truce" is a length. "quarter" is a length only in the plural ("the
past two quarters"): "a quarter of", "three-quarters" are fractions.
"""

from __future__ import annotations

import re

from storyline.models import TimeAmount

__all__ = ["find_time_amounts"]

_UNITS = {
    "second": "TS", "minute": "TM", "hour": "TH", "day": "D", "week": "W", "month": "M",
    "quarter": "Q", "year": "Y", "decade": "Y", "century": "Y", "centurie": "Y",
}  # fmt: skip
_UNIT_FACTOR = {"decade": 10, "century": 100, "centurie": 100}
_ONES = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
_VAGUE = r"a\s+few|few|several|many|some|a\s+couple\s+of|couple\s+of"

_WORD_NUMBER = (
    rf"(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(k for k in _ONES if len(k) > 2)}))?"
    rf"|{'|'.join(sorted(_ONES, key=len, reverse=True))}|a\s+hundred|hundred"
)
_COUNT = (
    rf"(?P<n>\d{{1,4}}(?:\s+\d/\d)?|{_WORD_NUMBER})|(?P<couple>a\s+couple\s+of|couple\s+of)"
    rf"|(?P<vague>{_VAGUE})"
)
_UNIT = r"(?P<unit>second|minute|hour|day|week|month|quarter|year|decade|centur(?:y|ie))"
_MODIFIER = (
    r"(?:(?:about|nearly|almost|roughly|some|only|just|over(?!\s+the\b)|more\s+than|less\s+than"
    r"|at\s+least|up\s+to|no\s+more\s+than|within)\s+)?"
)
_FRAME = (
    r"(?:(?:(?:the|each\s+of\s+the)\s+)?(?:past|last|next|first|coming|previous|latest|final"
    r"|following|additional)\s+|the\s+)?"
)

_DURATION_RE = re.compile(
    rf"\b{_MODIFIER}{_FRAME}(?:{_COUNT})(?:\s+more)?(?P<sep>\s+|-)(?:trading\s+)?{_UNIT}"
    r"(?P<plural>s)?(?P<long>-long)?\b(?P<after>\s+ago\b|-old\b|\s+old\b|\s+earlier\b|\s+later\b)?",
    re.IGNORECASE,
)
_PLURAL_UNIT_RE = re.compile(
    r"\b(?:(?P<frame>recent|coming|the\s+(?:past|next|last|coming)(?:\s+few|\s+several)?)\s+)"
    r"(?P<unit>days|weeks|months|years|decades|quarters)\b",
    re.IGNORECASE,
)
_SET_RE = re.compile(
    r"\b(?:(?:every|each)\s+(?P<unit>day|week|month|quarter|year)|(?P<adverb>daily|weekly"
    r"|hourly))\b",
    re.IGNORECASE,
)
# "quarterly" and "annually" are left out: far more often "quarterly dividend", "$2 billion
# annually" (an amount's rate) than the frequency of an event.
_SET_VALUES = {"daily": "P1D", "weekly": "P1W", "hourly": "PT1H"}
_REFERENCE_RE = re.compile(
    r"\b(?:(?P<present>(?:right\s+)?now|currently|at\s+present|at\s+the\s+moment|nowadays"
    r"|these\s+days)|(?P<past>(?:more\s+)?recently|(?:in\s+)?the\s+past(?!\s+[\w-]+\s+(?:[\w-]+\s+)?"
    r"(?:hours|days|weeks|months|quarters|years|decades)\b|\s+(?:year|decade|century)\b)"
    r"|several\s+years\s+ago"
    r"|some\s+time\s+ago)|(?P<future>(?:in\s+)?the\s+(?:near\s+|distant\s+)?future"
    r"|the\s+(?:near|short|long)\s+term))\b",
    re.IGNORECASE,
)


def _count(word: str) -> int:
    """The number a count is written as: "12", "twenty four", "twenty-four", "an"."""
    word = " ".join(word.lower().replace("-", " ").split())
    if word.split()[0].isdigit():
        return int(word.split()[0])  # "2 1/2 years": the whole units
    if word.endswith("hundred"):
        return 100
    parts = word.split()
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_ONES.get(parts[1], 0) if len(parts) > 1 else 0)
    return _ONES[word]


def _value(count: int | None, unit: str) -> str:
    unit = unit.lower()
    code = _UNITS[unit]
    amount = "X" if count is None else str(count * _UNIT_FACTOR.get(unit, 1))
    if code.startswith("T"):
        return f"PT{amount}{code[1]}"
    return f"P{amount}{code}"


def _durations(text: str) -> list[TimeAmount]:
    found: list[TimeAmount] = []
    for m in _DURATION_RE.finditer(text):
        after = (m["after"] or "").strip().lower()
        if after in ("old", "-old") and m["unit"].lower() == "year":
            continue  # "a 39-year-old man": an age (an "8-month-old truce" is a duration)
        if after in ("earlier", "later"):
            continue  # "a year earlier": a point in time before or after another, not a length
        if after == "ago":
            if not m["vague"]:
                continue  # "two years ago" is a date (dates.py)
            found.append(TimeAmount(m.group(), m.start(), m.end(), "PAST_REF", "reference"))
            continue
        unit = m["unit"]
        if unit.lower() == "quarter" and (not m["plural"] or m["sep"] == "-"):
            continue  # "a quarter of", "three-quarters": a fraction; "two quarters" is time
        if unit.lower() == "second" and (m["n"] or "").lower() in ("a", "an"):
            continue  # "a second time"
        if m["couple"]:
            count: int | None = 2
        elif m["vague"]:
            count = None
        else:
            count = _count(m["n"])
        end = m.end("long") if m["long"] else m.end("unit") + (1 if m["plural"] else 0)
        if after in ("old", "-old"):
            end = m.end()
        found.append(TimeAmount(text[m.start():end], m.start(), end, _value(count, unit),
                                "duration"))  # fmt: skip
    for m in _PLURAL_UNIT_RE.finditer(text):
        unit = m["unit"].lower().rstrip("s")
        found.append(TimeAmount(m.group(), m.start(), m.end(), _value(None, unit), "duration"))
    return found


def _sets(text: str) -> list[TimeAmount]:
    found = []
    for m in _SET_RE.finditer(text):
        value = _SET_VALUES[m["adverb"].lower()] if m["adverb"] else _value(1, m["unit"])
        found.append(TimeAmount(m.group(), m.start(), m.end(), value, "set"))
    return found


def _references(text: str) -> list[TimeAmount]:
    found = []
    for m in _REFERENCE_RE.finditer(text):
        kind = "PRESENT" if m["present"] else "PAST" if m["past"] else "FUTURE"
        start = m.start()
        if m.group()[:3].lower() == "in ":
            start += 3  # "in the past": TimeML marks "the past"
        found.append(TimeAmount(text[start:m.end()], start, m.end(), f"{kind}_REF",
                                "reference"))  # fmt: skip
    return found


def find_time_amounts(text: str) -> list[TimeAmount]:
    """Durations, frequencies and vague references to the present, past or future in
    ``text``, in text order and never overlapping (the longest wins)."""
    candidates = _durations(text) + _sets(text) + _references(text)
    candidates.sort(key=lambda a: (a.start_char - a.end_char, a.start_char))
    taken = bytearray(len(text))
    chosen: list[TimeAmount] = []
    for amount in candidates:
        if 1 in taken[amount.start_char : amount.end_char]:
            continue
        taken[amount.start_char : amount.end_char] = b"\x01" * (amount.end_char - amount.start_char)
        chosen.append(amount)
    chosen.sort(key=lambda a: a.start_char)
    return chosen
