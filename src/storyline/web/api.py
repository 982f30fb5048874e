"""The REST API under ``/api/v1``: JSON views of stories, articles, search and entities, and
``POST /api/v1/articles`` for adding articles through the ordinary ingest pipeline.

Shapes come from ``storyline.serialize`` (a public contract: fields are added, never removed);
``schemas.py`` describes each of them for the OpenAPI document, every error included.
Reads are open; writes need ``Authorization: Bearer <token>`` matching the server's
``STORYLINE_API_TOKEN`` environment variable, and are refused (403) when it is unset.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from storyline import serialize
from storyline.alerts import follow
from storyline.alerts import serialize as alert_shapes
from storyline.alerts.follows import MAX_TARGET_CHARS
from storyline.errors import NotFoundError
from storyline.models import Follow
from storyline.store import Store, StoryFilter
from storyline.web.schemas import (
    AlertListOut,
    ArticleOut,
    EntityListOut,
    EntityStoriesOut,
    ErrorOut,
    ExplanationOut,
    FeedAddOut,
    FeedDeletedOut,
    FeedListOut,
    FollowListOut,
    FollowOut,
    HealthOut,
    IngestOut,
    SearchOut,
    StoryListOut,
    StoryViewOut,
    UnfollowOut,
)
from storyline.web.server import (
    MAX_POST_ARTICLES,
    TOKEN_ENV,
    BadParameter,
    has_words,
    parse_day,
    web_context,
)

DESCRIPTION = """
JSON over the Storyline store: stories (groups of articles about one event) with their
timelines of developments, articles, text and semantic search, and entities.

* **Errors** are `{"error": "...", "detail": ...}` with status 400 (bad parameter value),
  401 (missing or wrong token), 403 (writes disabled), 404 (unknown id or name), 413 (body
  too large), 421 (a `Host` this server does not answer to), 422 (malformed request) or 503
  (store busy, model missing).
* **Lists** (`/stories`, `/entities`) are pages: `{"total", "items", "limit", "offset"}`,
  where `total` counts every match, not just the page.
* **Dates** (`since`, `until`) are `YYYY-MM-DD` or ISO 8601 times, UTC unless they say
  otherwise; `until` with a bare date includes that whole day.
* **`entity` filter**: a canonical name or alias from the entity index (`/api/v1/entities`),
  case-insensitive; an unknown name matches no story.
* **Writes**: `POST /api/v1/articles`, `POST /api/v1/follows` and
  `DELETE /api/v1/follows/{id}`, with `Authorization: Bearer <STORYLINE_API_TOKEN>`.
* **Alerts**: what is new for each follow (`/api/v1/alerts`); the same as Atom feeds at
  `/alerts/feed.atom` and `/follows/{id}/feed.atom`.
"""

#: Longest headline, URL and outlet name a POST may carry (422 beyond): far above real ones
#: (headlines run to ~150 characters), and a 1.2M-character title no longer reaches the
#: pipeline, which held the write lock for minutes over it.
MAX_TITLE_CHARS = 2000
MAX_URL_CHARS = 8192
MAX_OUTLET_CHARS = 500
#: Epoch numbers ``published`` may hold: 0001-01-01 to 9999-12-31, as extraction reads them
#: (seconds up to 1e11, milliseconds beyond). Stated as bounds so the OpenAPI document says
#: which numbers are valid (Schemathesis posted 1e308 as a "valid" time, answered 422).
EPOCH_MIN = -62_135_596_800
EPOCH_MAX = 253_402_300_799_000
EpochInt = Annotated[int, Field(ge=EPOCH_MIN, le=EPOCH_MAX)]
EpochFloat = Annotated[float, Field(ge=EPOCH_MIN, le=EPOCH_MAX)]

#: What each error status means, for the OpenAPI document (every one is an ``ErrorOut``).
ERROR_STATUSES = {
    400: "A parameter or the body has an unusable value.",
    401: "Missing or wrong bearer token.",
    403: f"Writes disabled ({TOKEN_ENV} unset).",
    404: "No such story, article or entity.",
    413: "Body over the max_bytes setting.",
    421: "The Host header names no host this server answers to.",
    422: "Malformed request (a parameter or field of the wrong type or size).",
    503: "The store is busy or the embedding model is missing; try again.",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that may answer these error statuses."""
    return {code: {"model": ErrorOut, "description": ERROR_STATUSES[code]} for code in statuses}


