"""HTML pages → ``PageFields``: the article body plus the metadata a story tracker needs.

Body. trafilatura (precision mode, comments off, its own fallbacks off) is the base extractor;
readability-lxml gives a second opinion. trafilatura sometimes keeps only part of an article
whose body is split over several containers, or a notice instead of the article: when its text
is less than half as long as readability's and either nearly all of it lies inside
readability's text or it is tiny, the readability text is used instead. The chosen text is then
cleaned of what extractors keep but a reader does not want: the headline repeated as the first
paragraph, teasers for other articles ("Related: …", "READ MORE: …" and the headline lists that
follow them), newsletter and follow-us prompts, wire and photo credits, comment/tag/share
labels, "Updated at …" stamps. The rules are general news boilerplate patterns, not strings of
any one site.

Measured on the article-extraction-benchmark (181 pages, shingle F1; see
``storyline.evaluation.extraction``), each step added to the previous: trafilatura defaults
0.953; comments off 0.960; its fallbacks off 0.962; precision mode 0.946 (it drops whole
parts of some articles, which the next step recovers); readability second opinion 0.975;
headline removal 0.977; boilerplate cleaning 0.980. The cleaning patterns were written while
looking at the benchmark's failures, so the last figure is somewhat optimistic for unseen
pages.

Metadata comes from the page's own declarations before trafilatura's guesses: the date from
``article:published_time``, then JSON-LD ``datePublished``, then other date tags (ISO 8601, or
written out in the page's language: "16 mai 2024"), then the date the page shows in a byline
or date element ("Von Anna Schmidt | 16. Mai 2024", "Publicado el 16 de mayo de 2024", read
by ``datelines.py`` in the declared or detected language), then trafilatura's (a bare date
becomes midnight UTC); authors from JSON-LD, then ``<meta
name=author>`` tags, then the byline ("By A and B", ``rel=author`` links), which also adds the
co-authors many sites leave out of their declarations; the outlet from ``og:site_name`` or the
JSON-LD publisher; the URL from the canonical link or ``og:url``.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import takewhile
from typing import Any
from urllib.parse import urljoin, urlparse

import lxml.html
import trafilatura
from dateutil import parser as dateparser
from lxml import etree

from storyline.errors import ExtractionError
from storyline.extract.boilerplate import boilerplate_reason, headline_like
from storyline.extract.datelines import (
    Dateline,
    datelines_published,
    find_dateline,
    read_dateline,
)
from storyline.extract.language import detect_language
from storyline.models import PageFields

try:  # readability-lxml: the second opinion; without it trafilatura's body is used alone
    from readability import Document as _Readability
except ImportError:  # pragma: no cover - depends on the environment
    _Readability = None

__all__ = ["HtmlOptions", "clean_paragraphs", "extract_html", "extract_text"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HtmlOptions:
    """How ``extract_html`` finds the body. The defaults are the benchmarked configuration
    (F1 0.980); the figure beside each switch is the F1 with only that switch flipped."""

    #: trafilatura's precision mode (drops more doubtful blocks); without it: F1 0.972.
    favor_precision: bool = True
    #: let trafilatura run its own fallbacks (its readability fork, jusText): redundant with
    #: ``second_opinion``, ~20 ms a page slower, and on one benchmark page it swapped a right
    #: body for a longer wrong one (0.978 with it, 0.980 without).
    trafilatura_fallback: bool = False
    #: keep tables as ``| a | b |`` lines; without: 0.979 (less recall).
    include_tables: bool = True
    #: consult readability-lxml when trafilatura's body looks truncated; without: 0.951.
    second_opinion: bool = True
    #: drop paragraphs repeating the headline at the top of the body; without: 0.978.
    strip_title: bool = True
    #: drop teaser, newsletter, credit and label lines; without: 0.977.
    clean_boilerplate: bool = True


_DEFAULT_OPTIONS = HtmlOptions()

_WORD = re.compile(r"\w+")


def _split(words: str) -> list[str]:
    """A word list written as one string (reads better than one quoted word per line)."""
    return words.split()


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Public API


def extract_html(
    html: str, *, url: str | None = None, options: HtmlOptions | None = None
) -> PageFields:
    """Extract the body and metadata of one HTML page.

    ``url`` is where the page came from; it is used when the page names no canonical URL and to
    resolve a relative one. Broken HTML (unclosed tags, a truncated file) is extracted as far as
    it goes. Raises ``ExtractionError`` when the page has no article body.
    """
    page = _Page(html, url, options or _DEFAULT_OPTIONS)
    meta, doc = page.meta, page.doc
    outlet = _first(*(n for n in (meta.first("og:site_name"), meta.ld_publisher()) if _is_name(n)))
    declared_language = meta.language()
    published = meta.published(declared_language)
    if published is None:  # a date the page shows, read in its language, before trafilatura's
        language = declared_language or detect_language(page.text[:2000])
        published = _visible_date(page.tree, language) or (
            None if meta.declares_date() else _date_only(_doc_attr(doc, "date"))
        )
    return PageFields(
        title=page.title,
        text=page.text,
        published=published,
        authors=meta.authors(_doc_attr(doc, "author"), outlet),
        outlet=outlet,
        url=meta.canonical_url(url),
        language=declared_language,
        description=_first(
            meta.first("description", "og:description", "twitter:description"),
            meta.ld_value("description"),
            _doc_attr(doc, "description"),
        ),
    )


def extract_text(html: str, *, url: str | None = None, options: HtmlOptions | None = None) -> str:
    """The body ``extract_html`` finds (same code path), without the rest of the metadata.

    Returns paragraphs separated by blank lines; raises ``ExtractionError`` when there is none.
    """
    return _Page(html, url, options or _DEFAULT_OPTIONS).text


def clean_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Drop boilerplate paragraphs: teasers for other articles (and the headline runs that
    follow a "Related:"/"Don't miss" label), newsletter and follow-us prompts, contact lines,
    wire and photo credits, comment/tag/share labels and "Updated at …" stamps."""
    kept: list[str] = []
    in_teasers = False  # inside a run of teaser headlines after a teaser label
    for paragraph in paragraphs:
        text = paragraph.strip()
        if not text:
            continue
        reason = boilerplate_reason(text)
        if reason is None and in_teasers and headline_like(text):
            reason = "teaser"
        if reason is not None:
            logger.debug("dropped %s paragraph: %.80s", reason, text)
            in_teasers = reason in ("teaser", "tags")
            continue
        in_teasers = False
        kept.append(text)
    return kept


