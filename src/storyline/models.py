"""Shared data types passed between pipeline stages.

The pipeline is a chain of batch-in/batch-out stages:

    readers  -> RawRecord | Rejection
    extract  -> Article | Rejection
    embed    -> Article (with vectors)
    enrich   -> ArticleEnrichment (entities, dates, attributions, developments),
                Article (with event marks)
    stories  -> Assignment
    store    <- Article, Assignment, ArticleEnrichment

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


@dataclass(frozen=True, slots=True)
class Signature:
    """A MinHash signature of an article body's word shingles (``stories/copies.py``).

    ``scheme`` names how it was made (hashing, permutations, seed, shingle size): signatures
    of different schemes cannot be compared. ``values`` holds its uint32 hash values.
    """

    scheme: str
    values: np.ndarray


@dataclass(frozen=True, slots=True)
class Evidence:
    """What an article says about its event, reduced to what can agree or conflict with
    another article (``stories/evidence.py``): rarity-weighted terms, names, gazetteer place
    paths (``stories/places.py``), numbers and years."""

    terms: dict[str, float] = field(default_factory=dict)
    people: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()
    #: Words in the body (None when unknown): a headline-only article scores differently.
    words: int | None = None
    #: The headline's key (``stories/headlines.py``; "" when unknown): two articles under
    #: one recurring headline ("Police log") share it whatever their events.
    headline: str = ""
    #: The article's language ("en", "es"; None when unknown): all-MiniLM-L6-v2 reads only
    #: English, so a pair with another language is compared on the multilingual cosines.
    language: str | None = None

    @property
    def names(self) -> frozenset[str]:
        """Every named entity: people, organisations and places (paths)."""
        return self.people | self.orgs | self.places


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
    #: Its event evidence (filled by the pipeline, ``stories/evidence.py``); None before.
    evidence: Evidence | None = None
    #: The id of the original this article is a near-duplicate or syndicated copy of, or None
    #: (filled by ``stories/copies.py``; always an original, never another copy).
    copy_of: str | None = None
    #: The MinHash signature of the body's word shingles (``stories/copies.py``), or None for
    #: a body too short to compare.
    minhash: Signature | None = None

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
    #: Set for a copy (``stories/copies.py``): the original whose story it was put in, never
    #: by the assigner; ``score`` is then the word-shingle Jaccard similarity with it.
    copy_of: str | None = None
    #: The best other story (the best one not reached, when the article started a story),
    #: with its score: what ``storyline why`` shows as the runner-up.
    runner_up: str | None = None
    runner_up_score: float | None = None


@dataclass(frozen=True, slots=True)
class IngestReport:
    """Counts an ingest ends with, and the reasons for every rejection."""

    added: int
    duplicates: int
    rejections: tuple[Rejection, ...]
    stories_created: int = 0
    #: Of the added articles, how many were stored as copies of an original.
    copies: int = 0
    #: Rejections beyond those kept in ``rejections`` (counted, and logged as they happened).
    rejections_omitted: int = 0

    @property
    def rejected(self) -> int:
        return len(self.rejections) + self.rejections_omitted


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """An article as listed in a story: enough to show a line of a timeline."""

    id: str
    title: str
    outlet: str | None
    published: datetime
    url: str | None
    date_inferred: bool = False
    #: The original this article is a copy of (``Article.copy_of``), or None.
    copy_of: str | None = None


@dataclass(frozen=True, slots=True)
class StorySummary:
    """A story as listed: title, size, outlets and time span.

    ``article_count`` counts the story's originals; ``copy_count`` the copies of them
    (``stories/copies.py``) stored in it, which ``outlets`` includes.
    """

    id: str
    title: str
    article_count: int
    outlets: tuple[str, ...]
    first_published: datetime
    last_published: datetime
    copy_count: int = 0


@dataclass(frozen=True, slots=True)
class StoryDetail:
    """A story with its articles in publication order."""

    summary: StorySummary
    articles: tuple[ArticleSummary, ...]


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """A date expression found in a text, resolved to a closed interval of calendar days.

    ``granularity`` is one of ``day``, ``days`` (an explicit range of days), ``week``,
    ``month``, ``part-of-month`` (``second half of May``), ``quarter``, ``year``, ``decade``.
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


