"""Server-rendered HTML pages: the river of stories, a story's timeline, an article, search, and
entities. Jinja2 with autoescaping; no JavaScript; readable at 375 px.

Routes: ``/`` (river), ``/stories/{id}``, ``/articles/{id}``, ``/search?q=&mode=``,
``/entities`` and ``/entities/{name}`` (404 for a name the entity index does not know).
An article page ends with "Why this story" (``stories/explain.py``, as ``storyline why``).

A story page shows what ``storyline show`` prints, from the same library calls
(``timeline.build_story_view``, read through ``serialize.story_view``'s JSON shapes): its
developments (linked events, by event date), each article's "what's new" (its main
developments marked new / update / repeated / background), its outlets side by side with the
events each covered, and its main entities. Stories ingested without enrichment show just the
articles. A copy (the same text re-posted or syndicated, ``stories/copies.py``) is shown as
"N copies" under its original and counted once: it adds nothing to the timeline or the chart,
and its outlet is listed as carrying the original's developments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from storyline import serialize
from storyline.errors import NotFoundError
from storyline.models import ArticleSummary, StoryDetail, StorySummary
from storyline.store import StoryFilter
from storyline.timeline import build_story_view, development_label
from storyline.web.server import BadParameter, WebContext, has_words, web_context

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

#: Stories per river page: about a phone's ten screens, and ~15 ms of queries at 10k articles.
RIVER_PAGE = 30
SEARCH_LIMIT = 30
ENTITY_PAGE = 100
#: Widest activity chart in bars; longer spans are grouped into several-day bars.
MAX_BARS = 30
CHART_WIDTH, CHART_HEIGHT = 120, 28


# --- activity charts ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of an activity chart, in SVG user units."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Chart:
    """A small bar chart of articles per day (or per several days) over a story's span."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    label: str


