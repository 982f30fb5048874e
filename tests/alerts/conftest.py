"""Fixtures for the alert tests: small invented articles of a developing story, stores built
by the real pipeline (enrichment on), a real uvicorn server and a real webhook receiver.

The story: Valdoran foreign minister Teodor Kasprzak's visit to Orsk, first *expected*
(``VISIT_EXPECTED``, 6 May 2024), then *announced* for 6-7 June (``VISIT_ANNOUNCED``, 4 June:
an update of the same event). ``ACCIDENT`` (October 2024) is another story that names
Kasprzak; ``FIRE`` a story that names neither him nor Orsk.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

VISIT_EXPECTED = {
    "url": "https://northgate.example/minister-visit-expected",
    "title": "Valdoran minister expected to visit Orsk in June",
    "text": "Valdoran Foreign Minister Teodor Kasprzak is expected to visit Orsk in June for "
    "talks with his counterpart Ilse Marrow, the Northgate Courier reported on Monday, citing "
    "two officials familiar with the plans. The visit would be the first by a Valdoran "
    "foreign minister in a decade. Kasprzak and Marrow are expected to discuss a new gas "
    "pipeline and border crossings, the officials said. Neither ministry has confirmed the "
    "trip.",
    "published": "2024-05-06T09:00:00+00:00",
    "outlet": "Northgate Courier",
    "language": "en",
}
VISIT_ANNOUNCED = {
    "url": "https://eastbank.example/kasprzak-orsk-visit-announced",
    "title": "Kasprzak to visit Orsk on Thursday, ministry announces",
    "text": "Valdoran Foreign Minister Teodor Kasprzak will visit Orsk from Thursday to Friday "
    "for talks with Ilse Marrow, the Valdoran foreign ministry announced on Tuesday. The "
    "ministry said Kasprzak and Marrow would sign an agreement on the gas pipeline and "
    "discuss new border crossings. The trip confirms reports last month that the visit was "
    "planned for June. It is the first visit to Orsk by a Valdoran foreign minister in ten "
    "years.",
    "published": "2024-06-04T10:00:00+00:00",
    "outlet": "Eastbank Times & Review",
    "language": "en",
}
ACCIDENT = {
    "url": "https://northgate.example/kasprzak-car-crash",
    "title": "Teodor Kasprzak injured in motorway crash near Lindau",
    "text": "Valdoran Foreign Minister Teodor Kasprzak was taken to hospital in Lindau on "
    "Saturday after his car collided with a lorry on the A7 motorway, police said. A "
    "spokesman for the hospital said Kasprzak had broken his arm and would stay under "
    "observation for two nights. The lorry driver was unhurt. Police closed the motorway "
    "for four hours while they examined the wreckage.",
    "published": "2024-10-19T15:00:00+00:00",
    "outlet": "Northgate Courier",
    "language": "en",
}
FIRE = {
    "url": "https://harbour.example/warehouse-fire",
    "title": "Warehouse fire at Kelham harbour",
    "text": "Firefighters spent the night tackling a large blaze at a timber warehouse on the "
    "north quay of Kelham harbour. The fire service said twelve crews were sent after the "
    "alarm was raised shortly before midnight and that nobody was hurt. Harbour master Ines "
    "Varga said ferry sailings would resume once the smoke cleared.",
    "published": "2024-06-02T09:30:00+00:00",
    "outlet": "Harbour Gazette",
    "language": "en",
}


def write_jsonl(path: Path, *articles: dict[str, Any]) -> Path:
    """``articles`` as a JSONL input file at ``path``."""
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def settings() -> Any:
    """Enrichment on (developments need it), one process (no worker start-up)."""
    from storyline.config import Settings

    return Settings(workers=1, enrich=True)


@dataclass(frozen=True)
class Base:
    """A store holding ``VISIT_EXPECTED`` only, and the id of its story."""

    db: str  # a SQLite path, or a PostgreSQL URL on the PostgreSQL pass
    story_id: str
    article_id: str


@pytest.fixture(scope="session")
def base_store(tmp_path_factory: pytest.TempPathFactory, encoder: Any, settings: Any,
               make_store_db: Callable[[Path], str]) -> Base:
    from storyline.pipeline import Pipeline
    from storyline.store import open_store

    root = tmp_path_factory.mktemp("alerts-base")
    db = make_store_db(root / "base.db")
    with closing(open_store(db, model_name=encoder.name)) as store:
        report = Pipeline(store, settings=settings, encoder=encoder).ingest_paths(
            [write_jsonl(root / "a.jsonl", VISIT_EXPECTED)])
        assert report.added == 1, report
        (story,) = store.list_stories()
        (article,) = store.get_story(story.id).articles
    return Base(db=db, story_id=story.id, article_id=article.id)


@pytest.fixture()
def db(base_store: Base, tmp_path: Path, copy_store_db: Callable[[str, str], str],
       new_store_db: Callable[[Path], str]) -> str:
    """A copy of the base store, for one test to change."""
    return copy_store_db(base_store.db, new_store_db(tmp_path / "alerts.db"))


@pytest.fixture()
def ingest(encoder: Any, settings: Any, tmp_path: Path) -> Callable[..., Any]:
    """``ingest(db, *articles, settings=...)``: the articles through the real pipeline."""
    from storyline.pipeline import Pipeline
    from storyline.store import open_store

    counter = iter(range(1_000_000))

    def run(path: str | Path, *articles: dict[str, Any], settings: Any = settings) -> Any:
        source = write_jsonl(tmp_path / f"in{next(counter)}.jsonl", *articles)
        with closing(open_store(path, model_name=encoder.name)) as store:
            return Pipeline(store, settings=settings, encoder=encoder).ingest_paths([source])

    return run


@pytest.fixture()
def open_db(encoder: Any) -> Callable[[str | Path], Any]:
    """``with open_db(path) as store``: a connection to a test store."""
    from storyline.store import open_store

    def opener(path: str | Path) -> Any:
        return open_store(path, model_name=encoder.name)

    return opener


# --------------------------------------------------------------------------- webhook receiver


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that receives webhook POSTs, checks each one's
    signature, and answers with the next status of ``script`` (200 once it runs out)."""

    secret: str
    port: int = 0
    script: list[int] = field(default_factory=list)
    #: (status answered, signature valid, alert id header, JSON body) per request.
    requests: list[tuple[int, bool, str | None, dict[str, Any]]] = field(default_factory=list)
    #: Seconds to wait before answering.
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/storyline"

    def delivered(self) -> list[dict[str, Any]]:
        """Bodies of the requests answered 2xx with a valid signature."""
        with self.lock:
            return [body for status, valid, _, body in self.requests
                    if valid and 200 <= status < 300]


