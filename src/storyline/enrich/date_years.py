"""Years and parts of years: financial quarters, "year-end", decades, spoken and bare years.

Part of the date resolver whose entry point is ``dates.py`` (the overview, the conventions
and the table that runs these patterns in priority order are there). Each ``*_PATTERN`` is
compiled case-insensitively there and its match handed to the handler beside it: "the third
quarter", "Q1 2024", "the year-ago quarter", "the quarter ended Sept. 30", "the end of the
year", "the early 1980s", "in nineteen ninety-six", "in 2022", "the 1996 campaign",
"mid-1996". Which year a quarter without one falls in is ``calendar_spans.quarter_year``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from storyline.enrich.calendar_spans import (
    day_in_direction,
    month_span,
    quarter_span,
    quarter_year,
    relative_year,
)
from storyline.enrich.date_lexicon import DAY, MONTH_ANY, YEAR, Resolved, day_number, month_number
from storyline.enrich.lexicon import word_set
from storyline.enrich.tense import DateContext, Direction

PART_OF_YEAR_PATTERN = (
    r"(?:\bthe\s+)?\b(?P<part>end|beginning|start)\s+of\s+"
    rf"(?:(?:(?P<rel>this|next|last)|the)\s+year\b|(?P<y>{YEAR}))"
    r"|\byear(?:-|\s+|['’]s\s+)(?P<part2>end)\b"
)


def part_of_year(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """The end of a year (December: "year-end") or its beginning (January)."""
    year = int(m["y"]) if m["y"] else relative_year(m["rel"], ctx.pub)
    month = 12 if (m["part"] or m["part2"]).lower() == "end" else 1
    return (*month_span(year, month), "month")


DECADE_PATTERN = r"(?:\bthe\s+)?(?:\b(?:early|mid|late)(?:-|\s+))?\b(?P<dec>(?:19|20)\d0)['’]?s\b"


def decade(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A decade, "the 1990s", "the early 1980s": the ten years."""
    first = int(m["dec"])
    return date(first, 1, 1), date(first + 9, 12, 31), "decade"


_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
             "fourth": 4, "4th": 4, "final": 4}  # fmt: skip
_OF_YEAR = rf"(?:\s+of\s+(?:(?P<y>{YEAR})|(?P<yrel>this|next|last)\s+year))?"

QUARTER_PATTERN = (
    rf"(?:\bthe\s+)?(?:(?:comparable\s+)?(?P<ago>year-ago|year-earlier)\s+|(?P<py>{YEAR})\s+)?"
    r"(?:\b(?P<ord>first|second|third|fourth|final|1st|2nd|3rd|4th|last|this|next|current"
    rf"|previous|latest)(?:-|\s+)|(?<=-ago\s)|(?<=-earlier\s)|(?<=\bthe\s)(?=(?-i:quarter)"
    r"(?![-\s]*finals?\b|\s+of\b)))"  # not "the quarter-finals", "the quarter of the city"
    rf"quarter\b{_OF_YEAR}"
    rf"|\b(?-i:Q)(?P<qn>[1-4])\b(?:\s+(?:of\s+)?(?P<qy>{YEAR}))?"
)

_ENDED_RE = re.compile(rf"\s+(?P<tense>ended|ending)\s+(?P<m>{MONTH_ANY})\s*(?P<d>{DAY})", re.I)


