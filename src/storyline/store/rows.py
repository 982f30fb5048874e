"""Row shapes the SQL stores share: the columns they read, and rows ↔ model values.

Both backends (``store/sqlite.py``, ``store/postgres.py``) keep articles, follows and feeds in
the same columns, so the conversions live here once, with the checks an article passes
before it is written.
"""

from __future__ import annotations

import json
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from storyline.errors import StoreError
from storyline.models import Article, ArticleSummary, EventMark, Feed, Follow

ARTICLE_COLUMNS = (
    "id, url, title, text, published, date_inferred, authors, outlet, language, source, "
    "raw_kind, raw, keywords, story_id, events, copy_of"
)

FEED_COLUMNS = (
    "url, title, site_url, added_ts, etag, last_modified, interval, next_check_ts,"
    " last_fetch_ts, last_status, last_new_entry_ts, last_error, last_error_ts,"
    " consecutive_errors"
)


def events_json(marks: Sequence[EventMark]) -> str:
    """Event marks as the ``articles.events`` column stores them."""
    return json.dumps([[e.action, e.first_day, e.last_day] for e in marks])


def events_from_json(text: str | None) -> tuple[EventMark, ...]:
    """The ``articles.events`` column read back."""
    return tuple(EventMark(str(a), int(f), int(t)) for a, f, t in json.loads(text or "[]"))


def in_chunks(values: Sequence[Any], size: int) -> Iterator[tuple[list[Any], str]]:
    """``values`` in chunks of ``size``, each with its ``?,?,…`` placeholders for an ``IN``
    list (SQLite caps the variables of one statement, PostgreSQL those of one query)."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        yield chunk, ",".join("?" * len(chunk))


def dt(ts: float) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)


def article_from_row(row: Sequence[Any]) -> Article:
    """An ``ARTICLE_COLUMNS`` row as an ``Article``."""
    return Article(
        id=row[0], url=row[1], title=row[2], text=row[3],
        published=datetime.fromisoformat(row[4]), date_inferred=bool(row[5]),
        authors=json.loads(row[6]), outlet=row[7], language=row[8], source=row[9],
        raw_kind=row[10], raw=zlib.decompress(row[11]).decode("utf-8") if row[11] else "",
        keywords=json.loads(row[12]), story_id=row[13], events=events_from_json(row[14]),
        copy_of=row[15],
    )


def summary_from_row(row: Sequence[Any]) -> ArticleSummary:
    """An ``(id, title, outlet, published, url, date_inferred)`` row as an
    ``ArticleSummary``."""
    return ArticleSummary(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4],
                          bool(row[5]))


def follow_from_row(row: Sequence[Any]) -> Follow:
    """An ``(id, kind, target, label, created_at)`` row as a ``Follow``."""
    return Follow(id=row[0], kind=row[1], target=row[2], label=row[3],
                  created_at=datetime.fromisoformat(row[4]))


def feed_from_row(row: Sequence[Any], entries_seen: int = 0) -> Feed:
    """A ``FEED_COLUMNS`` row as a ``Feed``."""
    def when(ts: float | None) -> datetime | None:
        return None if ts is None else dt(ts)

    return Feed(url=row[0], title=row[1], site_url=row[2], added_at=when(row[3]),
                etag=row[4], last_modified=row[5], interval=float(row[6]),
                next_check=when(row[7]), last_fetch=when(row[8]), last_status=row[9],
                last_new_entry=when(row[10]), last_error=row[11],
                last_error_at=when(row[12]), consecutive_errors=int(row[13]),
                entries_seen=entries_seen)


def feed_values(feed: Feed) -> tuple[Any, ...]:
    """A feed as ``FEED_COLUMNS`` values (a new feed is added and due now)."""
    def ts(value: datetime | None) -> float | None:
        return None if value is None else value.timestamp()

    now = datetime.now(UTC)
    return (feed.url, feed.title, feed.site_url, ts(feed.added_at or now), feed.etag,
            feed.last_modified, feed.interval, ts(feed.next_check or now),
            ts(feed.last_fetch), feed.last_status, ts(feed.last_new_entry), feed.last_error,
            ts(feed.last_error_at), feed.consecutive_errors)


def query_words(text: str) -> list[str]:
    """The words a full-text query or an indexed text is made of: runs of letters and digits.
    Every backend splits queries this way, so a query means the same on each."""
    return [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]


def folded_words(text: str) -> list[str]:
    """``query_words`` case-folded and without diacritics, as SQLite's FTS5 index
    (``unicode61 remove_diacritics 2``) compares them: what a backend without that
    tokenizer indexes and searches."""
    out = []
    for word in query_words(text.casefold()):
        bare = "".join(c for c in unicodedata.normalize("NFKD", word)
                       if not unicodedata.combining(c))
        out.append(bare or word)
    return out


def check_article(article: Article, *, allow_nul: bool = True) -> None:
    """Refuse, before anything is written, an article that would poison the store: a
    publication time that is naive or cannot be read back in UTC (an offset beyond ±24 h, a
    time past 9999-12-31 UTC), or a string that is not valid Unicode (a lone surrogate) or,
    without ``allow_nul``, a text column that holds a NUL character (PostgreSQL's text
    cannot; the raw input is stored compressed and the authors as JSON, so they may).
    The extraction stage (``extract/build.py``) normalises what it builds; this guards
    other writers."""
    published = article.published
    try:
        if published.tzinfo is None or published.utcoffset() is None:
            raise ValueError("it has no time zone")
        dt(published.timestamp())
    except (ValueError, OverflowError, OSError) as exc:
        raise StoreError(
            f"article {article.id} ({article.source}): unusable publication time"
            f" {published!r}: {exc}"
        ) from exc
    texts = [("title", article.title), ("text", article.text), ("url", article.url),
             ("outlet", article.outlet), ("language", article.language),
             ("source", article.source), ("raw", article.raw),
             *(("authors", a) for a in article.authors)]  # fmt: skip
    for name, value in texts:
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise StoreError(
                f"article {article.id} ({article.source!r}): {name} is not valid Unicode: {exc}"
            ) from exc
        if not allow_nul and name not in ("raw", "authors") and "\x00" in value:
            raise StoreError(f"article {article.id} ({article.source!r}): {name} holds a NUL"
                             " character")
