"""Story-level views built from the articles' enrichment: events, timeline, coverage.

Needs: a story's articles (``ArticleSummary``, in publication order) and their
``ArticleEnrichment`` (developments). Fills a ``StoryView``:

* **events** — developments from different articles that refer to the same real-world event,
  linked (``link_events``): same action, no conflicting agent, shared participants (or, for
  events without named participants such as earthquakes, shared places), and compatible
  times — overlapping, or within ``LinkOptions.forecast_gap_days`` when one side is a forecast
  (so that a forecast proved wrong still meets its outcome). Each event knows its state over
  time (the modality each article gave it) and whether a forecast came true, tested against
  the latest dated forecast of an earlier report (``TimelineEntry.forecast_of`` names it): a
  later, firmer report whose interval lies within the forecast's (or holds it) is
  ``confirmed``, a disjoint one ``contradicted``, a partly overlapping one ``revised``; a
  cancellation, denial or postponement ``contradicted``. A forecast of a start ("strike from
  Wednesday") is open-ended: a report of the strike on Thursday confirms it. A forecast dated
  before its own report (a resolver's slip) tests nothing. Tolls (``deaths``, ``injuries``
  with a count) are linked beside the main developments.
* **timeline** — the main developments in report order, each marked ``new`` (first report of
  its event), ``update`` (the event was known; this changes its state, time or places),
  ``repeated`` (nothing the story did not already know) or ``background`` (first mention of
  an event that happened long before the report: "since Moscow launched its invasion in
  February 2022" in a 2024 story), with report and event dates.
* **coverage** — which outlets reported which events, and the evaluative wording
  ("rigged", "so-called", "brutal") one outlet uses about the story that no other does.

A copy (``ArticleSummary.copy_of``: the same text re-posted or syndicated, see
``stories/copies.py``) counts once, as its original: it adds no timeline rows, event states,
wording or "reported by" outlets; ``Coverage.carried`` lists the outlets that ran copies and
of which originals.
* **entities** — the story's main entities (from the store).

Everything here is pure computation over values; ``build_story_view`` is the one function that
reads a store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from storyline.enrich.lexicon import FORECASTS
from storyline.models import (
    ArticleEnrichment,
    ArticleSummary,
    Development,
    EntityRecord,
    StoryDetail,
    TimeSpan,
)
from storyline.store.base import Store

__all__ = [
    "EVALUATIVE_TERMS",
    "Coverage",
    "Event",
    "EventState",
    "LinkOptions",
    "StoryView",
    "TimelineEntry",
    "WordingNote",
    "build_story_view",
    "development_label",
    "evaluative_phrases",
    "link_events",
    "story_view",
]

#: How firm a report is: a later report at least this firm can confirm an earlier forecast.
_FIRMNESS = {
    "rumoured": 0, "expected": 1, "postponed": 1, "planned": 2, "announced": 3, "happened": 4,
    "denied": 0, "cancelled": 4,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class LinkOptions:
    """Settings of event linking."""

    #: A forecast and a later report of the same action and participants are linked when
    #: their intervals are at most this many days apart (a missed forecast is still the event).
    forecast_gap_days: int = 31
    #: Link only each article's main developments (the timeline's rows).
    main_only: bool = True
    #: A new event that happened more than this many days before its report is background:
    #: longer than a story stays open (``Settings.window_days``, 75), so not this story's news.
    background_days: int = 90


@dataclass(frozen=True, slots=True)
class EventState:
    """What one article said about an event."""

    article_id: str
    published: str
    outlet: str | None
    modality: str
    when: TimeSpan | None
    attribution: str
    attribution_kind: str
    novelty: str
    verdict: str | None = None
    #: A forecast of a start ("on strike from Wednesday"): later dates do not contradict it.
    open_ended: bool = False


@dataclass(slots=True)
class Event:
    """A real-world event as the story came to know it."""

    id: str
    action: str
    participants: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    states: list[EventState] = field(default_factory=list)
    #: Everyone linked to it so far (participants, agents, acting sources).
    parties: list[str] = field(default_factory=list)
    #: The latest report's modality; the most specific interval reported so far.
    state: str = ""
    when: TimeSpan | None = None
    #: confirmed | contradicted | revised | None (no forecast tested yet)
    forecast: str | None = None
    outlets: list[str] = field(default_factory=list)
    #: The latest toll, for ``deaths`` and ``injuries``.
    count: int | None = None

    @property
    def label(self) -> str:
        return development_label(self.action, self.participants, self.places, self.count)


def development_label(
    action: str, participants: Sequence[str], places: Sequence[str], count: int | None = None
) -> str:
    """How a development or event reads in a list: ``visit — Putin, Xi — in China``,
    ``deaths: 2 — in Dayton``; every front end labels a timeline row with its own report's
    names only."""
    who = ", ".join(participants[:3])
    where = ", ".join(places[:3])
    parts = [action if count is None else f"{action}: {count}"]
    if who:
        parts.append(who)
    if where:
        parts.append(f"in {where}")
    return " — ".join(parts)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One row of a story's timeline: a development as one article reported it."""

    article_id: str
    published: str
    outlet: str | None
    title: str
    development: Development
    event_id: str
    novelty: str
    verdict: str | None = None
    #: The earlier report whose forecast ``verdict`` judges (None without a verdict).
    forecast_of: EventState | None = None


