"""extract_html on small hand-written pages: metadata, a clean body, broken and empty HTML."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storyline.errors import ExtractionError
from storyline.extract.html import HtmlOptions, clean_paragraphs, extract_html, extract_text
from storyline.models import PageFields

PARAGRAPHS = [
    "The city council voted on Tuesday to expand the tram network to the northern suburbs, "
    "ending a debate that had divided residents and businesses for more than three years.",
    "The new line will run for twelve kilometres and serve eleven stops, according to plans "
    "published by the transport authority, which expects the first trams to run in 2027.",
    "Opponents argued that the cost, estimated at 480 million euros, would crowd out spending "
    "on buses, while shopkeepers along the route feared years of disruptive construction work.",
    "The mayor said the vote was a turning point for the city and promised that construction "
    "would be phased so that no street is closed for longer than six months at a time.",
]

NAV = "Home News Sport Weather Contact us"
CAPTION = "A tram in the city centre. Photo: Jan Novak/City Press"
ASIDE = "Most read: Ten things to do this weekend in the old town"
TEASER = "Related article: Council delays vote on the tram line again"
NEWSLETTER = "Sign up for our newsletter to get the best stories delivered to your inbox."
FOOTER = "Copyright 2024 The Daily Planet. All rights reserved."


def page(
    *,
    head: str = "",
    byline: str = "",
    body_extra: str = "",
    lang: str = "en-GB",
    title: str = "City votes to extend tram line north",
) -> str:
    """A news page: navigation, headline, byline, figure, body, aside and footer."""
    paragraphs = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    rest = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title} | The Daily Planet</title>
{head}
</head>
<body>
<header><nav><ul>{"".join(f"<li><a href='/{w}'>{w}</a></li>" for w in NAV.split())}</ul></nav>
</header>
<main>
<article>
<h1>{title}</h1>
{byline}
<figure><img src="/tram.jpg" alt=""><figcaption>{CAPTION}</figcaption></figure>
<div class="article-body">
{paragraphs}
<p>{TEASER}</p>
{rest}
<p>{NEWSLETTER}</p>
{body_extra}
</div>
</article>
<aside class="sidebar"><h3>Most read</h3><p>{ASIDE}</p></aside>
</main>
<footer><p>{FOOTER}</p></footer>
</body>
</html>"""


FULL_HEAD = """
<meta property="og:site_name" content="The Daily Planet">
<meta property="og:title" content="City votes to extend tram line north">
<meta property="og:url" content="https://planet.example/og/tram">
<meta name="description" content="The council approved a twelve-kilometre extension.">
<meta property="article:published_time" content="2024-03-19T08:30:00+01:00">
<meta name="author" content="Jane Doe">
<meta name="author" content="John Roe">
<link rel="canonical" href="https://planet.example/news/2024/03/19/tram-line">
"""


@pytest.fixture(scope="module")
def full() -> PageFields:
    return extract_html(page(head=FULL_HEAD), url="https://planet.example/amp/tram?utm=x")


