"""Backfill speed: articles/s on the local engine with 1 and 2 workers and on Ray with 2
workers, and the single assignment writer alone (its ceiling), in one run on one corpus.

    python benchmarks/backfill_speed.py [--limit N] [--articles 5000] [--json results.json]

**Corpus** (written to a temporary folder; nothing is tuned on it, it is only timed), in this
order, cut to ``--articles`` (default 5,000; ``--limit`` cuts it further for a quick run):

- the demo: ``demo/corpus`` (34 HTML pages, 49 articles, copies and sign-offs included) and
  ``demo/local/articles.jsonl`` (59 articles), as they are;
- ECB+ (``../shared/data/ecbplus/train.jsonl.gz``, 772 news texts) and SemEval-2022 Task 8
  (``../shared/data/semeval2022/train.jsonl.gz``, each article of each pair once, ~2,400 texts
  in 8 languages), as JSONL with an outlet from the URL and a publication time two hours
  apart from 2014-03-10;
- UCI News Aggregator (``../shared/data/uci-news-aggregator/news.csv.gz``, 6,366 headlines
  with their URL, publisher and time, 2014): the dataset has headlines only, so each gets a
  body made of the sentences of two of the texts above, interleaved (a different pair for each
  headline, so that no two bodies are near-copies and the copy detector does not skip them).
  These are not real articles; they have real headlines, outlets, times and body lengths.

The JSONL is written in files of 250 lines, so that reading and extraction spread over the
workers as an archive of many files does.

**What is measured**, each into a fresh SQLite store, one after the other in this process:
- *local, 1 worker*: the whole backfill (read + extract, then the pipeline with every stage
  in this process, its numerical libraries on one thread), wall seconds from start to the
  last commit, models loaded included;
- *local, 2 workers*: the same with 2 processes per stage;
- *Ray, 2 workers*: a local Ray cluster (2 CPUs, 512 MiB object store), its start included;
- *writer alone*: the pipeline with keywords, vectors and enrichment already computed (taken
  from the 1-worker run): sign-offs, copies, entity resolution, evidence, assignment and the
  writes. Its articles/s is the ceiling of a backfill whatever the number of workers; divided
  by what one worker prepares per second, it says how many workers it can keep busy;
- *ingest, 2 workers*: ``storyline ingest``'s pipeline on the same folder, for reference.

Every run uses a ``chunk_size`` of the whole corpus, so that an ingest sorts it all by time as
a backfill does; then every run must give the same stories (checked: the grouping of article
ids). Run it on a quiet machine; the ratios are what to read.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import json
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
ECBPLUS = DATA / "ecbplus" / "train.jsonl.gz"
SEMEVAL = DATA / "semeval2022" / "train.jsonl.gz"
UCI = DATA / "uci-news-aggregator" / "news.csv.gz"
SHARD = 250
START = datetime(2014, 3, 10, tzinfo=UTC)


def _outlet(url: str | None) -> str | None:
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.") or None


def _texts() -> Iterator[dict[str, Any]]:
    """ECB+ and SemEval articles as JSONL rows (without a time yet)."""
    with gzip.open(ECBPLUS, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            url = doc.get("url") or f"https://ecbplus.example/{doc['doc_id']}"
            yield {"url": url, "title": doc.get("title") or "", "text": doc["text"],
                   "outlet": _outlet(url)}  # fmt: skip
    seen: set[str] = set()
    with gzip.open(SEMEVAL, "rt", encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)
            for side in ("a", "b"):
                doc = pair[side]
                if doc["id"] in seen or not doc.get("text"):
                    continue
                seen.add(doc["id"])
                url = doc.get("url") or f"https://semeval.example/{doc['id']}"
                yield {"url": url, "title": doc.get("title") or "", "text": doc["text"],
                       "outlet": _outlet(url), "language": doc.get("lang")}  # fmt: skip


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _uci_rows(bodies: list[str]) -> Iterator[dict[str, Any]]:
    """UCI headlines with a body of two other texts' sentences interleaved."""
    rng = random.Random(14)
    with gzip.open(UCI, "rt", encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f)):
            i, j = rng.sample(range(len(bodies)), 2)
            one, two = _SENTENCE.split(bodies[i]), _SENTENCE.split(bodies[j])
            mixed = [s for pair in zip(one, two, strict=False) for s in pair][:24]
            published = datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, UTC)
            yield {"url": f"https://{row['HOSTNAME']}/uci/{n}", "title": row["TITLE"],
                   "text": " ".join(mixed), "published": published.isoformat(),
                   "outlet": row["PUBLISHER"]}  # fmt: skip