@dataclass(frozen=True, slots=True)
class WordingNote:
    """Evaluative wording one outlet uses and the story's other outlets do not."""

    outlet: str
    terms: tuple[str, ...]
    article_id: str
    context: str


@dataclass(slots=True)
class Coverage:
    """Who reported what: events per outlet, and outlet-specific evaluative wording."""

    outlets: dict[str, list[str]] = field(default_factory=dict)
    wording: list[WordingNote] = field(default_factory=list)
    #: Outlet → the original articles it ran copies of (their events are the originals').
    carried: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class StoryView:
    """Everything ``storyline show`` and ``report`` print about one story."""

    story: StoryDetail
    timeline: list[TimelineEntry]
    events: list[Event]
    entities: list[EntityRecord]
    coverage: Coverage
    #: Articles of the story without stored enrichment (ingested with enrichment off).
    unenriched: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- linking


def _days(span: TimeSpan) -> tuple[date, date]:
    return date.fromisoformat(span.start), date.fromisoformat(span.end)


def _gap(a: TimeSpan, b: TimeSpan) -> int:
    """Days between two intervals (0 when they overlap)."""
    a0, a1 = _days(a)
    b0, b1 = _days(b)
    if a0 <= b1 and b0 <= a1:
        return 0
    return (b0 - a1).days if b0 > a1 else (a0 - b1).days


def _within(inner: TimeSpan, outer: TimeSpan) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _verdict(later: TimeSpan, forecast: EventState) -> str:
    """How a firmer report's interval bears on a dated forecast."""
    assert forecast.when is not None
    if _within(later, forecast.when) or _within(forecast.when, later):
        return "confirmed"
    if forecast.open_ended and later.start >= forecast.when.start:
        return "confirmed"  # "on strike from Wednesday", reported on strike on Thursday
    if _gap(later, forecast.when) > 0:
        return "contradicted"
    return "revised"


#: Words before a date that make it the start of something lasting ("from Wednesday").
_START_RE = r"\b(?:from|starting(?:\s+on)?|beginning(?:\s+on)?|as\s+of|effective)\s+"


def _open_ended(dev: Development) -> bool:
    """Whether ``dev``'s date is when it starts, not when all of it happens."""
    if dev.when is None:
        return False
    text = dev.when.text
    if re.match(_START_RE.removeprefix(r"\b"), text, re.IGNORECASE):
        return True
    return re.search(_START_RE + re.escape(text), dev.sentence, re.IGNORECASE) is not None


#: Modalities that undo a forecast whatever date they give ("postponed until July").
_UNDOING = frozenset({"postponed", "cancelled", "denied"})


