"""The ingest pipeline end to end: seeds → one story, re-ingest, late arrivals, crashes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storyline.config import Settings
from storyline.pipeline import Pipeline

pytestmark = pytest.mark.slow

TOPICS = [
    ("harbour", "The harbour authority approved night shifts at the east terminal"),
    ("flood", "Floodwater closed the river road and two schools in the lower town"),
    ("vote", "The regional assembly voted to delay the budget by three weeks"),
    ("recall", "The carmaker recalled forty thousand vans over faulty brakes"),
]


def _jsonl_corpus(root: Path, n: int, *, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        key, lede = TOPICS[i % len(TOPICS)]
        words = " ".join(
            rng.choice(["officials", "residents", "engineers", "unions", "traders"])
            for _ in range(12)
        )
        rows.append(
            {
                "url": f"https://wire.example/{key}/{i}",
                "title": f"{lede.split(' ')[1].title()} update {i}",
                "text": f"{lede}, officials said on day {i}. Reaction from {words} followed.",
                "published": f"2025-0{1 + i % 3}-{1 + i % 27:02d}T10:00:00+00:00",
                "outlet": "Wire",
                "authors": ["A. Writer"],
                "language": "en",
            }
        )
    for part in range(0, n, 40):
        with open(root / f"part{part:04d}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows[part : part + 40]:
                fh.write(json.dumps(row) + "\n")
    return rows


def test_pipeline_seeds_form_one_story(store, encoder, seeds_dir: Path) -> None:
    report = Pipeline(store, encoder=encoder).ingest_paths([seeds_dir])
    assert (report.added, report.duplicates, report.rejected) == (2, 0, 0)
    stories = store.list_stories()
    assert len(stories) == 1
    detail = store.get_story(stories[0].id)
    rows = [(a.published.date().isoformat(), a.outlet, a.title) for a in detail.articles]
    assert rows == [
        ("2024-03-19", "The Kyiv Independent", "Reuters: Putin to visit China in May"),
        (
            "2024-05-14",
            "The Moscow Times",
            "Putin to Visit China in First Foreign Trip Since Re-Election",
        ),
    ]
    again = Pipeline(store, encoder=encoder).ingest_paths([seeds_dir])
    assert (again.added, again.duplicates) == (0, 2)
    assert store.counts() == {"articles": 2, "stories": 1}


def test_pipeline_late_old_article_joins_its_story(store, encoder, seeds_dir: Path) -> None:
    """The May article first, the March one later: they still meet."""
    later, earlier = sorted(seeds_dir.iterdir(), reverse=True)
    Pipeline(store, encoder=encoder).ingest_paths([later])
    Pipeline(store, encoder=encoder).ingest_paths([earlier])
    stories = store.list_stories()
    assert len(stories) == 1 and stories[0].article_count == 2


def test_pipeline_bad_items_do_not_stop_the_batch(store, encoder, tmp_path: Path) -> None:
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    rows = _jsonl_corpus(tmp_path, 8)
    (tmp_path / "zz-broken.jsonl").write_text('{"title": "x"\n', encoding="utf-8")
    (tmp_path / "zz-empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "zz-undated.txt").write_text(
        "Ferry strike ends\n\nFerry crews returned to work after the union accepted a pay offer "
        "that raises wages by six percent over two years, the company said.",
        encoding="utf-8",
    )
    report = Pipeline(store, encoder=encoder).ingest_paths([tmp_path])
    assert report.added == len(rows) + 1
    assert sorted(Path(r.source.split(":")[0]).name for r in report.rejections) == [
        "zz-broken.jsonl",
        "zz-empty.txt",
    ]
    undated = [a for a in store.iter_articles() if a.title == "Ferry strike ends"]
    assert undated and undated[0].date_inferred


def test_pipeline_interrupted_ingest_then_rerun_stores_each_article_once(
        tmp_path: Path, new_store_db, store_rows, store_sound) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = _jsonl_corpus(corpus, 240)
    db = new_store_db(tmp_path / "crash.db")
    env = {**os.environ, "STORYLINE_BATCH_SIZE": "8", "STORYLINE_CHUNK_SIZE": "16"}
    cmd = [
        sys.executable,
        "-m",
        "storyline.cli",
        "--db",
        str(db),
        "ingest",
        "--no-progress",
        str(corpus),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            stored = store_rows(db, "SELECT COUNT(*) FROM articles")[0][0]
        except Exception:  # noqa: BLE001 - sqlite3.Error, psycopg.Error: not there yet
            continue
        if stored >= 24:
            break
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < stored < len(rows)
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert store_sound(db)
    urls = [r[0] for r in store_rows(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(r["url"] for r in rows)
    assert store_rows(db, "SELECT COUNT(*) FROM articles WHERE story_id IS NULL")[0][0] == 0
    assert store_rows(db, "SELECT SUM(article_count) FROM stories")[0][0] == len(rows)
    assert store_rows(db, "SELECT COUNT(*) FROM embeddings")[0][0] == len(rows)


def test_pipeline_settings_window_closes_old_stories(store, encoder, seeds_dir: Path) -> None:
    """With a window shorter than the seeds' 56-day gap, they cannot meet."""
    Pipeline(store, encoder=encoder, settings=Settings(window_days=20)).ingest_paths([seeds_dir])
    assert store.counts()["stories"] == 2


