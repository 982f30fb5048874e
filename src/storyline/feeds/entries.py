"""A fetched feed's bytes → its entries, each with the keys that tell a seen entry apart.

The XML is checked first (``safety.check_xml``: no entity declarations, no external
references), then parsed by feedparser from the bytes, with the feed's URL as the base of
relative links. Each entry keeps what the ingest needs (``ingest/feeds.entry_fields``) and its
``EntryKey``: GUID, canonical link and a hash of its normalised text, so an entry that comes
back with a new GUID or a new title is still recognised.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from storyline.errors import FetchError
from storyline.extract.text import strip_tags
from storyline.extract.urls import canonical_url
from storyline.feeds.safety import check_xml
from storyline.ingest.feeds import entry_body, entry_fields, entry_time, parse_feed
from storyline.models import EntryKey, RawRecord

#: An entry whose text has fewer words than this, and a link, is a summary: the watcher
#: fetches its page for the full article.
SUMMARY_WORDS = 120


@dataclass(slots=True)
class FeedEntry:
    """One entry of a fetched feed."""

    key: EntryKey
    #: Where it comes from, for messages and ``Article.source``: ``feed URL#GUID``.
    source: str
    body: str
    fields: dict[str, Any] = field(default_factory=dict)
    published: datetime | None = None

    @property
    def link(self) -> str | None:
        """The entry's link, as the feed gives it."""
        url = self.fields.get("url")
        return url if isinstance(url, str) and url.strip() else None

    @property
    def summary_only(self) -> bool:
        """The feed gives a short summary (under ``SUMMARY_WORDS`` words) and a link to the
        article."""
        return self.link is not None and len(strip_tags(self.body).split()) < SUMMARY_WORDS

    def record(self) -> RawRecord:
        """The entry as the ingest reads it (the HTML extractor cleans ``body``)."""
        return RawRecord(source=self.source, kind="feed", content=self.body,
                         fields=dict(self.fields))


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed's title, site link and entries (those with a body, a link or a GUID)."""

    title: str | None
    site_url: str | None
    entries: Sequence[FeedEntry]


def looks_like_feed(data: bytes) -> bool:
    """Whether bytes start like an RSS, Atom or RDF document."""
    head = data[:2048].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf"))


def read_entries(data: bytes, *, url: str, base: str | None = None,
                 content_type: str | None = None) -> ParsedFeed:
    """Parse a fetched feed (``url`` names it; relative links resolve against ``base``, the
    URL it was fetched from after redirects); ``FetchError`` when it is unsafe or not a feed
    at all."""
    check_xml(data, source=url)
    headers = {"content-location": base or url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = parse_feed(data, response_headers=headers)
    except Exception as exc:  # feedparser raises assorted errors on hostile input
        raise FetchError(url, f"not a readable feed: {type(exc).__name__}: {exc}") from exc
    version = parsed.get("version") or ""
    if not parsed.entries and not version:  # an empty feed is a feed; a page is not
        reason = parsed.get("bozo_exception") or "no RSS, Atom or RDF document"
        raise FetchError(url, f"not a readable feed: {reason}")
    entries = []
    for index, entry in enumerate(parsed.entries, start=1):
        body = entry_body(entry)
        guid = _text(entry.get("id"))
        link = _text(entry.get("link"))
        if not body.strip() and not link:
            continue
        source = f"{url}#{guid or link or index}"
        stamp = entry_time(entry)
        published = None
        if stamp:
            try:
                published = datetime.fromtimestamp(calendar.timegm(stamp), UTC)
            except (ValueError, OverflowError, OSError):
                published = None
        key = EntryKey(guid=guid, link=canonical_url(link) if link else None,
                       content_hash=content_hash(body))
        entries.append(FeedEntry(key=key, source=source, body=body,
                                 fields=entry_fields(entry, parsed.feed, where=source),
                                 published=published))
    return ParsedFeed(title=_text(parsed.feed.get("title")),
                      site_url=_text(parsed.feed.get("link")), entries=entries)


def content_hash(body: str) -> str | None:
    """A hash of the entry's text (tags, case, punctuation and spacing ignored), or None for
    an entry with too little text to identify it (under five words)."""
    words = re.sub(r"\W+", " ", strip_tags(body).lower()).split()
    if len(words) < 5:
        return None
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:20]


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
