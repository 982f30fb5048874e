"""Atom feeds (RFC 4287): the alerts of one follow or of all, and a story's developments, for
any feed reader. Built element by element with lxml, which escapes every text (``feedgen``
1.0 drops the ``rel`` and ``type`` of entry links, which would make an entry's link to the
original article a second ``alternate``, against RFC 4287 section 4.1.1).

Ids are ``urn:uuid:`` URNs (RFC 4122 version 5) derived from the store's own ids, so an
entry keeps its id whichever address the feed is read from; ``updated`` is the latest entry's
time (the feed's own time when it has none). Links are absolute, made from ``base_url`` (the
address the feed was requested at): ``self`` for the feed, ``alternate`` for its web page,
each entry's ``alternate`` to the story page and ``related`` to the original article when its
URL is ``http(s)``.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from storyline.models import Alert, AlertDevelopment, Follow
from storyline.timeline import StoryView

__all__ = ["ATOM_TYPE", "alerts_feed", "atom_id", "story_feed"]

ATOM_TYPE = "application/atom+xml"
#: How an entry names a development's novelty (``timeline.py``; ``reported``: an article of
#: an entity's or query's story, not compared with the story).
NOVELTY_LABELS = {"new": "New", "update": "Update", "reported": "Reported"}
#: Developments a story's feed lists (its timeline's rows that were news when reported).
STORY_FEED_NOVELTIES = ("new", "update")


def atom_id(*parts: str) -> str:
    """A stable ``urn:uuid:`` id for the thing ``parts`` names in this store."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "storyline:" + "/".join(parts)).urn


ATOM_NS = "http://www.w3.org/2005/Atom"


