"""The API against its own OpenAPI document (issue 11): Schemathesis generates requests for every
``/api/v1`` operation from ``/openapi.json``, valid and invalid (negative mode), and sends them
to a real uvicorn server over a copy of the web tests' store, with a write token set so
``POST /api/v1/articles`` runs the real pipeline.

Every answer must be no 5xx, have a status code the document lists for the operation, and
match that status's schema. The generated path ids are mixed with real ones (a hook), so the
story, article, why and entity views are checked on real data and not only as 404s. Runs are
derandomized and bounded (``MAX_EXAMPLES`` per operation).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from storyline.web import api
from storyline.web.server import TOKEN_ENV

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "feeds"))
from feedsite import Entry, Site, article_text  # noqa: E402  (the feed tests' local server)

Rows = Callable[..., list[tuple[Any, ...]]]  # the ``store_rows`` fixture

pytestmark = pytest.mark.slow

TOKEN = "schemathesis-test-token"
#: Examples per operation and mode: the 13 runs (9 operations, 4 of them with invalid input
#: too) take ~25 s on 2 busy cores, plus ~13 s for the web tests' shared store.
MAX_EXAMPLES = 50
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance, negative_data_rejection]


@pytest.fixture(scope="module")
def feed_site() -> Iterator[Site]:
    """A real feed on 127.0.0.1, so ``POST /api/v1/feeds`` can follow something."""
    site = Site().start()
    site.feed("/news.xml", "Local news", [Entry("n1", "https://example.org/n1", "A headline",
                                                  article_text("n1"))])
    yield site
    site.close()


def _seed_follows_and_feeds(db: str, feed_site: Site) -> None:
    """Feeds and follows for the DELETE operations to remove (each deletes one for real)."""
    from storyline.alerts.follows import follow
    from storyline.feeds.sources import follow as follow_feed
    from storyline.store import open_store

    with open_store(str(db)) as store:
        story = store.list_stories()[0]
        follow(store, "story", story.id)
        follow(store, "query", "fire")
        for i in range(3):
            follow_feed(store, feed_site.url(f"/seeded-{i}.xml"))


@pytest.fixture(scope="module")
def live_api(web_corpus: Any, encoder: Any, tmp_path_factory: pytest.TempPathFactory,
             serve: Callable[..., AbstractContextManager[int]], feed_site: Site,
             copy_store_db: Callable[[str, str], str], make_store_db: Callable[[Path], str]
             ) -> Iterator[tuple[str, str]]:
    """A real server over a copy of the session store (POSTs here must not change it), with
    writes enabled and the local feed server allowed; yields its base URL and store."""
    from storyline.config import Settings
    from storyline.web.server import create_app

    db = copy_store_db(web_corpus.db,
                       make_store_db(tmp_path_factory.mktemp("schemathesis") / "api.db"))
    _seed_follows_and_feeds(db, feed_site)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TOKEN_ENV, TOKEN)
        app = create_app(Settings(fetch_allowed_hosts="127.0.0.1", fetch_retries=0),
                         store_path=db, encoder=encoder)
        with serve(app, log_level="critical") as port:
            yield f"http://127.0.0.1:{port}", db


def _known_path_parameters(db: str, rows: Rows) -> dict[str, list[dict[str, str]]]:
    """Real ids and names in the store, by operation path."""
    stories = [r[0] for r in rows(db, "SELECT id FROM stories ORDER BY id LIMIT 5")]
    articles = [r[0] for r in rows(db, "SELECT id FROM articles ORDER BY id LIMIT 5")]
    names = [r[0] for r in rows(db, "SELECT name FROM entities ORDER BY name LIMIT 5")]
    follows = [r[0] for r in rows(db, "SELECT id FROM follows ORDER BY id")]
    return {
        "/api/v1/stories/{story_id}": [{"story_id": i} for i in stories],
        "/api/v1/articles/{article_id}": [{"article_id": i} for i in articles],
        "/api/v1/articles/{article_id}/why": [{"article_id": i} for i in articles],
        "/api/v1/entities/{name}": [{"name": n} for n in names],
        "/api/v1/follows/{follow_id}": [{"follow_id": i} for i in follows],
    }


def _known_feeds(db: str, rows: Rows) -> list[str]:
    return [r[0] for r in rows(db, "SELECT url FROM feeds ORDER BY url")]


@pytest.fixture(scope="module")
def api_schema(live_api: tuple[str, str], web_corpus: Any, feed_site: Site, store_rows: Rows
               ) -> Any:
    """The server's OpenAPI document, loaded by Schemathesis, with real ids mixed in."""
    url, db = live_api
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    known = _known_path_parameters(db, store_rows)
    feeds = _known_feeds(db, store_rows)
    article = {**web_corpus.articles[0], "url": "https://example.org/posted"}
    bodies = {"/api/v1/feeds": {"url": feed_site.url("/news.xml")},
              "/api/v1/follows": {"kind": "query", "target": "storm"}}

    @schema.hook
    def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
        values = known.get(context.operation.path)
        return st.one_of(st.sampled_from(values), strategy) if values else strategy

    @schema.hook
    def before_generate_query(context: Any, strategy: Any) -> Any:
        operation = context.operation
        if operation.path == "/api/v1/feeds" and operation.method.lower() == "delete":
            return st.one_of(st.sampled_from([{"url": u} for u in feeds]), strategy)
        return strategy

    @schema.hook
    def before_generate_body(context: Any, strategy: Any) -> Any:
        # A real body among the generated ones, so a POST also does something: an article
        # to store, a local feed to follow, a query to follow.
        real = bodies.get(context.operation.path)
        if real is not None:
            return st.one_of(st.just(real), strategy)
        return st.one_of(st.just(article), st.just([article]), strategy)

    return schema


#: Every API operation as (method, path, mode), as the OpenAPI document names them; negative
#: mode (invalid input) only where an input can be invalid (a path id can be any string).
#: Positive runs come first: a negative run of ``DELETE /feeds`` may delete the seeded feeds
#: that the positive run needs (its query hook offers them in both modes).
CASES = sorted(
    (method, route.path_format, mode)
    for route in api.router.routes
    if isinstance(route, APIRoute)
    for method in route.methods or ()
    for mode in ("positive", "negative")
    if mode == "positive" or route.dependant.query_params or method == "POST"
)
CASES.sort(key=lambda case: case[2] != "positive")


# Schemathesis's own pytest integration (``schemathesis.pytest.from_fixture``) fails under the
# installed pytest 9.0.3 (it sets ``Node._nodeid``, which that pytest does not have), so each
# operation's cases come from its documented Hypothesis strategy (``as_strategy``) instead.
@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_schemathesis_api_conforms_to_its_openapi(api_schema: Any, method: str, path: str,
                                                  mode: str) -> None:
    operation = api_schema[path][method]
    strategy = operation.as_strategy(generation_mode=GenerationMode(mode))
    statuses: Counter[int] = Counter()

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def conforms(case: Any) -> None:
        response = case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"},
                                          checks=CHECKS, timeout=60)
        statuses[response.status_code] += 1

    conforms()
    # Valid input reaches real data (the hooks' ids, bodies): not only 404s and 400s.
    if mode == "positive":
        assert statuses[200] > 0, statuses
