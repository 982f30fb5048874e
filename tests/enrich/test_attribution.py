"""Attribution: who each statement comes from — person, institution, agency, anonymous
sources or the outlet itself — with the real spaCy model."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.enrich.attribution import is_media_name
from storyline.enrich.developments import enrich_articles
from storyline.models import Article, Attribution


def _sources(text: str, outlet: str = "Daily Ledger") -> list[Attribution]:
    article = Article(
        id="x",
        title="",
        text=text,
        published=datetime(2024, 3, 19, tzinfo=UTC),
        authors=[],
        outlet=outlet,
        url=None,
        language="en",
        source="x.txt",
        raw_kind="text",
    )
    return enrich_articles([article])[0].attributions


def _only(text: str, outlet: str = "Daily Ledger") -> Attribution:
    found = _sources(text, outlet)
    assert len(found) == 1, found
    return found[0]


def test_attribution_agency_citing_anonymous_sources() -> None:
    a = _only(
        "Russian President Vladimir Putin is expected to visit China in May for talks "
        "with his Chinese counterpart, Xi Jinping, Reuters reported on March 19, citing "
        "five sources familiar with the matter."
    )
    assert (a.kind, a.name, a.cue) == ("agency", "Reuters", "reported")
    assert a.citing == "five sources familiar with the matter"
    assert a.label == "Reuters, citing five sources familiar with the matter"


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        (
            '"Several presidential visits are being prepared at the moment," Kremlin spokesperson '
            "Dmitry Peskov said.",
            "person",
            "Dmitry Peskov",
        ),
        (
            "President Vladimir Putin will visit China this week, the Kremlin announced Tuesday.",
            "institution",
            "Kremlin",
        ),
        (
            "The national emergency office said the quake did not meet the conditions to generate "
            "a tsunami.",
            "institution",
            "national emergency office",
        ),
        (
            "The minister will travel to Seoul next month, three people familiar with the talks "
            "said.",
            "anonymous",
            "three people familiar with the talks",
        ),
        (
            '"The verdict answers the question of who lied," said a partner at a London fund, who '
            "asked not to be named.",
            "anonymous",
            None,
        ),
        ("The deal is worth about $1.6 billion, according to Reuters.", "agency", "Reuters"),
    ],
)
def test_attribution_kinds(text: str, kind: str, name: str | None) -> None:
    a = _only(text)
    assert a.kind == kind
    if name is not None:
        assert a.name == name


def test_attribution_pronoun_takes_the_previous_source() -> None:
    found = _sources(
        "The Kremlin said the two leaders would sign a joint statement.\n\n"
        "Putin will be in Beijing from Thursday to Friday, it added."
    )
    assert [(a.kind, a.name) for a in found] == [("institution", "Kremlin")] * 2
    assert found[1].cue == "added" and found[1].sentence == 1


def test_attribution_outlet_relaying_itself_is_the_outlet() -> None:
    a = _only(
        "Meridian Wire reported last month, citing three people familiar with the talks, "
        "that the package was worth about $1.6 billion.",
        outlet="Meridian Wire",
    )
    assert a.kind == "outlet" and a.citing == "three people familiar with the talks"


def test_attribution_unattributed_development_belongs_to_the_outlet() -> None:
    article = Article(
        id="y",
        title="",
        text="Putin previously visited China last October to attend a forum in Beijing.",
        published=datetime(2024, 3, 19, tzinfo=UTC),
        authors=[],
        outlet="The Kyiv Independent",
        url=None,
        language="en",
        source="y.txt",
        raw_kind="text",
    )
    result = enrich_articles([article])[0]
    assert result.attributions == []
    (dev,) = result.developments
    assert (dev.attribution.kind, dev.attribution.name) == ("outlet", "The Kyiv Independent")


def test_attribution_media_names() -> None:
    assert is_media_name("Reuters") and is_media_name("Meridian Wire")
    assert is_media_name("The Moscow Times") and not is_media_name("Kremlin")
