"""The web application: one process serving the HTML pages and the REST API over one store.

``create_app`` wires the parts together; the routes live in ``api.py`` (``/api/v1``, JSON) and
``pages.py`` (server-rendered HTML). What both share lives here, in ``WebContext``:

* **Connections.** Each worker thread reads through its own connection to the SQLite file
  (opened on first use, handed on to a later thread when its thread ends, closed at
  shutdown), so the CLI can ingest while the server runs: SQLite's WAL lets every reader see
  the last committed batch, and a view made of several reads takes them in one snapshot.
  Writes (``POST /api/v1/articles``) open a fresh connection, run the ordinary ``Pipeline``
  and are serialised by one lock.
* **Stories** come from the library as the CLI shows them: ``storyline.timeline.
  build_story_view`` and ``serialize.story_view`` (articles, timeline of developments, events,
  entities, coverage); entities from the store's entity index (``find_entities``,
  ``entity_stories``, ``list_entities``).
* **Errors.** Every error is ``{"error": ..., "detail": ...}`` JSON under ``/api`` and a small
  HTML page elsewhere, with the right status; bad input gives 400/422, never 500. A 500
  leaves the connection open for the client's next request.
* **Headers.** A strict Content-Security-Policy (no inline script anywhere; the pages use none),
  ``nosniff``, no framing, and ``Server-Timing: app;dur=<ms>`` for latency measurements.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyline import serialize
from storyline.config import Settings
from storyline.embedding import Encoder, MiniLMEncoder
from storyline.errors import InputError, ModelError, NotFoundError, StorylineError
from storyline.extract.build import ExtractOptions, extract_record
from storyline.models import ArticleSummary, Explanation, RawRecord, Rejection, StorySummary
from storyline.store import Store, StoryFilter, open_store
from storyline.stories.explain import explain
from storyline.stories.scoring import weights_with_threshold
from storyline.timeline import build_story_view

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent

#: Pages and API: nothing inline, nothing from elsewhere (SVG charts are inline markup, not script).
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: The /docs (Swagger UI) and /redoc pages: their scripts and styles are served from this
#: server (``fastapi-offline`` ships them, under ``DOCS_ASSETS``), and each page starts them
#: with one inline script. Nothing comes from elsewhere, so they work offline.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; worker-src blob:; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
#: Host names any server answers to; ``allowed_hosts`` (a setting) adds more.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DOCS_ASSETS = "/static/docs"

#: Seconds an idle keep-alive connection stays open. Longer than the clients' own idle limits
#: (httpx 5 s, nginx and AWS load balancers 60 s), so that the client, not the server, ends
#: an idle connection: with uvicorn's default of 5 s a client reusing a connection idle for
#: about 5 s sent its request into the server's close and met a reset (2 of 90 httpx
#: requests after 4.97–5.03 s idle).
KEEP_ALIVE_S = 75
#: How ``storyline serve`` runs uvicorn (``uvicorn.Config`` arguments); the tests' live server
#: (``tests/web/conftest.py``) uses them too, so that what the tests measure is what runs.
#: HTTP/1.1 through h11 whatever else is installed (httptools, when present, would parse
#: differently from the server the tests run), no WebSockets (no route uses them), the
#: lifespan on (shutdown closes the store's connections) and ``KEEP_ALIVE_S``. Backlog and
#: concurrency stay at uvicorn's defaults (2048, unlimited): a concurrency limit would answer
#: 503 where a request can wait its turn in AnyIO's 40 worker threads.
UVICORN_OPTIONS: dict[str, Any] = {"http": "h11", "ws": "none", "lifespan": "on",
                                   "timeout_keep_alive": KEEP_ALIVE_S}

#: Most articles one POST may carry; bigger imports belong to ``storyline ingest``.
MAX_POST_ARTICLES = 1000
TOKEN_ENV = "STORYLINE_API_TOKEN"


class BadParameter(InputError):
    """A query parameter has a value the route cannot use (answered with 400)."""


def parse_day(value: str | None, *, name: str, end_of_day: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` (or a full ISO 8601 time) as an aware datetime; naive values are UTC.

    With ``end_of_day`` a bare date means the last instant of that day, so ``until=2024-05-14``
    includes stories active on the 14th.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    try:
        if day is not None:
            parsed = datetime.combine(day, clock.min, tzinfo=UTC)
            if end_of_day:
                parsed = datetime.combine(day, clock.max, tzinfo=UTC)
        else:
            parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        parsed.timestamp()  # years the store cannot compare raise here, not in the query
    except (ValueError, OverflowError) as exc:
        raise BadParameter(f"{name}: expected a date like 2024-05-14, got {value!r}") from exc
    return parsed


def has_words(text: str | None) -> bool:
    """Whether a query holds anything the full-text index can match (letters or digits)."""
    return bool(text) and any(c.isalnum() for c in text or "")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: the article, its story, and the cosine similarity (semantic mode)."""

    article: ArticleSummary
    story_id: str | None
    score: float | None = None


