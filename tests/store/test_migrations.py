"""Schema migrations when several connections open one new store at once."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from storyline.store.migrations import MIGRATIONS, migrate


class _Overtaken(sqlite3.Connection):
    """A connection overtaken by another: just before its first ``BEGIN IMMEDIATE`` (after
    it has read which migrations are recorded), a second connection applies them all."""

    overtake_with: str = ""

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if sql == "BEGIN IMMEDIATE" and self.overtake_with:
            path, self.overtake_with = self.overtake_with, ""
            other = sqlite3.connect(path, isolation_level=None)
            try:
                assert migrate(other) == [name for name, _ in MIGRATIONS]
            finally:
                other.close()
        return super().execute(sql, *args)


def test_migrations_skip_what_another_connection_applied_meanwhile(tmp_path: Path) -> None:
    path = str(tmp_path / "new.db")
    conn = sqlite3.connect(path, isolation_level=None, factory=_Overtaken)
    conn.overtake_with = path
    try:
        assert migrate(conn) == []  # was: "table stories already exists"
        names = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY name")]
        assert names == sorted(name for name, _ in MIGRATIONS)
        assert not conn.in_transaction
    finally:
        conn.close()


def _migrate_at_once(path: str, connections: int) -> tuple[list[list[str]], list[Exception]]:
    """``migrate`` on ``connections`` connections to ``path``, released together; what each
    applied, and the errors."""
    conns = [sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
             for _ in range(connections)]  # fmt: skip
    start = threading.Barrier(connections)
    applied: list[list[str]] = []
    errors: list[Exception] = []

    def run(conn: sqlite3.Connection) -> None:
        start.wait()
        try:
            applied.append(migrate(conn))
        except sqlite3.Error as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in conns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for conn in conns:
        conn.close()
    return applied, errors


def test_migrations_four_connections_opening_a_new_store_at_once(tmp_path: Path) -> None:
    # Before the fix, about one attempt in five failed ("table stories already exists").
    for attempt in range(20):
        applied, errors = _migrate_at_once(str(tmp_path / f"race{attempt}.db"), 4)
        assert errors == []
        assert sorted(n for names in applied for n in names) == sorted(n for n, _ in MIGRATIONS)
