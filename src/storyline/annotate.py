"""Annotations: every fact enrichment finds in an article, with character offsets into its
clean text (``storyline annotate``). A research interface: every accuracy figure of the
enrichment stages is about what it shows.

Needs: the inputs an ingest reads (records from ``ingest.readers``) or extracted articles.
Gives, per article, an ``ArticleAnnotation``: its clean text and

* entities — each mention's span, type, canonical id and name;
* timexes — each date expression's span, resolved interval (inclusive ISO days) and
  granularity;
* developments — the action word's span, the sentence's span, action, modality,
  participants, places and agent (names with their entity ids), resolved interval, source;
* attributions — the spans of the source, of the reporting cue and of what is attributed
  (the content), and the kind of source.

The articles go through the stages an ingest runs before it stores them, with the same
functions: extraction, the removal of outlet sign-offs learned over the input
(``extract/repeated.py``), then enrichment (``analyse_articles``, then ``resolve_stored``), so
what is shown is what the pipeline stores. Two differences, both about identity across
articles: the whole input is one batch (an ingest resolves entities batch by batch, against
what it stored before), and copies of another article are annotated like originals (an
ingest stores them without enrichment). Entities get the identity the batch alone gives them,
or, with a ``lookup`` into a store (``Store.match_entities``, a read), the store-wide one.

Offsets are Python string indices into the article's ``text`` (``title_entities``: into its
``title``), and every span satisfies ``text[start:end] == span.text``. The content of an
attribution is derived, as no stage stores it, by the attribution stage's own
``statement_spans`` (the PolNeAR benchmark scores the same spans): its sentence less the
source and cue and their punctuation; the longest such span.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from storyline.enrich.attribution import statement_spans
from storyline.enrich.developments import Analysed, EnrichOptions, analyse_articles, resolve_stored
from storyline.enrich.entities import EntityLookup, EntityResolver
from storyline.extract.build import ExtractOptions, extract_records
from storyline.extract.repeated import OutletTails
from storyline.ingest.readers import DEFAULT_MAX_BYTES, ReaderOptions, read_paths
from storyline.models import (
    Article,
    ArticleEnrichment,
    ArticleEntity,
    Attribution,
    Development,
    RawRecord,
    Rejection,
    TimeSpan,
)
from storyline.prepare import isolate

__all__ = [
    "AnnotateOptions",
    "AnnotateResult",
    "ArticleAnnotation",
    "AttributionAnnotation",
    "DevelopmentAnnotation",
    "EntityMention",
    "NamedRef",
    "Span",
    "Timex",
    "annotate_articles",
    "annotate_paths",
    "annotate_records",
    "annotation_json",
    "render_summary",
]

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of a text: ``text[start:end] == span.text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class EntityMention:
    """One mention of an entity, with the entity's canonical id and name."""

    span: Span
    id: str
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class Timex:
    """A date expression resolved against the article's publication date."""

    span: Span
    #: Inclusive ISO days of the interval it denotes.
    start: str
    end: str
    granularity: str
    label: str


@dataclass(frozen=True, slots=True)
class NamedRef:
    """A name as a development gives it, with its entity's id when it is one of the
    article's entities."""

    name: str
    id: str | None


@dataclass(frozen=True, slots=True)
class DevelopmentAnnotation:
    """One development (``enrich/developments.py``) located in the text."""

    action: str
    modality: str
    #: The action word; None when the stored offsets do not match it.
    trigger: Span | None
    #: The first sentence reporting it.
    sentence: Span
    participants: tuple[NamedRef, ...]
    places: tuple[NamedRef, ...]
    agent: NamedRef | None
    #: The resolved date of the event, with the expression it comes from.
    when: Timex | None
    #: Who the development is attributed to: kind, name, citing.
    source_kind: str
    source_name: str | None
    source_citing: str | None
    mentions: int
    salience: float
    main: bool


@dataclass(frozen=True, slots=True)
class AttributionAnnotation:
    """An attributed statement (``enrich/attribution.py``) located in the text."""

    kind: str
    name: str | None
    citing: str | None
    #: Where the source is named (None when it is not: "citing sources" alone).
    source: Span | None
    #: The reporting cue ("said", "according to").
    cue: Span | None
    #: What is attributed (see the module docstring).
    content: Span | None
    sentence: Span