class WebContext:
    """What every route needs: settings, per-thread store connections, the encoder, the
    write lock and the templates."""

    def __init__(self, settings: Settings, *, store_path: str | Path | None,
                 encoder: Encoder | None) -> None:
        self.settings = settings
        self.store_path = str(store_path if store_path is not None else settings.db)
        self.encoder: Encoder = encoder or MiniLMEncoder()
        self.write_lock = threading.Lock()
        self._local = threading.local()
        #: Every read connection opened, by the thread that holds it now.
        self._opened: dict[threading.Thread, Store] = {}
        self._opened_lock = threading.Lock()
        env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)
        self.templates = Jinja2Templates(env=env)

    # --- connections --------------------------------------------------------------------
    def store(self) -> Store:
        """This thread's read connection: on first use, the connection of a worker thread
        that has ended, else a new one (the schema migrated).

        The server's worker threads come and go (AnyIO ends one after 10 s idle and starts
        another on demand), so a connection is handed on rather than kept per thread: the
        server holds at most one per thread alive at once (40, AnyIO's limit), instead of one
        more per idle spell until it runs out of file descriptors."""
        store: Store | None = getattr(self._local, "store", None)
        if store is not None:
            return store
        me = threading.current_thread()
        with self._opened_lock:
            ended = next((t for t in self._opened if not t.is_alive()), None)
            if ended is not None:
                store = self._opened.pop(ended)
                self._opened[me] = store
        if store is None:
            store = open_store(self.store_path, model_name=self.encoder.name)
            with self._opened_lock:
                self._opened[me] = store
        self._local.store = store
        return store

    def close(self) -> None:
        """Close every read connection."""
        with self._opened_lock:
            for store in self._opened.values():
                store.close()
            self._opened.clear()
        self._local = threading.local()

    # --- stories ------------------------------------------------------------------------
    @staticmethod
    def story_view(store: Store, story_id: str) -> dict[str, Any]:
        """The story as ``storyline show --json`` prints it (``serialize.story_view``): its
        articles plus ``timeline``, ``events``, ``entities``, ``coverage`` and ``unenriched``.
        Raises ``NotFoundError``."""
        return serialize.story_view(build_story_view(store, story_id))

    def explain(self, store: Store, article_id: str) -> Explanation:
        """Why an article is in its story (``stories/explain.py``), against the join
        threshold the settings configure. Raises ``NotFoundError``."""
        return explain(store, article_id,
                       weights=weights_with_threshold(self.settings.cluster_threshold))

    @staticmethod
    def list_stories(store: Store, *, since: datetime | None = None,
                     until: datetime | None = None, outlet: str | None = None,
                     entity: str | None = None, query: str | None = None,
                     limit: int = 50, offset: int = 0) -> list[StorySummary]:
        """Stories matching every filter, most recent activity first (the store's order).

        ``entity`` (canonical name or alias) selects the stories ``store.entity_stories``
        finds; ``StoryFilter`` has no story-id filter, so the other filters are applied here to
        those summaries, with the store's semantics (span overlap, case-insensitive outlet)."""
        outlet = outlet.strip() if outlet and outlet.strip() else None
        query = query if has_words(query) else None
        if entity is None or not entity.strip():
            return store.list_stories(StoryFilter(since=since, until=until, outlet=outlet,
                                                  query=query, limit=limit, offset=offset))
        try:
            found = [a.story for a in store.entity_stories(entity.strip())]
        except NotFoundError:
            return []
        if query is not None:
            matching = {s.id for s in store.list_stories(StoryFilter(query=query,
                                                                     limit=1_000_000))}
            found = [s for s in found if s.id in matching]
        folded = outlet.casefold() if outlet else None
        found = [
            s for s in found
            if s.article_count > 0
            and (since is None or s.last_published >= since)
            and (until is None or s.first_published <= until)
            and (folded is None or folded in {o.casefold() for o in s.outlets})
        ]
        found.sort(key=lambda s: (-s.last_published.timestamp(), s.id))
        return found[offset : offset + limit]

    # --- search and writes --------------------------------------------------------------
    def search(self, store: Store, query: str, *, mode: str, limit: int) -> list[SearchHit]:
        """Text (FTS5, bm25) or semantic (nearest head vectors) search, with story ids."""
        if not has_words(query):
            raise BadParameter("q: the query needs at least one letter or digit")
        found: list[tuple[ArticleSummary, float | None]]
        if mode == "semantic":
            vector = self.encoder.encode([query])[0]
            found = list(store.nearest_articles(vector, limit=limit))
        elif mode == "text":
            found = [(a, None) for a in store.search_text(query, limit=limit)]
        else:
            raise BadParameter(f"mode: expected 'text' or 'semantic', got {mode!r}")
        hits = []
        for article, score in found:
            try:
                story_id = store.get_article(article.id).story_id
            except NotFoundError:  # removed between the search and now
                continue
            hits.append(SearchHit(article, story_id, score))
        return hits

    def ingest(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Ingest JSONL-shaped article objects through the ordinary pipeline (one at a time)."""
        from storyline.pipeline import Pipeline

        records: list[RawRecord | Rejection] = []
        for index, obj in enumerate(items):
            source = f"request#{index}"
            text = obj.get("text")
            if not isinstance(text, str) or not text.strip():
                records.append(Rejection(source, "read", "missing or empty 'text' field"))
                continue
            content = json.dumps(obj, ensure_ascii=False)
            records.append(RawRecord(source=source, kind="jsonl", content=content, fields=obj))
        with self.write_lock:
            store = open_store(self.store_path, model_name=self.encoder.name)
            try:
                pipeline = Pipeline(store, settings=self.settings, encoder=self.encoder)
                report = pipeline.ingest_records(records)
                rejected = {r.source: r for r in report.rejections}
                articles = []
                options = ExtractOptions(min_words=self.settings.min_words)
                for item in records:
                    if isinstance(item, Rejection) or item.source in rejected:
                        continue
                    article_id = extract_record(item, options=options).id
                    try:
                        story_id = store.get_article(article_id).story_id
                    except NotFoundError:
                        story_id = None
                    articles.append({"source": item.source, "id": article_id, "story": story_id})
            finally:
                store.close()
        return {
            "added": report.added,
            "duplicates": report.duplicates,
            "rejected": report.rejected,
            "stories_created": report.stories_created,
            "articles": articles,
            "rejections": [dataclasses.asdict(r) for r in report.rejections],
        }


def web_context(request: Request) -> WebContext:
    """The ``WebContext`` of the app serving ``request``."""
    ctx: WebContext = request.app.state.web
    return ctx


class _Headers:
    """Pure ASGI middleware: security headers and ``Server-Timing`` on every response.

    It is the outermost of the app's own layers, so it also answers an unhandled exception
    (500, in the usual error shape, with the headers) before Starlette's last-resort handler,
    which would answer without them. The exception is logged here and stops here: raised on,
    it would make uvicorn close the connection after the 500, and a keep-alive client's next
    request on it would meet a reset (issue 11: every 500 under load cost a client a
    connection). Only an exception after the response has started goes on up, so that the
    server drops the half-sent answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        csp = DOCS_CSP if scope["path"] in DOCS_PATHS else CSP
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                elapsed = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"server-timing", f"app;dur={elapsed:.2f}".encode()),
                ]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if response_started:
                raise
            log.exception("request %s %s failed", scope.get("method"), scope.get("path"))
            response = _error(Request(scope), 500, "internal error",
                              "the server failed to answer; its log says why")
            await response(scope, receive, send_with_headers)