def _time_ok(dev: Development, event: Event, opts: LinkOptions) -> bool:
    times = [s.when for s in event.states if s.when is not None]
    if dev.when is None or not times:
        return True
    if dev.modality in _UNDOING and any(s.modality in FORECASTS for s in event.states):
        return True
    if any(_gap(dev.when, t) == 0 for t in times):
        return True
    forecast = dev.modality in FORECASTS or any(s.modality in FORECASTS for s in event.states)
    return forecast and min(_gap(dev.when, t) for t in times) <= opts.forecast_gap_days


def _parties(dev: Development) -> set[str]:
    """Who an event involves, for linking: participants, the agent, and a named source that
    is a body or a person (the company announcing its own recall)."""
    parties = set(dev.participants)
    if dev.agent:
        parties.add(dev.agent)
    if dev.attribution.kind in ("person", "institution") and dev.attribution.name:
        parties.add(dev.attribution.name)
    return parties


def _score(dev: Development, event: Event, opts: LinkOptions) -> float | None:
    """How well ``dev`` fits ``event``; None when it cannot be the same event.

    Shared parties link; without them (none named, or the small NER model naming different
    ones) a link needs both sides dated and compatible, and places that do not disagree.
    """
    if dev.action != event.action or not _time_ok(dev, event, opts):
        return None
    mine = _parties(dev)
    shared = mine & set(event.parties)
    places = set(dev.places) & set(event.places)
    if dev.places and event.places and not places and not shared:
        return None
    if not shared and mine and event.parties:
        times = [s.when for s in event.states if s.when is not None]
        if dev.when is None or not times:
            return None
    overlap = 0.0
    if dev.when is not None and event.when is not None and _gap(dev.when, event.when) == 0:
        overlap = 2.0
    return 2.0 * len(shared) + len(places) + overlap + 0.1


def link_events(
    reports: Sequence[tuple[ArticleSummary, Sequence[Development]]],
    *,
    options: LinkOptions | None = None,
) -> tuple[list[Event], list[TimelineEntry]]:
    """Link the developments of a story's articles (given in publication order) into events.

    Returns the events (in order of first report) and the timeline: one entry per linked
    development, in report order, with its novelty and forecast verdict.
    """
    opts = options or LinkOptions()
    events: list[Event] = []
    timeline: list[TimelineEntry] = []
    for article, developments in reports:
        used: set[str] = set()
        for dev in developments:
            if opts.main_only and not dev.main and dev.count is None:
                continue
            scored = [
                (score, event) for event in events
                if event.id not in used and (score := _score(dev, event, opts)) is not None
            ]  # fmt: skip
            if scored:
                event = max(scored, key=lambda pair: pair[0])[1]
                novelty = _novelty(dev, event)
            else:
                event = Event(id=f"ev{len(events) + 1}", action=dev.action)
                events.append(event)
                novelty = "background" if _history(dev, article, opts) else "new"
            used.add(event.id)
            forecast = _standing_forecast(event)
            verdict = _forecast_verdict(dev, forecast)
            _absorb(event, dev, article, novelty, verdict)
            timeline.append(
                TimelineEntry(
                    article.id,
                    article.published.date().isoformat(),
                    article.outlet,
                    article.title,
                    dev,
                    event.id,
                    novelty,
                    verdict,
                    forecast if verdict is not None else None,
                )  # fmt: skip
            )
    return events, timeline


def _history(dev: Development, article: ArticleSummary, opts: LinkOptions) -> bool:
    """Whether ``dev`` reports an event that was over long before ``article`` was written."""
    if dev.modality != "happened" or dev.when is None:
        return False
    age = article.published.date() - date.fromisoformat(dev.when.end)
    return age.days > opts.background_days


def _novelty(dev: Development, event: Event) -> str:
    if dev.modality != event.state:
        return "update"
    if dev.when is not None and (event.when is None or (
        dev.when != event.when and _within(dev.when, event.when)
    )):  # fmt: skip
        return "update"
    if set(dev.places) - set(event.places) or set(dev.participants) - set(event.participants):
        return "update"
    if dev.count is not None and dev.count != event.count:
        return "update"
    return "repeated"


