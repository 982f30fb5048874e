"""The PostgreSQL store: a shared server for several processes and analysts, with pgvector.

Needs the ``postgres`` extra (``pip install 'storyline[postgres]'``: psycopg 3 and pgvector's
Python package) and a server with the ``vector`` extension (pgvector 0.5 or later, for HNSW).
The queries are SQLite's (``store/sql.py``); what is PostgreSQL's own lives here:

- **One writer at a time.** ``write_lock`` is a transaction that first takes a transaction
  advisory lock (``pg_advisory_xact_lock``), so the pipelines of an ingest, ``watch`` and the
  API, in any number of processes and machines, assign one after another and never start twin
  stories; it is released at commit or rollback, so a killed writer never holds it.
- **Snapshots.** ``read_snapshot`` is a ``REPEATABLE READ READ ONLY`` transaction.
- **Changes by others.** ``store_state.version`` counts write transactions;
  ``changed_elsewhere`` compares it with the last value this connection saw or wrote.
- **Full-text search** is PostgreSQL's: a ``tsvector`` per article (``article_search``, GIN
  index) over the words as SQLite's FTS5 tokenizer splits them (case and accents folded, the
  ``simple`` configuration: no stemming, no stop words), so a query finds the same articles on
  both backends; ranked by ``ts_rank`` with the title weighted 5 to 1 against the body
  (SQLite's ``bm25`` weights).
- **Vectors** are pgvector ``vector`` columns; semantic search orders by inner product (the
  vectors are unit length: cosine) through an HNSW index per encoder and dimension.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from storyline.errors import StoreError
from storyline.models import Article, ArticleSummary
from storyline.store.postgres_migrations import lock_key, migrate
from storyline.store.rows import check_article, folded_words, summary_from_row
from storyline.store.sql import SQLStore, TextMatch

try:
    import psycopg
    from pgvector import Vector
    from pgvector.psycopg import register_vector
    from psycopg import sql
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "the PostgreSQL store needs the 'postgres' extra: pip install 'storyline[postgres]'"
        f" ({exc})"
    ) from exc

log = logging.getLogger(__name__)

WRITE_LOCK = lock_key("storyline:write")
#: How long a writer waits for another's write lock before giving up (SQLite's busy timeout).
LOCK_TIMEOUT = "30s"
#: Longest text (characters, after folding) indexed word for word. A ``tsvector`` holds at
#: most 1 MiB; a longer body is indexed by its distinct words (it is still found by every
#: word it holds, only ranked as if each appeared once).
MAX_INDEXED_CHARS = 400_000


def redact(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class PostgresStore(SQLStore):
    """Store in a PostgreSQL database, given by a ``postgresql://`` URL."""

    _errors = (psycopg.Error,)
    _outlet_equals = "lower(outlet) = lower(?)"

    def __init__(self, url: str, *, model_name: str = "") -> None:
        self.url = url
        self.location = redact(url)
        self.model_name = model_name
        self._version: int | None = None
        self._indexed: set[tuple[str, int]] = set()
        self._sql: dict[str, str] = {}
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=30)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open store {self.location}: {exc}") from exc
        try:
            migrate(self.conn)
            register_vector(self.conn)
        except psycopg.errors.InsufficientPrivilege as exc:
            self.conn.close()
            raise StoreError(
                f"cannot set up store {self.location}: {exc} (the pgvector extension must be"
                " created by a superuser first: CREATE EXTENSION vector;)") from exc
        except psycopg.Error as exc:
            self.conn.close()
            raise StoreError(f"cannot set up store {self.location}: {exc}") from exc

    def close(self) -> None:
        self.conn.close()

    # --- the connection (``SQLStore`` hooks) --------------------------------------------
    def _execute(self, query: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        text = self._sql.get(query)
        if text is None:  # the shared queries use ``?``; psycopg takes ``%s``
            text = self._sql[query] = query.replace("%", "%%").replace("?", "%s")
        return self.conn.execute(text.encode(), params, binary=True)

    def _executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor(binary=True) as cursor:
            cursor.executemany(query.replace("%", "%%").replace("?", "%s").encode(), rows)

    def _value(self, query: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the one row ``query`` returns (``%s`` placeholders)."""
        row = self.conn.execute(query.encode(), params).fetchone()
        if row is None:
            raise StoreError(f"{self.location}: no row from {query!r}")
        return row[0]

    def _in_transaction(self) -> bool:
        return self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def _vector_param(self, vector: np.ndarray) -> Vector:
        return Vector(vector.astype(np.float32))

    def _vector_value(self, value: Vector) -> np.ndarray:
        return np.asarray(value.to_numpy(), dtype=np.float32)

    def _text_match(self, query: str) -> TextMatch:
        return TextMatch(
            join="JOIN article_search f ON f.article_id = a.id"
                 " CROSS JOIN plainto_tsquery('simple', ?) q",
            join_params=(" ".join(folded_words(query)),),
            where="f.doc @@ q", where_params=(),
            # {D, C, B, A}: the body (D) weighs a fifth of the title (A), as bm25(5, 1).
            order="ts_rank('{0.2, 0.2, 0.2, 1.0}', f.doc, q) DESC, a.id",
        )

    def _check(self, article: Article) -> None:
        check_article(article, allow_nul=False)

    def _index_text(self, rows: Sequence[tuple[str, str, str]]) -> None:
        self._executemany(
            "INSERT INTO article_search(article_id, doc) VALUES (?,"
            " setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?),"
            " 'D')) ON CONFLICT(article_id) DO UPDATE SET doc = excluded.doc",
            [(aid, indexed_text(title), indexed_text(text)) for aid, title, text in rows],
        )

    def _index_vectors(self, model: str, dim: int) -> None:
        """The HNSW index over this encoder's head vectors (made with its first vectors,
        inside the write lock: pgvector indexes need one dimension, and each encoder has its
        own)."""
        if (model, dim) in self._indexed:
            return
        name = f"embeddings_hnsw_{hashlib.sha1(model.encode()).hexdigest()[:12]}_{dim}"
        if self._value("SELECT to_regclass(%s)", (name,)) is None:
            self.conn.execute(sql.SQL(
                "CREATE INDEX IF NOT EXISTS {name} ON embeddings USING hnsw"
                " ((head::vector({dim})) vector_ip_ops) WHERE model = {model}"
            ).format(name=sql.Identifier(name), dim=sql.Literal(dim), model=sql.Literal(model)))
        self._indexed.add((model, dim))

    # --- transactions -------------------------------------------------------------------
    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """A transaction holding the store's advisory write lock (waits up to 30 s for
        another writer); commits at the end, rolls back on an exception."""
        try:
            self.conn.execute("BEGIN")
            self.conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        except psycopg.Error as exc:
            self._rollback()
            raise StoreError(f"cannot lock {self.location} for writing: {exc}") from exc
        try:
            yield
            version = self._value(
                "UPDATE store_state SET version = version + 1 RETURNING version")
            self.conn.execute("COMMIT")
        except psycopg.Error as exc:
            self._rollback()
            raise StoreError(f"cannot write to {self.location}: {exc}") from exc
        except BaseException:
            self._rollback()
            raise
        if self._version is not None and version == self._version + 1:
            self._version = version  # only this commit since the last look: not a change

    def _rollback(self) -> None:
        if self._in_transaction() and not self.conn.closed:
            self.conn.execute("ROLLBACK")

    def changed_elsewhere(self) -> bool:
        """From ``store_state.version``, which every write transaction moves; this
        connection's own commits are not changes."""
        version = int(self._value("SELECT version FROM store_state"))
        changed = self._version is not None and version != self._version
        self._version = version
        return changed

    @contextlib.contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Reads inside see one committed state (``REPEATABLE READ READ ONLY``). Inside an
        open transaction it just joins it."""
        if self._in_transaction():
            yield
            return
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield
        finally:
            self._rollback()  # nothing was written: ends the snapshot

    # --- vectors ------------------------------------------------------------------------
    def nearest_articles(
        self, vector: np.ndarray, *, limit: int = 20
    ) -> list[tuple[ArticleSummary, float]]:
        # The HNSW index (approximate) serves the ORDER BY; it returns at most ef_search rows.
        dim = len(vector)
        if limit > 40:
            self.conn.execute(sql.SQL("SET hnsw.ef_search = {n}").format(
                n=sql.Literal(min(limit, 1000))))
        rows = self.conn.execute(sql.SQL(
            "SELECT a.id, a.title, a.outlet, a.published, a.url, a.date_inferred,"
            " (e.head::vector({dim}) <#> %(q)s::vector({dim})) AS d"
            " FROM embeddings e JOIN articles a ON a.id = e.article_id"
            " WHERE e.model = {model} ORDER BY d LIMIT %(limit)s"
        ).format(dim=sql.Literal(dim), model=sql.Literal(self.model_name)),
            {"q": self._vector_param(vector), "limit": limit}).fetchall()
        return [(summary_from_row(r), -float(r[6])) for r in rows]


def indexed_text(text: str) -> str:
    """What ``article_search`` indexes of a title or body: its folded words (as
    ``rows.folded_words``), or its distinct ones when the text is long."""
    words = folded_words(text)
    joined = " ".join(words)
    if len(joined) <= MAX_INDEXED_CHARS:
        return joined
    return " ".join(dict.fromkeys(words))[:MAX_INDEXED_CHARS].rsplit(" ", 1)[0]
