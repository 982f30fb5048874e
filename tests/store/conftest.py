"""The store tests run against both backends: ``store`` and ``store_location`` are
parametrized over SQLite (a temp file) and PostgreSQL (a new database on the test server,
``postgres_url`` in the root conftest; skipped with the reason when no server can be had)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.store import Store, open_store

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # store_samples.py, the articles the tests write
    sys.path.insert(0, HERE)


@pytest.fixture(params=["sqlite", "postgres"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh store of each backend lives: a SQLite path or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "test.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture()
def store(store_location: str) -> Iterator[Store]:
    """A fresh store of each backend."""
    from storyline.embedding import DEFAULT_MODEL

    s = open_store(store_location, model_name=DEFAULT_MODEL)
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> str:
    """A SQLite store of the demo corpus, made once by ``storyline ingest`` (read only)."""
    from store_samples import ingest_cli

    db = str(tmp_path_factory.mktemp("demo") / "demo.db")
    run = ingest_cli(db, demo_dir / "corpus")
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    return db
