"""Calendar arithmetic for date resolution: month and quarter spans, and which year or day a
month, quarter or weekday without one falls in, given the publication day and a direction.

Pure functions on ``datetime.date``, no text: the date patterns (``date_months.py``,
``date_relative.py``, ``date_years.py``, driven by ``dates.py``) call them once they have
read an expression.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from storyline.enrich.tense import Direction


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, last_day(year, month))


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def safe_date(year: int, month: int, day: int) -> date | None:
    if 1 <= month <= 12 and 1 <= day <= last_day(year, month):
        return date(year, month, day)
    return None


#: A month without a year this many months away or more in the sentence's direction is taken
#: to be the nearer one: "in September", said in August, is next month, not 11 months back.
IMPLAUSIBLE_MONTHS = 11


def month_year(month: int, pub: date, direction: Direction | None) -> int:
    """Year of a bare month name, seen from ``pub`` in ``direction`` (None: nearest), unless
    that is ``IMPLAUSIBLE_MONTHS`` away or more."""
    if direction == "past":
        year = pub.year if month <= pub.month else pub.year - 1
    elif direction == "future":
        year = pub.year if month >= pub.month else pub.year + 1
    else:
        year = None
    if year is not None and abs(year * 12 + month - pub.year * 12 - pub.month) < IMPLAUSIBLE_MONTHS:
        return year
    diff = month - pub.month
    if abs(diff) <= 6:
        return pub.year
    return pub.year - 1 if diff > 0 else pub.year + 1


def relative_month_year(month: int, pub: date, rel: str) -> int:
    """Year of "last/next/this <Month>"; "last" and "next" skip the current month."""
    if rel == "last":
        return pub.year if month < pub.month else pub.year - 1
    if rel in ("next", "coming"):
        return pub.year if month > pub.month else pub.year + 1
    return pub.year


def relative_year(rel: str | None, pub: date) -> int:
    """The year of "last/next/this year" (None: this year) seen from ``pub``."""
    return pub.year + {"last": -1, "next": 1}.get((rel or "this").lower(), 0)


#: A date without a year more than this many days away in the sentence's direction is taken
#: to be the nearer one the other way: news names dates of the current year without one, so
#: "extended its offer to Nov. 20", said on Nov. 2, is 18 days ahead, not 347 days back
#: (seen in TempEval-3's training documents, where such dates are the nearer one).
IMPLAUSIBLE_DAYS = 300


def day_in_direction(month: int, day: int, pub: date, direction: Direction | None) -> date | None:
    """A month-and-day without a year: the occurrence in ``direction`` (None: nearest), unless
    that is more than ``IMPLAUSIBLE_DAYS`` away."""
    years = (pub.year - 1, pub.year, pub.year + 1)
    candidates = [d for y in years if (d := safe_date(y, month, day))]
    if not candidates:
        return None
    nearest = min(candidates, key=lambda d: (abs((d - pub).days), d.year != pub.year))
    directed = None
    if direction == "past":
        directed = next((d for d in reversed(candidates) if d <= pub), None)
    elif direction == "future":
        directed = next((d for d in candidates if d >= pub), None)
    if directed is not None and abs((directed - pub).days) <= IMPLAUSIBLE_DAYS:
        return directed
    return nearest if direction is None or directed is not None else None


def weekday_date(weekday: int, pub: date, direction: Direction | None, rel: str | None) -> date:
    forward = (weekday - pub.weekday()) % 7
    back = (pub.weekday() - weekday) % 7
    if rel == "last":
        return pub - timedelta(days=back or 7)
    if rel in ("next", "coming"):
        return pub + timedelta(days=forward or 7)
    if rel == "this" or (direction == "future" and forward):
        return pub + timedelta(days=forward)
    return pub - timedelta(days=back)


def quarter_year(quarter: int, pub: date, direction: Direction | None) -> int:
    current = (pub.month - 1) // 3 + 1
    if direction == "past":
        return pub.year if quarter <= current else pub.year - 1
    if direction == "future":
        if quarter == (current - 2) % 4 + 1 and (pub.month - 1) % 3 < 2:
            # The quarter just ended, in the two months its results come out: "expects to
            # report a third-quarter loss", written in October, is about July-September.
            return pub.year if current > 1 else pub.year - 1
        return pub.year if quarter >= current else pub.year + 1
    diff = (3 * quarter - 1) - pub.month  # distance to the quarter's middle month
    if abs(diff) <= 6:
        return pub.year
    return pub.year - 1 if diff > 0 else pub.year + 1


def quarter_span(year: int, quarter: int) -> tuple[date, date]:
    return date(year, 3 * quarter - 2, 1), month_span(year, 3 * quarter)[1]


def week_start(pub: date, weeks: int = 0) -> date:
    """The Monday of the week ``weeks`` after (before, when negative) the week of ``pub``."""
    return pub - timedelta(days=pub.weekday()) + timedelta(weeks=weeks)
