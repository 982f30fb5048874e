"""stories/explain.py over real stores built by the real pipeline: the seeds and the demo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyline.config import Settings
from storyline.errors import NotFoundError
from storyline.models import Article, Explanation
from storyline.pipeline import Pipeline
from storyline.store import Store, open_store
from storyline.stories.assign import story_id_for
from storyline.stories.copies import CopyOptions
from storyline.stories.explain import (
    MIN_PREFIX,
    compare_articles,
    explain,
    find_article_id,
    render_text,
)
from storyline.stories.scoring import default_weights

pytestmark = pytest.mark.slow


def _ingest(db: str, encoder: Any, *paths: Path) -> Store:
    store = open_store(db, model_name=encoder.name)
    report = Pipeline(store, settings=Settings(), encoder=encoder).ingest_paths(list(paths))
    assert report.rejected == 0, report.rejections
    return store


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory, encoder: Any,
                seeds_dir: Path, make_store_db) -> Iterator[Store]:
    store = _ingest(make_store_db(tmp_path_factory.mktemp("explain") / "seeds.db"), encoder,
                    seeds_dir)
    yield store
    store.close()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory, encoder: Any,
               demo_dir: Path, make_store_db) -> Iterator[Store]:
    corpus = demo_dir / "corpus"
    if not corpus.is_dir():
        pytest.skip("demo/corpus is not available")
    store = _ingest(make_store_db(tmp_path_factory.mktemp("explain") / "demo.db"), encoder,
                    corpus)
    yield store
    store.close()


def test_explain_second_seed_joined_the_first_seeds_story(seeds_store: Store) -> None:
    first, second = seeds_store.iter_articles()
    why = explain(seeds_store, second.id)
    assert why.story is not None and why.story.id == first.story_id == story_id_for(first.id)
    assert why.joined and not why.started and why.copy_of is None
    assert why.threshold == default_weights().threshold
    assert why.score is not None and why.score >= why.threshold
    best = why.best_match
    assert best is not None and best.article.id == first.id
    assert any("putin" in name for name in best.shared_people), best.shared_people
    # A story of one member scores as the pair score with it: the recomputed pair score
    # must be the one the assigner decided with.
    assert best.score == pytest.approx(why.score, abs=1e-4)
    # Both report the same visit, at overlapping dates, and nothing conflicts.
    assert any(e.action == "visit" and e.overlapping for e in best.events), best.events
    assert best.days_apart == 0 and best.published_days_apart is not None
    assert best.published_days_apart > 50
    assert (best.entity_conflict, best.place_conflict, best.year_conflict) == (None,) * 3
    text = render_text(why)
    assert "Joined this story" in text and first.id in text and "putin" in text


def test_explain_first_seed_started_the_story(seeds_store: Store) -> None:
    first, second = seeds_store.iter_articles()
    why = explain(seeds_store, first.id)
    assert why.started and not why.joined
    assert why.story is not None and why.story.id == story_id_for(first.id)
    assert why.runner_up is None  # nothing else was open
    assert why.best_match is not None and why.best_match.article.id == second.id
    assert "Started this story" in render_text(why)


def test_explain_unknown_article_and_prefixes(seeds_store: Store) -> None:
    with pytest.raises(NotFoundError, match="no-such-article"):
        explain(seeds_store, "no-such-article")
    with pytest.raises(NotFoundError, match="no-such-article"):
        find_article_id(seeds_store, "no-such-article")
    first, _ = seeds_store.iter_articles()
    assert find_article_id(seeds_store, first.id) == first.id
    assert find_article_id(seeds_store, first.id[:MIN_PREFIX]) == first.id
    with pytest.raises(NotFoundError, match="first 4 characters"):
        find_article_id(seeds_store, first.id[: MIN_PREFIX - 1])


def _all(store: Store) -> list[tuple[Article, Explanation]]:
    return [(a, explain(store, a.id)) for a in store.iter_articles()]


def test_explain_demo_joins_starts_and_copies_agree_with_the_threshold(
        demo_store: Store) -> None:
    explained = _all(demo_store)
    started = [w for _, w in explained if w.started]
    joined = [w for _, w in explained if w.joined]
    copies = [w for _, w in explained if w.copy_of is not None]
    assert started and joined and copies
    for article, why in explained:
        assert why.story is not None and why.story.id == article.story_id
        assert why.started == (article.story_id == story_id_for(article.id))
    for why in started:
        if why.runner_up is not None:
            assert why.runner_up.story.id != why.story.id  # type: ignore[union-attr]
            assert why.runner_up.score is not None and why.runner_up.score < why.threshold
            assert why.score == pytest.approx(why.runner_up.score)
    assert any(w.runner_up is not None for w in started)
    for why in joined:
        assert why.score is not None and why.score >= why.threshold
        best = why.best_match
        assert best is not None and best.article.id != why.article.id
        assert best.article.copy_of is None
        # The story score blends its two best members' pair scores, so the best pair score
        # with a member published before the article is at least the decision score.
        assert best.score >= why.score - 1e-6, (why.article.title, best.score, why.score)
        if why.runner_up is not None:
            assert why.runner_up.story.id != why.story.id  # type: ignore[union-attr]
            assert why.runner_up.score is not None and why.runner_up.score <= why.score
            rival = why.runner_up.best_match
            assert rival is not None
            assert demo_store.get_article(rival.article.id).story_id == why.runner_up.story.id
    for why in copies:
        assert why.copy_of is not None and why.best_match is None
        assert demo_store.get_article(why.copy_of.id).story_id == why.story.id  # type: ignore[union-attr]
        assert why.score is not None and why.score >= CopyOptions().threshold
        assert f"A copy of {why.copy_of.id}" in render_text(why)


def test_explain_demo_two_fires_conflict_on_places(demo_store: Store) -> None:
    """The Dayton and Fresno plant fires read alike; what tells them apart is where."""
    articles = list(demo_store.iter_articles())
    dayton = next(a for a in articles if "Dayton" in a.title)
    fresno = next(a for a in articles if "Fresno" in a.title)
    pair = compare_articles(demo_store, fresno.id, dayton.id)
    assert pair.place_conflict is not None, pair
    assert any(p.startswith("US/CA") for p in pair.place_conflict.this)
    assert any(p.startswith("US/OH") for p in pair.place_conflict.other)
    assert not pair.shared_people