def quarter(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A calendar quarter: "the third quarter", "Q1 2024", "the year-ago quarter"."""
    resolved = _quarter_of(m, ctx)
    if resolved is None or not m["ago"]:
        return resolved
    first, last, granularity = resolved  # "the year-ago quarter": the same quarter a year back
    return first.replace(year=first.year - 1), last.replace(year=last.year - 1), granularity


def _quarter_of(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    word = (m["ord"] or ("" if m["qn"] else "latest")).lower()
    explicit_year = m["y"] or m["qy"] or m["py"]
    year_rel = m["yrel"]
    if word == "latest":  # the latest quarter that has ended: what results are reported for
        ended = _ENDED_RE.match(ctx.text, m.end())
        if ended:  # "the quarter ended Sept. 30": the quarter that ends that day
            direction: Direction | None = "past" if ended["tense"].lower() == "ended" else None
            end = day_in_direction(
                month_number(ended["m"]), day_number(ended["d"]), ctx.pub, direction
            )
            if end is not None:  # a fiscal quarter is named for the calendar one it overlaps most
                middle = end - timedelta(days=45)
                return (*quarter_span(middle.year, (middle.month - 1) // 3 + 1), "quarter")
        year, q0 = divmod(ctx.pub.year * 4 + (ctx.pub.month - 1) // 3 - 1, 4)
        return (*quarter_span(year, q0 + 1), "quarter")
    if m["qn"]:
        number = int(m["qn"])
    elif word in _ORDINALS:
        number = _ORDINALS[word]
    elif word == "last" and (explicit_year or year_rel):
        number = 4  # "the last quarter of 2023"
    else:  # this / current / next / last / previous quarter
        current = (ctx.pub.month - 1) // 3
        shift = {"next": 1, "last": -1, "previous": -1}.get(word, 0)
        year, q0 = divmod(ctx.pub.year * 4 + current + shift, 4)
        return (*quarter_span(year, q0 + 1), "quarter")
    if explicit_year:
        year = int(explicit_year)
    elif year_rel:
        year = relative_year(year_rel, ctx.pub)
    else:
        year = quarter_year(number, ctx.pub, ctx.direction(m.start(), m.end()))
    return (*quarter_span(year, number), "quarter")


_SPOKEN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                "seventy": 70, "eighty": 80, "ninety": 90}  # fmt: skip
_SPOKEN_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
                 "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
                 "nineteen": 19}  # fmt: skip
_SPOKEN_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9}  # fmt: skip

#: Years as broadcast transcripts write them: "in nineteen ninety-six", "the year two
#: thousand" (a bare "two thousand" is a count). The span reported is group ``span``.
SPOKEN_YEAR_PATTERN = (
    rf"(?P<prep>\b(?:in|since|by|until)\s+)?(?P<span>\bnineteen[\s-](?:(?P<tens>"
    rf"{'|'.join(_SPOKEN_TENS)})(?:[\s-](?P<ones>{'|'.join(_SPOKEN_ONES)})\b)?|(?P<teen>"
    rf"{'|'.join(_SPOKEN_TEENS)}))\b|(?P<the>\bthe\s+year\s+)?two\s+thousand(?:\s+"
    rf"(?:and\s+)?(?P<rest>{'|'.join([*_SPOKEN_TEENS, *_SPOKEN_ONES])})\b)?)"
)


def spoken_year(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A spoken year: "nineteen ninety-six", "in two thousand and eight"."""
    if m["tens"]:
        ones = _SPOKEN_ONES.get((m["ones"] or "").lower(), 0)
        year = 1900 + _SPOKEN_TENS[m["tens"].lower()] + ones
    elif m["teen"]:
        year = 1900 + _SPOKEN_TEENS[m["teen"].lower()]
    elif not (m["prep"] or m["the"]):
        return None  # "two thousand people"
    else:
        rest = (m["rest"] or "").lower()
        year = 2000 + _SPOKEN_ONES.get(rest, _SPOKEN_TEENS.get(rest, 0))
    return date(year, 1, 1), date(year, 12, 31), "year"


#: A year after a preposition; the span reported is group ``y``.
BARE_YEAR_PATTERN = (
    r"\b(?P<prep>in|into|since|by|until|till|during|before|after|through|throughout|from|for|of"
    rf"|between|to|and)\s+(?P<y>{YEAR})(?!\s*(?:%|percent|per\s+cent)|-\d)"
)

_WORD_AFTER_RE = re.compile(r"\s+([a-z]+)\b")
_COUNT_NOUNS = word_set("people men women children staff troops police personnel")
_NOT_PLURALS = word_set("was has is as its his this thus us plus versus across amid amidst")
_NOT_A_YEAR_BEFORE = word_set("block number unit")
_YEAR_BEFORE_RE = re.compile(r"\b(?:19|20)\d\d\s+$")
_CAPITAL_AFTER_RE = re.compile(r"\s+[A-Z]")


def bare_year(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A year after a preposition, "in 2022", "from 2019 to 2022"; not "of 2019 applicants"."""
    after = _WORD_AFTER_RE.match(ctx.text, m.end())
    if after and (
        after[1] in _COUNT_NOUNS or (after[1].endswith("s") and after[1] not in _NOT_PLURALS)
    ):
        return None  # "of 2019 applicants", "for 2000 dollars"
    if m["prep"].lower() == "of" and _CAPITAL_AFTER_RE.match(ctx.text, m.end()):
        return None  # "of 1909 Jolinda Drive": a house number
    if m["prep"].lower() in ("to", "and") and not _YEAR_BEFORE_RE.search(
        ctx.text, max(0, m.start("prep") - 8), m.start("prep")
    ):
        return None  # "to 2000" is a number unless it closes "from 2019 to 2022"
    year = int(m["y"])
    return date(year, 1, 1), date(year, 12, 31), "year"


_NOT_A_YEAR_AFTER = r"(?!\s*(?:%|percent|per\s+cent)|-\d|['’]?s\b)"

#: "the 1996 campaign", "its 1990 invasion", "Navigation Mixte's 1989 results"; the span
#: reported is group ``y``.
DETERMINED_YEAR_PATTERN = (
    r"(?:\b(?:the|a|an|its|his|her|their|that|this|our|whose|both)\s+|(?<=[A-Za-z]['’]s\s))"
    rf"(?P<y>{YEAR}){_NOT_A_YEAR_AFTER}"
)
#: "early 2024", "fiscal 1990", "mid-1996".
QUALIFIED_YEAR_PATTERN = rf"(?:\b(?:early|late|fiscal)\s+|\bmid-)(?P<y>{YEAR}){_NOT_A_YEAR_AFTER}"


def determined_year(m: re.Match[str], ctx: DateContext) -> Resolved | None:
    """A year after a determiner or qualifier; not "the 2000 employees"."""
    after = _WORD_AFTER_RE.match(ctx.text, m.end())
    if after and (
        after[1] in _COUNT_NOUNS
        or after[1] in _NOT_A_YEAR_BEFORE
        or (after[1].endswith("s") and after[1] not in _NOT_PLURALS)
    ):
        return None  # "the 2000 employees", "the 1900 block of Salem Avenue"
    year = int(m["y"])
    return date(year, 1, 1), date(year, 12, 31), "year"
