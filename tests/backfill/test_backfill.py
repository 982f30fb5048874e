"""``storyline backfill`` stores what ``storyline ingest`` stores, on either engine; a killed
backfill resumes; a missing Ray is named.

The input is the demo corpus (34 HTML pages, some gzipped, with copies and outlet sign-offs)
and the local dev set (59 JSONL articles): one chunk for an ingest, so both runs see the same
time-sorted articles, and small batches (12) so that several are in flight in the workers.
Each run is the real command in a subprocess (a Ray cluster's processes, warnings and signals
stay out of the test process).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from storyline.backfill.ray_engine import import_ray
from storyline.cli import main
from storyline.errors import EngineError

REPO = Path(__file__).resolve().parents[2]
INPUTS = [REPO / "demo" / "corpus", REPO / "demo" / "local" / "articles.jsonl"]
ENV = {"STORYLINE_BATCH_SIZE": "12", "RAY_USAGE_STATS_ENABLED": "0"}

_TABLES = (
    "SELECT id, story_id, copy_of, keywords, events, title, text, published, outlet, url"
    " FROM articles ORDER BY id",
    "SELECT * FROM article_enrichment ORDER BY article_id",
    "SELECT article_id, evidence, runner_up, runner_up_score FROM article_evidence"
    " ORDER BY article_id",
    "SELECT id, name, type, mentions FROM entities ORDER BY id",
    "SELECT * FROM article_entities ORDER BY article_id, entity_id",
    "SELECT id, title, first_ts, last_ts, article_count FROM stories ORDER BY id",
)


def _storyline(db: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storyline.cli", "--db", str(db), *args],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **ENV},
    )  # fmt: skip


def _dump(db: Path) -> tuple[list[list[tuple]], dict[str, tuple[np.ndarray, np.ndarray]]]:
    conn = sqlite3.connect(db)
    try:
        tables = [conn.execute(sql).fetchall() for sql in _TABLES]
        vectors = {a: (np.frombuffer(h, np.float32), np.frombuffer(b, np.float32))
                   for a, h, b in conn.execute("SELECT article_id, head, body FROM embeddings")}
        return tables, vectors
    finally:
        conn.close()


def _assert_same(ingested: Path, backfilled: Path) -> None:
    (tables, vectors), (theirs, their_vectors) = _dump(ingested), _dump(backfilled)
    assert tables[0] and tables[1] and tables[5] and vectors  # articles, enrichment, stories
    for mine, other in zip(tables, theirs, strict=True):
        assert mine == other
    assert vectors.keys() == their_vectors.keys()
    for key, (head, body) in vectors.items():
        np.testing.assert_allclose(their_vectors[key][0], head, rtol=0, atol=1e-6)
        np.testing.assert_allclose(their_vectors[key][1], body, rtol=0, atol=1e-6)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The inputs through ``storyline ingest`` (two worker processes)."""
    db = tmp_path_factory.mktemp("ingest") / "ingest.db"
    done = _storyline(db, "ingest", "--no-progress", *map(str, INPUTS))
    assert done.returncode == 0, done.stderr
    return db


@pytest.mark.slow
def test_backfill_local_stores_what_ingest_stores(ingested: Path, tmp_path: Path) -> None:
    db = tmp_path / "local.db"
    done = _storyline(db, "backfill", "--engine", "local", "--workers", "2", "--no-progress",
                      *map(str, INPUTS))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 108, duplicates 0, rejected 0"), done.stdout
    _assert_same(ingested, db)
    again = _storyline(db, "backfill", "--engine", "local", "--workers", "1", "--no-progress",
                       *map(str, INPUTS))  # fmt: skip
    assert again.stdout.startswith("added 0, duplicates 108, rejected 0"), again.stdout
    _assert_same(ingested, db)


@pytest.mark.slow
@pytest.mark.ray
def test_backfill_ray_stores_what_ingest_stores(ingested: Path, tmp_path: Path) -> None:
    """Two Ray workers, a local cluster with a 100 MiB object store. Skipped without the
    ``ray`` extra, except in CI (``.ci/run`` sets ``STORYLINE_REQUIRE_RAY``)."""
    if not os.environ.get("STORYLINE_REQUIRE_RAY"):
        pytest.importorskip("ray")
    db = tmp_path / "ray.db"
    done = _storyline(db, "backfill", "--engine", "ray", "--workers", "2", "--object-store-mb",
                      "100", "--no-progress", *map(str, INPUTS))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 108, duplicates 0, rejected 0"), done.stdout
    _assert_same(ingested, db)


def _count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return 0
    finally:
        conn.close()


@pytest.mark.slow
def test_backfill_killed_then_rerun_stores_each_article_once(ingested: Path,
                                                            tmp_path: Path) -> None:  # fmt: skip
    """``kill -9`` of the backfill once it has stored some batches (its worker processes then
    exit by themselves), then a re-run: every article of the input is stored exactly once,
    each in a story, and the store is sound."""
    db, spool = tmp_path / "killed.db", tmp_path / "spool"
    log = (tmp_path / "killed.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyline.cli", "--db", str(db), "backfill", "--engine", "local",
         "--workers", "2", "--spool", str(spool), "--no-progress", *map(str, INPUTS)],
        stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, **ENV, "STORYLINE_BATCH_SIZE": "4"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while _count(db) < 12 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the backfill ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        log.close()
    stored = _count(db)
    assert 12 <= stored < 108
    assert len(list(spool.iterdir())) == 1  # the killed run's spool
    done = _storyline(db, "backfill", "--engine", "local", "--workers", "2", "--spool",
                      str(spool), "--no-progress", *map(str, INPUTS))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not list(spool.iterdir())  # the re-run removed it, and its own
    assert done.stdout.startswith(f"added {108 - stored}, duplicates {stored}"), done.stdout
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = [row[0] for row in conn.execute("SELECT id FROM articles")]
        assert conn.execute("SELECT count(*) FROM articles WHERE story_id IS NULL"
                            ).fetchone()[0] == 0  # fmt: skip
        counted = conn.execute("SELECT coalesce(sum(article_count), 0) FROM stories").fetchone()[0]
        originals = conn.execute("SELECT count(*) FROM articles WHERE copy_of IS NULL"
                                 ).fetchone()[0]  # fmt: skip
    finally:
        conn.close()
    expected = {row[0] for row in _dump(ingested)[0][0]}
    assert len(ids) == len(set(ids)) and set(ids) == expected
    assert counted == originals


def test_backfill_on_ray_without_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:  # fmt: skip
    """With Ray hidden (as on an install without the extra), ``--engine ray`` stops at once
    with a message naming ``storyline[ray]``; nothing is read."""
    monkeypatch.setitem(sys.modules, "ray", None)  # ``import ray`` now raises ImportError
    with pytest.raises(EngineError, match=r"storyline\[ray\]"):
        import_ray()
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.db"), "backfill", "--engine",
                                       "ray", "--no-progress", str(INPUTS[1])])  # fmt: skip
    assert result.exit_code == 3
    assert "pip install 'storyline[ray]'" in result.output
