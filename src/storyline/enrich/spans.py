"""Offsets shared by the English and the foreign-language development finders
(``developments.py``, ``foreign_developments.py``, which ``developments.py`` imports, so these
cannot live there): moving spans between the analysed text (title, blank line, body) and the
body, and choosing the date nearest an event word."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from storyline.models import Attribution, TimeSpan

#: A date this close after the event word is preferred to any date before it.
DATE_AFTER_CHARS = 120


def shift_span(span: TimeSpan | None, by: int) -> TimeSpan | None:
    """``span`` with its offsets moved by ``by``."""
    if span is None:
        return None
    return replace(span, start_char=span.start_char + by, end_char=span.end_char + by)


def shift_source(source: Attribution, by: int) -> Attribution:
    """``source`` with its offsets moved by ``by``: the sentence's, the named source's and the
    cue's, so that all three stay in one text (the body, from the analysed title and body).
    An unset pair (0, 0) stays so, and so does one the shift would put before the text (a
    source named in the title only): it is not named in the body."""

    def moved(start: int, end: int) -> tuple[int, int]:
        return (start + by, end + by) if end > 0 and start + by >= 0 else (0, 0)

    named = moved(source.source_start, source.source_end)
    cue = moved(source.cue_start, source.cue_end)
    if source.end_char > 0:
        source = replace(source, start_char=source.start_char + by, end_char=source.end_char + by)
    return replace(source, source_start=named[0], source_end=named[1], cue_start=cue[0],
                   cue_end=cue[1])  # fmt: skip


def nearest_date(spans: Sequence[TimeSpan], pos: int) -> TimeSpan:
    """Of ``spans`` (not empty), the date nearest the event word at ``pos``: one starting
    within ``DATE_AFTER_CHARS`` after it first, else the nearest either side."""

    def distance(span: TimeSpan) -> tuple[int, int]:
        after = span.start_char >= pos
        gap = span.start_char - pos if after else pos - span.end_char
        return (0 if after and gap < DATE_AFTER_CHARS else 1, gap)

    return min(spans, key=distance)
