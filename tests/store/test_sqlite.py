"""What is SQLite's own: its migrations (of a file written by an older version), WAL, a
corrupt file, the FTS5 query. The store contract both backends keep is tested in
``test_store.py``."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from store_samples import sample_article

from storyline.errors import StoreError
from storyline.models import Assignment, EventMark
from storyline.store.base import StoryState
from storyline.store.migrations import MIGRATIONS
from storyline.store.sqlite import SQLiteStore, fts_query
from storyline.stories.events import event_marks


def test_sqlite_migrations_recorded_once_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    SQLiteStore(path).close()
    store = SQLiteStore(path)
    names = [r[0] for r in store.conn.execute("SELECT name FROM migrations ORDER BY name")]
    assert names == sorted(name for name, _ in MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_sqlite_fts_query_quotes_every_word() -> None:
    assert fts_query("a-b c") == '"a" "b" "c"'
    assert fts_query("!!") == '""'


def test_sqlite_corrupt_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open store"):
        SQLiteStore(path)
    assert isinstance(sqlite3.sqlite_version, str)


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
    article = sample_article(1)
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
