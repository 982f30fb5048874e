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
- **Candidate stories** come from the store too (``story_index``): ``story_vectors`` holds
  each story's centroid per encoder and its span, written with the story in ``write_batch``
  (inside the write lock, so it is current whenever another writer looks), and an HNSW index
  over the centroids serves the assigner's nearest-open-stories query. Once a batch's window
  holds ``index_min_open_stories`` stories, the pipeline's assigner holds only the stories
  it scores (a cache), never every open story of the window; below that it holds them all,
  as on SQLite. pgvector 0.8's iterative scan (``hnsw.iterative_scan = strict_order``) keeps
  a scan going past the stories outside the window, in exact distance order; with an older
  pgvector the query is exact (no index); for a narrow window the planner may prefer the
  span index and an exact sort. Where the candidates may differ from the in-memory search:
  HNSW is approximate (``CANDIDATE_EF_SEARCH``: on uniformly random topics, its worst case,
  89 % of follow-ups joined their story among 100,000, against 100 % with an exact scan and
  86 % with the in-memory index), a scan stops after ``hnsw.max_scan_tuples``
  (20,000) index rows.
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
from storyline.models import Article, ArticleEnrichment, ArticleSummary, Assignment
from storyline.store.base import CandidateStory, StoryState
from storyline.store.postgres_migrations import lock_key, migrate
from storyline.store.rows import check_article, folded_words, summary_from_row
from storyline.store.sql import SQLStore, TextMatch
from storyline.stories.assign import AssignOptions, centroid_of

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
#: HNSW search breadth (``hnsw.ef_search``) of the candidate-story query at least (the
#: assigner asks for 24 stories and more; pgvector's default is 40). On 100,000 uniformly
#: random 896-d topics (HNSW's worst case), follow-ups that joined their story / ms per
#: article: 100: 0.64 / 19; 200: 0.89 / 27; 400: 0.95 / 49; exact scan 1.00 / 348; the
#: in-memory index 0.86 / 1.7 (benchmarks/assigner_postgres.py, assigner_throughput.py).
CANDIDATE_EF_SEARCH = 200
#: Members of a story its stored centroid is computed from when the store computes it
#: (backfill, vectors of a new encoder, ``migrate-store``): as ``story_states`` loads them.
CENTROID_MEMBERS = AssignOptions().max_members


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

    #: Open stories in a batch's window from which the pipeline finds candidates through
    #: the HNSW index (``story_index``) rather than holding them all (0: always). Below it,
    #: holding them is faster: 0.6 ms per article at 1,000 stories against 5 ms through
    #: PostgreSQL (benchmarks/assigner_postgres.py), for ~25 KB of memory per story.
    index_min_open_stories = 10_000

    _errors = (psycopg.Error,)
    _outlet_equals = "lower(outlet) = lower(?)"

    def __init__(self, url: str, *, model_name: str = "") -> None:
        self.url = url
        self.location = redact(url)
        self.model_name = model_name
        self._version: int | None = None
        self._indexed: set[tuple[str, int]] = set()
        self._sql: dict[str, str] = {}
        self._ef_search: int | None = None  # this session's hnsw.ef_search, when set here
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=30)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open store {self.location}: {exc}") from exc
        try:
            migrate(self.conn)
            register_vector(self.conn)
            #: pgvector 0.8 or later: filtered HNSW scans go on until the LIMIT is met.
            self.iterative_scan = vector_version(self.conn) >= (0, 8)
            if self.iterative_scan:
                self.conn.execute("SET hnsw.iterative_scan = strict_order")
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
        create_hnsw_indexes(self.conn, model, dim)
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
            self._ef_search = None  # a SET inside the transaction is undone

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
        self._set_ef_search(max(40, limit))
        rows = self.conn.execute(sql.SQL(
            "SELECT a.id, a.title, a.outlet, a.published, a.url, a.date_inferred,"
            " (e.head::vector({dim}) <#> %(q)s::vector({dim})) AS d"
            " FROM embeddings e JOIN articles a ON a.id = e.article_id"
            " WHERE e.model = {model} ORDER BY d LIMIT %(limit)s"
        ).format(dim=sql.Literal(dim), model=sql.Literal(self.model_name)),
            {"q": self._vector_param(vector), "limit": limit}).fetchall()
        return [(summary_from_row(r), -float(r[6])) for r in rows]

    def _set_ef_search(self, n: int) -> None:
        """``hnsw.ef_search`` for this session (pgvector takes 1 to 1,000)."""
        n = min(max(n, 1), 1000)
        if n != self._ef_search:
            self.conn.execute(sql.SQL("SET hnsw.ef_search = {n}").format(n=sql.Literal(n)))
            self._ef_search = n

    # --- candidate stories (``StoryIndex``) ----------------------------------------------
    def story_index(self, start_ts: float, end_ts: float) -> PostgresStore | None:
        """This store, once [start_ts, end_ts] holds ``index_min_open_stories`` stories with
        a centroid of this encoder; below, None: the assigner holds them all (faster, and
        exact, while they are few)."""
        if self.index_min_open_stories <= 0:
            return self
        count = self._value(
            "SELECT count(*) FROM (SELECT 1 FROM story_vectors WHERE model = %s AND last_ts >= %s"
            " AND first_ts <= %s LIMIT %s) AS open_", (self.model_name, start_ts, end_ts,
                                                       self.index_min_open_stories))
        return self if count >= self.index_min_open_stories else None

    def nearest_stories(self, vector: np.ndarray, start_ts: float, end_ts: float, *,
                        limit: int) -> list[CandidateStory]:
        """Through the HNSW index over ``story_vectors`` (pgvector 0.8+; before, exact)."""
        query, params = self._nearest_stories_query(vector, start_ts, end_ts, limit=limit)
        rows = self.conn.execute(query, params, binary=True).fetchall()  # vectors unparsed
        return [CandidateStory(r[0], self._vector_value(r[1]), r[2], r[3]) for r in rows]

    def explain_nearest_stories(self, vector: np.ndarray, start_ts: float, end_ts: float, *,
                                limit: int) -> str:
        """PostgreSQL's plan (``EXPLAIN ANALYZE``) of ``nearest_stories``' query: whether it
        goes through the HNSW index, and how many rows it scanned."""
        query, params = self._nearest_stories_query(vector, start_ts, end_ts, limit=limit)
        rows = self.conn.execute(sql.SQL("EXPLAIN ANALYZE ") + query, params).fetchall()
        return "\n".join(r[0] for r in rows)

    def _nearest_stories_query(self, vector: np.ndarray, start_ts: float, end_ts: float, *,
                               limit: int) -> tuple[sql.Composed, dict[str, Any]]:
        dim = len(vector)
        self._index_vectors(self.model_name, dim)
        self._set_ef_search(max(CANDIDATE_EF_SEARCH, limit))
        distance = "centroid::vector({dim}) <#> %(q)s::vector({dim})"
        if not self.iterative_scan:  # a filtered HNSW scan could return too few: exact
            distance = f"({distance}) + 0"
        # The model and dimension are literals: the partial index's predicate and expression
        # must match the query's for the planner to use it.
        query = sql.SQL(
            "SELECT story_id, centroid, first_ts, last_ts FROM story_vectors"
            " WHERE model = {model} AND last_ts >= %(lo)s AND first_ts <= %(hi)s"
            f" ORDER BY {distance} LIMIT %(limit)s"
        ).format(dim=sql.Literal(dim), model=sql.Literal(self.model_name))
        return query, {"q": self._vector_param(vector), "lo": start_ts, "hi": end_ts,
                       "limit": limit}

    def stories_by_id(self, ids: Sequence[str], *, max_members: int) -> list[StoryState]:
        rows = self._execute(
            "SELECT s.id, s.title, s.first_ts, s.last_ts, s.article_count, v.centroid"
            " FROM stories s LEFT JOIN story_vectors v ON v.story_id = s.id AND v.model = ?"
            " WHERE s.id = ANY(?) ORDER BY s.first_ts, s.id",
            (self.model_name, list(ids))).fetchall()
        states = self._with_members([r[:5] for r in rows], max_members=max_members)
        for state, row in zip(states, rows, strict=True):
            if row[5] is not None:
                state.centroid = self._vector_value(row[5])
        return states

    def _insert_batch(self, articles: Sequence[Article], assignments: Sequence[Assignment],
                      stories: Sequence[StoryState],
                      enrichments: Sequence[ArticleEnrichment] | None) -> None:
        """As SQLite's, and each story's centroid and span into ``story_vectors``, in the
        same transaction."""
        super()._insert_batch(articles, assignments, stories, enrichments)
        rows = []
        for story in stories:
            if story.centroid is not None:
                self._index_vectors(self.model_name, len(story.centroid))
                rows.append((story.id, self.model_name, self._vector_param(story.centroid),
                             story.first_ts, story.last_ts))
        if rows:
            self._executemany(UPSERT_STORY_VECTOR, rows)

    def write_vectors(self, articles: Sequence[Article]) -> None:
        """As SQLite's; then the centroids of their stories under this encoder, from their
        stored members."""
        with self._joined():
            super().write_vectors(articles)
            story_ids = [r[0] for r in self.conn.execute(
                "SELECT DISTINCT story_id FROM articles WHERE id = ANY(%s)"
                " AND story_id IS NOT NULL", ([a.id for a in articles],))]
            refresh_story_vectors(self.conn, self.model_name, story_ids)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                    *, vectors: Sequence[str] = ()) -> None:
        """As SQLite's; copied vectors also make their stories' centroids
        (``migrate-store``: ``story_vectors`` is derived, not copied)."""
        super().insert_rows(table, columns, rows, vectors=vectors)
        if table == "embeddings" and rows:
            aid, model = columns.index("article_id"), columns.index("model")
            for name in sorted({r[model] for r in rows}):
                story_ids = [r[0] for r in self.conn.execute(
                    "SELECT DISTINCT story_id FROM articles WHERE id = ANY(%s)"
                    " AND story_id IS NOT NULL",
                    ([r[aid] for r in rows if r[model] == name],))]
                refresh_story_vectors(self.conn, name, story_ids)


