"""SQLite store: migrations, atomic batches, re-ingest, full-text search."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from storyline.errors import NotFoundError, StoreError
from storyline.models import Article, Assignment
from storyline.store.base import StoryState
from storyline.store.migrations import MIGRATIONS
from storyline.store.sqlite import SQLiteStore, fts_query


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
