"""Datelines: lines that say only when an article was posted or updated, in several languages.

A page copied as text often starts with such lines ("Posted 11/27/2005 7:21 AM", "Updated:
November 11, 2011 20:09 IST", "Friday, November 11, 2011", "16. Mai 2024", "Publicado el 16
de mayo de 2024", "le 16 mai 2024 à 14h30"), and HTML pages show them in their bylines. A
line is a dateline when every word of it is a date or time word — a number, a numeric date
or time, a month or weekday name, am/pm, a time zone — or a label ("Posted", "Last updated
at", "Veröffentlicht am", "Mis à jour le") or a connective ("de", "à", "um"). So "Storm hits
on May 2, 2013" is not one: it is a headline that holds a date.

Dates are read with dateparser, in the text's language (its locale data gives the month and
weekday names and the numeric order) and in English; the labels are known in English,
German, Spanish and French. A line that is a dateline but gives no full date ("APR 28",
"Last updated at 13:59 GMT": times alone count only after a label) is still a dateline,
without a date.

Numeric dates. ``11/09/2010`` is read in the order of the text's language as dateparser's
locale data gives it: month first in English (November 9, as ``dateutil`` reads it in
``build.parse_published`` and ``html._parse_datetime``), day first in German, Spanish and
French (11 September). A number above 12 decides either way ("11/27/2005"). Dotted dates
("08.07.2012") are always read day first (8 July): dd.mm.yyyy is the European written form,
and English-language pages that use dots ("Article posted on 08.07.2012") copy it. Time zone
abbreviations are dateparser's (``IST`` is Israel's, +02:00, which it cannot tell from
India's); a date without a zone is taken as UTC by the caller.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from storyline.enrich.lexicon import word_set

__all__ = ["Dateline", "datelines_published", "find_dateline", "parse_date_text", "read_dateline"]

log = logging.getLogger(__name__)

#: Labels of datelines, per language: the publication kind first, then the update kind.
#: Matched case-insensitively, at the start of the line or after a separator.
_PUBLISHED_LABELS = (
    r"(?:article\s+|first\s+|originally\s+)?(?:posted|published|created)(?:\s+(?:on|at))?",
    r"date", r"erschienen(?:\s+am)?", r"veröffentlicht(?:\s+am)?", r"erstellt(?:\s+am)?",
    r"publicado(?:\s+(?:el|a\s+las))?", r"fecha(?:\s+de\s+publicación)?",
    r"publié(?:\s+le)?", r"paru(?:\s+le)?", r"le",
)  # fmt: skip
_UPDATED_LABELS = (
    r"(?:last\s+)?(?:updated|modified|edited)(?:\s+(?:on|at))?",
    r"(?:zuletzt\s+)?aktualisiert(?:\s+(?:am|um))?", r"stand", r"geändert(?:\s+am)?",
    r"actualizado(?:\s+(?:el|a\s+las))?", r"(?:mis\s+à\s+jour|modifié|actualisé)(?:\s+le)?",
)  # fmt: skip
_LABEL = re.compile(
    rf"(?:^|(?<=[\s|•·,;]))(?:(?P<pub>{'|'.join(_PUBLISHED_LABELS)})"
    rf"|(?P<upd>{'|'.join(_UPDATED_LABELS)}))(?=[\s:,@-]|$)\s*:?",
    re.IGNORECASE,
)
#: Words that may join a date's parts in a dateline ("16 de mayo de 2024", "à 14h30").
_CONNECTIVES = word_set("at on the of de del a las el le à um am uhr h hrs horas heure heures et y")
#: A day, month, year or numeric date: 16, 16., 2024, 1st, 1er, 11/27/2005, 16.05.2024,
#: 2024-05-16, 2024-05-16T10:00Z.
_NUMERIC = re.compile(
    r"^(?:\d{1,4}(?:[./-]\d{1,2}(?:[./-]\d{2,4})?)?\.?|\d{1,2}(?:st|nd|rd|th|er|º|°)"
    r"|\d{4}-\d{2}-\d{2}t[\d:.]+(?:z|[+-]\d{2}:?\d{2})?)$",
    re.IGNORECASE,
)
#: A time: 7:21, 14h30, 1:19PM, 7pm (a dotted "13.59" reads as a date word, which is harmless).
_TIME = re.compile(r"^\d{1,2}(?:[:h]\d{2}(?::\d{2})?(?:[ap]\.?m\.?)?|[ap]\.?m\.?|h)$", re.I)
_ZONE = re.compile(r"^(?:[A-Z]{2,5}|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?)$")
_AMPM = re.compile(r"^[ap]\.?m\.?$", re.IGNORECASE)
_PUNCT_TOKEN = re.compile(r"^[@|•·,;:/()\[\]–—-]+$")
_DOTTED = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
#: A dateline is short: longer lines are bylines or sentences.
_MAX_WORDS = 20


@dataclass(frozen=True, slots=True)
class Dateline:
    """What one dateline says: when the article was published and/or updated (either may be
    missing, e.g. "APR 28" has no year, so no date)."""

    published: datetime | None = None
    updated: datetime | None = None


def read_dateline(line: str, *, language: str | None = None) -> Dateline | None:
    """The dates a dateline states, or None when ``line`` is not a dateline.

    ``language`` is the text's ISO 639-1 code (English is always tried too). A date after a
    "posted"/"published" label, or without a label, is the publication date; one after an
    "updated" label the update. Only full dates count (day, month and year).
    """
    line = " ".join(line.split())
    if not line or len(line.split()) > _MAX_WORDS:
        return None
    languages = _languages(language)
    segments = _segments(line)
    if segments is None:
        return None
    vocabulary = _vocabulary(languages)
    found = [_date_words(text, vocabulary) for _, text in segments]
    labelled = any(role != "plain" for role, _ in segments)
    # a date makes a dateline; times alone only after a label ("Last updated at 13:59 GMT")
    if None in found or not ("date" in found or (labelled and "time" in found)):
        return None
    published = updated = None
    for role, text in segments:
        when = parse_date_text(text, languages=languages)
        if when is None:
            continue
        if role == "updated":
            updated = updated or when
        else:
            published = published or when
    return Dateline(published, updated)


#: Where a byline's parts meet: "Von Anna Schmidt | 16. Mai 2024", "Jane Doe · May 16, 2024".
_PIECE_SEPARATOR = re.compile(r"\s*[|•·]\s*|\s+[—–-]\s+|\n")


def find_dateline(text: str, *, language: str | None = None) -> Dateline | None:
    """The first dateline within a byline or a page's date element: the whole ``text``, a
    piece of it between separators ("Von Anna Schmidt | 16. Mai 2024"), or the end of a
    piece after a comma or from a label on ("Par Jean Dupont, publié le 16 mai 2024"). Only
    a dateline that gives a date counts here."""
    if len(text) > 300:
        return None
    candidates = [text]
    for piece in _PIECE_SEPARATOR.split(text):
        candidates.append(piece)
        candidates += [piece[m.end() :] for m in re.finditer(r",\s*", piece)]
        candidates += [piece[m.start() :] for m in _LABEL.finditer(piece) if m.start() > 0]
    for candidate in candidates:
        found = read_dateline(candidate, language=language)
        if found is not None and (found.published or found.updated):
            return found
    return None


def datelines_published(datelines: list[Dateline]) -> datetime | None:
    """The publication date a run of datelines gives: the first posted (or unlabelled) date,
    else the first update."""
    return next((d.published for d in datelines if d.published), None) or next(
        (d.updated for d in datelines if d.updated), None
    )


def parse_date_text(text: str, *, languages: tuple[str, ...]) -> datetime | None:
    """A full date (day, month, year; time and zone if given) read from ``text`` by
    dateparser in ``languages``, or None. Dotted numeric dates are read day first."""
    text = text.strip(" ,;|•·@-–—:")
    if not text or not re.search(r"\d", text):
        return None
    import dateparser

    settings: dict[str, object] = {
        "REQUIRE_PARTS": ["day", "month", "year"],
        # dateparser tries every language given; the text's own order must win for numbers
        "DATE_ORDER": "DMY" if _DOTTED.search(text) else _date_order(languages[0]),
    }
    try:
        with warnings.catch_warnings():  # dateparser warns about its own deprecations
            warnings.simplefilter("ignore")
            parsed = dateparser.parse(text, languages=list(languages), settings=settings)
    except (ValueError, OverflowError, TypeError, KeyError) as exc:
        log.debug("unreadable date %r: %s", text, exc)
        return None
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    offset = parsed.utcoffset()
    # dateparser's zone objects become plain offsets: what the store and workers expect
    return parsed.replace(tzinfo=timezone(offset)) if offset is not None else parsed


def _segments(line: str) -> list[tuple[str, str]] | None:
    """The line cut at its labels: (role, text after the label) pairs; the text before the
    first label, if any, is unlabelled ("18 September 2013 Last updated at 13:59 GMT")."""
    pieces: list[tuple[str, str]] = []
    role, start = "plain", 0
    for match in _LABEL.finditer(line):
        if match.start() > start:
            pieces.append((role, line[start : match.start()]))
        role = "updated" if match["upd"] else "published"
        start = match.end()
    pieces.append((role, line[start:]))
    return [(r, t) for r, t in pieces if t.strip(" ,;|•·:-–—")] or None


def _date_words(text: str, vocabulary: _Vocabulary) -> str | None:
    """What ``text`` holds when all its words are date words: "date" (a day, month or year),
    "time" (only times), "" (only weekdays and connectives); None when a word is no date
    word. A time zone counts only after a time ("13:59 GMT"), so a headline in capitals ("US
    TO CUT RATES") is not a dateline."""
    found = ""
    after_time = False
    for raw in text.split():
        token = raw.strip(",;()[]")
        if not token or _PUNCT_TOKEN.match(token):
            continue
        word = token.lower().rstrip(".")
        if _TIME.match(token) or _AMPM.match(token):
            after_time = True
            found = found or "time"
            continue
        if after_time and _ZONE.match(token):
            continue
        after_time = False
        if word in vocabulary.months or _NUMERIC.match(token):
            found = "date"
        elif word not in vocabulary.weekdays and token.lower() not in _CONNECTIVES:
            return None
    return found


@lru_cache(maxsize=64)
def _languages(language: str | None) -> tuple[str, ...]:
    """``language`` (when dateparser knows it) and English."""
    code = (language or "en").lower()
    if code == "en":
        return ("en",)
    from dateparser.languages.loader import default_loader

    try:
        default_loader.get_locale(code)
    except (ValueError, KeyError):
        return ("en",)
    return (code, "en")


@lru_cache(maxsize=64)
def _date_order(language: str) -> str:
    """The order of numeric dates in ``language`` ("MDY" for English), from dateparser."""
    from dateparser.languages.loader import default_loader

    order = default_loader.get_locale(language).info.get("date_order")
    return order if isinstance(order, str) and sorted(order) == ["D", "M", "Y"] else "MDY"


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    months: frozenset[str]
    weekdays: frozenset[str]


@lru_cache(maxsize=64)
def _vocabulary(languages: tuple[str, ...]) -> _Vocabulary:
    """Month and weekday names of ``languages`` from dateparser's locale data, lower-cased."""
    from dateparser.languages.loader import default_loader

    months: set[str] = set()
    weekdays: set[str] = set()
    for code in languages:
        info = default_loader.get_locale(code).info
        for key in _MONTH_KEYS:
            months.update(w.lower().rstrip(".") for w in info.get(key, []))
        for key in _WEEKDAY_KEYS:
            weekdays.update(w.lower().rstrip(".") for w in info.get(key, []))
    return _Vocabulary(frozenset(months), frozenset(weekdays))


_MONTH_KEYS = word_set(
    "january february march april may june july august september october november december"
)
_WEEKDAY_KEYS = word_set("monday tuesday wednesday thursday friday saturday sunday")