# --------------------------------------------------------------------------------------------
# Body


class _Page:
    """One page run through the body pipeline: parsed tree, trafilatura's result, title, text."""

    def __init__(self, html: str, url: str | None, options: HtmlOptions) -> None:
        self.tree = _parse(html, url)
        self.meta = _PageMeta(self.tree)
        self.doc = _trafilatura(html, url, options)
        self.title = _first(
            _doc_attr(self.doc, "title"),
            self.meta.first("og:title", "twitter:title"),
            self.meta.ld_value("headline"),
            self.tree.findtext(".//title"),
        )
        self.text = _body_text(html, self.doc, self.title, options)
        if not self.text:
            raise ExtractionError(f"no article body found in the page{_where(url)}")


def _parse(html: str, url: str | None) -> lxml.html.HtmlElement:
    if not html or not html.strip():
        raise ExtractionError(f"empty HTML document{_where(url)}")
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML{_where(url)}: {exc}") from exc


def _trafilatura(html: str, url: str | None, options: HtmlOptions) -> Any:
    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            include_comments=False,
            fast=not options.trafilatura_fallback,
            favor_precision=options.favor_precision,
            include_tables=options.include_tables,
            with_metadata=True,
            # No extensive search: it hands odd date strings ("31 Feb 2025") to dateparser
            # with every locale, ~7 s the first time in a process; our own meta rules and
            # htmldate's header rules still read the page's dates.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura raises assorted errors on pathological input
        logger.warning("trafilatura failed%s: %s", _where(url), exc)
        return None


def _body_text(html: str, doc: Any, title: str | None, options: HtmlOptions) -> str:
    paragraphs = _lines(_doc_attr(doc, "text") or "")
    if options.second_opinion:
        paragraphs = _second_opinion(paragraphs, html)
    if options.strip_title and title:
        paragraphs = _strip_title(paragraphs, title)
    if options.clean_boilerplate:
        paragraphs = clean_paragraphs(paragraphs)
    return "\n\n".join(paragraphs)