@dataclass(slots=True)
class ArticleAnnotation:
    """Everything enrichment found in one article, located in its clean text."""

    article: Article
    entities: list[EntityMention] = field(default_factory=list)
    #: Mentions in the title, offsets into ``article.title``.
    title_entities: list[EntityMention] = field(default_factory=list)
    timexes: list[Timex] = field(default_factory=list)
    developments: list[DevelopmentAnnotation] = field(default_factory=list)
    attributions: list[AttributionAnnotation] = field(default_factory=list)
    #: Why enrichment failed on this article (it is then annotated with entities only).
    error: str | None = None


@dataclass(frozen=True, slots=True)
class AnnotateOptions:
    """Settings of an annotate run (the ingest's own, from ``Settings``)."""

    #: Bodies shorter than this many words are rejected, as an ingest rejects them.
    min_words: int = 15
    #: Largest input file read.
    max_bytes: int = DEFAULT_MAX_BYTES
    enrich_options: EnrichOptions = field(default_factory=EnrichOptions)


@dataclass(slots=True)
class AnnotateResult:
    """The annotations of a run, in input order, with the inputs refused and skipped."""

    annotations: list[ArticleAnnotation] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    #: (source, source of the first input with the same article id): annotated once.
    duplicates: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- the run


def annotate_paths(
    paths: Sequence[str | os.PathLike[str]], *, options: AnnotateOptions | None = None,
    lookup: EntityLookup | None = None,
) -> AnnotateResult:  # fmt: skip
    """Annotate every article found under ``paths`` (files and directories, as ingest reads
    them); a bad file is a rejection naming it and the others go on."""
    opts = options or AnnotateOptions()
    records = read_paths(paths, options=ReaderOptions(max_bytes=opts.max_bytes))
    return annotate_records(records, options=opts, lookup=lookup)


def annotate_records(
    records: Iterable[RawRecord | Rejection], *, options: AnnotateOptions | None = None,
    lookup: EntityLookup | None = None,
) -> AnnotateResult:  # fmt: skip
    """Extract and annotate records as an ingest would (``lookup``: a store's entities)."""
    opts = options or AnnotateOptions()
    result = AnnotateResult()
    extract = ExtractOptions(min_words=opts.min_words, fallback_time=datetime.now(UTC))
    articles: list[Article] = []
    first_source: dict[str, str] = {}
    for item in records:
        if isinstance(item, Rejection):
            result.rejections.append(item)
            continue
        for found in extract_records([item], options=extract):
            if isinstance(found, Rejection):
                result.rejections.append(found)
            elif found.id in first_source:
                result.duplicates.append((found.source, first_source[found.id]))
            else:
                first_source[found.id] = found.source
                articles.append(found)
    annotations, rejected = _annotate(articles, lookup=lookup, options=opts.enrich_options)
    result.annotations = annotations
    result.rejections.extend(rejected)
    return result


def annotate_articles(
    articles: Sequence[Article], *, lookup: EntityLookup | None = None,
    options: EnrichOptions | None = None,
) -> list[ArticleAnnotation]:  # fmt: skip
    """Annotate extracted articles (their sign-offs are removed first, as an ingest does);
    an article the analysis raises on is left out (logged)."""
    annotations, rejected = _annotate(articles, lookup=lookup, options=options)
    for rejection in rejected:
        log.warning("not annotated: %s", rejection)
    return annotations


def _annotate(
    articles: Sequence[Article], *, lookup: EntityLookup | None, options: EnrichOptions | None
) -> tuple[list[ArticleAnnotation], list[Rejection]]:
    """The ingest's stages after extraction, in its order (by publication time), over the
    whole input as one batch; the annotations come back in the order given."""
    ordered = sorted(articles, key=lambda a: (a.published, a.id))
    tails = OutletTails()
    tails.learn(ordered)
    tails.strip(ordered)
    opts = options or EnrichOptions()
    kept, analysed, failed = isolate(
        "analysis", ordered, lambda batch: analyse_articles(batch, options=opts)
    )
    if not kept or analysed is None:
        return [], list(failed.values())
    enrichments = resolve_stored(analysed, lookup=lookup)
    # The same resolution ``resolve_stored`` ran (deterministic; the lookup only reads):
    # each local entity's final identity, which mentions need.
    identities = [final for _, final in EntityResolver(lookup).resolve(
        [a.entities for a in analysed])]  # fmt: skip
    by_id = {
        article.id: _annotation(article, item, enrichment, final)
        for article, item, enrichment, final in zip(kept, analysed, enrichments, identities,
                                                    strict=True)
    }  # fmt: skip
    return [by_id[a.id] for a in articles if a.id in by_id], list(failed.values())


