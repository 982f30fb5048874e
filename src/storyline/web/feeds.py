"""Followed feeds on the web: ``/feeds``, each feed with its health (``feeds/sources.py``).

Read only, like every page: feeds are added and removed with the CLI or the token-protected
API (``/api/v1/feeds``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from storyline.feeds.sources import health
from storyline.web.pages import link_url
from storyline.web.server import web_context

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/feeds")
def feeds_page(request: Request) -> Response:
    """Every followed feed: state, last fetch, last new entry, errors, next check."""
    ctx = web_context(request)
    rows = []
    for feed in ctx.store().list_feeds():
        info = health(feed)
        info["link"] = link_url(feed.url)
        rows.append(info)
    failing = sum(1 for r in rows if r["state"] == "failing")
    return ctx.templates.TemplateResponse(request, "feeds.html",
                                          {"feeds": rows, "failing": failing})