class _Feed:
    """An Atom document under construction (the elements RFC 4287 requires, in order)."""

    def __init__(self, title: str, feed_id: str, *, subtitle: str, updated: datetime,
                 self_url: str, page_url: str) -> None:
        self.root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
        self.root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        self._text(self.root, "id", feed_id)
        self._text(self.root, "title", title)
        self._text(self.root, "subtitle", subtitle)
        self._text(self.root, "updated", _stamp(updated))
        author = etree.SubElement(self.root, f"{{{ATOM_NS}}}author")
        self._text(author, "name", "Storyline")
        self._link(self.root, self_url, "self", ATOM_TYPE)
        self._link(self.root, page_url, "alternate", "text/html")
        self._text(self.root, "generator", "Storyline")

    @staticmethod
    def _text(parent: etree._Element, name: str, text: str, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", attrs)
        element.text = _xml_text(text)
        return element

    @staticmethod
    def _link(parent: etree._Element, href: str, rel: str, kind: str) -> None:
        etree.SubElement(parent, f"{{{ATOM_NS}}}link", href=href, rel=rel, type=kind)

    def entry(self, *, entry_id: str, title: str, updated: datetime, published: datetime,
              page_url: str, original_url: str | None, author: str | None, content: str,
              category: tuple[str, str] | None = None) -> None:
        """Add an entry: its page here is ``alternate``, the original article ``related``."""
        entry = etree.SubElement(self.root, f"{{{ATOM_NS}}}entry")
        self._text(entry, "id", entry_id)
        self._text(entry, "title", title)
        self._text(entry, "updated", _stamp(updated))
        self._text(entry, "published", _stamp(published))
        if author:
            element = etree.SubElement(entry, f"{{{ATOM_NS}}}author")
            self._text(element, "name", author)
        self._link(entry, page_url, "alternate", "text/html")
        if original_url and original_url.startswith(("http://", "https://")):
            self._link(entry, original_url, "related", "text/html")
        if category is not None:
            etree.SubElement(entry, f"{{{ATOM_NS}}}category", term=category[0],
                             label=_xml_text(category[1]))
        self._text(entry, "content", content, type="html")

    def to_bytes(self) -> bytes:
        return bytes(etree.tostring(self.root, xml_declaration=True, encoding="utf-8",
                                    pretty_print=True))


def _stamp(value: datetime) -> str:
    """An RFC 3339 time (``updated``, ``published``), in UTC."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _xml_text(text: str) -> str:
    """``text`` without what XML 1.0 cannot hold (control characters, lone surrogates)."""
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff")
                   or ("\ue000" <= c <= "\ufffd") or c >= "\U00010000")


def _when(dev: AlertDevelopment) -> str:
    parts = [dev.modality]
    if dev.when is not None:
        parts.append(f"event date {dev.when.label}")
    if dev.verdict:
        parts.append(f"forecast {dev.verdict}")
    return "; ".join(parts)


def _alert_html(alert: Alert, base_url: str) -> str:
    """The entry's content: what is new, as escaped HTML (the feed escapes it once more)."""
    e = html.escape
    rows = []
    for dev in alert.developments:
        label = NOVELTY_LABELS.get(dev.novelty, dev.novelty)
        rows.append(f"<li><strong>{e(label)}</strong> {e(dev.label)} — {e(_when(dev))}"
                    + (f"<br><q>{e(dev.sentence)}</q>" if dev.sentence else "") + "</li>")
    outlet = e(alert.outlet or "Unknown outlet")
    article = (f'<a href="{e(base_url)}/articles/{e(alert.article_id)}">'
               f"{e(alert.article_title)}</a>")
    story = f'<a href="{e(base_url)}/stories/{e(alert.story_id)}">{e(alert.story_title)}</a>'
    text = [f"<p>{outlet}, {e(alert.published.date().isoformat())}: {article}</p>",
            f"<p>Story: {story}</p>"]
    if rows:
        text.append("<ul>" + "".join(rows) + "</ul>")
    return "".join(text)


def _alert_title(alert: Alert) -> str:
    if alert.kind == "development" and alert.developments:
        first = alert.developments[0]
        more = f" (+{len(alert.developments) - 1})" if len(alert.developments) > 1 else ""
        return f"{alert.story_title}: {first.label} ({first.modality}){more}"
    if alert.kind == "new_story":
        return f"New story: {alert.story_title}"
    return f"In the news: {alert.story_title}"


def alerts_feed(alerts: Sequence[Alert], *, title: str, feed_key: str, self_url: str,
                page_url: str, base_url: str, follows: dict[str, Follow] | None = None,
                now: datetime | None = None) -> bytes:
    """An Atom feed of ``alerts`` (most recent first), one entry each. ``feed_key`` names
    the feed for its id (``alerts``, or a follow's id); ``follows`` label each entry's
    category with what it was followed for."""
    latest = max((a.created_at for a in alerts), default=None)
    feed = _Feed(title, atom_id("feed", feed_key),
                 subtitle="What is new in the stories, people and searches you follow.",
                 updated=latest or now or datetime.now(UTC), self_url=self_url,
                 page_url=page_url)
    for alert in alerts:
        followed = (follows or {}).get(alert.follow_id)
        feed.entry(
            entry_id=atom_id("alert", alert.id), title=_alert_title(alert),
            updated=alert.created_at, published=alert.created_at,
            page_url=f"{base_url}/stories/{alert.story_id}", original_url=alert.article_url,
            author=alert.outlet, content=_alert_html(alert, base_url),
            category=None if followed is None else (followed.kind,
                                                    f"{followed.kind}: {followed.label}"),
        )  # fmt: skip
    return feed.to_bytes()


def story_feed(view: StoryView, *, self_url: str, page_url: str, base_url: str) -> bytes:
    """An Atom feed of a story's developments: one entry per timeline row that was new or
    an update when reported, most recent report first."""
    story = view.story.summary
    summaries = {a.id: a for a in view.story.articles}
    labels = {e.id: e.label for e in view.events}
    rows = [r for r in view.timeline
            if r.novelty in STORY_FEED_NOVELTIES and r.article_id in summaries]
    latest = max((summaries[r.article_id].published for r in rows),
                 default=story.last_published)
    feed = _Feed(f"{story.title} · Storyline", atom_id("story", story.id),
                 subtitle="Developments of the story, as each report brought them.",
                 updated=latest, self_url=self_url, page_url=page_url)
    e = html.escape
    for row in reversed(rows):
        article = summaries[row.article_id]
        dev = row.development
        label = labels.get(row.event_id, dev.action)
        when = f"; event date {e(dev.when.label)}" if dev.when is not None else ""
        verdict = f"; forecast {e(row.verdict)}" if row.verdict else ""
        feed.entry(
            entry_id=atom_id("story", story.id, row.article_id, row.event_id),
            title=f"{NOVELTY_LABELS.get(row.novelty, row.novelty)}: {label} ({dev.modality})",
            updated=article.published, published=article.published,
            page_url=f"{base_url}/articles/{article.id}", original_url=article.url,
            author=article.outlet,
            content=(f"<p>{e(article.outlet or 'Unknown outlet')}, {e(row.published)}: "
                     f"{e(article.title)}</p><p>{e(label)} — {e(dev.modality)}{when}{verdict}"
                     "</p>" + (f"<p><q>{e(dev.sentence)}</q></p>" if dev.sentence else "")),
        )  # fmt: skip
    return feed.to_bytes()
