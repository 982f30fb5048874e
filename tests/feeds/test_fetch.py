"""The fetcher against the misbehaving local server: conditional GET, retries and
Retry-After, time, size and redirect limits, content types, decompression bombs."""

from __future__ import annotations

import asyncio
import gzip
import time
from dataclasses import replace
from typing import Any

import pytest
from feedsite import Entry, Route, Site, article_text

from storyline.errors import FetchError
from storyline.feeds.fetch import FEED_OR_PAGE, Fetched, Fetcher, FetchOptions, Validators


def fetch(options: FetchOptions, url: str, **kwargs: Any) -> Fetched:
    async def go() -> Fetched:
        async with Fetcher(options) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(go())


def refused(options: FetchOptions, url: str, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(options, url, **kwargs)
    return caught.value


def test_fetch_conditional_get_gets_304_with_the_etag(site: Site, options: FetchOptions) -> None:
    url = site.feed("/a.xml", "A", [Entry("g1", "http://x.example/1", "One", article_text("a"))])
    first = fetch(options, url)
    assert first.status == 200 and b"<rss" in first.body and first.validators.etag
    second = fetch(options, url, validators=first.validators)
    assert second.not_modified and second.body == b""
    assert site.not_modified["/a.xml"] == 1
    # A changed feed answers in full again.
    site.feed("/a.xml", "A", [Entry("g2", "http://x.example/2", "Two", article_text("b"))])
    third = fetch(options, url, validators=first.validators)
    assert third.status == 200 and b"g2" in third.body


def test_fetch_honours_retry_after_on_429(site: Site, options: FetchOptions) -> None:
    site.feed("/inner.xml", "Inner", [Entry("g", "http://x.example/1", "T", article_text("r"))])
    url = site.rate_limited("/limited.xml", "/inner.xml", refusals=1, retry_after=1)
    started = time.monotonic()
    got = fetch(options, url)
    assert got.status == 200 and site.hits["/limited.xml"] == 2
    assert time.monotonic() - started >= 0.95  # waited what Retry-After asked


def test_fetch_long_retry_after_ends_the_fetch_with_the_wait(site: Site,
                                                              options: FetchOptions) -> None:
    site.feed("/inner.xml", "Inner", [])
    url = site.rate_limited("/limited.xml", "/inner.xml", refusals=5, retry_after=3600)
    error = refused(options, url)
    assert error.transient and error.retry_after == 3600 and error.status == 429
    assert site.hits["/limited.xml"] == 1  # no retry inside the fetch


def test_fetch_retries_500s_then_gives_up(site: Site, options: FetchOptions) -> None:
    error = refused(replace(options, retries=2), site.url("/fault/500"))
    assert error.transient and error.status == 500
    assert site.hits["/fault/500"] == 3


def test_fetch_404_is_permanent_and_not_retried(site: Site, options: FetchOptions) -> None:
    error = refused(replace(options, retries=3), site.url("/missing"))
    assert not error.transient and error.status == 404 and site.hits["/missing"] == 1


def test_fetch_stalled_server_times_out(site: Site, options: FetchOptions) -> None:
    started = time.monotonic()
    error = refused(replace(options, retries=0), site.url("/fault/stall"))
    assert error.transient and "timed out" in error.reason
    assert time.monotonic() - started < 1.9


def test_fetch_slow_drip_is_cut_at_the_deadline(site: Site, options: FetchOptions) -> None:
    started = time.monotonic()
    error = refused(replace(options, retries=0, deadline=1.0), site.url("/fault/drip"))
    assert "deadline" in error.reason
    assert time.monotonic() - started < 1.6  # each byte came within the read timeout


def test_fetch_redirect_loop_is_named(site: Site, options: FetchOptions) -> None:
    error = refused(options, site.url("/fault/loop-a"))
    assert "redirect loop" in error.reason and not error.transient
    assert site.hits["/fault/loop-a"] == 1 and site.hits["/fault/loop-b"] == 1


def test_fetch_too_many_redirects(site: Site, options: FetchOptions) -> None:
    for n in range(8):
        site.routes[f"/hop{n}"] = Route(status=302, etag=False,
                                        headers={"Location": f"/hop{n + 1}"})
    site.feed("/hop8", "End", [])
    assert fetch(replace(options, max_redirects=8), site.url("/hop0")).url == site.url("/hop8")
    error = refused(replace(options, max_redirects=3), site.url("/hop0"))
    assert "more than 3 redirects" in error.reason
    assert site.hits["/hop3"] == 2 and site.hits["/hop4"] == 1  # the 4th redirect not followed


def test_fetch_wrong_content_type_is_refused(site: Site, options: FetchOptions) -> None:
    error = refused(options, site.url("/fault/image"), accept=FEED_OR_PAGE)
    assert "unexpected content type image/png" in error.reason and not error.transient


def test_fetch_50_mb_body_is_cut_off_early(site: Site, options: FetchOptions) -> None:
    started = time.monotonic()
    error = refused(options, site.url("/fault/huge"))
    assert "over the 1048576-byte limit" in error.reason
    assert time.monotonic() - started < 3
    # The client hung up: the server could not send the 50 MB (socket buffers hold a few MB).
    assert site.huge_sent < 20 * 1024 * 1024


def test_fetch_declared_length_over_limit_is_refused_before_reading(site: Site,
                                                                     options: FetchOptions
                                                                     ) -> None:  # fmt: skip
    site.routes["/big.xml"] = Route(body=b"<rss>" + b" " * (2 << 20) + b"</rss>")
    error = refused(options, site.url("/big.xml"))
    assert "bytes is over the" in error.reason


def test_fetch_gzip_bomb_stops_at_the_limit(site: Site, options: FetchOptions) -> None:
    error = refused(options, site.url("/fault/bomb"))
    assert "after decompression" in error.reason


def test_fetch_gzip_body_is_decompressed(site: Site, options: FetchOptions) -> None:
    body = b"<rss version='2.0'><channel><title>Z</title></channel></rss>"
    site.routes["/z.xml"] = Route(body=gzip.compress(body), headers={"Content-Encoding": "gzip"})
    assert fetch(options, site.url("/z.xml")).body == body


def test_fetch_validators_sent_back_as_if_none_match(site: Site, options: FetchOptions) -> None:
    url = site.feed("/v.xml", "V", [])
    etag = fetch(options, url).validators.etag
    assert fetch(options, url, validators=Validators(etag=etag)).not_modified
    assert not fetch(options, url, validators=Validators(etag='"other"')).not_modified
