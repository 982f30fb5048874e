"""Developments: the events an article reports, and the enrichment stage that finds them.

Needs: ``Article`` (title, text, published, outlet). Fills: ``ArticleEnrichment`` per article —
its entities (entities.py), resolved dates (dates.py), attributed statements (attribution.py)
and developments. ``enrich_articles`` is the batch-in/batch-out stage the pipeline runs.

A development is an *action* from a small lexicon of event words (``lexicon.py``: verbs and
nouns by lemma — visit, meeting, signing, attack, vote, strike, verdict, recall, acquisition,
earthquake, flood, transfer, ...) found in a body sentence (``triggers.py``), with:

* participants — the people and organisations in the sentence, less the statement's source;
* places — the places in the sentence;
* when — the resolved date span nearest the action word in the sentence (a date that dates
  the *report*, "said on Tuesday", is skipped), else one from the next or previous sentence;
* modality — ``rumoured``, ``expected``, ``planned``, ``announced``, ``happened``, ``denied``,
  ``cancelled`` or ``postponed``, from cue words in the clause before the action word, the
  tense of the action verb (or of the verb governing an action noun: "opened an
  investigation") and the kind of source (anonymous sources make a forecast a rumour), see
  ``modality.py``;
* attribution — the source of the sentence (attribution.py).

Mentions of the same event within an article (same action, no conflicting participants,
overlapping times, both forecasts or both past) are merged; the merged development keeps the
first mention's modality, the first named source and the narrowest time. A definite mention
("the fire", "the blaze") refers back to the event and lends it no names: "the Fire Marshal
has taken over the investigation into the cause of the fire" gives the fire no actor. An
organisation named right after "in" or heading a dateline is a place ("a factory in Dayton").
Developments are ranked by salience (in the title, in the lede, mentioned again); the top
``max_main`` are the article's *main* developments, the ones a timeline shows.

German, Spanish and French articles get theirs from ``foreign_developments.py`` (word forms
per language, the same merging and ranking), not from the English tags and lemmas used here.

Tolls — deaths and injuries with their counts ("killing two workers and injuring five") —
are developments too (``casualties.py``, ``Development.count``), dated and placed like the
event their sentence reports; never main, the timeline shows them beside it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from storyline.enrich.attribution import (
    REPORTING_VERBS,
    EntitySpan,
    SourceMap,
    find_attributions,
    is_media_name,
)
from storyline.enrich.casualties import toll_developments
from storyline.enrich.date_lexicon import number as count_of
from storyline.enrich.dates import resolve_dates
from storyline.enrich.entities import (
    EntityLookup,
    EntityResolver,
    LocalEntity,
    Mention,
    article_entities,
    find_mentions,
    name_key,
    parse_texts,
    propagate_mentions,
)
from storyline.enrich.foreign_developments import ACTIONS as FOREIGN_ACTIONS
from storyline.enrich.foreign_developments import find_foreign_developments
from storyline.enrich.lexicon import OFFICIAL_ACTS
from storyline.enrich.merge import is_definite, merge_mentions, rank, unique
from storyline.enrich.modality import clause_window, find_modality
from storyline.enrich.recalls import recall_spans
from storyline.enrich.spans import nearest_date, shift_source, shift_span
from storyline.enrich.triggers import SentenceView, Trigger, find_triggers
from storyline.models import (
    Article,
    ArticleEnrichment,
    ArticleEntity,
    Attribution,
    Development,
    TimeSpan,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc


__all__ = [
    "Analysed",
    "EnrichOptions",
    "analyse_articles",
    "enrich_articles",
    "find_developments",
    "resolve_stored",
]

log = logging.getLogger(__name__)



# --------------------------------------------------------------------------- data types


@dataclass(frozen=True, slots=True)
class EnrichOptions:
    """Settings of the enrichment stage."""

    #: Documents per ``nlp.pipe`` batch.
    batch_size: int = 32
    #: Processes for ``nlp.pipe`` (2 gains ~20% on two free cores; 1 avoids forking).
    n_process: int = 1
    #: Longest body analysed, in characters (longer texts are cut; news rarely is).
    max_chars: int = 30_000
    #: Developments per article marked ``main``.
    max_main: int = 3
    #: Where spaCy's NER reads (``ner_scope.NER_SCOPES``): ``"sentences"``, the lede and the
    #: sentences with a new capitalised word, the article's found names matched elsewhere;
    #: ``"full"``, every sentence (~40% more recogniser CPU, issue 10).
    ner: str = "sentences"


def _report_date(s: SentenceView, span_start: int) -> bool:
    """Whether a date right after a reporting verb dates the report ("said on Tuesday")."""
    tokens = [t for t in s.sent if t.idx < span_start][-6:]
    for back, tok in enumerate(reversed(tokens)):
        if tok.tag_.startswith("VB") and tok.lemma_.lower() in REPORTING_VERBS:
            between = tokens[len(tokens) - back :]
            return all(
                t.lower_ in ("on", "in", "a", "an", "its", "the", "statement", "filing", "late",
                             "early", "joint", ",", "publicly", "also")
                for t in between
            )  # fmt: skip
    return False


def _choose_when(
    s: SentenceView,
    trig: Trigger,
    spans: Sequence[TimeSpan],
    *,
    report: bool = False,
    others: Sequence[Trigger] = (),
) -> TimeSpan | None:
    """The date nearest the action word (after it, within a clause, preferred); dates of the
    report itself ("said on Tuesday") only with ``report``; a date nearer another event word
    of the sentence is that event's ("declared ... on Wednesday, a day after an earthquake")."""
    pos = trig.token.idx

    def clause(t: Trigger) -> tuple[int, int]:
        window = clause_window(s, t)
        return window[0].idx, window[-1].idx + len(window[-1])

    own = clause(trig)
    theirs = [clause(o) for o in others if o is not trig]

    def inside(span: TimeSpan, rng: tuple[int, int]) -> bool:
        return rng[0] <= span.start_char < rng[1]

    pool = [t for t in spans if _report_date(s, t.start_char) == report]
    # A date with another event word between it and this one is that event's: "police on
    # Friday arrested a man in the hit-and-run crash" dates the arrest, not the crash.
    between = [o.token.idx for o in others if o is not trig]
    pool = [t for t in pool if not any(t.end_char <= b < pos or pos < b < t.start_char
                                       for b in between)]
    candidates = [t for t in pool if inside(t, own)] or [
        t for t in pool if not any(inside(t, rng) for rng in theirs)
    ]
    if not candidates:
        return None

    return nearest_date(candidates, pos)