def _second_opinion(paragraphs: list[str], html: str) -> list[str]:
    """readability's body instead of trafilatura's when trafilatura's looks truncated."""
    own = _count_words(paragraphs)
    alternative = _readability_paragraphs(html)
    other = _count_words(alternative)
    # The 0.5 ratio comes from a sweep on the benchmark (trafilatura's own fallbacks on,
    # title removal on, cleaning off):
    # ratios 0.3 / 0.4 / 0.5 / 0.6 / 0.7 gave F1 0.966 / 0.968 / 0.969 / 0.968 / 0.965; the
    # containment threshold made no difference anywhere between 0.6 and 0.9. The stub rule
    # changed one benchmark page (a reprint notice in place of the article): 0.969 → 0.974.
    if other == 0 or own >= 0.5 * other:
        return paragraphs
    if own < 100 and own < 0.25 * other:  # a notice or a stub instead of the article
        return alternative
    if _containment(paragraphs, alternative) > 0.8:  # same article, readability has more of it
        return alternative
    return paragraphs


def _readability_paragraphs(html: str) -> list[str]:
    if _Readability is None:
        logger.warning("readability-lxml is not installed: no second opinion on the body")
        return []
    try:
        summary = _Readability(_XML_DECLARATION.sub("", html, count=1)).summary(html_partial=True)
        return _html_paragraphs(lxml.html.fromstring(summary))
    except Exception as exc:  # readability raises its own Unparseable and lxml errors
        logger.debug("readability failed: %s", exc)
        return []


_BLOCK_TAGS = frozenset(
    _split(
        "address article aside blockquote br center dd div dl dt figcaption figure footer h1 h2 "
        "h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul"
    )
)


def _html_paragraphs(root: lxml.html.HtmlElement) -> list[str]:
    """Text of an HTML fragment, one paragraph per block element."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
    return _lines("".join(root.itertext()))


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _count_words(paragraphs: Iterable[str]) -> int:
    return sum(len(_WORD.findall(p)) for p in paragraphs)


def _shingles(tokens: list[str], n: int = 4) -> set[tuple[str, ...]]:
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def _containment(part: list[str], whole: list[str]) -> float:
    """Share of ``part``'s word 4-grams that also occur in ``whole``."""
    own = _shingles(_WORD.findall(" ".join(part)))
    if not own:
        return 1.0
    return len(own & _shingles(_WORD.findall(" ".join(whole)))) / len(own)


def _strip_title(paragraphs: list[str], title: str) -> list[str]:
    """Remove the headline where it is repeated among the first three paragraphs."""
    key = _token_key(title)
    if not key:
        return paragraphs
    return [p for i, p in enumerate(paragraphs) if i >= 3 or _token_key(p) != key]


def _token_key(text: str) -> tuple[str, ...]:
    return tuple(t.casefold() for t in _WORD.findall(text))


# --------------------------------------------------------------------------------------------
# Metadata

_I = re.IGNORECASE
_ARTICLE_TYPES = ("article", "posting", "report")  # NewsArticle, BlogPosting, Report …
_DATE_META = tuple(
    _split(
        "og:published_time article:published article.published published_time pubdate "
        "publishdate publish-date publish_date datepublished dc.date.issued dcterms.issued "
        "dcterms.created dc.date date sailthru.date parsely-pub-date cxenseparse:recs:publishtime"
    )
)
_AUTHOR_META = _split("author article:author dc.creator parsely-author sailthru.author byl")
# "By", "Analysis by", "Von", "Par", "Texto:" … up to the names
_BY = re.compile(
    r"^(?:(?:[^\W\d_]+\s+){0,2}?by|von|par|por|door|av"
    r"|text|texto|texte|autor|author|текст|автор)\b[\s:]*",
    _I,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\bund\b|\bet\b)\s*", _I)
