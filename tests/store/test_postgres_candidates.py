"""Candidate stories through PostgreSQL's HNSW index (``PostgresStore.story_index``): the
assigner backed by the store finds the candidates, and so makes the assignments, that the
in-memory centroid index finds; the candidate query goes through the index; a story that
grows has its indexed centroid and span updated in the batch's transaction; an existing
store gets ``story_vectors`` filled from its stored members when it upgrades; and the
``storyline ingest`` of a local news stream gives the stories it gives on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from storyline.models import Article, Assignment
from storyline.store import open_store
from storyline.store.base import StoryState
from storyline.stories.assign import Assigner, AssignOptions, centroid_of

psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL tests need the postgres extra")

from pgvector.psycopg import register_vector  # noqa: E402

from storyline.store.postgres import PostgresStore  # noqa: E402

MODEL = "test/encoder"
DIM = 64
START = datetime(2025, 3, 1, tzinfo=UTC)
#: Tight settings, so that the window, the floor and the top-k all decide something.
OPTIONS = AssignOptions(window_days=6.0, prefilter_k=3, min_centroid_cos=0.25)


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def synthetic_stream(seed: int, n: int = 180, topics: int = 30) -> list[Article]:
    """``n`` articles over 40 days about ``topics`` events (each a random direction, active
    for a few days); neighbouring topics share part of their direction and words, so
    that candidates compete. Each call makes new objects (the assigner fills fields)."""
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((topics, DIM))
    base[1:] += 0.6 * base[:-1]  # look-alike neighbours
    centres = [_unit(v) for v in base]
    starts = rng.uniform(0, 34, size=topics)
    words = [[f"w{t}x{i}" for i in range(6)] for t in range(topics)]
    articles = []
    for i in range(n):
        t = int(rng.integers(topics))
        when = START + timedelta(days=float(starts[t] + rng.uniform(0, 6)),
                                 seconds=i)  # fmt: skip
        head = _unit(centres[t] + 0.55 * _unit(rng.standard_normal(DIM)))
        body = _unit(centres[t] + 0.45 * _unit(rng.standard_normal(DIM)))
        kw = sorted({*rng.choice(words[t], size=4, replace=False).tolist(),
                     *rng.choice(words[(t + 1) % topics], size=1).tolist()})
        articles.append(Article(
            id=f"n{i:04d}", title=f"Event {t} report {i}", text=" ".join(kw) + f" item {i}",
            published=when, authors=[], outlet="Synthetic Ledger", url=None, language="en",
            source=f"s{i}.jsonl", raw_kind="jsonl", raw="{}", keywords=kw,
            head_vector=head, body_vector=body))
    return sorted(articles, key=lambda a: (a.published, a.id))


def _groups(articles: list[Article], size: int) -> Iterator[list[Article]]:
    for start in range(0, len(articles), size):
        yield articles[start : start + size]


def _in_memory_run(articles: list[Article]) -> tuple[list[Assignment], list[list[str]]]:
    """Assignments and each article's candidates (story ids) with the in-memory index."""
    assigner = Assigner([], options=OPTIONS)
    out, candidates = [], []
    for article in articles:
        candidates.append([assigner._ids[i] for i in assigner.candidates(
            article.published.timestamp(), article.head_vector)])
        out += assigner.assign([article])[0]
    return out, candidates


def _indexed_run(store: PostgresStore, articles: list[Article], *, batch: int, held: int
                 ) -> tuple[list[Assignment], list[list[str]]]:
    """The same through the store's index, writing every ``batch`` articles (as the
    pipeline writes its batches), holding at most ``held`` stories between batches."""
    assigner = Assigner([], options=OPTIONS, index=store)
    assigner.HELD_STORIES = held
    out, candidates = [], []
    for group in _groups(articles, batch):
        with store.write_lock():
            touched: dict[str, StoryState] = {}
            made: list[Assignment] = []
            for article in group:
                candidates.append(assigner._indexed_candidates(
                    article.published.timestamp(), article.head_vector))
                assignments, stories = assigner.assign([article])
                made += assignments
                touched.update((s.id, s) for s in stories)
            store.write_batch(group, made, list(touched.values()))
            assigner.stored()
        out += made
    return out, candidates


