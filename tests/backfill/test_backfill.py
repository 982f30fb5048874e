"""``storyline backfill`` stores what ``storyline ingest`` stores, on either engine; a killed
backfill resumes; a missing Ray is named.

The input is the demo corpus (34 HTML pages, some gzipped, with copies and outlet sign-offs)
and the local dev set (59 JSONL articles): one chunk for an ingest, so both runs see the same
time-sorted articles, and small batches (12) so that several are in flight in the workers.
Each run is the real command in a subprocess (a Ray cluster's processes, warnings and signals
stay out of the test process). The stores are made by ``make_store_db``/``new_store_db``, so
these tests also run on the PostgreSQL pass (``tests/conftest.py``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from storyline.backfill.ray_engine import import_ray
from storyline.cli import main
from storyline.embedding import DEFAULT_MODEL
from storyline.errors import EngineError
from storyline.store import open_store

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


Rows = Callable[..., list[tuple[Any, ...]]]


def _storyline(db: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storyline.cli", "--db", db, *args],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **ENV},
    )  # fmt: skip


def _dump(db: str, rows: Rows
          ) -> tuple[list[list[tuple]], dict[str, tuple[np.ndarray, np.ndarray]]]:
    tables = [rows(db, sql) for sql in _TABLES]
    with open_store(db, model_name=DEFAULT_MODEL) as store:
        vectors = store.cached_vectors(row[0] for row in tables[0])
    return tables, vectors


def _assert_same(ingested: str, backfilled: str, rows: Rows) -> None:
    (tables, vectors), (theirs, their_vectors) = _dump(ingested, rows), _dump(backfilled, rows)
    assert tables[0] and tables[1] and tables[5] and vectors  # articles, enrichment, stories
    for mine, other in zip(tables, theirs, strict=True):
        assert mine == other
    assert vectors.keys() == their_vectors.keys()
    for key, (head, body) in vectors.items():
        np.testing.assert_allclose(their_vectors[key][0], head, rtol=0, atol=1e-6)
        np.testing.assert_allclose(their_vectors[key][1], body, rtol=0, atol=1e-6)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory,
             make_store_db: Callable[[Path], str]) -> str:
    """The inputs through ``storyline ingest`` (two worker processes)."""
    db = make_store_db(tmp_path_factory.mktemp("ingest") / "ingest.db")
    done = _storyline(db, "ingest", "--no-progress", *map(str, INPUTS))
    assert done.returncode == 0, done.stderr
    return db


@pytest.mark.slow
def test_backfill_local_stores_what_ingest_stores(ingested: str, tmp_path: Path, new_store_db,
                                                  store_rows: Rows) -> None:  # fmt: skip
    db = new_store_db(tmp_path / "local.db")
    done = _storyline(db, "backfill", "--engine", "local", "--workers", "2", "--no-progress",
                      *map(str, INPUTS))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 108, duplicates 0, rejected 0"), done.stdout
    _assert_same(ingested, db, store_rows)
    again = _storyline(db, "backfill", "--engine", "local", "--workers", "1", "--no-progress",
                       *map(str, INPUTS))  # fmt: skip
    assert again.stdout.startswith("added 0, duplicates 108, rejected 0"), again.stdout
    _assert_same(ingested, db, store_rows)


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.sqlite_only("the engine never touches the store: the backfill writes as on the"
                         " local engine, which the PostgreSQL pass runs")
def test_backfill_ray_stores_what_ingest_stores(ingested: str, tmp_path: Path, new_store_db,
                                                store_rows: Rows) -> None:  # fmt: skip
    """Two Ray workers, a local cluster with a 100 MiB object store. Skipped without the
    ``ray`` extra, except in CI (``.ci/run`` sets ``STORYLINE_REQUIRE_RAY``)."""
    if not os.environ.get("STORYLINE_REQUIRE_RAY"):
        pytest.importorskip("ray")
    db = new_store_db(tmp_path / "ray.db")
    done = _storyline(db, "backfill", "--engine", "ray", "--workers", "2", "--object-store-mb",
                      "100", "--no-progress", *map(str, INPUTS))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 108, duplicates 0, rejected 0"), done.stdout
    _assert_same(ingested, db, store_rows)


def _count(db: str, rows: Rows) -> int:
    """Articles stored so far; 0 while the store is not there or not migrated yet."""
    try:
        return int(rows(db, "SELECT count(*) FROM articles")[0][0])
    except Exception:  # noqa: BLE001 - sqlite3.Error or psycopg.Error: not there yet
        return 0


def _stat(pid: int) -> list[str]:
    """Fields 3… of ``/proc/PID/stat`` (state, parent, …); empty once the process is gone."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _processes_of(root: int, mark: str) -> set[int]:
    """The live processes ``root`` started (its descendants) and those whose command line
    names ``mark`` (a Ray cluster's daemons, started under the run's own temp folder)."""
    parents: dict[int, int] = {}
    marked: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if not stat or stat[0] == "Z":
            continue
        parents[int(entry.name)] = int(stat[1])
        with contextlib.suppress(OSError):
            if mark.encode() in (entry / "cmdline").read_bytes():
                marked.add(int(entry.name))
    found, grew = {root} | marked, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return {pid for pid in found if pid in parents}


