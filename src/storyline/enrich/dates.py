"""Find date expressions in English news text and resolve them to intervals of calendar days.

(German, Spanish and French: a smaller set, in ``foreign_dates.py``; ``resolve_dates``'s
``language`` chooses.)

Where things live: this module detects (the pattern table, the anchors and windows) and
settles overlaps; the patterns and their handlers are grouped by what they read —
``date_months.py`` (dates with a month name: days, ranges, parts of months, bare months),
``date_relative.py`` (weeks, weekdays, weekends, "yesterday", "two weeks ago", "in three
days"), ``date_years.py`` (quarters, "year-end", decades, spoken and bare years); their shared
words and regex fragments are in ``date_lexicon.py``, the calendar arithmetic in
``calendar_spans.py`` and the tense cues in ``tense.py``.

Why our own resolver (see FIELD-NOTES, "Dates"): dateparser invents a day for "in May", loses
"second half of", has no notion of "this week" or of ranges, and its PREFER_DATES_FROM is one
global direction, so "last October" and "will visit in May" cannot both come out right.

How it works, in two steps, regular expressions only (no model, pure Python):

1. **Detection.** A handful of patterns (absolute dates, ranges, parts of months, weeks,
   weekdays, quarters, "N days ago", bare months and years after a preposition) propose
   candidate spans. Overlaps are settled longest-first, so "the second half of May" wins over
   "May" and "Sunday, March 24" over "Sunday". The patterns run only in short windows around
   *anchors* (digits, month and weekday names, "week", "ago", ...) found by cheap scans first;
   that is what makes the module fast (see ``_windows``).
2. **Resolution** relative to the publication date. Expressions that carry no year or week
   ("in May", "on Thursday", "the first quarter", "over the weekend") need a *direction*, taken
   from the sentence around them (``DateContext.direction``): the nearest tense cue before the
   expression, else the nearest one after it, else the caller's ``tense_hint``. Future cues
   are modal and plan words (will, would, expected, plans, scheduled, set to, due, could) and
   scheduling verbs in the present tense (begins, opens, takes effect, "polls close"); past
   cues are past-tense verbs (said, announced, rose, any "-ed" verb not used as an adjective or
   passive participle) and words such as ago, earlier, yesterday.

Conventions (what a reader of a news article means; the gold set in
``tests/data/dates_gold.jsonl`` follows them):

* Bare month: future cue → next occurrence (this month counts); past cue → last occurrence
  (this month counts); no cue → the occurrence within six months of publication, same year
  preferred. "last October" / "next January" exclude the current month.
* Month and day without a year: the same, at day precision (the publication day counts both
  ways). A direction is not followed that far: a date more than 300 days away that way, or a
  month 11 or more months away, is the nearer one instead (news names dates of the current
  year without one: "extended its offer to Nov. 20", said on Nov. 2, is 18 days ahead).
* Weekday: the publication day itself when it is that weekday ("announced Tuesday" in a
  Tuesday article); otherwise the coming one for a future cue, else the past one (news reports
  mostly past events). "last Friday" is strictly before the publication day, "next Monday" and
  "this Friday" strictly/non-strictly after it. A weekday something starts on ("a strike from
  Wednesday", "effective Monday") is the coming one even in a past sentence ("unions called a
  strike from Wednesday", written on Sunday); "since Wednesday" stays the past one. So is a
  deadline ("gave the junta until Sunday", "until 9 a.m. Tuesday"), unless something lasted
  until then ("the curfew lasted until Sunday", "remained closed until Friday"). A clock time
  before a weekday belongs to the expression ("at 10 p.m. Wednesday"); the day is resolved.
* Weeks run Monday..Sunday; weekends are Saturday..Sunday with granularity ``days``. "over
  the weekend" is the weekend just gone in a past sentence, the coming (or current) one in a
  future sentence and, with no cue, the past one early in the week (Monday-Wednesday) and the
  coming one later. "this weekend" in a past sentence written on a weekday is the one just
  gone.
* Parts of months: early/beginning 1–10, mid/middle 11–20, late/end 21–last day, first half
  1–15, second half 16–last day. "earlier this month" is the 1st to the day before publication;
  "later this month" the day after publication to the month's end.
* "the end of the year" is December, "the beginning of the year" January (granularity
  ``month``): ``TimeSpan`` has no part-of-year granularity. "May last year", "October 27 this
  year" take the stated year.
* Quarters: past cue → the latest quarter that has begun; future cue → the earliest that has
  not ended, except the quarter just ended in the two months its results come out ("expects
  to report a third-quarter loss", in October); no cue → the one whose middle month is within
  six months of publication. "the quarter" and "the latest quarter" are the latest that has
  ended ("the quarter ended July 31": the calendar quarter that fiscal quarter overlaps most);
  "the year-ago quarter" is that quarter a year back; "the 1988 second quarter" takes the year.
* Decades: "the 1990s", "the early 1980s" are the ten years (granularity ``decade``).
  "year-end" is December, like "the end of the year".
* "N days/weeks ago" and "in N days/weeks" are one day (granularity ``day``), e.g. "two weeks
  ago" is publication − 14 days; "N months ago" is that month, "N years ago" that year. "in N
  days/weeks/months" is only read as a point in time in a future sentence, never after a
  superlative ("the highest level in three years" is a duration).
* Lower-case "may" is never a month; a bare month name needs a preposition in front of it
  ("in May", "since March", "from March to May") or a day or year beside it, so "Theresa May"
  and sentence-initial "May said" are not dates. Bare four-digit years need a preposition too
  ("in 2022", "by 2026") or a determiner, a possessive or "early", "late", "mid-", "fiscal"
  ("the 1996 campaign", "Ford's 1990 models", "mid-1996") and must not be followed by a
  count noun ("of 2019 applicants", "the 2000 employees") or "block" ("the 1900 block of").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from storyline.enrich.date_lexicon import Handler
from storyline.enrich.date_months import (
    BARE_MONTH_PATTERN,
    DAY_FIRST_RANGE_PATTERN,
    DAY_MONTH_PATTERN,
    DAY_RANGE_PATTERN,
    ISO_PATTERN,
    MONTH_DAY_PATTERN,
    MONTH_YEAR_PATTERN,
    PART_OF_MONTH_PATTERN,
    WEEKDAY_DATE_PATTERN,
    bare_month,
    day_range,
    iso_date,
    month_day,
    month_with_year,
    part_of_month,
    weekday_date_expr,
)
from storyline.enrich.date_relative import (
    AGO_PATTERN,
    DEICTIC_PATTERN,
    EARLIER_LATER_PATTERN,
    IN_N_PATTERN,
    RELATIVE_UNIT_PATTERN,
    WEEKDAY_PATTERN,
    WEEKDAY_RANGE_PATTERN,
    WEEKEND_PATTERN,
    ago,
    deictic,
    earlier_later,
    in_n,
    relative_unit,
    weekday,
    weekday_range,
    weekend,
)
from storyline.enrich.date_years import (
    BARE_YEAR_PATTERN,
    DECADE_PATTERN,
    DETERMINED_YEAR_PATTERN,
    PART_OF_YEAR_PATTERN,
    QUALIFIED_YEAR_PATTERN,
    QUARTER_PATTERN,
    SPOKEN_YEAR_PATTERN,
    bare_year,
    decade,
    determined_year,
    part_of_year,
    quarter,
    spoken_year,
)
from storyline.enrich.foreign_dates import LANGUAGES as FOREIGN_LANGUAGES
from storyline.enrich.foreign_dates import resolve_foreign_dates
from storyline.enrich.tense import DateContext, Direction
from storyline.errors import ConfigError
from storyline.models import TimeSpan

__all__ = ["Direction", "resolve_dates"]

# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    handler: Handler
    needs: int  # the anchor kinds (any of them) without which the pattern cannot match
    group: str | None = None  # the span reported, when not the whole match


def _p(pattern: str, handler: Handler, needs: int, group: str | None = None) -> _Pattern:
    return _Pattern(re.compile(pattern, re.IGNORECASE), handler, needs, group)


# Kinds of anchor: every match of a pattern contains an anchor of one of the kinds it needs,
# a token found by fast scans (years, month and weekday names, "Q1", a few lower-case words).
_YEAR_NUMBER = 1
_MONTH_NAME = 2
_WEEKDAY_NAME = 4
_WEEK = 8
_MONTH_WORD = 16
_YEAR_WORD = 32
_QUARTER = 64
_AGO = 128
_DAY_WORD = 256
_DEICTIC = 512
_SPOKEN_YEAR = 1024

# Listed by priority: among overlapping candidates of equal length the earlier pattern wins.
_PATTERNS: tuple[_Pattern, ...] = (
    _p(ISO_PATTERN, iso_date, _YEAR_NUMBER),
    _p(DAY_RANGE_PATTERN, day_range, _MONTH_NAME),
    _p(DAY_FIRST_RANGE_PATTERN, day_range, _MONTH_NAME),
    # Not the weekday: "Sunday, March 24, 2024" ends too far after it.
    _p(WEEKDAY_DATE_PATTERN, weekday_date_expr, _MONTH_NAME),
    _p(MONTH_DAY_PATTERN, month_day, _MONTH_NAME),
    _p(DAY_MONTH_PATTERN, month_day, _MONTH_NAME),
    _p(MONTH_YEAR_PATTERN, month_with_year, _MONTH_NAME),
    _p(PART_OF_MONTH_PATTERN, part_of_month, _MONTH_NAME | _MONTH_WORD),
    _p(PART_OF_YEAR_PATTERN, part_of_year, _YEAR_WORD | _YEAR_NUMBER),
    _p(DECADE_PATTERN, decade, _YEAR_NUMBER),
    _p(EARLIER_LATER_PATTERN, earlier_later, _MONTH_WORD | _WEEK),
    _p(QUARTER_PATTERN, quarter, _QUARTER),
    _p(RELATIVE_UNIT_PATTERN, relative_unit, _WEEK | _MONTH_WORD | _YEAR_WORD),
    _p(WEEKEND_PATTERN, weekend, _WEEK),
    _p(AGO_PATTERN, ago, _AGO),
    _p(SPOKEN_YEAR_PATTERN, spoken_year, _SPOKEN_YEAR, group="span"),
    _p(IN_N_PATTERN, in_n, _DAY_WORD | _WEEK | _MONTH_WORD),
    _p(DEICTIC_PATTERN, deictic, _DEICTIC | _DAY_WORD),
    _p(WEEKDAY_RANGE_PATTERN, weekday_range, _WEEKDAY_NAME),
    _p(WEEKDAY_PATTERN, weekday, _WEEKDAY_NAME),
    _p(BARE_MONTH_PATTERN, bare_month, _MONTH_NAME),
    _p(BARE_YEAR_PATTERN, bare_year, _YEAR_NUMBER, group="y"),
    _p(DETERMINED_YEAR_PATTERN, determined_year, _YEAR_NUMBER, group="y"),
    _p(QUALIFIED_YEAR_PATTERN, determined_year, _YEAR_NUMBER),
)


_YEAR_NUMBER_RE = re.compile(r"(?:19|20)[0-9][0-9]")
_NAMES_RE = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*|Q[1-4]"
)
_WEEKDAY_STEMS = frozenset(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
_KEYWORDS = (
    ("week", _WEEK), ("month", _MONTH_WORD), ("year", _YEAR_WORD), ("quarter", _QUARTER),
    ("ago", _AGO), ("day", _DAY_WORD), ("yesterday", _DEICTIC), ("today", _DEICTIC),
    ("tomorrow", _DEICTIC), ("night", _DEICTIC), ("morning", _DEICTIC),
    ("afternoon", _DEICTIC), ("evening", _DEICTIC), ("nineteen", _SPOKEN_YEAR),
    ("thousand", _SPOKEN_YEAR),
)  # fmt: skip
# Running each pattern only near the anchors it needs is what makes the resolver fast: the
# patterns start with optional words, which defeats the regex engine's prefix search. Scanning
# whole texts with every pattern ran at 147 chunks/s on 422 real ~300-word article chunks.
_WINDOW_BEFORE = 32  # longest lead-in before an anchor: "between 24 and 26 ", "the end of next "
_WINDOW_AFTER = 16  # longest tail after one: " 30 last year", ". 30, 2024"


def _anchors(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, kind)`` of every anchor in ``text``, in text order."""
    anchors = [(m.start(), m.end(), _YEAR_NUMBER) for m in _YEAR_NUMBER_RE.finditer(text)]
    for m in _NAMES_RE.finditer(text):
        stem = m.group()[:3]
        if stem[0] == "Q":
            kind = _QUARTER
        else:
            kind = _WEEKDAY_NAME if stem in _WEEKDAY_STEMS else _MONTH_NAME
        anchors.append((m.start(), m.end(), kind))
    lowered = text.lower()
    for word, kind in _KEYWORDS:
        i = lowered.find(word)
        while i >= 0:
            anchors.append((i, i + len(word), kind))
            i = lowered.find(word, i + 1)
    anchors.sort()
    return anchors


