"""Ordered, named schema migrations for the SQLite store, recorded in a ``migrations`` table.

Append new migrations to ``MIGRATIONS``; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_articles_stories",
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            first_ts REAL NOT NULL,
            last_ts REAL NOT NULL,
            article_count INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX stories_last_ts ON stories(last_ts);
        CREATE INDEX stories_first_ts ON stories(first_ts);

        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            url TEXT,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            published TEXT NOT NULL,
            published_ts REAL NOT NULL,
            date_inferred INTEGER NOT NULL DEFAULT 0,
            authors TEXT NOT NULL DEFAULT '[]',
            outlet TEXT,
            language TEXT,
            source TEXT NOT NULL,
            raw_kind TEXT NOT NULL,
            raw BLOB,
            keywords TEXT NOT NULL DEFAULT '[]',
            story_id TEXT REFERENCES stories(id),
            story_score REAL,
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX articles_published_ts ON articles(published_ts);
        CREATE INDEX articles_story ON articles(story_id, published_ts);
        CREATE INDEX articles_outlet ON articles(outlet);

        CREATE TABLE embeddings (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            head BLOB NOT NULL,
            body BLOB NOT NULL,
            PRIMARY KEY (article_id, model)
        );
        """,
    ),
    (
        "0002_articles_fts",
        """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        """,
    ),
    (
        "0003_enrichment",
        """
        CREATE TABLE entities (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            name_key TEXT NOT NULL,
            first_token TEXT NOT NULL,
            last_token TEXT NOT NULL,
            mentions INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX entities_name_key ON entities(name_key);
        CREATE INDEX entities_first_token ON entities(first_token);
        CREATE INDEX entities_last_token ON entities(last_token);

        CREATE TABLE entity_aliases (
            entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            alias TEXT NOT NULL,
            alias_key TEXT NOT NULL,
            mentions INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (entity_id, alias_key)
        );
        CREATE INDEX entity_aliases_key ON entity_aliases(alias_key);

        CREATE TABLE article_entities (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            mentions INTEGER NOT NULL,
            PRIMARY KEY (article_id, entity_id)
        );
        CREATE INDEX article_entities_entity ON article_entities(entity_id);

        CREATE TABLE article_enrichment (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            data TEXT NOT NULL
        );
        """,
    ),
    (
        # The dated events each article is about, for the assigner (stories/events.py):
        # a JSON list of [action, first_day, last_day] (days as date.toordinal()). Articles
        # enriched before this migration get theirs from their stored developments: main
        # ones with a date at most 31 days wide that ends at most 31 days before the article's
        # publication day (events.MAX_EVENT_DAYS and MAX_PAST_DAYS when this shipped).
        "0004_article_events",
        """
        ALTER TABLE articles ADD COLUMN events TEXT NOT NULL DEFAULT '[]';
        UPDATE articles SET events = (
            SELECT json_group_array(json_array(
                json_extract(d.value, '$.action'),
                CAST(julianday(json_extract(d.value, '$.when.start')) - 1721424.5 AS INTEGER),
                CAST(julianday(json_extract(d.value, '$.when.end')) - 1721424.5 AS INTEGER)))
            FROM article_enrichment e, json_each(e.data, '$.developments') d
            WHERE e.article_id = articles.id
              AND json_extract(d.value, '$.main') = 1
              AND json_extract(d.value, '$.when') IS NOT NULL
              AND julianday(json_extract(d.value, '$.when.end'))
                  - julianday(json_extract(d.value, '$.when.start')) + 1 <= 31
              AND julianday(json_extract(d.value, '$.when.end'))
                  >= julianday(substr(articles.published, 1, 10)) - 31
        ) WHERE id IN (SELECT article_id FROM article_enrichment);
        """,
    ),
    (
        # Near-duplicate and syndicated copies (stories/copies.py): ``copy_of`` names the
        # original a copy was stored with (NULL for originals); ``article_minhash`` keeps each
        # article's MinHash signature (uint32 values) so that a later ingest finds copies of
        # it without re-reading its text. ``scheme`` names how a signature was made; rows of
        # another scheme are ignored. Articles stored before this migration have no signature
        # and get one computed from their text whenever the copy index loads them.
        "0005_copies",
        """
        ALTER TABLE articles ADD COLUMN copy_of TEXT;
        CREATE INDEX articles_copy_of ON articles(copy_of) WHERE copy_of IS NOT NULL;
        CREATE TABLE article_minhash (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            scheme TEXT NOT NULL,
            signature BLOB NOT NULL
        );
        """,
    ),
    (
        # Event identity (stories/evidence.py): each article's event evidence (JSON of
        # ``evidence_to_dict``) and the assignment decision ``storyline why`` explains: the
        # runner-up story and its score. Articles stored before this migration have no row:
        # as story members they get evidence from their text and keywords when loaded
        # (``SQLiteStore.story_states``), without enrichment's typed names.
        "0006_article_evidence",
        """
        CREATE TABLE article_evidence (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            evidence TEXT NOT NULL,
            runner_up TEXT,
            runner_up_score REAL
        );
        """,
    ),
    (
        # Follows and alerts (storyline/alerts): what users follow (a story, an entity name,
        # a query), the alerts recorded when a batch brings something new for one (``data``:
        # the alert's titles, URL, outlet and developments as JSON; ids derive from the follow
        # and the article or story, so a repeated detection inserts nothing), and each
        # alert's webhook delivery state (``claimed_until``: a sender's lease, so that two
        # processes never post the same alert at once).
        "0007_follows_alerts",
        """
        CREATE TABLE follows (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('story', 'entity', 'query')),
            target TEXT NOT NULL,
            label TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            follow_id TEXT NOT NULL REFERENCES follows(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            story_id TEXT NOT NULL,
            article_id TEXT NOT NULL,
            published_ts REAL NOT NULL,
            created_at TEXT NOT NULL,
            created_ts REAL NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX alerts_created ON alerts(created_ts);
        CREATE INDEX alerts_follow ON alerts(follow_id, created_ts);
        CREATE TABLE alert_deliveries (
            alert_id TEXT PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_attempt_at TEXT,
            delivered_at TEXT,
            next_attempt_ts REAL NOT NULL DEFAULT 0,
            claimed_until REAL NOT NULL DEFAULT 0
        );
        CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_ts);
        """,
    ),
    (
        # Followed feeds (storyline/feeds): each feed's schedule, conditional-GET validators
        # and health (times are epoch seconds), and the entries seen in it, each by GUID,
        # canonical link and content hash, so that an entry is ingested once even when it
        # comes back with a new GUID or title. Removing a feed removes its seen entries.
        "0008_feeds",
        """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            title TEXT,
            site_url TEXT,
            added_ts REAL NOT NULL,
            etag TEXT,
            last_modified TEXT,
            interval REAL NOT NULL,
            next_check_ts REAL NOT NULL,
            last_fetch_ts REAL,
            last_status TEXT,
            last_new_entry_ts REAL,
            last_error TEXT,
            last_error_ts REAL,
            consecutive_errors INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX feeds_next_check ON feeds(next_check_ts);
        CREATE TABLE feed_entries (
            feed_url TEXT NOT NULL REFERENCES feeds(url) ON DELETE CASCADE,
            guid TEXT,
            link TEXT,
            content_hash TEXT,
            seen_ts REAL NOT NULL
        );
        CREATE INDEX feed_entries_guid ON feed_entries(feed_url, guid);
        CREATE INDEX feed_entries_link ON feed_entries(feed_url, link);
        CREATE INDEX feed_entries_hash ON feed_entries(feed_url, content_hash);
        """,
    ),
]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction; return their names.

    Several processes may open a new store at once (two ingests, an ingest and the web
    server): each migration is looked up again under the write lock, so that one applied by
    another connection meanwhile is skipped, not run twice ("table stories already exists").
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")  # applied by another connection since ``done`` was read
                continue
            # executescript would COMMIT first; run statement by statement inside our transaction.
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO migrations(name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    statements, current = [], []
    for line in sql.strip().splitlines():
        current.append(line)
        joined = "\n".join(current).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current))
    return statements
