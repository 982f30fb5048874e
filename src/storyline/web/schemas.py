"""Response models of the REST API: the JSON shapes ``storyline.serialize`` builds, described
for the OpenAPI document (``/openapi.json``) and checked on the way out.

``serialize`` stays the source of the shapes (the CLI's ``--json`` prints the same); these
models only describe them, field for field, so a route's output is validated against what its
documentation promises. Times are ISO 8601 strings exactly as ``serialize`` writes them (typed
``str``, not ``datetime``, so they pass through unchanged). A field added to ``serialize`` must
be added here too, or the API drops it: ``tests/web/test_api.py`` compares the two.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

_TIME = "ISO 8601 time with its UTC offset."


class ErrorOut(BaseModel):
    """Every error response."""

    error: str = Field(description="Short name of the error class, e.g. 'not found'.")
    detail: Any = Field(description="What went wrong (a message, or a list of field errors).")


class HealthOut(BaseModel):
    """Service health and store counts."""

    status: Literal["ok"]
    articles: int = Field(description="Articles stored (copies included).")
    stories: int = Field(description="Stories with at least one article.")
    writes_enabled: bool = Field(description="Whether POST /api/v1/articles accepts a token.")


# --------------------------------------------------------------------------- stories, articles


class StorySummaryOut(BaseModel):
    """``serialize.story_summary``."""

    id: str
    title: str
    article_count: int = Field(description="Original articles (copies are not counted).")
    outlets: list[str] = Field(description="Outlets, first to report first (copies included).")
    first_published: str = Field(description=_TIME)
    last_published: str = Field(description=_TIME)
    copy_count: int = Field(description="Copies of its articles (syndicated re-posts).")


class ArticleSummaryOut(BaseModel):
    """``serialize.article_summary``."""

    id: str
    title: str
    outlet: str | None
    published: str = Field(description=_TIME)
    url: str | None
    date_inferred: bool = Field(description="The date was not stated; it was inferred.")
    copy_of: str | None = Field(description="The original this copy repeats; null for one.")


class StoryArticleOut(ArticleSummaryOut):
    """An article of a story (``serialize.story_detail``)."""

    copy_count: int = Field(description="Copies of this article in the story.")


class StoryListOut(BaseModel):
    """One page of stories."""

    total: int = Field(description="Stories matching the filters, over all pages.")
    items: list[StorySummaryOut]
    limit: int
    offset: int


class ArticleOut(BaseModel):
    """``serialize.article_full`` plus the article's story and its copies."""

    id: str
    title: str
    text: str
    published: str = Field(description=_TIME)
    date_inferred: bool
    authors: list[str]
    outlet: str | None
    url: str | None
    language: str | None = Field(description="ISO 639-1 code.")
    story: str | None = Field(description="Id of its story.")
    copy_of: str | None = Field(description="The original this copy repeats; null for one.")
    story_summary: StorySummaryOut | None
    copies: list[ArticleSummaryOut] = Field(description="Near-duplicate re-posts of it.")


# --------------------------------------------------------------------------- story view


class TimeSpanOut(BaseModel):
    """A resolved date expression (``serialize.time_span``)."""

    text: str
    start: str = Field(description="First day, YYYY-MM-DD.")
    end: str = Field(description="Last day, YYYY-MM-DD.")
    granularity: str = Field(
        description="day, days, week, month, part-of-month, quarter, year, decade."
    )
    label: str
    start_char: int
    end_char: int


class AttributionOut(BaseModel):
    """The source of a statement (``serialize.attribution``)."""

    kind: str
    name: str | None
    label: str
    cue: str
    citing: str | None
    statement: str
    sentence: int
    start_char: int
    end_char: int
    source_start: int
    source_end: int
    cue_start: int = 0
    cue_end: int = 0


class DevelopmentOut(BaseModel):
    """What an article reports happening (``serialize.development``)."""

    action: str
    trigger: str
    modality: str
    participants: list[str]
    places: list[str]
    when: TimeSpanOut | None
    attribution: AttributionOut
    agent: str | None
    sentence: str
    start_char: int
    end_char: int
    mentions: int
    salience: float
    main: bool
    trigger_start: int = 0
    trigger_end: int = 0
    count: int | None = Field(default=None, description="How many, for deaths and injuries.")


class ForecastOfOut(BaseModel):
    """The earlier report of a forecast a timeline row confirms or contradicts."""

    article_id: str
    published: str
    outlet: str | None
    modality: str
    when: TimeSpanOut | None


class TimelineEntryOut(DevelopmentOut):
    """A timeline row: one article's development (``serialize.timeline_entry``)."""

    article_id: str
    published: str = Field(description=_TIME)
    outlet: str | None
    title: str
    event_id: str
    novelty: str = Field(description="new, update or repeated.")
    verdict: str | None
    forecast_of: ForecastOfOut | None = Field(
        default=None, description="The earlier report whose forecast the verdict judges."
    )


