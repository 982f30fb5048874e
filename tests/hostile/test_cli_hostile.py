"""The CLI under hostile conditions (issue 11), run as real subprocesses on real files.

A crash exits with its own code (3), not the "some inputs rejected" code (1); an ingest
stopped by SIGTERM says what it stored and exits 143; a read command never creates an empty
store where the one it was pointed at is missing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storyline.cli import EXIT_REJECTED, EXIT_USAGE

EXIT_FAILURE = 3


def _cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120,
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "storyline.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_cli_crash_exits_with_its_own_code(tmp_path: Path) -> None:
    """An unexpected exception (a bug) is not mistaken for rejected inputs."""
    (tmp_path / "a.txt").write_text("An article.", encoding="utf-8")
    code = ("import storyline.cli as cli, storyline.pipeline as pipeline\n"
            "def boom(*args, **kwargs):\n"
            "    raise RuntimeError('boom')\n"
            "pipeline.Pipeline.ingest_paths = boom\n"
            "cli.run()\n")
    proc = subprocess.run(
        [sys.executable, "-c", code, "--db", str(tmp_path / "s.db"), "ingest", "--no-progress",
         str(tmp_path / "a.txt")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_FAILURE != EXIT_REJECTED, proc.stderr
    assert "error:" in proc.stderr and "RuntimeError: boom" in proc.stderr


@pytest.mark.parametrize("args", [("stories",), ("show", "s123"), ("why", "u123"),
                                  ("entity", "Putin"), ("report", "s123"),
                                  ("serve", "--port", "0")])
def test_cli_read_commands_need_an_existing_store(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = tmp_path / "missing.db"
    proc = _cli("--db", str(db), *args, timeout=60)
    assert proc.returncode == EXIT_USAGE, (proc.stdout, proc.stderr)
    assert "no store at" in proc.stderr and str(db) in proc.stderr
    assert not db.exists()


def _corpus(root: Path, n: int) -> None:
    rng = random.Random(11)
    words = ["harbour", "council", "budget", "river", "bridge", "school", "hospital", "tram",
             "farmers", "museum", "festival", "storm", "factory", "court", "election", "rail",
             "port", "airport", "union", "market", "police", "library"]
    with open(root / "articles.jsonl", "w", encoding="utf-8") as fh:
        for i in range(n):
            body = " ".join(rng.choice(words) for _ in range(60))
            fh.write(json.dumps({
                "url": f"https://wire.example/{i}", "title": f"Report number {i}",
                "text": f"Officials said on day {i} that {body}.", "outlet": "Wire",
                "published": f"2025-0{1 + i % 3}-{1 + i % 27:02d}T10:00:00+00:00"}) + "\n")


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_cli_sigterm_reports_what_was_stored(tmp_path: Path) -> None:
    _corpus(tmp_path, 600)
    db = tmp_path / "term.db"
    env = {**os.environ, "STORYLINE_WORKERS": "1", "STORYLINE_ENRICH": "false",
           "STORYLINE_BATCH_SIZE": "8", "STORYLINE_CHUNK_SIZE": "16"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyline.cli", "--db", str(db), "ingest", "--no-progress",
         str(tmp_path / "articles.jsonl")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not _stored(db):
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest ended before it could be interrupted"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, (out, err)
    stored = _stored(db)
    assert 0 < stored < 600
    assert f"interrupted by SIGTERM: added {stored}" in out, (out, err)
