"""RSS/Atom feeds: one raw record per entry, parsed with feedparser.

Fills ``RawRecord.fields`` with the entry's ``url``, ``title``, ``published``, ``authors`` and
``outlet`` (the feed's title); ``content`` is the entry's HTML content or summary, which the
HTML extractor cleans.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from storyline.models import RawRecord, Rejection


def read_feed(text: str, *, source: str, encoding: str) -> Iterator[RawRecord | Rejection]:
    """Yield one record per feed entry that has content; a broken feed yields a rejection."""
    parsed = feedparser.parse(text)
    if parsed.bozo and not parsed.entries:
        yield Rejection(source, "read", f"not a readable RSS/Atom feed: {parsed.bozo_exception}")
        return
    outlet = parsed.feed.get("title")
    for index, entry in enumerate(parsed.entries, start=1):
        where = f"{source}#{index}"
        body = _entry_body(entry)
        if not body.strip():
            yield Rejection(where, "read", "feed entry has no content or summary")
            continue
        fields: dict[str, Any] = {
            "url": entry.get("link"),
            "title": entry.get("title"),
            "outlet": outlet,
            "authors": [a.get("name") for a in entry.get("authors", []) if a.get("name")],
            "language": parsed.feed.get("language"),
        }
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            fields["published"] = datetime.fromtimestamp(calendar.timegm(stamp), UTC).isoformat()
        yield RawRecord(source=where, kind="feed", content=body, encoding=encoding, fields=fields)


def _entry_body(entry: Any) -> str:
    contents = entry.get("content") or []
    if contents:
        return "\n".join(str(c.get("value", "")) for c in contents)
    return str(entry.get("summary", ""))
