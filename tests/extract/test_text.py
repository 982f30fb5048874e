"""Text-dump extraction: general boilerplate rules, checked on the seeds and on dumps of our own."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from storyline.cli import main
from storyline.extract.text import extract_text_dump

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