_ON_THE_WORD = re.compile(r"(?:['’]s)?\s*")
_DESCRIBES = re.compile(r"\s+(?:that|which)\s[^;:]*$")


#: What lies between a date and an event word it is counted from: "Friday, two days after a
#: hit-and-run crash", "on Tuesday, a week after the".
_COUNTED_AFTER = re.compile(
    r"[,\s]+(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(day|week)s?"
    r"\s+after\s+(?:(?:a|an|the|last|this|its|their|his|her)\s+)?(?:[\w'’-]+\s+){0,3}$",
    re.IGNORECASE,
)


def _counted_back(when: TimeSpan, trig: Trigger, text: str) -> TimeSpan:
    """``when`` moved back to the event it counts from: "turned himself in Friday, two days
    after a hit-and-run crash" dates the crash two days before Friday."""
    if when.end_char > trig.token.idx or when.granularity != "day":
        return when
    m = _COUNTED_AFTER.fullmatch(text, when.end_char, trig.token.idx)
    if m is None:
        return when
    days = count_of(m.group(1)) * (7 if m.group(2).lower() == "week" else 1)
    day = date.fromordinal(date.fromisoformat(when.start).toordinal() - days).isoformat()
    return replace(when, start=day, end=day)


def _date_on(trig: Trigger, spans: Sequence[TimeSpan], text: str) -> TimeSpan | None:
    """A date written on the action word itself: "Saturday's stabbing", "the Feb. 24
    shooting"."""
    for span in spans:
        if span.end_char <= trig.token.idx and _ON_THE_WORD.fullmatch(
            text, span.end_char, trig.token.idx
        ):
            return span
    return None


