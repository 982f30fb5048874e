"""Twenty readers during a 1,000-article ingest (issue 11): no 5xx, no connection reset.

A real uvicorn server (the ``serve`` fixture, with the options ``storyline serve`` uses) reads
a store while a ``storyline ingest`` process adds generated articles to it, one commit per
``BATCH`` articles. Twenty reader threads, each on its own connections (five keep one
connection alive through ``http.client``, five through httpx, ten open a new one per request
with urllib), walk the pages and the API (river, story pages, article pages, search by words
and by meaning, entities, and the JSON of each) until the ingest ends. Every answer must be a
well-formed 200 and no connection may fail; latency percentiles are printed (and recorded as
a JUnit property), not asserted: the machine's other work decides them.

Enrichment is off for the ingest (``STORYLINE_ENRICH=false``: ~24 articles/s instead of ~12 on
two cores, BENCHMARKS.md). The store starts as a copy of the enriched web corpus, so story
pages have timelines and the entity routes have entities.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

pytestmark = pytest.mark.slow

#: Articles the ingest adds. Issue 11 names 1,000; CI runs 600, which keeps the test under
#: 90 s on two busy cores: the readers take most of the CPU, and the ingest runs at 7–14
#: articles/s beside them, by what else the cores run (600: 43 s; 700: 95 s; 800: 92 s;
#: 1,000: 96–102 s). ``STORYLINE_STRESS_ARTICLES=1000`` runs the issue's figure.
ARTICLES = int(os.environ.get("STORYLINE_STRESS_ARTICLES", "600"))
READERS = 20
#: One commit per this many articles (38 commits for the readers to race at 600).
BATCH = 16
#: A reader waits this long for an answer before counting the request as failed.
TIMEOUT_S = 60.0

_PLACES = ("Kelham", "Brennan", "Ardan", "Marlow Bay", "Tessaly", "Orvik", "Dunmere",
           "Quillon", "Harth", "Sallow Creek")
_EVENTS = (
    ("Fire at the {place} grain store",
     "Firefighters fought a blaze at the {place} grain store through the night; {n} crews "
     "were sent and fire chief {person} said the roof had collapsed before dawn."),
    ("{place} bus drivers strike over pay",
     "Bus drivers in {place} walked out for {n} hours over pay, union leader {person} said, "
     "leaving commuters to find other ways into the town centre."),
    ("Flooding closes {place} river road",
     "The river road through {place} was closed after {n} millimetres of rain fell overnight; "
     "engineer {person} said the embankment held but the road was under water."),
    ("{place} council approves new library",
     "The {place} council approved a new library costing {n} million euros; councillor "
     "{person} said building work would start in the autumn."),
    ("{place} hospital opens cancer ward",
     "A cancer ward with {n} beds opened at {place} hospital, and director {person} said "
     "patients would no longer travel to the capital for treatment."),
    ("Bridge repairs begin in {place}",
     "Repairs to the old stone bridge in {place} began with {n} workers on site; site manager "
     "{person} said one lane would stay open for cars."),
    ("{place} football club sold",
     "The {place} football club was sold for {n} million euros to a group led by {person}, "
     "who promised a new stadium within five years."),
    ("Power cut hits {place}",
     "A power cut left {n} homes in {place} without electricity for most of the day; grid "
     "spokesperson {person} blamed a failed transformer."),
    ("{place} school wins science prize",
     "Pupils from a {place} school won the national science prize with a study of {n} local "
     "bird species, teacher {person} said."),
    ("{place} harbour dredging approved",
     "Dredging of the {place} harbour was approved at a cost of {n} million euros; harbour "
     "master {person} said larger ferries could dock by next summer."),
)
_PEOPLE = ("Ana Lind", "Tomas Berg", "Ruth Okoro", "Ivo Marek", "Sara Quist", "Leo Hahn",
           "Mina Sato", "Olaf Dunn", "Petra Vos", "Karl Ek")


def generated_articles(count: int) -> list[dict[str, Any]]:
    """``count`` articles in the JSONL input shape: stories of ten reports (one event in one
    place, over ten days), each story 80 days after the last so that no two share a window."""
    out = []
    for n in range(count):
        story, report = divmod(n, 10)
        place = _PLACES[story % len(_PLACES)]
        title, text = _EVENTS[(story // len(_PLACES)) % len(_EVENTS)]
        person = _PEOPLE[story % len(_PEOPLE)]
        day = date(2001, 1, 1) + timedelta(days=80 * story + report)
        body = text.format(place=place, n=12 + report + story, person=person)
        out.append({
            "url": f"https://news{report}.example/{story}/{n}",
            "title": f"{title.format(place=place)} (report {report + 1})",
            "text": f"{body}\n\nThis is report {report + 1} on the story, number {n} of the"
                    f" run, filed from {place} on {day.isoformat()} by the desk.",
            "published": f"{day.isoformat()}T{8 + report}:15:00+00:00",
            "outlet": f"Outlet {report % 4 + 1}",
            "language": "en",
        })
    return out


@dataclass
class Tally:
    """What the readers saw, shared between them."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    latency: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    story_ids: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    counts_seen: set[int] = field(default_factory=set)

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latency.setdefault(kind, []).append(seconds)

    def learn(self, *, stories: Sequence[str] = (), articles: Sequence[str] = ()) -> None:
        with self.lock:
            known = set(self.story_ids)
            self.story_ids += [s for s in stories if s not in known]
            known = set(self.article_ids)
            self.article_ids += [a for a in articles if a not in known]


