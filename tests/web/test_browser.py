"""The real server (uvicorn, in a background thread) driven by Debian's Chromium via Playwright.

Saves screenshots of the river, story, article and search pages (desktop) and the story page
(phone) to ``artifacts/screenshots/`` for people to look at. Skips when ``/usr/bin/chromium``
is missing (install it with ``apt-get install -y chromium``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SCRIPT = "<script>alert(1)</script> Harbour fire"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def live_server(web_corpus: Any, encoder: Any, serve: Any) -> Iterator[str]:
    """``http://127.0.0.1:<free port>`` served by uvicorn over the session store."""
    from storyline.config import Settings
    from storyline.web.server import create_app

    app = create_app(Settings(), store_path=web_corpus.db, encoder=encoder)
    with serve(app) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Watch:
    """Dialogs and console errors (CSP violations included) seen by a page."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error"
                else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))


def _new_page(browser: Any, viewport: dict[str, int]) -> tuple[Any, Any, Watch]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    return context, page, Watch(page)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_browser_river_to_seeds_story(browser: Any, live_server: str,
                                      seeds_story: dict[str, Any]) -> None:
    context, page, watch = _new_page(browser, DESKTOP)
    page.goto(live_server + "/")
    _shot(page, "river-desktop.png")
    link = page.locator(".river h2 a", has_text="Putin")
    assert link.count() == 1
    link.click()
    page.wait_for_url(f"**/stories/{seeds_story['id']}")
    items = page.locator(".timeline > li")
    assert items.count() == 2
    stamps = [items.nth(i).locator("time").get_attribute("datetime") for i in range(2)]
    assert stamps == sorted(stamps)
    titles = [items.nth(i).locator("h3").inner_text() for i in range(2)]
    assert titles == [a["title"] for a in seeds_story["articles"]]
    _shot(page, "story-desktop.png")
    assert watch.dialogs == [] and watch.errors == []
    context.close()


def test_browser_search_finds_seeds_story(browser: Any, live_server: str,
                                          seeds_story: dict[str, Any]) -> None:
    context, page, watch = _new_page(browser, DESKTOP)
    page.goto(live_server + "/search")
    page.get_by_label("Words to find").fill("Putin China")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r".*/search\?q=Putin\+China.*"))
    story_links = page.locator(f'.results a[href="/stories/{seeds_story["id"]}"]')
    assert story_links.count() == 2
    _shot(page, "search-desktop.png")
    assert watch.dialogs == [] and watch.errors == []
    context.close()


def test_browser_script_title_is_text(browser: Any, live_server: str, client: Any) -> None:
    hits = client.get("/api/v1/search", params={"q": "harbour fire smoke closed"}).json()
    article = next(i for i in hits["items"] if i["title"] == SCRIPT)
    context, page, watch = _new_page(browser, DESKTOP)
    page.goto(f"{live_server}/stories/{article['story']}")
    # It is a copy (stories/copies.py): listed by its outlet under its original in the
    # timeline, and by its title in the outlet column.
    assert page.get_by_role("link", name=SCRIPT).count() == 1
    page.get_by_role("link", name=SCRIPT).first.click()
    page.wait_for_url(f"**/articles/{article['id']}")
    assert page.get_by_role("heading", level=1).inner_text() == SCRIPT
    assert page.locator("script").count() == 0
    _shot(page, "article-desktop.png")
    assert watch.dialogs == [] and watch.errors == []
    context.close()


def test_browser_phone_has_no_horizontal_scroll(browser: Any, live_server: str,
                                                client: Any) -> None:
    story = client.get("/api/v1/stories", params={"q": "Kelham warehouse"}).json()["items"][0]
    article = client.get(f"/api/v1/stories/{story['id']}").json()["articles"][0]
    context, page, watch = _new_page(browser, PHONE)
    for path in ("/", f"/stories/{story['id']}", f"/articles/{article['id']}",
                 "/search?q=harbour+fire", "/entities"):
        page.goto(live_server + path)
        assert _no_horizontal_scroll(page), path
    page.goto(f"{live_server}/stories/{story['id']}")
    _shot(page, "story-phone.png")
    assert watch.dialogs == [] and watch.errors == []
    context.close()


def test_browser_keyboard_skip_link(browser: Any, live_server: str) -> None:
    context, page, _ = _new_page(browser, DESKTOP)
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    context.close()


def test_browser_api_docs_render_offline(browser: Any, live_server: str) -> None:
    """/docs draws every API operation with Swagger UI served by Storyline itself (the browser
    has no network beyond the server)."""
    context, page, watch = _new_page(browser, DESKTOP)
    page.goto(live_server + "/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/stories" in p for p in paths)
    assert any("/api/v1/articles" in p for p in paths)
    assert not [e for e in watch.errors if "Content Security Policy" in e], watch.errors
    context.close()
