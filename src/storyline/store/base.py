"""The store interface every backend implements (SQLite and PostgreSQL).

A store holds articles (with their raw input, so they can be re-processed without the source),
their embeddings, and stories. Writes happen in batches, each in one transaction: a batch of
articles and the story assignments made for them land together or not at all, so an interrupted
ingest never leaves an article without its story or a story count that disagrees with its
articles.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, Self

import numpy as np

from storyline.errors import InputError, NotFoundError
from storyline.models import (
    Alert,
    Article,
    ArticleDecision,
    ArticleEnrichment,
    ArticleSummary,
    Assignment,
    Delivery,
    EntityAppearance,
    EntityRecord,
    EntryKey,
    EventMark,
    Evidence,
    Feed,
    Follow,
    KnownEntity,
    StoryDetail,
    StorySummary,
)


@dataclass(slots=True)
class MemberState:
    """What the assigner needs to know of one story member."""

    article_id: str
    published_ts: float
    head: np.ndarray
    body: np.ndarray
    keywords: frozenset[str]
    title: str = ""
    #: The dated events the member is about (``Article.events``).
    events: tuple[EventMark, ...] = ()
    #: Its event evidence (``Article.evidence``); None for articles stored without one.
    evidence: Evidence | None = None
    #: Its outlet (``stories/outlets.py``: two articles of one outlet share its template).
    outlet: str | None = None


@dataclass(slots=True)
class StoryState:
    """A story as the online assigner sees it: span, size and recent members."""

    id: str
    title: str
    first_ts: float
    last_ts: float
    article_count: int
    members: list[MemberState] = field(default_factory=list)
    centroid: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class SignatureRow:
    """A stored article as the copy index (``stories/copies.py``) needs it: its MinHash
    signature, or its ``text`` when it was stored without one (before migration 0005)."""

    article_id: str
    published_ts: float
    copy_of: str | None
    story_id: str | None
    signature: np.ndarray | None
    text: str | None = None
    #: Its outlet: a near-duplicate of one outlet's own release may be a filled-in template.
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class CandidateStory:
    """A stored story as a centroid search finds it: its centroid (the unit mean of its
    members' head vectors) and its span."""

    story_id: str
    centroid: np.ndarray
    first_ts: float
    last_ts: float


class StoryIndex(Protocol):
    """A store's own index of story centroids (PostgreSQL's HNSW, ``Store.story_index``):
    the assigner asks it for candidate stories instead of holding every open story."""

    def nearest_stories(self, vector: np.ndarray, start_ts: float, end_ts: float, *,
                        limit: int) -> list[CandidateStory]:
        """Up to ``limit`` stored stories whose span overlaps [start_ts, end_ts], nearest
        ``vector`` (inner product of unit vectors: cosine) first."""
        ...

    def stories_by_id(self, ids: Sequence[str], *, max_members: int) -> list[StoryState]:
        """The stories ``ids`` (unknown ids left out) as ``story_states`` loads them, each
        with its stored centroid."""
        ...

    def story_evidence(self, start_ts: float, end_ts: float, *,
                       outside: tuple[float, float] | None, limit: int, max_members: int
                       ) -> list[tuple[str, list[Evidence | None]]]:
        """The last ``limit`` stories (in ``story_states``' order) overlapping [start_ts,
        end_ts] but not ``outside``, each with the evidence of the members ``story_states``
        would load: what the assigner's background counts."""
        ...


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """Filters for listing stories; all optional and combined with AND."""

    since: datetime | None = None
    until: datetime | None = None
    outlet: str | None = None
    query: str | None = None
    article_ids: frozenset[str] | None = None
    limit: int = 100
    offset: int = 0


class Store(ABC):
    """Abstract store. Backends must make ``write_batch`` atomic."""

    model_name: str = ""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writes -------------------------------------------------------------------------
    def write_lock(self) -> contextlib.AbstractContextManager[None]:
        """A context in which this connection is the store's only writer: ``write_batch``
        calls inside it join one transaction, committed when the context ends (rolled back
        on an exception). The pipeline holds it from reading the open stories to writing its
        assignments, so that two writers cannot both start the same story. The default is no
        lock (a backend with one writer only)."""
        return contextlib.nullcontext()

    def changed_elsewhere(self) -> bool:
        """Whether another connection has written to the store since the last call (False on
        the first call). The default cannot tell and says False."""
        return False

    @abstractmethod
    def write_batch(
        self,
        articles: Sequence[Article],
        assignments: Sequence[Assignment],
        stories: Sequence[StoryState],
        enrichments: Sequence[ArticleEnrichment] | None = None,
    ) -> None:
        """Insert articles with their embeddings, their assignments and the touched stories,
        all in one transaction (``write_lock``'s, inside one); with ``enrichments``, also each
        article's entities (creating, renaming and counting entities and aliases) and its
        dates, attributions and developments, in the same transaction."""

    # --- reads for the pipeline ---------------------------------------------------------
    @abstractmethod
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of ``ids`` already stored."""

    @abstractmethod
    def cached_vectors(self, ids: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Stored (head, body) vectors of the current model for these article ids."""

    @contextlib.contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Reads inside see the store as of one commit (a view made of several reads stays
        consistent while another process writes). The base class offers none: a backend
        with transactions overrides it."""
        yield

    @abstractmethod
    def articles_without_vectors(self, start_ts: float, end_ts: float) -> list[Article]:
        """Original articles (not copies) in stories overlapping [start_ts, end_ts] that have
        no vectors of the current model (stored by an earlier version of the encoder)."""

    @abstractmethod
    def write_vectors(self, articles: Sequence[Article]) -> None:
        """Store the current model's vectors of already stored articles."""

    @abstractmethod
    def story_states(self, start_ts: float, end_ts: float, *, max_members: int) -> list[StoryState]:
        """Stories whose span overlaps [start_ts, end_ts], with up to ``max_members`` members
        (copies are never members: they are not evidence of what a story is about)."""

    def story_index(self, start_ts: float, end_ts: float) -> StoryIndex | None:
        """The store's own index of story centroids, when it keeps one (PostgreSQL) and
        [start_ts, end_ts] holds so many stories that the pipeline had better find candidate
        stories through it than load them all; None (the default, SQLite): the assigner
        holds every open story."""
        return None

    @abstractmethod
    def member_evidence(self, start_ts: float, before: tuple[float, str], *, max_stories: int
                        ) -> list[list[tuple[str, float, Evidence]]]:
        """For each of the ``max_stories`` stories most recently active before ``before``
        (a ``(published_ts, article id)`` position) and after ``start_ts``: its original
        articles placed before that position, as ``(article id, published_ts, evidence)``
        in publication order (articles stored without evidence left out). What the assigner's
        background (``stories/evidence.Background``) had counted at that position."""

    @abstractmethod
    def copy_signatures(self, start_ts: float, end_ts: float, *, scheme: str
                        ) -> list[SignatureRow]:
        """Every article published within [start_ts, end_ts] with its MinHash signature of
        ``scheme`` (or, lacking one, its text)."""

    # --- reads for users ----------------------------------------------------------------
    @abstractmethod
    def list_stories(self, filters: StoryFilter | None = None) -> list[StorySummary]:
        """Stories, most recent activity first."""

    @abstractmethod
    def count_stories(self, filters: StoryFilter | None = None) -> int:
        """How many stories ``list_stories(filters)`` finds over all pages (the filter's
        ``limit`` and ``offset`` are ignored)."""

    @abstractmethod
    def get_story(self, story_id: str) -> StoryDetail:
        """One story with its articles in time order; raises ``NotFoundError``."""

    @abstractmethod
    def get_article(self, article_id: str) -> Article:
        """One article (with raw input); raises ``NotFoundError``."""

    @abstractmethod
    def iter_articles(self, *, story_id: str | None = None) -> Iterator[Article]:
        """Every stored article (or one story's), in publication order."""

    @abstractmethod
    def search_text(self, query: str, *, limit: int = 20) -> list[ArticleSummary]:
        """Full-text search over titles and bodies, best match first."""

    @abstractmethod
    def nearest_articles(
        self, vector: np.ndarray, *, limit: int = 20
    ) -> list[tuple[ArticleSummary, float]]:
        """Articles whose head vectors are nearest ``vector`` (cosine), best first."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Numbers of articles and stories."""

    # --- enrichment ---------------------------------------------------------------------
    @abstractmethod
    def match_entities(self, keys: set[str]) -> list[KnownEntity]:
        """Stored entities with a name or alias whose key (``entities.name_key``) is in
        ``keys``, or whose first or last name token is one of the one-word ``keys``; with
        their aliases. Used to give new mentions an existing identity."""

    @abstractmethod
    def article_enrichment(self, ids: Iterable[str]) -> dict[str, ArticleEnrichment]:
        """Stored enrichment of these articles (articles without any are left out)."""

    @abstractmethod
    def story_entities(self, story_id: str, *, limit: int = 20) -> list[EntityRecord]:
        """A story's main entities: most articles first, then most mentions; ``articles``
        and ``mentions`` count within the story."""

    @abstractmethod
    def find_entities(self, name: str) -> list[EntityRecord]:
        """Entities whose canonical name or an alias is ``name`` (case- and
        accent-insensitive), most mentioned first; raises ``NotFoundError`` if none."""

    @abstractmethod
    def entity_stories(self, name: str) -> list[EntityAppearance]:
        """The stories an entity (canonical name or alias, case-insensitive) appears in,
        in time order (first appearance); raises ``NotFoundError`` for an unknown name."""

    @abstractmethod
    def list_entities(self, limit: int = 100, offset: int = 0) -> list[EntityRecord]:
        """All entities, most articles first."""

    @abstractmethod
    def count_entities(self) -> int:
        """How many entities ``list_entities`` pages through."""

    # --- explanations (``storyline why``) ------------------------------------------------
    @abstractmethod
    def article_decisions(self, ids: Iterable[str]) -> dict[str, ArticleDecision]:
        """How each of these stored articles was assigned: story, decision score, the
        original it copies, runner-up story and score, and its event evidence (unknown ids
        are left out)."""

    @abstractmethod
    def article_ids_with_prefix(self, prefix: str, *, limit: int = 10) -> list[str]:
        """Up to ``limit`` stored article ids that start with ``prefix``, in id order."""


    # --- follows and alerts (``storyline.alerts``) ---------------------------------------
    @abstractmethod
    def story_ids_with_prefix(self, prefix: str, *, limit: int = 10) -> list[str]:
        """Up to ``limit`` story ids (of stories with articles) that start with ``prefix``,
        in id order."""

    @abstractmethod
    def add_follow(self, follow: Follow) -> Follow:
        """Store ``follow``; when one with its id exists (the same thing followed again),
        keep it and return it."""

    @abstractmethod
    def follows(self) -> list[Follow]:
        """Every follow, oldest first."""

    @abstractmethod
    def follow_ids_with_prefix(self, prefix: str, *, limit: int = 10) -> list[str]:
        """Up to ``limit`` follow ids that start with ``prefix``, in id order."""

    @abstractmethod
    def remove_follow(self, follow_id: str) -> Follow:
        """Delete a follow with its alerts and their delivery states; returns it. Raises
        ``NotFoundError``."""

    @abstractmethod
    def articles_mentioning(self, name: str, article_ids: Iterable[str]) -> set[str]:
        """Those of ``article_ids`` that mention an entity ``name`` names (canonical name or
        alias, resolved as ``entity_stories`` resolves it); empty for an unknown name."""

    @abstractmethod
    def articles_matching(self, query: str, article_ids: Iterable[str]) -> set[str]:
        """Those of ``article_ids`` whose title or text match ``query`` as ``search_text``
        matches it (every word)."""

    @abstractmethod
    def add_alerts(self, alerts: Sequence[Alert], *, deliver: bool = False) -> list[str]:
        """Record alerts (joining an open write transaction, as ``write_batch`` does); those
        whose id is already stored are skipped. With ``deliver``, each new one is queued
        for webhook delivery. Returns the ids of the new alerts."""

    @abstractmethod
    def list_alerts(self, *, follow_id: str | None = None, limit: int = 50, offset: int = 0
                    ) -> list[Alert]:
        """Alerts (of one follow, or all), most recent first."""

    @abstractmethod
    def count_alerts(self, *, follow_id: str | None = None) -> int:
        """How many alerts ``list_alerts`` pages through."""

    @abstractmethod
    def deliveries(self, alert_ids: Iterable[str]) -> dict[str, Delivery]:
        """The webhook delivery state of these alerts (alerts never queued are left out)."""

    @abstractmethod
    def claim_deliveries(self, now: float, *, lease: float, limit: int = 50) -> list[Alert]:
        """Pending deliveries due at ``now`` (epoch seconds) and not claimed by another
        sender, oldest first, claimed for ``lease`` seconds; returns their alerts."""

    @abstractmethod
    def record_delivery(self, alert_id: str, *, ok: bool, error: str | None = None,
                        retry_at: float | None = None) -> None:
        """Record one delivery attempt: delivered (``ok``), or failed with ``error`` and
        due again at ``retry_at`` (epoch seconds); the claim is released."""


    # --- feeds (``storyline.feeds``) -------------------------------------------------------
    @abstractmethod
    def add_feed(self, feed: Feed) -> Feed:
        """Store a new feed; when its URL is already followed, keep that one and return it."""

    @abstractmethod
    def remove_feed(self, url: str) -> Feed:
        """Delete a feed with its seen entries; returns it. Raises ``NotFoundError``."""

    @abstractmethod
    def get_feed(self, url: str) -> Feed:
        """One feed with its health; raises ``NotFoundError``."""

    @abstractmethod
    def list_feeds(self) -> list[Feed]:
        """Every feed, in URL order, with ``entries_seen`` counted."""

    @abstractmethod
    def due_feeds(self, now: float) -> list[Feed]:
        """Feeds whose next check is at or before ``now`` (epoch seconds), most overdue
        first."""

    @abstractmethod
    def seen_entries(self, feed_url: str, keys: Sequence[EntryKey]) -> list[bool]:
        """For each key, whether an entry of this feed with its GUID, its link or its
        content hash was recorded as seen."""

    @abstractmethod
    def record_poll(self, feed: Feed, seen: Sequence[EntryKey]) -> bool:
        """Write a feed's state after a poll (validators, schedule, health) and mark
        ``seen`` entries, in one transaction (joining an open one, as ``write_batch``
        does). Returns False, writing nothing, when the feed was removed meanwhile."""


#: Shortest id prefix ``find_id`` looks up (ids are 16 characters).
MIN_PREFIX = 4


def find_id(text: str, what: str, with_prefix: Callable[..., list[str]],
            exists: Callable[[str], bool] | None = None) -> str:
    """The stored id ``text`` names: the id itself, or a unique prefix of at least
    ``MIN_PREFIX`` characters. ``with_prefix(prefix, limit=)`` is the store's lookup for
    ``what`` (an article, a story, a follow); ``exists`` checks a whole id (else the lookup
    does). Raises ``NotFoundError`` when none matches and ``InputError`` when the prefix is
    ambiguous."""
    text = text.strip()
    found = with_prefix(text, limit=4) if text else []
    if text in found or (text and exists is not None and exists(text)):
        return text
    if len(text) >= MIN_PREFIX:
        if len(found) == 1:
            return found[0]
        if found:
            more = ", …" if len(found) > 3 else ""
            raise InputError(f"{what} id prefix {text!r} is ambiguous: it starts "
                             f"{', '.join(found[:3])}{more}; give more characters")
    raise NotFoundError(f"no {what} with id {text!r}"
                        + ("" if len(text) >= MIN_PREFIX
                           else f" (give the id or at least its first {MIN_PREFIX} characters)"))
