"""Latency of the web UI and the REST API over a 10,000-article store.

How the store is built: synthetic articles generated from templates (random people,
organisations, places and verbs; ~120-word bodies), grouped into ~1,500 stories whose sizes
follow a long-tailed distribution (most stories have 2-6 articles, a few have 50+) and whose
articles spread over up to 60 days between 2023-01-01 and 2024-12-31, from 25 outlets. To keep
the build fast (seconds, no model), articles and stories are written straight through
``store.write_batch`` with random unit vectors instead of running the ingest pipeline; the
routes measured here never look at the vectors.

The synthetic articles carry no enrichment (entities, developments), so their story pages
time the store reads and rendering but not event linking; ``--demo`` adds the story pages of
the demo corpus, ingested through the real pipeline with enrichment (needs the models, ~1 min).

What is measured: each route is requested ``--requests`` times (after a warm-up) through
FastAPI's in-process ``TestClient``. *server* is the app's own time until the response starts
(the ``Server-Timing`` header the app sets: routing, store queries, rendering); *round trip*
adds the in-process client. Story pages pick a random story per request.

Usage::

    python benchmarks/web_latency.py                 # build a temp store, print the table
    python benchmarks/web_latency.py --json out.json # also write the figures as JSON
    python benchmarks/web_latency.py --demo          # plus enriched story pages (demo corpus)

Target: median server time under 100 ms for the story list and story pages.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from storyline.config import Settings
from storyline.embedding import DEFAULT_MODEL
from storyline.models import Article, Assignment
from storyline.store.base import StoryFilter, StoryState
from storyline.store.sqlite import SQLiteStore

TARGET_MS = 100.0
DIM = 384

PEOPLE = ["Ana Morales", "Tomasz Kowal", "Lena Fischer", "Kwame Mensah", "Priya Nair",
          "Jonas Berg", "Mei Tanaka", "Omar Haddad", "Sofia Rossi", "Ivan Petrov",
          "Grace Okafor", "Luis Ortega", "Hana Novak", "Arjun Mehta", "Elif Demir"]
ORGS = ["the transport ministry", "the central bank", "the port authority", "the city council",
        "the football federation", "the health agency", "the energy regulator",
        "the teachers' union", "the weather service", "the supreme court"]
PLACES = ["Brennan", "Kelham", "Lake Ardan", "Port Velio", "Tarsk", "Oldmere", "Santa Ines",
          "Norrvik", "Caldera Bay", "Vesna", "Marloe", "Quinto"]
EVENTS = ["budget dispute", "harbour fire", "rail strike", "flood warning", "election recount",
          "bridge collapse", "trade deal", "stadium plan", "drought", "data breach",
          "festival", "court ruling", "factory closure", "bird flu outbreak", "tram extension"]
VERBS = ["announces", "rejects", "delays", "investigates", "approves", "warns about",
         "responds to", "questions", "defends", "reviews"]
OUTLETS = [f"{name} {kind}" for name in ("North", "Daily", "Metro", "Coastal", "Valley")
           for kind in ("Post", "Times", "Wire", "Herald", "Gazette")]
SENTENCES = [
    "{person} said {org} would publish its findings within weeks.",
    "Officials in {place} confirmed that the {event} had affected thousands of residents.",
    "{org} met on {weekday} to discuss the {event} in {place}.",
    "Critics, including {person}, said the response came too late.",
    "Local businesses in {place} reported losses linked to the {event}.",
    "A spokesperson for {org} declined to comment on the {event}.",
    "{person} told reporters that further measures were being prepared.",
    "The {event} is expected to dominate the next session of {org}.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _unit(rng: np.random.Generator) -> np.ndarray:
    vector = rng.standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def _sizes(rng: random.Random, articles: int, stories: int) -> list[int]:
    """Long-tailed story sizes, each at least 1, summing to ``articles``."""
    weights = [rng.paretovariate(1.6) for _ in range(stories)]
    spare = articles - stories
    sizes = [1 + int(spare * w / sum(weights)) for w in weights]
    for index in rng.sample(range(stories), articles - sum(sizes)):
        sizes[index] += 1
    return sizes


def build_store(path: Path, *, articles: int, stories: int, seed: int) -> SQLiteStore:
    """Write the synthetic corpus (see the module docstring) and return the open store."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    store = SQLiteStore(path, model_name=DEFAULT_MODEL)
    origin = datetime(2023, 1, 1, tzinfo=UTC)
    batch: list[Article] = []
    assignments: list[Assignment] = []
    states: list[StoryState] = []
    number = 0
    for story_index, size in enumerate(_sizes(rng, articles, stories)):
        person, org, place, event = (rng.choice(PEOPLE), rng.choice(ORGS), rng.choice(PLACES),
                                     rng.choice(EVENTS))
        start = origin + timedelta(days=rng.uniform(0, 670))
        span_days = rng.uniform(0, min(60, 3 + size * 2))
        story_id = f"s{story_index:011d}"
        times = sorted(start + timedelta(days=rng.uniform(0, span_days)) for _ in range(size))
        title = f"{place} {event}: {org} {rng.choice(VERBS)} plan"
        for published in times:
            number += 1
            words = dict(person=rng.choice(PEOPLE), org=org, place=place, event=event,
                         weekday=rng.choice(WEEKDAYS))
            paragraphs = [" ".join(rng.choice(SENTENCES).format(**words) for _ in range(4))
                          for _ in range(3)]
            outlet = rng.choice(OUTLETS)
            article = Article(
                id=f"a{number:015d}",
                title=f"{person} {rng.choice(VERBS)} {event} in {place}",
                text="\n\n".join(paragraphs), published=published, authors=[person],
                outlet=outlet, url=f"https://{outlet.lower().replace(' ', '')}.example/{number}",
                language="en", source=f"synthetic:{number}", raw_kind="jsonl",
                raw=json.dumps({"n": number}), head_vector=_unit(nprng),
                body_vector=_unit(nprng), story_id=story_id,
            )
            batch.append(article)
            assignments.append(Assignment(article.id, story_id, 0.9, number == 1))
        states.append(StoryState(story_id, title, times[0].timestamp(), times[-1].timestamp(),
                                 size))
        if len(batch) >= 500:
            store.write_batch(batch, assignments, states)
            batch, assignments, states = [], [], []
    if batch:
        store.write_batch(batch, assignments, states)
    return store


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(client: Any, name: str, urls: list[str], *, warmup: int = 10) -> dict[str, Any]:
    """Request each URL in turn; return median and p95 of server and round-trip times (ms)."""
    for url in urls[:warmup]:
        assert client.get(url).status_code == 200, url
    server, wall = [], []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        server.append(float(response.headers["server-timing"].split("dur=")[1]))
    return {
        "route": name, "requests": len(urls),
        "server_median_ms": round(statistics.median(server), 2),
        "server_p95_ms": round(_percentile(server, 0.95), 2),
        "roundtrip_median_ms": round(statistics.median(wall), 2),
        "roundtrip_p95_ms": round(_percentile(wall, 0.95), 2),
    }


