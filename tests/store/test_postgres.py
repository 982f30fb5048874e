"""What is PostgreSQL's own: migrations under an advisory lock, the HNSW index, opening by
URL, the missing extra; and end to end, ``storyline ingest`` of the demo corpus gives the
stories it gives on SQLite, also with two processes ingesting into one database at once."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from storyline.errors import StoreError
from storyline.store import open_store

psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL tests need the postgres extra")

from store_samples import ingest_cli, sample_article, write_story  # noqa: E402, I001

from storyline.store.postgres import PostgresStore, redact  # noqa: E402
from storyline.store.postgres_migrations import MIGRATIONS  # noqa: E402


def test_postgres_open_store_takes_a_url_and_migrates_once(postgres_url: str) -> None:
    store = open_store(postgres_url, model_name="m")
    assert isinstance(store, PostgresStore)
    store.close()
    with open_store(postgres_url) as again:
        assert isinstance(again, PostgresStore)
        names = [r[0] for r in again.conn.execute("SELECT name FROM migrations")]
        assert names == [name for name, _ in MIGRATIONS]


def test_postgres_four_connections_opening_a_new_store_at_once(
    postgres_databases: Callable[[], str],
) -> None:
    for _ in range(3):
        url = postgres_databases()
        start = threading.Barrier(4)
        errors: list[BaseException] = []
        stores: list[PostgresStore] = []

        def run(url: str = url, start: threading.Barrier = start,
                errors: list[BaseException] = errors, stores: list[PostgresStore] = stores
                ) -> None:
            start.wait()
            try:
                stores.append(PostgresStore(url))
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        names = [r[0] for r in stores[0].conn.execute("SELECT name FROM migrations")]
        assert names == [name for name, _ in MIGRATIONS]
        for store in stores:
            store.close()


def test_postgres_semantic_search_uses_the_hnsw_index(postgres_url: str) -> None:
    with PostgresStore(postgres_url, model_name="enc/one+two") as store:
        write_story(store, [sample_article(n) for n in range(1, 30)])
        indexes = [r[0] for r in store.conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'embeddings'")]
        assert any("hnsw" in i and "vector(384)" in i and "enc/one+two" in i for i in indexes)
        store.conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in store.conn.execute(
            "EXPLAIN SELECT article_id FROM embeddings WHERE model = 'enc/one+two'"
            " ORDER BY head::vector(384) <#> %s::vector(384) LIMIT 5",
            (store._vector_param(sample_article(7).head_vector),)))
        assert "Index Scan using embeddings_hnsw" in plan
        hits = store.nearest_articles(sample_article(7).head_vector, limit=3)
        assert hits[0][0].id == "a7" and hits[0][1] == pytest.approx(1.0)


def test_postgres_unreachable_server_and_password_are_reported_redacted() -> None:
    url = "postgresql://reader:s3cret@127.0.0.1:9/none?connect_timeout=2"
    assert redact(url) == "postgresql://reader:***@127.0.0.1:9/none?connect_timeout=2"
    with pytest.raises(StoreError, match="cannot open store") as caught:
        open_store(url)
    assert "s3cret" not in str(caught.value)


def test_postgres_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "storyline.store.postgres")
    with pytest.raises(StoreError, match=r"storyline\[postgres\]"):
        open_store("postgresql://localhost/storyline")


def test_postgres_refuses_a_nul_character_per_article(postgres_url: str) -> None:
    from dataclasses import replace

    with PostgresStore(postgres_url) as store:
        with pytest.raises(StoreError, match="NUL"):
            write_story(store, [replace(sample_article(1), title="a\x00b")])
        write_story(store, [replace(sample_article(2), raw="raw\x00bytes")])  # stored packed
        assert store.get_article("a2").raw == "raw\x00bytes"


# --- end to end: the CLI on the demo corpus -----------------------------------------------
def _stories(db: str) -> tuple[dict[str, str | None], dict[str, str]]:
    """Each article's story, and each story's title."""
    with open_store(db) as store:
        grouping = {a.id: a.story_id for a in store.iter_articles()}
        titles = {s.id: s.title for s in store.list_stories()}
    return grouping, titles


@pytest.fixture(scope="module")
def demo_on_sqlite(demo_sqlite: str) -> tuple[dict[str, str | None], dict[str, str]]:
    return _stories(demo_sqlite)


@pytest.mark.slow
def test_postgres_ingest_of_the_demo_gives_the_stories_sqlite_gives(
    postgres_url: str, demo_dir: Path, demo_on_sqlite: tuple[dict, dict],
) -> None:
    run = ingest_cli(postgres_url, demo_dir / "corpus")
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert "rejected 0" in out
    grouping, titles = _stories(postgres_url)
    assert (grouping, titles) == demo_on_sqlite
    assert len(titles) == 9
    # Candidates came through the centroid index: one row per story, its span the story's.
    with psycopg.connect(postgres_url) as conn:
        spans = conn.execute("SELECT count(*) FROM story_vectors v JOIN stories s ON s.id ="
                             " v.story_id AND (v.first_ts, v.last_ts) = (s.first_ts, s.last_ts)"
                             ).fetchone()
    assert spans[0] == 9


@pytest.mark.slow
def test_postgres_two_processes_ingesting_one_corpus_at_once_store_each_article_once(
    postgres_url: str, demo_dir: Path, demo_on_sqlite: tuple[dict, dict],
) -> None:
    """Both ingest the whole demo corpus (named in other orders), in small batches, at once:
    each batch is assigned by one of them while the other waits for the write lock and then
    finds its articles stored. Without the lock both would start the same stories (twins);
    with it the stories are those of one ingest. (Inputs that only partly overlap are
    assigned in another order, which may group a borderline article otherwise: that is the
    online assigner's order, not a twin.)"""
    corpus = demo_dir / "corpus"
    env = {"STORYLINE_BATCH_SIZE": "4", "STORYLINE_WORKERS": "1"}
    runs = [ingest_cli(postgres_url, corpus / "text", corpus / "html", corpus / "jsonl", env=env),
            ingest_cli(postgres_url, corpus / "jsonl", corpus / "html", corpus / "text", env=env)]
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        outputs.append(out)
    grouping, titles = _stories(postgres_url)
    assert sorted(grouping) == sorted(demo_on_sqlite[0])  # every article, once
    assert (grouping, titles) == demo_on_sqlite  # no twin stories
    added = [int(out.split("added ")[1].split(",")[0]) for out in outputs]
    assert sum(added) == len(grouping), outputs


@pytest.mark.slow
def test_postgres_serves_the_pages_and_api_sqlite_serves(
    demo_sqlite: str, postgres_url: str, encoder: object,
) -> None:
    """``storyline serve --db postgresql://…``: the demo store copied into PostgreSQL answers
    every read route as its SQLite original does (text search ranks on its own, so only its
    hits are compared)."""
    pytest.importorskip("fastapi", reason="the web extra")
    from fastapi.testclient import TestClient

    from storyline.config import Settings
    from storyline.store.transfer import copy_store
    from storyline.web.server import create_app

    with open_store(demo_sqlite) as source, open_store(postgres_url) as target:
        copy_store(source, target)  # type: ignore[arg-type]
        story = source.list_stories()[0].id
        article = next(source.iter_articles(story_id=story)).id
    routes = ["/api/v1/health", "/api/v1/stories", f"/api/v1/stories/{story}",
              f"/api/v1/articles/{article}", f"/api/v1/articles/{article}/why",
              "/api/v1/entities", "/api/v1/follows", "/api/v1/alerts", "/api/v1/feeds",
              "/api/v1/stories?q=earthquake", "/api/v1/search?q=quake&mode=semantic"]
    pages = ["/", f"/stories/{story}", f"/articles/{article}", "/entities", "/alerts"]
    answers = []
    for db in (demo_sqlite, postgres_url):
        app = create_app(Settings(), store_path=db, encoder=encoder)  # type: ignore[arg-type]
        with TestClient(app) as client:
            got = {r: client.get(r) for r in [*routes, *pages]}
            assert all(g.status_code == 200 for g in got.values()), {
                r: g.status_code for r, g in got.items()}
            hits = client.get("/api/v1/search?q=quake&mode=text").json()
            answers.append(({r: got[r].json() for r in routes},
                            {r: got[r].text for r in pages},
                            sorted(h["id"] for h in hits["items"])))
    assert answers[0] == answers[1]