# Any route may meet a foreign Host (421) or a busy store (503).
router = APIRouter(prefix="/api/v1", tags=["api"], responses=_errors(421, 503))
bearer = HTTPBearer(auto_error=False, description=f"The server's {TOKEN_ENV} value.")


class ArticleIn(BaseModel):
    """One article in the JSONL input shape (``storyline ingest`` reads the same fields)."""

    model_config = ConfigDict(extra="allow")

    url: str | None = Field(None, max_length=MAX_URL_CHARS,
                            description="Canonical URL; the article id derives from it.")
    title: str | None = Field(None, max_length=MAX_TITLE_CHARS,
                              description="Headline (HTML tags are stripped).")
    text: str | None = Field(None, description="Body text; an item without it is rejected.")
    published: str | EpochInt | EpochFloat | None = Field(
        None, description="Publication time: ISO 8601, or epoch seconds (up to 1e11) or "
        "milliseconds (beyond), in the years 1 to 9999."
    )
    outlet: str | None = Field(None, max_length=MAX_OUTLET_CHARS,
                               description="Publishing outlet.")
    authors: list[str] | str | None = Field(None, description="Author names.")
    language: str | None = Field(None, description="ISO 639-1 code; detected when absent.")


_BODY = TypeAdapter(ArticleIn | list[ArticleIn])
_ARTICLE_SCHEMA = ArticleIn.model_json_schema()


@router.get("/health", summary="Service health and store counts", response_model=HealthOut)
def health(request: Request) -> dict[str, Any]:
    """Counts of articles and stories, and whether writes are enabled."""
    store = web_context(request).store()
    return {"status": "ok", **store.counts(), "writes_enabled": bool(os.environ.get(TOKEN_ENV))}


@router.get("/stories", summary="List stories, most recent activity first",
            response_model=StoryListOut, responses=_errors(400, 422))
