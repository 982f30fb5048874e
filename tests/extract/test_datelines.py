"""Datelines: lines that only say when an article was posted or updated, in several languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from storyline.extract.datelines import Dateline, find_dateline, read_dateline

CEST = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("line", "language", "published", "updated"),
    [
        ("Posted 11/27/2005 7:21 AM", "en", datetime(2005, 11, 27, 7, 21), None),
        ("Updated 11/27/2005 3:41 PM", "en", None, datetime(2005, 11, 27, 15, 41)),
        ("September 15, 2013 11:26 pm", "en", datetime(2013, 9, 15, 23, 26), None),
        ("Friday, November 11, 2011", "en", datetime(2011, 11, 11), None),
        ("27 NOVEMBER, 2005", "en", datetime(2005, 11, 27), None),
        ("9/10/2010 @ 1:19PM", "en", datetime(2010, 9, 10, 13, 19), None),
        # dotted numeric dates are day first, even on an English page
        ("Article posted on 08.07.2012", "en", datetime(2012, 7, 8), None),
        # the date before the label is the publication day; the time belongs to the update
        ("18 September 2013 Last updated at 13:59 GMT", "en", datetime(2013, 9, 18), None),
        ("Published 16 May 2024 | Updated 17 May 2024", "en",
         datetime(2024, 5, 16), datetime(2024, 5, 17)),
        ("16. Mai 2024", "de", datetime(2024, 5, 16), None),
        ("Veröffentlicht am 16.05.2024", "de", datetime(2024, 5, 16), None),
        ("Freitag, 17. Mai 2024, 14:30 Uhr", "de", datetime(2024, 5, 17, 14, 30), None),
        ("Stand: 16.05.2024, 14:30 Uhr", "de", None, datetime(2024, 5, 16, 14, 30)),
        ("16 de mayo de 2024", "es", datetime(2024, 5, 16), None),
        ("Publicado el 16 de mayo de 2024", "es", datetime(2024, 5, 16), None),
        ("martes, 14 de mayo de 2024, 10:30 CEST", "es",
         datetime(2024, 5, 14, 10, 30, tzinfo=CEST), None),
        ("16 mai 2024", "fr", datetime(2024, 5, 16), None),
        ("le 16 mai 2024 à 14h30", "fr", datetime(2024, 5, 16, 14, 30), None),
        ("Publié le 16 mai 2024 à 14h30, mis à jour le 17 mai 2024 à 08h00", "fr",
         datetime(2024, 5, 16, 14, 30), datetime(2024, 5, 17, 8, 0)),
    ],
)  # fmt: skip
def test_datelines_read_dates_in_four_languages(
    line: str, language: str, published: datetime | None, updated: datetime | None
) -> None:
    assert read_dateline(line, language=language) == Dateline(published, updated)


def test_datelines_zone_becomes_a_fixed_offset() -> None:
    found = read_dateline("Updated: November 11, 2011 20:09 IST", language="en")
    assert found is not None and found.updated is not None
    # dateparser's IST is Israel's (+02:00): it cannot tell it from India's
    assert found.updated == datetime(2011, 11, 11, 18, 9, tzinfo=UTC)
    assert isinstance(found.updated.tzinfo, timezone)


def test_datelines_numeric_order_follows_the_language() -> None:
    english = read_dateline("11/09/2010", language="en")
    french = read_dateline("11/09/2010", language="fr")
    assert english == Dateline(datetime(2010, 11, 9))  # month first, as dateutil reads it
    assert french == Dateline(datetime(2010, 9, 11))
    assert read_dateline("11/27/2005", language="en") == Dateline(datetime(2005, 11, 27))


@pytest.mark.parametrize("line", ["APR 28", "Last updated at 13:59 GMT", "May 2024"])
def test_datelines_without_a_full_date_are_datelines_without_a_date(line: str) -> None:
    assert read_dateline(line, language="en") == Dateline()


@pytest.mark.parametrize(
    "line",
    [
        "Storm hits on May 2, 2013",
        "US TO CUT RATES 2024",
        "Posted letters reveal the 2013 plan",
        "Friday",
        "2 min read",
        "By Jane Doe, Reuters",
        "Sturm trifft am 16. Mai 2024 die Küste",
    ],
)
def test_datelines_headlines_and_bylines_are_not_datelines(line: str) -> None:
    assert read_dateline(line, language="de" if "Sturm" in line else "en") is None


def test_datelines_month_names_need_the_texts_language() -> None:
    assert read_dateline("16. Mai 2024", language="en") is None
    assert read_dateline("16. Mai 2024", language="de") == Dateline(datetime(2024, 5, 16))


@pytest.mark.parametrize(
    ("text", "language", "published"),
    [
        ("Von Anna Schmidt\n|\n16. Mai 2024", "de", datetime(2024, 5, 16)),
        ("Par Jean Dupont, publié le 16 mai 2024 à 14h30", "fr", datetime(2024, 5, 16, 14, 30)),
        ("Por María López, 16 de mayo de 2024", "es", datetime(2024, 5, 16)),
        ("Jane Doe · September 15, 2013 11:26 pm", "en", datetime(2013, 9, 15, 23, 26)),
    ],
)
def test_datelines_found_inside_bylines(text: str, language: str, published: datetime) -> None:
    assert find_dateline(text, language=language) == Dateline(published)


def test_datelines_bylines_without_dates_give_none() -> None:
    assert find_dateline("By Jane Doe, Reuters", language="en") is None
    assert find_dateline("APR 28", language="en") is None
