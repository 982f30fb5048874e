"""Hostile input to the web UI and the API (issue 11): script URLs, endless bodies, foreign Host
headers, values that used to give 500s, and reads racing a concurrent ingest.

Stores are built by the real pipeline; the body-size and Host checks also run against a real
uvicorn server over a socket, since the in-process client reads a whole body before the app
sees it.
"""

from __future__ import annotations

import json
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from storyline.web.server import TOKEN_ENV

TOKEN = "hostile-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options",
                    "referrer-policy")

_BODY = (
    "Firefighters spent the night tackling a large blaze at a timber warehouse on the north "
    "quay of Kelham harbour. The fire service said {n} crews were sent after the alarm was "
    "raised shortly before midnight and that nobody was hurt. Harbour master Ines Varga said "
    "ferry sailings would resume once the smoke cleared. Report number {n}."
)


def _article(n: int, url: str | None, *, day: int = 2) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": f"Warehouse fire at Kelham harbour, report {n}",
        "text": _BODY.format(n=n),
        "published": f"2024-06-{day:02d}T09:{n % 60:02d}:00+00:00",
        "outlet": "Harbour Gazette",
        "language": "en",
    }
    if url is not None:
        out["url"] = url
    return out


def _ingest(db: str, folder: Path, articles: list[dict[str, Any]], encoder: Any,
            **settings: Any) -> None:
    from storyline.config import Settings
    from storyline.pipeline import Pipeline
    from storyline.store import open_store

    source = folder / f"articles-{len(articles)}-{time.monotonic_ns()}.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    options = {"enrich": False, "workers": 1, **settings}
    with closing(open_store(db, model_name=encoder.name)) as store:
        report = Pipeline(store, settings=Settings(**options), encoder=encoder).ingest_paths(
            [source])
    assert report.rejected == 0, report.rejections


@contextmanager
def _client(db: str | Path, encoder: Any, **settings: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from storyline.config import Settings
    from storyline.web.server import create_app

    app = create_app(Settings(**settings), store_path=db, encoder=encoder)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@contextmanager
def _live(serve: Any, db: Path, encoder: Any, **settings: Any) -> Iterator[tuple[str, int]]:
    """A real uvicorn server on 127.0.0.1 (the ``serve`` fixture); yields (host, port)."""
    from storyline.config import Settings
    from storyline.web.server import create_app

    app = create_app(Settings(**settings), store_path=db, encoder=encoder)
    with serve(app, log_level="critical") as port:
        yield "127.0.0.1", port


def _raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
        return data


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def _assert_security_headers(response: Any) -> None:
    for name in SECURITY_HEADERS:
        assert name in response.headers, (response.status_code, name, response.headers)


# --- 1. only http(s) URLs become links -----------------------------------------------------
HOSTILE_URLS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(2)",
    "  javascript:alert(3)",
    "java\tscript:alert(4)",
    "java\nscript:alert(5)",
    "\x01javascript:alert(6)",
    "JaVaScRiPt&#58;alert(7)",
    "data:text/html,<script>alert(8)</script>",
    "vbscript:msgbox(9)",
]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory, encoder: Any, make_store_db: Any
               ) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    db = make_store_db(folder / "hostile.db")
    articles = [_article(i, url) for i, url in enumerate(HOSTILE_URLS, start=1)]
    articles.append(_article(50, "https://gazette.example/fire-50"))
    _ingest(db, folder, articles, encoder)
    return db


def _anchor_hrefs(html: str) -> list[str]:
    import html as html_lib

    return [html_lib.unescape(h) for h in re.findall(r'<a\b[^>]*\bhref="([^"]*)"', html)]