def build_corpus(folder: Path, articles: int) -> int:
    """Write the corpus (see the module docstring) into ``folder``; returns its item count."""
    demo = REPO / "demo"
    shutil.copytree(demo / "corpus", folder / "demo")
    count = 49
    rows: list[dict[str, Any]] = []
    with (demo / "local" / "articles.jsonl").open(encoding="utf-8") as f:
        local = [json.loads(line) for line in f if line.strip()]
    rows += local[: max(0, articles - count)]
    texts = list(_texts())
    for n, row in enumerate(texts):
        row["published"] = (START + timedelta(hours=2 * n)).isoformat()
    rows += texts
    rows += list(_uci_rows([t["text"] for t in texts]))
    rows = rows[: max(0, articles - count)]
    for start in range(0, len(rows), SHARD):
        with (folder / f"part-{start // SHARD:04d}.jsonl").open("w", encoding="utf-8") as out:
            for row in rows[start : start + SHARD]:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if articles < count:  # a tiny --limit: only part of the demo
        for path in sorted((folder / "demo").rglob("*"))[articles:]:
            if path.is_file():
                path.unlink()
        count = articles
    return count + len(rows)


def _stories(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT id, story_id FROM articles"))
    finally:
        conn.close()


def _grouping(stories: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article, story in stories.items():
        groups.setdefault(story, set()).add(article)
    return {frozenset(g) for g in groups.values()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="corpus size (items)")
    parser.add_argument("--limit", type=int, default=None, help="a quick run on fewer items")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    size = min(args.articles, args.limit or args.articles)

    from threadpoolctl import threadpool_limits

    from storyline.backfill import BackfillOptions, backfill
    from storyline.backfill.local import LocalEngine
    from storyline.config import Settings
    from storyline.embedding import DEFAULT_MODEL
    from storyline.models import Article
    from storyline.pipeline import Pipeline
    from storyline.prepare import Prepared, PrepareOptions, Preparer, Vectors, prepare_batch
    from storyline.store.sqlite import SQLiteStore

    recorded: dict[str, Prepared] = {}

    class Recording(Preparer[Any]):
        """Runs ``prepare_batch`` here, as one worker does, and keeps what it computed."""

        def _in_process(self) -> bool:
            return False

        def _submit(self, articles: list[Article], cached: Vectors) -> Future[list[Prepared]]:
            done: Future[list[Prepared]] = Future()
            result = prepare_batch(articles, cached=cached, options=self.options)
            recorded.update((p.article_id, p) for p in result)
            done.set_result(result)
            return done

    class Replay(Preparer[Any]):
        """Hands back what ``Recording`` computed: only the writer's work is left."""

        def _in_process(self) -> bool:
            return False

        def _submit(self, articles: list[Article], cached: Vectors) -> Future[list[Prepared]]:
            done: Future[list[Prepared]] = Future()
            done.set_result([recorded[a.id] for a in articles])
            return done

    class OneWorker(LocalEngine):
        def preparer(self, options: PrepareOptions) -> Preparer[Any]:
            return Recording(workers=1, options=options)

    class WriterOnly(LocalEngine):
        def preparer(self, options: PrepareOptions) -> Preparer[Any]:
            return Replay(workers=1, options=options)

    results: dict[str, Any] = {"articles": size}
    with tempfile.TemporaryDirectory(prefix="storyline-backfill-bench-") as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        items = build_corpus(folder, size)
        settings = Settings(chunk_size=max(Settings().chunk_size, items))
        runs = [("local, 1 worker", "local", 1, OneWorker(workers=1)),
                ("local, 2 workers", "local", 2, None),
                ("Ray, 2 workers", "ray", 2, None),
                ("writer alone", "local", 1, WriterOnly(workers=1))]  # fmt: skip
        stories: dict[str, dict[str, str]] = {}
        for name, engine, workers, given in runs:
            db = Path(tmp) / f"{name.split(',')[0]}-{workers}-{len(stories)}.db"
            options = BackfillOptions(engine=engine, workers=workers)
            # One worker is one core: this process's numerical libraries get one thread, as
            # each worker process and Ray actor does.
            threads = threadpool_limits(1) if given is not None else contextlib.nullcontext()
            with SQLiteStore(db, model_name=DEFAULT_MODEL) as store, threads:
                started = time.perf_counter()
                done = backfill([folder], store, settings=settings, engine=given,
                                options=options)  # fmt: skip
                wall = time.perf_counter() - started
            stories[name] = _stories(db)
            # The writer alone: its pipeline time (reading is an engine's work).
            seconds = done.ingest_seconds if name == "writer alone" else wall
            results[name] = {
                "added": done.report.added, "rejected": done.report.rejected,
                "wall_s": round(wall, 1), "read_s": round(done.read_seconds, 1),
                "pipeline_s": round(done.ingest_seconds, 1),
                "articles_per_s": round(done.report.added / seconds, 2) if seconds else None,
            }  # fmt: skip
            print(f"{name:18} {done.report.added:6d} articles  {wall:7.1f} s wall"
                  f" (read {done.read_seconds:5.1f} s, pipeline {done.ingest_seconds:6.1f} s)"
                  f"  {results[name]['articles_per_s']} articles/s", flush=True)
        name, db = "ingest, 2 workers", Path(tmp) / "ingest.db"
        with SQLiteStore(db, model_name=DEFAULT_MODEL) as store:
            started = time.perf_counter()
            report = Pipeline(store, settings=settings.with_overrides(workers=2)) \
                .ingest_paths([folder])
            wall = time.perf_counter() - started
        stories[name] = _stories(db)
        results[name] = {"added": report.added, "rejected": report.rejected,
                         "wall_s": round(wall, 1),
                         "articles_per_s": round(report.added / wall, 2)}  # fmt: skip
        print(f"{name:18} {report.added:6d} articles  {wall:7.1f} s wall"
              f"  {results[name]['articles_per_s']} articles/s", flush=True)
    base = results["local, 1 worker"]["articles_per_s"]
    for name in ("local, 2 workers", "Ray, 2 workers"):
        results[name]["speedup"] = round(results[name]["articles_per_s"] / base, 2)
    one = results["local, 1 worker"]["pipeline_s"]
    writer = results["writer alone"]["pipeline_s"]
    # One worker's model stages take (its pipeline time - the writer's); the writer keeps up
    # with as many workers as that is times its own.
    results["writer_keeps_up_with_workers"] = round((one - writer) / writer, 1) if writer else None
    same = {name: _grouping(s) == _grouping(stories["local, 1 worker"])
            for name, s in stories.items()}  # fmt: skip
    results["same_stories_as_1_worker"] = same
    print(f"corpus: {items} items; speed-up over 1 worker: local 2 workers"
          f" {results['local, 2 workers']['speedup']}x, Ray 2 workers"
          f" {results['Ray, 2 workers']['speedup']}x; the writer alone keeps up with"
          f" ~{results['writer_keeps_up_with_workers']} workers;"
          f" same stories as 1 worker: {same}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