def _article_file(root: Path, name: str, url: str, title: str, text: str) -> Path:
    path = root / f"{name}.jsonl"
    row = {"url": url, "title": title, "text": text, "published": "2025-03-04T09:00:00+00:00",
           "outlet": "Wire", "language": "en"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


def test_pipeline_two_writers_share_stories_instead_of_starting_twins(
    tmp_path: Path, encoder, new_store_db
) -> None:
    """Two pipelines on one store file (a CLI ingest and the web API, say): an article that
    one of them stored is seen by the other, whose open stories were loaded before it."""
    from storyline.embedding import DEFAULT_MODEL
    from storyline.store import open_store

    quake = ("A magnitude 6.2 earthquake struck near Tierra Amarilla in Chile's Atacama region "
             "on Tuesday, killing two people and damaging hundreds of homes, officials said.")
    files = {
        "other": _article_file(tmp_path, "other", "https://wire.example/budget",
                               "Assembly delays the regional budget by three weeks",
                               "The regional assembly voted to delay the budget by three weeks "
                               "after a dispute over school funding, its speaker said."),
        "first": _article_file(tmp_path, "first", "https://wire.example/quake-1",
                               "Deadly earthquake strikes Chile's Atacama region", quake),
        "second": _article_file(tmp_path, "second", "https://ledger.example/quake-2",
                                "Earthquake kills two in Chile's Atacama region",
                                quake.replace("officials said", "the disaster agency said")),
    }
    db = new_store_db(tmp_path / "shared.db")
    one, two = (open_store(db, model_name=DEFAULT_MODEL) for _ in range(2))
    try:
        settings = Settings(enrich=False)
        a = Pipeline(one, settings=settings, encoder=encoder)
        b = Pipeline(two, settings=settings, encoder=encoder)
        b.ingest_paths([files["other"]])  # b loads the open stories of early March
        a.ingest_paths([files["first"]])  # a stores the first quake report
        report = b.ingest_paths([files["second"], files["first"]])
        assert report.added == 1 and report.duplicates == 1
        story = {x.url: x.story_id for x in one.iter_articles()}
        assert story["https://ledger.example/quake-2"] == story["https://wire.example/quake-1"]
        assert len({*story.values()}) == 2
        # The second report is the first's text with two words changed: stored as its copy
        # (stories/copies.py), in its story.
        assert {s.article_count + s.copy_count for s in one.list_stories()} == {1, 2}
    finally:
        one.close()
        two.close()


def test_pipeline_cuts_an_outlets_signoffs_and_keeps_lookalike_incidents_apart(
        store, encoder, tmp_path: Path) -> None:
    """Local look-alikes (``demo/local``: one city, one spokesman, one sign-off under every
    story): the sign-offs are cut from the stored bodies, and the four house fires of one
    week stay four stories."""
    from storyline.evaluation.runs import DEMO_DIR

    local = DEMO_DIR / "local"
    gold = json.loads((local / "gold.json").read_text(encoding="utf-8"))["articles"]
    report = Pipeline(store, encoder=encoder).ingest_paths([local / "articles.jsonl"])
    assert report.rejected == 0
    articles = list(store.iter_articles())
    assert not any("All rights reserved" in a.text for a in articles)
    fires: dict[str, set[str | None]] = {}
    for article in articles:
        event = gold[article.url]
        if event.startswith("fire-"):
            fires.setdefault(event, set()).add(article.story_id)
    assert len(fires) == 4
    assert all(len(stories) == 1 for stories in fires.values()), fires
    assert len(set().union(*fires.values())) == 4, fires