@dataclass(frozen=True, slots=True)
class TimeAmount:
    """A time expression that is not a calendar interval (``enrich/durations.py``): a length
    of time (``value`` an ISO 8601 duration, ``P3Y``, ``PT4H``, ``PXM`` when the count is
    vague: "several months"), a frequency (``quantity="set"``: "daily" is ``P1D``) or a vague
    reference to the present, past or future (``PRESENT_REF``, ``PAST_REF``, ``FUTURE_REF``:
    "now", "recently", "in the future"); the values are TimeML's (TIMEX3)."""

    text: str
    start_char: int
    end_char: int
    value: str
    quantity: str  # "duration", "set" or "reference"


# --------------------------------------------------------------------------- enrichment

#: Bumped when the shape or meaning of stored enrichment changes. 2 (2026-12-01): tolls
#: (``Development.count``), trigger and cue offsets, recalled incidents never main. 3: an
#: attribution's source and cue offsets are the body's, as its sentence's are (they were the
#: analysed text's: title and blank line first). 4: the ``charge`` action, "shot"/"knifed"
#: shootings and stabbings, a crime named as a charge dated only by its own date; the NER
#: reads the lede and the sentences with new names (``enrich/ner_scope.py``).
ENRICHMENT_VERSION = 4


@dataclass(frozen=True, slots=True)
class Attribution:
    """The source of one statement.

    ``name`` is the canonical entity name or the describing phrase ("the national emergency
    office"), the outlet's name for ``outlet``; ``citing`` the sources an agency or institution
    relays ("five sources familiar with the matter"); ``cue`` the reporting word.
    ``sentence`` indexes the article's sentences; ``start_char``/``end_char`` and
    ``statement`` give the sentence itself.
    """

    kind: str
    name: str | None
    cue: str = ""
    citing: str | None = None
    sentence: int = -1
    start_char: int = 0
    end_char: int = 0
    statement: str = ""
    #: Where the source is named in the text (0, 0 when it is not).
    source_start: int = 0
    source_end: int = 0
    #: Where the reporting cue is, in the same coordinates as ``source_start`` (0, 0 when
    #: unknown, as in enrichment stored before it was recorded).
    cue_start: int = 0
    cue_end: int = 0

    @property
    def label(self) -> str:
        """How a reader would cite it: ``Reuters, citing five sources familiar with the matter``."""
        base = self.name or self.kind
        if self.kind == "anonymous" and self.name:
            base = self.name
        return f"{base}, citing {self.citing}" if self.citing else base