def test_web_only_http_urls_become_links(hostile_db: str, encoder: Any) -> None:
    with _client(hostile_db, encoder) as client:
        stored = client.get("/api/v1/stories").json()["items"]
        pages = ["/", "/search?q=warehouse", "/entities"]
        urls = set()
        for story in stored:
            pages.append(f"/stories/{story['id']}")
            for article in client.get(f"/api/v1/stories/{story['id']}").json()["articles"]:
                pages.append(f"/articles/{article['id']}")
                urls.add(article["url"])
        # The pipeline keeps the hostile URLs (some trimmed), so the pages must defuse them.
        assert sum(1 for u in urls if u and not u.startswith("https://")) >= len(HOSTILE_URLS)
        external = []
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            for href in _anchor_hrefs(response.text):
                if href.startswith(("/", "#", "?")):
                    continue
                assert re.match(r"https?://", href), (page, href)
                external.append(href)
        # The safe URL is still a link; the hostile ones are shown as text.
        assert "https://gazette.example/fire-50" in external
        article = next(a for a in client.get(f"/api/v1/stories/{stored[0]['id']}").json()[
            "articles"] if a["url"] == "vbscript:msgbox(9)")
        assert "vbscript:msgbox(9)" in client.get(f"/articles/{article['id']}").text