# --------------------------------------------------------------------------- one article


def _span(text: str, start: int, end: int, expected: str | None = None) -> Span | None:
    """``text[start:end]`` as a span; None when the offsets are out of range, empty, or do
    not hold ``expected`` (a stage's offsets that disagree with its own text are a bug,
    logged rather than shown wrong)."""
    if not 0 <= start < end <= len(text):
        return None
    piece = text[start:end]
    if expected is not None and piece != expected:
        log.warning("offsets %d..%d hold %r, not %r", start, end, piece, expected)
        return None
    return Span(start, end, piece)


def _annotation(
    article: Article, analysed: Analysed, enrichment: ArticleEnrichment,
    final: dict[str, ArticleEntity],
) -> ArticleAnnotation:  # fmt: skip
    text, title = article.text, article.title
    body_start = analysed.body_start
    # The analysed text is the stripped title, a blank line, then the body.
    title_shift = len(title) - len(title.lstrip())
    out = ArticleAnnotation(article, error=enrichment.error)
    for start, end, key in analysed.mentions:
        entity = final.get(key)
        if entity is None:
            continue
        if start >= body_start:
            span = _span(text, start - body_start, end - body_start)
            target = out.entities
        else:
            span = _span(title, start + title_shift, end + title_shift)
            target = out.title_entities
        if span is not None:
            target.append(EntityMention(span, entity.id, entity.name, entity.type))
    out.timexes = [t for t in (_timex(text, d) for d in enrichment.dates) if t is not None]
    ids = {e.name: e.id for e in enrichment.entities}
    out.developments = [_development(text, d, ids) for d in enrichment.developments]
    out.attributions = [
        a for a in (_attribution(text, s) for s in enrichment.attributions) if a is not None
    ]
    return out


def _timex(text: str, span: TimeSpan | None) -> Timex | None:
    if span is None:
        return None
    where = _span(text, span.start_char, span.end_char, span.text)
    if where is None:
        return None
    return Timex(where, span.start, span.end, span.granularity, span.label)


def _development(text: str, dev: Development, ids: dict[str, str]) -> DevelopmentAnnotation:
    def ref(name: str) -> NamedRef:
        return NamedRef(name, ids.get(name))

    trigger = _span(text, dev.trigger_start, dev.trigger_end, dev.trigger)
    sentence = _span(text, dev.start_char, dev.end_char) or Span(0, 0, "")
    source = dev.attribution
    return DevelopmentAnnotation(
        action=dev.action, modality=dev.modality, trigger=trigger, sentence=sentence,
        participants=tuple(ref(p) for p in dev.participants),
        places=tuple(ref(p) for p in dev.places),
        agent=ref(dev.agent) if dev.agent else None, when=_timex(text, dev.when),
        source_kind=source.kind, source_name=source.name, source_citing=source.citing,
        mentions=dev.mentions, salience=dev.salience, main=dev.main,
    )  # fmt: skip


def _attribution(text: str, source: Attribution) -> AttributionAnnotation | None:
    """An attribution located in the body, all of whose offsets (sentence, source, cue) are
    the body's (``enrich/developments.py`` moves them there from the analysed text)."""
    sentence = _span(text, source.start_char, source.end_char)
    if sentence is None:
        return None
    named = None
    if source.source_end > 0:
        named = _span(text, source.source_start, source.source_end)
    cue = None
    if source.cue_end > 0:
        cue = _span(text, source.cue_start, source.cue_end)
        if cue is not None and cue.text.casefold() != source.cue.casefold():
            log.warning("cue offsets hold %r, not %r", cue.text, source.cue)
            cue = None
    return AttributionAnnotation(
        kind=source.kind, name=source.name, citing=source.citing, source=named, cue=cue,
        content=_content(text, source), sentence=sentence,
    )  # fmt: skip


def _content(text: str, source: Attribution) -> Span | None:
    """What the source says: the longest of the statement's spans (``statement_spans``, the
    definition the PolNeAR benchmark scores), in body offsets."""
    spans = statement_spans(source, text) if source.source_end > 0 or source.cue_end > 0 else []
    if not spans:
        return None
    start, end = max(spans, key=lambda se: len(text[se[0]:se[1]].split()))
    return _span(text, start, end)


# --------------------------------------------------------------------------- output


def _span_json(span: Span | None) -> dict[str, Any] | None:
    return None if span is None else {"start": span.start, "end": span.end, "text": span.text}