def _check_html(body: bytes) -> str | None:
    text = body.decode("utf-8").strip()
    if not text.lower().startswith("<!doctype html") or not text.endswith("</html>"):
        return f"not a whole page ({len(body)} bytes): {text[:80]!r} ... {text[-80:]!r}"
    return None


#: JSON routes: what each answer must hold; each returns ids it learned.
def _check_json(kind: str, path: str, data: Any, tally: Tally) -> str | None:
    if not isinstance(data, dict):
        return f"not an object: {data!r:.100}"
    if kind in ("api-stories", "api-search", "api-entities"):
        items = data.get("items")
        if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i
                                                  for i in items):
            return f"bad items: {data!r:.200}"
        if kind == "api-stories":
            tally.learn(stories=[i["id"] for i in items])
        elif kind == "api-search":
            tally.learn(articles=[i["id"] for i in items])
    elif kind == "api-story":
        articles = data.get("articles")
        if (data.get("id") != path.rsplit("/", 1)[1] or not isinstance(articles, list)
                or not articles or data.get("article_count", 0) + data.get("copy_count", 0)
                != len(articles) or not isinstance(data.get("timeline"), list)):
            return f"bad story: {data!r:.200}"
        tally.learn(articles=[a["id"] for a in articles])
    elif kind == "api-article":
        if data.get("id") != path.rsplit("/", 1)[1] or not data.get("text"):
            return f"bad article: {data!r:.200}"
    elif kind == "api-why":
        if "outcome" not in data:
            return f"bad explanation: {data!r:.200}"
    elif kind == "api-entity":
        if not data.get("matches"):
            return f"bad entity: {data!r:.200}"
    elif kind == "api-health":
        if data.get("status") != "ok" or not isinstance(data.get("articles"), int):
            return f"bad health: {data!r:.200}"
        with tally.lock:
            tally.counts_seen.add(data["articles"])
    return None


