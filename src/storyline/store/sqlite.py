"""The default embedded store: one SQLite file in WAL mode with FTS5 full-text search.

One writer, many readers: every write batch runs in a ``BEGIN IMMEDIATE`` transaction, so a
killed ingest leaves the file as it was after the last committed batch. Readers (the CLI, the
web server) see committed data while an ingest runs. The queries themselves are shared with
the PostgreSQL store (``store/sql.py``); this module holds what is SQLite's own.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from storyline.errors import StoreError
from storyline.models import ArticleSummary
from storyline.store.migrations import migrate
from storyline.store.rows import query_words, summary_from_row
from storyline.store.sql import SQLStore, TextMatch

log = logging.getLogger(__name__)


class SQLiteStore(SQLStore):
    """Store backed by a SQLite file (``:memory:`` for a throw-away store)."""

    _errors = (sqlite3.DatabaseError,)

    def __init__(self, path: str | Path, *, model_name: str = "") -> None:
        self.path = str(path)
        self.location = self.path
        self.model_name = model_name
        self._data_version: int | None = None
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30.0, check_same_thread=False
            )
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=30000")
            migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc

    def close(self) -> None:
        self.conn.close()

    # --- the connection (``SQLStore`` hooks) --------------------------------------------
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def _in_transaction(self) -> bool:
        return self.conn.in_transaction

    def _vector_param(self, vector: np.ndarray) -> bytes:
        return vector.astype(np.float32).tobytes()

    def _vector_value(self, value: bytes) -> np.ndarray:
        return np.frombuffer(value, dtype=np.float32)

    def _text_match(self, query: str) -> TextMatch:
        # Only the matching articles' rows of the index are read (a rowid join).
        return TextMatch(join="JOIN articles_fts ON articles_fts.rowid = a.rowid",
                         join_params=(), where="articles_fts MATCH ?",
                         where_params=(fts_query(query),),
                         order="bm25(articles_fts, 5.0, 1.0)")

    # --- transactions -------------------------------------------------------------------
    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` (waits up to the connection's 30 s timeout for another writer)
        … ``COMMIT``; readers are never blocked (WAL)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot lock {self.path} for writing: {exc}") from exc
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def changed_elsewhere(self) -> bool:
        """From SQLite's ``PRAGMA data_version``, which moves when another connection
        commits (this connection's own commits leave it alone)."""
        version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        changed = self._data_version is not None and version != self._data_version
        self._data_version = version
        return changed

    @contextlib.contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Reads inside see one committed state of the store (``BEGIN`` … ``COMMIT``: under
        WAL a commit landing meanwhile stays invisible until the end), so that a view made of
        several reads holds together. Inside an open transaction it just joins it."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")  # nothing was written: ends the snapshot

    # --- vectors ------------------------------------------------------------------------
    def nearest_articles(
        self, vector: np.ndarray, *, limit: int = 20
    ) -> list[tuple[ArticleSummary, float]]:
        # Exact search over every stored head vector: ~10 ms at 10k articles, read in blocks.
        best: list[tuple[float, str]] = []
        cursor = self.conn.execute(
            "SELECT article_id, head FROM embeddings WHERE model = ?", (self.model_name,)
        )
        while rows := cursor.fetchmany(4096):
            matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
            sims = matrix.reshape(len(rows), -1) @ vector.astype(np.float32)
            for index in np.argsort(-sims)[:limit]:
                best.append((float(sims[index]), rows[index][0]))
        best = sorted(best, reverse=True)[:limit]
        out = []
        for sim, aid in best:
            r = self.conn.execute(
                "SELECT id, title, outlet, published, url, date_inferred FROM articles"
                " WHERE id = ?",
                (aid,),
            ).fetchone()
            if r:
                out.append((summary_from_row(r), sim))
        return out


def fts_query(text: str) -> str:
    """Turn free text into a safe FTS5 query: every word quoted, all required."""
    return " ".join(f'"{w}"' for w in query_words(text)) or '""'
