"""Polite, bounded HTTP fetching of feeds and pages (httpx, asyncio).

What a fetch does, and what it refuses:
- **Conditional GET.** The caller passes the validators a feed's last response carried
  (``ETag``, ``Last-Modified``); an unchanged feed answers 304 and costs no body.
- **Politeness.** At most ``host_connections`` requests in flight per host, and at least
  ``host_delay`` seconds between two requests to one host (``aiolimiter``), retries included.
- **Retries.** A transient failure (connection error, timeout, 408, 429, 5xx) is retried up to
  ``retries`` times with jittered exponential backoff (``tenacity``). A 429 or 503 with a
  ``Retry-After`` waits what it says when that is at most ``max_retry_wait``; a longer wait
  ends the fetch with ``FetchError.retry_after`` set, and the scheduler comes back then.
- **Limits.** ``timeout`` to connect and between reads, ``deadline`` for the whole fetch of one
  attempt (connection, headers, body, redirects: a server that drips one byte a second is cut
  off), ``max_redirects`` (and a loop is named as one), ``max_bytes`` of body both as sent and
  after decompression (the client decompresses gzip and deflate itself, a bounded step at a
  time, so a gzip bomb stops at the limit), and the content types the caller accepts.
- **SSRF.** Every connection, redirects included, goes through ``safety.GuardedBackend``.

Every failure is a ``FetchError`` (``UnsafeURLError`` for SSRF) naming the URL and the cause.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from storyline.config import Settings
from storyline.errors import FetchError
from storyline.feeds.safety import GuardedBackend, allowed_set, check_url

log = logging.getLogger(__name__)

USER_AGENT = "Storyline/0.1 (news story tracker; feed reader)"

#: Media types of RSS/Atom/RDF feeds (and the generic XML ones feeds are often served as).
FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
    "text/xml", "application/x-rss+xml", "application/x-atom+xml", "text/rss+xml",
    "text/atom+xml",
})
#: Media types of web pages.
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: What a feed poll accepts: feeds are also served as HTML or plain text by misconfigured
#: servers, and the parser tells a feed from anything else.
FEED_OR_PAGE = FEED_TYPES | PAGE_TYPES | {"text/plain"}

_REDIRECTS = {301, 302, 303, 307, 308}
_TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
#: Longest Retry-After taken into account (a day): a server asking for a week is asked again
#: tomorrow.
MAX_RETRY_AFTER = 86400.0


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Limits and manners of the fetcher (``from_settings`` for the configured ones)."""

    timeout: float = 10.0
    deadline: float = 60.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2
    #: First backoff step in seconds (doubling, jittered, up to ``max_backoff``).
    backoff: float = 1.0
    max_backoff: float = 30.0
    #: Longest Retry-After waited for inside one fetch; a longer one ends the fetch.
    max_retry_wait: float = 30.0
    host_delay: float = 1.0
    host_connections: int = 2
    allowed_hosts: frozenset[str] = frozenset()
    user_agent: str = USER_AGENT

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> FetchOptions:
        """The options the settings configure (``fetch_*``, ``max_bytes``)."""
        values: dict[str, object] = {
            "timeout": settings.fetch_timeout, "deadline": settings.fetch_deadline,
            "max_bytes": settings.max_bytes, "retries": settings.fetch_retries,
            "host_delay": settings.fetch_host_delay,
            "host_connections": settings.fetch_host_connections,
            "allowed_hosts": allowed_set(settings.fetch_allowed_hosts),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Validators:
    """A response's cache validators, sent back as ``If-None-Match``/``If-Modified-Since``."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched resource: its final URL (after redirects), status, decoded body (empty on
    304), media type and charset, and the validators to send next time."""

    url: str
    status: int
    body: bytes = b""
    media_type: str | None = None
    charset: str | None = None
    validators: Validators = field(default_factory=Validators)

    @property
    def not_modified(self) -> bool:
        """The server said the resource has not changed since the validators sent."""
        return self.status == 304


class _HostGate:
    """One host's concurrency slots and rate limit."""

    def __init__(self, options: FetchOptions) -> None:
        self.slots = asyncio.Semaphore(max(1, options.host_connections))
        self.limiter = AsyncLimiter(1, options.host_delay) if options.host_delay > 0 else None

    @asynccontextmanager
    async def enter(self) -> AsyncIterator[None]:
        async with self.slots:
            if self.limiter is not None:
                await self.limiter.acquire()
            yield


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose network backend checks every address
    it connects to (``safety.GuardedBackend``)."""

    def __init__(self, allowed: frozenset[str]) -> None:
        super().__init__(trust_env=False, retries=0)
        # httpx does not take a network backend; its pool does (httpcore's public API).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=100,
            max_keepalive_connections=20, keepalive_expiry=5.0,
            network_backend=GuardedBackend(allowed),
        )


class Fetcher:
    """An HTTP client for feeds and pages; use as ``async with Fetcher(options) as f``."""

    def __init__(self, options: FetchOptions | None = None) -> None:
        self.options = options or FetchOptions()
        self._gates: dict[str, _HostGate] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        o = self.options
        self._client = httpx.AsyncClient(
            transport=_GuardedTransport(o.allowed_hosts), follow_redirects=False,
            trust_env=False, timeout=httpx.Timeout(o.timeout, pool=o.deadline),
            headers={"User-Agent": o.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:  # fmt: skip
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch(self, url: str, *, accept: frozenset[str] = FEED_OR_PAGE,
                    validators: Validators | None = None) -> Fetched:  # fmt: skip
        """GET ``url`` (following redirects), retrying transient failures; raises
        ``FetchError`` (``UnsafeURLError`` when an address is refused)."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.options.retries + 1), wait=self._wait,
            retry=retry_if_exception(self._retryable), reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._fetch_once(url, accept, validators)
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    # --- retries ------------------------------------------------------------------------
    def _retryable(self, exc: BaseException) -> bool:
        if not isinstance(exc, FetchError) or not exc.transient:
            return False
        return exc.retry_after is None or exc.retry_after <= self.options.max_retry_wait

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, FetchError) and exc.retry_after is not None:
            return exc.retry_after
        step = self.options.backoff * 2 ** (state.attempt_number - 1)
        return random.uniform(0, min(self.options.max_backoff, step))  # full jitter

    # --- one attempt --------------------------------------------------------------------
    async def _fetch_once(self, url: str, accept: frozenset[str],
                          validators: Validators | None) -> Fetched:  # fmt: skip
        assert self._client is not None, "use the Fetcher as an async context manager"
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.options.deadline):
                return await self._follow(url, accept, validators)
        except TimeoutError as exc:
            raise FetchError(url, f"took longer than the {self.options.deadline:g} s deadline",
                             transient=True) from exc
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out ({type(exc).__name__}) after"
                             f" {time.monotonic() - started:.1f} s", transient=True) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(url, f"not a fetchable URL: {exc}") from exc
        except httpx.TransportError as exc:
            raise FetchError(url, f"connection failed: {type(exc).__name__}: {exc}",
                             transient=True) from exc

    async def _follow(self, url: str, accept: frozenset[str],
                      validators: Validators | None) -> Fetched:  # fmt: skip
        assert self._client is not None
        current, visited = url, {url}
        headers = {"Accept": ", ".join(sorted(accept)) + ", */*;q=0.1"}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        for _ in range(self.options.max_redirects + 1):
            check_url(current)
            host = (urlsplit(current).hostname or "").lower()
            gate = self._gates.setdefault(host, _HostGate(self.options))
            async with gate.enter():
                request = self._client.build_request("GET", current, headers=headers)
                response = await self._client.send(request, stream=True)
                try:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        target = urljoin(current, response.headers["location"])
                        if target in visited:
                            raise FetchError(url, f"redirect loop at {target}")
                        visited.add(target)
                        log.debug("%s redirects to %s", current, target)
                        current = target
                        continue
                    return await self._answer(url, current, response, accept)
                finally:
                    await response.aclose()
        raise FetchError(url, f"more than {self.options.max_redirects} redirects")

    async def _answer(self, url: str, final: str, response: httpx.Response,
                      accept: frozenset[str]) -> Fetched:  # fmt: skip
        status = response.status_code
        got = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
        if status == 304:
            return Fetched(url=final, status=304, validators=got)
        if status in _TRANSIENT_STATUSES or status >= 500:
            after = retry_after(response.headers.get("retry-after"))
            raise FetchError(url, f"HTTP {status}" + (f", retry after {after:g} s" if after
                                                      is not None else ""),
                             transient=status != 501, retry_after=after, status=status)
        if status >= 400 or status < 200:
            raise FetchError(url, f"HTTP {status}", status=status)
        media, charset = _media_type(response.headers.get("content-type"))
        if media is not None and media not in accept:
            raise FetchError(url, f"unexpected content type {media}", status=status)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.options.max_bytes:
            raise FetchError(url, f"body of {declared} bytes is over the"
                             f" {self.options.max_bytes}-byte limit", status=status)
        body = await self._read(url, response)
        return Fetched(url=final, status=status, body=body, media_type=media, charset=charset,
                       validators=got)

    async def _read(self, url: str, response: httpx.Response) -> bytes:
        """The body, decompressed here a bounded step at a time: never more than
        ``max_bytes`` held, as sent or decompressed."""
        limit = self.options.max_bytes
        coding = response.headers.get("content-encoding", "identity").strip().lower()
        if coding not in ("identity", "", "gzip", "x-gzip", "deflate"):
            raise FetchError(url, f"unsupported content encoding {coding!r}")
        inflate = _Inflater(coding) if coding in ("gzip", "x-gzip", "deflate") else None
        body = bytearray()
        sent = 0
        async for chunk in response.aiter_raw():
            sent += len(chunk)
            if sent > limit:
                raise FetchError(url, f"body is over the {limit}-byte limit")
            if inflate is None:
                body += chunk
            else:
                try:
                    inflate.feed(chunk, body, limit)
                except zlib.error as exc:
                    raise FetchError(url, f"broken {coding} body: {exc}") from exc
            if len(body) > limit:
                raise FetchError(url, f"body is over the {limit}-byte limit after"
                                 " decompression")
        return bytes(body)


