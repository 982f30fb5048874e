"""The feed commands end to end: `feeds add` (discovery), `list` (health, --json), `remove`,
`import`/`export` (OPML), `watch --once`, `ingest https://…`; and `watch` killed with
SIGKILL mid-poll, then restarted: nothing lost, nothing twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from feedsite import Entry, Site, article_text, wait_until

from storyline.cli import main

ENV = {"STORYLINE_FETCH_ALLOWED_HOSTS": "127.0.0.1", "STORYLINE_ENRICH": "false",
       "STORYLINE_WORKERS": "1", "STORYLINE_FEED_MIN_INTERVAL": "0",
       "STORYLINE_FETCH_HOST_DELAY": "0", "STORYLINE_FETCH_RETRIES": "0",
       "STORYLINE_FETCH_TIMEOUT": "1", "STORYLINE_FETCH_DEADLINE": "2",
       "STORYLINE_FETCH_HOST_CONNECTIONS": "8"}


@pytest.fixture()
def env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    return ENV


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def entries(feed: int, n: int) -> list[Entry]:
    return [Entry(f"c{feed}-{i}", f"http://paper{feed}.example/a/{i}", f"Paper {feed} item {i}",
                  article_text(f"paper{feed}item{i}")) for i in range(n)]


def test_cli_feeds_add_discovers_list_remove(site: Site, env: dict[str, str],
                                             tmp_path: Path, new_store_db) -> None:  # fmt: skip
    db = new_store_db(tmp_path / "f.db")
    feed_url = site.feed("/news/rss.xml", "The Paper", entries(1, 2))
    site.routes["/"] = site.routes["/news/rss.xml"].__class__(
        body=(b'<html><head><link rel="alternate" type="application/rss+xml" href="'
              b'/news/rss.xml"></head><body>Home</body></html>'),
        content_type="text/html")
    code, out, err = run("--db", db, "feeds", "add", site.url("/"), site.url("/missing"),
                         "http://169.254.169.254/")
    assert code == 1
    assert f"following {feed_url} (found at {site.url('/')})" in out
    assert "not added: " + site.url("/missing") in err and "HTTP 404" in err
    assert "not a public address" in err
    code, out, _ = run("--db", db, "feeds", "add", feed_url)
    assert code == 0 and f"already following {feed_url}" in out
    code, out, _ = run("--db", db, "feeds", "list", "--json")
    (health,) = json.loads(out)
    assert health["url"] == feed_url and health["state"] == "new"
    assert health["site_url"] == site.url("/")
    code, out, _ = run("--db", db, "watch", "--once")
    assert code == 0 and "polled 1 feeds" in out and "added 2" in out
    code, out, _ = run("--db", db, "feeds", "list")
    assert code == 0 and "ok" in out and feed_url in out and "The Paper" in out
    code, out, _ = run("--db", db, "feeds", "remove", feed_url)
    assert code == 0
    code, _, err = run("--db", db, "feeds", "remove", feed_url)
    assert code == 2 and "no feed" in err
    code, out, _ = run("--db", db, "feeds", "list", "--json")
    assert json.loads(out) == []


def test_cli_feeds_list_shows_every_failure(site: Site, env: dict[str, str],
                                            tmp_path: Path, new_store_db: Any) -> None:
    db = new_store_db(tmp_path / "f.db")
    bad = [site.url(p) for p in ("/fault/500", "/fault/laughs", "/fault/image",
                                 "/fault/to-private")]
    code, _, _ = run("--db", db, "feeds", "add", "--no-discover", *bad)
    assert code == 0
    code, out, err = run("--db", db, "watch", "--once")
    assert code == 0 and "4 failed" in out
    assert all(url in err for url in bad)
    code, out, _ = run("--db", db, "feeds", "list")
    for reason in ("HTTP 500", "declares entities", "unexpected content type",
                   "not a public address"):
        assert f": {reason}" in out or reason in out, reason
    assert out.count("failing") == 4
    rows = json.loads(run("--db", db, "feeds", "list", "--json")[1])
    assert all(r["state"] == "failing" and r["consecutive_errors"] == 1 and r["last_error"]
               for r in rows)


def test_cli_feeds_import_export_opml(site: Site, env: dict[str, str], tmp_path: Path,
                                      new_store_db: Any) -> None:
    db = new_store_db(tmp_path / "f.db")
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>'
        '<outline text="News"><outline type="rss" text="A" xmlUrl="http://a.example/feed"/>'
        '<outline type="rss" text="B &amp; C" xmlUrl="https://b.example/rss.xml"/></outline>'
        '<outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>'
        "</body></opml>", encoding="utf-8")
    code, out, err = run("--db", db, "feeds", "import", str(opml))
    assert code == 1 and "added 2, already followed 0, refused 1" in out
    assert "file:///etc/passwd" in err
    code, out, _ = run("--db", db, "feeds", "import", str(opml))
    assert "added 0, already followed 2" in out
    exported = tmp_path / "out.opml"
    code, _, _ = run("--db", db, "feeds", "export", str(exported))
    assert code == 0
    again = new_store_db(tmp_path / "again.db")
    code, out, _ = run("--db", str(again), "feeds", "import", str(exported))
    assert code == 0 and "added 2" in out
    titles = {r["url"]: r["title"] for r in json.loads(run("--db", str(again), "feeds", "list",
                                                           "--json")[1])}  # fmt: skip
    assert titles == {"http://a.example/feed": "A", "https://b.example/rss.xml": "B & C"}
    hostile = tmp_path / "laughs.opml"
    hostile.write_text('<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
                       '<!ENTITY b "&a;&a;&a;&a;">]><opml version="2.0"><body>'
                       '<outline xmlUrl="http://x.example/&b;"/></body></opml>')
    code, _, err = run("--db", db, "feeds", "import", str(hostile))
    assert code == 2 and "declares entities" in err


def test_cli_ingest_url_fetches_feed_and_page(site: Site, env: dict[str, str],
                                              tmp_path: Path, new_store_db) -> None:  # fmt: skip
    db = new_store_db(tmp_path / "f.db")
    feed_url = site.feed("/one.xml", "One", entries(5, 2))
    page_url = site.page("/story.html", "A page", article_text("single page", 200))
    code, out, err = run("--db", db, "ingest", "--no-progress", feed_url, page_url,
                         site.url("/fault/xxe"))
    assert code == 1, err
    assert "added 3" in out and "rejected 1" in out and "declares entities" in err
    code, out, _ = run("--db", db, "ingest", "--no-progress", feed_url)
    assert code == 0 and "added 0, duplicates 2" in out


def _stored(db: str, rows: Any) -> list[str]:
    try:
        return [r[0] for r in rows(db, "SELECT url FROM articles")]
    except Exception:  # noqa: BLE001 - sqlite3.Error, psycopg.Error: not there yet
        return []


def test_cli_watch_killed_mid_poll_then_restarted_loses_nothing(
        site: Site, tmp_path: Path, new_store_db: Any, store_rows: Any, store_sound: Any) -> None:
    """SIGKILL once some batches of the first round are stored, then a restart: every entry
    stored, each once. Then SIGTERM stops a running watch cleanly (exit 0)."""
    db = new_store_db(tmp_path / "kill.db")
    expected = []
    for n in range(20):
        feed_entries = entries(n, 6)
        expected += [e.link for e in feed_entries]
        site.feed(f"/k{n}.xml", f"Paper {n}", feed_entries)
    env = {**os.environ, **ENV, "STORYLINE_BATCH_SIZE": "8", "STORYLINE_CHUNK_SIZE": "16"}
    base = [sys.executable, "-m", "storyline.cli", "--db", str(db)]
    subprocess.run([*base, "feeds", "add", "--no-discover",
                    *[site.url(f"/k{n}.xml") for n in range(20)]], env=env, check=True,
                   capture_output=True)
    proc = subprocess.Popen([*base, "watch"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: len(_stored(db, store_rows)) >= 16, timeout=120), \
            "nothing stored"
        stored = len(_stored(db, store_rows))
        assert proc.poll() is None and stored < len(expected), "the round ended before the kill"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    rerun = subprocess.run([*base, "watch", "--once"], env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    urls = _stored(db, store_rows)
    assert sorted(urls) == sorted(expected)  # nothing lost, nothing twice
    assert store_sound(db)
    assert store_rows(db, "SELECT COUNT(*) FROM articles WHERE story_id IS NULL")[0][0] == 0
    seen = store_rows(db, "SELECT COUNT(*) FROM feed_entries")[0][0]
    assert seen == len(expected)
    # A running watch stops on SIGTERM, cleanly, and says so.
    proc = subprocess.Popen([*base, "watch"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "stopped by SIGTERM" in out
    assert sorted(_stored(db, store_rows)) == sorted(expected)
