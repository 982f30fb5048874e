"""``storyline migrate-store FROM TO``: copy one store into another (SQLite ↔ PostgreSQL).

Table by table, in an order that keeps foreign keys satisfied, in chunks ordered by primary
key, each chunk in one transaction of the target. Resumable: a chunk whose keys are all in
the target is skipped, and rows already there are never written twice, so a copy stopped
anywhere is finished by running it again. Derived data is rebuilt by the target as rows
arrive (SQLite's FTS5 index, PostgreSQL's ``article_search`` and HNSW indexes). At the end
every table is verified: the same number of rows and the same SHA-256 over its rows in key
order, vectors compared as float32 and blobs as bytes (``TableCheck``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from storyline.errors import StoreError
from storyline.store.sql import SQLStore

log = logging.getLogger(__name__)

#: Rows per chunk (and per target transaction).
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Table:
    """A table both backends keep: its columns, its primary key (empty: none, and the table
    is copied whole) and which columns hold vectors."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    vectors: tuple[str, ...] = ()


#: Every table of the store's data, parents before children. Not copied: ``migrations``
#: (each store has its own) and what each backend derives (search indexes, ``store_state``).
TABLES: tuple[Table, ...] = (
    Table("stories", ("id",),
          ("id", "title", "first_ts", "last_ts", "article_count", "created_at")),
    Table("articles", ("id",),
          ("id", "url", "title", "text", "published", "published_ts", "date_inferred",
           "authors", "outlet", "language", "source", "raw_kind", "raw", "keywords",
           "story_id", "story_score", "ingested_at", "events", "copy_of")),
    Table("embeddings", ("article_id", "model"), ("article_id", "model", "head", "body"),
          vectors=("head", "body")),
    Table("article_minhash", ("article_id",), ("article_id", "scheme", "signature")),
    Table("article_evidence", ("article_id",),
          ("article_id", "evidence", "runner_up", "runner_up_score")),
    Table("entities", ("id",),
          ("id", "name", "type", "name_key", "first_token", "last_token", "mentions",
           "created_at")),
    Table("entity_aliases", ("entity_id", "alias_key"),
          ("entity_id", "alias", "alias_key", "mentions")),
    Table("article_entities", ("article_id", "entity_id"),
          ("article_id", "entity_id", "mentions")),
    Table("article_enrichment", ("article_id",), ("article_id", "version", "data")),
    Table("follows", ("id",), ("id", "kind", "target", "label", "created_at")),
    Table("alerts", ("id",),
          ("id", "follow_id", "kind", "story_id", "article_id", "published_ts", "created_at",
           "created_ts", "data")),
    Table("alert_deliveries", ("alert_id",),
          ("alert_id", "status", "attempts", "last_error", "last_attempt_at", "delivered_at",
           "next_attempt_ts", "claimed_until")),
    Table("feeds", ("url",),
          ("url", "title", "site_url", "added_ts", "etag", "last_modified", "interval",
           "next_check_ts", "last_fetch_ts", "last_status", "last_new_entry_ts", "last_error",
           "last_error_ts", "consecutive_errors")),
    Table("feed_entries", (), ("feed_url", "guid", "link", "content_hash", "seen_ts")),
)


@dataclass(frozen=True, slots=True)
class TableCheck:
    """One table after the copy: rows written now, rows found already there, and the row
    count and checksum of the source and of the target."""

    table: str
    copied: int
    skipped: int
    source_rows: int
    target_rows: int
    source_sha256: str
    target_sha256: str

    @property
    def ok(self) -> bool:
        """The target holds exactly the source's rows."""
        return (self.source_rows, self.source_sha256) == (self.target_rows, self.target_sha256)


