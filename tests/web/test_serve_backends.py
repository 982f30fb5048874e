"""``storyline serve --db postgresql://…`` serves the same pages and API as ``storyline serve``
over a SQLite file, for the same ingested corpus (issue 14).

The web tests' corpus (three events, several outlets, a ``<script>`` title, the seeds when
present) is ingested by the real pipeline into a SQLite file and into a PostgreSQL database
(``postgres_url``, the test server of the root conftest; skipped with the reason when none can
be had); then the real ``storyline serve`` command runs over each, and every page and API
route, over every story, article and some entities, must answer the same status and the same
body. Only the semantic search scores, computed by pgvector in single precision, may differ in
the last digits. This test runs once, in the SQLite pass (it makes both stores itself).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.slow


def _ingest(db: str, inputs: list[str | Path], encoder: Any) -> None:
    from storyline.config import Settings
    from storyline.pipeline import Pipeline
    from storyline.store import open_store

    with closing(open_store(db, model_name=encoder.name)) as store:
        report = Pipeline(store, settings=Settings(workers=1), encoder=encoder
                          ).ingest_paths(inputs)  # fmt: skip
    assert report.rejected == 0 and report.added > 0, report


@contextmanager
def _serve(db: str, log: Path) -> Iterator[str]:
    """``storyline --db DB serve`` on a free port, in a process of its own; yields its base
    URL once it answers, and stops it on exit."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "storyline.cli", "--db", db, "serve", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "STORYLINE_WORKERS": "1"})  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8")[-3000:]
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "storyline serve did not answer"
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _get(base: str, path: str) -> tuple[int, str, str]:
    """Status, content type and body of ``GET base+path``."""
    try:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            return response.status, response.headers["content-type"], \
                response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["content-type"], exc.read().decode("utf-8")


def _paths(base: str) -> list[str]:
    """Every page and API route over every story and article of the store at ``base``, some
    entities, the searches and the empty lists (follows, alerts, feeds)."""
    stories = json.loads(_get(base, "/api/v1/stories?limit=100")[2])["items"]
    entities = json.loads(_get(base, "/api/v1/entities?limit=5")[2])["items"]
    articles = [a["id"] for s in stories
                for a in json.loads(_get(base, f"/api/v1/stories/{s['id']}")[2])["articles"]]
    assert len(stories) >= 3 and articles and entities
    paths = ["/", "/entities", "/alerts", "/feeds", "/search?q=harbour+fire",
             "/api/v1/health", "/api/v1/stories", "/api/v1/stories?q=tram",
             "/api/v1/stories?outlet=Metro+Wire", "/api/v1/stories?since=2024-06-01",
             "/api/v1/entities", "/api/v1/follows", "/api/v1/alerts", "/api/v1/feeds",
             "/api/v1/search?q=harbour+fire&mode=text", "/api/v1/search?q=Kelham&mode=text",
             "/api/v1/stories/no-such-story", "/api/v1/articles/no-such-article"]
    for story in stories:
        paths += [f"/stories/{story['id']}", f"/api/v1/stories/{story['id']}"]
    for article in articles:
        paths += [f"/articles/{article}", f"/api/v1/articles/{article}",
                  f"/api/v1/articles/{article}/why"]
    for entity in entities:
        name = quote(entity["name"], safe="")
        paths += [f"/entities/{name}", f"/api/v1/entities/{name}"]
    return paths


def _semantic(base: str) -> list[tuple[str, float]]:
    body = json.loads(_get(base, "/api/v1/search?q=warehouse+blaze+at+the+harbour"
                                 "&mode=semantic")[2])
    return [(hit["id"], hit["score"]) for hit in body["items"]]


def test_serve_answers_the_same_on_postgresql_as_on_sqlite(
        tmp_path: Path, postgres_url: str, encoder: Any, web_inputs: list[str | Path]) -> None:
    sqlite_db = str(tmp_path / "web.db")
    for db in (sqlite_db, postgres_url):
        _ingest(db, web_inputs, encoder)
    with _serve(sqlite_db, tmp_path / "sqlite.log") as lite, \
            _serve(postgres_url, tmp_path / "postgres.log") as pg:
        paths = _paths(lite)
        assert paths == _paths(pg)  # the same stories, articles and entities, in one order
        differ = []
        for path in paths:
            one, other = _get(lite, path), _get(pg, path)
            if one != other:
                differ.append(f"{path}: {one[0]} {one[2][:300]!r} against"
                              f" {other[0]} {other[2][:300]!r}")
        assert not differ, "\n".join(differ[:10])
        assert _get(lite, "/api/v1/health")[0] == 200
        near, far = _semantic(lite), _semantic(pg)
        assert near and [i for i, _ in near] == [i for i, _ in far]
        assert all(abs(a - b) < 1e-5 for (_, a), (_, b) in zip(near, far, strict=True))