class _Inflater:
    """gzip (every member in turn) or deflate (zlib-wrapped or raw), never producing more
    than the limit allows in one step."""

    def __init__(self, coding: str) -> None:
        self.gzip = coding != "deflate"
        self.raw_deflate = False
        self.started = False
        self.inner = self._new()

    def _new(self) -> Any:  # zlib's decompressor type is private
        if self.gzip:
            return zlib.decompressobj(wbits=31)
        return zlib.decompressobj(wbits=-15 if self.raw_deflate else 15)

    def feed(self, data: bytes, out: bytearray, limit: int) -> None:
        while data:
            room = limit + 1 - len(out)
            if room <= 0:
                return
            try:
                piece = self.inner.decompress(data, room)
            except zlib.error:
                if self.gzip or self.started or self.raw_deflate:
                    raise
                self.raw_deflate = True  # "deflate" sent without its zlib wrapper
                self.inner = self._new()
                continue
            self.started = True
            out += piece
            if self.inner.eof:
                data = self.inner.unused_data
                if data and self.gzip:
                    self.inner = self._new()
                    continue
                return
            data = self.inner.unconsumed_tail


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number, or an HTTP date), at most
    ``MAX_RETRY_AFTER``; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER)


def _media_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip('"') or None
    return media.strip().lower() or None, charset
