"""Text-dump extraction: general boilerplate rules, checked on the seeds and on dumps of our own."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline.cli import main
from storyline.extract.build import extract_record
from storyline.extract.text import extract_text_dump
from storyline.models import RawRecord

NOISE = [
    "Getty Images",
    "This audio is created with AI assistance",
    "Sanctions for show",
    "Authors:",
    "Related article",
    "<u>",
    "</u>",
    "Original url",
    "min read",
    "Savostyanov",
]

OWN_DUMP = """Business, Shipping, Ports
Harbour authority approves <b>night shifts</b> at container terminal

By Ana Kovač and Tom Reyes | Jan 7, 2025 09:30
Cranes at the east terminal on Monday. (Lena Ortiz/Harbour Ledger)
Listen to this article

The harbour authority on Tuesday approved <i>round-the-clock</i> work at the east container terminal, ending a two-year dispute with the dockworkers' union over night shifts.

Read more: Union leaders warn of summer strikes at three ports

Under the deal, crews will rotate every eight hours and receive a 12 percent night premium, the authority's chair, Miriam Solt, told reporters after the vote.

Share this article

Shipping lines had asked for longer hours since congestion doubled waiting times last autumn.

Reporting by Ana Kovač; editing by the Harbour Ledger business desk
Storm closes ferry routes for a second day
Ferry operators cancelled all crossings on Wednesday as gusts reached 110 km/h along the coast…
Harbour LedgerPiet Sander
Original url: https://harbourledger.example/2025/01/07/night-shifts
"""


def test_text_seeds_are_clean(seeds_dir: Path) -> None:
    result = CliRunner().invoke(main, ["extract", "--json", *sorted(map(str, seeds_dir.iterdir()))])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.strip().splitlines())
    for doc in (first, second):
        for noise in NOISE:
            assert noise not in doc["text"], (noise, doc["path"])
        assert not re.search(r"</?\w+>", doc["text"])
        assert set(doc) >= {
            "path",
            "title",
            "text",
            "published",
            "authors",
            "outlet",
            "url",
            "language",
        }
    assert first["title"] == "Reuters: Putin to visit China in May"
    assert "Martin Fornusek" in first["authors"]
    assert first["published"].startswith("2024-03-19")
    assert first["outlet"] == "The Kyiv Independent"
    assert first["text"].startswith("Russian President Vladimir Putin is expected to visit")
    assert first["text"].endswith("Belt and Road Forum in Beijing.")
    assert second["url"].startswith("https://www.themoscowtimes.com/2024/05/14/")
    assert second["outlet"] == "The Moscow Times"
    assert second["published"].startswith("2024-05-14")
    assert second["title"] == "Putin to Visit China in First Foreign Trip Since Re-Election"
    assert second["text"].endswith("companies that work with Moscow.")
    assert "AFP contributed reporting" not in second["text"]


def test_text_general_rules_on_an_unseen_layout() -> None:
    page = extract_text_dump(OWN_DUMP)
    assert page.title == "Harbour authority approves night shifts at container terminal"
    assert page.authors == ["Ana Kovač", "Tom Reyes"]
    assert page.published is not None and page.published.isoformat() == "2025-01-07T09:30:00+00:00"
    assert page.url == "https://harbourledger.example/2025/01/07/night-shifts"
    paragraphs = page.text.split("\n\n")
    assert paragraphs[0].startswith("The harbour authority on Tuesday approved round-the-clock")
    assert paragraphs[-1].startswith("Shipping lines had asked")
    for noise in (
        "Lena Ortiz",
        "Listen",
        "Read more",
        "Share this",
        "Storm closes",
        "Reporting by",
        "<b>",
        "Piet Sander",
    ):
        assert noise not in page.text, noise


# Datelines ------------------------------------------------------------------------------------

HEADLINE = "Council closes the old bridge to lorries after cracks are found"
BODY_EN = (
    "The regional council voted on Tuesday to close the old bridge to heavy traffic after "
    "engineers found cracks in two of its main supports.\n\n"
    "Lorries will be diverted through the industrial estate until repairs are finished, the "
    "council's transport chief told a packed meeting at the town hall."
)


@pytest.mark.parametrize(
    ("top", "published"),
    [
        # the posted date, not the update below it, nor the update above it
        ("Posted 11/27/2005 7:21 AM\nUpdated 11/27/2005 3:41 PM", datetime(2005, 11, 27, 7, 21)),
        ("Updated 11/27/2005 3:41 PM\nPosted 11/27/2005 7:21 AM", datetime(2005, 11, 27, 7, 21)),
        ("September 15, 2013 11:26 pm", datetime(2013, 9, 15, 23, 26)),
        ("Friday, November 11, 2011", datetime(2011, 11, 11)),
        # an update only when nothing else; dateparser's IST is Israel's (+02:00)
        ("Updated: November 11, 2011 20:09 IST", datetime(2011, 11, 11, 18, 9)),
        ("27 NOVEMBER, 2005", datetime(2005, 11, 27)),
        ("9/10/2010 @ 1:19PM", datetime(2010, 9, 10, 13, 19)),  # month first in English
        ("11/09/2010", datetime(2010, 11, 9)),
        ("Article posted on 08.07.2012", datetime(2012, 7, 8)),  # dotted: day first
        ("18 September 2013 Last updated at 13:59 GMT", datetime(2013, 9, 18)),
        ("APR 28", None),  # no year: skipped as a title, gives no date
        ("Last updated at 13:59 GMT", None),
    ],
)
def test_text_leading_datelines_are_the_date_not_the_title(
    top: str, published: datetime | None
) -> None:
    page = extract_text_dump(f"{top}\n{HEADLINE}\n\n{BODY_EN}\n")
    assert page.title == HEADLINE
    if published is None:
        assert page.published is None
    else:
        assert page.published is not None
        assert page.published.astimezone(UTC) == published.replace(tzinfo=UTC)


DUMPS = {
    "de": (
        "Stadtrat beschließt neue Straßenbahnlinie in den Norden",
        "Der Stadtrat hat am Donnerstag mit großer Mehrheit beschlossen, die Straßenbahn bis in "
        "die nördlichen Vororte zu verlängern, nach jahrelangem Streit zwischen Anwohnern und "
        "Geschäftsleuten.\n\nDie neue Strecke soll zwölf Kilometer lang werden und elf "
        "Haltestellen bedienen; die ersten Bahnen sollen nach Angaben der Verkehrsbetriebe im "
        "Jahr 2027 fahren.",
    ),
    "es": (
        "El ayuntamiento aprueba la nueva línea de tranvía hacia el norte",
        "El pleno del ayuntamiento aprobó el jueves por amplia mayoría prolongar el tranvía "
        "hasta los barrios del norte, tras años de disputa entre vecinos y comerciantes.\n\n"
        "La nueva línea tendrá doce kilómetros y once paradas, y los primeros tranvías "
        "circularán en 2027, según la empresa municipal de transportes.",
    ),
    "fr": (
        "Le conseil municipal approuve une nouvelle ligne de tramway vers le nord",
        "Le conseil municipal a approuvé jeudi à une large majorité le prolongement du tramway "
        "jusqu'aux quartiers nord, après des années de conflit entre riverains et "
        "commerçants.\n\nLa nouvelle ligne mesurera douze kilomètres et desservira onze arrêts, "
        "et les premières rames circuleront en 2027, selon la régie des transports.",
    ),
}


@pytest.mark.parametrize(
    ("language", "top", "published"),
    [
        ("de", "16. Mai 2024", datetime(2024, 5, 16)),
        ("de", "Veröffentlicht am 16.05.2024", datetime(2024, 5, 16)),
        ("de", "Freitag, 17. Mai 2024, 14:30 Uhr", datetime(2024, 5, 17, 14, 30)),
        ("es", "16 de mayo de 2024", datetime(2024, 5, 16)),
        ("es", "Publicado el 16 de mayo de 2024", datetime(2024, 5, 16)),
        ("fr", "16 mai 2024", datetime(2024, 5, 16)),
        ("fr", "le 16 mai 2024 à 14h30", datetime(2024, 5, 16, 14, 30)),
        ("fr", "11/09/2010", datetime(2010, 9, 11)),  # day first in French
    ],
)
def test_text_datelines_in_german_spanish_french(
    language: str, top: str, published: datetime
) -> None:
    headline, body = DUMPS[language]
    for dump in (f"{top}\n{headline}\n\n{body}\n", f"{headline}\n{top}\n\n{body}\n"):
        page = extract_text_dump(dump)
        assert page.title == headline
        assert page.published == published.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "byline"),
    [
        ("de", "Von Anna Schmidt | 16. Mai 2024"),
        ("es", "Por María López, 16 de mayo de 2024"),
        ("fr", "Par Jean Dupont, publié le 16 mai 2024"),
    ],
)
def test_text_dated_bylines_in_other_languages(language: str, byline: str) -> None:
    headline, body = DUMPS[language]
    for dump in (f"{byline}\n{headline}\n\n{body}\n", f"{headline}\n{byline}\n\n{body}\n"):
        page = extract_text_dump(dump)
        assert page.title == headline
        assert page.published == datetime(2024, 5, 16, tzinfo=UTC)


def test_text_german_dump_is_not_dated_at_ingest_time() -> None:
    headline, body = DUMPS["de"]
    record = RawRecord("m.txt", "text", f"Von Anna Schmidt | 16. Mai 2024\n{headline}\n\n{body}")
    article = extract_record(record)
    assert article.title == headline
    assert article.published == datetime(2024, 5, 16, tzinfo=UTC)
    assert not article.date_inferred and article.language == "de"


def test_text_headline_holding_a_date_stays_the_title() -> None:
    page = extract_text_dump(f"Storm hits on May 2, 2013\n\n{BODY_EN}\n")
    assert page.title == "Storm hits on May 2, 2013"
    assert page.published is None  # a headline's date is what it is about


def test_text_body_dates_are_not_the_publication_date() -> None:
    lede = (
        "The regional council voted on May 2, 2013 to close the old bridge to heavy traffic "
        "after engineers found cracks in two of its main supports."
    )
    assert extract_text_dump(f"{HEADLINE}\n\n{lede}\n\n{BODY_EN}\n").published is None
    # ... unless in a dateline position: opening the lede, or on a line of its own
    wire = f"LONDON, May 2, 2013 (Reuters) — {lede}"
    page = extract_text_dump(f"{HEADLINE}\n\n{wire}\n\n{BODY_EN}\n")
    assert page.published == datetime(2013, 5, 2, tzinfo=UTC)
    assert page.text.startswith("LONDON, May 2, 2013")
