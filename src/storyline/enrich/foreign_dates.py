"""Date expressions in German, Spanish and French text, resolved as ``dates.py`` resolves English.

What is read, per language (examples written on 2024-05-14):

* a day and month, with or without a year: "16. Mai 2024", "am 16. Mai", "16 de mayo de
  2024", "el 16 de mayo", "16 mai 2024", "le 1er juin" → that day (granularity ``day``);
* a month with a year: "Mai 2024", "mayo de 2024", "mai 2024" → the month;
* a bare month after a preposition: "im Juni", "seit März", "bis Mai", "en junio", "desde
  marzo", "en juin", "depuis mars" → the month (the span is the month's name alone, as in
  English: "im März" → "März"); a month name alone ("August Müller") is no date;
* the start, middle or end of a month: "Anfang/Mitte/Ende Mai", "principios/mediados/
  finales de mayo", "début/mi-/fin mai" → days 1–10, 11–20, 21–last (``part-of-month``);
* yesterday, today, tomorrow and the days either side: "vorgestern, gestern, heute, morgen,
  übermorgen", "anteayer, ayer, hoy, mañana, pasado mañana", "avant-hier, hier,
  aujourd'hui, demain, après-demain" → that day. "Morgen" capitalised is the German noun
  (morning: "heute Morgen"), and "mañana" after "la", "esta", "cada", "una" or "de" the
  Spanish one, so neither is read as tomorrow (a sentence-initial "Morgen" is missed).

Without a year, a month or day is the occurrence nearest the publication date (the same year
preferred, as ``dates.py`` does without a tense cue): no tense cues are read in these
languages yet. For that reason weekdays ("am Donnerstag", "el jueves", "jeudi") are not
resolved at all: in English their direction comes from the sentence's tense, and a weekday
put on the wrong side of the publication date is a wrong fact, worse than none. Neither are
weeks, quarters, "vor zwei Tagen"/"hace dos días"/"il y a deux jours", nor ranges.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from storyline.enrich.calendar_spans import (
    day_in_direction,
    last_day,
    month_span,
    month_year,
    safe_date,
)
from storyline.models import TimeSpan

__all__ = ["LANGUAGES", "resolve_foreign_dates"]

_MONTHS = {
    "de": "januar jänner|februar|märz marz|april|mai|juni|juli|august|september|oktober"
    "|november|dezember",
    "es": "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre setiembre|octubre"
    "|noviembre|diciembre",
    "fr": "janvier|février fevrier|mars|avril|mai|juin|juillet|août aout|septembre|octobre"
    "|novembre|décembre decembre",
}
_MONTH_NUMBERS = {
    language: {
        name: number
        for number, names in enumerate(months.split("|"), start=1)
        for name in names.split()
    }
    for language, months in _MONTHS.items()
}
LANGUAGES = frozenset(_MONTHS)

_YEAR = r"(?:19|20)\d\d\b"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}


def _names(language: str) -> str:
    # German months are capitalised, Spanish and French ones are not; either is accepted,
    # since each needs a day, a year or a preposition beside it.
    names = sorted(_MONTH_NUMBERS[language], key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


def _patterns(language: str) -> list[tuple[re.Pattern[str], str]]:
    m = rf"(?P<m>{_names(language)})\b"
    if language == "de":
        day_month = rf"\b(?P<d>{_DAY})\.\s*{m}(?:\s+(?P<y>{_YEAR}))?"
        month_year = rf"\b{m}\s+(?P<y>{_YEAR})"
        part = rf"\b(?P<part>Anfang|Mitte|Ende)\s+{m}(?:\s+(?P<y>{_YEAR}))?"
        bare = rf"\b(?:im|seit|bis|ab)\s+{m}"
        deictic = r"\b(?P<deictic>vorgestern|gestern|heute|(?-i:morgen)|übermorgen)\b"
    elif language == "es":
        day_month = rf"\b(?P<d>{_DAY})\s+de\s+{m}(?:\s+(?:de|del)\s+(?P<y>{_YEAR}))?"
        month_year = rf"\b{m}\s+(?:de|del)\s+(?P<y>{_YEAR})"
        part = (
            rf"\b(?P<part>principios|mediados|finales|fines)\s+de\s+{m}"
            rf"(?:\s+(?:de|del)\s+(?P<y>{_YEAR}))?"
        )
        bare = rf"\b(?:en|desde|hasta|para|antes\s+de|después\s+de)\s+{m}"
        # "mañana" is also "morning": not after an article or "esta"/"cada"/"de"
        deictic = (
            r"\b(?P<deictic>anteayer|ayer|hoy|pasado\s+mañana"
            r"|(?<!la\s)(?<!esta\s)(?<!cada\s)(?<!de\s)(?<!una\s)mañana)\b"
        )
    else:
        day_month = rf"\b(?P<d>1er|{_DAY})\s+{m}(?:\s+(?P<y>{_YEAR}))?"
        month_year = rf"\b{m}\s+(?P<y>{_YEAR})"
        part = rf"\b(?P<part>début|mi-|fin)\s*{m}(?:\s+(?P<y>{_YEAR}))?"
        bare = rf"\b(?:en|depuis|jusqu'en|jusqu’en|dès|avant|après)\s+{m}"
        deictic = (
            r"(?P<deictic>\bavant-hier\b|\bhier\b|\baujourd['’]hui|\baprès-demain\b"
            r"|\bdemain\b)"
        )
    return [
        (re.compile(day_month, re.I), "day"),
        (re.compile(part, re.I), "part"),
        (re.compile(month_year, re.I), "month"),
        (re.compile(bare, re.I), "bare"),
        (re.compile(deictic, re.I), "deictic"),
    ]


_COMPILED = {language: _patterns(language) for language in LANGUAGES}

_DEICTIC_OFFSETS = {
    "vorgestern": -2, "gestern": -1, "heute": 0, "morgen": 1, "übermorgen": 2,
    "anteayer": -2, "ayer": -1, "hoy": 0, "mañana": 1, "pasado mañana": 2,
    "avant-hier": -2, "hier": -1, "aujourd'hui": 0, "aujourd’hui": 0, "demain": 1,
    "après-demain": 2,
}  # fmt: skip
_PART_WORDS = {
    "anfang": "early", "mitte": "mid", "ende": "late",
    "principios": "early", "mediados": "mid", "finales": "late", "fines": "late",
    "début": "early", "mi-": "mid", "fin": "late",
}  # fmt: skip


def resolve_foreign_dates(text: str, pub: date, language: str) -> list[TimeSpan]:
    """Date expressions of ``text`` in ``language`` (one of ``LANGUAGES``) resolved against
    the publication day ``pub``; spans in text order, never overlapping (longest first)."""
    numbers = _MONTH_NUMBERS[language]
    candidates: list[tuple[int, int, int, re.Match[str], str]] = []
    for priority, (regex, kind) in enumerate(_COMPILED[language]):
        for m in regex.finditer(text):
            # a bare month's span is the month alone ("im März" → "März"), as in English
            start, end = m.span("m") if kind == "bare" else m.span()
            candidates.append((start, end, priority, m, kind))
    candidates.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
    taken = bytearray(len(text))
    spans: list[TimeSpan] = []
    for start, end, _priority, m, kind in candidates:
        if 1 in taken[start:end]:
            continue
        resolved = _resolve(m, kind, pub, numbers)
        if resolved is None:
            continue
        first, last, granularity = resolved
        taken[start:end] = b"\x01" * (end - start)
        spans.append(
            TimeSpan(text[start:end], start, end, first.isoformat(), last.isoformat(), granularity)
        )
    spans.sort(key=lambda s: s.start_char)
    return spans


def _resolve(
    m: re.Match[str], kind: str, pub: date, numbers: dict[str, int]
) -> tuple[date, date, str] | None:
    if kind == "deictic":
        word = " ".join(m["deictic"].lower().split())
        day = pub + timedelta(days=_DEICTIC_OFFSETS[word])
        return day, day, "day"
    month = numbers[m["m"].lower()]
    stated = m.groupdict().get("y")
    year = int(stated) if stated else None
    if kind == "day":
        number = 1 if m["d"].lower() == "1er" else int(m["d"])
        if year:
            found = safe_date(year, month, number)
        else:  # no tense cues here: the nearest occurrence
            found = day_in_direction(month, number, pub, None)
        return (found, found, "day") if found else None
    if kind == "part":
        year = year or month_year(month, pub, None)
        first, final = _PARTS[_PART_WORDS[m["part"].lower()]]
        return (
            date(year, month, first),
            date(year, month, min(final, last_day(year, month))),
            "part-of-month",
        )
    return (*month_span(year or month_year(month, pub, None), month), "month")
