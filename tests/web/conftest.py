"""Fixtures for the web tests: a real store built by the real pipeline, and in-process apps.

The store holds a small generated JSONL corpus (three events, several outlets, one article
whose title is a ``<script>`` tag) plus the two seed articles from ``../shared`` when present
(both about Putin's May 2024 visit to China, two months apart).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEEDS = SHARED / "samples" / "seeds"

#: Stored as text; sent with HTML entities because extraction strips real tags from titles.
SCRIPT_TITLE = "<script>alert(1)</script> Harbour fire"

_FIRE = (
    "Firefighters spent the night tackling a large blaze at a timber warehouse on the north "
    "quay of Kelham harbour. The fire service said {n} crews were sent after the alarm was "
    "raised shortly before midnight and that nobody was hurt. Harbour master Ines Varga said "
    "ferry sailings would resume once the smoke cleared and the quay was declared safe.\n\n"
    "{extra}"
)
_TRAM = (
    "Brennan city council has approved a budget of {n} million euros for the eastern tram "
    "extension, ending a two-year dispute over the route through the old market district. "
    "Councillor Maya Okafor said construction of the six new stops would start next spring "
    "and that buses would replace trams on line 4 during the works.\n\n{extra}"
)
_REGATTA = (
    "The Lake Ardan regatta drew {n} crews from across the region this weekend, with the "
    "university eight winning the main race by half a length in strong crosswinds. Organisers "
    "said the event raised money for the lake's rescue service and that next year's regatta "
    "would add a junior sculling category.\n\n{extra}"
)


def _article(title: str, template: str, n: int, extra: str, *, outlet: str, day: str,
             slug: str, authors: list[str] | None = None) -> dict[str, Any]:
    return {
        "url": f"https://{outlet.lower().replace(' ', '')}.example/{slug}",
        "title": title,
        "text": template.format(n=n, extra=extra),
        "published": f"{day}T09:30:00+00:00",
        "outlet": outlet,
        "authors": authors or [],
        "language": "en",
    }


def generated_articles() -> list[dict[str, Any]]:
    """Eight articles about three events, in the JSONL input shape."""
    fire = "Investigators have not yet said what started the fire at the Kelham warehouse."
    return [
        _article("Tram extension budget approved by Brennan council", _TRAM, 212,
                 "Opposition members said the costs were underestimated.",
                 outlet="Brennan Post", day="2024-04-10", slug="tram-budget",
                 authors=["Lena Fischer"]),
        _article("Brennan approves eastern tram line after two-year row", _TRAM, 212,
                 "Traders in the market district welcomed the decision.",
                 outlet="Metro Wire", day="2024-04-12", slug="tram-approved"),
        _article("Warehouse fire at Kelham harbour", _FIRE, 12, fire,
                 outlet="Harbour Gazette", day="2024-06-02", slug="warehouse-fire"),
        _article("Kelham harbour blaze: ferries delayed", _FIRE, 14,
                 "Ferry passengers were told to expect delays of up to three hours.",
                 outlet="Coastal Times", day="2024-06-03", slug="harbour-blaze"),
        _article("&lt;script&gt;alert(1)&lt;/script&gt; Harbour fire", _FIRE, 14,
                 "The harbour fire & its smoke &lt;b&gt;closed&lt;/b&gt; the quay for a day.",
                 outlet="Metro Wire", day="2024-06-05", slug="script-title"),
        _article("Kelham fire: warehouse owner promises to rebuild", _FIRE, 12,
                 "The owner said the warehouse would be rebuilt within a year.",
                 outlet="Harbour Gazette", day="2024-06-09", slug="owner-rebuild"),
        _article("University eight win Lake Ardan regatta", _REGATTA, 41,
                 "The women's race was postponed because of the wind.",
                 outlet="Coastal Times", day="2024-07-20", slug="regatta"),
        _article("Crosswinds test crews at Lake Ardan", _REGATTA, 41,
                 "Two boats capsized near the finish; all rowers were rescued.",
                 outlet="Lakeside Herald", day="2024-07-21", slug="regatta-wind"),
    ]


@dataclass(frozen=True)
class Corpus:
    """What the session store was built from."""

    db: str  # a SQLite path, or a PostgreSQL URL on the PostgreSQL pass
    articles: list[dict[str, Any]]
    seeds: bool


@pytest.fixture(scope="session")
def web_inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str | Path]:
    """The session store's inputs (``web_corpus``) as files, for a test that ingests them
    into a store of its own: the generated corpus as JSONL, and the seeds when present."""
    source = tmp_path_factory.mktemp("web-inputs") / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in generated_articles()),
                      encoding="utf-8")
    return [source, *([SEEDS] if SEEDS.is_dir() else [])]


@pytest.fixture(scope="session")
def web_corpus(tmp_path_factory: pytest.TempPathFactory, encoder: Any,
               make_store_db: Any) -> Corpus:
    """A store built by ingesting the generated corpus and the seeds through the pipeline."""
    from storyline.config import Settings
    from storyline.pipeline import Pipeline
    from storyline.store import open_store

    root = tmp_path_factory.mktemp("web")
    articles = generated_articles()
    source = root / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    paths: list[str | Path] = [source]
    seeds = SEEDS.is_dir()
    if seeds:
        paths.append(SEEDS)
    db = make_store_db(root / "web.db")
    with closing(open_store(db, model_name=encoder.name)) as store:
        report = Pipeline(store, settings=Settings(), encoder=encoder).ingest_paths(paths)
    assert report.rejected == 0, report.rejections
    return Corpus(db=db, articles=articles, seeds=seeds)


@pytest.fixture(scope="session")
def web_app(web_corpus: Corpus, encoder: Any) -> Any:
    """The FastAPI app over the session store."""
    from storyline.config import Settings
    from storyline.web.server import create_app

    return create_app(Settings(), store_path=web_corpus.db, encoder=encoder)


@pytest.fixture(scope="session")
def client(web_app: Any) -> Iterator[Any]:
    """An in-process HTTP client (read-only use: the store is shared by the session)."""
    from fastapi.testclient import TestClient

    with TestClient(web_app) as test_client:
        yield test_client


@pytest.fixture()
def write_client(tmp_path: Path, encoder: Any, new_store_db: Any) -> Iterator[Any]:
    """A client over a fresh, empty store, for tests that POST."""
    from fastapi.testclient import TestClient

    from storyline.config import Settings
    from storyline.web.server import create_app

    app = create_app(Settings(), store_path=new_store_db(tmp_path / "write.db"), encoder=encoder)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def seeds_story(client: Any, web_corpus: Corpus) -> dict[str, Any]:
    """The story holding the seed articles (skips without ../shared)."""
    if not web_corpus.seeds:
        pytest.skip("../shared/samples/seeds is not available")
    items = client.get("/api/v1/stories", params={"q": "Putin"}).json()["items"]
    assert len(items) == 1, items
    return client.get(f"/api/v1/stories/{items[0]['id']}").json()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def demo_client(tmp_path_factory: pytest.TempPathFactory, encoder: Any,
                make_store_db: Any) -> Iterator[Any]:
    """A client over a store holding the repo's demo corpus (skips while it is absent)."""
    from fastapi.testclient import TestClient

    from storyline.config import Settings
    from storyline.pipeline import Pipeline
    from storyline.store import open_store
    from storyline.web.server import create_app

    corpus = Path(__file__).resolve().parents[2] / "demo" / "corpus"
    if not corpus.is_dir() or not any(corpus.rglob("*.*")):
        pytest.skip("demo/corpus is not available yet")
    db = make_store_db(tmp_path_factory.mktemp("demo") / "demo.db")
    with closing(open_store(db, model_name=encoder.name)) as store:
        Pipeline(store, settings=Settings(), encoder=encoder).ingest_paths([corpus])
    with TestClient(create_app(Settings(), store_path=db, encoder=encoder)) as test_client:
        yield test_client