def measure_demo(requests: int, *, seed: int) -> list[dict[str, Any]]:
    """Story pages of the demo corpus, ingested with enrichment through the pipeline."""
    from fastapi.testclient import TestClient

    from storyline.pipeline import Pipeline
    from storyline.store import open_store
    from storyline.web.server import create_app

    corpus = Path(__file__).resolve().parents[1] / "demo" / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        with closing(open_store(db, model_name=DEFAULT_MODEL)) as store:
            Pipeline(store, settings=Settings()).ingest_paths([corpus])
            ids = [s.id for s in store.list_stories()]
        rng = random.Random(seed)
        picks = [rng.choice(ids) for _ in range(requests)]
        with TestClient(create_app(Settings(), store_path=db)) as client:
            return [
                measure(client, "demo GET /api/v1/stories/{id}",
                        [f"/api/v1/stories/{i}" for i in picks]),
                measure(client, "demo GET /stories/{id}", [f"/stories/{i}" for i in picks]),
            ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--stories", type=int, default=1_500)
    parser.add_argument("--requests", type=int, default=200, help="Requests per route.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="Write the results here as JSON.")
    parser.add_argument("--demo", action="store_true",
                        help="Also time enriched story pages over the demo corpus.")
    args = parser.parse_args(argv)

    from fastapi.testclient import TestClient

    from storyline.web.server import create_app

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        started = time.perf_counter()
        store = build_store(db, articles=args.articles, stories=args.stories, seed=args.seed)
        counts = store.counts()
        story_ids = [s.id for s in store.list_stories(StoryFilter(limit=10**6))]
        store.close()
        build_s = time.perf_counter() - started
        print(f"store: {counts['articles']} articles, {counts['stories']} stories "
              f"(built in {build_s:.1f} s)")
        rng = random.Random(args.seed)
        n = args.requests
        picks = [rng.choice(story_ids) for _ in range(n)]
        routes = {
            "GET /api/v1/stories": ["/api/v1/stories"] * n,
            "GET / (river)": ["/"] * n,
            "GET /api/v1/stories/{id}": [f"/api/v1/stories/{i}" for i in picks],
            "GET /stories/{id}": [f"/stories/{i}" for i in picks],
            "GET /api/v1/stories?outlet=": [f"/api/v1/stories?outlet={rng.choice(OUTLETS)}"
                                            for _ in range(n)],
            "GET /api/v1/stories?q=": [f"/api/v1/stories?q={rng.choice(EVENTS)}"
                                       for _ in range(n)],
            "GET /api/v1/search?q= (text)": [f"/api/v1/search?q={rng.choice(PLACES)}"
                                             for _ in range(n)],
        }
        app = create_app(Settings(), store_path=db)
        results = []
        with TestClient(app) as client:
            for name, urls in routes.items():
                results.append(measure(client, name, urls))
    if args.demo:
        results.extend(measure_demo(args.requests, seed=args.seed))
    header = f"{'route':34} {'server med':>10} {'p95':>8} {'round trip med':>15} {'p95':>8}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['route']:34} {r['server_median_ms']:10.2f} {r['server_p95_ms']:8.2f} "
              f"{r['roundtrip_median_ms']:15.2f} {r['roundtrip_p95_ms']:8.2f}")
    worst = max(r["server_median_ms"] for r in results[:4])
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(f"target: median server time < {TARGET_MS:.0f} ms on list and story routes: "
          f"{verdict} (worst {worst:.2f} ms)")
    if args.json:
        args.json.write_text(json.dumps({"store": counts, "results": results,
                                         "target_ms": TARGET_MS, "verdict": verdict}, indent=2))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
