"""Shared data types passed between pipeline stages.

The pipeline is a chain of batch-in/batch-out stages:

    readers  -> RawRecord | Rejection
    extract  -> Article | Rejection
    embed    -> Article (with vectors)
    enrich   -> Article (with event marks) and its enrichment
    stories  -> Assignment
    store    <- Article, Assignment

Stages never mutate fields they do not own; each stage's docstring says which fields it fills.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

#: Kinds of raw input a reader can produce.
RAW_KINDS = ("text", "html", "jsonl", "feed", "warc")


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One article's worth of input, decoded to text but otherwise untouched.

    ``source`` names where it came from precisely enough for an error message
    (``path``, ``path:line`` for JSONL, ``path#entry`` for feeds and archives).
    ``fields`` holds structured values the input carried (JSONL keys, feed entry metadata).
    ``content`` is kept in the store so an article can be re-processed without the source.
    """

    source: str
    kind: str
    content: str
    encoding: str = "utf-8"
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A typed, explained refusal of one input item; the rest of the batch goes on."""

    source: str
    stage: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason} ({self.stage})"


@dataclass(frozen=True, slots=True)
class EventMark:
    """A dated event an article is about: one of its main developments, reduced to what
    story assignment compares (``stories/events.py``).

    ``first_day``/``last_day`` are the inclusive bounds of the event's date as proleptic
    Gregorian ordinals (``date.toordinal()``), so that gaps are plain subtraction.
    """

    action: str
    first_day: int
    last_day: int


@dataclass(slots=True)
class PageFields:
    """What an extractor found in one page or dump, before it becomes an ``Article``.

    Any field may be missing (``None`` or empty); ``text`` is the clean body.
    """

    title: str | None = None
    text: str = ""
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    outlet: str | None = None
    url: str | None = None
    language: str | None = None
    description: str | None = None


@dataclass(slots=True)
class Article:
    """A clean article: the unit every later stage works on.

    ``published`` is always timezone-aware; when the input had no date the ingest time is used
    and ``date_inferred`` is True. ``id`` is stable: derived from the canonical URL, else from
    a hash of title and text, so re-ingesting the same article is harmless.
    """

    id: str
    title: str
    text: str
    published: datetime
    authors: list[str]
    outlet: str | None
    url: str | None
    language: str | None
    source: str
    raw_kind: str
    raw: str = ""
    date_inferred: bool = False
    keywords: list[str] = field(default_factory=list)
    head_vector: np.ndarray | None = None
    body_vector: np.ndarray | None = None
    story_id: str | None = None
    #: The dated events the article is about (filled by the pipeline from enrichment).
    events: tuple[EventMark, ...] = ()

    @property
    def lede(self) -> str:
        """The first paragraph(s) of the body, up to about 60 words."""
        words: list[str] = []
        for para in self.text.split("\n"):
            para = para.strip()
            if not para:
                continue
            words.extend(para.split())
            if len(words) >= 40:
                break
        return " ".join(words[:60])


@dataclass(frozen=True, slots=True)
class Assignment:
    """The story an article was put in, with the score that decided it."""

    article_id: str
    story_id: str
    score: float
    new_story: bool


@dataclass(frozen=True, slots=True)
class IngestReport:
    """Counts an ingest ends with, and the reasons for every rejection."""

    added: int
    duplicates: int
    rejections: tuple[Rejection, ...]
    stories_created: int = 0

    @property
    def rejected(self) -> int:
        return len(self.rejections)


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """An article as listed in a story: enough to show a line of a timeline."""

    id: str
    title: str
    outlet: str | None
    published: datetime
    url: str | None
    date_inferred: bool = False


@dataclass(frozen=True, slots=True)
class StorySummary:
    """A story as listed: title, size, outlets and time span."""

    id: str
    title: str
    article_count: int
    outlets: tuple[str, ...]
    first_published: datetime
    last_published: datetime


@dataclass(frozen=True, slots=True)
class StoryDetail:
    """A story with its articles in publication order."""

    summary: StorySummary
    articles: tuple[ArticleSummary, ...]


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """A date expression found in a text, resolved to a closed interval of calendar days.

    ``granularity`` is one of ``day``, ``days`` (an explicit range of days), ``week``,
    ``month``, ``part-of-month`` (``second half of May``), ``quarter``, ``year``.
    ``start`` and ``end`` are inclusive ISO dates (``YYYY-MM-DD``); ``label`` renders the span
    the way a reader expects (``2024-05``, ``2024-05-16..2024-05-31``).
    """

    text: str
    start_char: int
    end_char: int
    start: str
    end: str
    granularity: str

    @property
    def label(self) -> str:
        if self.granularity == "month":
            return self.start[:7]
        if self.granularity == "year":
            return self.start[:4]
        if self.start == self.end:
            return self.start
        return f"{self.start}..{self.end}"