class EventStateOut(BaseModel):
    """What one article said of an event."""

    article_id: str
    published: str = Field(description=_TIME)
    outlet: str | None
    modality: str
    when: TimeSpanOut | None
    attribution: str
    attribution_kind: str
    novelty: str
    verdict: str | None


class EventOut(BaseModel):
    """A real-world event as the story came to know it (``serialize.event``)."""

    id: str
    action: str
    label: str
    participants: list[str]
    places: list[str]
    state: str
    when: TimeSpanOut | None
    forecast: str | None = Field(description="confirmed, contradicted, revised or null.")
    outlets: list[str]
    states: list[EventStateOut] = Field(description="What each article said, in report order.")


class EntityOut(BaseModel):
    """A person, organisation or place (``serialize.entity_record``)."""

    id: str
    name: str
    type: str
    aliases: list[str]
    mentions: int
    articles: int = Field(description="Articles that mention it.")


class WordingOut(BaseModel):
    """Words one outlet chose that others did not."""

    outlet: str
    terms: list[str]
    article_id: str
    context: str


class CoverageOut(BaseModel):
    """How each outlet covered the story (``serialize.coverage``)."""

    outlets: dict[str, list[str]] = Field(description="Outlet → the event ids it reported.")
    wording: list[WordingOut]
    carried: dict[str, list[str]] = Field(
        description="Outlet → the original article ids it ran copies of.")


class StoryViewOut(StorySummaryOut):
    """``serialize.story_view``: what ``storyline show --json`` prints."""

    articles: list[StoryArticleOut] = Field(description="In publication order, copies included.")
    timeline: list[TimelineEntryOut]
    events: list[EventOut]
    entities: list[EntityOut]
    coverage: CoverageOut
    unenriched: list[str] = Field(description="Ids of articles without enrichment.")


# --------------------------------------------------------------------------- explanations


class SharedOut(BaseModel):
    """What two articles have in common."""

    people: list[str]
    orgs: list[str]
    places: list[str]
    numbers: list[str]
    years: list[str]
    terms: list[str]
    keywords: list[str]


class ConflictOut(BaseModel):
    """Specifics both articles give that do not agree."""

    this: list[str]
    other: list[str]


class ConflictsOut(BaseModel):
    """Each kind of conflict, or null where there is none."""

    names: ConflictOut | None
    places: ConflictOut | None
    numbers: ConflictOut | None
    years: ConflictOut | None


class EventDatesOut(BaseModel):
    """The dates two articles give for one action."""

    action: str
    this: str
    other: str
    gap_days: int
    overlapping: bool


class PairOut(BaseModel):
    """How the article compares with one other article (``serialize.pair_explanation``)."""

    article: ArticleSummaryOut
    score: float
    head_cosine: float
    body_cosine: float
    days_apart: float | None
    published_days_apart: float | None
    shared: SharedOut
    conflicts: ConflictsOut
    events: list[EventDatesOut]
    has_evidence: bool
    #: The recurring headline under which two short reports were scored by their bodies alone.
    template_headline: str | None = None
    #: Both are one outlet's: the cosine taken off as its template's share.
    outlet_template: float | None = None


class RunnerUpOut(BaseModel):
    """The best story the article did not join."""

    story: StorySummaryOut
    score: float | None
    best_match: PairOut | None


class ExplanationOut(BaseModel):
    """``serialize.explanation``: what ``storyline why --json`` prints."""

    article: ArticleSummaryOut
    story: StorySummaryOut | None
    outcome: Literal["joined", "started", "copy"] | None
    started: bool
    score: float | None
    threshold: float
    copy_of: ArticleSummaryOut | None
    best_match: PairOut | None
    runner_up: RunnerUpOut | None


# --------------------------------------------------------------------------- search, entities


class SearchHitOut(ArticleSummaryOut):
    """A matching article with its story."""

    story: str | None = Field(description="Id of its story.")
    score: float | None = Field(description="Cosine similarity (semantic mode); else null.")


class SearchOut(BaseModel):
    """Search results, best first."""

    q: str
    mode: Literal["text", "semantic"]
    limit: int
    items: list[SearchHitOut]


class EntityListOut(BaseModel):
    """One page of entities."""

    total: int = Field(description="Entities in the index, over all pages.")
    items: list[EntityOut]
    limit: int
    offset: int


class EntityAppearanceOut(StorySummaryOut):
    """A story an entity appears in (``serialize.entity_appearance``)."""

    entity_articles: int
    entity_mentions: int
    first_seen: str = Field(description=_TIME)
    last_seen: str = Field(description=_TIME)


