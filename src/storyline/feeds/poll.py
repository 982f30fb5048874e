"""One feed's poll: conditional fetch, safe parse, the entries not seen before, and the full
article for each entry whose feed gives only a summary.

A poll stores nothing. It returns the raw records to ingest and the entry keys to record as
seen once they are ingested (``watch.py``), so a poll cut short anywhere (an error, a signal,
``kill -9``) leaves every entry unseen and the next poll reads it again; ids are stable, so
what had been stored meanwhile is skipped then as a duplicate.

An entry whose page could not be fetched for a transient reason (timeout, 5xx) is *deferred*:
it is neither ingested nor marked seen, and the feed's new validators are not kept, so the next
poll gets the whole feed (not a 304) and tries again. A page refused for good (404, wrong
content type, unsafe address) falls back to the entry's own summary.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from storyline.errors import FetchError
from storyline.extract.build import article_id
from storyline.feeds.entries import FeedEntry, ParsedFeed, read_entries
from storyline.feeds.fetch import FEED_OR_PAGE, PAGE_TYPES, Fetched, Fetcher, Validators
from storyline.ingest.readers import decode_bytes
from storyline.models import EntryKey, Feed, RawRecord
from storyline.store.base import Store

log = logging.getLogger(__name__)

#: Article pages fetched per feed and poll at most; the rest wait for the next poll.
MAX_PAGES = 50


@dataclass(slots=True)
class PollResult:
    """What one poll found (nothing is stored yet)."""

    feed: Feed
    fetched: Fetched | None = None
    parsed: ParsedFeed | None = None
    #: New entries, ready to ingest.
    records: list[RawRecord] = field(default_factory=list)
    #: Keys to record as seen once ``records`` are ingested.
    settled: list[EntryKey] = field(default_factory=list)
    #: New entries left for a later poll.
    deferred: int = 0
    error: FetchError | None = None

    @property
    def new_entries(self) -> int:
        """Entries this poll found that the feed had not shown before."""
        return len(self.settled) + self.deferred

    @property
    def keep_validators(self) -> Validators | None:
        """The validators to store: the response's when every entry was settled, else None
        (keep the old ones, so that the next poll gets the whole feed again)."""
        if self.fetched is None or self.deferred:
            return None
        return self.fetched.validators


async def poll_feed(fetcher: Fetcher, store: Store, feed: Feed, *,
                    claimed: set[str] | None = None) -> PollResult:  # fmt: skip
    """Poll ``feed``: ``claimed`` holds the article ids whose pages other polls of the same
    round fetch (the same article in several feeds is fetched once)."""
    result = PollResult(feed=feed)
    try:
        fetched = await fetcher.fetch(feed.url, accept=FEED_OR_PAGE,
                                      validators=Validators(feed.etag, feed.last_modified))
        result.fetched = fetched
        if fetched.not_modified:
            return result
        result.parsed = read_entries(fetched.body, url=feed.url, base=fetched.url,
                                     content_type=fetched.media_type)
    except FetchError as exc:
        result.error = exc
        return result
    fresh = new_entries(store, feed.url, result.parsed.entries)
    records, deferred = await full_records(
        fetcher, fresh, known=lambda ids: store.existing_ids(ids), claimed=claimed)
    result.records = records
    deferred_keys = {e.key for e in deferred}
    result.settled = [e.key for e in fresh if e.key not in deferred_keys]
    result.deferred = len(deferred)
    return result


def new_entries(store: Store, feed_url: str, entries: Sequence[FeedEntry]) -> list[FeedEntry]:
    """The entries not seen before in this feed (by GUID, link or content), each once."""
    seen = store.seen_entries(feed_url, [e.key for e in entries])
    guids: set[str] = set()
    links: set[str] = set()
    hashes: set[str] = set()
    out = []
    for entry, was_seen in zip(entries, seen, strict=True):
        k = entry.key
        if was_seen or (k.guid in guids) or (k.link in links) or (k.content_hash in hashes):
            continue
        guids.add(k.guid or "")
        links.add(k.link or "")
        hashes.add(k.content_hash or "")
        out.append(entry)
    guids.discard("")
    return out


async def full_records(
    fetcher: Fetcher, entries: Sequence[FeedEntry], *,
    known: Callable[[list[str]], set[str]] | None = None, claimed: set[str] | None = None,
    max_pages: int = MAX_PAGES,
) -> tuple[list[RawRecord], list[FeedEntry]]:
    """The records to ingest for ``entries`` (the page of each summary-only entry, fetched
    and extracted as HTML) and the entries deferred to a later poll. An entry whose article
    is already stored (``known``) or fetched by another poll (``claimed``) is not fetched
    again: it needs no record."""
    claimed = claimed if claimed is not None else set()
    records: list[RawRecord] = []
    deferred: list[FeedEntry] = []
    pages: list[tuple[FeedEntry, str]] = []
    for entry in entries:
        if not entry.summary_only:
            records.append(entry.record())
            continue
        aid = article_id(url=entry.link, title="", text="")
        if aid in claimed or (known is not None and known([aid])):
            continue  # the same article, from another feed or an earlier poll
        if len(pages) >= max_pages:
            deferred.append(entry)
            continue
        claimed.add(aid)
        pages.append((entry, aid))
    results = await asyncio.gather(*(_page_record(fetcher, entry) for entry, _ in pages))
    for (entry, aid), record in zip(pages, results, strict=True):
        if record is None:
            deferred.append(entry)
            claimed.discard(aid)
        else:
            records.append(record)
    return records, deferred


async def _page_record(fetcher: Fetcher, entry: FeedEntry) -> RawRecord | None:
    """The entry's article page as an HTML record (the entry's metadata over the page's);
    its summary when the page is refused for good; None when it should be tried later."""
    assert entry.link is not None
    try:
        fetched = await fetcher.fetch(entry.link, accept=PAGE_TYPES)
    except FetchError as exc:
        if exc.transient:
            log.info("%s: page deferred: %s", entry.source, exc)
            return None
        log.info("%s: page refused, using the feed's summary: %s", entry.source, exc)
        return entry.record()
    html = _decode(fetched)
    if html is None:
        return entry.record()
    return RawRecord(source=entry.source, kind="html", content=html, fields=dict(entry.fields))


def _decode(fetched: Fetched) -> str | None:
    if fetched.charset:
        try:
            return fetched.body.decode(fetched.charset)
        except (LookupError, UnicodeDecodeError):
            pass
    text, _ = decode_bytes(fetched.body, source=fetched.url)
    return text
