"""The watcher against the local server: 20 feeds in one round, conditional re-polls, faults
that never stop the other feeds and show in the feeds' health, entries that change GUID or
title, the same article in three feeds, summary-only entries read from their pages."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from feedsite import Entry, Route, Site, article_text

from storyline.config import Settings
from storyline.feeds.entries import SUMMARY_WORDS
from storyline.feeds.sources import follow
from storyline.feeds.watch import Watcher
from storyline.store import open_store
from storyline.store.sql import SQLStore


@pytest.fixture()
def wstore(watch_settings: Settings) -> Any:
    s = open_store(watch_settings.db, model_name="test")
    yield s
    s.close()


def entries(feed: int, n: int, *, start: int = 0) -> list[Entry]:
    return [Entry(f"f{feed}-e{i}", f"http://news{feed}.example/story/{i}",
                  f"Feed {feed} story {i}", article_text(f"feed{feed}story{i}"))
            for i in range(start, start + n)]


def urls_stored(store: SQLStore) -> list[str]:
    return sorted(r[0] for r in store.conn.execute("SELECT url FROM articles"))


def test_watch_20_feeds_in_one_round_then_conditional_get(site: Site, wstore: SQLStore,
                                                          watch_settings: Settings,
                                                          encoder: Any) -> None:  # fmt: skip
    for n in range(20):
        follow(wstore, site.feed(f"/feed{n}.xml", f"Outlet {n}", entries(n, 3)))
    watcher = Watcher(wstore, settings=watch_settings, encoder=encoder)
    started = time.monotonic()
    first = watcher.poll_round()
    took = time.monotonic() - started
    assert (first.polled, first.failed, first.new_entries, first.added) == (20, 0, 60, 60)
    assert took < Settings().feed_min_interval  # every new entry within one interval
    assert len(urls_stored(wstore)) == 60
    second = watcher.poll_round()
    assert (second.polled, second.not_modified, second.added) == (20, 20, 0)
    assert sum(site.not_modified.values()) == 20
    for n in range(5):  # five feeds publish one more entry each
        site.feed(f"/feed{n}.xml", f"Outlet {n}", entries(n, 1, start=3) + entries(n, 3))
    third = watcher.poll_round()
    assert (third.not_modified, third.new_entries, third.added, third.duplicates) == (15, 5, 5, 0)
    stored = urls_stored(wstore)
    assert len(stored) == len(set(stored)) == 65
    health = {f.url: f for f in wstore.list_feeds()}
    feed0 = health[site.url("/feed0.xml")]
    assert feed0.title == "Outlet 0" and feed0.entries_seen == 4
    assert feed0.last_status == "ok" and feed0.consecutive_errors == 0 and feed0.etag
    assert health[site.url("/feed9.xml")].last_status == "not modified"


def test_watch_keeps_polling_through_every_fault(site: Site, wstore: SQLStore,
                                                 watch_settings: Settings,
                                                 encoder: Any) -> None:  # fmt: skip
    good = [follow(wstore, site.feed(f"/good{n}.xml", f"Good {n}", entries(n, 2)))[0].url
            for n in range(3)]
    site.feed("/inner.xml", "Limited", entries(7, 1))
    faults = {
        site.url("/fault/500"): "HTTP 500",
        site.url("/fault/stall"): "timed out",
        site.url("/fault/drip"): "deadline",
        site.url("/fault/loop-a"): "redirect loop",
        site.url("/fault/image"): "unexpected content type",
        site.url("/fault/huge"): "limit",
        site.url("/fault/bomb"): "after decompression",
        site.url("/fault/laughs"): "declares entities",
        site.url("/fault/xxe"): "declares entities",
        site.url("/fault/to-metadata"): "not a public address",
        site.url("/missing.xml"): "HTTP 404",
        site.rate_limited("/limited.xml", "/inner.xml", refusals=1, retry_after=60): "HTTP 429",
    }
    for url in faults:
        follow(wstore, url)
    watcher = Watcher(wstore, settings=watch_settings, encoder=encoder)
    first = watcher.poll_round()
    assert first.failed == len(faults) and first.added == 6  # the good feeds go on
    feeds = {f.url: f for f in wstore.list_feeds()}
    for url, reason in faults.items():
        feed = feeds[url]
        assert feed.last_status == "error" and feed.consecutive_errors == 1, url
        assert reason in (feed.last_error or ""), (url, feed.last_error)
    # Retry-After is honoured by the schedule: the rate-limited feed is not due for a minute.
    limited = feeds[site.url("/limited.xml")]
    assert limited.next_check is not None and limited.last_fetch is not None
    assert (limited.next_check - limited.last_fetch).total_seconds() >= 59
    second = watcher.poll_round()
    assert second.polled == len(faults) - 1 + len(good)  # all but the rate-limited one
    again = {f.url: f for f in wstore.list_feeds()}
    assert again[site.url("/fault/500")].consecutive_errors == 2
    assert all(again[u].last_status == "not modified" for u in good)
    # A fault that goes away: the feed recovers and its errors are reset.
    site.feed("/fault/500", "Fixed", entries(9, 1))
    third = watcher.poll_round()
    fixed = wstore.get_feed(site.url("/fault/500"))
    assert fixed.consecutive_errors == 0 and fixed.last_status == "ok" and third.added == 1


def test_watch_entries_changing_guid_or_title_are_not_ingested_twice(
        site: Site, wstore: SQLStore, watch_settings: Settings, encoder: Any) -> None:
    original = entries(1, 4)
    url = follow(wstore, site.feed("/f.xml", "F", original))[0].url
    watcher = Watcher(wstore, settings=watch_settings, encoder=encoder)
    assert watcher.poll_round().added == 4
    changed = [
        Entry("new-guid-0", original[0].link, original[0].title, original[0].body),
        Entry(original[1].guid, original[1].link, "A new headline", original[1].body),
        # New GUID and new link (a re-post under another URL), same text.
        Entry("new-guid-2", "http://elsewhere.example/moved", original[2].title,
              original[2].body),
        # New GUID, same link, lightly edited text.
        Entry("new-guid-3", original[3].link, original[3].title, original[3].body + " Update."),
    ]
    site.feed("/f.xml", "F", changed)
    report = watcher.poll_round()
    assert (report.new_entries, report.added) == (0, 0)
    assert len(urls_stored(wstore)) == 4
    assert wstore.get_feed(url).entries_seen == 4


def test_watch_same_article_in_three_feeds_stored_once(site: Site, wstore: SQLStore,
                                                       watch_settings: Settings,
                                                       encoder: Any) -> None:  # fmt: skip
    shared_full = Entry("wire-1", "http://wire.example/big-story", "Big story",
                        article_text("bigstory"))
    summary = "Short summary of the harbour story, read the rest on the page."
    shared_summary = Entry("wire-2", site.url("/articles/harbour"), "Harbour story", summary)
    site.page("/articles/harbour", "Harbour story", article_text("harbourpage", 200))
    for n in range(3):
        follow(wstore, site.feed(f"/wire{n}.xml", f"Paper {n}",
                                 [Entry(f"p{n}-{shared_full.guid}", shared_full.link,
                                        shared_full.title, shared_full.body),
                                  Entry(f"p{n}-{shared_summary.guid}", shared_summary.link,
                                        shared_summary.title, shared_summary.body)]))
    watcher = Watcher(wstore, settings=watch_settings, encoder=encoder)
    report = watcher.poll_round()
    assert report.new_entries == 6 and report.added == 2
    assert urls_stored(wstore) == sorted([shared_full.link, shared_summary.link])
    assert site.hits["/articles/harbour"] == 1  # the page is fetched once, not three times


def test_watch_summary_only_entry_is_read_from_its_page(site: Site, wstore: SQLStore,
                                                        watch_settings: Settings,
                                                        encoder: Any) -> None:  # fmt: skip
    full = article_text("pagebody", 220)
    teaser = "A short teaser for the story."
    assert len(teaser.split()) < SUMMARY_WORDS
    site.page("/articles/1", "Page title", full)
    follow(wstore, site.feed("/s.xml", "S", [
        Entry("s1", site.url("/articles/1"), "Feed title", teaser),
    ]))
    Watcher(wstore, settings=watch_settings, encoder=encoder).poll_round()
    (text, title, kind), = wstore.conn.execute("SELECT text, title, raw_kind FROM articles")
    assert kind == "html" and title == "Feed title"
    assert len(text.split()) > 150 and "short teaser" not in text


def test_watch_page_failing_for_now_is_retried_next_round(site: Site, wstore: SQLStore,
                                                          watch_settings: Settings,
                                                          encoder: Any) -> None:  # fmt: skip
    site.routes["/articles/down"] = Route(status=503, body=b"busy", content_type="text/plain",
                                          etag=False)
    url = follow(wstore, site.feed("/d.xml", "D", [
        Entry("d1", site.url("/articles/down"), "Down for now", "Teaser only, for now."),
    ]))[0].url
    watcher = Watcher(wstore, settings=watch_settings, encoder=encoder)
    first = watcher.poll_round()
    assert (first.deferred, first.added) == (1, 0)
    feed = wstore.get_feed(url)
    assert feed.etag is None and feed.entries_seen == 0  # next poll gets the whole feed
    site.page("/articles/down", "Down for now", article_text("backup", 200))
    second = watcher.poll_round()
    assert (second.not_modified, second.added) == (0, 1)
    assert wstore.get_feed(url).entries_seen == 1


def test_watch_run_once_and_stop(site: Site, wstore: SQLStore, watch_settings: Settings,
                                 encoder: Any, tmp_path: Path) -> None:
    follow(wstore, site.feed("/r.xml", "R", entries(3, 2)))
    watcher = Watcher(wstore, settings=watch_settings, encoder=encoder)
    rounds: list[Any] = []
    watcher.run(once=True, on_round=rounds.append)
    assert len(rounds) == 1 and rounds[0].added == 2
    watcher.stop()
    watcher.run()  # stopped: returns at once
    assert watcher.stopped