def _entity_json(mention: EntityMention) -> dict[str, Any]:
    return {**(_span_json(mention.span) or {}), "type": mention.type, "id": mention.id,
            "name": mention.name}  # fmt: skip


def _timex_json(timex: Timex | None) -> dict[str, Any] | None:
    if timex is None:
        return None
    return {**(_span_json(timex.span) or {}), "interval": {"start": timex.start, "end": timex.end},
            "granularity": timex.granularity, "label": timex.label}  # fmt: skip


def _ref_json(ref: NamedRef | None) -> dict[str, Any] | None:
    return None if ref is None else {"name": ref.name, "id": ref.id}


def annotation_json(annotation: ArticleAnnotation) -> dict[str, Any]:
    """The JSON object ``storyline annotate --json`` prints for one article."""
    article = annotation.article
    return {
        "id": article.id,
        "source": article.source,
        "url": article.url,
        "title": article.title,
        "published": article.published.isoformat(),
        "date_inferred": article.date_inferred,
        "outlet": article.outlet,
        "language": article.language,
        "text": article.text,
        "entities": [_entity_json(m) for m in annotation.entities],
        "title_entities": [_entity_json(m) for m in annotation.title_entities],
        "timexes": [_timex_json(t) for t in annotation.timexes],
        "developments": [
            {
                "action": d.action, "modality": d.modality, "trigger": _span_json(d.trigger),
                "sentence": {"start": d.sentence.start, "end": d.sentence.end},
                "participants": [_ref_json(p) for p in d.participants],
                "places": [_ref_json(p) for p in d.places], "agent": _ref_json(d.agent),
                "when": _timex_json(d.when),
                "source": {"kind": d.source_kind, "name": d.source_name,
                           "citing": d.source_citing},
                "mentions": d.mentions, "salience": d.salience, "main": d.main,
            }
            for d in annotation.developments
        ],
        "attributions": [
            {
                "kind": a.kind, "name": a.name, "citing": a.citing,
                "source": _span_json(a.source), "cue": _span_json(a.cue),
                "content": _span_json(a.content),
                "sentence": {"start": a.sentence.start, "end": a.sentence.end},
            }
            for a in annotation.attributions
        ],
        "error": annotation.error,
    }  # fmt: skip


def _clip(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_summary(annotation: ArticleAnnotation) -> str:
    """A readable summary of one article's annotations (``storyline annotate``)."""
    article = annotation.article
    lines = [
        f"== {article.source}",
        f"   {article.title}",
        f"   published {article.published:%Y-%m-%d}"
        + (" (no date: ingest time)" if article.date_inferred else "")
        + f"; {article.outlet or 'unknown outlet'}; language {article.language or '?'}",
    ]
    if annotation.error:
        lines.append(f"   enrichment failed: {annotation.error}")
    names: dict[str, tuple[EntityMention, int]] = {}
    for m in [*annotation.title_entities, *annotation.entities]:
        first, count = names.get(m.id, (m, 0))
        names[m.id] = (first, count + 1)
    lines.append(f"   entities ({len(names)}):")
    for mention, count in names.values():
        lines.append(f"     {mention.name} [{mention.type}, {mention.id}] ×{count}")
    lines.append(f"   dates ({len(annotation.timexes)}):")
    for t in annotation.timexes:
        lines.append(f"     {t.span.start}..{t.span.end} “{t.span.text}” → {t.label}"
                     f" ({t.granularity})")  # fmt: skip
    lines.append(f"   developments ({len(annotation.developments)}):")
    for d in annotation.developments:
        who = ", ".join(p.name for p in d.participants) or "-"
        where = f" — {', '.join(p.name for p in d.places)}" if d.places else ""
        when = f"; {d.when.label} (“{d.when.span.text}”)" if d.when else ""
        trigger = f"“{d.trigger.text}” at {d.trigger.start}" if d.trigger else "?"
        source = d.source_name or d.source_kind
        lines.append(f"     {'*' if d.main else ' '} {d.action} ({d.modality}): {who}{where}"
                     f"{when}; {trigger}; source {source}")  # fmt: skip
    lines.append(f"   attributions ({len(annotation.attributions)}):")
    for a in annotation.attributions:
        cue = a.cue.text if a.cue else "?"
        content = f": “{_clip(a.content.text)}”" if a.content else ""
        citing = f", citing {a.citing}" if a.citing else ""
        lines.append(f"     {a.name or a.kind} ({a.kind}{citing}) {cue}{content}")
    return "\n".join(lines)