@pytest.fixture()
def pg_store(postgres_url: str) -> Iterator[PostgresStore]:
    with PostgresStore(postgres_url, model_name=MODEL) as store:
        yield store


def test_postgres_candidates_through_the_index_match_the_in_memory_index(
    pg_store: PostgresStore,
) -> None:
    """Article by article, the store-backed assigner (batches of 8 written as they come,
    at most 6 stories held, so most candidates are loaded again) finds the candidates the
    in-memory index finds, in the same order, and so makes the same assignments."""
    expected, expected_candidates = _in_memory_run(synthetic_stream(7))
    got, got_candidates = _indexed_run(pg_store, synthetic_stream(7), batch=8, held=6)
    assert got_candidates == expected_candidates
    assert [(a.article_id, a.story_id, a.new_story, a.runner_up) for a in got] == [
        (a.article_id, a.story_id, a.new_story, a.runner_up) for a in expected]
    assert [a.score for a in got] == pytest.approx([a.score for a in expected], abs=1e-6)
    # The stream is a real test: stories grow, and candidates are cut by k and the window.
    stories = {a.story_id for a in expected}
    assert 25 <= len(stories) < 120
    assert max(len(c) for c in expected_candidates) == OPTIONS.prefilter_k
    (stored,) = pg_store.conn.execute("SELECT count(*) FROM story_vectors").fetchone()
    assert stored == len(stories)