UPSERT_STORY_VECTOR = (
    "INSERT INTO story_vectors(story_id, model, centroid, first_ts, last_ts)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (story_id, model) DO UPDATE"
    " SET centroid = excluded.centroid, first_ts = excluded.first_ts,"
    " last_ts = excluded.last_ts")


def vector_version(conn: Any) -> tuple[int, ...]:
    """The installed pgvector's version, as numbers (``(0, 8, 5)``)."""
    row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    parts = (row[0] if row else "0").split(".")
    return tuple(int(p) if p.isdigit() else 0 for p in parts)


def create_hnsw_indexes(conn: Any, model: str, dim: int) -> None:
    """The HNSW indexes over ``model``'s ``dim``-dimensional vectors: article heads
    (semantic search) and story centroids (candidate stories); pgvector indexes need one
    dimension, and each encoder has its own."""
    digest = hashlib.sha1(model.encode()).hexdigest()[:12]
    for table, column in (("embeddings", "head"), ("story_vectors", "centroid")):
        name = f"{table}_hnsw_{digest}_{dim}"
        if conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is None:
            conn.execute(sql.SQL(
                "CREATE INDEX IF NOT EXISTS {name} ON {table} USING hnsw"
                " (({column}::vector({dim})) vector_ip_ops) WHERE model = {model}"
            ).format(name=sql.Identifier(name), table=sql.Identifier(table),
                     column=sql.Identifier(column), dim=sql.Literal(dim),
                     model=sql.Literal(model)))


