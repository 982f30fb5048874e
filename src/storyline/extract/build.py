"""Raw records → ``Article`` values: the extraction stage's entry point.

Needs: ``RawRecord``. Fills every ``Article`` field except vectors, keywords and story.
Dispatches on the record's kind (text dump, HTML page, JSONL record, feed entry), then fills
what the format did not give: the outlet from the URL's domain, the language by detection,
the publication date from the ingest time (flagged ``date_inferred``), a stable id.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as dateparser

from storyline.errors import ExtractionError
from storyline.extract.text import extract_text_dump, strip_tags
from storyline.extract.urls import canonical_url, outlet_from_domain
from storyline.models import Article, PageFields, RawRecord, Rejection

log = logging.getLogger(__name__)


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
            results.append(Rejection(record.source, "extract", str(exc)))
    return results


def extract_record(record: RawRecord, *, options: ExtractOptions | None = None) -> Article:
    """Extract one article; raises ``ExtractionError`` when the record holds none."""
    opts = options or ExtractOptions()
    fields = page_fields(record)
    text = fields.text.strip()
    if len(text.split()) < opts.min_words:
        raise ExtractionError(
            f"no article body found ({len(text.split())} words, need {opts.min_words})"
        )
    title = (fields.title or "").strip() or _first_sentence(text)
    url = fields.url
    outlet = fields.outlet or outlet_from_domain(url, text=f"{text}\n{record.content[:20000]}")
    published, inferred = fields.published, False
    if published is None:
        published, inferred = opts.fallback_time or datetime.now(UTC), True
    elif published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return Article(
        id=article_id(url=url, title=title, text=text),
        title=title,
        text=text,
        published=published,
        authors=fields.authors,
        outlet=outlet,
        url=url,
        language=fields.language or detect_language(f"{title}\n{text[:2000]}"),
        source=record.source,
        raw_kind=record.kind,
        raw=record.content,
        date_inferred=inferred,
    )


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
        return _overlay(
            PageFields(text=_clean_structured_text(record.fields.get("text"))), record.fields
        )
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
            parsed = dateparser.parse(str(value))
        except (ValueError, OverflowError) as exc:
            raise ExtractionError(f"unreadable 'published' value {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _clean_structured_text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n|\n", value)]
    return "\n\n".join(strip_tags(p) for p in paragraphs if p)


def article_id(*, url: str | None, title: str, text: str) -> str:
    """Stable id: from the canonical URL when there is one, else from the content."""
    canon = canonical_url(url) if url else None
    if canon:
        return "u" + hashlib.sha1(canon.encode()).hexdigest()[:15]
    normal = re.sub(r"\W+", " ", f"{title}\n{text}".lower()).strip()
    return "h" + hashlib.sha1(normal.encode()).hexdigest()[:15]


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language (py3langid), or None for very short texts."""
    if len(text.split()) < 3:
        return None
    import py3langid

    code, _ = py3langid.classify(text)
    return str(code)


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return sentence[:120]