def list_stories(
    request: Request,
    since: Annotated[str | None, Query(description="Active on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, Query(description="Active on or before (YYYY-MM-DD).")] = None,
    outlet: Annotated[str | None, Query(max_length=200, description="Has an article from this "
                                        "outlet (case-insensitive).")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="Mentions this entity "
                                        "(canonical name or alias).")] = None,
    q: Annotated[str | None, Query(max_length=500, description="Has an article matching all "
                                   "these words.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Story summaries matching every given filter, newest activity first; ``total``
    counts them over all pages."""
    if q is not None and not has_words(q):
        raise BadParameter("q: the query needs at least one letter or digit")
    start = parse_day(since, name="since")
    end = parse_day(until, name="until", end_of_day=True)
    if start and end and start > end:
        raise BadParameter("since: must not be after until")
    ctx = web_context(request)
    store = ctx.store()
    filters: dict[str, Any] = {"since": start, "until": end, "outlet": outlet, "entity": entity,
                               "query": q}
    with store.read_snapshot():  # the page and its total from one committed state
        if entity is not None and entity.strip():
            # The entity filter runs over all of the entity's stories in memory anyway
            # (WebContext.list_stories): take them all, and their number is the total.
            every = ctx.list_stories(store, **filters, limit=1_000_000, offset=0)
            found, total = every[offset : offset + limit], len(every)
        else:
            found = ctx.list_stories(store, **filters, limit=limit, offset=offset)
            total = store.count_stories(StoryFilter(
                since=start, until=end, query=q,
                outlet=outlet.strip() if outlet and outlet.strip() else None))
    return {"total": total, "items": [serialize.story_summary(s) for s in found],
            "limit": limit, "offset": offset}


@router.get("/stories/{story_id}", summary="One story with its articles and timeline",
            response_model=StoryViewOut, responses=_errors(404, 422))
def get_story(request: Request, story_id: str) -> dict[str, Any]:
    """What ``storyline show --json`` prints: the summary fields, ``articles`` in publication
    order, ``timeline`` (each article's main developments marked ``new``/``update``/
    ``repeated``), ``events``, ``entities``, ``coverage`` and ``unenriched`` article ids."""
    ctx = web_context(request)
    return ctx.story_view(ctx.store(), story_id)


@router.get("/articles/{article_id}", summary="One article's clean text and metadata",
            response_model=ArticleOut, responses=_errors(404, 422))
def get_article(request: Request, article_id: str) -> dict[str, Any]:
    """``serialize.article_full`` (with ``copy_of``: the original a copy repeats) plus
    ``story_summary``, the summary of its story, and ``copies``: the article summaries of its
    copies (near-duplicate or syndicated re-posts of it, counted once in its story)."""
    store = web_context(request).store()
    article = store.get_article(article_id)
    out = serialize.article_full(article)
    out["story_summary"] = None
    out["copies"] = []
    if article.story_id:
        with contextlib.suppress(NotFoundError):  # a story removed since: no summary
            story = store.get_story(article.story_id)
            out["story_summary"] = serialize.story_summary(story.summary)
            out["copies"] = [serialize.article_summary(a) for a in story.articles
                             if a.copy_of == article.id]
    return out


@router.get("/articles/{article_id}/why", summary="Why an article is in its story",
            response_model=ExplanationOut, responses=_errors(404, 422))
def why_article(request: Request, article_id: str) -> dict[str, Any]:
    """What ``storyline why --json`` prints: the story, ``outcome`` (``joined``, ``started``
    or ``copy``), the decision ``score`` and ``threshold``, ``copy_of``, ``best_match`` (the
    pair score with the best-matching member and what they share or disagree on) and
    ``runner_up`` (the best other story, compared the same way)."""
    ctx = web_context(request)
    return serialize.explanation(ctx.explain(ctx.store(), article_id))


@router.get("/search", summary="Search articles by words or by meaning",
            response_model=SearchOut, responses=_errors(400, 422))
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="The query.")],
    mode: Annotated[Literal["text", "semantic"], Query(
        description="text: full-text (all words, bm25); semantic: nearest headline vectors.")
    ] = "text",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Matching articles, best first; each carries its ``story`` id and, in semantic mode, the
    cosine ``score``."""
    ctx = web_context(request)
    hits = ctx.search(ctx.store(), q, mode=mode, limit=limit)
    items = []
    for hit in hits:
        item = serialize.article_summary(hit.article)
        item["story"] = hit.story_id
        item["score"] = None if hit.score is None else round(hit.score, 4)
        items.append(item)
    return {"q": q, "mode": mode, "limit": limit, "items": items}


@router.get("/entities", summary="List entities, most articles first",
            response_model=EntityListOut, responses=_errors(422))
def list_entities(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """People, organisations and places found in the articles (``{id, name, type, aliases,
    mentions, articles}``); ``total`` counts them over all pages."""
    store = web_context(request).store()
    with store.read_snapshot():
        found = store.list_entities(limit=limit, offset=offset)
        total = store.count_entities()
    return {"total": total, "items": [serialize.entity_record(e) for e in found],
            "limit": limit, "offset": offset}


@router.get("/entities/{name:path}", summary="One entity and the stories it appears in",
            response_model=EntityStoriesOut, responses=_errors(404, 422))
def get_entity(request: Request, name: str) -> dict[str, Any]:
    """The entity named ``name`` (canonical name or alias, case-insensitive), the stories it
    appears in (time order, with ``entity_articles``, ``first_seen``...), and every entity
    the name ``matches`` (most mentioned first)."""
    store = web_context(request).store()
    found = store.find_entities(name)
    out = serialize.entity_stories(found[0], store.entity_stories(name))
    out["matches"] = [serialize.entity_record(e) for e in found]
    return out


def _check_token(credentials: HTTPAuthorizationCredentials | None) -> None:
    expected = os.environ.get(TOKEN_ENV, "")
    if not expected:
        raise HTTPException(403, f"writes are disabled: the server has no {TOKEN_ENV} set")
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or not credentials.credentials:
        raise HTTPException(401, "send 'Authorization: Bearer <token>'", headers=challenge)
    if not secrets.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(401, "invalid token", headers=challenge)


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to be over ``limit`` bytes:
    from ``Content-Length`` before reading, else while streaming (a chunked body is never
    held beyond the limit plus one chunk)."""
    # Connection: close makes the server hang up instead of draining the rest of the body.
    too_big = HTTPException(413, f"body is over {limit} bytes", headers={"Connection": "close"})
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_big
    return bytes(body)


def _parse_json(body: bytes) -> Any:
    """JSON from ``body``; 400 for anything the decoder or our text handling cannot take:
    invalid JSON or UTF-8, nesting deeper than the interpreter's recursion limit, integers
    over Python's 4,300-digit limit, and lone surrogates (``"\\ud800"``), which no UTF-8
    store can hold."""
    try:
        payload = json.loads(body)
    except RecursionError as exc:
        raise BadParameter("body: JSON nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, 4,300-digit limit
        raise BadParameter(f"body: not valid JSON ({str(exc)[:200]})") from exc
    try:
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadParameter("body: a string holds a lone surrogate (not valid Unicode)") from exc
    except (ValueError, RecursionError) as exc:
        raise BadParameter(f"body: unusable JSON ({str(exc)[:200]})") from exc
    return payload


@router.post(
    "/articles",
    summary="Add articles (token required)",
    response_model=IngestOut,
    responses=_errors(400, 401, 403, 413, 422),
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"anyOf": [_ARTICLE_SCHEMA, {"type": "array", "items": _ARTICLE_SCHEMA,
                                               "minItems": 1, "maxItems": MAX_POST_ARTICLES}]},
    }}}},
)
async def post_articles(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    """Ingest one article object or a list of them through the pipeline. Returns counts
    ``added``/``duplicates``/``rejected``, each stored article's ``id`` and ``story``, and every
    rejection with its reason. Re-posting an article is harmless: it counts as a duplicate."""
    _check_token(credentials)
    ctx = web_context(request)
    payload = _parse_json(await _read_body(request, ctx.settings.max_bytes))
    try:
        parsed = _BODY.validate_python(payload)
    except ValidationError as exc:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
                  for e in exc.errors()]
        raise HTTPException(422, errors) from exc
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items:
        raise BadParameter("body: the list is empty")
    if len(items) > MAX_POST_ARTICLES:
        raise BadParameter(f"body: at most {MAX_POST_ARTICLES} articles per request; "
                           "use `storyline ingest` for bulk imports")
    objects = [item.model_dump(exclude_none=True) for item in items]
    return await run_in_threadpool(ctx.ingest, objects)


# --- follows and alerts (storyline.alerts) -------------------------------------------------


class FollowIn(BaseModel):
    """What to follow."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["story", "entity", "query"] = Field(
        description="story: its new developments; entity, query: the stories it appears in.")
    target: str = Field(min_length=1, max_length=MAX_TARGET_CHARS, description=(
        "A story id (or a unique prefix of 4+ characters), an entity's canonical name or "
        "alias, or a full-text query (every word must match)."))


def _follow_out(store: Store, item: Follow) -> dict[str, Any]:
    return {**alert_shapes.follow(item), "alerts": store.count_alerts(follow_id=item.id),
            "feed": f"/follows/{item.id}/feed.atom"}


@router.get("/follows", summary="What is followed", response_model=FollowListOut)
def list_follows(request: Request) -> dict[str, Any]:
    """Every follow, oldest first, with its number of alerts and the path of its Atom feed
    of alerts (``/alerts/feed.atom`` has everyone's)."""
    store = web_context(request).store()
    with store.read_snapshot():
        return {"items": [_follow_out(store, f) for f in store.follows()]}


@router.post("/follows", summary="Follow a story, an entity or a query (token required)",
             response_model=FollowOut, responses=_errors(400, 401, 403, 404, 422))
def add_follow(
    request: Request, body: FollowIn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    """Follow ``target`` (of ``kind``); following the same thing again returns the existing
    follow. 404 for an unknown story or entity, 400 for an ambiguous story prefix or a query
    without words. From then on, every ingest records alerts for it."""
    _check_token(credentials)
    store = web_context(request).store()
    return _follow_out(store, follow(store, body.kind, body.target))


@router.delete("/follows/{follow_id}", summary="Stop following (token required)",
               response_model=UnfollowOut, responses=_errors(401, 403, 404, 422))
def delete_follow(
    request: Request, follow_id: str,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    """Delete the follow ``follow_id`` and its alerts; returns it as it was."""
    _check_token(credentials)
    store = web_context(request).store()
    with store.read_snapshot():
        count = store.count_alerts(follow_id=follow_id)
    removed = store.remove_follow(follow_id)
    return {"deleted": {**alert_shapes.follow(removed), "alerts": count,
                        "feed": f"/follows/{removed.id}/feed.atom"}}


@router.get("/alerts", summary="Recent alerts, newest first", response_model=AlertListOut,
            responses=_errors(404, 422))
def list_alerts(
    request: Request,
    follow_id: Annotated[str | None, Query(alias="follow", max_length=100,
                                           description="Only this follow's alerts.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """What was new for each follow: the story, the article, and for a followed story the
    developments it brought (action, modality, event date, novelty), each with its webhook
    ``delivery`` state; ``total`` counts them over all pages. 404 for an unknown follow."""
    store = web_context(request).store()
    with store.read_snapshot():
        if follow_id is not None and follow_id not in {f.id for f in store.follows()}:
            raise NotFoundError(f"no follow with id {follow_id!r}")
        found = store.list_alerts(follow_id=follow_id, limit=limit, offset=offset)
        total = store.count_alerts(follow_id=follow_id)
        states = store.deliveries(a.id for a in found)
    return {"total": total, "items": [alert_shapes.alert(a, states.get(a.id)) for a in found],
            "limit": limit, "offset": offset}


# --- feeds (storyline.feeds) ----------------------------------------------------------------


class FeedIn(BaseModel):
    """A feed to follow."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=MAX_URL_CHARS, description=(
        "An http(s) URL: a feed, or a site whose page announces one (discovered)."))
    discover: bool = Field(True, description="Fetch the URL to find its feed (false: follow "
                           "it as given).")


@router.get("/feeds", summary="Followed feeds and their health", response_model=FeedListOut)
def list_feeds(request: Request) -> dict[str, Any]:
    """Every followed feed (``storyline feeds list --json``): state, last fetch, last new
    entry, the last error and how many polls in a row failed, next check, interval."""
    from storyline.feeds.sources import health

    store = web_context(request).store()
    return {"items": [health(f) for f in store.list_feeds()]}


@router.post("/feeds", summary="Follow a feed (token required)", response_model=FeedAddOut,
             responses=_errors(400, 401, 403, 422))
async def add_feed(
    request: Request, body: FeedIn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    """Follow the feed ``url`` leads to (``storyline feeds add``); 400 when no feed is found
    there or it cannot be fetched (the reason in ``detail``). ``storyline watch`` polls it
    from its next round."""
    from storyline.feeds.sources import add_feeds, health

    _check_token(credentials)
    ctx = web_context(request)

    def add() -> dict[str, Any]:
        (added,) = add_feeds(ctx.store(), [body.url], settings=ctx.settings,
                             discover=body.discover)
        if added.feed is None:
            raise BadParameter(f"url: {added.error}")
        return {"feed": health(added.feed), "new": added.new}

    return await run_in_threadpool(add)


@router.delete("/feeds", summary="Stop following a feed (token required)",
               response_model=FeedDeletedOut, responses=_errors(401, 403, 404, 422))
def delete_feed(
    request: Request,
    url: Annotated[str, Query(min_length=1, max_length=MAX_URL_CHARS,
                              description="The feed's URL, as listed.")],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    """Stop following the feed ``url`` (its articles stay); returns it as it was."""
    from storyline.feeds.sources import health, unfollow

    _check_token(credentials)
    return {"deleted": health(unfollow(web_context(request).store(), url))}