def test_extract_html_metadata(full: PageFields) -> None:
    assert full.title == "City votes to extend tram line north"
    assert full.authors == ["Jane Doe", "John Roe"]
    assert full.outlet == "The Daily Planet"
    assert full.url == "https://planet.example/news/2024/03/19/tram-line"
    assert full.language == "en"
    assert full.description == "The council approved a twelve-kilometre extension."
    assert full.published == datetime(2024, 3, 19, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert full.published is not None and full.published.utcoffset() == timedelta(hours=1)


def test_extract_html_body_is_clean(full: PageFields) -> None:
    text = full.text
    assert text.split("\n\n") == PARAGRAPHS
    for boilerplate in (NAV, "Contact us", CAPTION, ASIDE, TEASER, NEWSLETTER, FOOTER):
        assert boilerplate not in text
    assert not text.startswith(full.title or "?")


def test_extract_text_is_the_body_of_extract_html(full: PageFields) -> None:
    assert extract_text(page(head=FULL_HEAD)) == full.text


@pytest.mark.parametrize(
    ("head", "byline"),
    [
        pytest.param(
            '<meta name="author" content="Jane Doe"><meta name="author" content="John Roe">',
            "",
            id="two-meta-authors",
        ),
        pytest.param('<meta name="author" content="Jane Doe and John Roe">', "", id="meta-and"),
        pytest.param(
            '<script type="application/ld+json">'
            + json.dumps(
                {
                    "@context": "https://schema.org",
                    "@type": "NewsArticle",
                    "headline": "City votes to extend tram line north",
                    "author": [
                        {"@type": "Person", "name": "Jane Doe"},
                        {"@type": "Person", "name": "John Roe"},
                    ],
                }
            )
            + "</script>",
            "",
            id="json-ld-list",
        ),
        pytest.param("", '<p class="byline">By Jane Doe and John Roe</p>', id="byline"),
        pytest.param(
            "",
            '<div class="byline">By <a rel="author" href="/jd">Jane Doe</a> and '
            '<a rel="author" href="/jr">John Roe</a> | Updated March 19, 2024</div>',
            id="rel-author-links",
        ),
        pytest.param(
            '<meta name="author" content="Jane Doe">',
            '<p class="byline">By Jane Doe and John Roe</p>',
            id="meta-has-first-byline-has-both",
        ),
    ],
)
def test_extract_html_finds_every_author(head: str, byline: str) -> None:
    assert extract_html(page(head=head, byline=byline)).authors == ["Jane Doe", "John Roe"]


def test_extract_html_byline_of_another_article_adds_nobody() -> None:
    teaser = '<div class="teaser"><p class="byline">By Max Mustermann</p></div>'
    head = '<meta name="author" content="Jane Doe">'
    assert extract_html(page(head=head, body_extra=teaser)).authors == ["Jane Doe"]


def test_extract_html_byline_drops_dates_roles_and_outlet() -> None:
    head = '<meta property="og:site_name" content="The Daily Planet">'
    byline = (
        '<div class="byline">Analysis by JANE DOE and John Roe, Staff Writer, '
        "The Daily Planet Updated 10:04 AM ET, Tue March 19, 2024</div>"
    )
    assert extract_html(page(head=head, byline=byline)).authors == ["Jane Doe", "John Roe"]


def test_extract_html_json_ld_date_publisher_and_graph() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Planet site"},
            {
                "@type": "NewsArticle",
                "datePublished": "2024-03-19T06:00:00Z",
                "dateModified": "2024-03-20T10:00:00Z",
                "publisher": {"@type": "Organization", "name": "Daily Planet Media"},
                "author": {"@type": "Person", "name": "Jane Doe"},
            },
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    fields = extract_html(page(head=head))
    assert fields.published == datetime(2024, 3, 19, 6, 0, tzinfo=UTC)
    assert fields.outlet == "Daily Planet Media"
    assert fields.authors == ["Jane Doe"]


def test_extract_html_prefers_published_time_to_other_dates() -> None:
    head = (
        '<meta name="date" content="2020-01-01">'
        '<meta property="article:published_time" content="2024-03-19T08:30:00-05:00">'
        '<meta property="article:modified_time" content="2024-03-21T08:30:00-05:00">'
    )
    published = extract_html(page(head=head)).published
    assert published == datetime(2024, 3, 19, 13, 30, tzinfo=UTC)


def test_extract_html_date_only_is_midnight_utc() -> None:
    published = extract_html(page(head='<meta name="date" content="2024-03-19">')).published
    assert published == datetime(2024, 3, 19, tzinfo=UTC)
    assert published is not None and published.tzinfo is not None


def test_extract_html_without_declarations_falls_back() -> None:
    fields = extract_html(page(lang=""), url="https://planet.example/tram")
    assert fields.url == "https://planet.example/tram"
    assert fields.outlet is None
    assert fields.language is None
    assert fields.authors == []


def test_extract_html_resolves_relative_canonical_url() -> None:
    head = '<link rel="canonical" href="/news/tram-line">'
    fields = extract_html(page(head=head), url="https://planet.example/amp/tram")
    assert fields.url == "https://planet.example/news/tram-line"


def test_extract_html_truncated_mid_tag_still_extracts() -> None:
    html = page(head=FULL_HEAD)
    cut = html.index(PARAGRAPHS[3][:40]) - 1  # inside the last paragraph's opening tag
    fields = extract_html(html[:cut])
    assert PARAGRAPHS[0] in fields.text
    assert PARAGRAPHS[2] in fields.text
    assert fields.title == "City votes to extend tram line north"


def test_extract_html_unclosed_tags() -> None:
    html = (
        "<html><head><title>Unclosed</title></head><body><div><p>"
        + "<p>".join(PARAGRAPHS)
        + "<div><span>"
    )
    text = extract_html(html).text
    for paragraph in PARAGRAPHS:
        assert paragraph in text


@pytest.mark.parametrize(
    "html",
    ["", "   \n", "<html><head><title>Nothing</title></head><body></body></html>", "<html"],
)
def test_extract_html_empty_page_raises(html: str) -> None:
    with pytest.raises(ExtractionError):
        extract_html(html, url="https://planet.example/empty")


def test_extract_html_options_turn_cleaning_off() -> None:
    html = page(head=FULL_HEAD)
    raw = extract_html(html, options=HtmlOptions(clean_boilerplate=False)).text
    assert NEWSLETTER in raw
    assert NEWSLETTER not in extract_html(html).text


def test_clean_paragraphs_drops_boilerplate_keeps_body() -> None:
    body = [
        "Ministers met on Monday to discuss the budget, officials said.",
        "Related: Budget talks stall as deadline nears",
        "READ MORE: What the budget means for you",
        "Don't miss",
        "Five charts that explain the deficit",
        "- The minister who wants to cut taxes",
        "The finance minister told reporters that a deal was close.",
        "Follow us on Twitter and Facebook.",
        "Subscribe to our daily newsletter",
        "(Reporting by Jane Doe; Editing by John Roe)",
        "Photo: Getty Images",
        "Updated at 1:23 p.m.",
        "The newsletter industry has grown quickly, and several of the publishers that "
        "launched one in the past year told the ministry they now earn more from it than from "
        "advertising.",
    ]
    assert clean_paragraphs(body) == [body[0], body[6], body[-1]]


# Dates shown, not declared, in other languages ------------------------------------------------

FOREIGN = {
    "de": (
        "Stadtrat beschließt neue Straßenbahnlinie in den Norden",
        [
            "Der Stadtrat hat am Donnerstag mit großer Mehrheit beschlossen, die Straßenbahn bis "
            "in die nördlichen Vororte zu verlängern, nach jahrelangem Streit zwischen Anwohnern "
            "und Geschäftsleuten.",
            "Die neue Strecke soll zwölf Kilometer lang werden und elf Haltestellen bedienen; "
            "die ersten Bahnen sollen nach Angaben der Verkehrsbetriebe im Jahr 2027 fahren.",
            "Gegner hatten argumentiert, die Kosten von rund 480 Millionen Euro würden Geld für "
            "Busse verdrängen, und Händler entlang der Strecke fürchteten jahrelange Baustellen.",
        ],
    ),
    "es": (
        "El ayuntamiento aprueba la nueva línea de tranvía hacia el norte",
        [
            "El pleno del ayuntamiento aprobó el jueves por amplia mayoría prolongar el tranvía "
            "hasta los barrios del norte, tras años de disputa entre vecinos y comerciantes.",
            "La nueva línea tendrá doce kilómetros y once paradas, y los primeros tranvías "
            "circularán en 2027, según la empresa municipal de transportes.",
            "Los detractores sostenían que el coste, de unos 480 millones de euros, restaría "
            "dinero a los autobuses, y los comerciantes temían años de obras en la calle.",
        ],
    ),
    "fr": (
        "Le conseil municipal approuve une nouvelle ligne de tramway vers le nord",
        [
            "Le conseil municipal a approuvé jeudi à une large majorité le prolongement du "
            "tramway jusqu'aux quartiers nord, après des années de conflit entre riverains et "
            "commerçants.",
            "La nouvelle ligne mesurera douze kilomètres et desservira onze arrêts, et les "
            "premières rames circuleront en 2027, selon la régie des transports.",
            "Les opposants estimaient que le coût, environ 480 millions d'euros, priverait les "
            "bus de moyens, et les commerçants craignaient des années de travaux dans la rue.",
        ],
    ),
}


def foreign_page(language: str, *, byline: str, head: str = "", lang: str | None = None) -> str:
    title, paragraphs = FOREIGN[language]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{language if lang is None else lang}"><head><meta charset="utf-8">
<title>{title}</title>{head}</head>
<body><main><article><h1>{title}</h1>{byline}
<div class="article-body">{body}</div></article>
<aside class="teasers"><p class="date">1. Januar 2020</p><p>Anderer Artikel</p></aside>
</main></body></html>"""


@pytest.mark.parametrize(
    ("language", "byline", "published"),
    [
        ("de", '<div class="byline">Von <a href="/a">Anna Schmidt</a> | 16. Mai 2024, '
               "14:30 Uhr</div>", datetime(2024, 5, 16, 14, 30, tzinfo=UTC)),
        ("de", '<p class="article-date">Veröffentlicht am 16.05.2024</p>',
         datetime(2024, 5, 16, tzinfo=UTC)),
        ("es", '<p class="fecha">Publicado el 16 de mayo de 2024</p>',
         datetime(2024, 5, 16, tzinfo=UTC)),
        ("es", '<div class="byline">Por María López, 16 de mayo de 2024</div>',
         datetime(2024, 5, 16, tzinfo=UTC)),
        ("fr", "<p><time>le 16 mai 2024 à 14h30</time></p>",
         datetime(2024, 5, 16, 14, 30, tzinfo=UTC)),
        ("fr", '<p class="date">Publié le 16 mai 2024 à 14h30, mis à jour le 17 mai 2024</p>',
         datetime(2024, 5, 16, 14, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_extract_html_reads_shown_dates_in_german_spanish_french(
    language: str, byline: str, published: datetime
) -> None:
    fields = extract_html(foreign_page(language, byline=byline))
    assert fields.title == FOREIGN[language][0]
    # trafilatura alone finds the teaser's "1. Januar 2020" (in an aside) on the Spanish and
    # the first French page, and no time of day anywhere
    assert fields.published == published


def test_extract_html_shown_date_language_is_detected_when_undeclared() -> None:
    byline = '<div class="byline">Von Anna Schmidt | 16. Mai 2024</div>'
    fields = extract_html(foreign_page("de", byline=byline, lang=""))
    assert fields.language is None
    assert fields.published == datetime(2024, 5, 16, tzinfo=UTC)


def test_extract_html_declared_date_written_out_in_french() -> None:
    head = '<meta name="date" content="16 mai 2024">'
    fields = extract_html(foreign_page("fr", byline="", head=head))
    assert fields.published == datetime(2024, 5, 16, tzinfo=UTC)


def test_extract_html_shown_date_posted_before_updated_in_english() -> None:
    # trafilatura alone takes the update here
    byline = (
        '<p class="dateline">Updated 17 May 2024</p>'
        '<p class="dateline">Published 16 May 2024</p>'
    )
    assert extract_html(page(byline=byline)).published == datetime(2024, 5, 16, tzinfo=UTC)
    updated_only = '<p class="dateline">Updated 17 May 2024 10:00 GMT</p>'
    published = extract_html(page(byline=updated_only)).published
    assert published == datetime(2024, 5, 17, 10, 0, tzinfo=UTC)
