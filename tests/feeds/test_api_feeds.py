"""Feeds over the API (reads open, writes need the token) and the /feeds page, beside a
watcher writing to the same store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from feedsite import Entry, Site, article_text

from storyline.config import Settings
from storyline.feeds.watch import Watcher
from storyline.store import open_store

TOKEN = "s3cret-feeds"


@pytest.fixture()
def api(tmp_path: Path, encoder: Any, watch_settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:  # fmt: skip
    from fastapi.testclient import TestClient

    from storyline.web.server import create_app

    monkeypatch.setenv("STORYLINE_API_TOKEN", TOKEN)
    app = create_app(watch_settings, store_path=watch_settings.db, encoder=encoder)
    with TestClient(app) as client:
        yield client


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_api_feeds_add_list_delete(api: Any, site: Site, watch_settings: Settings,
                                   encoder: Any) -> None:  # fmt: skip
    feed_url = site.feed("/api.xml", "Api Paper", [
        Entry("a1", "http://api.example/1", "First", article_text("apifirst"))])
    assert api.post("/api/v1/feeds", json={"url": feed_url}).status_code == 401
    refused = api.post("/api/v1/feeds", json={"url": "http://169.254.169.254/"}, headers=AUTH)
    assert refused.status_code == 400 and "not a public address" in refused.json()["detail"]
    added = api.post("/api/v1/feeds", json={"url": feed_url}, headers=AUTH)
    assert added.status_code == 200, added.text
    assert added.json()["new"] is True and added.json()["feed"]["state"] == "new"
    again = api.post("/api/v1/feeds", json={"url": feed_url}, headers=AUTH).json()
    assert again["new"] is False
    # A watcher on the same store polls what the API added; the API shows its health.
    store = open_store(watch_settings.db, model_name="test")
    try:
        assert Watcher(store, settings=watch_settings, encoder=encoder).poll_round().added == 1
    finally:
        store.close()
    (item,) = api.get("/api/v1/feeds").json()["items"]
    assert item["url"] == feed_url and item["state"] == "ok" and item["title"] == "Api Paper"
    assert item["entries_seen"] == 1 and item["last_new_entry"]
    page = api.get("/feeds")
    assert page.status_code == 200 and "Api Paper" in page.text and feed_url in page.text
    assert api.delete("/api/v1/feeds", params={"url": feed_url}).status_code == 401
    deleted = api.delete("/api/v1/feeds", params={"url": feed_url}, headers=AUTH)
    assert deleted.status_code == 200 and deleted.json()["deleted"]["url"] == feed_url
    missing = api.delete("/api/v1/feeds", params={"url": feed_url}, headers=AUTH)
    assert missing.status_code == 404 and missing.json()["error"] == "not found"
    assert api.get("/api/v1/feeds").json() == {"items": []}


def test_api_feeds_documented_with_response_models(api: Any) -> None:
    spec = api.get("/openapi.json").json()
    ops = spec["paths"]["/api/v1/feeds"]
    assert set(ops) == {"get", "post", "delete"}
    for operation in ops.values():
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ok.rsplit("/", 1)[-1] in {"FeedListOut", "FeedAddOut", "FeedDeletedOut"}
    assert "401" in ops["post"]["responses"] and "404" in ops["delete"]["responses"]


def test_api_feeds_page_escapes_and_shows_failures(api: Any, site: Site, tmp_path: Path,
                                                   watch_settings: Settings,
                                                   encoder: Any) -> None:  # fmt: skip
    hostile = site.feed("/x.xml", "<script>alert(1)</script>", [])
    api.post("/api/v1/feeds", json={"url": hostile, "discover": False}, headers=AUTH)
    api.post("/api/v1/feeds", json={"url": site.url("/fault/500"), "discover": False},
             headers=AUTH)
    store = open_store(watch_settings.db, model_name="test")
    try:
        Watcher(store, settings=watch_settings, encoder=encoder).poll_round()
    finally:
        store.close()
    page = api.get("/feeds").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "1 failing" in page and "Last error: HTTP 500" in page
