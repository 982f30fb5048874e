"""The HTML pages over a real store: content, links, escaping and headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import quote

from storyline.web.pages import activity_chart, paragraphs, story_sections
from storyline.web.server import CSP

SCRIPT = "<script>alert(1)</script> Harbour fire"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; Harbour fire"


def _page(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CSP
    html: str = response.text
    assert "<script" not in html  # no inline or external script on any page
    return html


def _fire_story(client: Any) -> dict[str, Any]:
    items = client.get("/api/v1/stories", params={"q": "Kelham warehouse"}).json()["items"]
    return client.get(f"/api/v1/stories/{items[0]['id']}").json()  # type: ignore[no-any-return]


def test_pages_river_lists_stories_with_charts(client: Any) -> None:
    html = _page(client, "/")
    stories = client.get("/api/v1/stories").json()["items"]
    positions = [html.index(f'href="/stories/{s["id"]}"') for s in stories]
    assert positions == sorted(positions)  # newest activity first
    fire = _fire_story(client)
    assert "Harbour Gazette, Coastal Times, Metro Wire" in html
    assert f"{fire['article_count']} articles + {fire['copy_count']} copies" in html
    assert html.count('<svg class="chart"') == len(stories)
    # The fixture's fire reports are one wire text with a changed line (stories/copies.py):
    # the Jun 5 and Jun 9 ones are copies, so the story's span is its originals'.
    assert "2 – 3 Jun 2024" in html
    # Landmarks and the skip link for keyboard users.
    assert '<a class="skip" href="#main">Skip to content</a>' in html
    for landmark in ('<header class="site" role="banner">', '<main id="main"', "<nav",
                     '<footer class="site" role="contentinfo">'):
        assert landmark in html


def test_pages_river_pagination(client: Any) -> None:
    html = _page(client, "/?offset=1000")
    assert "No more stories" in html and "More recent stories" in html
    _page(client, "/?offset=-1", status=400)
    _page(client, "/?offset=abc", status=422)


def test_pages_story_timeline_in_date_order(client: Any) -> None:
    story = _fire_story(client)
    html = _page(client, f"/stories/{story['id']}")
    timeline = html[html.index('id="timeline-h"'):html.index('id="outlets-h"')]
    links = re.findall(r'<a href="/articles/([^"]+)">', timeline)
    # Each original, then its copies (shown as "N copies" under it).
    originals = [a for a in story["articles"] if a["copy_of"] is None]
    assert links == [i for o in originals for i in [o["id"], *(
        a["id"] for a in story["articles"] if a["copy_of"] == o["id"])]]
    assert story["copy_count"] == 2 and "1 copy:" in timeline
    assert timeline.index("2 Jun 2024") < timeline.index("3 Jun 2024")
    assert 'href="https://coastaltimes.example/harbour-blaze" rel="noopener noreferrer"' in html
    # Outlets side by side, one column each.
    assert html.count('<section class="outlet"') == 3
    assert ESCAPED in html and SCRIPT not in html
    # What each report added, from the timeline of developments.
    for row in story["timeline"]:
        assert {"new": "New:", "update": "Update:", "repeated": "Repeats:"}[row["novelty"]] in html
    for entity in story["entities"][:12]:
        assert f'href="/entities/{quote(entity["name"])}"' in html


def test_pages_story_developments_of_seeds(client: Any, seeds_story: dict[str, Any]) -> None:
    html = _page(client, f"/stories/{seeds_story['id']}")
    developments = html[html.index('id="developments-h"'):html.index('id="timeline-h"')]
    visit = next(e for e in seeds_story["events"] if e["action"] == "visit")
    assert visit["when"]["label"] in developments and "Vladimir Putin" in developments
    timeline = html[html.index('id="timeline-h"'):]
    assert timeline.index("New:") < timeline.index("Update:")
    # The first report named China only; Beijing and Harbin came with the second (issue 12).
    first, second = timeline.split("Update:", 1)
    assert "Harbin" not in first and "Harbin" in second
    assert "forecast confirmed: expected for 2024-05-16..2024-05-31" in second


def test_pages_article_text_and_links(client: Any) -> None:
    story = _fire_story(client)
    script_article = next(a for a in story["articles"] if a["title"] == SCRIPT)
    html = _page(client, f"/articles/{script_article['id']}")
    assert f"<h1 id=\"title\">{ESCAPED}</h1>" in html
    assert "<title>" + ESCAPED + " · Storyline</title>" in html
    assert "The harbour fire &amp; its smoke &lt;b&gt;closed&lt;/b&gt; the quay" in html
    assert html.count("<p>") >= 2  # paragraphs kept
    assert ('href="https://metrowire.example/script-title" rel="noopener noreferrer"') in html
    assert f'href="/stories/{story["id"]}"' in html
    assert "Earlier: Kelham harbour blaze" in html and "Later: Kelham fire" in html


def _why_section(html: str) -> str:
    start = html.index('<section class="why" aria-labelledby="why-h">')
    return html[start:html.index("</section>", start)]


def test_pages_article_why_this_story(client: Any, seeds_story: dict[str, Any]) -> None:
    first, second = seeds_story["articles"]
    why = _why_section(_page(client, f"/articles/{second['id']}"))
    assert '<h2 id="why-h">Why this story</h2>' in why
    assert "It joined the story with a score of" in why
    assert f'<a href="/articles/{first["id"]}">{escape(first["title"])}</a>' in why
    assert "vladimir putin" in why and "overlapping: the same event" in why
    assert "This article started the story" in _why_section(
        _page(client, f"/articles/{first['id']}"))


def test_pages_article_why_escapes_everything(web_app: Any) -> None:
    """Titles, names, places and words in "Why this story" come from articles: escaped."""
    from types import SimpleNamespace

    from storyline.models import (
        Article,
        ArticleSummary,
        Conflict,
        EventDates,
        Explanation,
        PairExplanation,
        RunnerUp,
        StorySummary,
    )

    day = datetime(2024, 6, 5, tzinfo=UTC)
    other = ArticleSummary("b1", SCRIPT, SCRIPT, day, None)
    pair = PairExplanation(
        article=other, score=0.9, head_cosine=0.8, body_cosine=0.7, days_apart=1.0,
        shared_people=(SCRIPT,), shared_terms=(SCRIPT,), shared_places=(SCRIPT,),
        place_conflict=Conflict((SCRIPT,), ("US/OH",)),
        events=(EventDates(SCRIPT, "2024-06-01", "2024-06-09", 8),),
    )
    story = StorySummary("s1", SCRIPT, 2, (SCRIPT,), day, day)
    why = Explanation(
        article=ArticleSummary("a1", SCRIPT, None, day, None), story=story, started=False,
        score=0.8, threshold=0.5, best_match=pair,
        runner_up=RunnerUp(story=story, score=0.1, best_match=pair),
    )
    article = Article(id="a1", title=SCRIPT, text="Body.", published=day, authors=[],
                      outlet=None, url=None, language=None, source="x", raw_kind="text")
    template = web_app.state.web.templates.env.get_template("article.html")
    html = template.render(request=SimpleNamespace(url=SimpleNamespace(path="/articles/a1")),
                           article=article, paragraphs=["Body."], why=why, story=None)
    section = _why_section(html)
    assert "<script" not in html
    assert ESCAPED in section and section.count(ESCAPED) >= 8
    assert "8 days apart: evidence against" in section and "US/OH" in section


def test_pages_search_text_and_semantic(client: Any) -> None:
    html = _page(client, "/search")
    assert '<form class="search" action="/search" method="get" role="search">' in html
    assert '<label for="q">' in html
    html = _page(client, "/search?q=harbour+fire")
    assert ESCAPED in html and SCRIPT not in html
    assert "Story: <a href=\"/stories/" in html
    html = _page(client, "/search?q=rowing+boats+racing+on+a+lake&mode=semantic")
    assert "similarity" in html and "Lake Ardan" in html
    assert 'value="semantic" checked' in html


def test_pages_search_messages_and_bad_mode(client: Any) -> None:
    assert "Type at least one word" in _page(client, "/search?q=%21%3F")
    assert "No articles match" in _page(client, "/search?q=zyzzyvaqq")
    assert "mode" in _page(client, "/search?q=fire&mode=fuzzy", status=400)


def test_pages_search_finds_seeds_story(client: Any, seeds_story: dict[str, Any]) -> None:
    html = _page(client, "/search?q=Putin")
    assert f'href="/stories/{seeds_story["id"]}"' in html


def test_pages_entities(client: Any) -> None:
    entities = client.get("/api/v1/entities", params={"limit": 100}).json()["items"]
    html = _page(client, "/entities")
    for entity in entities:
        assert f'href="/entities/{quote(entity["name"])}"' in html
    name = entities[0]["name"]
    html = _page(client, f"/entities/{quote(name)}")
    assert f"<h1>{escape(name)}</h1>" in html
    for story in client.get(f"/api/v1/entities/{quote(name)}").json()["stories"]:
        assert f'href="/stories/{story["id"]}"' in html
    assert "no entity named" in _page(client, "/entities/Nobody%20Atall", status=404)


def test_pages_not_found_is_html(client: Any) -> None:
    assert "no story with id" in _page(client, "/stories/nope", status=404)
    assert "no article with id" in _page(client, "/articles/nope", status=404)
    assert "Not found" in _page(client, "/no/such/page", status=404)


def test_pages_static_css(client: Any) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert ":focus-visible" in response.text


# --- helpers --------------------------------------------------------------------------------
def test_pages_activity_chart_bins_long_spans() -> None:
    start = datetime(2024, 1, 1, 12, tzinfo=UTC)
    short = activity_chart([start, start, start + timedelta(days=2)])
    assert len(short.bars) == 2 and "over 3 days" in short.label
    assert "busiest day 2024-01-01 (2 articles)" in short.label
    assert short.bars[0].height > short.bars[1].height
    long = activity_chart([start + timedelta(days=d) for d in range(0, 300, 5)])
    assert len(long.bars) <= 30 and "10-day period" in long.label
    assert all(b.x >= 0 and b.x + b.width <= long.width for b in long.bars)
    assert activity_chart([]).bars == ()


def test_pages_story_sections_from_view_json() -> None:
    view = {
        "events": [
            {"id": "ev2", "label": "vote — in Brennan", "when": None},
            {"id": "ev1", "label": "visit — Ana Morales", "when": {"start": "2024-05-16",
                                                                  "label": "2024-05-16"}},
        ],
        "timeline": [
            {"article_id": "a1", "event_id": "ev1", "novelty": "new", "action": "visit",
             "modality": "expected", "when": {"label": "2024-05"}, "verdict": None,
             "participants": ["Ana Morales"], "places": [],
             "attribution": {"kind": "anonymous", "label": "sources"}},
            {"article_id": "a2", "event_id": "ev1", "novelty": "update", "action": "visit",
             "modality": "happened", "when": {"label": "2024-05-16"}, "verdict": "confirmed",
             "participants": ["Ana Morales"], "places": ["Lima"],
             "attribution": {"kind": "outlet", "label": "outlet"}},
        ],
        "coverage": {"outlets": {"?": ["ev1"], "Post": ["ev1", "ev2"]}, "wording": []},
        "entities": [],
    }
    sections = story_sections(view)
    assert [e["id"] for e in sections["events"]] == ["ev1", "ev2"]  # dated first
    assert sections["whats_new"]["a1"] == [{
        "novelty": "new", "label": "visit — Ana Morales", "modality": "expected",
        "when": "2024-05", "verdict": None, "forecast_of": None, "source": "sources"}]
    assert sections["whats_new"]["a2"][0]["source"] is None  # the outlet's own reporting
    # Each row its own report's names: Lima, named only later, is not on the first row.
    assert sections["whats_new"]["a2"][0]["label"] == "visit — Ana Morales — in Lima"
    assert sections["covered"] == {"Unknown outlet": ["visit — Ana Morales"],
                                   "Post": ["visit — Ana Morales", "vote — in Brennan"]}
    assert story_sections({"events": [], "timeline": []})["events"] == []


def test_pages_paragraphs() -> None:
    assert paragraphs("One.\n\nTwo.\n\n\n Three. ") == ["One.", "Two.", "Three."]
    assert paragraphs("One.\nTwo.") == ["One.", "Two."]


def test_pages_demo_corpus_every_page_renders(demo_client: Any) -> None:
    """Every story and article page of the demo corpus renders (varied real-world inputs)."""
    stories = demo_client.get("/api/v1/stories", params={"limit": 500}).json()["items"]
    assert stories
    assert demo_client.get("/api/v1/health").json()["stories"] == len(stories)
    river = _page(demo_client, "/")
    for story in stories:
        assert f'href="/stories/{story["id"]}"' in river or len(stories) > 30
        html = _page(demo_client, f"/stories/{story['id']}")
        detail = demo_client.get(f"/api/v1/stories/{story['id']}").json()
        for article in detail["articles"]:
            assert f'href="/articles/{article["id"]}"' in html
            _page(demo_client, f"/articles/{article['id']}")