def host_name(header: str) -> str:
    """The name in a ``Host`` header: lower case, without the port, IPv6 brackets or a final
    dot (``[::1]:8000`` → ``::1``)."""
    text = header.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        return text[1:end] if end > 0 else text
    if text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text.rstrip(".")


class _AllowedHosts:
    """Pure ASGI middleware: answers 421 to a request whose ``Host`` is not one this server
    is known by (the address the connection came in on, loopback names, the
    ``allowed_hosts`` setting). A DNS-rebinding page reaches the server under its own name,
    so it is turned away and cannot read the store from a browser."""

    def __init__(self, app: ASGIApp, *, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope.get("headers", []) if k == b"host"), None)
        server = scope.get("server")  # the ASGI server's own address for this connection
        name = host_name(header.decode("latin-1")) if header is not None else ""
        if name and (name in self.allowed or (server and name == str(server[0]).lower())):
            await self.app(scope, receive, send)
            return
        shown = header.decode("latin-1")[:100] if header is not None else "(none)"
        # The error page is rendered without the rejected Host (Starlette builds URLs from it).
        clean = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"host"]}
        response = _error(Request(clean), 421, "misdirected request",
                          f"this server does not answer to Host {shown!r}; add the name to"
                          " the allowed_hosts setting to serve under it")
        await response(scope, receive, send)


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The host names every request may use: ``LOCAL_HOSTS`` plus the ``allowed_hosts``
    setting (the address a connection came in on is allowed per request)."""
    extra = {host_name(h) for h in settings.allowed_hosts.split(",") if h.strip()}
    return LOCAL_HOSTS | frozenset(extra)


def _error(request: Request, status: int, error: str, detail: Any,
           headers: dict[str, str] | None = None) -> Response:
    """JSON under /api, a small HTML page elsewhere."""
    if str(request.scope.get("path", "")).startswith("/api/"):
        return JSONResponse({"error": error, "detail": detail}, status_code=status,
                            headers=headers)
    ctx = web_context(request)
    return ctx.templates.TemplateResponse(
        request, "error.html",
        {"status": status, "error": error, "detail": detail if isinstance(detail, str) else None},
        status_code=status, headers=headers,
    )


_STATUS_NAMES = {400: "bad request", 401: "unauthorized", 403: "forbidden", 404: "not found",
                 405: "method not allowed", 413: "payload too large", 421: "misdirected request",
                 422: "invalid request", 501: "not implemented", 503: "unavailable"}


def _install_error_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        error = _STATUS_NAMES.get(exc.status_code, "error")
        return _error(request, exc.status_code, error, exc.detail, dict(exc.headers or {}))

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {k: v for k, v in e.items() if k in ("type", "loc", "msg", "ctx")}
            for e in jsonable_encoder(exc.errors())
        ]
        if request.url.path.startswith("/api/"):
            return _error(request, 422, "invalid request", errors)
        names = ", ".join(str(e.get("loc", ["?"])[-1]) for e in errors)
        return _error(request, 422, "invalid request", f"check these parameters: {names}")

    async def library_error(request: Request, exc: Exception) -> Response:
        status, error = 500, "internal error"
        if isinstance(exc, NotFoundError):
            status, error = 404, "not found"
        elif isinstance(exc, InputError):
            status, error = 400, "bad request"
        elif isinstance(exc, ModelError):
            status, error = 503, "unavailable"
        if status == 500:
            log.error("request %s failed: %s", request.url.path, exc)
        return _error(request, status, error, str(exc))

    async def store_busy(request: Request, exc: Exception) -> Response:
        log.warning("store error on %s: %s", request.url.path, exc)
        return _error(request, 503, "unavailable", "the store is busy; try again")

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StorylineError, library_error)
    app.add_exception_handler(sqlite3.OperationalError, store_busy)
    with contextlib.suppress(ImportError):  # a PostgreSQL store: its server down, a lock timeout
        import psycopg

        app.add_exception_handler(psycopg.OperationalError, store_busy)


def create_app(settings: Settings, *, store_path: str | Path | None = None,
               encoder: Encoder | None = None) -> FastAPI:
    """The FastAPI application over the store at ``store_path`` (default ``settings.db``).

    ``encoder`` embeds semantic-search queries and POSTed articles (default: the bundled
    MiniLM, loaded on first use).
    """
    from storyline.web import alerts, api, feeds, pages

    ctx = WebContext(settings, store_path=store_path, encoder=encoder)
    ctx.templates.env.filters.update(pages.FILTERS)
    ctx.store()  # fail early (and migrate) if the store cannot be opened

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.close()

    app = FastAPIOffline(
        static_url=DOCS_ASSETS,
        title="Storyline",
        version="1",
        summary="News stories and their articles, over the Storyline store.",
        description=api.DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.web = ctx
    app.add_middleware(_AllowedHosts, allowed=allowed_hosts(settings))
    app.add_middleware(_Headers)  # added last: outermost, so it also marks 421s and 500s
    _install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)  # /feeds (storyline.feeds)
    app.include_router(alerts.router)  # /alerts and the Atom feeds (storyline.alerts)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def run_server(settings: Settings, *, host: str, port: int) -> None:
    """Serve the UI and the API with uvicorn until interrupted."""
    import uvicorn

    if not os.environ.get(TOKEN_ENV):
        log.warning("%s is not set: POST /api/v1/articles is disabled (reads are open)",
                    TOKEN_ENV)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", **UVICORN_OPTIONS)
