"""Raw records → ``Article`` values: the extraction stage's entry point.

Needs: ``RawRecord``. Fills every ``Article`` field except vectors, keywords and story.
Dispatches on the record's kind (text dump, HTML page, JSONL record, feed entry), then fills
what the format did not give: the outlet from the URL's domain, the language by detection,
the publication date from the day in the URL's path (``/2024/05/16/``, midnight UTC; a
stated date, not ``date_inferred``), else from the ingest time (flagged ``date_inferred``), a
stable id.

It is also the boundary that keeps hostile input out of the store (``extract_record``): dates
are made timezone-aware with a valid offset and kept within ``EARLIEST``..now +
``FUTURE_SLACK``; strings are made valid Unicode; the title and URL are bounded
(``MAX_TITLE``, ``MAX_URL``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil import parser as dateparser

from storyline.errors import ExtractionError
from storyline.extract.boilerplate import boilerplate_reason
from storyline.extract.language import detect_language
from storyline.extract.text import byline_authors, extract_text_dump, strip_tags
from storyline.extract.urls import canonical_url, date_from_url, outlet_from_domain
from storyline.models import Article, PageFields, RawRecord, Rejection

log = logging.getLogger(__name__)

#: Publication dates before this are treated as missing (no news site predates it).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
#: Publication dates later than now plus this are treated as missing: a feed may stamp an
#: entry a little ahead (time zones, embargoes), never days ahead.
FUTURE_SLACK = timedelta(days=2)
#: Titles are cut to this many characters (a headline is under 300; a page whose "title" is
#: a whole text would otherwise swell every listing).
MAX_TITLE = 1000
#: URLs longer than this are dropped (treated as missing), not cut: a cut URL names nothing.
MAX_URL = 2048
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """Settings of the extraction stage."""

    #: Bodies shorter than this many words are rejected as "no article found".
    min_words: int = 15
    #: Publication time used for articles without a date (default: now).
    fallback_time: datetime | None = None


def extract_records(
    records: Iterable[RawRecord], *, options: ExtractOptions | None = None
) -> list[Article | Rejection]:
    """Turn each record into an article, or a rejection naming the record and the cause."""
    opts = options or ExtractOptions()
    results: list[Article | Rejection] = []
    for record in records:
        try:
            results.append(extract_record(record, options=opts))
        except ExtractionError as exc:
            results.append(Rejection(valid_text(record.source), "extract", str(exc)))
        except Exception as exc:  # a bug meeting hostile input: this record only
            source = valid_text(record.source)
            log.error("internal error in extract on %s", source, exc_info=exc)
            results.append(Rejection(source, "extract",
                                     f"internal error in extract: {type(exc).__name__}: {exc}"))
    return results


def extract_record(record: RawRecord, *, options: ExtractOptions | None = None) -> Article:
    """Extract one article; raises ``ExtractionError`` when the record holds none.

    What it returns is safe to store and list: ``published`` is timezone-aware (naive times
    are taken as UTC; a valid offset is kept, as the page's local time) and its instant lies
    between ``EARLIEST`` and now + ``FUTURE_SLACK`` in UTC; a date outside that range, or one
    whose UTC offset is invalid (beyond ±24 h), is treated like a missing date (the ingest
    time, ``date_inferred``), since the article itself is still worth keeping (a structured
    ``published`` value that is no date at all, such as year 0, is rejected by
    ``parse_published``). Lone surrogates (from
    ``\\ud800`` escapes or ``&#xD800;`` references) become U+FFFD in every string; the title
    is cut to ``MAX_TITLE`` characters, and a URL longer than ``MAX_URL`` is dropped.
    """
    opts = options or ExtractOptions()
    fields = page_fields(record)
    text = valid_text(fields.text.strip())
    if len(text.split()) < opts.min_words:
        raise ExtractionError(
            f"no article body found ({len(text.split())} words, need {opts.min_words})"
        )
    title = valid_text((fields.title or "").strip()) or _first_sentence(text)
    if len(title) > MAX_TITLE:
        title = title[:MAX_TITLE].rstrip()
    url = valid_text(fields.url.strip()) if fields.url else None
    if url is not None and len(url) > MAX_URL:
        log.info("%s: dropped a URL of %d characters", record.source, len(url))
        url = None
    outlet = fields.outlet or outlet_from_domain(url, text=f"{text}\n{record.content[:20000]}")
    published, inferred = utc_published(fields.published, source=record.source), False
    if published is None:  # the day in the URL's path, before no date at all
        published = utc_published(date_from_url(url), source=record.source)
    if published is None:
        published, inferred = opts.fallback_time or datetime.now(UTC), True
    language = fields.language or detect_language(f"{title}\n{text[:2000]}")
    return Article(
        id=article_id(url=url, title=title, text=text),
        title=title,
        text=text,
        published=published,
        authors=[valid_text(a) for a in fields.authors],
        outlet=valid_text(outlet) if outlet else outlet,
        url=url,
        language=valid_text(language) if language else language,
        source=valid_text(record.source),
        raw_kind=record.kind,
        raw=valid_text(record.content),
        date_inferred=inferred,
    )


def utc_published(value: datetime | None, *, source: str = "") -> datetime | None:
    """``value`` made timezone-aware (a naive time is taken as UTC; a valid offset is kept),
    or None when it is missing, its offset is invalid (beyond ±24 h, or it cannot be
    converted to UTC), or it lies outside ``EARLIEST``..now + ``FUTURE_SLACK``."""
    if value is None:
        return None
    try:
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError) as exc:  # an offset beyond ±24 h, a year past 9999
        log.info("%s: ignored publication date %r: %s", source, value, exc)
        return None
    if not EARLIEST <= utc <= datetime.now(UTC) + FUTURE_SLACK:
        log.info("%s: ignored publication date %s (out of range)", source, utc.isoformat())
        return None
    # Keep the local offset (the existing contract, tests/extract/test_build.py): in range in
    # UTC, it is in range locally too, and the store orders and lists by the UTC timestamp.
    return value if value.tzinfo is not None else utc


def valid_text(value: str) -> str:
    """``value`` as valid Unicode: lone surrogates become U+FFFD (a valid pair is joined)."""
    if not _SURROGATE.search(value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def page_fields(record: RawRecord) -> PageFields:
    """What the record's format yields, before fallbacks."""
    if record.kind == "text":
        return extract_text_dump(record.content)
    if record.kind == "html":
        from storyline.extract.html import extract_html

        fields = extract_html(record.content, url=record.fields.get("url"))
        return _overlay(fields, record.fields)
    if record.kind == "feed":
        from storyline.extract.html import extract_html

        try:
            fields = extract_html(record.content, url=record.fields.get("url"))
        except ExtractionError:
            fields = PageFields(text=strip_tags(record.content).strip())
        return _overlay(fields, record.fields)
    if record.kind == "jsonl":
        fields = _overlay(
            PageFields(text=_clean_structured_text(record.fields.get("text"))), record.fields
        )
        if not fields.authors:  # "By Jess Tamihana" heading the text, "— Reporting by ..."
            fields.authors = byline_authors(fields.text)
        return fields
    raise ExtractionError(f"unknown record kind {record.kind!r}")


def _overlay(fields: PageFields, given: dict[str, Any]) -> PageFields:
    """Structured input values win over what extraction guessed."""
    title = given.get("title")
    if isinstance(title, str) and title.strip():
        fields.title = strip_tags(title).strip()
    url = given.get("url")
    if isinstance(url, str) and url.strip():
        fields.url = url.strip()
    outlet = given.get("outlet")
    if isinstance(outlet, str) and outlet.strip():
        fields.outlet = outlet.strip()
    authors = given.get("authors")
    if isinstance(authors, str):
        authors = [authors]
    if isinstance(authors, list) and authors:
        fields.authors = [str(a).strip() for a in authors if str(a).strip()]
    language = given.get("language")
    if isinstance(language, str) and language.strip():
        fields.language = language.strip().lower()
    if given.get("published"):
        fields.published = parse_published(given["published"])
    return fields


def parse_published(value: Any) -> datetime:
    """Parse a publication date (ISO 8601 or common forms); naive times are taken as UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float):
        try:
            parsed = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ExtractionError(f"'published' timestamp {value!r} is out of range") from exc
    else:
        try:
            with warnings.catch_warnings():  # dateutil warns about zone names like "PST"
                warnings.simplefilter("ignore")
                parsed = dateparser.parse(str(value))
        except (ValueError, OverflowError, TypeError) as exc:
            raise ExtractionError(f"unreadable 'published' value {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


#: Paragraphs of a structured record's text that are page furniture, not the article: teasers
#: naming other stories ("Read more: Donovan Pike guilty of murder in Chowdhury killing"),
#: newsletter and social pitches (``extract/boilerplate.py``, as for HTML pages).
STRUCTURED_BOILERPLATE = frozenset({"teaser", "newsletter", "social"})


def _clean_structured_text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n|\n", value)]
    kept = [p for p in (strip_tags(p) for p in paragraphs if p) if p]
    # Furniture only around an article: a one-paragraph text (a headline stream's) stays whole.
    body = [p for p in kept if boilerplate_reason(p) not in STRUCTURED_BOILERPLATE]
    return "\n\n".join(body if len(kept) > 1 and body else kept)


def article_id(*, url: str | None, title: str, text: str) -> str:
    """Stable id: from the canonical URL when there is one, else from the content."""
    canon = canonical_url(url) if url else None
    if canon:
        return "u" + hashlib.sha1(canon.encode()).hexdigest()[:15]
    normal = re.sub(r"\W+", " ", f"{title}\n{text}".lower()).strip()
    return "h" + hashlib.sha1(normal.encode()).hexdigest()[:15]


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return sentence[:120]
