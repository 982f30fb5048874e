"""Entities with identity: name cleaning, merging within an article, across the corpus
(through the store), and the store's entity readers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.enrich.developments import enrich_articles
from storyline.enrich.entities import clean_name, name_key
from storyline.errors import NotFoundError
from storyline.extract.build import extract_records
from storyline.ingest.readers import read_paths
from storyline.models import Article, Assignment
from storyline.store.base import StoryState

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "seeds"


def _article(ident: str, text: str, day: int, *, title: str = "", story: str = "s1") -> Article:
    return Article(
        id=ident,
        title=title or ident,
        text=text,
        published=datetime(2024, 5, day, tzinfo=UTC),
        authors=[],
        outlet="Wire",
        url=None,
        language="en",
        source=f"{ident}.txt",
        raw_kind="text",
        story_id=story,
    )


def _store_batch(store, articles: list[Article], story: str = "s1") -> None:
    enrichments = enrich_articles(articles, lookup=store.match_entities)
    state = StoryState(
        story,
        "Story",
        articles[0].published.timestamp(),
        articles[-1].published.timestamp(),
        len(articles),
    )
    store.write_batch(
        articles, [Assignment(a.id, story, 0.9, False) for a in articles], [state], enrichments
    )


def _seed_articles() -> list[Article]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/samples/seeds is not available")
    out = []
    for record in read_paths([SEEDS]):
        out.extend(a for a in extract_records([record]) if isinstance(a, Article))
    return sorted(out, key=lambda a: a.published)


def test_entities_clean_name_strips_titles_roles_and_possessives() -> None:
    assert clean_name("Russian President Vladimir Putin", "person") == "Vladimir Putin"
    assert clean_name("Kremlin spokesperson Dmitry Peskov", "person") == "Dmitry Peskov"
    assert clean_name("Putin's", "person") == "Putin"
    assert clean_name("Reuters'", "org") == "Reuters"
    assert clean_name("the Kremlin", "org") == "Kremlin"
    assert clean_name("Ludwig van Beethoven", "person") == "Ludwig van Beethoven"
    assert name_key("Nico Avellán") == name_key("nico avellan")


def test_entities_seeds_merge_aliases_under_canonical_names() -> None:
    first, second = enrich_articles(_seed_articles())
    names = {e.name: e for e in [*first.entities, *second.entities]}
    for expected in (
        "Vladimir Putin",
        "Xi Jinping",
        "Dmitry Peskov",
        "Kremlin",
        "Reuters",
        "Beijing",
        "Harbin",
        "Russia",
        "China",
    ):
        assert expected in names, expected
    putin = next(e for e in first.entities if e.name == "Vladimir Putin")
    assert {"Putin", "Vladimir Putin"} <= set(putin.aliases) and putin.type == "person"
    xi = next(e for e in first.entities if e.name == "Xi Jinping")
    assert "Xi" in xi.aliases
    assert not any(e.name in ("Putin", "Xi", "the Kremlin") for e in first.entities)
    # The same thing in both articles has one id.
    ids = {e.name: e.id for e in first.entities}
    assert all(ids[e.name] == e.id for e in second.entities if e.name in ids)
    # Demonyms count as their country, and keep the adjective as an alias.
    assert "Russian" in next(e for e in first.entities if e.name == "Russia").aliases


def test_entities_short_name_joins_the_stored_entity(store) -> None:
    _store_batch(
        store,
        [
            _article(
                "a1",
                "Russian President Vladimir Putin met officials in "
                "Moscow on Monday. Putin said talks went well.",
                13,
            )
        ],
    )
    stored = store.find_entities("Vladimir Putin")[0]
    _store_batch(
        store, [_article("a2", "Putin will travel to Beijing on Thursday, the Kremlin said.", 14)]
    )
    later = enrich_articles(
        [_article("a3", "Putin arrived in Harbin.", 16)], lookup=store.match_entities
    )[0]
    putin = next(e for e in later.entities if e.type == "person")
    assert (putin.id, putin.name) == (stored.id, "Vladimir Putin")
    record = store.find_entities("putin")[0]
    assert record.id == stored.id and record.articles == 2
    assert [e.name for e in store.find_entities("PUTIN")] == ["Vladimir Putin"]


def test_entities_stored_short_name_is_promoted_by_a_longer_one(store) -> None:
    _store_batch(
        store,
        [
            _article(
                "b1",
                "Lawmakers questioned Okafor about the budget on "
                "Monday, and Okafor said the numbers were sound.",
                13,
            )
        ],
    )
    short = store.find_entities("Okafor")[0]
    _store_batch(
        store,
        [
            _article(
                "b2",
                "Finance Minister Simon Okafor presented the budget to parliament on Tuesday.",
                14,
            )
        ],
    )
    record = store.find_entities("Simon Okafor")[0]
    assert record.id == short.id and record.name == "Simon Okafor"
    assert "Okafor" in record.aliases and record.articles == 2
    assert [e.name for e in store.list_entities(limit=10) if "Okafor" in e.name] == ["Simon Okafor"]


def test_entities_entity_stories_in_time_order_and_unknown_names(store) -> None:
    _store_batch(
        store,
        [
            _article(
                "c1",
                "Chinese President Xi Jinping hosted talks with German "
                "Chancellor Olaf Scholz in Beijing on Monday, state media "
                "reported.",
                6,
            )
        ],
        story="s-old",
    )
    _store_batch(
        store,
        [_article("c2", "Chinese leader Xi said the talks in Paris were productive.", 20)],
        story="s-new",
    )
    stories = store.entity_stories("xi jinping")
    assert [a.story.id for a in stories] == ["s-old", "s-new"]
    assert stories[0].first_seen < stories[1].first_seen
    assert [a.story.id for a in store.entity_stories("Xi")] == ["s-old", "s-new"]
    main = store.story_entities("s-old")
    assert "Xi Jinping" in [e.name for e in main]
    with pytest.raises(NotFoundError):
        store.entity_stories("Nobody At All")
