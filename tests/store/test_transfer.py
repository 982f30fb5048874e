"""``storyline migrate-store``: the demo store copied SQLite → PostgreSQL → SQLite, verified
table by table, and a copy stopped midway finished by running it again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline.cli import main
from storyline.errors import StoreError
from storyline.models import Follow
from storyline.store import open_store
from storyline.store.sql import SQLStore
from storyline.store.transfer import TABLES, checksum, copy_store

pytestmark = pytest.mark.slow  # the demo store is made by a real ingest


def _open(location: str) -> SQLStore:
    store = open_store(location)
    assert isinstance(store, SQLStore)
    return store


def _view(location: str) -> tuple[object, ...]:
    with open_store(location) as store:
        stories = store.list_stories()
        return (stories, [store.get_story(s.id) for s in stories],
                [a.id for a in store.search_text("earthquake")], store.list_entities(limit=10),
                store.counts())


def test_transfer_sqlite_to_postgres_and_back_keeps_every_table(
    demo_sqlite: str, postgres_url: str, tmp_path: Path,
) -> None:
    back = str(tmp_path / "back.db")
    runner = CliRunner()
    there = runner.invoke(main, ["migrate-store", demo_sqlite, postgres_url])
    assert there.exit_code == 0, there.output
    assert "articles: 49 rows (49 copied, 0 already there)" in there.output
    again = runner.invoke(main, ["migrate-store", demo_sqlite, postgres_url])
    assert again.exit_code == 0 and "articles: 49 rows (0 copied, 49 already there)" in again.output
    home = runner.invoke(main, ["migrate-store", postgres_url, back])
    assert home.exit_code == 0, home.output
    with _open(demo_sqlite) as a, _open(postgres_url) as b, _open(back) as c:
        for table in TABLES:
            assert checksum(a, table) == checksum(b, table) == checksum(c, table), table.name
    assert _view(demo_sqlite)[:2] == _view(postgres_url)[:2] == _view(back)[:2]
    assert _view(demo_sqlite)[2:] == _view(back)[2:]
    assert set(_view(postgres_url)[2]) == set(_view(demo_sqlite)[2])  # same hits, own ranking


def test_transfer_stopped_midway_then_run_again_finishes_the_copy(
    demo_sqlite: str, postgres_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import storyline.store.transfer as transfer

    monkeypatch.setattr(transfer, "CHUNK", 10)
    calls = {"n": 0}
    real = SQLStore.insert_rows

    def failing(self: SQLStore, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # stories, then articles 1-10, 11-20; the fourth fails
            raise KeyboardInterrupt
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    with _open(demo_sqlite) as source, _open(postgres_url) as target:
        monkeypatch.setattr(SQLStore, "insert_rows", failing)
        with pytest.raises(KeyboardInterrupt):
            copy_store(source, target)
        assert target.counts()["articles"] == 20
        monkeypatch.setattr(SQLStore, "insert_rows", real)
        checks = {c.table: c for c in copy_store(source, target)}
    assert (checks["articles"].copied, checks["articles"].skipped) == (29, 20)
    assert all(c.ok for c in checks.values())


def test_transfer_into_a_store_with_other_contents_fails_verification(
    demo_sqlite: str, tmp_path: Path,
) -> None:
    other = str(tmp_path / "other.db")
    with _open(demo_sqlite) as source, _open(other) as target:
        target.add_follow(Follow("f-other", "query", "volcano", "volcano",
                                 datetime(2025, 1, 1, tzinfo=UTC)))
        with pytest.raises(StoreError, match="follows"):
            copy_store(source, target)