@dataclass(frozen=True, slots=True)
class ArticleEntity:
    """An entity as one article mentions it."""

    id: str
    name: str
    type: str
    mentions: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KnownEntity:
    """An entity already in the store, as the resolver needs it."""

    id: str
    name: str
    type: str
    mentions: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """An entity as listed to users: canonical name, aliases and how often it appears."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...]
    mentions: int
    articles: int


@dataclass(frozen=True, slots=True)
class EntityAppearance:
    """One story an entity appears in, with when and how much."""

    story: StorySummary
    articles: int
    mentions: int
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class Development:
    """One event as one article reports it (see the module docstring for each field).

    ``start_char``/``end_char`` locate the first sentence reporting it in the article body;
    ``mentions`` counts the sentences merged into it; ``main`` marks the article's top
    developments by ``salience``.
    """

    action: str
    trigger: str
    sentence: str
    start_char: int
    end_char: int
    participants: tuple[str, ...]
    places: tuple[str, ...]
    when: TimeSpan | None
    modality: str
    attribution: Attribution
    agent: str | None = None
    mentions: int = 1
    salience: float = 0.0
    main: bool = False
    #: Where the action word (``trigger``) is in the article body (0, 0 when unknown).
    trigger_start: int = 0
    trigger_end: int = 0
    #: How many, for a toll (``deaths``, ``injuries``: ``enrich/casualties.py``); else None.
    count: int | None = None


@dataclass(slots=True)
class ArticleEnrichment:
    """Everything the enrichment stage derived from one article."""

    article_id: str
    entities: list[ArticleEntity] = field(default_factory=list)
    dates: list[TimeSpan] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    developments: list[Development] = field(default_factory=list)
    version: int = ENRICHMENT_VERSION
    error: str | None = None
    #: Body spans recalling an earlier, different incident (``enrich/recalls.py``), found once
    #: for developments and event evidence; None when not found here (an enrichment read from
    #: the store, or one whose analysis failed). Derived from the text: neither stored nor
    #: compared.
    recalls: list[tuple[int, int]] | None = field(default=None, compare=False)


# --------------------------------------------------------------------------- explanations
# What ``storyline why`` shows (``stories/explain.py``): why an article is in its story.


@dataclass(frozen=True, slots=True)
class ArticleDecision:
    """How the assigner placed one stored article, as the store keeps it, with the event
    evidence it compared.

    ``score`` is the decision score: the story score for an original (for one that started a
    story, that of the best story it did not reach; 0.0 when there was none), the word-shingle
    Jaccard similarity with its original for a copy. ``runner_up``/``runner_up_score``: the
    best other story (None when there was none). ``evidence`` is None for an article stored
    without one (a copy, or stored before migration 0006, which also lack a runner-up).
    """

    article_id: str
    story_id: str | None
    score: float | None
    copy_of: str | None = None
    runner_up: str | None = None
    runner_up_score: float | None = None
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class Conflict:
    """Specifics that two articles both give and that do not agree (``evidence.compare``):
    ``this`` the explained article's, ``other`` the other article's."""

    this: tuple[str, ...]
    other: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventDates:
    """The dated events of one action that two articles are about, at their nearest
    (``EventMark``): ``this``/``other`` are ISO days or ``first..last`` spans, ``gap_days``
    is 0 when they overlap (the same event) and the days between them otherwise."""

    action: str
    this: str
    other: str
    gap_days: int

    @property
    def overlapping(self) -> bool:
        """Whether the two dates overlap."""
        return self.gap_days == 0


@dataclass(frozen=True, slots=True)
class PairExplanation:
    """How the explained article compares with one other article: their pair score
    (``scoring.score_features``, recomputed from what the store holds), its main signals,
    and the specifics they share and those that conflict (evidence against a join)."""

    article: ArticleSummary
    score: float
    head_cosine: float
    body_cosine: float
    #: Days the score's time term counted: the publication gap, or the gap between the same
    #: dated events when that is smaller (None without dates).
    days_apart: float | None
    #: Days between the two publication dates.
    published_days_apart: float | None = None
    shared_keywords: tuple[str, ...] = ()
    shared_terms: tuple[str, ...] = ()
    shared_people: tuple[str, ...] = ()
    shared_orgs: tuple[str, ...] = ()
    shared_places: tuple[str, ...] = ()
    shared_numbers: tuple[str, ...] = ()
    shared_years: tuple[str, ...] = ()
    #: Both name several people, organisations or places and share none of them.
    entity_conflict: Conflict | None = None
    place_conflict: Conflict | None = None
    number_conflict: Conflict | None = None
    year_conflict: Conflict | None = None
    #: Events of the same action both are about, overlapping or apart.
    events: tuple[EventDates, ...] = ()
    #: False when either article was stored without event evidence (no people, places,
    #: numbers or years to compare).
    has_evidence: bool = True
    #: The recurring headline ("police log") for which two short articles were scored by
    #: their bodies alone, without the headline-like offset ("" when it did not arise).
    template_headline: str = ""
    #: Both are the same outlet's: the share of their cosines that is its template
    #: (``stories/outlets.py``), taken off before scoring (None when nothing was).
    outlet_template: float | None = None


@dataclass(frozen=True, slots=True)
class RunnerUp:
    """The best story the article was not put in, with the score it reached and the
    comparison with that story's best-matching member."""

    story: StorySummary
    score: float | None
    best_match: PairExplanation | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an article is in its story (``stories/explain.py``).

    ``started``: it founded its story (no open story reached ``threshold``). ``score`` is the
    decision score (``ArticleDecision.score``; for a copy, the similarity with ``copy_of``).
    ``threshold`` is the join threshold now configured. ``best_match`` compares it with the
    story member it matches best; ``runner_up`` is the best other story.
    """

    article: ArticleSummary
    story: StorySummary | None
    started: bool
    score: float | None
    threshold: float
    copy_of: ArticleSummary | None = None
    best_match: PairExplanation | None = None
    runner_up: RunnerUp | None = None

    @property
    def joined(self) -> bool:
        """It joined a story that already existed, by score (not as a copy)."""
        return self.story is not None and not self.started and self.copy_of is None


# --- feeds (``storyline.feeds``) ------------------------------------------------------------


@dataclass(slots=True)
class Feed:
    """A followed RSS/Atom feed with its schedule and health (``feeds/sources.py``).

    ``etag``/``last_modified`` are the validators of the last response whose entries were all
    settled, sent back on the next poll (conditional GET). ``interval`` is the feed's polling
    interval in seconds, adapted to how often it publishes; ``next_check`` is when it is due.
    ``consecutive_errors`` counts failed polls since the last good one: a failing feed is
    polled less often (backoff) but never dropped.
    """

    url: str
    title: str | None = None
    site_url: str | None = None
    added_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    interval: float = 900.0
    next_check: datetime | None = None
    last_fetch: datetime | None = None
    #: "ok", "not modified", "error", or None before the first poll.
    last_status: str | None = None
    last_new_entry: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_errors: int = 0
    #: Entries recorded as seen (read from the store; not written back).
    entries_seen: int = 0


@dataclass(frozen=True, slots=True)
class EntryKey:
    """What identifies a feed entry once seen, so it is never ingested twice: its GUID, its
    canonical link and a hash of its normalised content. An entry matching a seen entry on
    any of the three is not new (a changed GUID or title keeps its link or content)."""

    guid: str | None
    link: str | None
    content_hash: str | None


# --- follows and alerts (``storyline.alerts``) ------------------------------------------------

#: What a follow can watch: a story (its new developments), an entity or a full-text query
#: (the stories they appear in).
FOLLOW_KINDS = ("story", "entity", "query")


@dataclass(frozen=True, slots=True)
class Follow:
    """Something a user follows (``alerts/follows.py``). ``target`` is what is matched: the
    story id, the entity name as given (resolved as ``storyline entity`` resolves it) or the
    query text; ``label`` is what to show (the story's title, the entity's canonical name)."""

    id: str
    kind: str
    target: str
    label: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AlertDevelopment:
    """A development an alert reports: a row of the story's timeline (``timeline.py``) that
    is ``new`` or an ``update``."""

    event_id: str
    action: str
    label: str
    modality: str
    novelty: str
    when: TimeSpan | None = None
    verdict: str | None = None
    sentence: str = ""


@dataclass(frozen=True, slots=True)
class Alert:
    """What is new for a follow (``alerts/detect.py``): for a story follow, an article that
    brought new developments (``kind`` ``development``); for an entity or query follow, the
    first new article of a story it appears in (``new_story`` when the story is new, else
    ``story``). Ids derive from the follow and the article (or story), so that detecting the
    same thing twice records one alert."""

    id: str
    follow_id: str
    kind: str
    story_id: str
    story_title: str
    article_id: str
    article_title: str
    article_url: str | None
    outlet: str | None
    published: datetime
    created_at: datetime
    developments: tuple[AlertDevelopment, ...] = ()


@dataclass(frozen=True, slots=True)
class Delivery:
    """The webhook delivery state of one alert (``alerts/webhook.py``): ``pending`` until a
    POST is answered 2xx, then ``delivered``. A failed attempt leaves it pending, with its
    error, until ``next_attempt``."""

    alert_id: str
    status: str
    attempts: int = 0
    last_error: str | None = None
    last_attempt: datetime | None = None
    delivered_at: datetime | None = None
    next_attempt: datetime | None = None
