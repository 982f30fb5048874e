"""Alert detection: what a batch just written to the store brings that someone follows.

Needs: the batch's articles and assignments (as the pipeline wrote them, inside the same
transaction) and the follows. Fills: ``Alert`` values, one per follow and

* **story follows**: article of the batch that adds a development its story did not know:
  a row of the story's timeline (``timeline.link_events``, recomputed for the followed stories
  the batch touched, and only those) marked ``new`` or ``update``;
* **entity and query follows**: story of the batch whose new articles mention the entity (as
  ``storyline entity`` resolves the name) or match the query (as full-text search does). The
  first such article is the alert's; a story already alerted for that follow is not alerted
  again (the alert id derives from the follow and the story).

Alert ids derive from what they report, so detecting the same thing twice (a re-ingest, two
writers) records one alert. With nothing followed, detection is one query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from storyline.models import (
    Alert,
    AlertDevelopment,
    Article,
    ArticleEnrichment,
    Assignment,
    Follow,
    StorySummary,
)
from storyline.store.base import Store, StoryFilter
from storyline.timeline import link_events

__all__ = ["NOVEL", "WrittenBatch", "alert_id", "detect_alerts"]

#: Timeline novelties that make a development news for a story's followers.
NOVEL = ("new", "update")


@dataclass(frozen=True, slots=True)
class WrittenBatch:
    """What one ``Store.write_batch`` call wrote: articles (originals and copies), their
    assignments and, with enrichment on, the originals' enrichment."""

    articles: Sequence[Article]
    assignments: Sequence[Assignment]
    enrichments: Sequence[ArticleEnrichment] | None = None


def alert_id(follow_id: str, scope: str, key: str) -> str:
    """The id of ``follow_id``'s alert about an article (``scope`` ``article``) or a story
    (``story``)."""
    digest = hashlib.sha1(f"{follow_id}\x00{scope}\x00{key}".encode()).hexdigest()
    return f"a{digest[:15]}"


def detect_alerts(store: Store, batch: WrittenBatch, follows: Sequence[Follow], *,
                  now: datetime | None = None) -> list[Alert]:
    """The alerts ``batch`` raises for ``follows`` (reading the store as the batch left it)."""
    if not follows or not batch.articles:
        return []
    now = now or datetime.now(UTC)
    story_of = {a.article_id: a.story_id for a in batch.assignments}
    articles = sorted((a for a in batch.articles if a.id in story_of),
                      key=lambda a: (a.published, a.id))
    alerts: list[Alert] = []
    touched = set(story_of.values())
    for item in follows:
        if item.kind == "story" and item.target in touched:
            alerts.extend(_development_alerts(store, item, articles, now))
    matched: dict[str, list[Article]] = {}
    originals = [a.id for a in articles if a.copy_of is None]
    for item in follows:
        if item.kind == "entity":
            # Copies carry no entities of their own: their originals' are stored once.
            hits = store.articles_mentioning(item.target, originals)
        elif item.kind == "query":
            hits = store.articles_matching(item.target, [a.id for a in articles])
        else:
            continue
        if hits:
            matched[item.id] = [a for a in articles if a.id in hits]
    if matched:
        alerts.extend(_story_alerts(store, follows, matched, batch, story_of, now))
    return alerts


def _development_alerts(store: Store, follow: Follow, articles: Sequence[Article],
                        now: datetime) -> list[Alert]:
    """One alert per article of the batch that brings the followed story a new development
    or an update of one (copies add none: they count as their originals)."""
    mine = {a.id: a for a in articles if a.copy_of is None}
    story = store.get_story(follow.target)
    originals = [a for a in story.articles if a.copy_of is None]
    if not any(a.id in mine for a in originals):
        return []
    enrichment = store.article_enrichment(a.id for a in originals)
    reports = [(a, enrichment[a.id].developments) for a in originals if a.id in enrichment]
    events, timeline = link_events(reports)
    labels = {e.id: e.label for e in events}
    found: dict[str, list[AlertDevelopment]] = {}
    for row in timeline:
        if row.article_id not in mine or row.novelty not in NOVEL:
            continue
        dev = row.development
        found.setdefault(row.article_id, []).append(AlertDevelopment(
            event_id=row.event_id, action=dev.action, label=labels.get(row.event_id, dev.action),
            modality=dev.modality, novelty=row.novelty, when=dev.when, verdict=row.verdict,
            sentence=dev.sentence,
        ))
    return [
        _alert(follow, "development", alert_id(follow.id, "article", aid), mine[aid],
               story.summary.title, story.summary.id, now, tuple(devs))
        for aid, devs in found.items()
    ]


def _story_alerts(store: Store, follows: Sequence[Follow], matched: dict[str, list[Article]],
                  batch: WrittenBatch, story_of: dict[str, str], now: datetime) -> list[Alert]:
    """One alert per follow and story the batch's matching articles belong to: about the
    first of them, ``new_story`` when the batch started the story."""
    started = {a.story_id for a in batch.assignments if a.new_story}
    ids = frozenset(a.id for found in matched.values() for a in found)
    stories: dict[str, StorySummary] = {
        s.id: s for s in store.list_stories(StoryFilter(article_ids=ids, limit=len(ids)))
    }
    developments = {e.article_id: e.developments for e in batch.enrichments or ()}
    by_id = {f.id: f for f in follows}
    alerts = []
    for fid, found in matched.items():
        seen: set[str] = set()
        for article in found:
            sid = story_of[article.id]
            if sid in seen or sid not in stories:
                continue
            seen.add(sid)
            new = sid in started
            devs = tuple(
                AlertDevelopment(event_id="", action=d.action, label=d.action,
                                 modality=d.modality, novelty="new" if new else "reported",
                                 when=d.when, sentence=d.sentence)
                for d in developments.get(article.copy_of or article.id, ()) if d.main
            )
            alerts.append(_alert(by_id[fid], "new_story" if new else "story",
                                 alert_id(fid, "story", sid), article, stories[sid].title, sid,
                                 now, devs))
    return alerts


def _alert(follow: Follow, kind: str, aid: str, article: Article, story_title: str,
           story_id: str, now: datetime, developments: tuple[AlertDevelopment, ...]) -> Alert:
    return Alert(
        id=aid, follow_id=follow.id, kind=kind, story_id=story_id, story_title=story_title,
        article_id=article.id, article_title=article.title, article_url=article.url,
        outlet=article.outlet, published=article.published, created_at=now,
        developments=developments,
    )