def _next_request(rng: random.Random, tally: Tally, entities: list[str]) -> tuple[str, str]:
    """A (kind, path) pair: pages and API routes in a rough browsing mix."""
    with tally.lock:
        story = rng.choice(tally.story_ids)
        article = rng.choice(tally.article_ids)
    entity = quote(rng.choice(entities), safe="")
    word = rng.choice(("fire", "strike", "library", "bridge", "harbour", "Kelham", "report 3"))
    choices = [
        ("page-river", f"/?offset={rng.choice((0, 0, 30))}"),
        ("page-story", f"/stories/{story}"),
        ("page-article", f"/articles/{article}"),
        ("page-search", f"/search?q={quote(word)}"),
        ("page-search", f"/search?q={quote(word)}&mode=semantic"),
        ("page-entities", "/entities"),
        ("page-entity", f"/entities/{entity}"),
        ("api-stories", f"/api/v1/stories?limit={rng.choice((10, 50))}"),
        ("api-story", f"/api/v1/stories/{story}"),
        ("api-article", f"/api/v1/articles/{article}"),
        ("api-why", f"/api/v1/articles/{article}/why"),
        ("api-search", f"/api/v1/search?q={quote(word)}"),
        ("api-search", f"/api/v1/search?q={quote(word)}&mode=semantic"),
        ("api-entities", "/api/v1/entities"),
        ("api-entity", f"/api/v1/entities/{entity}"),
        ("api-health", "/api/v1/health"),
    ]
    return rng.choice(choices)


Getter = Callable[[str], tuple[int, str, bytes]]


