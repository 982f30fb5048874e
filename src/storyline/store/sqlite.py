"""The default embedded store: one SQLite file in WAL mode with FTS5 full-text search.

One writer, many readers: every write batch runs in a ``BEGIN IMMEDIATE`` transaction, so a
killed ingest leaves the file as it was after the last committed batch. Readers (the CLI, the
web server) see committed data while an ingest runs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
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
    EventMark,
    Evidence,
    Feed,
    Follow,
    KnownEntity,
    StoryDetail,
    StorySummary,
)
from storyline.store.base import MemberState, SignatureRow, Store, StoryFilter, StoryState
from storyline.store.migrations import migrate
from storyline.stories.evidence import evidence_for, evidence_from_dict, evidence_to_dict

log = logging.getLogger(__name__)

_ARTICLE_COLUMNS = (
    "id, url, title, text, published, date_inferred, authors, outlet, language, source, "
    "raw_kind, raw, keywords, story_id, events, copy_of"
)


def _events_json(events: Sequence[EventMark]) -> str:
    return json.dumps([[e.action, e.first_day, e.last_day] for e in events])


def _events(text: str | None) -> tuple[EventMark, ...]:
    return tuple(EventMark(str(a), int(f), int(t)) for a, f, t in json.loads(text or "[]"))


def _in_chunks(values: Sequence[Any], size: int) -> Iterator[tuple[list[Any], str]]:
    """``values`` in chunks of ``size``, each with its ``?,?,…`` placeholders for an ``IN``
    list (SQLite caps the variables of one statement)."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        yield chunk, ",".join("?" * len(chunk))