def refresh_story_vectors(conn: Any, model: str, story_ids: Sequence[str]) -> None:
    """Recompute the ``story_vectors`` rows of ``story_ids`` under ``model`` from their stored
    members: the centroid of their founding and ``CENTROID_MEMBERS`` - 1 most recent originals
    with vectors of that model (``assign.centroid_of``, in ``story_states``' order: the
    centroid the assigner gives a story it holds), and the story's span; a story without such
    members gets none."""
    for start in range(0, len(story_ids), 1000):
        chunk = list(story_ids[start : start + 1000])
        heads: dict[str, list[np.ndarray]] = {}
        for story_id, head in conn.execute(
            "SELECT story_id, head FROM (SELECT a.story_id, e.head, ROW_NUMBER() OVER"
            " (PARTITION BY a.story_id ORDER BY a.published_ts DESC, a.id DESC) AS rn,"
            " ROW_NUMBER() OVER (PARTITION BY a.story_id ORDER BY a.published_ts, a.id)"
            " AS rn_first"
            " FROM articles a JOIN embeddings e ON e.article_id = a.id AND e.model = %s"
            " WHERE a.story_id = ANY(%s) AND a.copy_of IS NULL) AS m"
            " WHERE rn < %s OR rn = 1 OR (rn_first = 1 AND %s > 1) ORDER BY story_id, rn",
            (model, chunk, CENTROID_MEMBERS, CENTROID_MEMBERS)):
            heads.setdefault(story_id, []).append(np.asarray(head.to_numpy(), np.float32))
        gone = [i for i in chunk if i not in heads]
        if gone:
            conn.execute("DELETE FROM story_vectors WHERE model = %s AND story_id = ANY(%s)",
                         (model, gone))
        if not heads:
            continue
        create_hnsw_indexes(conn, model, len(next(iter(heads.values()))[0]))
        spans = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT id, first_ts, last_ts FROM stories WHERE id = ANY(%s)", (list(heads),))}
        with conn.cursor() as cursor:
            cursor.executemany(UPSERT_STORY_VECTOR.replace("?", "%s"), [
                (story_id, model, Vector(centroid_of(vectors)), *spans[story_id])
                for story_id, vectors in heads.items()])


def backfill_story_vectors(conn: Any) -> None:
    """Every stored story's ``story_vectors`` rows, one per encoder with vectors
    (migration 0002)."""
    register_vector(conn)
    models = [r[0] for r in conn.execute("SELECT DISTINCT model FROM embeddings ORDER BY 1")]
    for model in models:
        after = ""
        while True:
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM stories WHERE id > %s ORDER BY id LIMIT 5000", (after,))]
            if not ids:
                break
            refresh_story_vectors(conn, model, ids)
            after = ids[-1]


def indexed_text(text: str) -> str:
    """What ``article_search`` indexes of a title or body: its folded words (as
    ``rows.folded_words``), or its distinct ones when the text is long."""
    words = folded_words(text)
    joined = " ".join(words)
    if len(joined) <= MAX_INDEXED_CHARS:
        return joined
    return " ".join(dict.fromkeys(words))[:MAX_INDEXED_CHARS].rsplit(" ", 1)[0]
