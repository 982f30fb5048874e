"""German, Spanish and French temporal expressions (enrich/foreign_dates.py, foreign_tense.py):
weekdays and their ranges, weeks, months and years resolved against the publication date, in
the direction the sentence's tense points to. Every sentence here is written by us."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.enrich.dates import resolve_dates
from storyline.enrich.foreign_tense import ForeignTense

TUE = date(2024, 5, 14)  # a Tuesday: the coming Thursday is the 16th, the last one the 9th
THU = date(2024, 5, 16)


def _spans(text: str, language: str, pub: date = TUE) -> list[tuple[str, str, str, str]]:
    spans = resolve_dates(text, pub, language=language)
    for s in spans:
        assert text[s.start_char : s.end_char] == s.text
    return [(s.text, s.start, s.end, s.granularity) for s in spans]


# --------------------------------------------------------------------- weekday ranges

RANGES = [
    ("de", "Der Gipfel soll von Donnerstag bis Freitag dauern.", "von Donnerstag bis Freitag"),
    ("de", "Die Messe wird zwischen Donnerstag und Freitag stattfinden.",
     "zwischen Donnerstag und Freitag"),
    ("es", "La cumbre se celebrará de jueves a viernes en Lisboa.", "de jueves a viernes"),
    ("es", "Los ministros se reunirán del jueves al viernes.", "del jueves al viernes"),
    ("fr", "Le sommet se tiendra du jeudi au vendredi à Lisbonne.", "du jeudi au vendredi"),
    ("fr", "Les ministres vont négocier entre jeudi et vendredi.", "entre jeudi et vendredi"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text", "expression"), RANGES)
def test_foreign_dates_weekday_range_in_a_future_sentence_is_the_coming_days(
    language: str, text: str, expression: str
) -> None:
    assert _spans(text, language) == [(expression, "2024-05-16", "2024-05-17", "days")]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Die Gespräche hatten von Donnerstag bis Freitag gedauert."),
        ("es", "Las conversaciones duraron de jueves a viernes."),
        ("fr", "Les discussions ont duré du jeudi au vendredi."),
    ],
)
def test_foreign_dates_weekday_range_in_a_past_sentence_is_the_last_days(
    language: str, text: str
) -> None:
    [(_, start, end, granularity)] = _spans(text, language)
    assert (start, end, granularity) == ("2024-05-09", "2024-05-10", "days")


def test_foreign_dates_two_weekdays_joined_by_and_are_two_days() -> None:
    # as English "on Monday and Friday": each day on its own, not a range
    text = "El presidente realizará una visita el jueves y el viernes."
    assert [(t, s) for t, s, _e, _g in _spans(text, "es")] == [
        ("jueves", "2024-05-16"),
        ("viernes", "2024-05-17"),
    ]


# --------------------------------------------------------------------- single weekdays

DIRECTED = [
    # the sentence's tense points the weekday forward or back from Tuesday the 14th
    ("de", "Putin wird am Donnerstag in Peking eintreffen.", "Donnerstag", "2024-05-16"),
    ("de", "Putin war am Donnerstag in Peking.", "Donnerstag", "2024-05-09"),
    ("de", "Das Treffen soll am Donnerstagabend beginnen.", "Donnerstagabend", "2024-05-16"),
    ("es", "Putin llegará a Pekín el jueves.", "jueves", "2024-05-16"),
    ("es", "Putin llegó a Pekín el jueves.", "jueves", "2024-05-09"),
    ("fr", "Poutine arrivera à Pékin jeudi.", "jeudi", "2024-05-16"),
    ("fr", "Poutine est arrivé jeudi à Pékin.", "jeudi", "2024-05-09"),
    # "next", "last" and "this" decide whatever the tense
    ("de", "Der Kreml hatte gesagt, Putin reise am nächsten Donnerstag.", "nächsten Donnerstag",
     "2024-05-16"),
    ("de", "Am vergangenen Freitag wird nicht mehr gesprochen.", "vergangenen Freitag",
     "2024-05-10"),
    ("es", "El Gobierno anunció que el próximo jueves habrá elecciones.", "próximo jueves",
     "2024-05-16"),
    ("es", "El jueves pasado se firmará el acuerdo, dijeron.", "jueves pasado", "2024-05-09"),
    ("fr", "Il a annoncé qu'il viendrait jeudi prochain.", "jeudi prochain", "2024-05-16"),
    ("fr", "Jeudi dernier, le ministre a démissionné.", "Jeudi dernier", "2024-05-09"),
    # something that starts on a weekday is the coming one, even in a past sentence
    ("es", "Los sindicatos convocaron una huelga a partir del jueves.", "jueves", "2024-05-16"),
    ("fr", "Les syndicats ont appelé à la grève dès jeudi.", "jeudi", "2024-05-16"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text", "expression", "day"), DIRECTED)
def test_foreign_dates_weekday_takes_the_direction_of_its_sentence(
    language: str, text: str, expression: str, day: str
) -> None:
    assert _spans(text, language) == [(expression, day, day, "day")]


def test_foreign_dates_weekday_without_a_tense_cue_is_the_past_one_as_in_english() -> None:
    # no cue in the sentence: the past weekday, as dates.py does for English ("on Thursday")
    assert _spans("Ein Gipfel in Peking am Donnerstag.", "de")[0][1] == "2024-05-09"


def test_foreign_dates_tense_hint_directs_a_sentence_without_cue() -> None:
    text = "Ein Gipfel in Peking am Donnerstag."
    spans = resolve_dates(text, TUE, language="de", tense_hint="future")
    assert [(s.text, s.start) for s in spans] == [("Donnerstag", "2024-05-16")]


def test_foreign_dates_weekday_of_the_publication_day_is_that_day() -> None:
    text = "Vladimir Poutine est arrivé jeudi à Pékin, a annoncé le Kremlin."
    assert _spans(text, "fr", THU) == [("jeudi", "2024-05-16", "2024-05-16", "day")]


def test_foreign_dates_weekday_before_a_date_belongs_to_it() -> None:
    assert _spans("Die Wahl findet am Donnerstag, 16. Mai statt.", "de") == [
        ("Donnerstag, 16. Mai", "2024-05-16", "2024-05-16", "day")
    ]
    spans = _spans("Llegará el jueves 16 de mayo.", "es")
    assert spans[0][:2] == ("jueves 16 de mayo", "2024-05-16")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Der Markt ist donnerstags geöffnet, jeden Donnerstag bis Mittag."),
        ("es", "Los jueves hay mercado y cada jueves llueve."),
        ("fr", "Le marché a lieu le jeudi, chaque jeudi depuis des années."),
        ("fr", "Le défilé du Mardi gras a attiré la foule."),
    ],
)
def test_foreign_dates_habits_are_no_dates(language: str, text: str) -> None:
    assert _spans(text, language) == []


# --------------------------------------------------------------------- weeks, months, years

UNITS = [
    ("de", "Der Minister reist nächste Woche nach Rom.", "nächste Woche", "2024-05-20",
     "2024-05-26", "week"),
    ("de", "In dieser Woche wird verhandelt.", "dieser Woche", "2024-05-13", "2024-05-19",
     "week"),
    ("de", "Letztes Jahr war er in Rom.", "Letztes Jahr", "2023-01-01", "2023-12-31", "year"),
    ("es", "La semana pasada hubo protestas.", "La semana pasada", "2024-05-06", "2024-05-12",
     "week"),
    ("es", "El próximo mes se votará la ley.", "El próximo mes", "2024-06-01", "2024-06-30",
     "month"),
    ("fr", "Le mois dernier, il a démissionné.", "Le mois dernier", "2024-04-01", "2024-04-30",
     "month"),
    ("fr", "Cette semaine, les négociations reprennent.", "Cette semaine", "2024-05-13",
     "2024-05-19", "week"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text", "expression", "start", "end", "unit"), UNITS)
def test_foreign_dates_weeks_months_years_named_from_publication(
    language: str, text: str, expression: str, start: str, end: str, unit: str
) -> None:
    assert _spans(text, language) == [(expression, start, end, unit)]


def test_foreign_dates_plural_weeks_are_no_week() -> None:
    # "in the coming weeks" is vague, not next week
    assert _spans("In den nächsten Wochen wird viel passieren.", "de") == []


MONTHS = [
    # a bare month goes the sentence's way; without a cue it is the nearest
    ("de", "Im Februar will Putin nach Peking reisen.", "Februar", "2025-02-01"),
    ("de", "Im Februar hatte Putin Peking besucht.", "Februar", "2024-02-01"),
    ("de", "Der Gipfel im Februar in Peking.", "Februar", "2024-02-01"),
    ("es", "En febrero viajará a Pekín.", "febrero", "2025-02-01"),
    ("es", "En febrero viajó a Pekín.", "febrero", "2024-02-01"),
    ("fr", "Il se rendra à Pékin en février.", "février", "2025-02-01"),
    ("fr", "Il s'est rendu à Pékin en février, comme annoncé en janvier.", "février",
     "2024-02-01"),
    ("de", "Im Mai reist er nach China.", "Mai", "2024-05-01"),
    ("es", "Putin visitará China en mayo.", "mayo", "2024-05-01"),
    ("fr", "Poutine ira en Chine en mai.", "mai", "2024-05-01"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text", "expression", "first"), MONTHS)
def test_foreign_dates_bare_month_takes_the_direction_of_its_sentence(
    language: str, text: str, expression: str, first: str
) -> None:
    spans = _spans(text, language)
    assert (spans[0][0], spans[0][1], spans[0][3]) == (expression, first, "month")


@pytest.mark.parametrize(
    ("language", "text", "expression"),
    [("de", "Die Wahl ist im Mai 2025.", "Mai 2025"),
     ("es", "Las elecciones serán en mayo de 2025.", "mayo de 2025"),
     ("fr", "Les élections auront lieu en mai 2025.", "mai 2025")],
)  # fmt: skip
def test_foreign_dates_month_and_year(language: str, text: str, expression: str) -> None:
    assert _spans(text, language) == [(expression, "2025-05-01", "2025-05-31", "month")]


# --------------------------------------------------------------------- tense cues


@pytest.mark.parametrize(
    ("language", "text", "direction"),
    [
        ("de", "Der Besuch soll am Donnerstag beginnen.", "future"),
        ("de", "Das teilte der Kreml am Donnerstag mit.", "past"),
        ("de", "Das Treffen am Donnerstag.", None),  # "Treffen", a noun, is no cue
        ("es", "Los líderes firmarán un acuerdo el jueves.", "future"),
        ("es", "Los líderes firmaron un acuerdo el jueves.", "past"),
        ("fr", "Les dirigeants signeront un accord jeudi.", "future"),
        ("fr", "Les dirigeants ont signé un accord jeudi.", "past"),
    ],
)
def test_foreign_tense_cues(language: str, text: str, direction: str | None) -> None:
    word = {"de": "Donnerstag", "es": "jueves", "fr": "jeudi"}[language]
    at = text.index(word)
    assert ForeignTense(text, language).direction(at, at + len(word)) == direction


def test_foreign_dates_weekday_before_a_bare_day_number_is_left_alone() -> None:
    # "du mardi 24 au mercredi 25 mars": the Tuesday is the 24th, not a weekday near publication
    text = "L'incident a eu lieu dans la nuit du mardi 24 au mercredi 25 mars."
    assert _spans(text, "fr") == [("mercredi 25 mars", "2024-03-25", "2024-03-25", "day")]


def test_foreign_dates_capitalised_today_inside_a_sentence_is_a_name() -> None:
    text = "Lo publicó el diario Meridiano de Hoy. Hoy llueve en Tampico."
    assert [(t, s) for t, s, _e, _g in _spans(text, "es")] == [("Hoy", "2024-05-14")]
    assert _spans(text, "es")[0] == ("Hoy", "2024-05-14", "2024-05-14", "day")
    assert resolve_dates(text, TUE, language="es")[0].start_char == text.index("Hoy llueve")
