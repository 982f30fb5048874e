"""Date expressions in German, Spanish and French text, resolved as ``dates.py`` resolves English.

What is read, per language (examples written on Tuesday 2024-05-14):

* a day and month, with or without a year and a weekday: "16. Mai 2024", "am Donnerstag,
  16. Mai", "16 de mayo de 2024", "el jueves 16 de mayo", "16 mai 2024", "le 1er juin" → that
  day (granularity ``day``);
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
  Spanish one, so neither is read as tomorrow (a sentence-initial "Morgen" is missed);
* a week, month or year named from the publication's: "nächste Woche", "in dieser Woche",
  "letztes Jahr", "la próxima semana", "el mes pasado", "la semaine dernière", "cette
  année" → that week (Monday..Sunday), month or year; the phrases are dateparser's
  (its ``relative-type`` data), German adjective endings allowed ("in der nächsten Woche");
* weekdays: "am Donnerstag", "Donnerstagabend", "el jueves", "jeudi" → one day; "nächsten
  Donnerstag", "el próximo jueves", "el jueves pasado", "jeudi prochain", "ce jeudi" → the
  next, last or this one (the words "next", "last", "this" taken from the same dateparser
  phrases, plus "kommenden", "vergangenen", "vorigen", "que viene" and "ce"); ranges "von
  Donnerstag bis Freitag", "de jueves a viernes", "del jueves al viernes", "du jeudi au
  vendredi", "entre jeudi et vendredi" → the days (granularity ``days``). Weekday names are
  CLDR's (babel). "el jueves y el viernes" is two days, each found on its own, as English
  "on Monday and Friday". Habits are no date: "donnerstags", "los jueves", "le jeudi" (a
  French "le" before a weekday without a date after it is a habit), "cada jueves",
  "chaque jeudi".

Direction, as in English (``dates.py``): a month, day or weekday without a year is resolved
in the direction the sentence's tense points to (``foreign_tense.py``: "Der Besuch soll von
Donnerstag bis Freitag dauern" → the coming days; "Das teilte der Kreml am Dienstag mit" →
the last Tuesday, or the publication day when it is a Tuesday). Without a cue a month or
date is the nearest occurrence and a weekday the past one (news reports mostly past events),
as the English resolver does. "ab Donnerstag", "a partir del jueves", "à partir de jeudi",
"dès jeudi" start something and are the coming day even in a past sentence.

Not read: weeks numbered or anchored to a weekday ("Donnerstag nächster Woche" gives the
week and a weekday resolved on its own), quarters, "vor zwei Tagen"/"hace dos días"/"il y a
deux jours", ranges of days of a month ("16. bis 17. Mai").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from importlib import import_module

from storyline.enrich.calendar_spans import (
    day_in_direction,
    last_day,
    month_span,
    month_year,
    safe_date,
    week_start,
    weekday_date,
)
from storyline.enrich.foreign_tense import ForeignTense
from storyline.enrich.tense import Direction
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

#: dateparser's ``relative-type`` keys → (unit, shift from the publication's).
_RELATIVE_KEYS = {
    key: (unit, shift)
    for unit in ("week", "month", "year")
    for key, shift in ((f"0 {unit} ago", 0), (f"1 {unit} ago", -1), (f"in 1 {unit}", 1))
}
_SHIFT_WORDS = {0: "this", -1: "last", 1: "next"}
#: "next", "last", "this" words dateparser's phrases lack.
_EXTRA_REL = {
    "de": {"next": ["kommende"], "last": ["vergangene", "vorige"], "this": []},
    "es": {"next": ["que viene"], "last": [], "this": []},
    "fr": {"next": [], "last": ["passé"], "this": ["ce"]},
}
#: Words before a weekday that make it a habit ("cada jueves") or a plural ("los jueves").
_HABIT = {
    "de": r"(?<!\bjeden\s)(?<!\bjeweils\s)",
    "es": r"(?<!\blos\s)(?<!\bcada\s)(?<!\btodos\s)",
    "fr": r"(?<!\bchaque\s)(?<!\btous\sles\s)",
}
#: Words before a weekday that start something: the coming day even in a past sentence.
_ONSET_BEFORE = {
    "de": re.compile(r"\bab\s+$", re.I),
    "es": re.compile(r"\ba\s+partir\s+del?\s+$", re.I),
    "fr": re.compile(r"(?:\bà\s+partir\s+de|\bdès)\s+$", re.I),
}
_RANGE = {
    # (words that open a range, separators, separators that need an opening word)
    "de": (r"von|vom|zwischen", r"-|–|bis(?:\s+zum)?|und", "und"),
    "es": (r"de|del|desde(?:\s+el)?|entre(?:\s+el)?", r"-|–|al?|hasta(?:\s+el)?|y(?:\s+el)?", "y"),
    "fr": (r"du|de|depuis|entre", r"-|–|au|à|jusqu['’]au|et", "et"),
}
#: What precedes the first word of a sentence (or a headline's line, or a quotation).
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;\n«»\"“”‘’'(–—-])\s*$")
_DE_DAYPART = r"(?:abend|morgen|mittag|nachmittag|vormittag|nacht)?"
_DE_ENDING = r"(?:e|en|er|es|em)"


def _names(language: str) -> str:
    # German months are capitalised, Spanish and French ones are not; either is accepted,
    # since each needs a day, a year or a preposition beside it.
    names = sorted(_MONTH_NUMBERS[language], key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _weekday_numbers(language: str) -> dict[str, int]:
    """Weekday name (lower case) → 0 (Monday)..6, from CLDR (babel)."""
    from babel.dates import get_day_names

    return {
        str(name).lower(): int(number)
        for context in ("format", "stand-alone")
        for number, name in get_day_names("wide", context=context, locale=language).items()
    }


@cache
def _relative_phrases(language: str) -> list[tuple[str, str, int]]:
    """dateparser's phrases for this/last/next week, month and year: (phrase, unit, shift)."""
    info = import_module(f"dateparser.data.date_translation_data.{language}").info
    relative = info.get("relative-type", {})
    return [
        (phrase, unit, shift)
        for key, (unit, shift) in _RELATIVE_KEYS.items()
        for phrase in relative.get(key, [])
    ]


