"""Follows and alerts on the web: the alerts page and the Atom feeds (``alerts/atom.py``).

Routes: ``/alerts`` (what is followed, and recent alerts, paged), ``/alerts/feed.atom`` (every
follow's alerts), ``/follows/{id}/feed.atom`` (one follow's) and ``/stories/{id}/feed.atom``
(a story's developments). Feeds list the latest ``FEED_ENTRIES`` and are served as
``application/atom+xml``; following and unfollowing are writes, done with the CLI or the
token-protected API (the pages take no writes: they have no login to protect them).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from storyline.alerts import serialize as alert_shapes
from storyline.alerts.atom import ATOM_TYPE, alerts_feed, story_feed
from storyline.errors import NotFoundError
from storyline.timeline import build_story_view
from storyline.web.server import BadParameter, web_context

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

#: Entries in an Atom feed: the most recent ones (feed readers keep what they have read).
FEED_ENTRIES = 100
#: Alerts per page of ``/alerts``.
ALERTS_PAGE = 50
MAX_OFFSET = 1_000_000


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _atom(content: bytes) -> Response:
    return Response(content, media_type=f"{ATOM_TYPE}; charset=utf-8")


@router.get("/alerts")
def alerts_page(request: Request, offset: int = 0) -> Response:
    """What is followed (with each follow's feed) and the recent alerts."""
    if not 0 <= offset <= MAX_OFFSET:
        raise BadParameter(f"offset: must be between 0 and {MAX_OFFSET}")
    ctx = web_context(request)
    store = ctx.store()
    with store.read_snapshot():
        follows = [(f, store.count_alerts(follow_id=f.id)) for f in store.follows()]
        found = store.list_alerts(limit=ALERTS_PAGE + 1, offset=offset)
        states = store.deliveries(a.id for a in found)
    labels = {f.id: f for f, _ in follows}
    items = [{"alert": a, "follow": labels.get(a.follow_id),
              "delivery": alert_shapes.delivery_state(states[a.id]) if a.id in states else None}
             for a in found[:ALERTS_PAGE]]
    return ctx.templates.TemplateResponse(request, "alerts.html", {
        "follows": follows,
        "items": items,
        "offset": offset,
        "newer": max(0, offset - ALERTS_PAGE) if offset else None,
        "older": offset + ALERTS_PAGE if len(found) > ALERTS_PAGE else None,
    })


@router.get("/alerts/feed.atom")
def all_alerts_feed(request: Request) -> Response:
    """Every follow's alerts as one Atom feed."""
    store = web_context(request).store()
    with store.read_snapshot():
        found = store.list_alerts(limit=FEED_ENTRIES)
        follows = {f.id: f for f in store.follows()}
    base = _base(request)
    return _atom(alerts_feed(found, title="Alerts · Storyline", feed_key="alerts",
                             self_url=f"{base}/alerts/feed.atom", page_url=f"{base}/alerts",
                             base_url=base, follows=follows))


@router.get("/follows/{follow_id}/feed.atom")
def follow_feed(request: Request, follow_id: str) -> Response:
    """One follow's alerts as an Atom feed (404 for an unknown follow)."""
    store = web_context(request).store()
    with store.read_snapshot():
        follows = {f.id: f for f in store.follows()}
        if follow_id not in follows:
            raise NotFoundError(f"no follow with id {follow_id!r}")
        found = store.list_alerts(follow_id=follow_id, limit=FEED_ENTRIES)
    item = follows[follow_id]
    base = _base(request)
    return _atom(alerts_feed(found, title=f"{item.label} ({item.kind}) · Storyline alerts",
                             feed_key=f"follow/{item.id}",
                             self_url=f"{base}/follows/{item.id}/feed.atom",
                             page_url=f"{base}/alerts", base_url=base, follows=follows,
                             now=item.created_at))


@router.get("/stories/{story_id}/feed.atom")
def story_developments_feed(request: Request, story_id: str) -> Response:
    """A story's developments as an Atom feed (404 for an unknown story)."""
    view = build_story_view(web_context(request).store(), story_id)
    base = _base(request)
    return _atom(story_feed(view, self_url=f"{base}/stories/{story_id}/feed.atom",
                            page_url=f"{base}/stories/{story_id}", base_url=base))
