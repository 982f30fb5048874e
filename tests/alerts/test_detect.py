"""Alert detection through the real pipeline (enrichment on): a followed story's new
development, an entity's and a query's new story, no duplicates on re-ingest, nothing when
nothing new, and one query per batch when nothing is followed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storyline.alerts import follow, unfollow
from storyline.alerts.detect import WrittenBatch, detect_alerts
from storyline.alerts.hook import AlertHook
from storyline.errors import InputError, NotFoundError


def test_detect_followed_story_alerts_on_a_new_development(
    db: Path, base_store: Any, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]],
) -> None:
    with open_db(db) as store:
        followed = follow(store, "story", base_store.story_id[:6])  # a prefix is enough
        assert followed.target == base_store.story_id
    report = ingest(db, articles["announced"])
    assert report.added == 1 and report.stories_created == 0  # it joined the followed story
    with open_db(db) as store:
        (alert,) = store.list_alerts()
        announced = next(a for a in store.get_story(base_store.story_id).articles
                         if a.id != base_store.article_id)
    assert alert.follow_id == followed.id and alert.kind == "development"
    assert alert.story_id == base_store.story_id
    assert alert.story_title == "Valdoran minister expected to visit Orsk in June"
    assert alert.article_id == announced.id
    assert alert.article_title == articles["announced"]["title"]
    assert alert.outlet == "Eastbank Times & Review"
    assert alert.published.isoformat() == "2024-06-04T10:00:00+00:00"
    # What is new: the expected visit is now announced, for Thursday to Friday.
    (dev,) = [d for d in alert.developments if d.action == "visit"]
    assert dev.novelty == "update" and dev.modality == "announced"
    assert dev.when is not None and (dev.when.start, dev.when.end) == ("2024-06-06",
                                                                       "2024-06-07")
    assert "Teodor Kasprzak" in dev.label and dev.event_id


def test_detect_reingest_makes_no_duplicate_alert(
    db: Path, base_store: Any, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]],
) -> None:
    with open_db(db) as store:
        follow(store, "story", base_store.story_id)
        follow(store, "entity", "Teodor Kasprzak")
    ingest(db, articles["announced"])
    with open_db(db) as store:
        first = [a.id for a in store.list_alerts()]
    assert len(first) == 2  # the story's development, the entity's story
    again = ingest(db, articles["expected"], articles["announced"])
    assert again.added == 0 and again.duplicates == 2
    with open_db(db) as store:
        assert [a.id for a in store.list_alerts()] == first
        # Detecting the same batch again (another writer, a retry) records nothing new.
        batch_articles = [store.get_article(a.article_id) for a in store.list_alerts()]
        from storyline.models import Assignment

        batch = WrittenBatch(batch_articles, [Assignment(a.id, a.story_id or "", 1.0, False)
                                              for a in batch_articles])
        found = detect_alerts(store, batch, store.follows())
        assert {a.id for a in found} == set(first)
        assert store.add_alerts(found) == []
        assert store.count_alerts() == 2


def test_detect_entity_follow_alerts_on_a_new_story(
    db: Path, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]],
) -> None:
    with open_db(db) as store:
        followed = follow(store, "entity", "teodor KASPRZAK")  # as `storyline entity` finds it
        assert followed.label == "Teodor Kasprzak"
    report = ingest(db, articles["accident"], articles["fire"])
    assert report.stories_created == 2
    with open_db(db) as store:
        (alert,) = store.list_alerts(follow_id=followed.id)
        story = store.get_story(alert.story_id)
    assert alert.kind == "new_story"
    assert alert.article_title == articles["accident"]["title"]
    assert [a.title for a in story.articles] == [articles["accident"]["title"]]


def test_detect_query_follow_alerts_once_per_story(
    db: Path, base_store: Any, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]],
) -> None:
    with open_db(db) as store:
        followed = follow(store, "query", "gas  Pipeline")
    ingest(db, articles["fire"])
    with open_db(db) as store:
        assert store.count_alerts() == 0  # the fire names no pipeline
    ingest(db, articles["announced"])
    with open_db(db) as store:
        (alert,) = store.list_alerts(follow_id=followed.id)
    assert alert.kind == "story" and alert.story_id == base_store.story_id
    # Another matching article of the same story: that story was alerted already.
    later = {**articles["announced"], "url": "https://eastbank.example/pipeline-deal-signed",
             "title": "Kasprzak and Marrow sign gas pipeline agreement in Orsk",
             "published": "2024-06-07T12:00:00+00:00"}
    ingest(db, later)
    with open_db(db) as store:
        assert store.count_alerts(follow_id=followed.id) == 1


def test_detect_nothing_new_for_the_story_means_no_alert(
    db: Path, base_store: Any, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]],
) -> None:
    with open_db(db) as store:
        follow(store, "story", base_store.story_id)
    ingest(db, articles["fire"], articles["accident"])  # other stories
    with open_db(db) as store:
        assert store.count_alerts() == 0


@pytest.mark.sqlite_only("counts statements with SQLite's trace callback")
def test_detect_runs_one_query_per_batch_when_nothing_is_followed(
    db: Path, open_db: Callable[[Path], Any], settings: Any,
) -> None:
    """Cheap when nothing is followed: the hook reads the (empty) follows and stops."""
    with open_db(db) as store:
        article = next(store.iter_articles())
        batch = WrittenBatch([article], [])
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        assert AlertHook(store, settings).batch_written(batch) == 0
        store.conn.set_trace_callback(None)
    assert len(statements) == 1 and "FROM follows" in statements[0]


def test_detect_follow_errors_and_unfollow(
    db: Path, base_store: Any, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]],
) -> None:
    with open_db(db) as store:
        with pytest.raises(NotFoundError):
            follow(store, "entity", "Nobody Atall")
        with pytest.raises(NotFoundError):
            follow(store, "story", "sffffffff")
        with pytest.raises(NotFoundError, match="at least its first 4"):
            follow(store, "story", base_store.story_id[:2])
        with pytest.raises(InputError):
            follow(store, "query", " ?! ")
        with pytest.raises(InputError):
            follow(store, "planet", "Mars")
        assert follow(store, "query", " Orsk\x00  talks\n").target == "Orsk talks"
        unfollow(store, follow(store, "query", "orsk TALKS").id)  # the same query
        assert store.follows() == []
        one = follow(store, "story", base_store.story_id)
        assert follow(store, "story", base_store.story_id[:5]) == one  # the same follow
        assert [f.id for f in store.follows()] == [one.id]
    ingest(db, articles["announced"])
    with open_db(db) as store:
        assert store.count_alerts() == 1
        assert unfollow(store, one.id[:5]) == one
        assert store.follows() == [] and store.count_alerts() == 0  # its alerts went with it
        with pytest.raises(NotFoundError):
            unfollow(store, one.id)