@cache
def _rel_words(language: str) -> dict[str, str]:
    """Regex alternations of the words for "next", "last" and "this" before or after a
    weekday, taken from dateparser's week/month/year phrases less the unit names."""
    info = import_module(f"dateparser.data.date_translation_data.{language}").info
    units = {w.lower() for u in ("week", "month", "year") for w in info.get(u, [])}
    words: dict[str, set[str]] = {"next": set(), "last": set(), "this": set()}
    for phrase, _unit, shift in _relative_phrases(language):
        for word in phrase.split():
            if word.isalpha() and len(word) >= 4 and word.lower() not in units:
                words[_SHIFT_WORDS[shift]].add(word.lower())
    for rel, extra in _EXTRA_REL[language].items():
        words[rel].update(extra)
    ending = r"\w?" if language == "de" else ""  # "nächsten", "vergangenen"
    return {rel: rf"(?:{_alternation(found)}){ending}" for rel, found in words.items()}


def _phrase_regex(phrase: str, language: str) -> str:
    parts = []
    words = phrase.split()
    for number, word in enumerate(words):
        adjective = number < len(words) - 1  # German adjectives precede the noun
        if language == "de" and adjective and re.search(r"(?:e|en|er|es|em)$", word):
            # "nächste woche" → "in der nächsten Woche", "diese woche" → "in dieser Woche"
            word = re.sub(r"(?:en|er|es|em|e)$", "", word)
            parts.append(re.escape(word) + _DE_ENDING)
        else:
            parts.append(re.escape(word).replace(r"\'", "['’]").replace("'", "['’]"))
    return r"\s+".join(parts)


