"""Dates written with a month name: days, day ranges, parts of months and bare months.

Part of the date resolver whose entry point is ``dates.py`` (the overview, the conventions
and the table that runs these patterns in priority order are there). Each ``*_PATTERN`` is
compiled case-insensitively there and its match handed to the handler beside it: "2024-03-19",
"May 16, 2024", "March 5-7", "Sunday, March 24", "16 May", "May 2024", "the second half of
May", "early next month", "in May". A day or month without a year is placed in the direction
the sentence points to (``calendar_spans.py``).
"""

from __future__ import annotations

import re
from datetime import date

from storyline.enrich.calendar_spans import (
    day_in_direction,
    last_day,
    month_span,
    month_year,
    relative_month_year,
    safe_date,
    shift_month,
)
from storyline.enrich.date_lexicon import (
    DAY,
    MONTH,
    MONTH_ANY,
    RANGE_SEP,
    WEEKDAY,
    YEAR_AFTER,
    Resolved,
    day_number,
    month_number,
    stated_year,
)
from storyline.enrich.tense import DateContext

ISO_PATTERN = r"\b(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"


def iso_date(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """An ISO date: "2024-03-19"."""
    d = safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return (d, d, "day") if d else None


def _explicit_or_directed_day(
    month: int, day: int, m: re.Match[str], ctx: DateContext
) -> date | None:
    year = stated_year(m, ctx.pub)
    if year is not None:
        return safe_date(year, month, day)
    return day_in_direction(month, day, ctx.pub, ctx.direction(m.start(), m.end()))


#: "March 5-7", "from June 30 to July 7, 2024".
DAY_RANGE_PATTERN = (
    rf"(?:\b(?P<pre>from|between)\s+)?(?P<m1>{MONTH_ANY})\s*(?P<d1>{DAY})"
    rf"(?P<sep>{RANGE_SEP})(?:(?P<m2>{MONTH_ANY})\s*)?(?P<d2>{DAY}){YEAR_AFTER}?"
)
#: "5-7 March", "between 24 and 26 May".
DAY_FIRST_RANGE_PATTERN = (
    rf"(?:\b(?P<pre>from|between)\s+)?(?P<d1>{DAY})(?:\s+(?P<m1>{MONTH_ANY}))?"
    rf"(?P<sep>{RANGE_SEP})(?P<d2>{DAY})\s+(?P<m2>{MONTH_ANY}){YEAR_AFTER}?"
)


def day_range(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A range of days of one month or two (granularity ``days``)."""
    m1 = month_number(m["m1"]) if m["m1"] else None
    m2 = month_number(m["m2"]) if m["m2"] else None
    d1, d2 = day_number(m["d1"]), day_number(m["d2"])
    first_month = m1 or m2
    last_month = m2 or m1
    if first_month is None or last_month is None:
        return None
    if first_month == last_month and d2 <= d1:
        return None  # "May 5-3", "5 to 3 May": a score or a count, not a range
    if m1 and m2 and not m["pre"] and m["sep"].strip().lower() == "and":
        return None  # "on June 30 and July 7": two days, each found on its own
    start = _explicit_or_directed_day(first_month, d1, m, ctx)
    if start is None:
        return None
    end_year = start.year + (1 if last_month < first_month else 0)
    end = safe_date(end_year, last_month, d2)
    return (start, end, "days") if end and end > start else None


#: "Sunday, March 24, 2024", "Tuesday the 5th of May".
WEEKDAY_DATE_PATTERN = (
    rf"{WEEKDAY},?\s+(?:the\s+)?(?:(?P<m>{MONTH_ANY})\s*(?P<d>{DAY})"
    rf"|(?P<d2>{DAY})(?:\s+of)?\s+(?P<m2>{MONTH_ANY})){YEAR_AFTER}?"
)


def weekday_date_expr(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A weekday with a date: the date decides, the weekday is not checked."""
    month = month_number(m["m"] or m["m2"])
    day = day_number(m["d"] or m["d2"])
    d = _explicit_or_directed_day(month, day, m, ctx)
    return (d, d, "day") if d else None


MONTH_DAY_PATTERN = rf"(?P<m>{MONTH_ANY})\s*(?P<d>{DAY}){YEAR_AFTER}?"
DAY_MONTH_PATTERN = rf"(?:\bthe\s+)?(?P<d>{DAY})(?:\s+of)?\s+(?P<m>{MONTH_ANY}){YEAR_AFTER}?"


def month_day(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A month and day: "May 16", "16 May 2024", "the 3rd of March"."""
    d = _explicit_or_directed_day(month_number(m["m"]), day_number(m["d"]), m, ctx)
    return (d, d, "day") if d else None


MONTH_YEAR_PATTERN = rf"(?P<m>{MONTH_ANY})(?:\s+of)?{YEAR_AFTER}"


def month_with_year(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A month with its year: "May 2024", "March of last year"."""
    year = stated_year(m, ctx.pub)
    return (*month_span(year, month_number(m["m"])), "month") if year else None


PART_OF_MONTH_PATTERN = (
    r"(?:\b(?P<part>early|mid|late)(?:-|\s+)|(?:\bthe\s+)?\b(?P<half>first|second|1st|2nd)"
    r"\s+half\s+of\s+|(?:\bthe\s+)?\b(?P<part2>beginning|start|middle|end)\s+of\s+)"
    rf"(?:(?P<mrel>last|next|this)\s+)?(?:(?P<m>{MONTH}){YEAR_AFTER}?"
    r"|(?:(?P<rel>this|next|last)|the)\s+month\b)"
)

_PARTS = {
    "early": (1, 10), "beginning": (1, 10), "start": (1, 10),
    "mid": (11, 20), "middle": (11, 20),
    "late": (21, 31), "end": (21, 31),
    "first": (1, 15), "1st": (1, 15), "second": (16, 31), "2nd": (16, 31),
}  # fmt: skip


def part_of_month(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """Part of a month: "the second half of May", "early next month", "the end of the month"."""
    part = (m["part"] or m["part2"] or m["half"]).lower()
    if m["m"]:
        month = month_number(m["m"])
        stated = stated_year(m, ctx.pub)
        if stated is not None:
            year = stated
        elif m["mrel"]:
            year = relative_month_year(month, ctx.pub, m["mrel"].lower())
        else:
            year = month_year(month, ctx.pub, ctx.direction(m.start(), m.end()))
    else:
        shift = {"last": -1, "next": 1}.get((m["rel"] or "this").lower(), 0)
        year, month = shift_month(ctx.pub.year, ctx.pub.month, shift)
    first, last = _PARTS[part]
    last = min(last, last_day(year, month))
    return date(year, month, first), date(year, month, last), "part-of-month"


BARE_MONTH_PATTERN = rf"(?:\b(?P<rel>last|next|this|coming)\s+)?(?P<m>{MONTH})"

_MONTH_CONTEXT_RE = re.compile(
    r"(?:\b(?:in|of|by|until|till|since|from|through|throughout|during|before|after|for"
    rf"|between|around|as\s+of)|(?:{MONTH}|\d{{4}}),?\s+(?:to|and|or|through|until|till))\s+$",
    re.IGNORECASE,
)


def bare_month(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A month alone ("in May", "last October"): only after a preposition or last/next/this."""
    month = month_number(m["m"])
    if m["rel"]:
        year = relative_month_year(month, ctx.pub, m["rel"].lower())
    elif _MONTH_CONTEXT_RE.search(ctx.text, max(0, m.start() - 30), m.start()):
        year = month_year(month, ctx.pub, ctx.direction(m.start(), m.end()))
    else:
        return None
    return (*month_span(year, month), "month")
