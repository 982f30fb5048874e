"""SQLite store: migrations, atomic batches, re-ingest, full-text search, event marks."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from storyline.errors import NotFoundError, StoreError
from storyline.models import Article, Assignment, EventMark
from storyline.store.base import StoryState
from storyline.store.migrations import MIGRATIONS
from storyline.store.sqlite import SQLiteStore, fts_query
from storyline.stories.events import event_marks


def _article(n: int, story: str = "s1") -> Article:
    vec = np.zeros(384, dtype=np.float32)
    vec[n % 384] = 1.0
    return Article(
        id=f"a{n}",
        title=f"Harbour fire number {n}",
        text=f"Firefighters fought blaze {n} at the pier.",
        published=datetime(2025, 1, n + 1, tzinfo=UTC),
        authors=["Jo"],
        outlet="Ledger",
        url=f"https://ledger.example/{n}",
        language="en",
        source=f"f{n}.txt",
        raw_kind="text",
        raw=f"raw {n}",
        keywords=["harbour"],
        head_vector=vec,
        body_vector=vec,
        story_id=story,
    )


def _write(store: SQLiteStore, articles: list[Article], story: str = "s1") -> None:
    state = StoryState(
        story,
        "Harbour fire",
        articles[0].published.timestamp(),
        articles[-1].published.timestamp(),
        len(articles),
    )
    store.write_batch(articles, [Assignment(a.id, story, 0.9, False) for a in articles], [state])


def test_sqlite_migrations_recorded_once_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    SQLiteStore(path).close()
    store = SQLiteStore(path)
    names = [r[0] for r in store.conn.execute("SELECT name FROM migrations ORDER BY name")]
    assert names == sorted(name for name, _ in MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_sqlite_write_batch_roundtrip_and_counts(store: SQLiteStore) -> None:
    _write(store, [_article(1), _article(2)])
    detail = store.get_story("s1")
    assert [a.id for a in detail.articles] == ["a1", "a2"]
    assert detail.summary.article_count == 2 and detail.summary.outlets == ("Ledger",)
    article = store.get_article("a2")
    assert article.raw == "raw 2" and article.authors == ["Jo"] and article.story_id == "s1"
    assert store.existing_ids(["a1", "a9"]) == {"a1"}
    vectors = store.cached_vectors(["a1"])
    assert vectors["a1"][0][1] == 1.0
    states = store.story_states(0, 2e9, max_members=1)
    assert len(states) == 1 and [m.article_id for m in states[0].members] == ["a2"]


def test_sqlite_failed_batch_leaves_store_unchanged(store: SQLiteStore) -> None:
    _write(store, [_article(1)])
    duplicate = _article(1)
    with pytest.raises(StoreError):
        _write(store, [_article(2), duplicate])  # the primary key clash aborts the batch
    assert store.counts() == {"articles": 1, "stories": 1}
    assert store.get_story("s1").summary.article_count == 1
    with pytest.raises(NotFoundError):
        store.get_article("a2")


def test_sqlite_full_text_search_and_quoting(store: SQLiteStore) -> None:
    _write(store, [_article(1), _article(2)])
    hits = store.search_text("blaze 2")
    assert [h.id for h in hits] == ["a2"]
    assert store.search_text('pier" OR *') == []  # operators are quoted, never interpreted
    assert fts_query("a-b c") == '"a" "b" "c"'
    nearest = store.nearest_articles(_article(2).head_vector, limit=1)
    assert nearest[0][0].id == "a2" and nearest[0][1] == pytest.approx(1.0)


def test_sqlite_corrupt_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open store"):
        SQLiteStore(path)
    assert isinstance(sqlite3.sqlite_version, str)


def test_sqlite_event_marks_roundtrip_to_articles_and_story_members(store: SQLiteStore) -> None:
    marks = (EventMark("signing", 739_298, 739_310), EventMark("vote", 739_330, 739_330))
    first = replace(_article(1), events=marks)
    _write(store, [first, _article(2)])
    assert store.get_article("a1").events == marks
    assert store.get_article("a2").events == ()
    members = {m.article_id: m.events for m in store.story_states(0, 2e9, max_members=5)[0].members}
    assert members == {"a1": marks, "a2": ()}


def test_sqlite_migration_0004_backfills_event_marks_from_stored_developments(
    tmp_path: Path,
) -> None:
    from storyline.models import ArticleEnrichment, Attribution, Development, TimeSpan

    def dev(action: str, start: str, end: str, main: bool) -> Development:
        return Development(
            action=action, trigger=action, sentence="", start_char=0, end_char=1,
            participants=(), places=(), when=TimeSpan("x", 0, 1, start, end, "days"),
            modality="expected", attribution=Attribution(kind="outlet", name="Ledger"),
            main=main,
        )

    path = tmp_path / "old.db"
    store = SQLiteStore(path)
    enrichment = ArticleEnrichment("a1", developments=[
        dev("signing", "2025-02-16", "2025-02-28", True),
        dev("earthquake", "2025-02-04", "2025-02-04", False),  # not main: left out
        dev("construction", "2026-01-01", "2026-12-31", True),  # a year wide: left out
        dev("attack", "2024-11-01", "2024-11-30", True),  # over a month before: left out
        dev("meeting", "2024-12-03", "2024-12-03", True),  # a month before: kept
    ])
    article = _article(1)
    store.write_batch([article], [Assignment("a1", "s1", 0.9, True)],
                      [StoryState("s1", "t", 0, 0, 1)], [enrichment])
    # Make it a store written before 0004: no events column, migration not recorded.
    store.conn.execute("ALTER TABLE articles DROP COLUMN events")
    store.conn.execute("DELETE FROM migrations WHERE name = '0004_article_events'")
    store.close()
    reopened = SQLiteStore(path)
    published = article.published.date()
    assert reopened.get_article("a1").events == event_marks(enrichment.developments, published)
    assert reopened.get_article("a1").events == (
        EventMark("signing", date(2025, 2, 16).toordinal(), date(2025, 2, 28).toordinal()),
        EventMark("meeting", date(2024, 12, 3).toordinal(), date(2024, 12, 3).toordinal()),
    )
    reopened.close()


def test_sqlite_write_lock_joins_batches_and_rolls_back_as_one(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    store, other = SQLiteStore(path), SQLiteStore(path)
    try:
        assert store.changed_elsewhere() is False  # first look
        with store.write_lock():
            _write(store, [_article(1)])
            _write(store, [_article(2)], story="s2")
            assert other.existing_ids(["a1", "a2"]) == set()  # not committed yet
        assert other.existing_ids(["a1", "a2"]) == {"a1", "a2"}
        assert store.changed_elsewhere() is False  # its own commit
        with pytest.raises(RuntimeError), store.write_lock():
            _write(store, [_article(3)], story="s3")
            raise RuntimeError("assignment failed")
        assert store.existing_ids(["a3"]) == set()
        _write(other, [_article(4)], story="s4")
        assert store.changed_elsewhere() is True
        assert store.changed_elsewhere() is False
    finally:
        store.close()
        other.close()


def test_sqlite_evidence_and_runner_up_roundtrip_and_legacy_members_get_evidence(
    store: SQLiteStore,
) -> None:
    from storyline.stories.evidence import evidence_for

    with_evidence = replace(_article(1), evidence=evidence_for(
        "Harbour fire", "Firefighters fought blaze 1 at the pier in Dayton.",
        entities=[type("E", (), {"name": "Dayton", "type": "place", "aliases": ()})()]))
    legacy = _article(2)  # stored without evidence, as before migration 0006
    state = StoryState("s1", "Harbour fire", with_evidence.published.timestamp(),
                       legacy.published.timestamp(), 2)
    store.write_batch(
        [with_evidence, legacy],
        [Assignment("a1", "s1", 0.9, False, runner_up="s9", runner_up_score=0.31),
         Assignment("a2", "s1", 0.9, False)], [state])
    row = store.conn.execute(
        "SELECT runner_up, runner_up_score FROM article_evidence WHERE article_id = 'a1'"
    ).fetchone()
    assert tuple(row) == ("s9", 0.31)
    (loaded,) = store.story_states(0, 2e9, max_members=5)
    members = {m.article_id: m.evidence for m in loaded.members}
    assert members["a1"] == with_evidence.evidence
    assert "US/OH/dayton" in members["a1"].places
    # No stored evidence: made from the stored text and keywords when loaded.
    assert members["a2"] is not None and "pier" in members["a2"].terms
    assert members["a2"].orgs == {"harbour"}