@cache
def _compiled(language: str) -> list[tuple[re.Pattern[str], str]]:
    """The patterns of ``language`` by priority (an earlier one wins a tie in length)."""
    m = rf"(?P<m>{_names(language)})\b"
    names = list(_weekday_numbers(language))
    if language == "de":  # German weekdays are capitalised nouns: matched as written
        wd = rf"(?-i:{_alternation(n.capitalize() for n in names)})"
    else:
        wd = rf"(?:{_alternation(names)})"
    if language == "de":
        wd_prefix = rf"(?:(?P<wd>{wd}),?\s+(?:(?:den|dem)\s+)?)?"
        day_month = rf"\b{wd_prefix}(?P<d>{_DAY})\.\s*{m}(?:\s+(?P<y>{_YEAR}))?"
        month_year = rf"\b{m}\s+(?P<y>{_YEAR})"
        part = rf"\b(?P<part>Anfang|Mitte|Ende)\s+{m}(?:\s+(?P<y>{_YEAR}))?"
        bare = rf"\b(?:im|seit|bis|ab)\s+{m}"
        deictic = r"\b(?P<deictic>vorgestern|gestern|heute|(?-i:morgen)|übermorgen)\b"
    elif language == "es":
        wd_prefix = rf"(?:(?P<wd>{wd}),?\s+)?"
        day_month = rf"\b{wd_prefix}(?P<d>{_DAY})\s+de\s+{m}(?:\s+(?:de|del)\s+(?P<y>{_YEAR}))?"
        month_year = rf"\b{m}\s+(?:de|del)\s+(?P<y>{_YEAR})"
        part = (
            rf"\b(?P<part>principios|comienzos|inicios|mediados|finales|fines)\s+de\s+{m}"
            rf"(?:\s+(?:de|del)\s+(?P<y>{_YEAR}))?"
        )
        bare = rf"\b(?:en|desde|hasta|para|antes\s+de|después\s+de)\s+{m}"
        # "mañana" is also "morning": not after an article or "esta"/"cada"/"de"
        deictic = (
            r"\b(?P<deictic>anteayer|ayer|hoy|pasado\s+mañana"
            r"|(?<!la\s)(?<!esta\s)(?<!cada\s)(?<!de\s)(?<!una\s)mañana)\b"
        )
    else:
        wd_prefix = rf"(?:(?P<wd>{wd}),?\s+)?"
        day_month = rf"\b{wd_prefix}(?P<d>1er|{_DAY})\s+{m}(?:\s+(?P<y>{_YEAR}))?"
        month_year = rf"\b{m}\s+(?P<y>{_YEAR})"
        part = rf"\b(?P<part>début|mi-|fin)\s*{m}(?:\s+(?P<y>{_YEAR}))?"
        bare = rf"\b(?:en|depuis|jusqu'en|jusqu’en|dès|avant|après)\s+{m}"
        deictic = (
            r"(?P<deictic>\bavant-hier\b|\bhier\b|\baujourd['’]hui|\baprès-demain\b"
            r"|\bdemain\b)"
        )
    rel = _rel_words(language)
    rel_alt = "|".join(rf"(?P<{name}{{n}}>{rel[name]})" for name in ("next", "last", "this"))
    before, after = rel_alt.format(n=1), rel_alt.format(n=2)
    daypart = _DE_DAYPART if language == "de" else ""
    habit = _HABIT[language]
    not_habit = r"(?<!\ble\s)(?<!\bLe\s)" if language == "fr" else ""
    mardi_gras = r"(?!\s+gras\b)" if language == "fr" else ""
    weekday = (
        # a number after the weekday is a date whose month is missing ("mardi 24 au
        # mercredi 25 mars", "jeudi (18.03)"): not resolved from the weekday alone
        rf"(?:\b(?:{before})\s+)?{habit}{not_habit}\b(?P<w>{wd}){daypart}\b{mardi_gras}"
        r"(?!\s*\(?\s*\d)"
        rf"(?:\s+(?:{after})\b)?"
    )
    opener, separators, _ = _RANGE[language]
    weekday_range = (
        rf"(?:\b(?P<pre>{opener})\s+)?{habit}\b(?P<w1>{wd})\s*(?P<sep>{separators})\s*"
        rf"(?P<w2>{wd})\b"
    )
    relative = "|".join(
        rf"(?P<r_{n}>\b{_phrase_regex(phrase, language)}\b)"
        for n, (phrase, _u, _s) in enumerate(_relative_phrases(language))
    )
    return [
        (re.compile(day_month, re.I), "day"),
        (re.compile(weekday_range, re.I), "weekday-range"),
        (re.compile(part, re.I), "part"),
        (re.compile(month_year, re.I), "month"),
        (re.compile(relative, re.I), "relative"),
        (re.compile(weekday, re.I), "weekday"),
        (re.compile(bare, re.I), "bare"),
        (re.compile(deictic, re.I), "deictic"),
    ]


_DEICTIC_OFFSETS = {
    "vorgestern": -2, "gestern": -1, "heute": 0, "morgen": 1, "übermorgen": 2,
    "anteayer": -2, "ayer": -1, "hoy": 0, "mañana": 1, "pasado mañana": 2,
    "avant-hier": -2, "hier": -1, "aujourd'hui": 0, "aujourd’hui": 0, "demain": 1,
    "après-demain": 2,
}  # fmt: skip
_PART_WORDS = {
    "anfang": "early", "mitte": "mid", "ende": "late",
    "principios": "early", "comienzos": "early", "inicios": "early", "mediados": "mid",
    "finales": "late", "fines": "late",
    "début": "early", "mi-": "mid", "fin": "late",
}  # fmt: skip


