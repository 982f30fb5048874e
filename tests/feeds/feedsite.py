"""A real HTTP server on 127.0.0.1 that serves feeds and article pages and misbehaves on
purpose: conditional GET (it counts its 304s), 429 with Retry-After, 500s, stalls and slow
drips, redirect loops and redirects to internal addresses, wrong content types, a 50 MB body,
a gzip bomb, billion-laughs and XXE feeds.

Each path is a ``Route``; tests change them while the server runs (``site.feeds[...]``).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

WORDS = ("harbour", "council", "river", "bridge", "station", "market", "workers", "union",
         "court", "jury", "fire", "crews", "school", "hospital", "ferry", "rail", "airport",
         "budget", "mayor", "police", "storm", "flood", "farmers", "vote", "museum", "library",
         "festival", "stadium", "factory", "port", "engineers", "residents", "officials")


def article_text(seed: str, words: int = 160) -> str:
    """A distinct body of ``words`` words (seeded by ``seed``), in sentences."""
    rng = random.Random(seed)
    out = []
    for i in range(0, words, 12):
        chunk = [rng.choice(WORDS) for _ in range(11)]
        out.append(f"{seed.title()} {' '.join(chunk)} {i}.")
    return " ".join(out)


@dataclass
class Entry:
    """One feed entry: GUID, link, title, body (full text or a short summary)."""

    guid: str
    link: str
    title: str
    body: str
    published: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=1))


def rss(title: str, entries: list[Entry]) -> bytes:
    """An RSS 2.0 document."""
    items = "".join(
        f"<item><guid isPermaLink=\"false\">{escape(e.guid)}</guid><link>{escape(e.link)}</link>"
        f"<title>{escape(e.title)}</title>"
        f"<pubDate>{format_datetime(e.published, usegmt=True)}</pubDate>"
        f"<description>{escape(_html(e.body))}</description></item>"
        for e in entries
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>http://example.org/</link>{items}"
            f"</channel></rss>").encode()


def _html(body: str) -> str:
    """An entry body as feeds carry it: HTML paragraphs (unless it is HTML already)."""
    return body if body.lstrip().startswith("<") else f"<p>{body}</p>"


def page(title: str, text: str) -> bytes:
    """An article page."""
    paras = "".join(f"<p>{escape(p)}</p>" for p in text.split(". ") if p)
    return (f"<!doctype html><html><head><title>{escape(title)}</title></head><body>"
            f"<article><h1>{escape(title)}</h1>{paras}</article></body></html>").encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title><item><guid>l1</guid>
<link>http://example.org/laughs</link><title>&lol9;</title><description>&lol9;</description>
</item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>XXE</title><item><guid>x1</guid>
<link>http://example.org/xxe</link><title>secret</title><description>&xxe;</description>
</item></channel></rss>"""


def _gzip_bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        block = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            gz.write(block)
    return buf.getvalue()


Handler = Callable[["_Request"], None]


@dataclass
class Route:
    """What a path answers: a body with a content type, or a behaviour (``handler``)."""

    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: bool = True
    handler: Handler | None = None
    headers: dict[str, str] = field(default_factory=dict)


class _Request(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        site = self.server.site
        path = self.path.split("?", 1)[0]
        with site.lock:
            site.hits[path] += 1
            route = site.routes.get(path)
        if route is None:
            self.send_plain(404, b"not found")
            return
        if route.handler is not None:
            route.handler(self)
            return
        tag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
        if route.etag and self.headers.get("If-None-Match") == tag:
            with site.lock:
                site.not_modified[path] += 1
            self.send_response(304)
            self.send_header("ETag", tag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(route.body)))
        if route.etag:
            self.send_header("ETag", tag)
        for key, value in route.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(route.body)

    def send_plain(self, status: int, body: bytes, headers: dict[str, str] | None = None
                   ) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many feeds polled at once
    site: Site

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up on purpose (the limits under test)


