"""JSON shapes of Storyline's objects, shared by the CLI's ``--json`` output and the web API.

These shapes are a public contract (documented in README.md): fields may be added, never
removed or renamed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storyline.models import Article, ArticleSummary, StoryDetail, StorySummary, TimeSpan

if TYPE_CHECKING:
    from storyline.models import (
        ArticleEnrichment,
        ArticleEntity,
        Attribution,
        Development,
        EntityAppearance,
        EntityRecord,
        Explanation,
        PairExplanation,
    )
    from storyline.timeline import Coverage, Event, StoryView, TimelineEntry


def story_summary(story: StorySummary) -> dict[str, Any]:
    """``{id, title, article_count, outlets, first_published, last_published, copy_count}``:
    ``article_count`` counts originals, ``copy_count`` their copies (``outlets`` includes the
    copies' outlets)."""
    return {
        "id": story.id,
        "title": story.title,
        "article_count": story.article_count,
        "outlets": list(story.outlets),
        "first_published": story.first_published.isoformat(),
        "last_published": story.last_published.isoformat(),
        "copy_count": story.copy_count,
    }


def article_summary(article: ArticleSummary) -> dict[str, Any]:
    """``{id, title, outlet, published, url, date_inferred, copy_of}``; ``copy_of`` is the id
    of the original a copy repeats (null for an original)."""
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "published": article.published.isoformat(),
        "url": article.url,
        "date_inferred": article.date_inferred,
        "copy_of": article.copy_of,
    }


def story_detail(story: StoryDetail) -> dict[str, Any]:
    """A story with ``articles`` in publication order, copies included, plus the summary
    fields; each article also carries ``copy_count``, the number of copies of it."""
    out = story_summary(story.summary)
    copies: dict[str, int] = {}
    for a in story.articles:
        if a.copy_of is not None:
            copies[a.copy_of] = copies.get(a.copy_of, 0) + 1
    out["articles"] = [
        {**article_summary(a), "copy_count": copies.get(a.id, 0)} for a in story.articles
    ]
    return out


def article_full(article: Article, *, path: str | None = None) -> dict[str, Any]:
    """Everything extraction found: ``path`` (when given), ``title``, ``text``, ``published``,
    ``authors``, ``outlet``, ``url``, ``language``, plus ``id``, ``date_inferred``, ``story``
    and ``copy_of`` (the original a stored copy repeats; null otherwise)."""
    out: dict[str, Any] = {}
    if path is not None:
        out["path"] = path
    out.update(
        {
            "id": article.id,
            "title": article.title,
            "text": article.text,
            "published": article.published.isoformat(),
            "date_inferred": article.date_inferred,
            "authors": list(article.authors),
            "outlet": article.outlet,
            "url": article.url,
            "language": article.language,
            "story": article.story_id,
            "copy_of": article.copy_of,
        }
    )
    return out


# --------------------------------------------------------------------------- enrichment
# Shapes of the enrichment stage's output (entities, dates, attributions, developments) and
# of the story views built from it. The store keeps ``article_enrichment`` in this shape too,
# so ``parse_article_enrichment`` reads back exactly what ``article_enrichment`` wrote.


def time_span(span: TimeSpan | None) -> dict[str, Any] | None:
    """``{text, start, end, granularity, label, start_char, end_char}`` or None."""
    if span is None:
        return None
    return {
        "text": span.text,
        "start": span.start,
        "end": span.end,
        "granularity": span.granularity,
        "label": span.label,
        "start_char": span.start_char,
        "end_char": span.end_char,
    }


def attribution(source: Attribution) -> dict[str, Any]:
    """``{kind, name, label, cue, citing, statement, sentence, start_char, end_char}``."""
    return {
        "kind": source.kind,
        "name": source.name,
        "label": source.label,
        "cue": source.cue,
        "citing": source.citing,
        "statement": source.statement,
        "sentence": source.sentence,
        "start_char": source.start_char,
        "end_char": source.end_char,
        "source_start": source.source_start,
        "source_end": source.source_end,
        "cue_start": source.cue_start,
        "cue_end": source.cue_end,
    }


def development(dev: Development) -> dict[str, Any]:
    """``{action, trigger, modality, participants, places, when, attribution, agent,
    sentence, start_char, end_char, mentions, salience, main}``."""
    return {
        "action": dev.action,
        "trigger": dev.trigger,
        "modality": dev.modality,
        "participants": list(dev.participants),
        "places": list(dev.places),
        "when": time_span(dev.when),
        "attribution": attribution(dev.attribution),
        "agent": dev.agent,
        "sentence": dev.sentence,
        "start_char": dev.start_char,
        "end_char": dev.end_char,
        "mentions": dev.mentions,
        "salience": dev.salience,
        "main": dev.main,
        "trigger_start": dev.trigger_start,
        "trigger_end": dev.trigger_end,
        "count": dev.count,
    }