def activity_chart(dates: Sequence[datetime], *, max_bars: int = MAX_BARS,
                   width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> Chart:
    """Articles per calendar day (UTC) from the first article's day to the last one's."""
    days = sorted(d.date() for d in dates)
    if not days:
        return Chart(width, height, (), "no articles")
    span = (days[-1] - days[0]).days + 1
    per_bar = math.ceil(span / max_bars)
    counts = [0] * math.ceil(span / per_bar)
    for day in days:
        counts[(day - days[0]).days // per_bar] += 1
    slot = width / len(counts)
    bar_width = max(1.0, min(slot * 0.8, 10.0))
    top = max(counts)
    bars = tuple(
        Bar(
            x=round(i * slot + (slot - bar_width) / 2, 2),
            y=round(height - h, 2), width=round(bar_width, 2), height=round(h, 2),
        )
        for i, count in enumerate(counts)
        if count
        for h in [max(2.0, count / top * (height - 1))]
    )
    unit = "day" if per_bar == 1 else f"{per_bar}-day period"
    label = (
        f"{len(days)} article{'s' if len(days) != 1 else ''} over {span} "
        f"day{'s' if span != 1 else ''}, one bar per {unit}"
    )
    busiest = max(set(days), key=lambda d: (days.count(d), d))
    if days.count(busiest) > 1:
        label += f"; busiest day {busiest.isoformat()} ({days.count(busiest)} articles)"
    return Chart(width, height, bars, label)


# --- template helpers -----------------------------------------------------------------------
def _day(value: datetime | date | None) -> str:
    """``14 May 2024``."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def _span(story: StorySummary) -> str:
    first, last = story.first_published, story.last_published
    if first.date() == last.date():
        return _day(first)
    if first.year == last.year:
        start = f"{first.day} {first:%b}" if first.month != last.month else str(first.day)
        return f"{start} – {_day(last)}"
    return f"{_day(first)} – {_day(last)}"


#: An ``http(s)`` URL with nothing a browser would drop or reinterpret: no whitespace, no
#: control characters (``java\tscript:`` is ``javascript:`` to a browser), no quotes or angle
#: brackets. Anything else (``javascript:``, ``data:``, ``vbscript:``...) is shown as text.
_LINKABLE = re.compile(r"https?://[^\x00-\x20\x7f-\x9f\"'<>\\`]+", re.IGNORECASE)


def link_url(url: str | None) -> str | None:
    """``url`` when it is safe as a link target (``http``/``https`` only), else ``None``."""
    if url and _LINKABLE.fullmatch(url):
        return url
    return None


FILTERS = {"day": _day, "span": _span, "link_url": link_url}


def paragraphs(text: str) -> list[str]:
    """A clean body split into paragraphs (blank-line separated, else line separated)."""
    parts = [p.strip() for p in text.split("\n\n") if p.strip()]
    if len(parts) == 1 and "\n" in parts[0]:
        parts = [p.strip() for p in parts[0].split("\n") if p.strip()]
    return parts


def _source(attribution: dict[str, Any] | None) -> str | None:
    """Who a development is attributed to, unless it is the outlet's own reporting."""
    if not attribution or attribution.get("kind") in (None, "outlet", "none"):
        return None
    label = attribution.get("label") or attribution.get("name")
    return str(label) if label else None


def _forecast_of(state: dict[str, Any] | None) -> str | None:
    """The earlier forecast a row's verdict judges: ``expected for 2024-03-12, Wire,
    2024-03-01``."""
    if not state:
        return None
    when = (state.get("when") or {}).get("label")
    return (f"{state['modality']}{f' for {when}' if when else ''}, "
            f"{state.get('outlet') or 'unknown outlet'}, {state['published']}")  # fmt: skip


def story_sections(view: dict[str, Any]) -> dict[str, Any]:
    """From ``serialize.story_view`` JSON: ``events`` by event date (undated last),
    ``whats_new`` (article id → rows), ``covered`` (outlet → event labels), ``carried``
    (outlet → labels of the events of the originals it ran copies of) and ``wording``."""
    events = {e["id"]: e for e in view.get("events", [])}
    dated = sorted(events.values(),
                   key=lambda e: ((e.get("when") or {}).get("start") or "9999", e["id"]))
    whats_new: dict[str, list[dict[str, Any]]] = {}
    for row in view.get("timeline", []):
        # The row's own names: a first report never shows places only later ones named.
        whats_new.setdefault(row["article_id"], []).append({
            "novelty": row["novelty"],
            "label": development_label(row["action"], row.get("participants") or (),
                                       row.get("places") or (), row.get("count")),
            "modality": row["modality"],
            "when": (row.get("when") or {}).get("label"),
            "verdict": row.get("verdict"),
            "forecast_of": _forecast_of(row.get("forecast_of")),
            "source": _source(row.get("attribution")),
        })
    coverage = view.get("coverage") or {}
    covered = {
        ("Unknown outlet" if outlet in ("?", None) else outlet):
            [events[i]["label"] for i in ids if i in events]
        for outlet, ids in (coverage.get("outlets") or {}).items()
    }
    carried = {
        ("Unknown outlet" if outlet in ("?", None) else outlet):
            [row["label"] for oid in ids for row in whats_new.get(oid, [])]
        for outlet, ids in (coverage.get("carried") or {}).items()
    }
    return {"events": dated, "whats_new": whats_new, "covered": covered, "carried": carried,
            "wording": coverage.get("wording") or [], "entities": view.get("entities", [])}


def by_outlet(story: StoryDetail) -> list[tuple[str, list[ArticleSummary]]]:
    """The story's articles grouped by outlet, outlets in order of first report."""
    groups: dict[str, list[ArticleSummary]] = {}
    for article in story.articles:
        groups.setdefault(article.outlet or "Unknown outlet", []).append(article)
    return list(groups.items())


def copies_of(story: StoryDetail) -> dict[str, list[ArticleSummary]]:
    """Original article id → its copies in the story, in publication order."""
    out: dict[str, list[ArticleSummary]] = {}
    for article in story.articles:
        if article.copy_of is not None:
            out.setdefault(article.copy_of, []).append(article)
    return out


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    ctx = web_context(request)
    return ctx.templates.TemplateResponse(request, name, context, status_code=status)


def _story_cards(ctx: WebContext, stories: list[StorySummary]) -> list[dict[str, Any]]:
    store = ctx.store()
    cards = []
    for story in stories:
        try:  # copies count once, as their originals
            dates = [a.published for a in store.get_story(story.id).articles if not a.copy_of]
        except NotFoundError:
            continue
        cards.append({"story": story, "chart": activity_chart(dates)})
    return cards


#: Highest page offset (the API's bound too); SQLite cannot take offsets of 2^63 or more.
MAX_OFFSET = 1_000_000


def _check_offset(offset: int) -> None:
    if not 0 <= offset <= MAX_OFFSET:
        raise BadParameter(f"offset: must be between 0 and {MAX_OFFSET}")


# --- routes ---------------------------------------------------------------------------------
@router.get("/")
def river(request: Request, offset: int = 0) -> Response:
    """Stories, most recent activity first, with a small activity chart each."""
    _check_offset(offset)
    ctx = web_context(request)
    store = ctx.store()
    with store.read_snapshot():  # the list, its charts and the counts as of one commit
        stories = store.list_stories(StoryFilter(limit=RIVER_PAGE + 1, offset=offset))
        cards = _story_cards(ctx, stories[:RIVER_PAGE])
        counts = store.counts()
    more = len(stories) > RIVER_PAGE
    return _render(request, "river.html", {
        "cards": cards,
        "counts": counts,
        "offset": offset,
        "newer": max(0, offset - RIVER_PAGE) if offset else None,
        "older": offset + RIVER_PAGE if more else None,
    })


@router.get("/stories/{story_id}")
def story_page(request: Request, story_id: str) -> Response:
    """A story's articles in date order with what each brought that was new, its developments,
    its outlets side by side and its main entities."""
    store = web_context(request).store()
    view = build_story_view(store, story_id)
    return _render(request, "story.html", {
        "story": view.story,
        "summary": view.story.summary,
        "chart": activity_chart([a.published for a in view.story.articles if not a.copy_of]),
        "outlets": by_outlet(view.story),
        "copies": copies_of(view.story),
        # Its follow, if any (storyline.alerts).
        "followed": next((f for f in store.follows()
                          if f.kind == "story" and f.target == view.story.summary.id), None),
        **story_sections(serialize.story_view(view)),
    })


@router.get("/articles/{article_id}")
def article_page(request: Request, article_id: str) -> Response:
    """An article's clean text and metadata, with links to the original and to its story."""
    store = web_context(request).store()
    with store.read_snapshot():  # the article and its story as of one commit
        article = store.get_article(article_id)
        story = None
        if article.story_id:
            try:
                story = store.get_story(article.story_id)
            except NotFoundError:
                story = None
        why = web_context(request).explain(store, article.id)
    earlier, later = None, None
    if story is not None:
        ids = [a.id for a in story.articles]
        if article.id in ids:
            index = ids.index(article.id)
            earlier = story.articles[index - 1] if index > 0 else None
            later = story.articles[index + 1] if index + 1 < len(ids) else None
    original = copies = None
    if story is not None:
        original = next((a for a in story.articles if a.id == article.copy_of), None)
        copies = copies_of(story).get(article.id)
    return _render(request, "article.html", {
        "article": article,
        "paragraphs": paragraphs(article.text),
        "why": why,
        "story": story,
        "earlier": earlier,
        "later": later,
        "original": original,
        "copies": copies or [],
    })


@router.get("/search")
def search_page(request: Request, q: str = "", mode: str = "text") -> Response:
    """The search form and, given a query, matching articles with their stories."""
    if mode not in ("text", "semantic"):
        raise BadParameter(f"mode: expected 'text' or 'semantic', got {mode!r}")
    if len(q) > 500:
        raise BadParameter("q: at most 500 characters")
    ctx = web_context(request)
    store = ctx.store()
    hits, stories, message = [], {}, None
    if q.strip() and not has_words(q):
        message = "Type at least one word or number."
    elif q.strip():
        hits = ctx.search(store, q, mode=mode, limit=SEARCH_LIMIT)
        ids = frozenset(h.article.id for h in hits)
        found = store.list_stories(StoryFilter(article_ids=ids, limit=len(ids) or 1))
        stories = {s.id: s for s in found}
        if not hits:
            message = "No articles match."
    return _render(request, "search.html", {
        "q": q, "mode": mode, "hits": hits, "stories": stories, "message": message,
    })


@router.get("/entities")
def entities_page(request: Request, offset: int = 0) -> Response:
    """The people, organisations and places found most often."""
    _check_offset(offset)
    store = web_context(request).store()
    found = store.list_entities(limit=ENTITY_PAGE + 1, offset=offset)
    return _render(request, "entities.html", {
        "entities": found[:ENTITY_PAGE],
        "offset": offset,
        "newer": max(0, offset - ENTITY_PAGE) if offset else None,
        "older": offset + ENTITY_PAGE if len(found) > ENTITY_PAGE else None,
    })


@router.get("/entities/{name:path}")
def entity_page(request: Request, name: str) -> Response:
    """An entity (canonical name or alias) and the stories it appears in."""
    ctx = web_context(request)
    store = ctx.store()
    with store.read_snapshot():  # the entity, its stories and their charts as of one commit
        found = store.find_entities(name)
        appearances = store.entity_stories(name)
        cards = _story_cards(ctx, [a.story for a in reversed(appearances)])
    seen = {a.story.id: a for a in appearances}
    for card in cards:
        card["appearance"] = seen[card["story"].id]
    return _render(request, "entity.html", {
        "name": name, "entity": found[0], "others": found[1:], "cards": cards,
    })