def _charged_when(s: SentenceView, trig: Trigger, triggers: Sequence[Trigger],
                  spans: Sequence[TimeSpan], text: str, published: date) -> TimeSpan | None:
    """The date of a crime named as a charge: one written on it ("Saturday's stabbing"), or
    the sentence's date nearest it when that ended before the day of publication and is no
    other event's ("charged over a crash that killed a mother of two last week"), not the
    day of the charge or the hearing ("charged with murder ... appeared in court Tuesday")."""
    own = _date_on(trig, spans, text)
    if own is not None:
        return own
    end = trig.token.idx + len(trig.token)
    today = published.isoformat()
    # The clause that describes it: "a crash that killed a mother of two last week".
    described = next((t for t in spans if end <= t.start_char < s.sent.end_char
                      and _DESCRIBES.match(text, end, t.start_char)), None)  # fmt: skip
    if described is not None:
        return described if described.end < today else None
    when = _choose_when(s, trig, spans, others=triggers)
    if when is None or when.end >= today:
        return None
    taken = [_choose_when(s, t, spans, others=triggers) for t in triggers if not t.charged]
    return None if any(t == when for t in taken) else when


def _find_in_sentence(
    index: int,
    s: SentenceView,
    triggers: Sequence[Trigger],
    *,
    entities: Sequence[EntitySpan],
    entity_types: dict[int, str],
    spans: Sequence[TimeSpan],
    neighbour_spans: dict[str, list[TimeSpan]],
    sources: SourceMap,
    published: date,
    text: str,
    lede: bool = False,
) -> list[Development]:
    """The developments of one sentence; ``text`` is the whole ``doc.text`` (built once per
    document: spaCy joins every token each time it is asked)."""
    sent = s.sent
    source = sources.for_sentence(index)
    source_text = f"{source.name or ''} {source.citing or ''}" if source.kind != "outlet" else ""
    lo, hi = source.source_start, source.source_end
    if source.sentence != index:
        lo = hi = 0
    actors = [
        e for e in entities
        if sent.start_char <= e.start_char < sent.end_char and not e.adjectival
        and e.name not in source_text and not (e.type == "org" and is_media_name(e.name))
        and not (lo <= e.start_char < hi)
    ]  # fmt: skip
    # Several words for the same action in one sentence are one development, unless they have
    # different agents ("Putin's trip will precede Xi's planned visit").
    chosen: list[tuple[Trigger, str | None]] = []
    charged_when: dict[int, TimeSpan] = {}  # token index -> the date of a crime named as a charge
    for trig in triggers:
        if trig.charged:
            dated = _charged_when(s, trig, triggers, spans, text, published)
            if dated is None:
                continue  # "charged with murder": the crime is no news of this sentence
            charged_when[trig.token.i] = dated
        agent = _agent(s, trig, actors, text)
        same = [c for c in chosen if c[0].action == trig.action]
        if same and (agent is None or any(a == agent for _, a in same)):
            continue
        chosen.append((trig, agent))
    out: list[Development] = []
    lede_announced = False
    for number, (trig, agent) in enumerate(chosen):
        mine = _segment(trig, [c[0] for c in chosen], actors, sent.end_char)
        places = unique(e.name for e in mine if _role(e, text) == "place")
        participants = unique(
            e.name for e in mine if _role(e, text) == "actor" and e.name not in places
        )
        others = [c[0] for c in chosen]
        when = (charged_when[trig.token.i] if trig.charged
                else _choose_when(s, trig, spans, others=others))
        if when is not None:
            when = _counted_back(when, trig, text)
        if when is None and agent is None and not trig.charged:
            when = next(iter(neighbour_spans.get(trig.action, ())), None)
        own = source
        if source.sentence == index and source.cue and trig.token.text == source.cue:
            # The reporting verb is the event ("told the jury"): the speaker acts, the outlet
            # reports.
            own = Attribution("outlet", sources.outlet, sentence=index)
        elif source.kind == "outlet" and trig.action in OFFICIAL_ACTS:
            own = sources.actor(index) or source
        # The lede's first event, and the events beside an announced one, are the news.
        headline = lede and (number == 0 or lede_announced)
        modality = find_modality(s, trig, own, when, published, entity_types, headline=headline)
        if when is None and not trig.charged and (
            modality == "happened" or (modality == "announced" and trig.action in OFFICIAL_ACTS)
        ):
            # "Halvard Home said on Wednesday it is recalling": the announcement dates it.
            when = _choose_when(s, trig, spans, report=True, others=others)
            if when is not None and when.start > published.isoformat():
                when = None
        lede_announced = lede_announced or (lede and number == 0 and modality == "announced")
        if when is not None and modality == "happened" and when.start > published.isoformat():
            when = None  # a date still to come cannot date what already happened
        out.append(
            Development(
                action=trig.action, trigger=trig.token.text, sentence=_trim(sent.text),
                trigger_start=trig.token.idx, trigger_end=trig.token.idx + len(trig.token),
                start_char=sent.start_char, end_char=sent.end_char,
                participants=participants, places=places, when=when, modality=modality,
                attribution=own, agent=agent,
            )
        )  # fmt: skip
    return out