def article_entity(entity: ArticleEntity) -> dict[str, Any]:
    """``{id, name, type, mentions, aliases}``."""
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "mentions": entity.mentions,
        "aliases": list(entity.aliases),
    }


def article_enrichment(enrichment: ArticleEnrichment) -> dict[str, Any]:
    """``{article_id, version, entities, dates, attributions, developments, error}``."""
    return {
        "article_id": enrichment.article_id,
        "version": enrichment.version,
        "entities": [article_entity(e) for e in enrichment.entities],
        "dates": [time_span(d) for d in enrichment.dates],
        "attributions": [attribution(a) for a in enrichment.attributions],
        "developments": [development(d) for d in enrichment.developments],
        "error": enrichment.error,
    }


def _parse_span(data: dict[str, Any] | None) -> TimeSpan | None:
    if not data:
        return None
    return TimeSpan(
        text=data["text"], start_char=data.get("start_char", 0),
        end_char=data.get("end_char", 0), start=data["start"], end=data["end"],
        granularity=data.get("granularity", "days"),
    )  # fmt: skip


def _parse_attribution(data: dict[str, Any]) -> Attribution:
    from storyline.models import Attribution

    return Attribution(
        kind=data["kind"], name=data.get("name"), cue=data.get("cue", ""),
        citing=data.get("citing"), sentence=data.get("sentence", -1),
        start_char=data.get("start_char", 0), end_char=data.get("end_char", 0),
        statement=data.get("statement", ""), source_start=data.get("source_start", 0),
        source_end=data.get("source_end", 0), cue_start=data.get("cue_start", 0),
        cue_end=data.get("cue_end", 0),
    )  # fmt: skip


def parse_article_enrichment(data: dict[str, Any]) -> ArticleEnrichment:
    """The inverse of ``article_enrichment``."""
    from storyline.models import ArticleEnrichment, ArticleEntity, Development

    developments = [
        Development(
            action=d["action"], trigger=d.get("trigger", ""), sentence=d.get("sentence", ""),
            start_char=d.get("start_char", 0), end_char=d.get("end_char", 0),
            participants=tuple(d.get("participants", ())), places=tuple(d.get("places", ())),
            when=_parse_span(d.get("when")), modality=d["modality"],
            attribution=_parse_attribution(d["attribution"]), agent=d.get("agent"),
            mentions=d.get("mentions", 1), salience=d.get("salience", 0.0),
            main=d.get("main", False), trigger_start=d.get("trigger_start", 0),
            trigger_end=d.get("trigger_end", 0), count=d.get("count"),
        )
        for d in data.get("developments", [])
    ]  # fmt: skip
    return ArticleEnrichment(
        article_id=data["article_id"],
        entities=[
            ArticleEntity(e["id"], e["name"], e["type"], e["mentions"], tuple(e.get("aliases", ())))
            for e in data.get("entities", [])
        ],
        dates=[s for s in (_parse_span(d) for d in data.get("dates", [])) if s is not None],
        attributions=[_parse_attribution(a) for a in data.get("attributions", [])],
        developments=developments,
        version=data.get("version", 1),
        error=data.get("error"),
    )


def entity_record(entity: EntityRecord) -> dict[str, Any]:
    """``{id, name, type, aliases, mentions, articles}``."""
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "aliases": list(entity.aliases),
        "mentions": entity.mentions,
        "articles": entity.articles,
    }


def entity_appearance(appearance: EntityAppearance) -> dict[str, Any]:
    """A story an entity appears in: the story summary fields plus ``entity_articles``,
    ``entity_mentions``, ``first_seen``, ``last_seen``."""
    out = story_summary(appearance.story)
    out.update(
        {
            "entity_articles": appearance.articles,
            "entity_mentions": appearance.mentions,
            "first_seen": appearance.first_seen.isoformat(),
            "last_seen": appearance.last_seen.isoformat(),
        }
    )
    return out


def entity_stories(entity: EntityRecord, appearances: list[EntityAppearance]) -> dict[str, Any]:
    """``{entity: {...}, stories: [...]}`` for ``storyline entity NAME --json``."""
    return {"entity": entity_record(entity), "stories": [entity_appearance(a) for a in appearances]}


def timeline_entry(entry: TimelineEntry) -> dict[str, Any]:
    """A timeline row: ``{article_id, published, outlet, title, event_id, novelty, verdict,
    forecast_of}`` plus the development's fields (``action``, ``modality``, ``when``,
    ``attribution``, ...)."""
    out = {
        "article_id": entry.article_id,
        "published": entry.published,
        "outlet": entry.outlet,
        "title": entry.title,
        "event_id": entry.event_id,
        "novelty": entry.novelty,
        "verdict": entry.verdict,
        "forecast_of": _forecast_of(entry),
    }
    out.update(development(entry.development))
    return out


