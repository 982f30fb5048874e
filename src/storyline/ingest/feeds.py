"""RSS/Atom feeds: one raw record per entry, parsed with feedparser.

Fills ``RawRecord.fields`` with the entry's ``url``, ``title``, ``published``, ``authors`` and
``outlet`` (the feed's title); ``content`` is the entry's HTML content or summary, which the
HTML extractor cleans.

Hostile feeds: a character reference to a lone surrogate or past U+10FFFF (``&#xD800;``),
which feedparser cannot encode, is read as U+FFFD; an entry date feedparser cannot turn into
a time (year 0, year 10000) is left out, so the entry gets the ingest time (``date_inferred``)
like an undated one.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from storyline.models import RawRecord, Rejection

log = logging.getLogger(__name__)

_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def _valid_char_ref(match: re.Match[str]) -> str:
    """A numeric character reference, or U+FFFD's when it names no encodable character."""
    hexa, decimal = match.groups()
    code = int(hexa, 16) if hexa else int(decimal)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return "&#xFFFD;"
    return match.group(0)


def read_feed(text: str, *, source: str, encoding: str) -> Iterator[RawRecord | Rejection]:
    """Yield one record per feed entry that has content; a broken feed yields a rejection."""
    try:
        parsed = feedparser.parse(_CHAR_REF.sub(_valid_char_ref, text))
    except Exception as exc:  # feedparser raises assorted errors on hostile input
        yield Rejection(source, "read",
                        f"not a readable RSS/Atom feed: {type(exc).__name__}: {exc}")
        return
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
        # dict.get: feedparser's own get warns when it maps one missing key to the other
        stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        if stamp:
            try:
                fields["published"] = datetime.fromtimestamp(calendar.timegm(stamp),
                                                             UTC).isoformat()  # fmt: skip
            except (ValueError, OverflowError, OSError) as exc:  # year 0, year 10000
                log.info("%s: ignored entry date %s: %s", where, tuple(stamp)[:6], exc)
        yield RawRecord(source=where, kind="feed", content=body, encoding=encoding, fields=fields)


def _entry_body(entry: Any) -> str:
    contents = entry.get("content") or []
    if contents:
        return "\n".join(str(c.get("value", "")) for c in contents)
    return str(entry.get("summary", ""))