def copy_store(source: SQLStore, target: SQLStore, *,
               progress: Callable[[str, int], None] | None = None) -> list[TableCheck]:
    """Copy every table of ``source`` into ``target`` (skipping what is there already) and
    verify each; raises ``StoreError`` naming the tables that differ. ``progress(table,
    rows)`` is told each chunk written."""
    checks = []
    for table in TABLES:
        copied, skipped = _copy_table(source, target, table, progress)
        source_rows, source_sum = checksum(source, table)
        target_rows, target_sum = checksum(target, table)
        checks.append(TableCheck(table.name, copied, skipped, source_rows, target_rows,
                                 source_sum, target_sum))  # fmt: skip
        log.info("%s: %d copied, %d already there", table.name, copied, skipped)
    bad = [c for c in checks if not c.ok]
    if bad:
        raise StoreError(
            f"the copy in {target.location} differs from {source.location}: " + "; ".join(
                f"{c.table} ({c.target_rows} rows against {c.source_rows}"
                f"{', other contents' if c.target_rows == c.source_rows else ''})"
                for c in bad))
    return checks


def _copy_table(source: SQLStore, target: SQLStore, table: Table,
                progress: Callable[[str, int], None] | None) -> tuple[int, int]:
    if not table.key:  # no key to resume by: small tables (seen feed entries), copied whole
        rows = list(_chunks(source, table))
        flat = [r for chunk in rows for r in chunk]
        if sorted(map(_canonical, flat)) == sorted(map(_canonical, _all(target, table))):
            return 0, len(flat)
        with target.write_lock():
            target.delete_rows(table.name)
            target.insert_rows(table.name, _columns(table), flat, vectors=table.vectors)
        return len(flat), 0
    copied = skipped = 0
    width = len(table.key)
    for chunk in _chunks(source, table):
        keys = [tuple(r[:width]) for r in chunk]
        with target.write_lock():
            present = target.present_keys(table.name, table.key, keys)
            fresh = [r for r, k in zip(chunk, keys, strict=True) if k not in present]
            if fresh:
                target.insert_rows(table.name, _columns(table), fresh, vectors=table.vectors)
        copied += len(fresh)
        skipped += len(chunk) - len(fresh)
        if progress is not None:
            progress(table.name, len(chunk))
    return copied, skipped


def _columns(table: Table) -> tuple[str, ...]:
    """Key columns first (``_chunks`` rows start with the key), then the others."""
    return (*table.key, *(c for c in table.columns if c not in table.key))


def _chunks(store: SQLStore, table: Table) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows in key order, ``CHUNK`` at a time, as ``_columns`` orders them."""
    columns = _columns(table)
    after: tuple[Any, ...] | None = None
    while True:
        rows = store.table_rows(table.name, columns, key=table.key, after=after,
                                limit=CHUNK if table.key else None, vectors=table.vectors)
        if not rows:
            return
        yield rows
        if not table.key or len(rows) < CHUNK:
            return
        after = tuple(rows[-1][: len(table.key)])


def _all(store: SQLStore, table: Table) -> list[tuple[Any, ...]]:
    return [r for chunk in _chunks(store, table) for r in chunk]


def checksum(store: SQLStore, table: Table) -> tuple[int, str]:
    """Rows and SHA-256 of ``table`` in ``store``: its rows in key order (a keyless table's
    sorted), each value in a form both backends give alike."""
    digest = hashlib.sha256()
    count = 0
    if table.key:
        for chunk in _chunks(store, table):
            for row in chunk:
                digest.update(_canonical(row).encode())
                count += 1
    else:
        for line in sorted(map(_canonical, _all(store, table))):
            digest.update(line.encode())
            count += 1
    return count, digest.hexdigest()


def _canonical(row: Sequence[Any]) -> str:
    def value(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return {"f32": v.astype(np.float32).tobytes().hex()}
        if isinstance(v, bytes | bytearray | memoryview):
            return {"bytes": bytes(v).hex()}
        if isinstance(v, float):
            return {"float": v.hex()}
        return v

    return json.dumps([value(v) for v in row], ensure_ascii=False) + "\n"