_LOCATIVE_RE = re.compile(r"\b(?:in|near|outside|across|throughout)\s+$", re.IGNORECASE)
# A dateline after the name: "DAYTON, Ohio — ".
_DATELINE_RE = re.compile(r"^,?\s*(?:[A-Z][\w.]*\s*){0,3}\s*[—–-]{1,2}\s")


def _role(e: EntitySpan, text: str) -> str | None:
    """Whether a name takes part (``actor``) or says where (``place``); an organisation right
    after "in" or "near", or heading a dateline ("DAYTON, Ohio —"), is a place the small NER
    model mistyped ("a factory in Dayton")."""
    if e.type == "place":
        return "place"
    if e.type == "org" and (
        _LOCATIVE_RE.search(text[max(0, e.start_char - 12) : e.start_char])
        or _DATELINE_RE.match(text[e.end_char : e.end_char + 30])
    ):
        return "place"
    return "actor" if e.type in ("person", "org") else None


def _segment(
    trig: Trigger, chosen: Sequence[Trigger], actors: Sequence[EntitySpan], end: int
) -> list[EntitySpan]:
    """The sentence's names that belong to ``trig``: all of them, unless another trigger of
    the same action shares the sentence; then those nearer to this trigger than to it."""
    rivals = [t for t in chosen if t.action == trig.action and t is not trig]
    if not rivals:
        return list(actors)
    pos = trig.token.idx

    def nearest(e: EntitySpan) -> bool:
        mine = abs(e.start_char - pos)
        return all(mine <= abs(e.start_char - r.token.idx) for r in rivals)

    return [e for e in actors if nearest(e)]


def _agent(s: SentenceView, trig: Trigger, actors: Sequence[EntitySpan], text: str) -> str | None:
    """Who does it: the possessor of a noun ("Xi's visit") or the nearest name before a verb
    (``text``: the document's text)."""
    pos = trig.token.idx
    before = [e for e in actors if e.end_char <= pos and e.type in ("person", "org")]
    if not before:
        return None
    last = before[-1]
    gap = text[last.end_char : pos]
    if not trig.is_verb:
        return last.name if re.match(r"^\s*['’]s?\s+(?:[\w-]+\s+){0,2}$", gap) else None
    return last.name if len(gap.split()) <= 4 and "," not in gap else None


