"""The SSRF guard (loopback, 10/8, link-local metadata, redirects to them) and the XML
entity check (billion laughs, XXE), through the real fetcher and server."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import replace
from typing import Any

import pytest
from feedsite import BILLION_LAUGHS, XXE, Site

from storyline.errors import FetchError, UnsafeURLError
from storyline.feeds.entries import read_entries
from storyline.feeds.fetch import Fetched, Fetcher, FetchOptions
from storyline.feeds.safety import check_xml, is_public


def fetch(options: FetchOptions, url: str, **kwargs: Any) -> Fetched:
    async def go() -> Fetched:
        async with Fetcher(options) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(go())


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/fault/500",
    "http://localhost:{port}/fault/500",
    "http://[::1]:{port}/",
    "http://10.0.0.1/feed",
    "http://10.255.255.254:8080/feed",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/",
    "http://0.0.0.0:{port}/",
    "http://2130706433:{port}/",  # 127.0.0.1 as one number
])
def test_safety_internal_addresses_are_refused(site: Site, options: FetchOptions,
                                               url: str) -> None:  # fmt: skip
    guarded = replace(options, allowed_hosts=frozenset(), retries=0)
    started = time.monotonic()
    with pytest.raises(UnsafeURLError, match="not a public address"):
        fetch(guarded, url.format(port=site.port))
    assert time.monotonic() - started < 1  # refused before any connection is tried
    assert sum(site.hits.values()) == 0


@pytest.mark.parametrize("path", ["/fault/to-metadata", "/fault/to-private",
                                  "/fault/to-localhost"])
def test_safety_redirect_to_internal_address_is_refused(site: Site, options: FetchOptions,
                                                        path: str) -> None:  # fmt: skip
    """The test server is allowed by name (127.0.0.1); where it redirects is not."""
    with pytest.raises(UnsafeURLError):
        fetch(options, site.url(path))
    assert site.hits[path] == 1
    assert site.hits["/fault/500"] == 0  # localhost (same server) never reached


def test_safety_allowed_host_is_reached(site: Site, options: FetchOptions) -> None:
    site.feed("/ok.xml", "OK", [])
    assert fetch(options, site.url("/ok.xml")).status == 200


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed",
                                 "gopher://127.0.0.1/", "http:///nohost"])
def test_safety_other_schemes_are_refused(options: FetchOptions, url: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(options, url)
    assert not caught.value.transient


def test_safety_public_address_rules() -> None:
    public = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"]
    internal = ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1",
                "2002:a00:1::", "64:ff9b::a9fe:a9fe", "224.0.0.1", "255.255.255.255"]
    assert all(is_public(ipaddress.ip_address(a)) for a in public)
    assert not any(is_public(ipaddress.ip_address(a)) for a in internal)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE])
def test_safety_entity_feeds_are_refused(body: bytes) -> None:
    with pytest.raises(FetchError, match="declares entities"):
        check_xml(body, source="hostile")
    with pytest.raises(FetchError):
        read_entries(body, url="http://example.org/feed")


def test_safety_entity_feeds_served_are_refused_and_nothing_expanded(site: Site,
                                                                     options: FetchOptions
                                                                     ) -> None:  # fmt: skip
    for path in ("/fault/laughs", "/fault/xxe"):
        got = fetch(options, site.url(path))
        started = time.monotonic()
        with pytest.raises(FetchError, match="refused"):
            read_entries(got.body, url=got.url)
        assert time.monotonic() - started < 0.5


def test_safety_plain_doctype_and_broken_xml_pass() -> None:
    rss091 = (b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD'
              b' RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
              b'<rss version="0.91"><channel><title>Old</title><item><title>T</title>'
              b"<link>http://example.org/a</link><description>Words here.</description>"
              b"</item></channel></rss>")
    assert len(read_entries(rss091, url="http://example.org/rss").entries) == 1
    broken = rss091.replace(b"</channel>", b"")  # unclosed: parsed leniently
    check_xml(broken, source="broken")
    hidden = b'<?xml version="1.0"?><!DOCTYPE r [ <!bogus> <!ENTITY a "b"> ]><rss/>'
    with pytest.raises(FetchError):
        check_xml(hidden, source="hidden")