def _vec(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


class SQLiteStore(Store):
    """Store backed by a SQLite file (``:memory:`` for a throw-away store)."""

    def __init__(self, path: str | Path, *, model_name: str = "") -> None:
        self.path = str(path)
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

    # --- writes -------------------------------------------------------------------------
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

    def write_batch(
        self,
        articles: Sequence[Article],
        assignments: Sequence[Assignment],
        stories: Sequence[StoryState],
        enrichments: Sequence[ArticleEnrichment] | None = None,
    ) -> None:
        # Inside write_lock, the batch joins its transaction (the lock commits); else its own.
        lock = contextlib.nullcontext() if self.conn.in_transaction else self.write_lock()
        try:
            with lock:
                self._insert_batch(articles, assignments, stories, enrichments)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot write batch to {self.path}: {exc}") from exc

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
            _check_article(article)
        for story in stories:
            self.conn.execute(
                "INSERT INTO stories(id, title, first_ts, last_ts, article_count, created_at)"
                " VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT(id) DO UPDATE SET title=excluded.title,"
                " first_ts=excluded.first_ts, last_ts=excluded.last_ts",
                (story.id, story.title, story.first_ts, story.last_ts, now),
            )
        for article in articles:
            assignment = by_article.get(article.id)
            self.conn.execute(
                f"INSERT INTO articles({_ARTICLE_COLUMNS}, published_ts, story_score,"
                " ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.id, article.url, article.title, article.text,
                    article.published.isoformat(), int(article.date_inferred),
                    json.dumps(article.authors), article.outlet, article.language,
                    article.source, article.raw_kind,
                    zlib.compress(article.raw.encode("utf-8")),
                    json.dumps(article.keywords),
                    assignment.story_id if assignment else None,
                    _events_json(article.events),
                    article.copy_of,
                    article.published.timestamp(),
                    assignment.score if assignment else None,
                    now,
                ),
            )
            self._insert_vectors(article)
            if article.evidence is not None:
                self.conn.execute(
                    "INSERT OR REPLACE INTO article_evidence(article_id, evidence, runner_up,"
                    " runner_up_score) VALUES (?, ?, ?, ?)",
                    (article.id, json.dumps(evidence_to_dict(article.evidence)),
                     assignment.runner_up if assignment else None,
                     assignment.runner_up_score if assignment else None),
                )
            if article.minhash is not None:
                self.conn.execute(
                    "INSERT OR REPLACE INTO article_minhash(article_id, scheme, signature)"
                    " VALUES (?, ?, ?)",
                    (article.id, article.minhash.scheme,
                     article.minhash.values.astype(np.uint32).tobytes()),
                )
        for story in stories:  # a story counts its originals; copies are counted on reading
            self.conn.execute(
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
                self.conn.execute(
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
                    self.conn.execute(
                        "INSERT INTO entity_aliases(entity_id, alias, alias_key, mentions)"
                        " VALUES (?, ?, ?, 1) ON CONFLICT(entity_id, alias_key)"
                        " DO UPDATE SET mentions = entity_aliases.mentions + 1",
                        (entity.id, alias, name_key(alias)),
                    )
                self.conn.execute(
                    "INSERT INTO article_entities(article_id, entity_id, mentions)"
                    " VALUES (?, ?, ?) ON CONFLICT(article_id, entity_id)"
                    " DO UPDATE SET mentions = excluded.mentions",
                    (enrichment.article_id, entity.id, entity.mentions),
                )
            self.conn.execute(
                "INSERT OR REPLACE INTO article_enrichment(article_id, version, data)"
                " VALUES (?, ?, ?)",
                (enrichment.article_id, enrichment.version,
                 json.dumps(serialize.article_enrichment(enrichment), ensure_ascii=False)),
            )  # fmt: skip

    # --- reads for the pipeline ---------------------------------------------------------
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        id_list = list(ids)
        for chunk, marks in _in_chunks(id_list, 500):
            found.update(
                row[0]
                for row in self.conn.execute(
                    f"SELECT id FROM articles WHERE id IN ({marks})", chunk
                )
            )
        return found

    def cached_vectors(self, ids: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        id_list = list(ids)
        for chunk, marks in _in_chunks(id_list, 500):
            for aid, head, body in self.conn.execute(
                f"SELECT article_id, head, body FROM embeddings WHERE model = ?"
                f" AND article_id IN ({marks})",
                [self.model_name, *chunk],
            ):
                out[aid] = (_vec(head), _vec(body))
        return out

    def articles_without_vectors(self, start_ts: float, end_ts: float) -> list[Article]:
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE copy_of IS NULL AND story_id IN"
            " (SELECT id FROM stories WHERE last_ts >= ? AND first_ts <= ?) AND NOT EXISTS"
            " (SELECT 1 FROM embeddings e WHERE e.article_id = a.id AND e.model = ?)"
            " ORDER BY published_ts, id",
            (start_ts, end_ts, self.model_name),
        ).fetchall()
        return [self._article(row) for row in rows]

    def write_vectors(self, articles: Sequence[Article]) -> None:
        lock = contextlib.nullcontext() if self.conn.in_transaction else self.write_lock()
        with lock:
            for article in articles:
                self._insert_vectors(article)

    def _insert_vectors(self, article: Article) -> None:
        """The article's vectors under this store's model name (none when it has none)."""
        if article.head_vector is None or article.body_vector is None:
            return
        self.conn.execute(
            "INSERT OR REPLACE INTO embeddings(article_id, model, head, body) VALUES (?, ?, ?, ?)",
            (article.id, self.model_name, article.head_vector.astype(np.float32).tobytes(),
             article.body_vector.astype(np.float32).tobytes()),
        )

    def story_states(self, start_ts: float, end_ts: float, *, max_members: int) -> list[StoryState]:
        rows = self.conn.execute(
            "SELECT id, title, first_ts, last_ts, article_count FROM stories"
            " WHERE last_ts >= ? AND first_ts <= ?",
            (start_ts, end_ts),
        ).fetchall()
        states = {r[0]: StoryState(r[0], r[1], r[2], r[3], r[4]) for r in rows}
        if not states:
            return []
        ids = list(states)
        for chunk, marks in _in_chunks(ids, 500):
            # The most recent members of each story (window function keeps the query single).
            for row in self.conn.execute(
                "SELECT story_id, id, published_ts, keywords, title, head, body, events, evidence,"
                " legacy_text FROM ("
                "  SELECT a.story_id, a.id, a.published_ts, a.keywords, a.title, e.head, e.body,"
                "   a.events, v.evidence, CASE WHEN v.evidence IS NULL THEN a.text END"
                "   AS legacy_text,"
                "   ROW_NUMBER() OVER (PARTITION BY a.story_id ORDER BY a.published_ts DESC) AS rn"
                f"  FROM articles a JOIN embeddings e ON e.article_id = a.id AND e.model = ?"
                "   LEFT JOIN article_evidence v ON v.article_id = a.id"
                f"  WHERE a.story_id IN ({marks}) AND a.copy_of IS NULL) WHERE rn <= ?",
                [self.model_name, *chunk, max_members],
            ):
                states[row[0]].members.append(
                    MemberState(
                        article_id=row[1], published_ts=row[2],
                        keywords=frozenset(json.loads(row[3])), title=row[4],
                        head=_vec(row[5]), body=_vec(row[6]), events=_events(row[7]),
                        # Stored before migration 0006: evidence from text and keywords.
                        evidence=(evidence_from_dict(json.loads(row[8])) if row[8] is not None
                                  else evidence_for(row[4], row[9] or "",
                                                    keywords=json.loads(row[3]))),
                    )
                )
        return list(states.values())

    def member_evidence(self, start_ts: float, before: tuple[float, str], *, max_stories: int
                        ) -> list[list[tuple[str, float, Evidence]]]:
        ts, article_id = before
        rows = self.conn.execute(
            "SELECT a.story_id, a.id, a.published_ts, v.evidence FROM articles a"
            " JOIN article_evidence v ON v.article_id = a.id"
            " WHERE a.copy_of IS NULL AND a.story_id IN ("
            "  SELECT story_id FROM articles WHERE published_ts >= ? AND copy_of IS NULL"
            "   AND (published_ts < ? OR (published_ts = ? AND id < ?)) AND story_id IS NOT NULL"
            "  GROUP BY story_id ORDER BY MAX(published_ts) DESC LIMIT ?)"
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
        rows = self.conn.execute(
            "SELECT a.id, a.published_ts, a.copy_of, a.story_id, m.signature,"
            " CASE WHEN m.signature IS NULL THEN a.text END"
            " FROM articles a LEFT JOIN article_minhash m ON m.article_id = a.id"
            " AND m.scheme = ? WHERE a.published_ts BETWEEN ? AND ?",
            (scheme, start_ts, end_ts),
        ).fetchall()
        return [
            SignatureRow(
                article_id=r[0], published_ts=r[1], copy_of=r[2], story_id=r[3],
                signature=None if r[4] is None else np.frombuffer(r[4], dtype=np.uint32),
                text=r[5],
            )
            for r in rows
        ]  # fmt: skip

    def _copy_counts(self, story_ids: Sequence[str]) -> dict[str, int]:
        """Copies stored in each of these stories (stories without any are left out)."""
        out: dict[str, int] = {}
        for chunk, marks in _in_chunks(story_ids, 500):
            out.update(self.conn.execute(
                f"SELECT story_id, COUNT(*) FROM articles WHERE story_id IN ({marks})"
                " AND copy_of IS NOT NULL GROUP BY story_id",
                chunk,
            ).fetchall())
        return out

    # --- reads for users ----------------------------------------------------------------
    def list_stories(self, filters: StoryFilter | None = None) -> list[StorySummary]:
        f = filters or StoryFilter()
        where, params = self._story_where(f)
        rows = self.conn.execute(
            "SELECT s.id, s.title, s.article_count, s.first_ts, s.last_ts FROM stories s"
            f" WHERE {where} ORDER BY s.last_ts DESC, s.id LIMIT ? OFFSET ?",
            [*params, f.limit, f.offset],
        ).fetchall()
        outlets = self._outlets([r[0] for r in rows])
        copies = self._copy_counts([r[0] for r in rows])
        return [
            StorySummary(
                id=r[0], title=r[1], article_count=r[2], outlets=tuple(outlets.get(r[0], ())),
                first_published=_dt(r[3]), last_published=_dt(r[4]),
                copy_count=copies.get(r[0], 0),
            )
            for r in rows
        ]

    def count_stories(self, filters: StoryFilter | None = None) -> int:
        where, params = self._story_where(filters or StoryFilter())
        row = self.conn.execute(f"SELECT COUNT(*) FROM stories s WHERE {where}",
                                params).fetchone()
        return int(row[0])

    @staticmethod
    def _story_where(f: StoryFilter) -> tuple[str, list[Any]]:
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
            where.append("s.id IN (SELECT story_id FROM articles WHERE outlet = ? COLLATE NOCASE)")
            params.append(f.outlet)
        if f.query:
            where.append(
                "s.id IN (SELECT a.story_id FROM articles_fts JOIN articles a"
                " ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ?)"
            )
            params.append(fts_query(f.query))
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
        for sid, outlet in self.conn.execute(
            f"SELECT story_id, outlet FROM articles WHERE story_id IN ({marks})"
            " AND outlet IS NOT NULL GROUP BY story_id, outlet ORDER BY MIN(published_ts)",
            story_ids,
        ):
            out.setdefault(sid, []).append(outlet)
        return out

    def get_story(self, story_id: str) -> StoryDetail:
        row = self.conn.execute(
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
            for r in self.conn.execute(
                "SELECT id, title, outlet, published, url, date_inferred, copy_of FROM articles"
                " WHERE story_id = ? ORDER BY published_ts, id",
                (story_id,),
            )
        )
        outlets = self._outlets([story_id]).get(story_id, [])
        summary = StorySummary(
            id=row[0], title=row[1], article_count=row[2], outlets=tuple(outlets),
            first_published=_dt(row[3]), last_published=_dt(row[4]),
            copy_count=sum(1 for a in articles if a.copy_of is not None),
        )
        return StoryDetail(summary=summary, articles=articles)

    def get_article(self, article_id: str) -> Article:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}")
        return self._article(row)

    def iter_articles(self, *, story_id: str | None = None) -> Iterator[Article]:
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles"
        params: list[Any] = []
        if story_id is not None:
            sql += " WHERE story_id = ?"
            params.append(story_id)
        for row in self.conn.execute(sql + " ORDER BY published_ts, id", params).fetchall():
            yield self._article(row)

    @staticmethod
    def _article(row: Sequence[Any]) -> Article:
        return Article(
            id=row[0], url=row[1], title=row[2], text=row[3],
            published=datetime.fromisoformat(row[4]), date_inferred=bool(row[5]),
            authors=json.loads(row[6]), outlet=row[7], language=row[8], source=row[9],
            raw_kind=row[10], raw=zlib.decompress(row[11]).decode("utf-8") if row[11] else "",
            keywords=json.loads(row[12]), story_id=row[13], events=_events(row[14]),
            copy_of=row[15],
        )

    def search_text(self, query: str, *, limit: int = 20) -> list[ArticleSummary]:
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.outlet, a.published, a.url, a.date_inferred"
            " FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 5.0, 1.0) LIMIT ?",
            (fts_query(query), limit),
        ).fetchall()
        return [
            ArticleSummary(r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4], bool(r[5]))
            for r in rows
        ]

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
                summary = ArticleSummary(
                    r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4], bool(r[5])
                )
                out.append((summary, sim))
        return out

    def counts(self) -> dict[str, int]:
        articles = self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        stories = self.conn.execute(
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
        for chunk, marks in _in_chunks(key_list, 400):
            found = self.conn.execute(
                f"SELECT entity_id FROM entity_aliases WHERE alias_key IN ({marks})"
                f" UNION SELECT id FROM entities WHERE name_key IN ({marks})",
                [*chunk, *chunk],
            )
            ids.update(r[0] for r in found)
        for chunk, marks in _in_chunks(single, 400):
            found = self.conn.execute(
                f"SELECT id FROM entities WHERE first_token IN ({marks})"
                f" OR last_token IN ({marks})",
                [*chunk, *chunk],
            )
            ids.update(r[0] for r in found)
        rows: list[tuple[Any, ...]] = []
        id_list = sorted(ids)
        for chunk, marks in _in_chunks(id_list, 400):
            rows.extend(
                self.conn.execute(
                    "SELECT e.id, e.name, e.type, e.mentions, a.alias FROM entities e"
                    " LEFT JOIN entity_aliases a ON a.entity_id = e.id"
                    f" WHERE e.id IN ({marks}) ORDER BY e.id, a.mentions DESC",
                    chunk,
                ).fetchall()
            )
        return known_from_rows(rows)

    def article_enrichment(self, ids: Iterable[str]) -> dict[str, ArticleEnrichment]:
        out: dict[str, ArticleEnrichment] = {}
        id_list = list(ids)
        for chunk, marks in _in_chunks(id_list, 500):
            for aid, data in self.conn.execute(
                f"SELECT article_id, data FROM article_enrichment WHERE article_id IN ({marks})",
                chunk,
            ):
                out[aid] = serialize.parse_article_enrichment(json.loads(data))
        return out

    def _aliases(self, ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk, marks in _in_chunks(ids, 500):
            for eid, alias in self.conn.execute(
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
        rows = self.conn.execute(
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
        rows = self.conn.execute(
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
        rows = self.conn.execute(
            "SELECT e.id, e.name, e.type, e.mentions, COUNT(ae.article_id) FROM entities e"
            " LEFT JOIN article_entities ae ON ae.entity_id = e.id"
            f" WHERE e.id IN ({marks}) GROUP BY e.id ORDER BY e.mentions DESC",
            ids,
        ).fetchall()
        return self._records(rows)

    def entity_stories(self, name: str) -> list[EntityAppearance]:
        ids = self._entity_ids(name)
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT a.story_id, COUNT(DISTINCT a.id), SUM(ae.mentions), MIN(a.published_ts),"
            " MAX(a.published_ts) FROM article_entities ae JOIN articles a ON a.id = ae.article_id"
            f" WHERE ae.entity_id IN ({marks}) AND a.story_id IS NOT NULL"
            " GROUP BY a.story_id ORDER BY MIN(a.published_ts), a.story_id",
            ids,
        ).fetchall()
        summaries = {s.id: s for s in self._story_summaries([r[0] for r in rows])}
        return [
            EntityAppearance(summaries[r[0]], int(r[1]), int(r[2] or 0), _dt(r[3]), _dt(r[4]))
            for r in rows
            if r[0] in summaries
        ]

    def _story_summaries(self, story_ids: list[str]) -> list[StorySummary]:
        out: list[StorySummary] = []
        for chunk, marks in _in_chunks(story_ids, 500):
            rows = self.conn.execute(
                "SELECT id, title, article_count, first_ts, last_ts FROM stories"
                f" WHERE id IN ({marks})",
                chunk,
            ).fetchall()
            outlets = self._outlets([r[0] for r in rows])
            copies = self._copy_counts([r[0] for r in rows])
            out.extend(
                StorySummary(
                    id=r[0], title=r[1], article_count=r[2], outlets=tuple(outlets.get(r[0], ())),
                    first_published=_dt(r[3]), last_published=_dt(r[4]),
                    copy_count=copies.get(r[0], 0),
                )
                for r in rows
            )  # fmt: skip
        return out

    def list_entities(self, limit: int = 100, offset: int = 0) -> list[EntityRecord]:
        rows = self.conn.execute(
            "SELECT e.id, e.name, e.type, e.mentions, COUNT(ae.article_id) AS n FROM entities e"
            " LEFT JOIN article_entities ae ON ae.entity_id = e.id GROUP BY e.id"
            " ORDER BY n DESC, e.mentions DESC, e.name LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        return self._records(rows)

    def count_entities(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM entities").fetchone()[0])

    # --- explanations (``storyline why``) ------------------------------------------------
    def article_decisions(self, ids: Iterable[str]) -> dict[str, ArticleDecision]:
        out: dict[str, ArticleDecision] = {}
        for chunk, marks in _in_chunks(list(ids), 500):
            for row in self.conn.execute(
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
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        ).fetchall()
        return [r[0] for r in rows]

    # --- follows and alerts (``storyline.alerts``) ---------------------------------------
    def _writing(self) -> contextlib.AbstractContextManager[None]:
        """Join the open write transaction (inside a savepoint, so that a failure undoes only
        this write) or start one."""
        return self._savepoint() if self.conn.in_transaction else self.write_lock()

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        self.conn.execute("SAVEPOINT storyline_alerts")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO storyline_alerts")
            self.conn.execute("RELEASE storyline_alerts")
            raise
        self.conn.execute("RELEASE storyline_alerts")

    def story_ids_with_prefix(self, prefix: str, *, limit: int = 10) -> list[str]:
        if not prefix:
            return []
        rows = self.conn.execute(
            "SELECT id FROM stories WHERE id >= ? AND id < ? AND article_count > 0"
            " ORDER BY id LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        ).fetchall()
        return [r[0] for r in rows]

    @staticmethod
    def _follow(row: Sequence[Any]) -> Follow:
        return Follow(id=row[0], kind=row[1], target=row[2], label=row[3],
                      created_at=datetime.fromisoformat(row[4]))

    def add_follow(self, follow: Follow) -> Follow:
        with self._writing():
            self.conn.execute(
                "INSERT OR IGNORE INTO follows(id, kind, target, label, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (follow.id, follow.kind, follow.target, follow.label,
                 follow.created_at.isoformat()),
            )
            row = self.conn.execute(
                "SELECT id, kind, target, label, created_at FROM follows WHERE id = ?",
                (follow.id,),
            ).fetchone()
        return self._follow(row)

    def follows(self) -> list[Follow]:
        rows = self.conn.execute(
            "SELECT id, kind, target, label, created_at FROM follows ORDER BY created_at, id"
        ).fetchall()
        return [self._follow(r) for r in rows]

    def follow_ids_with_prefix(self, prefix: str, *, limit: int = 10) -> list[str]:
        if not prefix:
            return []
        rows = self.conn.execute(
            "SELECT id FROM follows WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        ).fetchall()
        return [r[0] for r in rows]

    def remove_follow(self, follow_id: str) -> Follow:
        with self._writing():
            row = self.conn.execute(
                "SELECT id, kind, target, label, created_at FROM follows WHERE id = ?",
                (follow_id,),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no follow with id {follow_id!r}")
            # Its alerts and their delivery states go with it (ON DELETE CASCADE).
            self.conn.execute("DELETE FROM follows WHERE id = ?", (follow_id,))
        return self._follow(row)

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
        for chunk, marks in _in_chunks(ids, 400):
            found.update(r[0] for r in self.conn.execute(
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
        for chunk, marks in _in_chunks(ids, 400):
            # Only these articles' rows of the index are matched (a rowid constraint).
            found.update(r[0] for r in self.conn.execute(
                "SELECT a.id FROM articles a JOIN articles_fts ON articles_fts.rowid = a.rowid"
                f" WHERE a.id IN ({marks}) AND articles_fts MATCH ?",
                [*chunk, fts_query(query)],
            ))
        return found

    def add_alerts(self, alerts: Sequence[Alert], *, deliver: bool = False) -> list[str]:
        if not alerts:
            return []
        added: list[str] = []
        with self._writing():
            for item in alerts:
                inserted = self.conn.execute(
                    "INSERT OR IGNORE INTO alerts(id, follow_id, kind, story_id, article_id,"
                    " published_ts, created_at, created_ts, data)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (item.id, item.follow_id, item.kind, item.story_id, item.article_id,
                     item.published.timestamp(), item.created_at.isoformat(),
                     item.created_at.timestamp(),
                     json.dumps(alert_shapes.alert(item), ensure_ascii=False)),
                ).rowcount
                if not inserted:
                    continue
                added.append(item.id)
                if deliver:
                    self.conn.execute(
                        "INSERT OR IGNORE INTO alert_deliveries(alert_id) VALUES (?)", (item.id,))
        return added

    def list_alerts(self, *, follow_id: str | None = None, limit: int = 50, offset: int = 0
                    ) -> list[Alert]:
        where, params = ("WHERE follow_id = ?", [follow_id]) if follow_id is not None \
            else ("", [])
        rows = self.conn.execute(
            f"SELECT data FROM alerts {where}"
            " ORDER BY created_ts DESC, published_ts DESC, id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [alert_shapes.alert_from_dict(json.loads(r[0])) for r in rows]

    def count_alerts(self, *, follow_id: str | None = None) -> int:
        if follow_id is None:
            row = self.conn.execute("SELECT COUNT(*) FROM alerts").fetchone()
        else:
            row = self.conn.execute("SELECT COUNT(*) FROM alerts WHERE follow_id = ?",
                                    (follow_id,)).fetchone()
        return int(row[0])

    def deliveries(self, alert_ids: Iterable[str]) -> dict[str, Delivery]:
        out: dict[str, Delivery] = {}
        for chunk, marks in _in_chunks(list(alert_ids), 500):
            for row in self.conn.execute(
                "SELECT alert_id, status, attempts, last_error, last_attempt_at, delivered_at,"
                f" next_attempt_ts FROM alert_deliveries WHERE alert_id IN ({marks})",
                chunk,
            ):
                out[row[0]] = Delivery(
                    alert_id=row[0], status=row[1], attempts=int(row[2]), last_error=row[3],
                    last_attempt=None if row[4] is None else datetime.fromisoformat(row[4]),
                    delivered_at=None if row[5] is None else datetime.fromisoformat(row[5]),
                    next_attempt=_dt(row[6]) if row[1] == "pending" and row[6] else None,
                )
        return out

    def claim_deliveries(self, now: float, *, lease: float, limit: int = 50) -> list[Alert]:
        with self._writing():
            rows = self.conn.execute(
                "SELECT d.alert_id, a.data FROM alert_deliveries d JOIN alerts a"
                " ON a.id = d.alert_id WHERE d.status = 'pending' AND d.next_attempt_ts <= ?"
                " AND d.claimed_until <= ? ORDER BY a.created_ts, a.id LIMIT ?",
                (now, now, limit),
            ).fetchall()
            self.conn.executemany(
                "UPDATE alert_deliveries SET claimed_until = ? WHERE alert_id = ?",
                [(now + lease, r[0]) for r in rows],
            )
        return [alert_shapes.alert_from_dict(json.loads(r[1])) for r in rows]

    def record_delivery(self, alert_id: str, *, ok: bool, error: str | None = None,
                        retry_at: float | None = None) -> None:
        now = datetime.now(UTC)
        with self._writing():
            self.conn.execute(
                "UPDATE alert_deliveries SET attempts = attempts + 1, last_attempt_at = ?,"
                " status = ?, delivered_at = ?, last_error = ?, next_attempt_ts = ?,"
                " claimed_until = 0 WHERE alert_id = ?",
                (now.isoformat(), "delivered" if ok else "pending",
                 now.isoformat() if ok else None, None if ok else error,
                 0 if ok or retry_at is None else retry_at, alert_id),
            )


    # --- feeds (``storyline.feeds``) -------------------------------------------------------
    _FEED_COLUMNS = (
        "url, title, site_url, added_ts, etag, last_modified, interval, next_check_ts,"
        " last_fetch_ts, last_status, last_new_entry_ts, last_error, last_error_ts,"
        " consecutive_errors"
    )

    @staticmethod
    def _feed(row: Sequence[Any], entries_seen: int = 0) -> Feed:
        def when(ts: float | None) -> datetime | None:
            return None if ts is None else _dt(ts)

        return Feed(url=row[0], title=row[1], site_url=row[2], added_at=when(row[3]),
                    etag=row[4], last_modified=row[5], interval=float(row[6]),
                    next_check=when(row[7]), last_fetch=when(row[8]), last_status=row[9],
                    last_new_entry=when(row[10]), last_error=row[11],
                    last_error_at=when(row[12]), consecutive_errors=int(row[13]),
                    entries_seen=entries_seen)

    @staticmethod
    def _feed_values(feed: Feed) -> tuple[Any, ...]:
        def ts(value: datetime | None) -> float | None:
            return None if value is None else value.timestamp()

        now = datetime.now(UTC)
        return (feed.url, feed.title, feed.site_url, ts(feed.added_at or now), feed.etag,
                feed.last_modified, feed.interval, ts(feed.next_check or now),
                ts(feed.last_fetch), feed.last_status, ts(feed.last_new_entry), feed.last_error,
                ts(feed.last_error_at), feed.consecutive_errors)

    def add_feed(self, feed: Feed) -> Feed:
        lock = contextlib.nullcontext() if self.conn.in_transaction else self.write_lock()
        with lock:
            self.conn.execute(
                f"INSERT INTO feeds({self._FEED_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(url) DO NOTHING", self._feed_values(feed))
        return self.get_feed(feed.url)

    def remove_feed(self, url: str) -> Feed:
        lock = contextlib.nullcontext() if self.conn.in_transaction else self.write_lock()
        with lock:
            feed = self.get_feed(url)
            self.conn.execute("DELETE FROM feeds WHERE url = ?", (url,))
        return feed

    def get_feed(self, url: str) -> Feed:
        row = self.conn.execute(f"SELECT {self._FEED_COLUMNS} FROM feeds WHERE url = ?",
                                (url,)).fetchone()  # fmt: skip
        if row is None:
            raise NotFoundError(f"no feed {url!r} is followed")
        seen = self.conn.execute("SELECT COUNT(*) FROM feed_entries WHERE feed_url = ?",
                                 (url,)).fetchone()[0]  # fmt: skip
        return self._feed(row, int(seen))

    def list_feeds(self) -> list[Feed]:
        counts = dict(self.conn.execute(
            "SELECT feed_url, COUNT(*) FROM feed_entries GROUP BY feed_url").fetchall())
        rows = self.conn.execute(f"SELECT {self._FEED_COLUMNS} FROM feeds ORDER BY url")
        return [self._feed(row, int(counts.get(row[0], 0))) for row in rows.fetchall()]

    def due_feeds(self, now: float) -> list[Feed]:
        rows = self.conn.execute(
            f"SELECT {self._FEED_COLUMNS} FROM feeds WHERE next_check_ts <= ?"
            " ORDER BY next_check_ts, url", (now,)).fetchall()
        return [self._feed(row) for row in rows]

    def seen_entries(self, feed_url: str, keys: Sequence[EntryKey]) -> list[bool]:
        found: dict[str, set[str]] = {"guid": set(), "link": set(), "content_hash": set()}
        for column in found:
            values = sorted({v for k in keys if (v := getattr(k, column))})
            for chunk, marks in _in_chunks(values, 500):
                found[column].update(r[0] for r in self.conn.execute(
                    f"SELECT {column} FROM feed_entries WHERE feed_url = ?"
                    f" AND {column} IN ({marks})", [feed_url, *chunk]))
        return [bool((k.guid and k.guid in found["guid"])
                     or (k.link and k.link in found["link"])
                     or (k.content_hash and k.content_hash in found["content_hash"]))
                for k in keys]

    def record_poll(self, feed: Feed, seen: Sequence[EntryKey]) -> bool:
        lock = contextlib.nullcontext() if self.conn.in_transaction else self.write_lock()
        with lock:
            if not self.conn.execute("SELECT 1 FROM feeds WHERE url = ?",
                                     (feed.url,)).fetchone():  # fmt: skip
                return False  # removed meanwhile (feeds remove, the API)
            values = self._feed_values(feed)
            self.conn.execute(
                "UPDATE feeds SET title = ?, site_url = ?, etag = ?, last_modified = ?,"
                " interval = ?, next_check_ts = ?, last_fetch_ts = ?, last_status = ?,"
                " last_new_entry_ts = ?, last_error = ?, last_error_ts = ?,"
                " consecutive_errors = ? WHERE url = ?",
                (*values[1:3], *values[4:], feed.url))
            now = datetime.now(UTC).timestamp()
            self.conn.executemany(
                "INSERT INTO feed_entries(feed_url, guid, link, content_hash, seen_ts)"
                " VALUES (?, ?, ?, ?, ?)",
                [(feed.url, k.guid, k.link, k.content_hash, now) for k in seen])
        return True

def fts_query(text: str) -> str:
    """Turn free text into a safe FTS5 query: every word quoted, all required."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    return " ".join(f'"{w}"' for w in words) or '""'


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _check_article(article: Article) -> None:
    """Refuse, before anything is written, an article that would poison the store: a
    publication time that is naive or cannot be read back in UTC (an offset beyond ±24 h, a
    time past 9999-12-31 UTC), or a string that is not valid Unicode (a lone surrogate).
    The extraction stage (``extract/build.py``) normalises what it builds; this guards
    other writers."""
    published = article.published
    try:
        if published.tzinfo is None or published.utcoffset() is None:
            raise ValueError("it has no time zone")
        _dt(published.timestamp())
    except (ValueError, OverflowError, OSError) as exc:
        raise StoreError(
            f"article {article.id} ({article.source}): unusable publication time"
            f" {published!r}: {exc}"
        ) from exc
    texts = [("title", article.title), ("text", article.text), ("url", article.url),
             ("outlet", article.outlet), ("language", article.language),
             ("source", article.source), ("raw", article.raw),
             *(("authors", a) for a in article.authors)]  # fmt: skip
    for name, value in texts:
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise StoreError(
                f"article {article.id} ({article.source!r}): {name} is not valid Unicode: {exc}"
            ) from exc
