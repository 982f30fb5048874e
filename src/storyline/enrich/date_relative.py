"""Dates relative to the publication day: weeks, weekdays, weekends, "yesterday", counts.

Part of the date resolver whose entry point is ``dates.py`` (the overview, the conventions
and the table that runs these patterns in priority order are there). Each ``*_PATTERN`` is
compiled case-insensitively there and its match handed to the handler beside it: "earlier
this month", "next week", "over the weekend", "two weeks ago", "in three days", "yesterday",
"from Tuesday to Thursday", "at 10 p.m. Wednesday". The weekday rules (which Friday "on
Friday" is, and when a past sentence still means the coming one: "a strike from Wednesday",
"until Sunday") are here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from storyline.enrich.calendar_spans import month_span, shift_month, week_start, weekday_date
from storyline.enrich.date_lexicon import NUMBER, RANGE_SEP, WEEKDAY, WEEKDAYS, Resolved, number
from storyline.enrich.tense import DateContext

EARLIER_LATER_PATTERN = r"\b(?P<when>earlier|later)\s+this\s+(?P<unit>month|week)\b"


def earlier_later(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """Before or after publication in its month or week: "earlier this month", "later this week"."""
    pub, earlier = ctx.pub, m["when"].lower() == "earlier"
    if m["unit"].lower() == "month":
        first, last = pub.replace(day=1), month_span(pub.year, pub.month)[1]
        granularity = "part-of-month"
    else:
        first = week_start(pub)
        last = first + timedelta(days=6)
        granularity = "days"
    if earlier:
        return first, max(first, pub - timedelta(days=1)), granularity
    return min(last, pub + timedelta(days=1)), last, granularity


#: Weeks, months or years from the publication's: "last week", "next month", "this year".
_REL_SHIFT = {"last": -1, "this": 0, "next": 1, "coming": 1}

RELATIVE_UNIT_PATTERN = (
    r"\b(?P<rel>this|next|last|current)\s+(?:fiscal\s+)?(?P<unit>week|month|year)\b"
)


def relative_unit(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A week, month or year from the publication's: "last week", "this fiscal year"."""
    rel, unit, pub = m["rel"].lower(), m["unit"].lower(), ctx.pub
    shift = _REL_SHIFT.get(rel, 0)
    if unit == "week":
        monday = week_start(pub, shift)
        return monday, monday + timedelta(days=6), "week"
    if unit == "month":
        return (*month_span(*shift_month(pub.year, pub.month, shift)), "month")
    year = pub.year + shift
    return date(year, 1, 1), date(year, 12, 31), "year"


WEEKEND_PATTERN = r"(?:\b(?P<rel>this|last|next)\s+|\b(?:over|at|during|on)\s+the\s+)weekend\b"