class EntityStoriesOut(BaseModel):
    """One entity, the stories it appears in and every entity the name matches."""

    entity: EntityOut
    stories: list[EntityAppearanceOut] = Field(description="In time order.")
    matches: list[EntityOut] = Field(description="Most mentioned first.")


# --------------------------------------------------------------------------- writes


class IngestedOut(BaseModel):
    """One stored (or duplicate) article of a POST."""

    source: str = Field(description="request#N: its place in the request.")
    id: str
    story: str | None


class RejectionOut(BaseModel):
    """One refused article, with the stage that refused it and why."""

    source: str = Field(description="request#N: its place in the request.")
    stage: str
    reason: str


class IngestOut(BaseModel):
    """What a POST did."""

    added: int
    duplicates: int
    rejected: int
    stories_created: int
    articles: list[IngestedOut]
    rejections: list[RejectionOut]


# --------------------------------------------------------------------------- follows and alerts


class FollowOut(BaseModel):
    """``alerts.serialize.follow`` plus its number of alerts."""

    id: str
    kind: Literal["story", "entity", "query"]
    target: str = Field(description="The story id, entity name or query followed.")
    label: str = Field(description="The story's title, the entity's canonical name, the query.")
    created_at: str = Field(description=_TIME)
    alerts: int = Field(description="Alerts recorded for it.")
    feed: str = Field(description="Path of its Atom feed of alerts.")


class FollowListOut(BaseModel):
    """Everything followed, oldest first."""

    items: list[FollowOut]


class UnfollowOut(BaseModel):
    """The follow removed (with its alerts)."""

    deleted: FollowOut


class AlertDevelopmentOut(BaseModel):
    """A development an alert reports (``alerts.serialize.development``)."""

    event_id: str = Field(description="The story's event (empty for entity/query alerts).")
    action: str
    label: str
    modality: str
    novelty: str = Field(description="new, update, or reported (entity and query alerts).")
    when: TimeSpanOut | None
    verdict: str | None
    sentence: str


class DeliveryOut(BaseModel):
    """An alert's webhook delivery state (``alerts.serialize.delivery_state``)."""

    status: Literal["pending", "delivered"]
    attempts: int
    last_error: str | None
    last_attempt: str | None = Field(description=_TIME)
    delivered_at: str | None = Field(description=_TIME)
    next_attempt: str | None = Field(description=_TIME)


class AlertOut(BaseModel):
    """``alerts.serialize.alert``: what was new for a follow."""

    id: str
    follow_id: str
    kind: Literal["development", "new_story", "story"]
    story_id: str
    story_title: str
    article_id: str
    article_title: str
    article_url: str | None
    outlet: str | None
    published: str = Field(description=_TIME)
    created_at: str = Field(description=_TIME)
    developments: list[AlertDevelopmentOut]
    delivery: DeliveryOut | None = Field(description="Null when no webhook was configured.")


class AlertListOut(BaseModel):
    """One page of alerts, most recent first."""

    total: int = Field(description="Alerts matching, over all pages.")
    items: list[AlertOut]
    limit: int
    offset: int


# --------------------------------------------------------------------------- feeds


class FeedOut(BaseModel):
    """``feeds.sources.health``: a followed feed, its schedule and health."""

    url: str
    title: str | None = Field(description="The feed's own title, once fetched.")
    site_url: str | None = Field(description="The site it was discovered from, if any.")
    state: Literal["new", "ok", "failing"] = Field(
        description="new: never polled; failing: its last poll failed (it is still polled).")
    added_at: str | None = Field(description=_TIME)
    last_fetch: str | None = Field(description="Last poll. " + _TIME)
    last_status: Literal["ok", "not modified", "error"] | None
    last_new_entry: str | None = Field(description="Last poll that found new entries. " + _TIME)
    last_error: str | None = Field(description="Why the last failed poll failed.")
    last_error_at: str | None = Field(description=_TIME)
    consecutive_errors: int = Field(description="Failed polls in a row (backoff grows).")
    next_check: str | None = Field(description="When it is due. " + _TIME)
    overdue: bool = Field(description="Due now (storyline watch polls it next round).")
    interval: float = Field(description="Polling interval in seconds, adapted to the feed.")
    entries_seen: int = Field(description="Entries recorded as seen (never ingested twice).")


class FeedListOut(BaseModel):
    """Every followed feed, in URL order."""

    items: list[FeedOut]


class FeedAddOut(BaseModel):
    """The feed a POST follows."""

    feed: FeedOut
    new: bool = Field(description="False when it was already followed.")


class FeedDeletedOut(BaseModel):
    """The feed a DELETE stopped following, as it was."""

    deleted: FeedOut