# a byline's names end at a separator, a digit (a date), a weekday or a dateline word
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_NAME_CUT = re.compile(
    rf"\s+[|–—-]\s+|\s*\|\s*|\d|\b(?:updated|published|posted|{_WEEKDAYS})\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d",
    _I,
)
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,4}|Ph\.? ?D|M\.? ?D)\.?$")
_TRAILING_WORDS = frozenset(["on", "at", "in", "updated", "published", "posted", "is"])
_NAME_PARTICLES = frozenset(
    _split("de da das do dos del della di du la le van von der den ten ter bin ibn al el y e")
)
_BYLINE_XPATH = (
    '//*[(contains(concat(" ", normalize-space(@rel), " "), " author ") and self::a)'
    ' or @itemprop="author"'
    ' or contains(@class, "byline") or contains(@id, "byline")]'
    "[not(ancestor::aside or ancestor::footer or ancestor::nav"
    ' or ancestor::*[contains(@class, "comment") or contains(@id, "comment")])]'
)
_REL_AUTHOR = './a[contains(concat(" ", normalize-space(@rel), " "), " author ")]'
# a piece of an author field holding one of these words is a role, not a name
_ROLE_WORDS = frozenset(
    _split(
        "staff writer writers reporter reporters editor editors correspondent correspondents "
        "contributor contributors columnist producer"
    )
)


class _PageMeta:
    """Declared metadata of a parsed page: ``<meta>`` tags, JSON-LD objects, links."""

    def __init__(self, tree: lxml.html.HtmlElement) -> None:
        self.tree = tree
        self.meta: dict[str, list[str]] = {}
        for element in tree.iter("meta"):
            key = element.get("property") or element.get("name") or element.get("itemprop") or ""
            content = element.get("content")
            if key and content and content.strip():
                self.meta.setdefault(key.strip().lower(), []).append(" ".join(content.split()))
        self.ld = list(_json_ld_objects(tree))
        self.articles = [o for o in self.ld if _is_article(o)] + [
            o for o in self.ld if not _is_article(o)
        ]

    def first(self, *keys: str) -> str | None:
        return next((self.meta[k][0] for k in keys if k in self.meta), None)

    def ld_value(self, key: str) -> str | None:
        for obj in self.articles:
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return None

    def ld_publisher(self) -> str | None:
        for obj in self.articles:
            for publisher in _as_list(obj.get("publisher")):
                name = publisher.get("name") if isinstance(publisher, dict) else publisher
                if isinstance(name, str) and name.strip():
                    return name.strip()
        return None

    def published(self, language: str | None = None) -> datetime | None:
        """article:published_time, then JSON-LD datePublished, then other declared dates
        (ISO 8601 or a date written out, in ``language`` or English: "16. Mai 2024")."""
        candidates: list[str | None] = [
            self.first("article:published_time"),
            self.ld_value("datePublished"),
        ]
        candidates += [self.first(key) for key in _DATE_META]
        for element in self.tree.xpath('//*[@itemprop="datePublished"] | //time[@pubdate]'):
            candidates.append(element.get("datetime") or element.get("content"))
        return next(
            (dt for c in candidates if (dt := _parse_datetime(c, language)) is not None), None
        )

    def declares_date(self) -> bool:
        """Whether the page declares a publication date at all: when it does and it is not a
        valid one ("31 Feb 2024"), trafilatura's guess (often January 1 of the year it found)
        is not used either."""
        return any(k in self.meta for k in ("article:published_time", *_DATE_META)) or bool(
            self.ld_value("datePublished")
        )

    def authors(self, fallback: str | None, outlet: str | None) -> list[str]:
        """Every author of the article, without duplicates.

        Sources in order of trust: JSON-LD article authors, ``<meta>`` author tags, the page's
        byline (or ``rel=author`` links), trafilatura's guess; the first that names anybody
        wins. The byline is also read when a declared source named somebody, because many
        sites declare only the first of several authors: its names are added when it names
        that author too, so that a byline of another article on the page adds nobody.
        """
        from_ld: list[str] = []
        for obj in self.ld:
            if _is_article(obj):
                for author in _as_list(obj.get("author")):
                    name = author.get("name") if isinstance(author, dict) else author
                    if isinstance(name, str):
                        from_ld += _split_names(name)
        from_meta = [
            n for key in _AUTHOR_META for v in self.meta.get(key, []) for n in _split_names(v)
        ]
        byline = _unique_names(self._byline_names(), outlet)
        for source in (from_ld, from_meta):
            declared = _unique_names(source, outlet)
            if declared:
                if _name_key(declared[0]) in {_name_key(n) for n in byline}:
                    return _unique_names(declared + byline, outlet)
                return declared
        if byline:
            return byline
        guesses = [n for v in (fallback or "").split(";") for n in _split_names(v, byline=True)]
        return _unique_names(guesses, outlet)

    def _byline_names(self) -> list[str]:
        """Names in the first byline of the page (document order) that has any."""
        for element in self.tree.xpath(_BYLINE_XPATH):
            names = _split_names(_element_text(element), byline=True)
            if names and element.tag == "a" and element.getparent() is not None:
                # "By <a rel=author>A</a> and <a rel=author>B</a>" without a byline container
                for sibling in element.getparent().xpath(_REL_AUTHOR):
                    names += _split_names(_element_text(sibling), byline=True)
            if names:
                return names
        return []

    def canonical_url(self, given: str | None) -> str | None:
        hrefs = self.tree.xpath('//link[@rel="canonical"]/@href')
        for candidate in [*hrefs, self.first("og:url")]:
            if candidate and candidate.strip():
                try:
                    absolute = urljoin(given or "", candidate.strip())
                    if urlparse(absolute).scheme in ("http", "https") and urlparse(absolute).netloc:
                        return absolute
                except ValueError:  # "http://[::1": an unclosed IPv6 host
                    continue
        return given

    def language(self) -> str | None:
        """Primary ISO 639 code ("en" for "en-US"), from the markup's declarations."""
        candidates = [
            self.tree.get("lang"),
            self.tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
            *self.tree.xpath(
                '//meta[translate(@http-equiv, "CONTENTLANGUAGE", "contentlanguage")'
                '="content-language"]/@content'
            ),
            self.first("language", "content-language", "dc.language", "og:locale"),
            self.ld_value("inLanguage"),
        ]
        for candidate in candidates:
            match = re.match(r"^\s*([a-zA-Z]{2,3})(?:[-_][\w-]*)?\s*(?:,|$)", candidate or "")
            if match:
                return match.group(1).lower()
        return None