def _standing_forecast(event: Event) -> EventState | None:
    """The forecast a new report of ``event`` is tested against: the latest dated one of an
    earlier report (a postponement's new date replaces the first), skipping any dated before
    its own report (no forecast is of the past)."""
    forecasts = [
        s for s in event.states
        if s.modality in FORECASTS and s.when is not None and s.when.end >= s.published
    ]  # fmt: skip
    if not forecasts:
        return None
    return forecasts[-1]


def _forecast_verdict(dev: Development, forecast: EventState | None) -> str | None:
    """How this report bears on ``forecast`` (``_standing_forecast``): see the module
    docstring."""
    if forecast is None or forecast.when is None:
        return None
    if dev.modality in ("cancelled", "denied"):
        return "contradicted"
    if dev.modality == "postponed":
        return "contradicted" if dev.when is None or _gap(dev.when, forecast.when) > 0 else None
    if dev.when is None:
        return None
    mine, theirs = _FIRMNESS.get(dev.modality, 0), _FIRMNESS.get(forecast.modality, 0)
    if mine < theirs:
        return None
    verdict = _verdict(dev.when, forecast)
    if mine == theirs and verdict != "contradicted":
        return None  # the same forecast again is no test of it
    if mine == theirs:
        return "revised"  # another forecast, of another date
    return verdict


def _absorb(
    event: Event, dev: Development, article: ArticleSummary, novelty: str, verdict: str | None
) -> None:
    event.states.append(
        EventState(
            article.id,
            article.published.date().isoformat(),
            article.outlet,
            dev.modality,
            dev.when,
            dev.attribution.label,
            dev.attribution.kind,
            novelty,
            verdict,
            _open_ended(dev) and dev.modality in FORECASTS,
        )  # fmt: skip
    )
    if dev.count is not None:
        event.count = dev.count
    for name in dev.participants:
        if name not in event.participants:
            event.participants.append(name)
    for name in sorted(_parties(dev)):
        if name not in event.parties:
            event.parties.append(name)
    for name in dev.places:
        if name not in event.places:
            event.places.append(name)
    event.state = dev.modality
    if dev.when is not None and (event.when is None or _firmer_time(dev, event)):
        event.when = dev.when
    if verdict is not None:
        event.forecast = verdict
    if article.outlet and article.outlet not in event.outlets:
        event.outlets.append(article.outlet)


def _firmer_time(dev: Development, event: Event) -> bool:
    assert dev.when is not None and event.when is not None
    return _within(dev.when, event.when) or _FIRMNESS.get(dev.modality, 0) >= 2


# --------------------------------------------------------------------------- wording

#: Evaluative words and phrases: loaded adjectives, scare quotes in word form, labels that
#: take a side. Matched case-insensitively as whole words.
EVALUATIVE_TERMS: tuple[str, ...] = (
    "rigged", "unfair", "sham", "farcical", "fraudulent", "stolen election", "bogus",
    "brutal", "barbaric", "savage", "ruthless", "heinous", "atrocious", "horrific",
    "illegal", "illegitimate", "unlawful", "so-called", "self-proclaimed", "self-styled",
    "controversial", "notorious", "infamous", "disgraced", "embattled", "beleaguered",
    "authoritarian", "dictator", "dictatorship", "regime", "strongman", "despot", "tyrant",
    "puppet", "propaganda", "mouthpiece", "war criminal", "terrorist", "extremist",
    "radical", "hardline", "hard-line", "draconian", "heavy-handed", "crackdown",
    "unprovoked", "aggression", "aggressor", "occupiers", "invaders", "genocide",
    "massacre", "slaughter", "atrocities", "corrupt", "kleptocratic", "outrageous",
    "shameful", "disgraceful", "reckless", "shocking", "catastrophic", "disastrous",
    "unprecedented", "historic", "landmark", "opportunistic", "staggering", "whopping",
    "lavish", "slammed", "blasted", "lambasted", "broadly regarded as",
    "widely seen as", "widely criticised", "widely criticized",
)  # fmt: skip
_TERM_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in
                        sorted(EVALUATIVE_TERMS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)  # fmt: skip
_QUOTED_RE = re.compile(r"[\"“][^\"”]{0,400}[\"”]")


