"""What the SQL stores share: one implementation of ``Store`` over a DB-API connection.

``SQLiteStore`` (``store/sqlite.py``) and ``PostgresStore`` (``store/postgres.py``) keep the
same tables and columns, so most of their queries are the same text; this class holds them,
written with ``?`` placeholders. A backend supplies the connection, its transactions and
locks, how a vector is stored, and its own full-text index (the ``_execute``, ``write_lock``,
``_vector_*`` and ``_text_match`` hooks). The row shapes both read back are in
``store/rows.py``.
"""

from __future__ import annotations

import contextlib
import json
import zlib
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from storyline import serialize
from storyline.alerts import serialize as alert_shapes
from storyline.enrich.entities import ENTITY_TYPES, clean_name, known_from_rows, name_key
from storyline.errors import NotFoundError, StoreError
from storyline.models import (
    Alert,
    Article,
    ArticleDecision,
    ArticleEnrichment,
    ArticleSummary,
    Assignment,
    Delivery,
    EntityAppearance,
    EntityRecord,
    EntryKey,
    Evidence,
    Feed,
    Follow,
    KnownEntity,
    StoryDetail,
    StorySummary,
)
from storyline.store.base import MemberState, SignatureRow, Store, StoryFilter, StoryState
from storyline.store.rows import (
    ARTICLE_COLUMNS,
    FEED_COLUMNS,
    article_from_row,
    check_article,
    dt,
    events_from_json,
    events_json,
    feed_from_row,
    feed_values,
    follow_from_row,
    in_chunks,
    summary_from_row,
)
from storyline.stories.evidence import evidence_for, evidence_from_dict, evidence_to_dict


def _member_evidence(row: Sequence[Any]) -> Evidence:
    """A ``_member_rows`` row's evidence; stored before migration 0006: from the member's
    text and keywords. Evidence stored without its language takes the article's."""
    if row[8] is None:
        return evidence_for(row[4], row[9] or "", keywords=json.loads(row[3]), language=row[10])
    evidence = evidence_from_dict(json.loads(row[8]))
    if evidence.language is None and row[10]:
        evidence = replace(evidence, language=str(row[10]).lower())
    return evidence


@dataclass(frozen=True, slots=True)
class TextMatch:
    """How a backend matches a full-text query against ``articles a``: a join onto its index
    (with its parameters), the condition (with its parameters) and the best-first order."""

    join: str
    join_params: tuple[Any, ...]
    where: str
    where_params: tuple[Any, ...]
    order: str


