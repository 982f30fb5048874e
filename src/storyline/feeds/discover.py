"""Feed discovery: from a site (or feed) URL to the URLs of the feeds it publishes.

A URL that answers with a feed is that feed. Otherwise the page is read for the feeds it
announces (``<link rel="alternate" type="application/rss+xml">``, then links that look like
feeds), with trafilatura's feed finder (``trafilatura.feeds.determine_feed``); when it
announces none, a few usual paths (``/feed``, ``/rss.xml``...) are tried. Every candidate is
fetched and parsed before it is offered. All of it goes through our ``Fetcher``, so SSRF
checks, limits and politeness apply to every request (trafilatura's own downloader is never
used).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

from storyline.errors import FetchError
from storyline.feeds.entries import looks_like_feed, read_entries
from storyline.feeds.fetch import FEED_OR_PAGE, Fetcher, FetchOptions
from storyline.ingest.readers import decode_bytes

log = logging.getLogger(__name__)

#: Paths where sites often publish a feed, tried when a page announces none.
USUAL_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
#: Candidates fetched at most per discovery.
MAX_CANDIDATES = 6


async def discover(fetcher: Fetcher, url: str) -> list[str]:
    """The feed URLs ``url`` leads to, best first (empty when none was found); raises
    ``FetchError`` when ``url`` itself cannot be fetched."""
    fetched = await fetcher.fetch(url, accept=FEED_OR_PAGE)
    if looks_like_feed(fetched.body):
        try:
            read_entries(fetched.body, url=fetched.url)
            return [fetched.url]
        except FetchError as exc:
            log.info("%s looks like a feed but is not usable: %s", url, exc)
    html, _ = decode_bytes(fetched.body, source=fetched.url)
    candidates = _announced(html or "", fetched.url)
    if not candidates:
        root = "{0.scheme}://{0.netloc}".format(urlsplit(fetched.url))
        candidates = [urljoin(root, path) for path in USUAL_PATHS]
    found = []
    for candidate in candidates[:MAX_CANDIDATES]:
        try:
            feed = await fetcher.fetch(candidate, accept=FEED_OR_PAGE)
            read_entries(feed.body, url=candidate)
        except FetchError as exc:
            log.info("feed candidate %s refused: %s", candidate, exc)
            continue
        found.append(feed.url)
    return list(dict.fromkeys(found))


def _announced(html: str, base: str) -> list[str]:
    """The feed URLs a page announces (trafilatura's feed finder)."""
    from courlan import get_hostinfo
    from trafilatura.feeds import FeedParameters, determine_feed

    domain, baseurl = get_hostinfo(base)
    params = FeedParameters(baseurl or base, domain or "", base)
    return [u for u in determine_feed(html, params) if u.startswith(("http://", "https://"))]


def discover_feeds(urls: Sequence[str], *, options: FetchOptions | None = None
                   ) -> dict[str, list[str] | FetchError]:  # fmt: skip
    """``discover`` for each URL (concurrently): its feed URLs, or why it failed."""

    async def run() -> dict[str, list[str] | FetchError]:
        async with Fetcher(options) as fetcher:

            async def one(url: str) -> list[str] | FetchError:
                try:
                    return await discover(fetcher, url)
                except FetchError as exc:
                    return exc

            found = await asyncio.gather(*(one(u) for u in urls))
        return dict(zip(urls, found, strict=True))

    return asyncio.run(run())
