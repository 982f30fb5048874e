"""Ordered, named schema migrations for the PostgreSQL store, recorded in a ``migrations``
table, applied under an advisory lock so that processes opening one new store at once do not
race (the second waits, then finds them applied).

The tables and columns are SQLite's (``store/migrations.py``, as of its 0008), so that the
queries in ``store/sql.py`` serve both and ``storyline migrate-store`` copies column by column.
What differs: every text column compares bytewise (``COLLATE "C"``, as SQLite's ``BINARY``:
id prefix ranges and name orders come out the same), times are ``double precision``, blobs
``bytea``, vectors pgvector's ``vector`` (their HNSW indexes are made per encoder and
dimension when its first vectors are written, ``PostgresStore._index_vectors``), the
full-text index is a ``tsvector`` table (``article_search``), and ``store_state`` counts
commits for ``changed_elsewhere``. PostgreSQL's own table ``story_vectors`` (0002) holds each
story's centroid per encoder for the candidate search (``PostgresStore.nearest_stories``).
A migration is SQL, or a function of the connection for what SQL alone cannot compute (the
centroids of the stories already stored). Append new migrations; never edit one that has
shipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

#: Text compared bytewise, as in SQLite.
_T = 'TEXT COLLATE "C"'

def _story_vectors(conn: Any) -> None:
    """0002: each story's centroid per encoder, with its span (kept as the story's), for the
    candidate search through an HNSW index (made per encoder and dimension with its first
    vectors, ``PostgresStore._index_vectors``); filled from the stored members."""
    from storyline.store.postgres import backfill_story_vectors

    conn.execute(f"""
        CREATE TABLE story_vectors (
            story_id {_T} NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            model {_T} NOT NULL,
            centroid vector NOT NULL,
            first_ts DOUBLE PRECISION NOT NULL,
            last_ts DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (story_id, model)
        );
        CREATE INDEX story_vectors_span ON story_vectors(model, last_ts, first_ts);
        """)
    backfill_story_vectors(conn)


Migration = str | Callable[[Any], None]

MIGRATIONS: list[tuple[str, Migration]] = [
    (
        "0001_schema",
        f"""
        CREATE EXTENSION IF NOT EXISTS vector;

        CREATE TABLE stories (
            id {_T} PRIMARY KEY,
            title {_T} NOT NULL,
            first_ts DOUBLE PRECISION NOT NULL,
            last_ts DOUBLE PRECISION NOT NULL,
            article_count INTEGER NOT NULL DEFAULT 0,
            created_at {_T} NOT NULL
        );
        CREATE INDEX stories_last_ts ON stories(last_ts);
        CREATE INDEX stories_first_ts ON stories(first_ts);

        CREATE TABLE articles (
            id {_T} PRIMARY KEY,
            url {_T},
            title {_T} NOT NULL,
            text {_T} NOT NULL,
            published {_T} NOT NULL,
            published_ts DOUBLE PRECISION NOT NULL,
            date_inferred INTEGER NOT NULL DEFAULT 0,
            authors {_T} NOT NULL DEFAULT '[]',
            outlet {_T},
            language {_T},
            source {_T} NOT NULL,
            raw_kind {_T} NOT NULL,
            raw BYTEA,
            keywords {_T} NOT NULL DEFAULT '[]',
            story_id {_T} REFERENCES stories(id),
            story_score DOUBLE PRECISION,
            ingested_at {_T} NOT NULL,
            events {_T} NOT NULL DEFAULT '[]',
            copy_of {_T}
        );
        CREATE INDEX articles_published_ts ON articles(published_ts);
        CREATE INDEX articles_story ON articles(story_id, published_ts);
        CREATE INDEX articles_outlet ON articles(lower(outlet));
        CREATE INDEX articles_copy_of ON articles(copy_of) WHERE copy_of IS NOT NULL;

        CREATE TABLE embeddings (
            article_id {_T} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            model {_T} NOT NULL,
            head vector NOT NULL,
            body vector NOT NULL,
            PRIMARY KEY (article_id, model)
        );

        CREATE TABLE article_search (
            article_id {_T} PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            doc tsvector NOT NULL
        );
        CREATE INDEX article_search_doc ON article_search USING gin(doc);

        CREATE TABLE entities (
            id {_T} PRIMARY KEY,
            name {_T} NOT NULL,
            type {_T} NOT NULL,
            name_key {_T} NOT NULL,
            first_token {_T} NOT NULL,
            last_token {_T} NOT NULL,
            mentions INTEGER NOT NULL DEFAULT 0,
            created_at {_T} NOT NULL
        );
        CREATE INDEX entities_name_key ON entities(name_key);
        CREATE INDEX entities_first_token ON entities(first_token);
        CREATE INDEX entities_last_token ON entities(last_token);

        CREATE TABLE entity_aliases (
            entity_id {_T} NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            alias {_T} NOT NULL,
            alias_key {_T} NOT NULL,
            mentions INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (entity_id, alias_key)
        );
        CREATE INDEX entity_aliases_key ON entity_aliases(alias_key);

        CREATE TABLE article_entities (
            article_id {_T} NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            entity_id {_T} NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            mentions INTEGER NOT NULL,
            PRIMARY KEY (article_id, entity_id)
        );
        CREATE INDEX article_entities_entity ON article_entities(entity_id);

        CREATE TABLE article_enrichment (
            article_id {_T} PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            data {_T} NOT NULL
        );

        CREATE TABLE article_minhash (
            article_id {_T} PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            scheme {_T} NOT NULL,
            signature BYTEA NOT NULL
        );

        CREATE TABLE article_evidence (
            article_id {_T} PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            evidence {_T} NOT NULL,
            runner_up {_T},
            runner_up_score DOUBLE PRECISION
        );

        CREATE TABLE follows (
            id {_T} PRIMARY KEY,
            kind {_T} NOT NULL CHECK (kind IN ('story', 'entity', 'query')),
            target {_T} NOT NULL,
            label {_T} NOT NULL,
            created_at {_T} NOT NULL
        );
        CREATE TABLE alerts (
            id {_T} PRIMARY KEY,
            follow_id {_T} NOT NULL REFERENCES follows(id) ON DELETE CASCADE,
            kind {_T} NOT NULL,
            story_id {_T} NOT NULL,
            article_id {_T} NOT NULL,
            published_ts DOUBLE PRECISION NOT NULL,
            created_at {_T} NOT NULL,
            created_ts DOUBLE PRECISION NOT NULL,
            data {_T} NOT NULL
        );
        CREATE INDEX alerts_created ON alerts(created_ts);
        CREATE INDEX alerts_follow ON alerts(follow_id, created_ts);
        CREATE TABLE alert_deliveries (
            alert_id {_T} PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
            status {_T} NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error {_T},
            last_attempt_at {_T},
            delivered_at {_T},
            next_attempt_ts DOUBLE PRECISION NOT NULL DEFAULT 0,
            claimed_until DOUBLE PRECISION NOT NULL DEFAULT 0
        );
        CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_ts);

        CREATE TABLE feeds (
            url {_T} PRIMARY KEY,
            title {_T},
            site_url {_T},
            added_ts DOUBLE PRECISION NOT NULL,
            etag {_T},
            last_modified {_T},
            interval DOUBLE PRECISION NOT NULL,
            next_check_ts DOUBLE PRECISION NOT NULL,
            last_fetch_ts DOUBLE PRECISION,
            last_status {_T},
            last_new_entry_ts DOUBLE PRECISION,
            last_error {_T},
            last_error_ts DOUBLE PRECISION,
            consecutive_errors INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX feeds_next_check ON feeds(next_check_ts);
        CREATE TABLE feed_entries (
            feed_url {_T} NOT NULL REFERENCES feeds(url) ON DELETE CASCADE,
            guid {_T},
            link {_T},
            content_hash {_T},
            seen_ts DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX feed_entries_guid ON feed_entries(feed_url, guid);
        CREATE INDEX feed_entries_link ON feed_entries(feed_url, link);
        CREATE INDEX feed_entries_hash ON feed_entries(feed_url, content_hash);

        -- One row; each write transaction adds one (PostgresStore.changed_elsewhere).
        CREATE TABLE store_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version BIGINT NOT NULL
        );
        INSERT INTO store_state(id, version) VALUES (1, 0);
        """,
    ),
    ("0002_story_vectors", _story_vectors),
]


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name`` (``storyline:…``)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


MIGRATION_LOCK = lock_key("storyline:migrate")


def migrate(conn: Any) -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction; return their names.

    ``conn`` is a psycopg connection in autocommit mode. The whole run holds a session
    advisory lock, so a second process opening the same new store waits and then applies
    nothing."""
    conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        conn.execute(
            'CREATE TABLE IF NOT EXISTS migrations (name TEXT COLLATE "C" PRIMARY KEY,'
            " applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
        applied = []
        for name, step in MIGRATIONS:
            if name in done:
                continue
            with conn.transaction():
                if isinstance(step, str):
                    conn.execute(step)
                else:
                    step(conn)
                conn.execute("INSERT INTO migrations(name, applied_at) VALUES (%s, %s)",
                             (name, datetime.now(UTC).isoformat()))  # fmt: skip
            applied.append(name)
        return applied
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