def weekend(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A Saturday and Sunday: "over the weekend", "next weekend"."""
    pub = ctx.pub
    saturday = week_start(pub) + timedelta(days=5)  # this week's
    rel = (m["rel"] or "").lower()
    if rel == "last":
        saturday -= timedelta(weeks=1)
    elif rel == "next":
        saturday += timedelta(weeks=1)
    else:
        direction = ctx.direction(m.start(), m.end())
        if direction is None and not rel:
            direction = "past" if pub.weekday() <= 2 else "future"
        if direction == "past" and pub < saturday:
            saturday -= timedelta(weeks=1)  # "talks continued over the weekend" on a Monday
    return saturday, saturday + timedelta(days=1), "days"


AGO_PATTERN = rf"\b(?P<n>{NUMBER})\s+(?P<unit>day|week|month|year|decade)s?\s+ago\b"


def ago(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A count back: "two weeks ago" (one day), "three months ago" (that month)."""
    n, unit, pub = number(m["n"]), m["unit"].lower(), ctx.pub
    if unit in ("day", "week"):
        d = pub - timedelta(days=n * (7 if unit == "week" else 1))
        return d, d, "day"
    if unit == "month":
        return (*month_span(*shift_month(pub.year, pub.month, -n)), "month")
    years = n * (10 if unit == "decade" else 1)
    return date(pub.year - years, 1, 1), date(pub.year - years, 12, 31), "year"


IN_N_PATTERN = rf"\bin\s+(?P<n>{NUMBER})\s+(?P<unit>day|week|month)s?\b"

_DURATION_BEFORE_RE = re.compile(
    r"\b(?:first|last|highest|lowest|biggest|largest|smallest|best|worst|most|least|fastest"
    r"|slowest|strongest|weakest|time|ever|once|twice|times)\b[^.;]{0,40}$",
    re.IGNORECASE,
)


def in_n(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A count ahead, "in two weeks", in a sentence that looks ahead."""
    # "in two weeks" is a point in time only when the sentence looks ahead and no superlative
    # makes it a duration ("the first rise in two months").
    if ctx.direction(m.start(), m.end()) != "future":
        return None
    if _DURATION_BEFORE_RE.search(ctx.text, max(0, m.start() - 60), m.start()):
        return None
    n, unit, pub = number(m["n"]), m["unit"].lower(), ctx.pub
    if unit == "month":
        return (*month_span(*shift_month(pub.year, pub.month, n)), "month")
    d = pub + timedelta(days=n * (7 if unit == "week" else 1))
    return d, d, "day"


DEICTIC_PATTERN = (
    r"\b(?:yesterday|today|tomorrow|tonight|last\s+night|this\s+(?:morning|afternoon"
    r"|evening))\b"
    # "a ram raid in Ōtāhuhu overnight.", "was stabbed overnight in Ōtara": the adverb, not
    # the adjective ("overnight patrols", "an overnight stay").
    r"|\bovernight(?=\s*(?:[.,;:!?)]|$|(?:in|on|at|near|along|outside|after|and|but|when"
    r"|while|into|from)\b))"
)

_DEICTIC_OFFSETS = {
    "yesterday": -1, "last night": -1, "today": 0, "tonight": 0, "this morning": 0,
    "this afternoon": 0, "this evening": 0, "tomorrow": 1,
}  # fmt: skip


def deictic(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A day named from publication: "yesterday", "tonight", "tomorrow"; "overnight" is the
    night before publication, the evening before to the small hours of the day."""
    key = " ".join(m.group().lower().split())
    if key == "overnight":
        return ctx.pub - timedelta(days=1), ctx.pub, "day"
    d = ctx.pub + timedelta(days=_DEICTIC_OFFSETS[key])
    return d, d, "day"


#: "next week, from Tuesday to Wednesday", "last week on Monday": a week named right before
#: a weekday anchors it (and "on Friday next week" right after).
_WEEK_BEFORE_RE = re.compile(
    r"\b(next|last|this|coming)\s+week[,;]?\s+(?:(?:from|on|between)\s+)?$", re.IGNORECASE
)
_WEEK_AFTER_RE = re.compile(r"\s*,?\s*(next|last|this)\s+week\b", re.IGNORECASE)


def _anchored_weekday(weekday: int, m: re.Match[str], ctx: DateContext) -> date | None:
    """The weekday's date in a week named next to the expression, if one is."""
    before = _WEEK_BEFORE_RE.search(ctx.text, max(0, m.start() - 30), m.start())
    after = None if before else _WEEK_AFTER_RE.match(ctx.text, m.end())
    found = before or after
    if found is None:
        return None
    return week_start(ctx.pub, _REL_SHIFT[found.group(1).lower()]) + timedelta(days=weekday)


WEEKDAY_RANGE_PATTERN = (
    rf"(?:\b(?P<pre>from|between)\s+)?(?P<w1>{WEEKDAY})(?P<sep>{RANGE_SEP})(?P<w2>{WEEKDAY})"
)


def weekday_range(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A range of weekdays, "from Tuesday to Thursday" (granularity ``days``)."""
    if m["sep"].strip().lower() == "and" and not m["pre"]:
        return None  # "on Monday and Friday": two days, each found on its own
    w1, w2 = WEEKDAYS.index(m["w1"].lower()), WEEKDAYS.index(m["w2"].lower())
    length = timedelta(days=(w2 - w1) % 7)
    anchored = _anchored_weekday(w1, m, ctx)
    if anchored is not None:
        return anchored, anchored + length, "days"
    if ctx.direction(m.start(), m.end()) == "future":
        start = weekday_date(w1, ctx.pub, "future", None)
        return start, start + length, "days"
    end = weekday_date(w2, ctx.pub, "past", None)
    return end - length, end, "days"


#: A clock time before a weekday, part of the expression: "at 10 p.m. Wednesday", "until
#: 9 a.m. EST Tuesday", "noon Thursday" (the day is what is resolved).
_CLOCK = (
    r"(?P<clock>\b(?:(?:[01]?\d(?::[0-5]\d)?\s*[ap]\.?m\b\.?|noon|midnight)"
    r"(?:,?\s+(?-i:[ECMP][SD]T|GMT|UTC|BST))?,?))"
)

WEEKDAY_PATTERN = (
    rf"(?:{_CLOCK}\s+)?(?:\b(?P<rel>last|next|this|coming)\s+)?(?P<w>{WEEKDAY})"
    r"(?:\s+(?:morning|afternoon|evening|night)\b)?"
)

_NOT_A_DAY_BEFORE_RE = re.compile(
    r"\b(?:Black|Good|Super|Bloody|Ash|Easter|Palm|Cyber|Holy|Maundy|Giving)\s+$"
)


#: "a strike from Wednesday", "effective Monday": the day something starts, which a report
#: names before it comes ("since Wednesday" is the past one); "gave the junta until Sunday",
#: "postponed until Tuesday morning": a deadline still ahead.
_ONSET_BEFORE_RE = re.compile(
    r"\b(?:from|starting|beginning|effective|as\s+of|as\s+from|until|till)\s+$", re.IGNORECASE
)


#: "the curfew lasted until Sunday": a state that held up to a day, in the past.
_LASTED_BEFORE_RE = re.compile(
    r"\b(?:lasted|continued|remained|stayed|persisted|ran|was|were|closed|shut|open|held|on)"
    r"\s+$",
    re.IGNORECASE,
)
#: "rescued from Friday's fire", "from Friday house fire": the weekday names an event.
_MODIFIES_NOUN_RE = re.compile(
    r"['’]s\b|\s+(?!(?:over|until|till|to|onwards?|and|or|as|when|in|at|after|with|for|on"
    r"|morning|afternoon|evening|night|but|while|because|if|unless|amid|despite|would|will"
    r"|could|should|may|might|must|can|is|was|are|were|has|had|have)\b)[A-Za-z]",
    re.IGNORECASE,
)


def weekday(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A weekday: "on Friday", "last Monday", "effective Tuesday", "at 10 p.m. Wednesday"."""
    if not m["rel"] and _NOT_A_DAY_BEFORE_RE.search(ctx.text, max(0, m.start() - 10), m.start()):
        return None
    rel = m["rel"].lower() if m["rel"] else None
    day = WEEKDAYS.index(m["w"].lower())
    anchored = None if rel else _anchored_weekday(day, m, ctx)
    if anchored is not None:
        return anchored, anchored, "day"
    direction = None if rel else ctx.direction(m.start(), m.end())
    onset = None if rel else _ONSET_BEFORE_RE.search(ctx.text, max(0, m.start() - 24), m.start())
    if (
        direction != "future"
        and onset is not None
        and not _MODIFIES_NOUN_RE.match(ctx.text, m.end("w"))
        and not _LASTED_BEFORE_RE.search(ctx.text, max(0, onset.start() - 24), onset.start())
    ):
        direction = "future"  # "unions called a strike from Wednesday", written on Sunday
    d = weekday_date(day, ctx.pub, direction, rel)
    return d, d, "day"
