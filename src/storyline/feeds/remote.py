"""URLs as inputs of ``storyline ingest``: each fetched through the ``Fetcher`` (SSRF checks,
limits, retries) and read as a feed (one record per entry, the article page fetched for
entries that give only a summary) or as an article page.

Nothing is followed or remembered here: ``storyline feeds add`` does that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from storyline.config import Settings
from storyline.errors import FetchError
from storyline.feeds.entries import looks_like_feed, read_entries
from storyline.feeds.fetch import FEED_OR_PAGE, Fetcher, FetchOptions
from storyline.feeds.poll import full_records
from storyline.ingest.readers import decode_bytes
from storyline.models import RawRecord, Rejection


def is_url(text: str) -> bool:
    """Whether an ingest argument is an http(s) URL rather than a path."""
    return text.lower().startswith(("http://", "https://"))


def read_urls(urls: Sequence[str], *, settings: Settings | None = None,
              options: FetchOptions | None = None) -> list[RawRecord | Rejection]:  # fmt: skip
    """The records (or a rejection naming the URL and the cause) of every URL."""
    opts = options or FetchOptions.from_settings(settings or Settings())
    return asyncio.run(_read_all(list(urls), opts))


async def _read_all(urls: list[str], options: FetchOptions) -> list[RawRecord | Rejection]:
    async with Fetcher(options) as fetcher:
        parts = await asyncio.gather(*(_read_one(fetcher, url) for url in urls))
    return [item for part in parts for item in part]


async def _read_one(fetcher: Fetcher, url: str) -> list[RawRecord | Rejection]:
    try:
        fetched = await fetcher.fetch(url, accept=FEED_OR_PAGE)
        if looks_like_feed(fetched.body):
            parsed = read_entries(fetched.body, url=url, base=fetched.url,
                                  content_type=fetched.media_type)
            records, deferred = await full_records(fetcher, parsed.entries)
            out: list[RawRecord | Rejection] = list(records)
            out += [Rejection(e.source, "fetch", "the article page could not be fetched now;"
                              " try again later") for e in deferred]
            return out
    except FetchError as exc:
        return [Rejection(url, "fetch", exc.reason)]
    text, encoding = decode_bytes(fetched.body, source=url)
    if text is None:
        return [Rejection(url, "read", "cannot detect the text encoding")]
    return [RawRecord(source=url, kind="html", content=text, encoding=encoding,
                      fields={"url": fetched.url})]