def _windows(text: str, anchors: list[tuple[int, int, int]], kinds: int) -> list[tuple[int, int]]:
    """Merged stretches of ``text`` around the anchors of ``kinds``, cut at spaces."""
    windows: list[tuple[int, int]] = []
    for start, end, kind in anchors:
        if not kind & kinds:
            continue
        lo = text.rfind(" ", 0, max(0, start - _WINDOW_BEFORE)) + 1
        if windows and lo <= windows[-1][1]:
            lo = windows.pop()[0]
        hi = text.find(" ", end + _WINDOW_AFTER)
        windows.append((lo, len(text) if hi < 0 else hi))
    return windows


# --------------------------------------------------------------------------- public API


def resolve_dates(
    text: str,
    published: datetime | date,
    *,
    tense_hint: Direction | None = None,
    language: str | None = None,
) -> list[TimeSpan]:
    """Find the date expressions in ``text`` and resolve each to an inclusive day interval.

    ``published`` is the article's publication date (a timezone-aware datetime is read in its
    own timezone). Expressions without a year or week are resolved in the direction the
    sentence around them points to; ``tense_hint`` is the direction to assume where a sentence
    gives no cue (``None``: the nearest occurrence, and the past one for a bare weekday).
    Returns the spans in text order, never overlapping. See the module docstring for the
    conventions ("two weeks ago" is one day, "the end of the year" is December, ...).
    ``language`` (ISO 639-1; None: English) "de", "es" or "fr" reads the expressions
    ``foreign_dates.py`` knows in that language instead, directed by that language's tense
    cues (``foreign_tense.py``).
    """
    if tense_hint not in (None, "past", "future"):
        raise ConfigError(f"tense_hint must be 'past', 'future' or None, not {tense_hint!r}")
    pub = published.date() if isinstance(published, datetime) else published
    if language in FOREIGN_LANGUAGES:
        return resolve_foreign_dates(text, pub, language, tense_hint=tense_hint)
    ctx = DateContext(text, pub, tense_hint)

    candidates: list[tuple[int, int, int, re.Match[str], _Pattern]] = []
    anchors = _anchors(text)
    windows: dict[int, list[tuple[int, int]]] = {}
    for priority, pattern in enumerate(_PATTERNS):
        if pattern.needs not in windows:
            windows[pattern.needs] = _windows(text, anchors, pattern.needs)
        for lo, hi in windows[pattern.needs]:
            for m in pattern.regex.finditer(text, lo, hi):
                start, end = m.span(pattern.group or 0)
                candidates.append((start, end, priority, m, pattern))
    candidates.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))  # longest first, then priority

    taken = bytearray(len(text))  # 1 where an accepted span lies
    spans: list[TimeSpan] = []
    for start, end, _priority, m, pattern in candidates:
        if 1 in taken[start:end]:
            continue
        resolved = pattern.handler(m, ctx)
        if resolved is None:
            continue
        first, last, granularity = resolved
        taken[start:end] = b"\x01" * (end - start)
        spans.append(
            TimeSpan(
                text=text[start:end],
                start_char=start,
                end_char=end,
                start=first.isoformat(),
                end=last.isoformat(),
                granularity=granularity,
            )
        )
    spans.sort(key=lambda s: s.start_char)
    return spans
