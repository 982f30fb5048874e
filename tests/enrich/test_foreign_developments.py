"""Developments in German, Spanish and French (enrich/foreign_developments.py): the event,
its date resolved against publication, its modality; and the words that must not make one
(negations, settings, a company called "la firma"). Articles written by us."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.enrich.developments import enrich_articles
from storyline.enrich.foreign_developments import find_foreign_developments
from storyline.errors import ConfigError
from storyline.models import Article, Development

TUESDAY = datetime(2024, 5, 14, 9, 0, tzinfo=UTC)


def _developments(language: str, text: str, title: str = "") -> list[Development]:
    article = Article(
        id="x",
        title=title,
        text=text,
        published=TUESDAY,
        authors=[],
        outlet="Wire",
        url=None,
        language=language,
        source="x.txt",
        raw_kind="text",
    )
    (enrichment,) = enrich_articles([article])
    assert enrichment.error is None
    return enrichment.developments


def _summary(devs: list[Development]) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (d.action, d.modality, d.when.start if d.when else None, d.when.end if d.when else None)
        for d in devs
    ]


def test_foreign_developments_german_visit_gets_its_weekday_range() -> None:
    devs = _developments(
        "de",
        "Der Minister reist in dieser Woche zu einem Staatsbesuch nach Lissabon. Der Besuch"
        " soll von Donnerstag bis Freitag dauern, teilte das Ministerium am Dienstag mit.",
        title="Minister reist nach Lissabon",
    )
    # one visit, both mentions merged, dated by the narrower range; "am Dienstag" dates the
    # report, not the visit
    assert _summary(devs) == [("visit", "expected", "2024-05-16", "2024-05-17")]
    assert devs[0].main


def test_foreign_developments_spanish_announced_visit_next_thursday() -> None:
    devs = _developments(
        "es",
        "El ministro de Exteriores, Tomás Riera, visitará Lisboa el próximo jueves, según"
        " anunció el Gobierno. Será su primera visita oficial desde que asumió el cargo en"
        " marzo.",
    )
    # the second mention is the same visit; "en marzo" dates the taking of office ("desde")
    assert _summary(devs) == [("visit", "announced", "2024-05-16", "2024-05-16")]
    assert devs[0].participants == ("Tomás Riera",) and devs[0].mentions == 2


def test_foreign_developments_french_arrival_happened_and_signing_to_come() -> None:
    devs = _developments(
        "fr",
        "Le ministre Paul Garnier est arrivé mardi à Lisbonne pour une visite de deux jours."
        " Il doit signer un accord mercredi, selon son porte-parole.",
    )
    assert _summary(devs) == [
        ("visit", "happened", "2024-05-14", "2024-05-14"),
        ("signing", "announced", "2024-05-15", "2024-05-15"),
    ]
    assert devs[0].participants == ("Paul Garnier",)


def test_foreign_developments_a_past_call_for_a_coming_strike_is_announced() -> None:
    devs = _developments(
        "fr", "Les syndicats ont appelé à une grève dès jeudi dans les transports publics."
    )
    assert _summary(devs) == [("strike", "announced", "2024-05-16", "2024-05-16")]


def test_foreign_developments_german_disaster_and_arrest_are_dated_in_the_past() -> None:
    devs = _developments(
        "de",
        "Bei einem Erdbeben im Osten des Landes starben am Montag mindestens zehn Menschen."
        " Die Polizei hat gestern drei Verdächtige festgenommen.",
    )
    assert _summary(devs) == [
        ("earthquake", "happened", "2024-05-13", "2024-05-13"),
        ("arrest", "happened", "2024-05-13", "2024-05-13"),
    ]


def test_foreign_developments_cancelled_visit() -> None:
    devs = _developments(
        "es", "La visita del ministro, prevista para el jueves, fue cancelada por la lluvia."
    )
    assert [(d.action, d.modality) for d in devs] == [("visit", "cancelled")]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Der Minister wird Lissabon am Donnerstag nicht besuchen."),  # negated
        ("de", "Während des Besuchs der Delegation wurde viel gegessen."),  # a setting
        ("es", "La firma española presentó sus resultados el jueves."),  # a company
        ("es", "Durante la visita, el ministro comió en un restaurante."),  # a setting
        ("fr", "Le ministre ne signera pas l'accord jeudi."),  # negated
    ],
)
def test_foreign_developments_precision_no_event(language: str, text: str) -> None:
    assert _developments(language, text) == []


def test_foreign_developments_unknown_language_is_named_in_the_error() -> None:
    with pytest.raises(ConfigError, match="'it'"):
        find_foreign_developments(
            "Il ministro visiterà Lisbona.", language="it", sentences=[(0, 29)], body_start=0,
            entities=[], spans=[], outlet=None, published=TUESDAY.date(),
        )  # fmt: skip


def test_foreign_developments_named_source_is_no_participant() -> None:
    devs = _developments(
        "fr",
        "Les deux ministres doivent signer un accord vendredi à Lisbonne, selon le porte-parole"
        " du gouvernement portugais, Paul Garnier.",
    )
    [signing] = devs
    assert (signing.action, signing.modality) == ("signing", "announced")
    assert (signing.attribution.kind, signing.attribution.name) == ("person", "Paul Garnier")
    assert "Paul Garnier" not in signing.participants
    assert signing.when is not None and signing.when.start == "2024-05-17"
