"""The REST API over a real store, through FastAPI's in-process client."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from storyline.web import api
from storyline.web.server import CSP, TOKEN_ENV

TOKEN = "s3cret-test-token"


def _stories(client: Any, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/stories", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def _story_id(client: Any, words: str) -> str:
    items = _stories(client, q=words)
    assert len(items) == 1, items
    return items[0]["id"]  # type: ignore[no-any-return]


def test_api_health_counts(client: Any, web_corpus: Any) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["articles"] == len(web_corpus.articles) + (2 if web_corpus.seeds else 0)
    assert body["stories"] >= 3
    assert body["writes_enabled"] is False


def test_api_stories_newest_activity_first(client: Any) -> None:
    items = _stories(client)
    assert "Ardan" in items[0]["title"]  # the regatta (July) is the latest event
    last = [s["last_published"] for s in items]
    assert last == sorted(last, reverse=True)
    assert set(items[0]) >= {"id", "title", "article_count", "outlets", "first_published",
                             "last_published"}


def test_api_stories_pagination(client: Any) -> None:
    everything = _stories(client)
    pages = [_stories(client, limit=1, offset=i) for i in range(len(everything) + 1)]
    assert [p[0]["id"] for p in pages[:-1]] == [s["id"] for s in everything]
    assert pages[-1] == []
    body = client.get("/api/v1/stories", params={"limit": 2, "offset": 1}).json()
    assert (body["limit"], body["offset"]) == (2, 1)
    assert [s["id"] for s in body["items"]] == [s["id"] for s in everything[1:3]]


def test_api_list_totals_count_every_match(client: Any) -> None:
    everything = _stories(client, limit=500)
    body = client.get("/api/v1/stories", params={"limit": 1, "offset": 1}).json()
    assert body["total"] == len(everything) >= 3 and len(body["items"]) == 1
    beyond = client.get("/api/v1/stories", params={"q": "Kelham warehouse", "offset": 5}).json()
    assert (beyond["total"], beyond["items"]) == (1, [])
    outlet = client.get("/api/v1/stories", params={"outlet": " harbour gazette "}).json()
    assert outlet["total"] == len(outlet["items"]) == 1
    # The entity filter (applied in memory) counts the same way.
    name = client.get("/api/v1/entities", params={"limit": 1}).json()["items"][0]["name"]
    with_entity = _stories(client, entity=name, limit=500)
    body = client.get("/api/v1/stories", params={"entity": name, "limit": 1}).json()
    assert body["total"] == len(with_entity) >= 1 and len(body["items"]) == 1
    assert client.get("/api/v1/stories", params={"entity": "Nobody Atall"}).json()["total"] == 0
    entities = client.get("/api/v1/entities", params={"limit": 500}).json()
    page = client.get("/api/v1/entities", params={"limit": 1, "offset": 2}).json()
    assert page["total"] == entities["total"] == len(entities["items"]) > 2
    assert page["items"] == entities["items"][2:3]


def test_api_stories_filters(client: Any) -> None:
    fire = _story_id(client, "Kelham warehouse")
    assert [s["id"] for s in _stories(client, since="2024-06-01", until="2024-06-30")] == [fire]
    # ``until`` with a bare date includes the whole day (the fire story starts 2 June 09:30).
    assert fire in [s["id"] for s in _stories(client, since="2024-06-02", until="2024-06-02")]
    assert fire not in [s["id"] for s in _stories(client, until="2024-06-01")]
    by_outlet = _stories(client, outlet="harbour gazette")
    assert [s["id"] for s in by_outlet] == [fire]
    assert _stories(client, outlet="No Such Outlet") == []
    regatta = _stories(client, q="regatta")
    assert len(regatta) == 1 and "Ardan" in regatta[0]["title"]
    assert _stories(client, q="regatta", since="2024-08-01") == []
    assert _stories(client, since="9999-12-31") == []
    assert len(_stories(client, until="9999-12-31", since="0001-01-01")) == len(_stories(client))


def test_api_entities_and_entity_filter(client: Any) -> None:
    entities = client.get("/api/v1/entities", params={"limit": 500}).json()["items"]
    assert entities
    counts = [e["articles"] for e in entities]
    assert counts == sorted(counts, reverse=True)
    assert set(entities[0]) == {"id", "name", "type", "aliases", "mentions", "articles"}
    first = entities[0]
    page = client.get("/api/v1/entities", params={"limit": 1, "offset": 1}).json()["items"]
    assert page == entities[1:2]

    body = client.get(f"/api/v1/entities/{first['name']}").json()
    assert body["entity"]["id"] == first["id"]
    assert body["matches"][0]["id"] == first["id"]
    appearances = body["stories"]
    assert appearances and all(s["entity_articles"] >= 1 for s in appearances)
    # The same stories through the story filter, newest activity first.
    filtered = _stories(client, entity=first["name"].upper())
    by_id = sorted(appearances, key=lambda s: s["id"])
    newest_first = sorted(by_id, key=lambda s: s["last_published"], reverse=True)
    assert [s["id"] for s in filtered] == [s["id"] for s in newest_first]
    assert _stories(client, entity=first["name"], since="2999-01-01") == []
    assert _stories(client, entity="Nobody Atall") == []


def test_api_entity_filter_combines_with_other_filters(client: Any) -> None:
    fire = _story_id(client, "Kelham warehouse")
    names = [e["name"] for e in client.get(f"/api/v1/stories/{fire}").json()["entities"]]
    assert names
    assert fire in [s["id"] for s in _stories(client, entity=names[0], outlet="METRO WIRE")]
    assert fire in [s["id"] for s in _stories(client, entity=names[0], q="ferry")]
    assert _stories(client, entity=names[0], outlet="No Such Outlet") == []
    assert _stories(client, entity=names[0], q="zyzzyvaqq") == []


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/stories?since=yesterday", 400),
        ("/api/v1/stories?until=2024-13-45", 400),
        ("/api/v1/stories?since=2024-06-02&until=2024-06-01", 400),
        ("/api/v1/stories?limit=0", 422),
        ("/api/v1/stories?limit=100000", 422),
        ("/api/v1/stories?limit=ten", 422),
        ("/api/v1/stories?offset=-1", 422),
        ("/api/v1/stories?until=2024-02-30", 400),
        ("/api/v1/stories?since=2024-05-14T25:00", 400),
        ("/api/v1/stories?q=%21%21%21", 400),
        ("/api/v1/stories?q=" + "x" * 600, 422),
        ("/api/v1/search", 422),
        ("/api/v1/search?q=", 422),
        ("/api/v1/search?q=%22%2A%28", 400),
        ("/api/v1/search?q=fire&mode=fuzzy", 422),
        ("/api/v1/search?q=fire&limit=0", 422),
        ("/api/v1/stories/does-not-exist", 404),
        ("/api/v1/articles/does-not-exist", 404),
        ("/api/v1/articles/does-not-exist/why", 404),
        ("/api/v1/entities?limit=0", 422),
        ("/api/v1/entities/Nobody%20Atall", 404),
        ("/api/v1/no-such-route", 404),
    ],
)
def test_api_bad_requests_are_json_errors(client: Any, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert body["error"] and body["detail"]


def test_api_wrong_method_is_json_405(client: Any) -> None:
    response = client.delete("/api/v1/stories")
    assert response.status_code == 405
    assert response.json()["error"] == "method not allowed"


def test_api_story_detail_articles_in_order(client: Any) -> None:
    fire = _story_id(client, "Kelham warehouse")
    body = client.get(f"/api/v1/stories/{fire}").json()
    dates = [a["published"] for a in body["articles"]]
    assert dates == sorted(dates)
    # Four reports, two of them copies of the others (stories/copies.py).
    assert body["article_count"] + body["copy_count"] == len(body["articles"]) == 4
    assert body["copy_count"] == sum(1 for a in body["articles"] if a["copy_of"]) == 2
    assert "<script>alert(1)</script> Harbour fire" in [a["title"] for a in body["articles"]]
    # The view ``storyline show --json`` prints: timeline, events, entities, coverage.
    ids = {a["id"] for a in body["articles"]}
    assert {row["article_id"] for row in body["timeline"]} <= ids
    assert {row["event_id"] for row in body["timeline"]} == {e["id"] for e in body["events"]}
    assert set(body["coverage"]) == {"outlets", "wording", "carried"}
    assert body["unenriched"] == []


def test_api_story_timeline_of_seeds(seeds_story: dict[str, Any]) -> None:
    """The seeds report one forecast visit (March) that happened in May."""
    visits = [e for e in seeds_story["events"] if e["action"] == "visit"]
    assert visits and "Vladimir Putin" in visits[0]["participants"]
    assert visits[0]["when"]["start"].startswith("2024-05")
    novelty = {(r["article_id"], r["novelty"]) for r in seeds_story["timeline"]
               if r["event_id"] == visits[0]["id"]}
    first, second = (a["id"] for a in seeds_story["articles"])
    assert novelty == {(first, "new"), (second, "update")}


def test_api_article_with_story_summary(client: Any) -> None:
    fire = _story_id(client, "Kelham warehouse")
    first = client.get(f"/api/v1/stories/{fire}").json()["articles"][0]
    body = client.get(f"/api/v1/articles/{first['id']}").json()
    assert body["title"] == "Warehouse fire at Kelham harbour"
    assert "timber warehouse" in body["text"]
    assert body["outlet"] == "Harbour Gazette"
    assert body["url"] == "https://harbourgazette.example/warehouse-fire"
    assert body["story"] == fire
    assert body["story_summary"]["id"] == fire
    assert "raw" not in body


def test_api_article_why_names_the_story_it_joined(client: Any,
                                                  seeds_story: dict[str, Any]) -> None:
    first, second = (a["id"] for a in seeds_story["articles"])
    body = client.get(f"/api/v1/articles/{second}/why").json()
    assert set(body) >= {"article", "story", "outcome", "started", "score", "threshold",
                         "copy_of", "best_match", "runner_up"}
    assert body["outcome"] == "joined" and body["story"]["id"] == seeds_story["id"]
    assert body["score"] >= body["threshold"]
    best = body["best_match"]
    assert best["article"]["id"] == first
    assert "vladimir putin" in best["shared"]["people"]
    assert any(e["action"] == "visit" and e["overlapping"] for e in best["events"])
    assert set(best["conflicts"]) == {"names", "places", "numbers", "years"}
    started = client.get(f"/api/v1/articles/{first}/why").json()
    assert started["outcome"] == "started" and started["started"] is True
    if started["runner_up"] is not None:
        assert started["runner_up"]["score"] < started["threshold"]
        assert started["runner_up"]["story"]["id"] != seeds_story["id"]


def test_api_search_text_has_story_ids(client: Any) -> None:
    body = client.get("/api/v1/search", params={"q": "ferry delays", "limit": 5}).json()
    assert body["mode"] == "text"
    assert [i["title"] for i in body["items"]] == ["Kelham harbour blaze: ferries delayed"]
    assert body["items"][0]["story"] == _story_id(client, "Kelham warehouse")
    assert body["items"][0]["score"] is None


def test_api_search_semantic_ranks_by_meaning(client: Any) -> None:
    body = client.get(
        "/api/v1/search", params={"q": "rowing boats racing on a lake", "mode": "semantic",
                                  "limit": 3},
    ).json()
    assert len(body["items"]) == 3
    assert "Ardan" in body["items"][0]["title"]
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert all(i["story"] for i in body["items"])


def test_api_search_seeds(client: Any, seeds_story: dict[str, Any]) -> None:
    body = client.get("/api/v1/search", params={"q": "Putin Xi Beijing"}).json()
    assert {i["story"] for i in body["items"]} == {seeds_story["id"]}


def test_api_openapi_lists_every_route(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    api_routes = {
        (route.path_format, method.lower())
        for route in api.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert api_routes <= documented
    assert {path for path, _ in api_routes} >= {
        "/api/v1/health", "/api/v1/stories", "/api/v1/stories/{story_id}",
        "/api/v1/articles/{article_id}", "/api/v1/articles", "/api/v1/search",
        "/api/v1/entities", "/api/v1/entities/{name}", "/api/v1/articles/{article_id}/why",
    }
    assert "requestBody" in spec["paths"]["/api/v1/articles"]["post"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    # Swagger UI comes from this server, not a CDN, so the page works offline.
    scripts = re.findall(r'src="([^"]+)"', docs.text)
    assert scripts and all(src.startswith("/static/docs/") for src in scripts)
    assert "cdn." not in docs.text
    asset = client.get(scripts[0])
    assert asset.status_code == 200 and "SwaggerUIBundle" in asset.text


def test_api_openapi_describes_every_response(client: Any) -> None:
    """Every answer of every route has a schema: a named model for success, ``ErrorOut``
    for every error (FastAPI's default 422 model describes a body we never send)."""
    spec = client.get("/openapi.json").json()
    models = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            assert {"200", "421", "503"} <= set(operation["responses"]), (method, path)
            for status, response in operation["responses"].items():
                schema = response["content"]["application/json"]["schema"]
                name = schema["$ref"].rsplit("/", 1)[-1]
                if status.startswith(("4", "5")):
                    assert name == "ErrorOut", (method, path, status)
                else:
                    assert models[name]["properties"] and models[name]["required"], name
    assert "HTTPValidationError" not in models
    for name in ("StoryListOut", "EntityListOut"):
        assert set(models[name]["required"]) == {"total", "items", "limit", "offset"}


def test_api_responses_keep_every_serialize_field(client: Any, web_app: Any) -> None:
    """The response models pass ``serialize``'s shapes through unchanged: a field missing
    from a model would be dropped silently, and ``serialize`` is the public contract."""
    from storyline import serialize

    ctx = web_app.state.web
    store = ctx.store()
    stories = _stories(client, limit=500)
    for story in stories:
        view = client.get(f"/api/v1/stories/{story['id']}").json()
        assert view == ctx.story_view(store, story["id"])
        for article in view["articles"]:
            body = client.get(f"/api/v1/articles/{article['id']}").json()
            full = serialize.article_full(store.get_article(article["id"]))
            assert {k: body[k] for k in full} == full
            why = client.get(f"/api/v1/articles/{article['id']}/why").json()
            assert why == serialize.explanation(ctx.explain(store, article["id"]))
    entity = client.get("/api/v1/entities", params={"limit": 1}).json()["items"][0]
    body = client.get(f"/api/v1/entities/{entity['name']}").json()
    found = store.find_entities(entity["name"])
    expected = serialize.entity_stories(found[0], store.entity_stories(entity["name"]))
    assert {k: body[k] for k in expected} == expected


def test_api_security_headers(client: Any) -> None:
    response = client.get("/api/v1/health")
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["server-timing"].startswith("app;dur=")


# --- writes ---------------------------------------------------------------------------------
def test_api_sees_articles_ingested_while_running(tmp_path: Any, encoder: Any,
                                                  new_store_db: Any) -> None:
    """The CLI may ingest while the server runs: each request sees the last committed batch."""
    from contextlib import closing

    from fastapi.testclient import TestClient

    from storyline.config import Settings
    from storyline.pipeline import Pipeline
    from storyline.store import open_store
    from storyline.web.server import create_app

    db = new_store_db(tmp_path / "shared.db")
    with TestClient(create_app(Settings(), store_path=db, encoder=encoder)) as running:
        assert running.get("/api/v1/health").json()["articles"] == 0
        # A second connection writing, as `storyline ingest` does.
        with closing(open_store(db, model_name=encoder.name)) as writer:
            records = [_record(1), _record(2)]
            assert Pipeline(writer, encoder=encoder).ingest_records(records).added == 2
        assert running.get("/api/v1/health").json()["articles"] == 2
        assert len(running.get("/api/v1/stories").json()["items"]) == 1


def _record(n: int) -> Any:
    import json

    from storyline.models import RawRecord

    obj = _new_article(n)
    return RawRecord(source=f"test:{n}", kind="jsonl", content=json.dumps(obj), fields=obj)


def _new_article(n: int) -> dict[str, Any]:
    return {
        "url": f"https://valley.example/bridge-{n}",
        "title": f"Old Mill bridge closed for repairs, part {n}",
        "text": (
            "The Old Mill footbridge over the river Tane will be closed for six weeks while "
            "engineers replace its rotten timber deck, the district council said on Monday. "
            f"A temporary crossing will open downstream. Update number {n} on the works."
        ),
        "published": f"2024-09-0{n}T08:00:00Z",
        "outlet": "Valley News",
        "authors": ["Sam Reed"],
        "language": "en",
    }


def test_api_post_refused_without_configured_token(write_client: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    response = write_client.post("/api/v1/articles", json=_new_article(1),
                                 headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403
    assert TOKEN_ENV in response.json()["detail"]


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc", "Bearer "])
def test_api_post_needs_the_token(write_client: Any, monkeypatch: pytest.MonkeyPatch,
                                  header: str | None) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    headers = {"Authorization": header} if header else {}
    response = write_client.post("/api/v1/articles", content=b"not json", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthorized"


def test_api_post_adds_then_counts_duplicates(write_client: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    first = write_client.post("/api/v1/articles", json=_new_article(1), headers=auth)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["added"], body["duplicates"], body["rejected"]) == (1, 0, 0)
    story = body["articles"][0]["story"]
    assert story

    batch = [_new_article(1), _new_article(2), {"title": "no body"}, {"text": "too short"}]
    second = write_client.post("/api/v1/articles", json=batch, headers=auth).json()
    assert (second["added"], second["duplicates"], second["rejected"]) == (1, 1, 2)
    reasons = {r["source"]: r["reason"] for r in second["rejections"]}
    assert "text" in reasons["request#2"]
    assert "words" in reasons["request#3"]
    assert {a["story"] for a in second["articles"]} == {story}

    detail = write_client.get(f"/api/v1/stories/{story}").json()
    assert [a["url"] for a in detail["articles"]] == [
        "https://valley.example/bridge-1", "https://valley.example/bridge-2"]
    assert write_client.get("/api/v1/health").json()["articles"] == 2


def test_api_post_epoch_bounds_are_what_the_schema_says(write_client: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Epoch times at the documented bounds are stored; one beyond them is a 422."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    post = write_client.get("/openapi.json").json()["paths"]["/api/v1/articles"]["post"]
    article_schema = post["requestBody"]["content"]["application/json"]["schema"]["anyOf"][0]
    numbers = [s for s in article_schema["properties"]["published"]["anyOf"]
               if s.get("type") in ("integer", "number")]
    assert numbers and all((s["minimum"], s["maximum"]) == (api.EPOCH_MIN, api.EPOCH_MAX)
                           for s in numbers)
    for n, published in enumerate([api.EPOCH_MIN, api.EPOCH_MAX, float(api.EPOCH_MAX)], 1):
        article = {**_new_article(n), "published": published}
        response = write_client.post("/api/v1/articles", json=article, headers=auth)
        assert response.status_code == 200, response.text
        assert response.json()["rejected"] == 0, response.text
    beyond = {**_new_article(4), "published": api.EPOCH_MAX + 1}
    assert write_client.post("/api/v1/articles", json=beyond, headers=auth).status_code == 422


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[]", 400),
        (b'"just a string"', 422),
        (b'{"title": 5, "text": "a body"}', 422),
        (b'[{"text": "ok text"}, 7]', 422),
        (b'{"text": "a body", "published": 1e20}', 422),
    ],
)
def test_api_post_bad_bodies(write_client: Any, monkeypatch: pytest.MonkeyPatch,
                             body: bytes, status: int) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    response = write_client.post(
        "/api/v1/articles", content=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "detail"}