def _running(pids: set[int]) -> set[int]:
    """Those of ``pids`` that still run (neither gone nor zombies waiting to be reaped)."""
    return {pid for pid in pids if (stat := _stat(pid)) and stat[0] != "Z"}


@contextlib.contextmanager
def _own_processes(proc_tmp: Path) -> Iterator[Callable[[int], set[int]]]:
    """Yields ``track(root)``: the processes of a run started with ``RAY_TMPDIR`` at
    ``proc_tmp`` (see ``_processes_of``), remembered; at the end kills every remembered or
    marked process still there, so that a killed Ray driver's local cluster (GCS, raylet,
    workers, which do not die with it) does not outlive the test, and removes the folder."""
    known: set[int] = set()

    def track(root: int) -> set[int]:
        found = _processes_of(root, str(proc_tmp))
        known.update(found)
        return found

    try:
        yield track
    finally:
        left = _running(known) | _processes_of(-1, str(proc_tmp))
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _running(left) and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(proc_tmp, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["local", pytest.param("ray", marks=[
    pytest.mark.ray, pytest.mark.sqlite_only("Ray's leftover processes do not depend on the"
                                             " store; the local kill runs on PostgreSQL")])])
def test_backfill_killed_then_rerun_stores_each_article_once(
        engine: str, ingested: str, tmp_path: Path, new_store_db, store_rows: Rows,
        store_sound: Callable[[str], bool]) -> None:
    """``kill -9`` of the backfill once it has stored some batches, then a re-run: every
    article of the input is stored exactly once, each in a story, and the store is sound.
    On the local engine the worker processes exit by themselves; a killed Ray driver leaves
    its local cluster running, which the test kills (it started it)."""
    if engine == "ray" and not os.environ.get("STORYLINE_REQUIRE_RAY"):
        pytest.importorskip("ray")
    db, spool = new_store_db(tmp_path / "killed.db"), tmp_path / "spool"
    # Ray's unix sockets live under its temp folder: a short path of its own, outside pytest's.
    proc_tmp = Path(tempfile.mkdtemp(prefix="slk-"))
    log = (tmp_path / "killed.log").open("wb")
    with _own_processes(proc_tmp) as track:
        proc = subprocess.Popen(
            [sys.executable, "-m", "storyline.cli", "--db", db, "backfill", "--engine", engine,
             "--workers", "2", "--object-store-mb", "100", "--spool", str(spool),
             "--no-progress", *map(str, INPUTS)],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, **ENV, "STORYLINE_BATCH_SIZE": "4", "RAY_TMPDIR": str(proc_tmp)},
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 300
            while (_count(db, store_rows) < 12 and proc.poll() is None
                   and time.monotonic() < deadline):  # fmt: skip
                time.sleep(0.05)
            assert proc.poll() is None, "the backfill ended before it could be killed"
            started = track(proc.pid) - {proc.pid}
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            log.close()
        assert started, "the backfill had started no worker processes"
        if engine == "local":  # its workers see their parent die and exit
            deadline = time.monotonic() + 30
            while _running(started) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _running(started), "the killed backfill's workers outlived it"
    assert not _running(started) | _processes_of(-1, str(proc_tmp)), \
        "processes of the killed run remain"
    stored = _count(db, store_rows)
    assert 12 <= stored < 108
    assert len(list(spool.iterdir())) == 1  # the killed run's spool
    done = _storyline(db, "backfill", "--engine", "local", "--workers", "2", "--spool",
                      str(spool), "--no-progress", *map(str, INPUTS))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not list(spool.iterdir())  # the re-run removed it, and its own
    assert done.stdout.startswith(f"added {108 - stored}, duplicates {stored}"), done.stdout
    assert store_sound(db)
    ids = [row[0] for row in store_rows(db, "SELECT id FROM articles")]
    assert store_rows(db, "SELECT count(*) FROM articles WHERE story_id IS NULL")[0][0] == 0
    counted = store_rows(db, "SELECT coalesce(sum(article_count), 0) FROM stories")[0][0]
    originals = store_rows(db, "SELECT count(*) FROM articles WHERE copy_of IS NULL")[0][0]
    expected = {row[0] for row in _dump(ingested, store_rows)[0][0]}
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