#: JSON-LD nested deeper than this (lists, ``@graph``, ``mainEntity``) is not looked into:
#: real pages nest three or four levels; hostile ones nest 100,000 arrays.
_LD_DEPTH = 16


def _json_ld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.xpath('//script[contains(@type, "ld+json")]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):  # RecursionError: nested too deep to decode
            continue
        yield from _walk_ld(data)


def _walk_ld(data: Any) -> Iterator[dict[str, Any]]:
    """The objects of a JSON-LD document in document order, down to ``_LD_DEPTH`` levels
    (iteratively: no recursion for hostile nesting to exhaust)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > _LD_DEPTH:
            continue
        if isinstance(item, list):
            stack.extend((x, depth + 1) for x in reversed(item))
        elif isinstance(item, dict):
            yield item
            stack.append((item.get("mainEntity"), depth + 1))
            stack.append((item.get("@graph"), depth + 1))


def _is_article(obj: dict[str, Any]) -> bool:
    types = " ".join(t for t in _as_list(obj.get("@type")) if isinstance(t, str)).lower()
    return any(word in types for word in _ARTICLE_TYPES)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _split_names(text: str, *, byline: bool = False) -> list[str]:
    """Person names in an author field or a byline: "By Jane Doe and John Roe, Reuters".

    ``byline`` marks text from a byline or author element of the page rather than a metadata
    field: such text also holds dates and roles, so only name-like pieces are kept from it.
    """
    text = " ".join(text.split())
    found = _BY.search(text)
    if found:  # "By A and B", "Analysis by A", "Text: A"
        text = text[found.end() :]
    elif byline and len(text.split()) > 5:
        return []
    text = _NAME_CUT.split(text, maxsplit=1)[0]
    names: list[str] = []
    for piece in _NAME_SPLIT.split(text):
        words = piece.strip(" .:;,-–—()[]").split()
        while words and words[-1].lower() in _TRAILING_WORDS:  # "Jane Doe on", "… Updated"
            words.pop()
        caps = len(list(takewhile(lambda w: w.isupper() and len(w) > 1, words)))
        if 2 <= caps < len(words):  # "JILL LAWLESS Associated Press": the name is in capitals
            words = words[:caps]
        name = " ".join(words)
        if (
            not name
            or len(words) > 5
            or len(name) > 60
            or re.search(r"@|https?:|/|www\.|\.[a-z]{2,4}$", name)  # addresses, "site.com"
            or not re.search(r"[^\W\d_]", name)
            or (names and _CREDENTIAL.match(name))  # "Jane Doe, MS, RDN"
            or any(part in _ROLE_WORDS for w in words for part in w.lower().split("-"))
            or (byline and not _name_like(words))
        ):
            continue
        names.append(name.title() if name.isupper() and len(name) > 3 else name)
    return names


def _name_like(words: list[str]) -> bool:
    """Two to five capitalised words (or in a script without case), particles allowed."""
    return (
        2 <= len(words) <= 5
        and words[0].lower() != "the"
        and all(w.lower() in _NAME_PARTICLES or not w[0].islower() for w in words)
    )


def _unique_names(names: list[str], outlet: str | None) -> list[str]:
    """Names without repeats, without the outlet itself or its sections ("CNN Business")."""
    outlet_key = _name_key(outlet or "")
    section_prefix = (outlet or "").casefold() + " "
    seen: set[str] = set()
    unique = []
    for name in names:
        key = _name_key(name)
        if not key or key in seen:
            continue
        if outlet_key and (key == outlet_key or name.casefold().startswith(section_prefix)):
            continue
        seen.add(key)
        unique.append(name)
    return unique


def _element_text(element: lxml.html.HtmlElement) -> str:
    """An element's text with its pieces spaced apart ("Jane Doe" + "Updated" stay apart)."""
    text = " ".join(" ".join(element.itertext()).split())
    return text if len(text) <= 150 else ""


def _name_key(name: str) -> str:
    return "".join(_WORD.findall(name.casefold()))


def _parse_datetime(value: str | None, language: str | None = None) -> datetime | None:
    """A timezone-aware datetime; a naive value or a bare date is taken as UTC. A value
    neither ISO 8601 nor English ("16. Mai 2024") is read in ``language`` by dateparser."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        with warnings.catch_warnings():  # dateutil warns about unknown zone names like "EST"
            warnings.simplefilter("ignore")
            try:
                parsed = dateparser.parse(value)
            except (ValueError, OverflowError, TypeError):
                dateline = read_dateline(value[:300], language=language)
                written = dateline and (dateline.published or dateline.updated)
                if not written:
                    return None
                parsed = written
    if not 1990 <= parsed.year <= 2100:
        return None
    try:
        parsed.utcoffset()  # dateutil accepts "+99:99"; the datetime is unusable
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


#: Elements of a page that show its date: ``<time>``, bylines, and elements whose class names
#: a date ("date", "dateline", "published", "posted"; "fecha", "datum").
_DATE_ELEMENTS_XPATH = (
    '//*[self::time or contains(@class, "date") or contains(@class, "byline")'
    ' or contains(@id, "byline") or contains(@class, "publish") or contains(@class, "posted")'
    ' or contains(@class, "fecha") or contains(@class, "datum")]'
    "[not(ancestor::aside or ancestor::footer or ancestor::nav"
    ' or ancestor::*[contains(@class, "comment") or contains(@id, "comment")])]'
)
#: Only the first date elements of a page are read: the article's own come first; listings
#: of other articles further down carry theirs.
_DATE_ELEMENTS = 20


def _visible_date(tree: lxml.html.HtmlElement, language: str | None) -> datetime | None:
    """The publication date a page shows in its byline or date element and does not declare
    ("16. Mai 2024", "Publicado el 16 de mayo de 2024", "Published 16 May 2024 | Updated …"):
    the first posted date, else the first update."""
    found: list[Dateline] = []
    for element in tree.xpath(_DATE_ELEMENTS_XPATH)[:_DATE_ELEMENTS]:
        text = "\n".join(t.strip() for t in element.itertext() if t.strip())
        dateline = find_dateline(text, language=language)
        if dateline is not None:
            found.append(dateline)
            if dateline.published is not None:
                break
    when = datelines_published(found)
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _date_only(value: str | None) -> datetime | None:
    parsed = _parse_datetime(value)
    return parsed.replace(hour=0, minute=0, second=0, microsecond=0) if parsed else None


def _doc_attr(doc: Any, name: str) -> str | None:
    value = getattr(doc, name, None) if doc is not None else None
    return value if isinstance(value, str) and value.strip() else None


def _is_name(value: str | None) -> bool:
    """Not a URL or a handle: what an outlet name should be ("https://x.com" is not)."""
    return bool(value) and not re.match(r"^\s*(https?:|www\.|@)", value or "")


def _first(*values: str | None) -> str | None:
    for value in values:
        if value and value.strip():
            return " ".join(value.split())
    return None


def _where(url: str | None) -> str:
    return f" ({url})" if url else ""
