"""Calendar arithmetic for date resolution: month and quarter spans, and which year or day a
month, quarter or weekday without one falls in, given the publication day and a direction.
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


def month_year(month: int, pub: date, direction: Direction | None) -> int:
    """Year of a bare month name, seen from ``pub`` in ``direction`` (None: nearest)."""
    if direction == "past":
        return pub.year if month <= pub.month else pub.year - 1
    if direction == "future":
        return pub.year if month >= pub.month else pub.year + 1
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


def day_in_direction(month: int, day: int, pub: date, direction: Direction | None) -> date | None:
    """A month-and-day without a year: the occurrence in ``direction`` (None: nearest)."""
    years = (pub.year - 1, pub.year, pub.year + 1)
    candidates = [d for y in years if (d := safe_date(y, month, day))]
    if direction == "past":
        past = [d for d in candidates if d <= pub]
        return past[-1] if past else None
    if direction == "future":
        future = [d for d in candidates if d >= pub]
        return future[0] if future else None
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - pub).days), d.year != pub.year))


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