def test_postgres_candidate_query_uses_the_hnsw_index(
    pg_store: PostgresStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a few thousand stories, the plan of the candidate query is an HNSW index scan
    (filtered by the window, iterative), and its answer is the exact top of the window."""
    rng = np.random.default_rng(3)
    n = 3000
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    day = 86400.0
    firsts = START.timestamp() + rng.uniform(0, 365, size=n) * day
    states = [StoryState(f"s{i:05d}", f"story {i}", float(firsts[i]), float(firsts[i] + day), 0,
                         centroid=vectors[i]) for i in range(n)]  # fmt: skip
    with pg_store.write_lock():
        pg_store.write_batch([], [], states)
    pg_store.conn.execute("ANALYZE story_vectors")
    # So few rows are cheaper to read whole and sort; the planner picks the index for many
    # more (at 100,000 stories, benchmarks/assigner_postgres.py: 27 ms per article, against
    # 348 ms with index scans off).
    pg_store.conn.execute("SET enable_seqscan = off")
    pg_store.conn.execute("SET enable_bitmapscan = off")
    query = _unit(vectors[17] + 0.3 * _unit(rng.standard_normal(DIM)))
    lo, hi = firsts[17] - 200 * day, firsts[17] + 200 * day
    plan = pg_store.explain_nearest_stories(query, lo, hi, limit=24)
    assert "Index Scan using story_vectors_hnsw" in plan, plan
    found = pg_store.nearest_stories(query, lo, hi, limit=24)
    open_ = np.nonzero((firsts + day >= lo) & (firsts <= hi))[0]
    exact = open_[np.argsort(-(vectors[open_] @ query), kind="stable")[:24]]
    assert [c.story_id for c in found] == [f"s{i:05d}" for i in exact]
    assert found[0].story_id == "s00017"
    assert all(lo <= c.last_ts and c.first_ts <= hi for c in found)
    # A narrow window (a fifth of the stories) through the index: the scan goes on past the
    # stories outside it (iterative scan) and still returns the exact top 24 of the window.
    # (A narrower search is costed lower than the span index here, so the planner takes it.)
    from storyline.store import postgres

    monkeypatch.setattr(postgres, "CANDIDATE_EF_SEARCH", 100)
    lo, hi = firsts[17] - 40 * day, firsts[17] + 40 * day
    plan = pg_store.explain_nearest_stories(query, lo, hi, limit=24)
    assert "Index Scan using story_vectors_hnsw" in plan, plan
    found = pg_store.nearest_stories(query, lo, hi, limit=24)
    open_ = np.nonzero((firsts + day >= lo) & (firsts <= hi))[0]
    exact = open_[np.argsort(-(vectors[open_] @ query), kind="stable")[:24]]
    assert [c.story_id for c in found] == [f"s{i:05d}" for i in exact]


def test_postgres_growing_story_updates_its_indexed_vector_in_the_batch_transaction(
    pg_store: PostgresStore, postgres_url: str,
) -> None:
    """A story's centroid and span in ``story_vectors`` follow the story as it grows, written
    in the batch's transaction: another connection sees the old ones until the commit, and a
    batch that fails leaves them as they were."""
    articles = [a for a in synthetic_stream(11) if a.title.startswith("Event 4 ")][:3]
    assert len(articles) == 3
    assigner = Assigner([], options=replace(OPTIONS, min_centroid_cos=-1.0),
                        index=pg_store)
    with pg_store.write_lock():
        assignments, stories = assigner.assign(articles[:1])
        pg_store.write_batch(articles[:1], assignments, stories)
    assigner.stored()
    (story,) = stories
    first = np.asarray(story.centroid).copy()

    def stored(conn: psycopg.Connection) -> tuple[np.ndarray, float]:
        row = conn.execute("SELECT centroid, last_ts FROM story_vectors WHERE story_id = %s"
                           " AND model = %s", (story.id, MODEL)).fetchone()
        return row[0].to_numpy(), row[1]

    with psycopg.connect(postgres_url, autocommit=True) as other:
        register_vector(other)
        assert np.allclose(stored(other)[0], first, atol=1e-6)
        # Forced into the story (the threshold is the weights' and may not be met here).
        assigner.weights = replace(assigner.weights, threshold=0.0)
        with pg_store.write_lock():
            assignments, stories = assigner.assign(articles[1:])
            assert {a.story_id for a in assignments} == {story.id}
            pg_store.write_batch(articles[1:], assignments, stories)
            assert np.allclose(stored(other)[0], first, atol=1e-6)  # not committed yet
        assigner.stored()
        grown, last_ts = stored(other)
        assert np.allclose(grown, story.centroid, atol=1e-6)
        assert not np.allclose(grown, first, atol=1e-3)
        assert last_ts == articles[2].published.timestamp() == story.last_ts
        assert np.allclose(grown, centroid_of([a.head_vector for a in articles[::-1]]),
                           atol=1e-6)
        found = pg_store.nearest_stories(grown, 0, 2e9, limit=1)
        assert found[0].story_id == story.id
        assert np.allclose(found[0].centroid, grown, atol=1e-6)
        # A write transaction that fails after its batch was written leaves them unchanged.
        later = replace(articles[2], id="n-late", published=articles[2].published
                        + timedelta(days=1))
        moved = replace(story, last_ts=later.published.timestamp(), centroid=first)
        with pytest.raises(RuntimeError, match="after the batch"), pg_store.write_lock():
            pg_store.write_batch([later], [Assignment(later.id, story.id, 0.9, False)],
                                 [moved])
            assert stored(pg_store.conn)[1] == moved.last_ts  # written, in the transaction
            raise RuntimeError("after the batch")
        assert stored(other)[1] == last_ts
        assert np.allclose(stored(other)[0], grown, atol=1e-6)


def test_postgres_existing_store_upgrades_with_story_vectors_from_its_members(
    pg_store: PostgresStore, postgres_url: str,
) -> None:
    """A store made before migration 0002 (its table and record removed) gets one row per
    story and encoder when opened: the centroid of its most recent members with vectors of
    that encoder, as the assigner computes it for a story it loads; and its HNSW index."""
    articles = synthetic_stream(5, n=60)
    _indexed_run(pg_store, articles, batch=16, held=100)
    before = dict(pg_store.conn.execute("SELECT story_id, centroid::text FROM story_vectors"
                                        " ORDER BY story_id").fetchall())
    assert before
    pg_store.conn.execute("DROP TABLE story_vectors")
    pg_store.conn.execute("DELETE FROM migrations WHERE name = '0002_story_vectors'")
    with PostgresStore(postgres_url, model_name=MODEL) as upgraded:
        rows = upgraded.conn.execute("SELECT story_id, model, centroid, first_ts, last_ts"
                                     " FROM story_vectors ORDER BY story_id").fetchall()
        assert sorted(r[0] for r in rows) == sorted(before)
        assert {r[1] for r in rows} == {MODEL}
        states = {s.id: s for s in upgraded.story_states(0, 2e9, max_members=24)}
        for story_id, _, centroid, first_ts, last_ts in rows:
            state = states[story_id]
            assert centroid.to_numpy() == pytest.approx(
                centroid_of([m.head for m in state.members]), abs=1e-6)
            assert (first_ts, last_ts) == (state.first_ts, state.last_ts)
        indexes = [r[0] for r in upgraded.conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'story_vectors'")]
        assert any("hnsw" in i and f"vector({DIM})" in i and MODEL in i for i in indexes)


@pytest.mark.slow
def test_postgres_ingest_of_a_local_stream_gives_the_stories_sqlite_gives(
    tmp_path: Path, postgres_url: str, demo_dir: Path, encoder: object,
) -> None:
    """An ingest of demo/local3 (127 look-alike local reports, where the background decides
    joins, in more open stories than the assigner scores per article) in batches of 8: on
    PostgreSQL, where the pipeline holds the stories until the window has 20 and then finds
    candidates through the index, the stories are those of SQLite's in-memory index."""
    from storyline.config import Settings
    from storyline.embedding import DEFAULT_MODEL
    from storyline.pipeline import Pipeline

    corpus = demo_dir / "local3" / "articles.jsonl"
    settings = Settings(batch_size=8, workers=1)
    results = []
    for db in (str(tmp_path / "local.db"), postgres_url):
        with open_store(db, model_name=DEFAULT_MODEL) as store:
            pipeline = Pipeline(store, settings=settings, encoder=encoder)  # type: ignore[arg-type]
            if isinstance(store, PostgresStore):
                store.index_min_open_stories = 20
            report = pipeline.ingest_paths([corpus])
            assert (report.added, report.rejections) == (127, ())
            assert pipeline._assigner is not None
            assert (pipeline._assigner.index is not None) == isinstance(store, PostgresStore)
            results.append(({a.id: a.story_id for a in store.iter_articles()},
                            {s.id: (s.title, s.article_count) for s in store.list_stories()}))
    assert results[0] == results[1]
    assert len(results[0][0]) == 127
    assert len(results[0][1]) > 2 * AssignOptions().prefilter_k
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT count(*) FROM story_vectors v JOIN stories s ON"
                            " s.id = v.story_id WHERE (v.first_ts, v.last_ts) ="
                            " (s.first_ts, s.last_ts)").fetchone()
    assert rows[0] == len(results[0][1])