def _forecast_of(entry: TimelineEntry) -> dict[str, Any] | None:
    """``{article_id, published, outlet, modality, when}`` of the earlier report whose
    forecast the row's ``verdict`` judges, or None."""
    state = entry.forecast_of
    if state is None:
        return None
    return {"article_id": state.article_id, "published": state.published,
            "outlet": state.outlet, "modality": state.modality, "when": time_span(state.when)}


def event(ev: Event) -> dict[str, Any]:
    """``{id, action, label, participants, places, state, when, forecast, outlets, states}``;
    ``states`` lists what each article said, in report order."""
    return {
        "id": ev.id,
        "action": ev.action,
        "label": ev.label,
        "participants": list(ev.participants),
        "places": list(ev.places),
        "state": ev.state,
        "when": time_span(ev.when),
        "forecast": ev.forecast,
        "outlets": list(ev.outlets),
        "states": [
            {
                "article_id": s.article_id,
                "published": s.published,
                "outlet": s.outlet,
                "modality": s.modality,
                "when": time_span(s.when),
                "attribution": s.attribution,
                "attribution_kind": s.attribution_kind,
                "novelty": s.novelty,
                "verdict": s.verdict,
            }
            for s in ev.states
        ],
    }


def coverage(cover: Coverage) -> dict[str, Any]:
    """``{outlets: {outlet: [event ids]}, wording: [{outlet, terms, article_id, context}],
    carried: {outlet: [original article ids it ran copies of]}}``."""
    return {
        "outlets": {k: list(v) for k, v in cover.outlets.items()},
        "wording": [
            {"outlet": w.outlet, "terms": list(w.terms), "article_id": w.article_id,
             "context": w.context}
            for w in cover.wording
        ],
        "carried": {k: list(v) for k, v in cover.carried.items()},
    }


def story_view(view: StoryView) -> dict[str, Any]:
    """``story_detail`` plus ``timeline``, ``events``, ``entities``, ``coverage`` and
    ``unenriched`` (article ids without enrichment)."""
    out = story_detail(view.story)
    out["timeline"] = [timeline_entry(e) for e in view.timeline]
    out["events"] = [event(e) for e in view.events]
    out["entities"] = [entity_record(e) for e in view.entities]
    out["coverage"] = coverage(view.coverage)
    out["unenriched"] = list(view.unenriched)
    return out


# --------------------------------------------------------------------------- explanations


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def pair_explanation(pair: PairExplanation) -> dict[str, Any]:
    """``{article, score, head_cosine, body_cosine, days_apart, published_days_apart,
    shared: {people, orgs, places, numbers, years, terms, keywords}, conflicts: {names,
    places, numbers, years: {this, other} or null}, events: [{action, this, other, gap_days,
    overlapping}], has_evidence, template_headline, outlet_template}``."""
    conflicts = {"names": pair.entity_conflict, "places": pair.place_conflict,
                 "numbers": pair.number_conflict, "years": pair.year_conflict}
    return {
        "article": article_summary(pair.article),
        "score": _round(pair.score),
        "head_cosine": _round(pair.head_cosine),
        "body_cosine": _round(pair.body_cosine),
        "days_apart": _round(pair.days_apart),
        "published_days_apart": _round(pair.published_days_apart),
        "shared": {
            "people": list(pair.shared_people), "orgs": list(pair.shared_orgs),
            "places": list(pair.shared_places), "numbers": list(pair.shared_numbers),
            "years": list(pair.shared_years), "terms": list(pair.shared_terms),
            "keywords": list(pair.shared_keywords),
        },
        "conflicts": {
            name: None if c is None else {"this": list(c.this), "other": list(c.other)}
            for name, c in conflicts.items()
        },
        "events": [
            {"action": e.action, "this": e.this, "other": e.other, "gap_days": e.gap_days,
             "overlapping": e.overlapping}
            for e in pair.events
        ],
        "has_evidence": pair.has_evidence,
        "template_headline": pair.template_headline or None,
        "outlet_template": _round(pair.outlet_template),
    }


def explanation(e: Explanation) -> dict[str, Any]:
    """``storyline why --json``: ``{article, story, outcome ("joined", "started" or "copy"),
    started, score, threshold, copy_of, best_match, runner_up: {story, score, best_match}}``;
    ``best_match`` is a ``pair_explanation`` or null."""
    outcome = "copy" if e.copy_of is not None else "started" if e.started else "joined"
    runner_up = None
    if e.runner_up is not None:
        runner_up = {
            "story": story_summary(e.runner_up.story),
            "score": _round(e.runner_up.score),
            "best_match": (None if e.runner_up.best_match is None
                           else pair_explanation(e.runner_up.best_match)),
        }
    return {
        "article": article_summary(e.article),
        "story": None if e.story is None else story_summary(e.story),
        "outcome": outcome if e.story is not None else None,
        "started": e.started,
        "score": _round(e.score),
        "threshold": e.threshold,
        "copy_of": None if e.copy_of is None else article_summary(e.copy_of),
        "best_match": None if e.best_match is None else pair_explanation(e.best_match),
        "runner_up": runner_up,
    }