def resolve_foreign_dates(
    text: str, pub: date, language: str, *, tense_hint: Direction | None = None
) -> list[TimeSpan]:
    """Date expressions of ``text`` in ``language`` (one of ``LANGUAGES``) resolved against
    the publication day ``pub``; spans in text order, never overlapping (longest first).
    ``tense_hint`` is the direction where a sentence gives no cue, as in ``resolve_dates``."""
    resolver = _Resolver(text, pub, language, tense_hint)
    candidates: list[tuple[int, int, int, re.Match[str], str]] = []
    for priority, (regex, kind) in enumerate(_compiled(language)):
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
        resolved = resolver.resolve(m, kind)
        if resolved is None:
            continue
        first, last, granularity = resolved
        taken[start:end] = b"\x01" * (end - start)
        spans.append(
            TimeSpan(text[start:end], start, end, first.isoformat(), last.isoformat(), granularity)
        )
    spans.sort(key=lambda s: s.start_char)
    return spans


class _Resolver:
    """One text's matches resolved against its publication day and its sentences' tense."""

    def __init__(self, text: str, pub: date, language: str, hint: Direction | None) -> None:
        self.text, self.pub, self.language, self.hint = text, pub, language, hint
        self.tense = ForeignTense(text, language)
        self.months = _MONTH_NUMBERS[language]
        self.weekdays = _weekday_numbers(language)

    def resolve(self, m: re.Match[str], kind: str) -> tuple[date, date, str] | None:
        pub = self.pub
        if kind == "deictic":
            if m.group()[0].isupper() and not _SENTENCE_START_RE.search(
                self.text, max(0, m.start() - 4), m.start()
            ):
                return None  # a capital inside a sentence: a name ("Meridiano de Hoy")
            word = " ".join(m["deictic"].lower().split())
            day = pub + timedelta(days=_DEICTIC_OFFSETS[word])
            return day, day, "day"
        if kind == "relative":
            return self._relative(m)
        if kind == "weekday":
            return self._weekday(m)
        if kind == "weekday-range":
            return self._weekday_range(m)
        direction = self._direction(m)
        month = self.months[m["m"].lower()]
        stated = m.groupdict().get("y")
        year = int(stated) if stated else None
        if kind == "day":
            number = 1 if m["d"].lower() == "1er" else int(m["d"])
            if year:
                found = safe_date(year, month, number)
            else:
                found = day_in_direction(month, number, pub, direction)
            return (found, found, "day") if found else None
        if kind == "part":
            year = year or month_year(month, pub, direction)
            first, final = _PARTS[_PART_WORDS[m["part"].lower()]]
            return (
                date(year, month, first),
                date(year, month, min(final, last_day(year, month))),
                "part-of-month",
            )
        return (*month_span(year or month_year(month, pub, direction), month), "month")

    def _direction(self, m: re.Match[str]) -> Direction | None:
        return self.tense.direction(m.start(), m.end()) or self.hint

    def _relative(self, m: re.Match[str]) -> tuple[date, date, str] | None:
        index = int(next(k for k, v in m.groupdict().items() if v is not None)[2:])
        _phrase, unit, shift = _relative_phrases(self.language)[index]
        pub = self.pub
        if unit == "week":
            monday = week_start(pub, shift)
            return monday, monday + timedelta(days=6), "week"
        if unit == "month":
            index = pub.year * 12 + pub.month - 1 + shift
            return (*month_span(index // 12, index % 12 + 1), "month")
        return date(pub.year + shift, 1, 1), date(pub.year + shift, 12, 31), "year"

    def _weekday(self, m: re.Match[str]) -> tuple[date, date, str] | None:
        groups = m.groupdict()
        rel = next(
            (name for name in ("next", "last", "this")
             if groups.get(f"{name}1") or groups.get(f"{name}2")),
            None,
        )  # fmt: skip
        day = self.weekdays[m["w"].lower()]
        if rel is not None:
            found = weekday_date(day, self.pub, None, rel)
            return found, found, "day"
        direction = self._direction(m)
        onset = _ONSET_BEFORE[self.language].search(self.text, max(0, m.start() - 24), m.start())
        if onset is not None:
            direction = "future"  # "Streik ab Donnerstag", "grève dès jeudi"
        found = weekday_date(day, self.pub, direction, None)
        return found, found, "day"

    def _weekday_range(self, m: re.Match[str]) -> tuple[date, date, str] | None:
        sep = " ".join(m["sep"].lower().split()).split()[0]
        if sep == _RANGE[self.language][2] and not m["pre"]:
            return None  # "jeudi et vendredi": two days, each found on its own
        w1, w2 = self.weekdays[m["w1"].lower()], self.weekdays[m["w2"].lower()]
        length = timedelta(days=(w2 - w1) % 7)
        if self._direction(m) == "future":
            start = weekday_date(w1, self.pub, "future", None)
            return start, start + length, "days"
        end = weekday_date(w2, self.pub, "past", None)
        return end - length, end, "days"
