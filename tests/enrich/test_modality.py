"""Modality of single event words (``token_modality``) with the real spaCy model: negation,
the scope of cancelling and denying words, conditions, obligations and plans. Every sentence
is written by us."""

from __future__ import annotations

import pytest

from storyline.enrich.entities import parse_texts
from storyline.enrich.modality import token_modality

CASES = [
    # Negation: the event did not take place.
    ("The council did not approve the budget on Monday.", "approve", "denied"),
    ("No charges were filed against the driver.", "charges", "denied"),
    ("The union failed to agree a deal with the operator.", "agree", "denied"),
    ("The club did not want to sell the striker.", "sell", "denied"),
    ("The firm signed the lease without consulting the tenants.", "consulting", "denied"),
    ("Fire Chief Dana Whitcomb said no one was hurt.", "hurt", "denied"),
    # ...but a negated predicate of the event leaves the event itself standing.
    ("The fire did not spread to the warehouse next door.", "fire", "happened"),
    ("Police said the fire was not suspicious.", "fire", "happened"),
    # Cancelling and denying words govern their own clause only.
    ("The ferry operator cancelled the crossing after the storm hit the coast.", "crossing",
     "cancelled"),
    ("The ferry operator cancelled the crossing after the storm hit the coast.", "hit",
     "happened"),
    ("The summit, planned for next week, was cancelled.", "summit", "cancelled"),
    ("The minister denied that she had resigned.", "resigned", "denied"),
    ("The minister denied that she had resigned.", "denied", "happened"),
    # Conditions, obligations, wishes and plans have not happened (yet).
    ("If the strike goes ahead, trains will not run.", "strike", "expected"),
    ("The council must close the pool.", "close", "expected"),
    ("The union demanded a strike ballot.", "ballot", "planned"),
    ("The mayor will visit Harlow next week.", "visit", "planned"),
    # A future word after a verb belongs to another clause; "continue to" keeps its tense.
    ("Analysts wonder how strong the recovery will be.", "wonder", "happened"),
    ("The company continues to recall heaters sold last winter.", "recall", "happened"),
]  # fmt: skip


@pytest.fixture(scope="module")
def parsed() -> dict[str, object]:
    texts = list(dict.fromkeys(text for text, _, _ in CASES))
    return dict(zip(texts, parse_texts(texts), strict=True))


@pytest.mark.parametrize(("text", "word", "expected"), CASES)
def test_modality_token_modality(
    parsed: dict[str, object], text: str, word: str, expected: str
) -> None:
    doc = parsed[text]
    token = next(t for t in doc if t.text == word)  # type: ignore[attr-defined]
    assert token_modality(token) == expected


def test_modality_the_month_may_is_no_modal() -> None:
    from datetime import UTC, datetime

    from storyline.enrich.developments import enrich_articles
    from storyline.models import Article

    def modalities(text: str) -> list[tuple[str, str]]:
        article = Article(id="m", title="", text=text, authors=[], outlet="Wire", url=None,
                          published=datetime(2025, 5, 5, 9, tzinfo=UTC), language="en",
                          source="m", raw_kind="text")
        return [(d.action, d.modality) for d in enrich_articles([article])[0].developments]

    assert modalities("On Sunday, May 4, 2025, officers responded to an armed robbery.") == [
        ("robbery", "happened")]
    assert modalities("The two leaders may meet in Beijing next week.") == [
        ("meeting", "expected")]