@contextmanager
def receiving(secret: str, script: list[int] | None = None) -> Iterator[Receiver]:
    """A ``Receiver`` serving in a thread until the block ends."""
    receiver = Receiver(secret=secret, script=list(script or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server hook's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            header = self.headers.get("X-Storyline-Signature", "")
            valid = hmac.compare_digest(expected, header)
            time.sleep(receiver.delay)
            with receiver.lock:
                status = receiver.script.pop(0) if receiver.script else 200
                if not valid:
                    status = 401
                receiver.requests.append((status, valid, self.headers.get("X-Storyline-Alert"),
                                          json.loads(body)))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    """A port nothing listens on (for a receiver that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def articles() -> dict[str, dict[str, Any]]:
    """The test articles by name: ``expected``, ``announced``, ``accident``, ``fire``."""
    return {"expected": VISIT_EXPECTED, "announced": VISIT_ANNOUNCED, "accident": ACCIDENT,
            "fire": FIRE}


@pytest.fixture(scope="session")
def receive() -> Callable[..., Any]:
    """``with receive(secret, [500, 200]) as receiver``: a real webhook receiver."""
    return receiving


@pytest.fixture(scope="session")
def serve_app(serve: Callable[..., Any]) -> Callable[[Any], Any]:
    """``with serve_app(app) as base_url``: the app on a real uvicorn server (the root
    conftest's ``serve``)."""

    @contextmanager
    def serving(app: Any) -> Iterator[str]:
        with serve(app) as port:
            yield f"http://127.0.0.1:{port}"

    return serving


@pytest.fixture()
def dead_url() -> str:
    """A webhook URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/hooks/storyline"