class SQLStore(Store):
    """The queries shared by the SQL backends; subclasses supply the hooks below."""

    #: Where the store is, for messages (a path, or a URL without its password).
    location: str = ""
    #: The driver's exceptions that ``write_batch`` wraps in ``StoreError``.
    _errors: tuple[type[BaseException], ...] = ()
    #: The condition (over ``articles``, one parameter) that an outlet name matches,
    #: case-insensitively.
    _outlet_equals = "outlet = ? COLLATE NOCASE"

    # --- backend hooks ------------------------------------------------------------------
    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (``?`` placeholders); a cursor (``fetchone``, ``fetchall``,
        ``fetchmany``, iteration, ``rowcount``)."""

    @abstractmethod
    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters."""

    @abstractmethod
    def _in_transaction(self) -> bool:
        """Whether a transaction is open on this connection."""

    @abstractmethod
    def _vector_param(self, vector: np.ndarray) -> Any:
        """A vector as the ``embeddings`` columns take it."""

    @abstractmethod
    def _vector_value(self, value: Any) -> np.ndarray:
        """An ``embeddings`` column value as a float32 vector."""

    @abstractmethod
    def _text_match(self, query: str) -> TextMatch:
        """How ``query`` (free text: every word required, operators never interpreted) is
        matched against titles and bodies."""

    def _index_text(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Called after article rows are inserted, in their transaction, with their
        ``(id, title, text)``: a backend indexes them for full-text search here unless a
        trigger does."""

    def _index_vectors(self, model: str, dim: int) -> None:
        """Called before vectors of ``model`` and ``dim`` are inserted (a backend whose
        vector index needs one dimension makes it here)."""

    def _check(self, article: Article) -> None:
        """Refuse an article the backend cannot store and read back (``check_article``)."""
        check_article(article)

    def _writing(self) -> contextlib.AbstractContextManager[None]:
        """Join the open write transaction (inside a savepoint, so that a failure undoes only
        this write) or start one."""
        return self._savepoint() if self._in_transaction() else self.write_lock()

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        self._execute("SAVEPOINT storyline_alerts")
        try:
            yield
        except BaseException:
            self._execute("ROLLBACK TO SAVEPOINT storyline_alerts")
            self._execute("RELEASE SAVEPOINT storyline_alerts")
            raise
        self._execute("RELEASE SAVEPOINT storyline_alerts")

    def _joined(self) -> contextlib.AbstractContextManager[None]:
        """Inside ``write_lock``, a write joins its transaction (the lock commits); else it
        takes the lock for itself."""
        return contextlib.nullcontext() if self._in_transaction() else self.write_lock()

    # --- writes -------------------------------------------------------------------------
    def write_batch(
        self,
        articles: Sequence[Article],
        assignments: Sequence[Assignment],
        stories: Sequence[StoryState],
        enrichments: Sequence[ArticleEnrichment] | None = None,
    ) -> None:
        # Inside write_lock, the batch joins its transaction (the lock commits); else its own.
        lock = self._joined()
        try:
            with lock:
                self._insert_batch(articles, assignments, stories, enrichments)
        except self._errors as exc:
            raise StoreError(f"cannot write batch to {self.location}: {exc}") from exc

    def _insert_batch(
        self,
        articles: Sequence[Article],
        assignments: Sequence[Assignment],
        stories: Sequence[StoryState],
        enrichments: Sequence[ArticleEnrichment] | None,
    ) -> None:
        now = datetime.now(UTC).isoformat()
        by_article = {a.article_id: a for a in assignments}
        for article in articles:
            self._check(article)
        for story in stories:
            self._execute(
                "INSERT INTO stories(id, title, first_ts, last_ts, article_count, created_at)"
                " VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT(id) DO UPDATE SET title=excluded.title,"
                " first_ts=excluded.first_ts, last_ts=excluded.last_ts",
                (story.id, story.title, story.first_ts, story.last_ts, now),
            )
        for article in articles:
            assignment = by_article.get(article.id)
            self._execute(
                f"INSERT INTO articles({ARTICLE_COLUMNS}, published_ts, story_score,"
                " ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.id, article.url, article.title, article.text,
                    article.published.isoformat(), int(article.date_inferred),
                    json.dumps(article.authors), article.outlet, article.language,
                    article.source, article.raw_kind,
                    zlib.compress(article.raw.encode("utf-8")),
                    json.dumps(article.keywords),
                    assignment.story_id if assignment else None,
                    events_json(article.events),
                    article.copy_of,
                    article.published.timestamp(),
                    assignment.score if assignment else None,
                    now,
                ),
            )
            self._index_text([(article.id, article.title, article.text)])
            self._insert_vectors(article)
            if article.evidence is not None:
                self._execute(
                    "INSERT INTO article_evidence(article_id, evidence, runner_up,"
                    " runner_up_score) VALUES (?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE"
                    " SET evidence = excluded.evidence, runner_up = excluded.runner_up,"
                    " runner_up_score = excluded.runner_up_score",
                    (article.id, json.dumps(evidence_to_dict(article.evidence)),
                     assignment.runner_up if assignment else None,
                     assignment.runner_up_score if assignment else None),
                )
            if article.minhash is not None:
                self._execute(
                    "INSERT INTO article_minhash(article_id, scheme, signature)"
                    " VALUES (?, ?, ?) ON CONFLICT(article_id) DO UPDATE"
                    " SET scheme = excluded.scheme, signature = excluded.signature",
                    (article.id, article.minhash.scheme,
                     article.minhash.values.astype(np.uint32).tobytes()),
                )
        for story in stories:  # a story counts its originals; copies are counted on reading
            self._execute(
                "UPDATE stories SET article_count = (SELECT COUNT(*) FROM articles"
                " WHERE story_id = ? AND copy_of IS NULL) WHERE id = ?",
                (story.id, story.id),
            )
        if enrichments:
            # A copy's entities and developments are its original's: stored once, with it.
            batch_ids = {a.id for a in articles if a.copy_of is None}
            self._write_enrichment([e for e in enrichments if e.article_id in batch_ids], now)

    def _write_enrichment(self, enrichments: Sequence[ArticleEnrichment], now: str) -> None:
        """Entities (created, renamed on promotion, counted), aliases, article links and the
        per-article enrichment document; called inside ``write_batch``'s transaction."""
        for enrichment in enrichments:
            for entity in enrichment.entities:
                key = name_key(entity.name)
                tokens = key.split() or [key]
                self._execute(
                    "INSERT INTO entities(id, name, type, name_key, first_token, last_token,"
                    " mentions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
                    " name_key = excluded.name_key, first_token = excluded.first_token,"
                    " last_token = excluded.last_token,"
                    " mentions = entities.mentions + excluded.mentions",
                    (entity.id, entity.name, entity.type, key, tokens[0], tokens[-1],
                     entity.mentions, now),
                )  # fmt: skip
                for alias in dict.fromkeys((entity.name, *entity.aliases)):
                    self._execute(
                        "INSERT INTO entity_aliases(entity_id, alias, alias_key, mentions)"
                        " VALUES (?, ?, ?, 1) ON CONFLICT(entity_id, alias_key)"
                        " DO UPDATE SET mentions = entity_aliases.mentions + 1",
                        (entity.id, alias, name_key(alias)),
                    )
                self._execute(
                    "INSERT INTO article_entities(article_id, entity_id, mentions)"
                    " VALUES (?, ?, ?) ON CONFLICT(article_id, entity_id)"
                    " DO UPDATE SET mentions = excluded.mentions",
                    (enrichment.article_id, entity.id, entity.mentions),
                )
            self._execute(
                "INSERT INTO article_enrichment(article_id, version, data) VALUES (?, ?, ?)"
                " ON CONFLICT(article_id) DO UPDATE SET version = excluded.version,"
                " data = excluded.data",
                (enrichment.article_id, enrichment.version,
                 json.dumps(serialize.article_enrichment(enrichment), ensure_ascii=False)),
            )  # fmt: skip

    # --- whole tables (``store/transfer.py``: migrate-store) -----------------------------
    def table_rows(self, table: str, columns: Sequence[str], *, key: Sequence[str],
                   after: Sequence[Any] | None, limit: int | None,
                   vectors: Sequence[str] = ()) -> list[tuple[Any, ...]]:
        """Rows of ``table`` (a name from ``transfer.TABLES``, never user input) in ``key``
        order after the key ``after``, at most ``limit``; ``vectors`` columns as float32
        arrays."""
        query = f"SELECT {', '.join(columns)} FROM {table}"
        params: list[Any] = []
        if after is not None:
            query += f" WHERE ({', '.join(key)}) > ({', '.join('?' * len(key))})"
            params.extend(after)
        if key:
            query += f" ORDER BY {', '.join(key)}"
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        at = [n for n, c in enumerate(columns) if c in vectors]
        rows = []
        for row in self._execute(query, params).fetchall():
            values = list(row)
            for n in at:
                values[n] = self._vector_value(values[n])
            rows.append(tuple(values))
        return rows

    def present_keys(self, table: str, key: Sequence[str], keys: Sequence[tuple[Any, ...]]
                     ) -> set[tuple[Any, ...]]:
        """Those of ``keys`` (values of the ``key`` columns) that ``table`` holds."""
        found: set[tuple[Any, ...]] = set()
        one = "(" + ",".join("?" * len(key)) + ")"
        for start in range(0, len(keys), 200):
            chunk = keys[start : start + 200]
            found.update(tuple(r) for r in self._execute(
                f"SELECT {', '.join(key)} FROM {table} WHERE ({', '.join(key)}) IN"
                f" (VALUES {','.join([one] * len(chunk))})",
                [v for k in chunk for v in k]))
        return found

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                    *, vectors: Sequence[str] = ()) -> None:
        """Insert rows as they are (a row whose key is taken is left out), inside the write
        lock; what the backend derives from them (search and vector indexes) follows."""
        at = {n: c for n, c in enumerate(columns) if c in vectors}
        if at and rows:
            model = columns.index("model")
            for row in rows:
                self._index_vectors(row[model], len(row[next(iter(at))]))
        values = [tuple(self._vector_param(v) if n in at else v for n, v in enumerate(row))
                  for row in rows]
        self._executemany(
            f"INSERT INTO {table}({', '.join(columns)}) VALUES"
            f" ({', '.join('?' * len(columns))}) ON CONFLICT DO NOTHING", values)
        if table == "articles" and rows:
            i, t, x = (columns.index(c) for c in ("id", "title", "text"))
            self._index_text([(r[i], r[t], r[x]) for r in rows])

    def delete_rows(self, table: str) -> None:
        """Empty ``table`` (inside the write lock)."""
        self._execute(f"DELETE FROM {table}")

    # --- reads for the pipeline ---------------------------------------------------------
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        id_list = list(ids)
        for chunk, marks in in_chunks(id_list, 500):
            found.update(
                row[0]
                for row in self._execute(
                    f"SELECT id FROM articles WHERE id IN ({marks})", chunk
                )
            )
        return found

    def cached_vectors(self, ids: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        id_list = list(ids)
        for chunk, marks in in_chunks(id_list, 500):
            for aid, head, body in self._execute(
                f"SELECT article_id, head, body FROM embeddings WHERE model = ?"
                f" AND article_id IN ({marks})",
                [self.model_name, *chunk],
            ):
                out[aid] = (self._vector_value(head), self._vector_value(body))
        return out

    def articles_without_vectors(self, start_ts: float, end_ts: float) -> list[Article]:
        rows = self._execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE copy_of IS NULL AND story_id IN"
            " (SELECT id FROM stories WHERE last_ts >= ? AND first_ts <= ?) AND NOT EXISTS"
            " (SELECT 1 FROM embeddings e WHERE e.article_id = a.id AND e.model = ?)"
            " ORDER BY published_ts, id",
            (start_ts, end_ts, self.model_name),
        ).fetchall()
        return [article_from_row(row) for row in rows]

    def write_vectors(self, articles: Sequence[Article]) -> None:
        lock = self._joined()
        with lock:
            for article in articles:
                self._insert_vectors(article)

    def _insert_vectors(self, article: Article) -> None:
        """The article's vectors under this store's model name (none when it has none)."""
        if article.head_vector is None or article.body_vector is None:
            return
        self._index_vectors(self.model_name, len(article.head_vector))
        self._execute(
            "INSERT INTO embeddings(article_id, model, head, body) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(article_id, model) DO UPDATE SET head = excluded.head,"
            " body = excluded.body",
            (article.id, self.model_name, self._vector_param(article.head_vector),
             self._vector_param(article.body_vector)),
        )

    def story_states(self, start_ts: float, end_ts: float, *, max_members: int) -> list[StoryState]:
        rows = self._execute(
            # A defined order (SQLite's own, from its first_ts index): the assigner breaks
            # ties by it, and PostgreSQL returns rows in the order they were last updated.
            "SELECT id, title, first_ts, last_ts, article_count FROM stories"
            " WHERE last_ts >= ? AND first_ts <= ? ORDER BY first_ts, id",
            (start_ts, end_ts),
        ).fetchall()
        return self._with_members(rows, max_members=max_members)

    def _with_members(self, rows: Sequence[Sequence[Any]], *, max_members: int
                      ) -> list[StoryState]:
        """Stories from ``(id, title, first_ts, last_ts, article_count)`` rows, in their
        order, with the members the assigner holds (``_member_rows``)."""
        states = {r[0]: StoryState(r[0], r[1], r[2], r[3], r[4]) for r in rows}
        for row in self._member_rows(list(states), max_members=max_members):
            states[row[0]].members.append(
                MemberState(
                    article_id=row[1], published_ts=row[2],
                    keywords=frozenset(json.loads(row[3])), title=row[4],
                    head=self._vector_value(row[5]), body=self._vector_value(row[6]),
                    events=events_from_json(row[7]), evidence=_member_evidence(row),
                    outlet=row[11],
                )
            )
        return list(states.values())

    def _member_rows(self, story_ids: Sequence[str], *, max_members: int,
                     vectors: bool = True) -> Iterator[tuple[Any, ...]]:
        """The members the assigner holds of each story (originals with vectors of this
        model): its founding member and its ``max_members`` - 1 most recent, as
        ``Assigner._join`` keeps them, so a story loaded again is the story held in memory
        (with ``max_members`` 1, the most recent alone).
        Most recent first (the founding member last): ``(story_id, id, published_ts,
        keywords, title, head, body, events, evidence, legacy_text, language, outlet)`` rows
        (head and body None without ``vectors``)."""
        vector_columns = "e.head, e.body" if vectors else "NULL AS head, NULL AS body"
        for chunk, marks in in_chunks(list(story_ids), 500):
            # The most recent members of each story (window function keeps the query single).
            yield from self._execute(
                "SELECT story_id, id, published_ts, keywords, title, head, body, events, evidence,"
                " legacy_text, language, outlet FROM ("
                f"  SELECT a.story_id, a.id, a.published_ts, a.keywords, a.title, {vector_columns},"
                "   a.events, v.evidence, CASE WHEN v.evidence IS NULL THEN a.text END"
                "   AS legacy_text, a.language, a.outlet,"
                "   ROW_NUMBER() OVER (PARTITION BY a.story_id"
                "    ORDER BY a.published_ts DESC, a.id DESC) AS rn,"
                "   ROW_NUMBER() OVER (PARTITION BY a.story_id"
                "    ORDER BY a.published_ts, a.id) AS rn_first"
                f"  FROM articles a JOIN embeddings e ON e.article_id = a.id AND e.model = ?"
                "   LEFT JOIN article_evidence v ON v.article_id = a.id"
                f"  WHERE a.story_id IN ({marks}) AND a.copy_of IS NULL) AS m"
                " WHERE rn < ? OR rn = 1 OR (rn_first = 1 AND ? > 1) ORDER BY story_id, rn",
                [self.model_name, *chunk, max_members, max_members],
            ).fetchall()

    def story_evidence(self, start_ts: float, end_ts: float, *,
                       outside: tuple[float, float] | None, limit: int, max_members: int
                       ) -> list[tuple[str, list[Evidence | None]]]:
        """See ``StoryIndex.story_evidence``: the background's share of ``story_states``,
        without vectors."""
        query = "SELECT id FROM stories WHERE last_ts >= ? AND first_ts <= ?"
        params: list[Any] = [start_ts, end_ts]
        if outside is not None:
            query += " AND NOT (last_ts >= ? AND first_ts <= ?)"
            params.extend(outside)
        ids = [r[0] for r in self._execute(
            query + " ORDER BY first_ts DESC, id DESC LIMIT ?", [*params, limit]).fetchall()]
        ids.reverse()
        evidence: dict[str, list[Evidence | None]] = {i: [] for i in ids}
        for row in self._member_rows(ids, max_members=max_members, vectors=False):
            evidence[row[0]].append(_member_evidence(row))
        return list(evidence.items())

    def member_evidence(self, start_ts: float, before: tuple[float, str], *, max_stories: int
                        ) -> list[list[tuple[str, float, Evidence]]]:
        ts, article_id = before
        rows = self._execute(
            "SELECT a.story_id, a.id, a.published_ts, v.evidence FROM articles a"
            " JOIN article_evidence v ON v.article_id = a.id"
            " WHERE a.copy_of IS NULL AND a.story_id IN ("
            "  SELECT story_id FROM articles WHERE published_ts >= ? AND copy_of IS NULL"
            "   AND (published_ts < ? OR (published_ts = ? AND id < ?)) AND story_id IS NOT NULL"
            "  GROUP BY story_id ORDER BY MAX(published_ts) DESC, story_id LIMIT ?)"
            " AND (a.published_ts < ? OR (a.published_ts = ? AND a.id < ?))"
            " ORDER BY a.published_ts, a.id",
            (start_ts, ts, ts, article_id, max_stories, ts, ts, article_id),
        ).fetchall()
        stories: dict[str, list[tuple[str, float, Evidence]]] = {}
        for story_id, aid, published_ts, evidence in rows:
            stories.setdefault(story_id, []).append(
                (aid, published_ts, evidence_from_dict(json.loads(evidence))))
        return list(stories.values())

    def copy_signatures(self, start_ts: float, end_ts: float, *, scheme: str
                        ) -> list[SignatureRow]:
        rows = self._execute(
            "SELECT a.id, a.published_ts, a.copy_of, a.story_id, m.signature,"
            " CASE WHEN m.signature IS NULL THEN a.text END, a.outlet"
            " FROM articles a LEFT JOIN article_minhash m ON m.article_id = a.id"
            " AND m.scheme = ? WHERE a.published_ts BETWEEN ? AND ? ORDER BY a.published_ts, a.id",
            (scheme, start_ts, end_ts),
        ).fetchall()
        return [
            SignatureRow(
                article_id=r[0], published_ts=r[1], copy_of=r[2], story_id=r[3],
                signature=None if r[4] is None else np.frombuffer(r[4], dtype=np.uint32),
                text=r[5], outlet=r[6],
            )
            for r in rows
        ]  # fmt: skip

    def _copy_counts(self, story_ids: Sequence[str]) -> dict[str, int]:
        """Copies stored in each of these stories (stories without any are left out)."""
        out: dict[str, int] = {}
        for chunk, marks in in_chunks(story_ids, 500):
            out.update(self._execute(
                f"SELECT story_id, COUNT(*) FROM articles WHERE story_id IN ({marks})"
                " AND copy_of IS NOT NULL GROUP BY story_id",
                chunk,
            ).fetchall())
        return out

    # --- reads for users ----------------------------------------------------------------
    def list_stories(self, filters: StoryFilter | None = None) -> list[StorySummary]:
        f = filters or StoryFilter()
        where, params = self._story_where(f)
        rows = self._execute(
            "SELECT s.id, s.title, s.article_count, s.first_ts, s.last_ts FROM stories s"
            f" WHERE {where} ORDER BY s.last_ts DESC, s.id LIMIT ? OFFSET ?",
            [*params, f.limit, f.offset],
        ).fetchall()
        outlets = self._outlets([r[0] for r in rows])
        copies = self._copy_counts([r[0] for r in rows])
        return [
            StorySummary(
                id=r[0], title=r[1], article_count=r[2], outlets=tuple(outlets.get(r[0], ())),
                first_published=dt(r[3]), last_published=dt(r[4]),
                copy_count=copies.get(r[0], 0),
            )
            for r in rows
        ]

    def count_stories(self, filters: StoryFilter | None = None) -> int:
        where, params = self._story_where(filters or StoryFilter())
        row = self._execute(f"SELECT COUNT(*) FROM stories s WHERE {where}",
                                params).fetchone()
        return int(row[0])

    def _story_where(self, f: StoryFilter) -> tuple[str, list[Any]]:
        """The WHERE clause (over ``stories s``) and its parameters for ``f``'s filters."""
        where: list[str] = ["s.article_count > 0"]
        params: list[Any] = []
        if f.since:
            where.append("s.last_ts >= ?")
            params.append(f.since.timestamp())
        if f.until:
            where.append("s.first_ts <= ?")
            params.append(f.until.timestamp())
        if f.outlet:
            where.append(f"s.id IN (SELECT story_id FROM articles WHERE {self._outlet_equals})")
            params.append(f.outlet)
        if f.query:
            match = self._text_match(f.query)
            where.append(f"s.id IN (SELECT a.story_id FROM articles a {match.join}"
                         f" WHERE {match.where})")
            params.extend([*match.join_params, *match.where_params])
        if f.article_ids is not None:
            ids = sorted(f.article_ids) or [""]
            marks = ",".join("?" * len(ids))
            where.append(f"s.id IN (SELECT story_id FROM articles WHERE id IN ({marks}))")
            params.extend(ids)
        return " AND ".join(where), params

    def _outlets(self, story_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if not story_ids:
            return out
        marks = ",".join("?" * len(story_ids))
        for sid, outlet in self._execute(
            f"SELECT story_id, outlet FROM articles WHERE story_id IN ({marks})"
            " AND outlet IS NOT NULL GROUP BY story_id, outlet ORDER BY MIN(published_ts)",
            story_ids,
        ):
            out.setdefault(sid, []).append(outlet)
        return out

    def get_story(self, story_id: str) -> StoryDetail:
        row = self._execute(
            "SELECT id, title, article_count, first_ts, last_ts FROM stories WHERE id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no story with id {story_id!r}")
        articles = tuple(
            ArticleSummary(
                id=r[0], title=r[1], outlet=r[2], published=datetime.fromisoformat(r[3]),
                url=r[4], date_inferred=bool(r[5]), copy_of=r[6],
            )
            for r in self._execute(
                "SELECT id, title, outlet, published, url, date_inferred, copy_of FROM articles"
                " WHERE story_id = ? ORDER BY published_ts, id",
                (story_id,),
            )
        )
        outlets = self._outlets([story_id]).get(story_id, [])
        summary = StorySummary(
            id=row[0], title=row[1], article_count=row[2], outlets=tuple(outlets),
            first_published=dt(row[3]), last_published=dt(row[4]),
            copy_count=sum(1 for a in articles if a.copy_of is not None),
        )
        return StoryDetail(summary=summary, articles=articles)

    def get_article(self, article_id: str) -> Article:
        row = self._execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}")
        return article_from_row(row)

    def iter_articles(self, *, story_id: str | None = None) -> Iterator[Article]:
        sql = f"SELECT {ARTICLE_COLUMNS} FROM articles"
        params: list[Any] = []
        if story_id is not None:
            sql += " WHERE story_id = ?"
            params.append(story_id)
        for row in self._execute(sql + " ORDER BY published_ts, id", params).fetchall():
            yield article_from_row(row)


    def search_text(self, query: str, *, limit: int = 20) -> list[ArticleSummary]:
        match = self._text_match(query)
        rows = self._execute(
            "SELECT a.id, a.title, a.outlet, a.published, a.url, a.date_inferred"
            f" FROM articles a {match.join} WHERE {match.where} ORDER BY {match.order} LIMIT ?",
            [*match.join_params, *match.where_params, limit],
        ).fetchall()
        return [summary_from_row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        articles = self._execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        stories = self._execute(
            "SELECT COUNT(*) FROM stories WHERE article_count > 0"
        ).fetchone()[0]
        return {"articles": articles, "stories": stories}


    # --- enrichment ---------------------------------------------------------------------
    def match_entities(self, keys: set[str]) -> list[KnownEntity]:
        key_list = sorted(k for k in keys if k)
        if not key_list:
            return []
        ids: set[str] = set()
        single = [k for k in key_list if " " not in k]
        for chunk, marks in in_chunks(key_list, 400):
            found = self._execute(
                f"SELECT entity_id FROM entity_aliases WHERE alias_key IN ({marks})"
                f" UNION SELECT id FROM entities WHERE name_key IN ({marks})",
                [*chunk, *chunk],
            )
            ids.update(r[0] for r in found)
        for chunk, marks in in_chunks(single, 400):
            found = self._execute(
                f"SELECT id FROM entities WHERE first_token IN ({marks})"
                f" OR last_token IN ({marks})",
                [*chunk, *chunk],
            )
            ids.update(r[0] for r in found)
        rows: list[tuple[Any, ...]] = []
        id_list = sorted(ids)
        for chunk, marks in in_chunks(id_list, 400):
            rows.extend(
                self._execute(
                    "SELECT e.id, e.name, e.type, e.mentions, a.alias FROM entities e"
                    " LEFT JOIN entity_aliases a ON a.entity_id = e.id"
                    f" WHERE e.id IN ({marks}) ORDER BY e.id, a.mentions DESC, a.alias",
                    chunk,
                ).fetchall()
            )
        return known_from_rows(rows)

    def article_enrichment(self, ids: Iterable[str]) -> dict[str, ArticleEnrichment]:
        out: dict[str, ArticleEnrichment] = {}
        id_list = list(ids)
        for chunk, marks in in_chunks(id_list, 500):
            for aid, data in self._execute(
                f"SELECT article_id, data FROM article_enrichment WHERE article_id IN ({marks})",
                chunk,
            ):
                out[aid] = serialize.parse_article_enrichment(json.loads(data))
        return out

    def _aliases(self, ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk, marks in in_chunks(ids, 500):
            for eid, alias in self._execute(
                f"SELECT entity_id, alias FROM entity_aliases WHERE entity_id IN ({marks})"
                " ORDER BY mentions DESC, alias",
                chunk,
            ):
                out.setdefault(eid, []).append(alias)
        return out

    def _records(self, rows: Sequence[Sequence[Any]]) -> list[EntityRecord]:
        """(id, name, type, mentions, articles) rows → records with aliases."""
        aliases = self._aliases([r[0] for r in rows])
        return [
            EntityRecord(
                id=r[0], name=r[1], type=r[2],
                aliases=tuple(a for a in aliases.get(r[0], []) if a != r[1]),
                mentions=int(r[3] or 0), articles=int(r[4] or 0),
            )
            for r in rows
        ]  # fmt: skip

    def story_entities(self, story_id: str, *, limit: int = 20) -> list[EntityRecord]:
        rows = self._execute(
            "SELECT e.id, e.name, e.type, SUM(ae.mentions) AS m, COUNT(*) AS n"
            " FROM article_entities ae JOIN articles a ON a.id = ae.article_id"
            " JOIN entities e ON e.id = ae.entity_id WHERE a.story_id = ?"
            " GROUP BY e.id ORDER BY n DESC, m DESC, e.name LIMIT ?",
            (story_id, limit),
        ).fetchall()
        return self._records(rows)

    def _entity_ids(self, name: str) -> list[str]:
        # "the Kremlin", "Putin's", "President Putin" find what was stored without them.
        keys = sorted({name_key(name), *(name_key(clean_name(name, t)) for t in ENTITY_TYPES)})
        marks = ",".join("?" * len(keys))
        rows = self._execute(
            "SELECT id FROM entities WHERE id IN (SELECT entity_id FROM entity_aliases"
            f" WHERE alias_key IN ({marks}) UNION SELECT id FROM entities"
            f" WHERE name_key IN ({marks})) ORDER BY mentions DESC",
            [*keys, *keys],
        ).fetchall()
        if not rows:
            raise NotFoundError(f"no entity named {name!r}")
        return [r[0] for r in rows]

    def find_entities(self, name: str) -> list[EntityRecord]:
        ids = self._entity_ids(name)
        marks = ",".join("?" * len(ids))
        rows = self._execute(
            "SELECT e.id, e.name, e.type, e.mentions, COUNT(ae.article_id) FROM entities e"
            " LEFT JOIN article_entities ae ON ae.entity_id = e.id"
            f" WHERE e.id IN ({marks}) GROUP BY e.id ORDER BY e.mentions DESC",
            ids,
        ).fetchall()
        return self._records(rows)

    def entity_stories(self, name: str) -> list[EntityAppearance]:
        ids = self._entity_ids(name)
        marks = ",".join("?" * len(ids))
        rows = self._execute(
            "SELECT a.story_id, COUNT(DISTINCT a.id), SUM(ae.mentions), MIN(a.published_ts),"
            " MAX(a.published_ts) FROM article_entities ae JOIN articles a ON a.id = ae.article_id"
            f" WHERE ae.entity_id IN ({marks}) AND a.story_id IS NOT NULL"
            " GROUP BY a.story_id ORDER BY MIN(a.published_ts), a.story_id",
            ids,
        ).fetchall()
        summaries = {s.id: s for s in self._story_summaries([r[0] for r in rows])}
        return [
            EntityAppearance(summaries[r[0]], int(r[1]), int(r[2] or 0), dt(r[3]), dt(r[4]))
            for r in rows
            if r[0] in summaries
        ]

    def _story_summaries(self, story_ids: list[str]) -> list[StorySummary]:
        out: list[StorySummary] = []
        for chunk, marks in in_chunks(story_ids, 500):
            rows = self._execute(
                "SELECT id, title, article_count, first_ts, last_ts FROM stories"
                f" WHERE id IN ({marks})",
                chunk,
            ).fetchall()
            outlets = self._outlets([r[0] for r in rows])
            copies = self._copy_counts([r[0] for r in rows])
            out.extend(
                StorySummary(
                    id=r[0], title=r[1], article_count=r[2], outlets=tuple(outlets.get(r[0], ())),
                    first_published=dt(r[3]), last_published=dt(r[4]),
                    copy_count=copies.get(r[0], 0),
                )
                for r in rows
            )  # fmt: skip
        return out

    def list_entities(self, limit: int = 100, offset: int = 0) -> list[EntityRecord]:
        rows = self._execute(
            "SELECT e.id, e.name, e.type, e.mentions, COUNT(ae.article_id) AS n FROM entities e"
            " LEFT JOIN article_entities ae ON ae.entity_id = e.id GROUP BY e.id"
            " ORDER BY n DESC, e.mentions DESC, e.name LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        return self._records(rows)

    def count_entities(self) -> int:
        return int(self._execute("SELECT COUNT(*) FROM entities").fetchone()[0])

    # --- explanations (``storyline why``) ------------------------------------------------
    def article_decisions(self, ids: Iterable[str]) -> dict[str, ArticleDecision]:
        out: dict[str, ArticleDecision] = {}
        for chunk, marks in in_chunks(list(ids), 500):
            for row in self._execute(
                "SELECT a.id, a.story_id, a.story_score, a.copy_of, v.runner_up,"
                " v.runner_up_score, v.evidence FROM articles a"
                f" LEFT JOIN article_evidence v ON v.article_id = a.id WHERE a.id IN ({marks})",
                chunk,
            ):
                out[row[0]] = ArticleDecision(
                    article_id=row[0], story_id=row[1], score=row[2], copy_of=row[3],
                    runner_up=row[4], runner_up_score=row[5],
                    evidence=None if row[6] is None else evidence_from_dict(json.loads(row[6])),
                )
        return out

    def article_ids_with_prefix(self, prefix: str, *, limit: int = 10) -> list[str]:
        if not prefix:
            return []
        # A range over the primary key: every id that starts with ``prefix`` sorts in
        # [prefix, prefix + U+10FFFF).
        rows = self._execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        ).fetchall()
        return [r[0] for r in rows]

    # --- follows and alerts (``storyline.alerts``) ---------------------------------------
    def story_ids_with_prefix(self, prefix: str, *, limit: int = 10) -> list[str]:
        if not prefix:
            return []
        rows = self._execute(
            "SELECT id FROM stories WHERE id >= ? AND id < ? AND article_count > 0"
            " ORDER BY id LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        ).fetchall()
        return [r[0] for r in rows]

    def add_follow(self, follow: Follow) -> Follow:
        with self._writing():
            self._execute(
                "INSERT INTO follows(id, kind, target, label, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (follow.id, follow.kind, follow.target, follow.label,
                 follow.created_at.isoformat()),
            )
            row = self._execute(
                "SELECT id, kind, target, label, created_at FROM follows WHERE id = ?",
                (follow.id,),
            ).fetchone()
        return follow_from_row(row)

    def follows(self) -> list[Follow]:
        rows = self._execute(
            "SELECT id, kind, target, label, created_at FROM follows ORDER BY created_at, id"
        ).fetchall()
        return [follow_from_row(r) for r in rows]

    def follow_ids_with_prefix(self, prefix: str, *, limit: int = 10) -> list[str]:
        if not prefix:
            return []
        rows = self._execute(
            "SELECT id FROM follows WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        ).fetchall()
        return [r[0] for r in rows]

    def remove_follow(self, follow_id: str) -> Follow:
        with self._writing():
            row = self._execute(
                "SELECT id, kind, target, label, created_at FROM follows WHERE id = ?",
                (follow_id,),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no follow with id {follow_id!r}")
            # Its alerts and their delivery states go with it (ON DELETE CASCADE).
            self._execute("DELETE FROM follows WHERE id = ?", (follow_id,))
        return follow_from_row(row)

    def articles_mentioning(self, name: str, article_ids: Iterable[str]) -> set[str]:
        ids = list(article_ids)
        if not ids or not name.strip():
            return set()
        try:
            entity_ids = self._entity_ids(name)
        except NotFoundError:
            return set()
        found: set[str] = set()
        entity_marks = ",".join("?" * len(entity_ids))
        for chunk, marks in in_chunks(ids, 400):
            found.update(r[0] for r in self._execute(
                "SELECT DISTINCT article_id FROM article_entities"
                f" WHERE entity_id IN ({entity_marks}) AND article_id IN ({marks})",
                [*entity_ids, *chunk],
            ))
        return found

    def articles_matching(self, query: str, article_ids: Iterable[str]) -> set[str]:
        ids = list(article_ids)
        if not ids or not any(c.isalnum() for c in query):
            return set()
        found: set[str] = set()
        match = self._text_match(query)
        for chunk, marks in in_chunks(ids, 400):
            # Only these articles' rows of the index are matched (a key constraint).
            found.update(r[0] for r in self._execute(
                f"SELECT a.id FROM articles a {match.join}"
                f" WHERE a.id IN ({marks}) AND {match.where}",
                [*match.join_params, *chunk, *match.where_params],
            ))
        return found

    def add_alerts(self, alerts: Sequence[Alert], *, deliver: bool = False) -> list[str]:
        if not alerts:
            return []
        added: list[str] = []
        with self._writing():
            for item in alerts:
                inserted = self._execute(
                    "INSERT INTO alerts(id, follow_id, kind, story_id, article_id,"
                    " published_ts, created_at, created_ts, data)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (item.id, item.follow_id, item.kind, item.story_id, item.article_id,
                     item.published.timestamp(), item.created_at.isoformat(),
                     item.created_at.timestamp(),
                     json.dumps(alert_shapes.alert(item), ensure_ascii=False)),
                ).rowcount
                if not inserted:
                    continue
                added.append(item.id)
                if deliver:
                    self._execute(
                        "INSERT INTO alert_deliveries(alert_id) VALUES (?)"
                        " ON CONFLICT DO NOTHING", (item.id,))
        return added

    def list_alerts(self, *, follow_id: str | None = None, limit: int = 50, offset: int = 0
                    ) -> list[Alert]:
        where, params = ("WHERE follow_id = ?", [follow_id]) if follow_id is not None \
            else ("", [])
        rows = self._execute(
            f"SELECT data FROM alerts {where}"
            " ORDER BY created_ts DESC, published_ts DESC, id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [alert_shapes.alert_from_dict(json.loads(r[0])) for r in rows]

    def count_alerts(self, *, follow_id: str | None = None) -> int:
        if follow_id is None:
            row = self._execute("SELECT COUNT(*) FROM alerts").fetchone()
        else:
            row = self._execute("SELECT COUNT(*) FROM alerts WHERE follow_id = ?",
                                    (follow_id,)).fetchone()
        return int(row[0])

    def deliveries(self, alert_ids: Iterable[str]) -> dict[str, Delivery]:
        out: dict[str, Delivery] = {}
        for chunk, marks in in_chunks(list(alert_ids), 500):
            for row in self._execute(
                "SELECT alert_id, status, attempts, last_error, last_attempt_at, delivered_at,"
                f" next_attempt_ts FROM alert_deliveries WHERE alert_id IN ({marks})",
                chunk,
            ):
                out[row[0]] = Delivery(
                    alert_id=row[0], status=row[1], attempts=int(row[2]), last_error=row[3],
                    last_attempt=None if row[4] is None else datetime.fromisoformat(row[4]),
                    delivered_at=None if row[5] is None else datetime.fromisoformat(row[5]),
                    next_attempt=dt(row[6]) if row[1] == "pending" and row[6] else None,
                )
        return out

    def claim_deliveries(self, now: float, *, lease: float, limit: int = 50) -> list[Alert]:
        with self._writing():
            rows = self._execute(
                "SELECT d.alert_id, a.data FROM alert_deliveries d JOIN alerts a"
                " ON a.id = d.alert_id WHERE d.status = 'pending' AND d.next_attempt_ts <= ?"
                " AND d.claimed_until <= ? ORDER BY a.created_ts, a.id LIMIT ?",
                (now, now, limit),
            ).fetchall()
            self._executemany(
                "UPDATE alert_deliveries SET claimed_until = ? WHERE alert_id = ?",
                [(now + lease, r[0]) for r in rows],
            )
        return [alert_shapes.alert_from_dict(json.loads(r[1])) for r in rows]

    def record_delivery(self, alert_id: str, *, ok: bool, error: str | None = None,
                        retry_at: float | None = None) -> None:
        now = datetime.now(UTC)
        with self._writing():
            self._execute(
                "UPDATE alert_deliveries SET attempts = attempts + 1, last_attempt_at = ?,"
                " status = ?, delivered_at = ?, last_error = ?, next_attempt_ts = ?,"
                " claimed_until = 0 WHERE alert_id = ?",
                (now.isoformat(), "delivered" if ok else "pending",
                 now.isoformat() if ok else None, None if ok else error,
                 0 if ok or retry_at is None else retry_at, alert_id),
            )


    # --- feeds (``storyline.feeds``) -------------------------------------------------------
    # --- feeds (``storyline.feeds``) -------------------------------------------------------
    def add_feed(self, feed: Feed) -> Feed:
        lock = self._joined()
        with lock:
            self._execute(
                f"INSERT INTO feeds({FEED_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(url) DO NOTHING", feed_values(feed))
        return self.get_feed(feed.url)

    def remove_feed(self, url: str) -> Feed:
        lock = self._joined()
        with lock:
            feed = self.get_feed(url)
            self._execute("DELETE FROM feeds WHERE url = ?", (url,))
        return feed

    def get_feed(self, url: str) -> Feed:
        row = self._execute(f"SELECT {FEED_COLUMNS} FROM feeds WHERE url = ?",
                                (url,)).fetchone()  # fmt: skip
        if row is None:
            raise NotFoundError(f"no feed {url!r} is followed")
        seen = self._execute("SELECT COUNT(*) FROM feed_entries WHERE feed_url = ?",
                                 (url,)).fetchone()[0]  # fmt: skip
        return feed_from_row(row, int(seen))

    def list_feeds(self) -> list[Feed]:
        counts = dict(self._execute(
            "SELECT feed_url, COUNT(*) FROM feed_entries GROUP BY feed_url").fetchall())
        rows = self._execute(f"SELECT {FEED_COLUMNS} FROM feeds ORDER BY url")
        return [feed_from_row(row, int(counts.get(row[0], 0))) for row in rows.fetchall()]

    def due_feeds(self, now: float) -> list[Feed]:
        rows = self._execute(
            f"SELECT {FEED_COLUMNS} FROM feeds WHERE next_check_ts <= ?"
            " ORDER BY next_check_ts, url", (now,)).fetchall()
        return [feed_from_row(row) for row in rows]

    def seen_entries(self, feed_url: str, keys: Sequence[EntryKey]) -> list[bool]:
        found: dict[str, set[str]] = {"guid": set(), "link": set(), "content_hash": set()}
        for column in found:
            values = sorted({v for k in keys if (v := getattr(k, column))})
            for chunk, marks in in_chunks(values, 500):
                found[column].update(r[0] for r in self._execute(
                    f"SELECT {column} FROM feed_entries WHERE feed_url = ?"
                    f" AND {column} IN ({marks})", [feed_url, *chunk]))
        return [bool((k.guid and k.guid in found["guid"])
                     or (k.link and k.link in found["link"])
                     or (k.content_hash and k.content_hash in found["content_hash"]))
                for k in keys]

    def record_poll(self, feed: Feed, seen: Sequence[EntryKey]) -> bool:
        lock = self._joined()
        with lock:
            if not self._execute("SELECT 1 FROM feeds WHERE url = ?",
                                     (feed.url,)).fetchone():  # fmt: skip
                return False  # removed meanwhile (feeds remove, the API)
            values = feed_values(feed)
            self._execute(
                "UPDATE feeds SET title = ?, site_url = ?, etag = ?, last_modified = ?,"
                " interval = ?, next_check_ts = ?, last_fetch_ts = ?, last_status = ?,"
                " last_new_entry_ts = ?, last_error = ?, last_error_ts = ?,"
                " consecutive_errors = ? WHERE url = ?",
                (*values[1:3], *values[4:], feed.url))
            now = datetime.now(UTC).timestamp()
            self._executemany(
                "INSERT INTO feed_entries(feed_url, guid, link, content_hash, seen_ts)"
                " VALUES (?, ?, ?, ?, ?)",
                [(feed.url, k.guid, k.link, k.content_hash, now) for k in seen])
        return True
