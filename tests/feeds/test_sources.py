"""Scheduling and health (adaptive intervals, backoff that never stops), the store's feed
tables, and discovery through the fetcher."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from feedsite import Entry, Route, Site, article_text

from storyline.feeds.discover import discover
from storyline.feeds.fetch import Fetcher, FetchOptions
from storyline.feeds.sources import (
    Schedule,
    adapt_interval,
    after_failure,
    after_success,
    follow,
    health,
    new_feed,
)
from storyline.models import EntryKey
from storyline.store import open_store

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
BOUNDS = Schedule(min_interval=300, max_interval=21600)


def test_sources_interval_follows_the_publishing_pace() -> None:
    hourly = [NOW - timedelta(hours=h) for h in range(10)]
    assert adapt_interval(900, published=hourly, found_new=True, schedule=BOUNDS) == 1800
    daily = [NOW - timedelta(days=d) for d in range(5)]
    assert adapt_interval(900, published=daily, found_new=False, schedule=BOUNDS) == 21600
    burst = [NOW - timedelta(seconds=30 * i) for i in range(5)]
    assert adapt_interval(900, published=burst, found_new=True, schedule=BOUNDS) == 300
    # Without dates: halve on news, grow by half without.
    assert adapt_interval(1200, published=[], found_new=True, schedule=BOUNDS) == 600
    assert adapt_interval(1200, published=[], found_new=False, schedule=BOUNDS) == 1800


def test_sources_failing_feed_backs_off_within_bounds_and_never_stops() -> None:
    feed = new_feed("http://x.example/feed", schedule=BOUNDS, now=NOW)
    waits = []
    for _ in range(12):
        after_failure(feed, "HTTP 500", now=NOW, retry_after=None, schedule=BOUNDS)
        assert feed.next_check is not None
        waits.append((feed.next_check - NOW).total_seconds())
    assert 270 <= waits[0] <= 330 and 540 <= waits[1] <= 660  # doubling, ±10 % jitter
    assert max(waits) <= 21600 * 1.1 and waits[-1] >= 21600 * 0.9  # capped, still scheduled
    assert feed.consecutive_errors == 12 and health(feed, now=NOW)["state"] == "failing"
    after_failure(feed, "HTTP 429", now=NOW, retry_after=86400, schedule=BOUNDS)
    assert feed.next_check == NOW + timedelta(days=1)  # Retry-After beyond the backoff
    after_success(feed, now=NOW, not_modified=False, new_entries=2, published=[],
                  schedule=BOUNDS)
    assert feed.consecutive_errors == 0 and feed.last_error == "HTTP 429"
    assert health(feed, now=NOW)["state"] == "ok" and feed.last_new_entry == NOW


def test_sources_store_seen_entries_match_on_any_key(tmp_path: Path, new_store_db) -> None:
    store = open_store(new_store_db(tmp_path / "s.db"))
    try:
        feed, new = follow(store, "http://x.example/feed")
        assert new and follow(store, "http://x.example/feed")[1] is False
        seen = [EntryKey("g1", "https://x.example/a", "h1"), EntryKey(None, None, "h2")]
        assert store.record_poll(feed, seen)
        probe = [EntryKey("g1", None, None), EntryKey("zz", "https://x.example/a", None),
                 EntryKey("zz", None, "h2"), EntryKey("g9", "https://x.example/b", "h9"),
                 EntryKey(None, None, None)]
        assert store.seen_entries(feed.url, probe) == [True, True, True, False, False]
        assert store.seen_entries("http://other.example/feed", probe[:1]) == [False]
        assert store.get_feed(feed.url).entries_seen == 2
        assert [f.url for f in store.due_feeds(datetime.now(UTC).timestamp())] == [feed.url]
        store.remove_feed(feed.url)
        assert not store.record_poll(feed, seen)  # removed meanwhile: nothing written
        count = store.conn.execute("SELECT COUNT(*) FROM feed_entries").fetchone()[0]
        assert count == 0
    finally:
        store.close()


def _discover(options: FetchOptions, url: str) -> list[str]:
    async def go() -> list[str]:
        async with Fetcher(options) as fetcher:
            return await discover(fetcher, url)

    return asyncio.run(go())


def test_discover_announced_usual_and_unsafe_candidates(site: Site,
                                                        options: FetchOptions) -> None:
    feed = site.feed("/blog/atom.xml", "Blog", [Entry("b", "http://b.example/1", "T",
                                                      article_text("blog"))])
    html = ('<html><head><link rel="alternate" type="application/rss+xml"'
            ' href="http://169.254.169.254/feed.xml">'
            '<link rel="alternate" type="application/atom+xml" href="/blog/atom.xml">'
            "</head><body></body></html>")
    site.routes["/blog/"] = Route(body=html.encode(), content_type="text/html")
    assert _discover(options, site.url("/blog/")) == [feed]  # the metadata one refused
    assert _discover(options, feed) == [feed]  # a feed is its own feed
    site.routes["/plain/"] = Route(body=b"<html><body>No links</body></html>",
                                   content_type="text/html")
    site.feed("/feed", "Usual", [])
    assert _discover(options, site.url("/plain/")) == [site.url("/feed")]


def test_sources_settings_that_would_break_polling_are_refused() -> None:
    from storyline.config import Settings
    from storyline.errors import ConfigError

    for bad in ({"fetch_timeout": 0}, {"fetch_deadline": -1}, {"feed_min_interval": -5},
                {"fetch_host_connections": 0}, {"fetch_retries": -1}):
        with pytest.raises(ConfigError):
            Settings(**bad)  # type: ignore[arg-type]
    assert Schedule.from_settings(Settings(feed_min_interval=600, feed_max_interval=60)) == \
        Schedule(600, 600)
