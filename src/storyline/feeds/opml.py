"""OPML subscription lists in and out: what feed readers export and import.

Reading uses ``listparser`` (OPML 1 and 2, nested categories), after the same entity check as
feeds (``safety.check_xml``): an OPML file is XML from elsewhere too. Only ``http(s)`` feed
URLs are taken; each other outline is reported. Writing produces OPML 2.0 with one ``rss``
outline per followed feed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from storyline.errors import FetchError, InputError
from storyline.feeds.safety import check_url, check_xml
from storyline.feeds.sources import Schedule, follow
from storyline.models import Feed
from storyline.store.base import Store


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed of a subscription list."""

    url: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an OPML import did: URLs newly followed, already followed, and refused (with
    the reason)."""

    added: tuple[str, ...]
    existing: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]


def read_opml(data: bytes, *, source: str) -> tuple[list[Subscription], list[tuple[str, str]]]:
    """The subscriptions of an OPML document, and the outlines refused (URL, reason);
    ``InputError`` when it is not a usable subscription list."""
    import listparser

    try:
        check_xml(data, source=source)
    except FetchError as exc:
        raise InputError(str(exc)) from exc
    parsed = listparser.parse(data)  # bytes: never fetched, never opened as a path
    if parsed.bozo and not parsed.feeds:
        raise InputError(f"{source}: not a readable OPML file: {parsed.bozo_exception}")
    if not parsed.feeds and not parsed.get("version"):
        raise InputError(f"{source}: not an OPML subscription list")
    found: list[Subscription] = []
    refused: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in parsed.feeds:
        url = str(item.get("url") or "").strip()
        try:
            check_url(url)
        except FetchError as exc:
            refused.append((url, exc.reason))
            continue
        if url not in seen:
            seen.add(url)
            title = str(item.get("title") or "").strip() or None
            found.append(Subscription(url, title))
    return found, refused


def import_opml(store: Store, data: bytes, *, source: str,
                schedule: Schedule | None = None) -> ImportReport:  # fmt: skip
    """Follow every feed of an OPML document (those already followed are left as they are)."""
    found, refused = read_opml(data, source=source)
    added: list[str] = []
    existing: list[str] = []
    for sub in found:
        _, new = follow(store, sub.url, title=sub.title, schedule=schedule)
        (added if new else existing).append(sub.url)
    return ImportReport(tuple(added), tuple(existing), tuple(refused))


def write_opml(feeds: Sequence[Feed], *, title: str = "Storyline feeds") -> bytes:
    """An OPML 2.0 document listing ``feeds``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name = feed.title or feed.url
        attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": feed.url}
        if feed.site_url:
            attrs["htmlUrl"] = feed.site_url
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def export_opml(store: Store) -> bytes:
    """The store's followed feeds as OPML 2.0."""
    return write_opml(store.list_feeds())
