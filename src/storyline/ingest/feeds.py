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
import io
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
        parsed = parse_feed(text)
    except Exception as exc:  # feedparser raises assorted errors on hostile input
        yield Rejection(source, "read",
                        f"not a readable RSS/Atom feed: {type(exc).__name__}: {exc}")
        return
    if parsed.bozo and not parsed.entries:
        yield Rejection(source, "read", f"not a readable RSS/Atom feed: {parsed.bozo_exception}")
        return
    for index, entry in enumerate(parsed.entries, start=1):
        where = f"{source}#{index}"
        body = entry_body(entry)
        if not body.strip():
            yield Rejection(where, "read", "feed entry has no content or summary")
            continue
        yield RawRecord(source=where, kind="feed", content=body, encoding=encoding,
                        fields=entry_fields(entry, parsed.feed, where=where))


def parse_feed(content: str | bytes, **options: Any) -> Any:
    """feedparser's result for a feed's text or bytes (bytes keep their XML encoding
    declaration); numeric references to no character are made U+FFFD's first.

    Always handed over as a stream: given a ``str`` or ``bytes`` value, feedparser first
    tries it as a URL to fetch or a file name to open, so a feed file whose whole text is
    ``/etc/passwd`` or ``http://169.254.169.254/`` would be read from there."""
    if isinstance(content, str):
        headers = {"content-type": "application/xml; charset=utf-8",
                   **options.pop("response_headers", {})}
        data = _CHAR_REF.sub(_valid_char_ref, content).encode("utf-8", "surrogatepass")
        return feedparser.parse(io.BytesIO(data), response_headers=headers, **options)
    fixed = _CHAR_REF_BYTES.sub(_valid_char_ref_bytes, content)
    return feedparser.parse(io.BytesIO(fixed), **options)


_CHAR_REF_BYTES = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def _valid_char_ref_bytes(match: re.Match[bytes]) -> bytes:
    """``_valid_char_ref`` over bytes."""
    hexa, decimal = match.groups()
    code = int(hexa, 16) if hexa else int(decimal)
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else match.group(0)


def entry_fields(entry: Any, feed: Any, *, where: str) -> dict[str, Any]:
    """A feedparser entry's ``RawRecord.fields``: ``url``, ``title``, ``outlet`` (the feed's
    title), ``authors``, ``language`` and ``published`` (ISO 8601, when readable)."""
    fields: dict[str, Any] = {
        "url": entry.get("link"),
        "title": entry.get("title"),
        "outlet": feed.get("title"),
        "authors": [a.get("name") for a in entry.get("authors", []) if a.get("name")],
        "language": feed.get("language"),
    }
    stamp = entry_time(entry)
    if stamp:
        try:
            fields["published"] = datetime.fromtimestamp(calendar.timegm(stamp),
                                                         UTC).isoformat()  # fmt: skip
        except (ValueError, OverflowError, OSError) as exc:  # year 0, year 10000
            log.info("%s: ignored entry date %s: %s", where, tuple(stamp)[:6], exc)
    return fields


def entry_time(entry: Any) -> Any:
    """The entry's published (else updated) time as feedparser's struct_time, or None."""
    # dict.get: feedparser's own get warns when it maps one missing key to the other
    return dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")


def entry_body(entry: Any) -> str:
    """The entry's HTML content, else its summary."""
    contents = entry.get("content") or []
    if contents:
        return "\n".join(str(c.get("value", "")) for c in contents)
    return str(entry.get("summary", ""))