# --- 2. POST bodies: the size limit holds while streaming ----------------------------------
def test_api_post_body_limit_enforced_while_streaming(tmp_path: Path, encoder: Any, serve: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    limit = 1_000_000
    with _live(serve, tmp_path / "stream.db", encoder, max_bytes=limit) as (host, port):
        conn = socket.create_connection((host, port), timeout=10)
        conn.sendall(
            f"POST /api/v1/articles HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b"[" + b" " * 65_533 + b"\n"
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        sent = 0
        conn.settimeout(0.5)
        reply = b""
        # Up to 200 MB, until the server answers: one that reads the whole body before
        # checking its size answers only at the end.
        deadline = time.monotonic() + 30
        while sent < 200_000_000 and time.monotonic() < deadline:
            if select.select([conn], [], [], 0)[0]:
                break
            try:
                conn.sendall(framed)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(chunk)
        conn.settimeout(10)
        try:
            while part := conn.recv(65536):
                reply += part
                if b"\r\n\r\n" in reply:
                    break
        except (ConnectionResetError, TimeoutError):
            pass
        conn.close()
    assert reply, f"no reply after {sent} bytes"
    assert _status(reply) == 413, reply[:300]
    # The server stopped reading near the limit (plus socket buffers), not at the end.
    assert sent < 40 * limit, sent


def test_api_post_declared_length_over_limit(tmp_path: Path, encoder: Any, serve: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with _live(serve, tmp_path / "length.db", encoder, max_bytes=1000) as (host, port):
        reply = _raw_request(port, (
            f"POST /api/v1/articles HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}"
            "\r\nContent-Length: 5000000000\r\nConnection: close\r\n\r\n[").encode())
    assert _status(reply) == 413


# --- 3. Host header -----------------------------------------------------------------------
def test_web_foreign_host_header_is_refused(hostile_db: str, encoder: Any) -> None:
    with _client(hostile_db, encoder) as client:
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example",
                     "localhost.evil.example"):
            for path in ("/", "/api/v1/stories", "/api/v1/health"):
                response = client.get(path, headers={"Host": host})
                assert response.status_code in (400, 421), (host, path, response.status_code)
                _assert_security_headers(response)
        for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000",
                     "LOCALHOST", "testserver"):
            assert client.get("/api/v1/health", headers={"Host": host}).status_code == 200, host
    with _client(hostile_db, encoder, allowed_hosts="news.example, Other.Example") as client:
        for host in ("news.example", "news.example:443", "other.example"):
            assert client.get("/api/v1/health", headers={"Host": host}).status_code == 200
        assert client.get("/", headers={"Host": "evil.example"}).status_code in (400, 421)


def test_web_foreign_host_refused_by_the_real_server(hostile_db: str, encoder: Any,
                                                     serve: Any) -> None:
    with _live(serve, hostile_db, encoder) as (host, port):
        def get(host_header: str) -> int:
            return _status(_raw_request(port, (
                f"GET /api/v1/stories HTTP/1.1\r\nHost: {host_header}\r\n"
                "Connection: close\r\n\r\n").encode()))

        assert get("rebind.evil.example") in (400, 421)
        assert get(f"{host}:{port}") == 200
        assert get(f"localhost:{port}") == 200


# --- 4. no 500s, and security headers on every response -----------------------------------
BIG = str(2**63)


@pytest.mark.parametrize("path", [
    f"/?offset={BIG}", f"/entities?offset={BIG}", "/?offset=-1", f"/?offset=1{'0' * 400}",
    f"/api/v1/stories?offset={BIG}", f"/api/v1/entities?offset={BIG}",
    "/api/v1/stories?limit=-1", f"/api/v1/stories?limit={BIG}", f"/api/v1/search?q=a&limit={BIG}",
    "/api/v1/entities?limit=-5", "/api/v1/stories?offset=-1",
])
def test_web_out_of_range_paging_is_rejected(hostile_db: str, encoder: Any,
                                            path: str) -> None:
    with _client(hostile_db, encoder) as client:
        response = client.get(path)
    assert response.status_code in (400, 422), (path, response.status_code)
    _assert_security_headers(response)


def test_web_security_headers_on_every_response(hostile_db: str, encoder: Any) -> None:
    from storyline.config import Settings
    from storyline.web.server import create_app

    app = create_app(Settings(), store_path=hostile_db, encoder=encoder)

    @app.get("/api/v1/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/boom", include_in_schema=False)
    def boom_page() -> None:
        raise RuntimeError("boom")

    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        for method, path, status in [
            ("GET", "/api/v1/stories/nope", 404), ("GET", "/stories/nope", 404),
            ("GET", "/no/such/page", 404), ("GET", "/api/v1/stories?limit=x", 422),
            ("DELETE", "/api/v1/stories", 405), ("GET", "/api/v1/boom", 500),
            ("GET", "/boom", 500), ("GET", "/static/nope.css", 404),
        ]:
            response = client.request(method, path)
            assert response.status_code == status, (path, response.status_code)
            _assert_security_headers(response)
        assert client.get("/api/v1/boom").json()["error"] == "internal error"


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    b'{"text": "x", "published": ' + b"9" * 5000 + b"}",
    b"9" * 5000,
    b'{"text": "' + b"word " * 20 + b'", "title": "\\ud800 fire", "outlet": "\\udfff"}',
    b'{"text": "\\ud800' + b" word" * 20 + b'"}',
    b'{"text": "ok words here", "url": "\\udc80"}',
    b"\xff\xfe{}",
])
def test_api_post_hostile_json_is_a_client_error(tmp_path: Path, encoder: Any,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 body: bytes, new_store_db: Any) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with _client(new_store_db(tmp_path / "json.db"), encoder) as client:
        response = client.post("/api/v1/articles", content=body,
                               headers={**AUTH, "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    _assert_security_headers(response)


@pytest.mark.parametrize("path", [
    "/api/v1/stories?q=%ED%A0%80", "/api/v1/stories?q=fire%ED%A0%80",
    "/api/v1/search?q=%ED%A0%80fire", "/search?q=%ED%A0%80fire",
    "/api/v1/entities/%ED%A0%80", "/entities/%ED%A0%80", "/stories/%ED%A0%80",
    "/articles/%ED%A0%80", "/api/v1/articles/%ED%A0%80/why",
    "/api/v1/stories?outlet=%ED%A0%80", "/api/v1/stories?entity=%ED%A0%80",
    "/api/v1/stories?since=%ED%A0%80", "/search?q=%ED%A0%80fire&mode=semantic",
])
def test_web_lone_surrogates_in_urls_are_not_500(hostile_db: str, encoder: Any,
                                                 path: str) -> None:
    with _client(hostile_db, encoder) as client:
        response = client.get(path)
    assert response.status_code < 500, (path, response.status_code, response.text[:300])
    _assert_security_headers(response)


def test_api_post_huge_title_answers_quickly(tmp_path: Path, encoder: Any,
                                             monkeypatch: pytest.MonkeyPatch,
                                             new_store_db: Any) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    article = _article(1, "https://gazette.example/huge")
    article["title"] = "Harbour fire " * 92_308  # 1.2M characters
    result: dict[str, Any] = {}
    with _client(new_store_db(tmp_path / "title.db"), encoder) as client:
        def post() -> None:
            result["response"] = client.post("/api/v1/articles", json=article, headers=AUTH)

        started = time.monotonic()
        thread = threading.Thread(target=post, daemon=True)
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive(), "a 1.2M-character title held the request for over 30 s"
        response = result["response"]
        assert response.status_code < 500, response.text[:300]
        assert time.monotonic() - started < 30
        # The write lock is free again: a normal article goes in.
        normal = client.post("/api/v1/articles", json=_article(2, "https://g.example/2"),
                             headers=AUTH)
        assert normal.status_code == 200, normal.text[:300]


# --- 5. consistent story reads during an ingest --------------------------------------------
def test_web_story_reads_consistent_during_ingest(tmp_path: Path, encoder: Any,
                                                  new_store_db: Any) -> None:
    """Readers hammer one story's page and JSON while another connection keeps adding
    articles to that story, one commit per article: no read may fail."""
    db = new_store_db(tmp_path / "race.db")
    _ingest(db, tmp_path, [_article(0, "https://gazette.example/fire-0")], encoder)
    errors: list[str] = []
    done = threading.Event()

    def writer() -> None:
        try:
            for start in range(1, 121, 20):
                _ingest(db, tmp_path, [_article(n, f"https://gazette.example/fire-{n}", day=3)
                             for n in range(start, start + 20)], encoder, batch_size=1,
                        chunk_size=1)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(f"writer: {exc!r}")
        finally:
            done.set()

    with _client(db, encoder) as client:
        story_id = client.get("/api/v1/stories").json()["items"][0]["id"]
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def reader(path: str) -> None:
            while not done.is_set():
                code = client.get(path).status_code
                with lock:
                    statuses[code] = statuses.get(code, 0) + 1

        readers = [threading.Thread(target=reader, args=(p,), daemon=True)
                   for p in (f"/stories/{story_id}", f"/api/v1/stories/{story_id}") * 3]
        write = threading.Thread(target=writer, daemon=True)
        for thread in readers:
            thread.start()
        write.start()
        write.join(timeout=300)
        done.set()
        for thread in readers:
            thread.join(timeout=30)
        grown = len(client.get(f"/api/v1/stories/{story_id}").json()["articles"])
    assert not errors, errors
    assert grown > 100, f"only {grown} articles in the story: the writer missed it"
    assert set(statuses) == {200}, statuses


# --- 6. connections: a 500 keeps the connection, worker threads hand theirs on -----------
def test_web_keep_alive_connection_survives_a_500(hostile_db: str, encoder: Any,
                                                  serve: Any) -> None:
    """A keep-alive client's next request after a 500 is answered on the same connection
    (uvicorn closed it whenever the app raised on past the 500: a reset for the next one)."""
    import http.client

    from storyline.config import Settings
    from storyline.web.server import create_app

    app = create_app(Settings(), store_path=hostile_db, encoder=encoder)

    @app.get("/api/v1/boom", include_in_schema=False)
    def boom() -> None:
        raise KeyError("boom")

    with serve(app, log_level="critical") as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            statuses = []
            for path in ("/api/v1/boom", "/api/v1/health") * 10:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                statuses.append(response.status)
                assert not response.will_close, path
        finally:
            conn.close()
    assert statuses == [500, 200] * 10


def test_web_read_connections_are_handed_on(hostile_db: str, encoder: Any) -> None:
    """A worker thread's read connection goes to the next new thread once the first has
    ended (the server's threads end after 10 s idle), instead of a new one per thread."""
    from storyline.config import Settings
    from storyline.web.server import create_app

    ctx = create_app(Settings(), store_path=hostile_db, encoder=encoder).state.web
    try:
        def stores_of(count: int) -> list[Any]:
            got: list[Any] = []
            barrier = threading.Barrier(count)

            def work() -> None:
                barrier.wait()  # all alive at once: each needs its own connection
                got.append(ctx.store())
                barrier.wait()

            threads = [threading.Thread(target=work) for _ in range(count)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=10)
            return got

        first = stores_of(4)
        assert len({id(s) for s in first}) == 4
        second = stores_of(4)
        assert {id(s) for s in second} == {id(s) for s in first}
        assert ctx.store().counts()["articles"] == 10  # the creating thread's, still open
    finally:
        ctx.close()