def evaluative_phrases(text: str) -> list[tuple[str, str]]:
    """(term, sentence) for each evaluative term in ``text`` outside quotations (a quoted
    source's words are theirs, not the outlet's)."""
    quoted = [m.span() for m in _QUOTED_RE.finditer(text)]
    out: list[tuple[str, str]] = []
    for m in _TERM_RE.finditer(text):
        if any(a <= m.start() < b for a, b in quoted):
            continue
        lo = max(text.rfind(". ", 0, m.start()) + 2, text.rfind("\n", 0, m.start()) + 1, 0)
        ends = [i for i in (text.find(". ", m.end()), text.find("\n", m.end())) if i != -1]
        hi = min(ends) + 1 if ends else len(text)
        out.append((" ".join(m.group(0).lower().split()), " ".join(text[lo:hi].split())))
    return out


def coverage(
    timeline: Sequence[TimelineEntry], texts: Sequence[tuple[ArticleSummary, str]]
) -> Coverage:
    """Events per outlet, and evaluative wording unique to one outlet of the story."""
    cover = Coverage()
    for entry in timeline:
        outlet = entry.outlet or "?"
        events = cover.outlets.setdefault(outlet, [])
        if entry.event_id not in events:
            events.append(entry.event_id)
    by_term: dict[str, dict[str, tuple[str, str]]] = {}
    for article, text in texts:
        outlet = article.outlet or "?"
        cover.outlets.setdefault(outlet, [])
        for term, context in evaluative_phrases(text):
            by_term.setdefault(term, {}).setdefault(outlet, (article.id, context))
    # Terms one outlet alone uses, grouped by the sentence they occur in.
    notes: dict[tuple[str, str, str], list[str]] = {}
    for term, outlets in by_term.items():
        if len(outlets) == 1 and len(cover.outlets) > 1:
            outlet, (article_id, context) = next(iter(outlets.items()))
            notes.setdefault((outlet, article_id, context), []).append(term)
    for (outlet, article_id, context), terms in notes.items():
        cover.wording.append(WordingNote(outlet, tuple(terms), article_id, context))
    cover.wording.sort(key=lambda n: (n.outlet, n.context))
    return cover


# --------------------------------------------------------------------------- the view


def story_view(
    story: StoryDetail,
    enrichment: dict[str, ArticleEnrichment],
    texts: Sequence[tuple[ArticleSummary, str]],
    entities: Sequence[EntityRecord] = (),
    *,
    options: LinkOptions | None = None,
) -> StoryView:
    """Build the view of ``story`` from its articles' enrichment and texts (no store).
    Copies count once, as their originals (see the module docstring)."""
    originals = [a for a in story.articles if a.copy_of is None]
    reports = [(a, enrichment[a.id].developments) for a in originals if a.id in enrichment]
    events, timeline = link_events(reports, options=options)
    cover = coverage(timeline, [(a, text) for a, text in texts if a.copy_of is None])
    for copy in story.articles:
        if copy.copy_of is not None:
            carried = cover.carried.setdefault(copy.outlet or "?", [])
            if copy.copy_of not in carried:
                carried.append(copy.copy_of)
    return StoryView(
        story=story,
        timeline=timeline,
        events=events,
        entities=list(entities),
        coverage=cover,
        unenriched=[a.id for a in originals if a.id not in enrichment],
    )


def build_story_view(
    store: Store, story_id: str, *, options: LinkOptions | None = None
) -> StoryView:
    """Read one story and its enrichment from ``store`` and build its view.

    All reads happen in one read snapshot (``Store.read_snapshot``), so an ingest committing
    meanwhile cannot make the story and its articles disagree. Raises ``NotFoundError`` for an
    unknown story.
    """
    with store.read_snapshot():
        story = store.get_story(story_id)
        ids = [a.id for a in story.articles]
        enrichment = store.article_enrichment(ids)
        summaries = {a.id: a for a in story.articles}
        texts = [(summaries[a.id], a.text) for a in store.iter_articles(story_id=story_id)
                 if a.id in summaries]  # belt and braces for a store without snapshots
        entities = store.story_entities(story_id)
    return story_view(story, enrichment, texts, entities, options=options)