def _trim(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def find_developments(
    doc: Doc,
    *,
    body_start: int,
    entities: Sequence[EntitySpan],
    spans: Sequence[TimeSpan],
    sources: SourceMap,
    published: date,
    max_main: int = 3,
    recalls: Sequence[tuple[int, int]] | None = None,
) -> list[Development]:
    """The developments reported in ``doc``'s body (from ``body_start``), merged and ranked.

    ``spans`` are the resolved dates in ``doc`` coordinates; ``sources`` the article's
    attributions; ``recalls`` the body's ``recall_spans`` when the caller has them already
    (found here otherwise). Sentences before ``body_start`` (the title) only raise the salience
    of the actions they mention. Offsets in the result are relative to the body.
    """
    token_types: dict[int, str] = {}
    for e in entities:
        span = doc.char_span(e.start_char, e.end_char, alignment_mode="expand")
        if span is not None:
            for tok in span:
                token_types[tok.i] = e.type
    sents = list(doc.sents)
    by_sentence: list[list[TimeSpan]] = [[] for _ in sents]
    for t in spans:
        for i, sent in enumerate(sents):
            if sent.start_char <= t.start_char < sent.end_char:
                by_sentence[i].append(t)
                break
    views = [SentenceView(sent) for sent in sents]
    triggers = []
    for index, view in enumerate(views):
        own = sources.by_sentence.get(index)
        exclude = (own.source_start, own.source_end) if own is not None else (0, 0)
        triggers.append(find_triggers(view, token_types, exclude))
    actions = [{t.action for t in found} for found in triggers]
    anaphoric = frozenset(
        t.token.idx for found in triggers for t in found if not t.is_verb and is_definite(t.token)
    )
    text = doc.text
    # Sentences recalling an earlier, different incident ("the same stretch of motorway where
    # a truck collided two weeks ago") report that incident: never the article's own event.
    if recalls is None:
        recalls = recall_spans(text[body_start:])
    recalled = [(a + body_start, b + body_start) for a, b in recalls]

    def in_recall(offset: int) -> bool:
        return any(a <= offset < b for a, b in recalled)

    title_actions: set[str] = set()
    found: list[Development] = []
    lede_end = None
    for index, sent in enumerate(sents):
        if sent.end_char <= body_start:
            title_actions.update(actions[index])
            continue
        is_lede = False
        if lede_end is None and sent.text.strip():
            lede_end = sent.end_char - body_start
            is_lede = True
        if not triggers[index]:
            found.extend(toll_developments(index, sent, (), sources, _trim(sent.text)))
            continue
        # A neighbouring sentence lends its date only to a mention of an action it reports.
        neighbours: dict[str, list[TimeSpan]] = {}
        for near in (index + 1, index - 1):
            if 0 <= near < len(sents) and sents[near].start_char >= body_start:
                for action in actions[near] & actions[index]:
                    neighbours.setdefault(action, []).extend(
                        t for t in by_sentence[near]
                        if not _report_date(views[near], t.start_char)
                        and not in_recall(t.start_char)
                    )
        events = (
            _find_in_sentence(
                index,
                views[index],
                triggers[index],
                entities=entities,
                entity_types=token_types,
                spans=by_sentence[index],
                neighbour_spans=neighbours,
                sources=sources,
                published=published,
                text=text,
                lede=is_lede,
            )  # fmt: skip
        )
        found.extend(events)
        found.extend(toll_developments(index, sent, events, sources, _trim(sent.text)))
    reported = [d for d in found if not in_recall(d.trigger_start)]
    past = [d for d in found if in_recall(d.trigger_start)]

    def to_body(devs: list[Development]) -> list[Development]:
        return [
            replace(d, start_char=d.start_char - body_start, end_char=d.end_char - body_start,
                    trigger_start=d.trigger_start - body_start,
                    trigger_end=d.trigger_end - body_start,
                    when=shift_span(d.when, -body_start),
                    attribution=shift_source(d.attribution, -body_start))
            for d in merge_mentions(devs, anaphoric, published)
        ]  # fmt: skip

    ranked = rank(to_body(reported), title_actions, lede_end or 0, max_main)
    return ranked + [replace(d, main=False, salience=0.0) for d in to_body(past)]


# --------------------------------------------------------------------------- the stage

_BYLINE_RE = re.compile(
    r"^\s*(?:by\s+\S|posted\b|published\b|updated\b|words:)|\bmin read\b", re.IGNORECASE
)


def _byline_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of byline-like lines near the top of a body."""
    ranges, pos = [], 0
    for number, line in enumerate(text.split("\n")):
        if number < 6 and _BYLINE_RE.search(line):
            ranges.append((pos, pos + len(line)))
        pos += len(line) + 1
    return ranges


def article_dates(article: Article) -> list[TimeSpan]:
    """``resolve_dates`` over the article body, without date expressions in a byline."""
    spans = resolve_dates(article.text, article.published, language=article.language)
    skip = _byline_ranges(article.text)
    return [t for t in spans if not any(a <= t.start_char < b for a, b in skip)]


@dataclass(slots=True)
class Analysed:
    """One article enriched with the batch's identities only (``analyse_articles``), and
    what ``resolve_stored`` needs to give its entities their store-wide identity."""

    enrichment: ArticleEnrichment
    #: The article's local entities, before any identity.
    entities: list[LocalEntity]
    #: Local entity key → the name the analysis gave it.
    names: dict[str, str]
    #: Each entity mention as (start, end, local entity key), offsets into the text analysed:
    #: the title and a blank line (``body_start`` characters), then the body.
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    body_start: int = 0


def enrich_articles(
    articles: Sequence[Article],
    *,
    lookup: EntityLookup | None = None,
    options: EnrichOptions | None = None,
) -> list[ArticleEnrichment]:
    """Enrich a batch of articles: entities with identity, dates, attributions, developments.

    ``lookup`` finds entities already stored (``Store.match_entities``) so that names in this
    batch join them. One result per article, in order; an article whose analysis fails gets
    an empty result with ``error`` set (logged), and the batch goes on. The same as
    ``resolve_stored(analyse_articles(...))``, the two halves the pipeline runs apart.
    """
    return resolve_stored(analyse_articles(articles, options=options), lookup=lookup)


def analyse_articles(
    articles: Sequence[Article], *, options: EnrichOptions | None = None
) -> list[Analysed]:
    """The half of enrichment that needs no store (what worker processes run): spaCy,
    entities with the identities the batch alone gives them, dates, attributions and
    developments."""
    opts = options or EnrichOptions()
    if not articles:
        return []
    heads = [f"{a.title.strip()}\n\n" if a.title.strip() else "" for a in articles]
    texts = [h + a.text[: opts.max_chars] for h, a in zip(heads, articles, strict=True)]
    docs = parse_texts(texts, batch_size=opts.batch_size, n_process=opts.n_process,
                       ner=opts.ner)
    mentions = propagate_mentions(texts, [
        find_mentions(doc, language=a.language, outlet=a.outlet)
        for doc, a in zip(docs, articles, strict=True)
    ])  # fmt: skip
    locals_ = [article_entities(m) for m in mentions]
    resolved = EntityResolver(None).resolve([ents for ents, _ in locals_])
    results: list[Analysed] = []
    for article, head, doc, found, (local, local_map), (entities, final) in zip(
        articles, heads, docs, mentions, locals_, resolved, strict=True
    ):
        names = {key: entity.name for key, entity in final.items()}
        try:
            enrichment = _enrich_one(article, len(head), doc, found, local_map, entities, final,
                                     opts)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
            log.warning("enrichment failed for %s: %s", article.id, exc, exc_info=True)
            enrichment = ArticleEnrichment(article.id, entities=entities, error=str(exc))
        spans = [(m.start_char, m.end_char, local_map[key]) for m in found
                 if (key := name_key(m.name)) in local_map]  # fmt: skip
        results.append(Analysed(enrichment, local, names, spans, len(head)))
    return results


def resolve_stored(
    analysed: Sequence[Analysed], *, lookup: EntityLookup | None = None
) -> list[ArticleEnrichment]:
    """The half of enrichment that reads the store: the batch's entities resolved against
    those already stored (``lookup``), and every name the analysis wrote (sources,
    participants, places) renamed to its store-wide canonical name. Types stay those the
    article's own text gave them. Without ``lookup`` the enrichments are the analysis's."""
    if lookup is None:
        return [a.enrichment for a in analysed]
    resolved = EntityResolver(lookup).resolve([a.entities for a in analysed])
    out: list[ArticleEnrichment] = []
    for item, (entities, final) in zip(analysed, resolved, strict=True):
        rename = {name: final[key].name for key, name in item.names.items()
                  if key in final and final[key].name != name}  # fmt: skip
        out.append(_renamed(replace(item.enrichment, entities=entities), rename))
    return out


def _renamed(enrichment: ArticleEnrichment, rename: dict[str, str]) -> ArticleEnrichment:
    if not rename:
        return enrichment

    def name(value: str | None) -> str | None:
        return rename.get(value, value) if value is not None else None

    def source(a: Attribution) -> Attribution:
        return replace(a, name=name(a.name), citing=name(a.citing))

    return replace(
        enrichment,
        attributions=[source(a) for a in enrichment.attributions],
        developments=[
            replace(d, participants=tuple(rename.get(p, p) for p in d.participants),
                    places=tuple(rename.get(p, p) for p in d.places), agent=name(d.agent),
                    attribution=source(d.attribution))
            for d in enrichment.developments
        ],
    )  # fmt: skip


def _enrich_one(
    article: Article,
    body_start: int,
    doc: Doc,
    mentions: Sequence[Mention],
    local_map: dict[str, str],
    entities: list[ArticleEntity],
    final: dict[str, ArticleEntity],
    opts: EnrichOptions,
) -> ArticleEnrichment:
    spans_body = article_dates(article)
    spans_doc = [shift_span(t, body_start) for t in spans_body]
    entity_spans = []
    for m in mentions:
        key = local_map.get(name_key(m.name))
        ent = final.get(key) if key is not None else None
        if ent is not None:
            entity_spans.append(
                EntitySpan(m.start_char, m.end_char, ent.name, ent.type, m.alias != m.name)
            )
    sources = find_attributions(doc, entity_spans, outlet=article.outlet, start_char=body_start)
    # Found once, over the whole body: developments leave these sentences out, and event
    # evidence (``stories/evidence.py``) takes them from the enrichment.
    recalls = recall_spans(article.text, spans_body)
    if article.language in FOREIGN_ACTIONS:  # German, Spanish, French: their own words
        developments = find_foreign_developments(
            doc.text, language=article.language, body_start=body_start,
            sentences=[(s.start_char, s.end_char) for s in doc.sents], entities=entity_spans,
            spans=[t for t in spans_doc if t is not None], outlet=article.outlet,
            published=article.published.date(), max_main=opts.max_main,
        )  # fmt: skip
    else:
        developments = find_developments(
            doc, body_start=body_start, entities=entity_spans,
            spans=[t for t in spans_doc if t is not None], sources=sources,
            published=article.published.date(), max_main=opts.max_main, recalls=recalls,
        )  # fmt: skip
    attributions = [shift_source(a, -body_start) for a in sources.attributions]
    return ArticleEnrichment(
        article.id, entities=entities, dates=spans_body, attributions=attributions,
        developments=developments, recalls=recalls,
    )  # fmt: skip