def _strict_keep_alive_getter(base: str) -> tuple[Getter, Callable[[], None]]:
    """One persistent HTTP/1.1 connection (``http.client``: a connection the server closes
    under it fails the next request, where httpx would quietly open another)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT_S)

    def get(path: str) -> tuple[int, str, bytes]:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.will_close:
            raise ConnectionError(f"the server closed the connection after {path}")
        return response.status, response.getheader("content-type") or "", body

    return get, conn.close


def _keep_alive_getter(base: str) -> tuple[Getter, Callable[[], None]]:
    """One persistent HTTP/1.1 connection (httpx, no retries)."""
    client = httpx.Client(base_url=base, timeout=TIMEOUT_S,
                          limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))

    def get(path: str) -> tuple[int, str, bytes]:
        response = client.get(path)
        return response.status_code, response.headers.get("content-type", ""), response.content

    return get, client.close


def _fresh_connection_getter(base: str) -> tuple[Getter, Callable[[], None]]:
    """A new connection per request (urllib: ``Connection: close``)."""

    def get(path: str) -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(base + path, timeout=TIMEOUT_S) as response:
                return response.status, response.headers.get("content-type", ""), response.read()
        except urllib.error.HTTPError as exc:  # 4xx/5xx: still an answer
            with exc:
                return exc.code, exc.headers.get("content-type", ""), exc.read()

    return get, lambda: None


def _reader(index: int, base: str, tally: Tally, entities: list[str],
            done: threading.Event) -> None:
    rng = random.Random(index)
    make = (_strict_keep_alive_getter, _fresh_connection_getter, _keep_alive_getter,
            _fresh_connection_getter)[index % 4]
    get, close = make(base)
    last = time.perf_counter()
    try:
        while not done.is_set():
            kind, path = _next_request(rng, tally, entities)
            started = time.perf_counter()
            try:
                status, content_type, body = get(path)
            except Exception as exc:  # resets, refused connections, timeouts, short bodies
                with tally.lock:
                    tally.errors.append(f"reader {index} {path}, {started - last:.2f} s after"
                                        f" its last answer: {type(exc).__name__}: {exc}")
                last = time.perf_counter()
                continue
            last = time.perf_counter()
            tally.record(kind, status, last - started)
            problem = None
            if status != 200:
                problem = f"status {status}: {body[:200]!r}"
            elif kind.startswith("page-"):
                problem = (_check_html(body) if content_type.startswith("text/html")
                           else f"content-type {content_type}")
            elif not content_type.startswith("application/json"):
                problem = f"content-type {content_type}"
            else:
                try:
                    problem = _check_json(kind, path, json.loads(body), tally)
                except ValueError as exc:
                    problem = f"bad JSON: {exc}"
            if problem:
                with tally.lock:
                    tally.malformed.append(f"reader {index} {path}: {problem}")
    finally:
        close()


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    return (f"n={len(ordered):5d} p50={at(0.5):7.1f} p90={at(0.9):7.1f} p99={at(0.99):7.1f}"
            f" max={ordered[-1] * 1000:7.1f} ms")


def test_web_twenty_readers_during_an_ingest(tmp_path: Path, web_corpus: Any, encoder: Any,
                                             serve: Any, capsys: pytest.CaptureFixture[str],
                                             record_property: Any, copy_store_db: Any,
                                             new_store_db: Any) -> None:
    from storyline.config import Settings
    from storyline.web.server import create_app

    db = copy_store_db(web_corpus.db, new_store_db(tmp_path / "stress.db"))  # the corpus
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in generated_articles(ARTICLES)),
                      encoding="utf-8")
    app = create_app(Settings(), store_path=db, encoder=encoder)
    tally = Tally()
    done = threading.Event()
    with serve(app) as port:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=TIMEOUT_S) as setup:
            before = setup.get("/api/v1/health").json()["articles"]
            stories = setup.get("/api/v1/stories", params={"limit": 50}).json()["items"]
            tally.learn(stories=[s["id"] for s in stories])
            for story in stories:
                detail = setup.get(f"/api/v1/stories/{story['id']}").json()
                tally.learn(articles=[a["id"] for a in detail["articles"]])
            entities = [e["name"] for e in setup.get("/api/v1/entities").json()["items"]]
        assert entities and tally.story_ids and tally.article_ids
        env = {**os.environ, "STORYLINE_ENRICH": "false", "STORYLINE_WORKERS": "1",
               "STORYLINE_BATCH_SIZE": str(BATCH)}
        readers = [threading.Thread(target=_reader, args=(i, base, tally, entities, done),
                                    name=f"reader-{i}", daemon=True) for i in range(READERS)]
        started = time.monotonic()
        for thread in readers:
            thread.start()
        ingest = subprocess.run(
            [sys.executable, "-c", "from storyline.cli import run; run()", "--db", str(db),
             "ingest", "--no-progress", str(source)],
            env=env, capture_output=True, text=True, timeout=600, check=False)
        ingest_s = time.monotonic() - started
        done.set()
        for thread in readers:
            thread.join(timeout=TIMEOUT_S + 10)
        with httpx.Client(base_url=base, timeout=TIMEOUT_S) as setup:
            after = setup.get("/api/v1/health").json()["articles"]

    assert ingest.returncode == 0, ingest.stderr[-2000:]
    assert not any(t.is_alive() for t in readers), "a reader never came back"
    assert after == before + ARTICLES, (before, after)
    requests = sum(tally.statuses.values())
    overall = [s for values in tally.latency.values() for s in values]
    lines = [f"{READERS} readers, {ARTICLES} articles ingested in {ingest_s:.1f} s:"
             f" {requests} requests ({requests / ingest_s:.0f}/s), statuses"
             f" {dict(tally.statuses)}, {len(tally.errors)} connection errors",
             f"  {'all':14s} {_percentiles(overall)}"]
    lines += [f"  {kind:14s} {_percentiles(values)}"
              for kind, values in sorted(tally.latency.items())]
    record_property("readers_stress", "\n".join(lines))
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert not tally.errors, tally.errors[:20]
    assert not tally.malformed, tally.malformed[:20]
    assert set(tally.statuses) == {200}, tally.statuses
    # The readers ran through the ingest: they saw the store grow, commit by commit.
    assert len(tally.counts_seen) >= 5, sorted(tally.counts_seen)
    assert requests >= 20 * READERS


def test_web_idle_keep_alive_connection_stays_open(web_corpus: Any, encoder: Any,
                                                   serve: Any) -> None:
    """A keep-alive connection idle for 6 s still answers: longer than httpx's own 5 s idle
    limit, so an httpx client (or a proxy, at 60 s) always ends it first. With uvicorn's
    default of 5 s the server closed it as the client reused it: a reset."""
    from storyline.config import Settings
    from storyline.web.server import KEEP_ALIVE_S, create_app

    assert KEEP_ALIVE_S > 60
    app = create_app(Settings(), store_path=web_corpus.db, encoder=encoder)
    with serve(app, log_level="critical") as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            for pause in (0.0, 6.0):
                time.sleep(pause)
                conn.request("GET", "/api/v1/health")
                response = conn.getresponse()
                response.read()
                assert response.status == 200 and not response.will_close
        finally:
            conn.close()
