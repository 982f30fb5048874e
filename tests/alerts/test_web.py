"""Follows and alerts over the web: the Atom feeds (valid RFC 4287 by its RELAX NG schema and
the rules the schema cannot say, read by feedparser as a feed reader does), the alerts page,
the API (token for writes, alerts recorded by ``POST /api/v1/articles``), and the alert feed
rendered by Chromium from a real server."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml import etree

from storyline.alerts import follow
from storyline.web.server import TOKEN_ENV

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = Path(__file__).resolve().parent / "data" / "atom.rng"
TOKEN = "alerts-test-token"
#: RFC 3339 date-time (RFC 4287 section 3.3).
#: Where the browser test leaves a screenshot of the alerts page for people to look at.
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@pytest.fixture(scope="module")
def alerts_db(base_store: Any, tmp_path_factory: pytest.TempPathFactory, encoder: Any,
              settings: Any, articles: dict[str, dict[str, Any]], copy_store_db: Any,
              make_store_db: Any) -> str:
    """A store with a followed story, a followed entity and a followed query, and the
    alerts three later articles raised for them."""
    import json

    from storyline.pipeline import Pipeline
    from storyline.store import open_store

    root = tmp_path_factory.mktemp("alerts-web")
    db = copy_store_db(base_store.db, make_store_db(root / "web.db"))
    source = root / "later.jsonl"
    source.write_text("".join(json.dumps(articles[name]) + "\n"
                              for name in ("announced", "accident", "fire")), encoding="utf-8")
    with closing(open_store(db, model_name=encoder.name)) as store:
        follow(store, "story", base_store.story_id)
        follow(store, "entity", "Teodor Kasprzak")
        follow(store, "query", "timber warehouse")
        Pipeline(store, settings=settings, encoder=encoder).ingest_paths([source])
        assert store.count_alerts() == 4, store.list_alerts()
    return db


@pytest.fixture(scope="module")
def app(alerts_db: str, encoder: Any) -> Any:
    from storyline.config import Settings
    from storyline.web.server import create_app

    return create_app(Settings(), store_path=alerts_db, encoder=encoder)


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


def check_atom(data: bytes) -> etree._Element:
    """Parse ``data`` (no entities expanded, nothing fetched) and check it as an Atom feed:
    the RFC 4287 schema, then the rules in its prose (sections 4.1.1, 4.1.2, 4.2)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser=parser)
    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    assert root.tag == f"{ATOM}feed"

    def one(parent: etree._Element, name: str) -> str:
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, (name, len(found))
        return str(found[0].text or "")

    def check_links(parent: etree._Element) -> list[etree._Element]:
        links = parent.findall(f"{ATOM}link")
        alternates = [(link.get("type"), link.get("hreflang")) for link in links
                      if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == len(set(alternates)), alternates  # 4.1.1, 4.1.2
        for link in links:
            href = urlsplit(link.get("href", ""))
            assert href.scheme in ("http", "https") and href.netloc, link.get("href")
        return links

    def check_id(text: str) -> None:
        parsed = urlsplit(text)
        assert parsed.scheme and (parsed.netloc or parsed.path), text  # an absolute IRI
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", text), text

    check_id(one(root, "id"))
    assert one(root, "title").strip()
    assert RFC3339.fullmatch(one(root, "updated"))
    assert any(link.get("rel") == "self" for link in check_links(root))  # SHOULD, 4.1.1
    entries = root.findall(f"{ATOM}entry")
    if not root.findall(f"{ATOM}author"):  # 4.1.1: authors on the feed or on every entry
        assert all(e.findall(f"{ATOM}author") for e in entries)
    ids = []
    for entry in entries:
        ids.append(one(entry, "id"))
        check_id(ids[-1])
        assert one(entry, "title").strip()
        assert RFC3339.fullmatch(one(entry, "updated"))
        links = check_links(entry)
        content = entry.findall(f"{ATOM}content")
        if not content:  # 4.1.2: an entry without content has an alternate link
            assert any(link.get("rel", "alternate") == "alternate" for link in links)
        for element in content:
            assert element.get("type") in ("text", "html", "xhtml")
    assert len(ids) == len(set(ids))  # every entry its own id
    return root


def test_web_schema_rejects_what_atom_forbids() -> None:
    """The schema is not vacuous: a feed without an id, or with a time without its offset,
    fails."""
    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    ok = (b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>t</title>'
          b"<updated>2024-01-01T00:00:00Z</updated></feed>")
    assert schema.validate(etree.fromstring(ok))
    for bad in (ok.replace(b"<id>urn:x</id>", b""),
                ok.replace(b"00:00:00Z", b"00:00:00"),
                ok.replace(b"</feed>", b"<entry><id>a</id><title>t</title></entry></feed>")):
        assert not schema.validate(etree.fromstring(bad)), bad


def test_web_alert_feed_is_valid_atom(client: Any, base_store: Any,
                                      articles: dict[str, dict[str, Any]]) -> None:
    import feedparser

    response = client.get("/alerts/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = check_atom(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 4
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert any(": visit — " in t and "(announced)" in t for t in titles), titles
    assert any(t.startswith("New story: Teodor Kasprzak injured") for t in titles), titles
    # Each entry links to its story here and to the original article.
    for entry in entries:
        rels = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
        assert rels["alternate"].startswith("http://testserver/stories/s")
        assert rels["related"].startswith("https://")
    # A feed reader's view: no error, the outlet's "&" read back as text.
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 4
    authors = {e.get("author") for e in parsed.entries}
    assert "Eastbank Times & Review" in authors
    development = next(e for e in parsed.entries if "(announced)" in e.title)
    assert "2024-06-06..2024-06-07" in development.content[0].value
    assert "&lt;" not in development.content[0].value  # HTML content, escaped once


def test_web_follow_feed_and_story_feed_are_valid_atom(client: Any, base_store: Any) -> None:
    follows = client.get("/api/v1/follows").json()["items"]
    story_follow = next(f for f in follows if f["kind"] == "story")
    response = client.get(story_follow["feed"])
    root = check_atom(response.content)
    (entry,) = root.findall(f"{ATOM}entry")
    assert "visit" in (entry.findtext(f"{ATOM}title") or "")
    assert client.get("/follows/fnothing/feed.atom").status_code == 404
    # The story's developments: the expected visit (new), then its announcement (update).
    story = client.get(f"/stories/{base_store.story_id}/feed.atom")
    assert story.status_code == 200
    root = check_atom(story.content)
    titles = [e.findtext(f"{ATOM}title") or "" for e in root.findall(f"{ATOM}entry")]
    assert titles[0].startswith("Update: visit") and titles[-1].startswith("New: visit")
    updated = [datetime.fromisoformat(e.findtext(f"{ATOM}updated") or "")
               for e in root.findall(f"{ATOM}entry")]
    assert updated == sorted(updated, reverse=True)
    assert client.get("/stories/snothing/feed.atom").status_code == 404


def test_web_alerts_page_lists_follows_and_alerts(client: Any, base_store: Any) -> None:
    page = client.get("/alerts")
    assert page.status_code == 200
    html = page.text
    assert 'type="application/atom+xml"' in html and 'href="/alerts/feed.atom"' in html
    assert "Teodor Kasprzak" in html and "timber warehouse" in html
    assert "Kasprzak to visit Orsk on Thursday, ministry announces" in html
    assert "Eastbank Times &amp; Review" in html  # escaped
    story = client.get(f"/stories/{base_store.story_id}").text
    assert f'href="/stories/{base_store.story_id}/feed.atom"' in story
    assert "Followed" in story
    assert client.get("/alerts", params={"offset": -1}).status_code == 400


def test_web_api_follows_need_the_token(app: Any, base_store: Any,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    body = {"kind": "query", "target": "border crossings"}
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert client.post("/api/v1/follows", json=body).status_code == 403
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    assert client.post("/api/v1/follows", json=body).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/api/v1/follows", json=body,
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    made = client.post("/api/v1/follows", json=body, headers=auth)
    assert made.status_code == 200, made.text
    item = made.json()
    assert item["kind"] == "query" and item["alerts"] == 0
    assert item["feed"] == f"/follows/{item['id']}/feed.atom"
    assert item in client.get("/api/v1/follows").json()["items"]
    bad = [({"kind": "planet", "target": "Mars"}, 422), ({"kind": "story", "target": ""}, 422),
           ({"kind": "entity", "target": "Nobody Atall"}, 404),
           ({"kind": "story", "target": "szzzzz"}, 404), ({"kind": "query", "target": "!!"}, 400)]
    for payload, status in bad:
        answer = client.post("/api/v1/follows", json=payload, headers=auth)
        assert answer.status_code == status, (payload, answer.text)
        assert set(answer.json()) == {"error", "detail"}
    assert client.delete(f"/api/v1/follows/{item['id']}").status_code == 401
    gone = client.delete(f"/api/v1/follows/{item['id']}", headers=auth)
    assert gone.status_code == 200 and gone.json()["deleted"]["id"] == item["id"]
    assert client.delete(f"/api/v1/follows/{item['id']}", headers=auth).status_code == 404


def test_web_api_alerts_page_through(client: Any) -> None:
    body = client.get("/api/v1/alerts", params={"limit": 3}).json()
    assert body["total"] == 4 and len(body["items"]) == 3
    rest = client.get("/api/v1/alerts", params={"limit": 3, "offset": 3}).json()["items"]
    assert len(rest) == 1
    assert {a["id"] for a in body["items"]}.isdisjoint({a["id"] for a in rest})
    development = next(a for a in body["items"] + rest if a["kind"] == "development")
    assert development["delivery"] is None  # no webhook configured
    assert development["developments"][0]["when"]["start"] == "2024-06-06"
    one = client.get("/api/v1/alerts", params={"follow": development["follow_id"]}).json()
    assert one["total"] == 1 and one["items"][0]["id"] == development["id"]
    assert client.get("/api/v1/alerts", params={"follow": "fnothing"}).status_code == 404


def test_web_api_post_articles_records_alerts(
    db: Path, base_store: Any, encoder: Any, articles: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The API's ingest path detects alerts too (the pipeline's hook, not the CLI's)."""
    from fastapi.testclient import TestClient

    from storyline.config import Settings
    from storyline.web.server import create_app

    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    app = create_app(Settings(workers=1), store_path=db, encoder=encoder)
    with TestClient(app) as client:
        made = client.post("/api/v1/follows", headers=auth,
                           json={"kind": "story", "target": base_store.story_id})
        assert made.status_code == 200, made.text
        posted = client.post("/api/v1/articles", json=articles["announced"], headers=auth)
        assert posted.status_code == 200 and posted.json()["added"] == 1
        (alert,) = client.get("/api/v1/alerts").json()["items"]
        assert alert["follow_id"] == made.json()["id"] and alert["kind"] == "development"
        again = client.post("/api/v1/articles", json=articles["announced"], headers=auth)
        assert again.json()["duplicates"] == 1
        assert client.get("/api/v1/alerts").json()["total"] == 1


@pytest.mark.browser
def test_web_alert_feed_renders_in_chromium(app: Any, serve_app: Callable[[Any], Any]) -> None:
    """Chromium opens the served feed (its XML view) and shows the entries' text."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip(f"{chromium} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
    with serve_app(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=args)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            response = page.goto(f"{base}/alerts/feed.atom")
            assert response is not None and response.status == 200
            # Shown, not downloaded: Chromium displays the feed's XML.
            text = page.inner_text("body")
            assert "New story: Teodor Kasprzak injured in motorway crash near Lindau" in text
            assert "<name>Eastbank Times &amp; Review</name>" in text
            # Chromium's own XML parser reads it as Atom: well-formed, every entry there.
            parsed = page.evaluate("""async (url) => {
                const doc = new DOMParser().parseFromString(
                    await (await fetch(url)).text(), "application/xml");
                const ns = "http://www.w3.org/2005/Atom";
                return {
                    errors: doc.getElementsByTagName("parsererror").length,
                    root: doc.documentElement.namespaceURI + " " + doc.documentElement.localName,
                    titles: [...doc.getElementsByTagNameNS(ns, "entry")].map(
                        e => e.getElementsByTagNameNS(ns, "title")[0].textContent),
                    authors: [...doc.getElementsByTagNameNS(ns, "name")].map(n => n.textContent),
                };
            }""", f"{base}/alerts/feed.atom")
            assert parsed["errors"] == 0
            assert parsed["root"] == "http://www.w3.org/2005/Atom feed"
            assert len(parsed["titles"]) == 4
            assert "New story: Warehouse fire at Kelham harbour" in parsed["titles"]
            assert "Eastbank Times & Review" in parsed["authors"]
            assert not errors, errors
            # The alerts page announces the feed to the browser (autodiscovery).
            page.goto(f"{base}/alerts")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "alerts.png"), full_page=True)
            href = page.get_attribute('link[rel="alternate"][type="application/atom+xml"]',
                                      "href")
            assert href == "/alerts/feed.atom"
        finally:
            browser.close()