def test_postgres_story_index_only_for_a_window_of_many_stories(pg_store: PostgresStore
                                                                ) -> None:
    """``story_index`` hands the pipeline the index once the window holds
    ``index_min_open_stories`` stories (0: always), counting only those in the window."""
    day = 86400.0
    states = [StoryState(f"s{i}", "t", i * day, i * day, 0, centroid=_unit(np.ones(DIM)))
              for i in range(10)]
    with pg_store.write_lock():
        pg_store.write_batch([], [], states)
    pg_store.index_min_open_stories = 5
    assert pg_store.story_index(0, 9 * day) is pg_store
    assert pg_store.story_index(0, 3 * day) is None  # four stories in the window
    assert pg_store.story_index(5.5 * day, 100 * day) is None
    pg_store.index_min_open_stories = 0
    assert pg_store.story_index(1e9, 2e9) is pg_store


def test_postgres_migrate_store_from_sqlite_builds_the_story_vectors(
    tmp_path: Path, pg_store: PostgresStore,
) -> None:
    """``migrate-store`` copies no ``story_vectors`` (SQLite has none): PostgreSQL derives
    them as the vectors arrive, one per story, each the centroid of its stored members."""
    from storyline.store.transfer import copy_store

    articles = synthetic_stream(9, n=50)
    with open_store(str(tmp_path / "source.db"), model_name=MODEL) as sqlite:
        assigner = Assigner([], options=OPTIONS)
        for group in _groups(articles, 10):
            assignments, stories = assigner.assign(group)
            sqlite.write_batch(group, assignments, stories)
        copy_store(sqlite, pg_store)  # type: ignore[arg-type]  # both are SQLStores
        states = sqlite.story_states(0, 2e9, max_members=24)
    rows = {r[0]: r[1].to_numpy() for r in pg_store.conn.execute(
        "SELECT story_id, centroid FROM story_vectors WHERE model = %s", (MODEL,))}
    assert sorted(rows) == sorted(s.id for s in states) and len(rows) > 10
    for state in states:
        assert rows[state.id] == pytest.approx(
            centroid_of([m.head for m in state.members]), abs=1e-6)