class Site:
    """The server and what it serves; ``url(path)`` gives a path's address."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        #: Bytes the 50 MB route managed to send before the client hung up.
        self.huge_sent = 0
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Request)
        self._server.site = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._install_faults()

    def start(self) -> Site:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stop_event.set()
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def feed(self, path: str, title: str, entries: list[Entry]) -> str:
        """Serve (or replace) a feed at ``path``; returns its URL."""
        with self.lock:
            self.routes[path] = Route(body=rss(title, entries))
        return self.url(path)

    def page(self, path: str, title: str, text: str) -> str:
        with self.lock:
            self.routes[path] = Route(body=page(title, text), content_type="text/html")
        return self.url(path)

    # --- faults -------------------------------------------------------------------------
    def _install_faults(self) -> None:
        r = self.routes
        r["/fault/500"] = Route(body=b"oops", status=500, content_type="text/plain", etag=False)
        r["/fault/image"] = Route(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
                                  content_type="image/png")
        r["/fault/laughs"] = Route(body=BILLION_LAUGHS, content_type="application/xml")
        r["/fault/xxe"] = Route(body=XXE, content_type="application/xml")
        r["/fault/stall"] = Route(handler=self._stall)
        r["/fault/drip"] = Route(handler=self._drip)
        r["/fault/loop-a"] = Route(handler=lambda q: _redirect(q, "/fault/loop-b"))
        r["/fault/loop-b"] = Route(handler=lambda q: _redirect(q, "/fault/loop-a"))
        r["/fault/huge"] = Route(handler=self._huge)
        r["/fault/bomb"] = Route(handler=self._bomb)
        r["/fault/to-metadata"] = Route(handler=lambda q: _redirect(
            q, "http://169.254.169.254/latest/meta-data/"))
        r["/fault/to-private"] = Route(handler=lambda q: _redirect(q, "http://10.1.2.3/feed"))
        r["/fault/to-localhost"] = Route(handler=lambda q: _redirect(
            q, f"http://localhost:{self.port}/fault/500"))

    def rate_limited(self, path: str, inner: str, *, refusals: int, retry_after: int) -> str:
        """``path`` answers 429 (Retry-After) ``refusals`` times, then what ``inner`` does."""
        left = [refusals]

        def handle(q: _Request) -> None:
            with self.lock:
                refuse = left[0] > 0
                left[0] -= 1
            if refuse:
                q.send_plain(429, b"slow down", {"Retry-After": str(retry_after)})
                return
            route = self.routes[inner]
            q.send_response(200)
            q.send_header("Content-Type", route.content_type)
            q.send_header("Content-Length", str(len(route.body)))
            q.end_headers()
            q.wfile.write(route.body)

        with self.lock:
            self.routes[path] = Route(handler=handle)
        return self.url(path)

    def _stall(self, q: _Request) -> None:
        self.stop_event.wait(5)  # longer than any test's timeout

    def _drip(self, q: _Request) -> None:
        q.send_response(200)
        q.send_header("Content-Type", "application/rss+xml")
        q.send_header("Content-Length", "100000")
        q.end_headers()
        try:
            for _ in range(100):  # one byte every 0.1 s: never a read timeout, never done
                if self.stop_event.wait(0.1):
                    return
                q.wfile.write(b" ")
                q.wfile.flush()
        except OSError:
            return

    def _huge(self, q: _Request) -> None:
        q.send_response(200)
        q.send_header("Content-Type", "application/rss+xml")
        q.send_header("Connection", "close")  # no length: the client must count
        q.end_headers()
        block = b"<!-- " + b"x" * (64 * 1024 - 9) + b" -->"
        sent = 0
        try:
            while sent < 50 * 1024 * 1024:
                q.wfile.write(block)
                sent += len(block)
        except OSError:
            pass
        finally:
            self.huge_sent = sent
            q.close_connection = True

    _BOMB: bytes | None = None

    def _bomb(self, q: _Request) -> None:
        if Site._BOMB is None:
            Site._BOMB = _gzip_bomb(64 << 20)  # 64 MiB of zeros in ~64 KB
        q.send_response(200)
        q.send_header("Content-Type", "application/rss+xml")
        q.send_header("Content-Encoding", "gzip")
        q.send_header("Content-Length", str(len(Site._BOMB)))
        q.end_headers()
        with contextlib.suppress(OSError):  # the client hangs up at its limit
            q.wfile.write(Site._BOMB)


def _redirect(q: _Request, target: str) -> None:
    q.send_response(302)
    q.send_header("Location", target)
    q.send_header("Content-Length", "0")
    q.end_headers()


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``check`` until true or ``timeout`` seconds pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()
