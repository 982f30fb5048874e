"""Why an article is in its story: ``storyline why``, the article page and the API.

Needs: a store holding the article with its decision (``Store.article_decisions``: story
score, runner-up, event evidence), vectors, keywords and event marks. Fills: an
``Explanation`` (models.py); writes nothing.

An article joined its story, started it, or is a copy of an article in it
(``stories/copies.py``). The explanation gives the decision score as it was recorded and the
join threshold now configured, then compares the article with the story member it matches
best: the pair score recomputed with ``scoring.features``/``score_features`` from what the
store holds, its main signals, and the specifics the two share or disagree on (people,
organisations, places, numbers, years, rare words, and the dates of the events both are
about; ``evidence.compare``). Members published before the article are preferred: they are
the ones the assigner compared it with. The runner-up is the best other story (for an
article that started a story, the best one it did not reach), compared the same way.

Recomputed pair scores are with the current weights: after a refit they may differ from the
scores the article was assigned with, which stay as recorded. They are compared against the
background of the stories stored in the ``BACKGROUND_DAYS`` before the article
(``evidence.Background``), as the assigner compared them against the stories of its run: what
many stories name (the city, the police spokesman) is not listed as shared. Two articles of
one outlet are scored less the outlet's template share (``stories/outlets.py``), from the
stored members of the stories of those days, as a run resumed on the store would have it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np

from storyline.errors import NotFoundError, StoreError
from storyline.models import (
    Article,
    ArticleSummary,
    Conflict,
    EventDates,
    EventMark,
    Evidence,
    Explanation,
    PairExplanation,
    RunnerUp,
)
from storyline.store.base import MIN_PREFIX, Store, find_id
from storyline.stories.assign import AssignOptions, story_id_for
from storyline.stories.events import mark_gap
from storyline.stories.evidence import Background, english_only
from storyline.stories.outlets import OutletBackground, less_template
from storyline.stories.scoring import ScoreWeights, default_weights, features, score_features

__all__ = [
    "MIN_PREFIX", "compare_articles", "event_dates", "explain", "find_article_id", "render_text",
]

#: Days of stories before an article that make the background of its explanation (the
#: assigner's default window).
BACKGROUND_DAYS = AssignOptions().window_days


def stored_background(store: Store, article: Article) -> Background:
    """The background (``evidence.Background``) the assigner had when it placed ``article``,
    as near as the store can tell: the stories active in the ``BACKGROUND_DAYS`` before it,
    counted with their members published before it (``Store.member_evidence``)."""
    ts = article.published.timestamp()
    background = Background()
    stories = store.member_evidence(ts - BACKGROUND_DAYS * 86400.0, (ts, article.id),
                                    max_stories=background.capacity)
    for members in sorted(stories, key=lambda ms: (ms[-1][1], ms[-1][0])):
        background.add_members(members[0][0], (evidence for _, _, evidence in members))
    return background


def stored_outlets(store: Store, article: Article) -> OutletBackground:
    """The outlet background (``outlets.OutletBackground``) of the stored members of the
    stories active in the ``BACKGROUND_DAYS`` before ``article``, counted in publication
    order up to it (a resumed run warms its assigner from the same members)."""
    ts = article.published.timestamp()
    background = OutletBackground()
    states = store.story_states(ts - BACKGROUND_DAYS * 86400.0, ts,
                                max_members=AssignOptions().max_members)
    members = sorted((m for s in states for m in s.members
                      if (m.published_ts, m.article_id) < (ts, article.id)
                      and m.head is not None), key=lambda m: (m.published_ts, m.article_id))
    for member in members:
        assert member.head is not None
        background.add(member.outlet, member.head)
    return background


def find_article_id(store: Store, text: str) -> str:
    """The stored article id ``text`` names: the id itself, or a unique prefix of at least
    ``MIN_PREFIX`` characters (``store.base.find_id``)."""
    return find_id(text, "article", store.article_ids_with_prefix,
                   lambda whole: bool(store.existing_ids([whole])))


def explain(store: Store, article_id: str, *, weights: ScoreWeights | None = None
            ) -> Explanation:
    """Why the article ``article_id`` is in its story (``NotFoundError`` for an unknown id).
    ``weights`` are the pair-score weights and threshold (default: the shipped ones)."""
    w = weights or default_weights()
    article = store.get_article(article_id)
    decision = store.article_decisions([article.id]).get(article.id)
    members: list[Article] = []
    story = None
    if article.story_id:
        try:
            story = store.get_story(article.story_id).summary
            members = list(store.iter_articles(story_id=article.story_id))
        except NotFoundError:
            story = None
    score = decision.score if decision is not None else None
    if article.copy_of is not None:
        original = next((m for m in members if m.id == article.copy_of), None)
        if original is None:
            try:
                original = store.get_article(article.copy_of)
            except NotFoundError:
                original = None
        return Explanation(
            article=_summary(article), story=story, started=False, score=score,
            threshold=w.threshold,
            copy_of=_summary(original) if original is not None else ArticleSummary(
                article.copy_of, "", None, article.published, None),
        )
    evidence = decision.evidence if decision is not None else None
    background = stored_background(store, article)
    outlets = stored_outlets(store, article)
    best = _best_match(store, article, evidence, members, w, background, outlets)
    runner_up = None
    if decision is not None and decision.runner_up:
        try:
            other = store.get_story(decision.runner_up).summary
        except NotFoundError:
            other = None
        if other is not None:
            runner_up = RunnerUp(
                story=other, score=decision.runner_up_score,
                best_match=_best_match(store, article, evidence,
                                       list(store.iter_articles(story_id=other.id)), w,
                                       background, outlets),
            )
    return Explanation(
        article=_summary(article), story=story,
        started=article.story_id is not None and article.story_id == story_id_for(article.id),
        score=score, threshold=w.threshold, best_match=best, runner_up=runner_up,
    )


def compare_articles(store: Store, article_id: str, other_id: str, *,
                     weights: ScoreWeights | None = None) -> PairExplanation:
    """How two stored articles compare: their pair score and what they share or disagree
    on (``NotFoundError`` for an unknown id; ``StoreError`` when either has no vectors of
    the store's model)."""
    a, b = store.get_article(article_id), store.get_article(other_id)
    vectors = store.cached_vectors([a.id, b.id])
    missing = [x for x in (a.id, b.id) if x not in vectors]
    if missing:
        raise StoreError(f"no {store.model_name or 'stored'} vectors for {', '.join(missing)}")
    decisions = store.article_decisions([a.id, b.id])
    ev_a, ev_b = (decisions[x].evidence if x in decisions else None for x in (a.id, b.id))
    return _compare(a, ev_a, vectors[a.id], b, ev_b, vectors[b.id], weights or default_weights(),
                    stored_background(store, max(a, b, key=lambda x: x.published)))


def _summary(article: Article) -> ArticleSummary:
    return ArticleSummary(
        id=article.id, title=article.title, outlet=article.outlet, published=article.published,
        url=article.url, date_inferred=article.date_inferred, copy_of=article.copy_of,
    )


def _best_match(store: Store, article: Article, evidence: Evidence | None,
                members: Sequence[Article], w: ScoreWeights, background: Background | None,
                outlets: OutletBackground | None = None) -> PairExplanation | None:
    """The comparison with the original member (other than ``article``) whose pair score is
    highest, among those published no later than it when there are any (the assigner
    compared it with those), else among all; None when there is none to compare."""
    others = [m for m in members if m.id != article.id and m.copy_of is None]
    earlier = [m for m in others if m.published <= article.published]
    pool = earlier or others
    if not pool:
        return None
    vectors = store.cached_vectors([article.id, *(m.id for m in pool)])
    if article.id not in vectors:
        return None
    decisions = store.article_decisions(m.id for m in pool)
    found: list[PairExplanation] = []
    for member in pool:
        if member.id not in vectors:
            continue
        other = decisions.get(member.id)
        found.append(_compare(article, evidence, vectors[article.id], member,
                              other.evidence if other is not None else None,
                              vectors[member.id], w, background, outlets))
    if not found:
        return None
    return min(found, key=lambda p: (-p.score, -p.article.published.timestamp(), p.article.id))


def _compare(a: Article, ev_a: Evidence | None, vec_a: tuple[np.ndarray, np.ndarray],
             b: Article, ev_b: Evidence | None, vec_b: tuple[np.ndarray, np.ndarray],
             w: ScoreWeights, background: Background | None = None,
             outlets: OutletBackground | None = None) -> PairExplanation:
    """The pair score of ``a`` and ``b`` with what they share and where they conflict (what
    the ``background`` finds common left out; two articles of one outlet less its template
    share in ``outlets``)."""
    f = features(
        vec_a[0], vec_a[1], frozenset(a.keywords), a.published.timestamp(),
        vec_b[0], vec_b[1], frozenset(b.keywords), b.published.timestamp(),
        events_a=a.events, events_b=b.events, evidence_a=ev_a, evidence_b=ev_b,
        background=background,
    )
    template = None
    if outlets is not None and a.outlet and a.outlet == b.outlet:
        offsets = outlets.offsets(a.outlet, vec_a[0])
        if any(offsets):
            f = less_template(f, offsets, foreign=not english_only(ev_a, ev_b))
            template = round(max(offsets), 6)
    out = PairExplanation(
        article=_summary(b), score=score_features(f, w), head_cosine=f.cos_head,
        body_cosine=f.cos_body, days_apart=f.time_gap, published_days_apart=f.gap_days,
        shared_keywords=tuple(sorted(set(a.keywords) & set(b.keywords))),
        events=event_dates(a.events, b.events), has_evidence=f.comparison is not None,
        outlet_template=template,
    )
    c = f.comparison
    if c is None or ev_a is None or ev_b is None:
        return out
    return replace(
        out,
        shared_terms=c.shared_terms,
        shared_people=tuple(sorted(c.shared_people)),
        shared_orgs=tuple(sorted(c.shared_orgs)),
        shared_places=tuple(sorted(c.shared_places)),
        shared_numbers=tuple(sorted(c.shared_numbers, key=_number_key)),
        shared_years=tuple(sorted(c.shared_years)),
        entity_conflict=(Conflict(_names(ev_a), _names(ev_b)) if c.entity_conflict else None),
        place_conflict=(Conflict(tuple(sorted(c.place_conflict[0])),
                                 tuple(sorted(c.place_conflict[1])))
                        if c.place_conflict is not None else None),
        number_conflict=(Conflict(tuple(sorted(ev_a.numbers, key=_number_key)),
                                  tuple(sorted(ev_b.numbers, key=_number_key)))
                         if c.number_conflict else None),
        year_conflict=(Conflict(tuple(sorted(ev_a.years)), tuple(sorted(ev_b.years)))
                       if c.year_conflict else None),
        template_headline=c.template_headline,
    )


def _names(e: Evidence) -> tuple[str, ...]:
    """Every name ``compare`` counts: people and organisations, then place paths."""
    return (*sorted(e.people | e.orgs), *sorted(e.places))


def _number_key(text: str) -> tuple[float, str]:
    try:
        return float(text), text
    except ValueError:
        return float("inf"), text


def event_dates(a: Sequence[EventMark], b: Sequence[EventMark]) -> tuple[EventDates, ...]:
    """For each action both articles' dated events share, the nearest pair of dates and the
    days between them (the gap ``events.event_gap`` takes the smallest of)."""
    best: dict[str, tuple[int, EventMark, EventMark]] = {}
    for x in a:
        for y in b:
            if x.action != y.action:
                continue
            gap = mark_gap(x, y)
            if x.action not in best or gap < best[x.action][0]:
                best[x.action] = (gap, x, y)
    return tuple(EventDates(action, _days(x), _days(y), gap)
                 for action, (gap, x, y) in sorted(best.items()))


def _days(mark: EventMark) -> str:
    first = date.fromordinal(mark.first_day).isoformat()
    last = date.fromordinal(mark.last_day).isoformat()
    return first if first == last else f"{first}..{last}"


# --- text (``storyline why``) ----------------------------------------------------------------
def _article_line(a: ArticleSummary) -> str:
    return f"{a.published:%Y-%m-%d}  {a.outlet or '?'} — {a.title}  [{a.id}]"


def _list(values: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")


def _days_text(days: float | None) -> str:
    if days is None:
        return "no dates"
    shown = f"{days:.0f}" if abs(days - round(days)) < 0.05 else f"{days:.1f}"
    return f"{shown} day{'' if shown == '1' else 's'} apart"


def _pair_lines(pair: PairExplanation, indent: str = "    ") -> list[str]:
    """The comparison as indented lines: score, signals, shared specifics, conflicts."""
    when = _days_text(pair.days_apart)
    if pair.published_days_apart is not None and pair.days_apart is not None \
            and pair.published_days_apart - pair.days_apart >= 0.05:
        when += f" by event dates ({_days_text(pair.published_days_apart)} by publication)"
    lines = [
        f"{indent}{_article_line(pair.article)}",
        f"{indent}pair score {pair.score:.3f}: head cosine {pair.head_cosine:.2f}, body cosine "
        f"{pair.body_cosine:.2f}, {when}",
    ]
    rows = [
        ("shared people", pair.shared_people), ("shared organisations", pair.shared_orgs),
        ("shared places", pair.shared_places), ("shared numbers", pair.shared_numbers),
        ("shared years", pair.shared_years), ("shared rare words", pair.shared_terms),
        ("shared keywords", pair.shared_keywords),
    ]
    for label, values in rows:
        if values:
            lines.append(f"{indent}  {label + ':':22}{_list(values)}")
    if pair.template_headline:
        lines.append(f"{indent}  {'recurring headline:':22}\"{pair.template_headline}\": two"
                     " short reports under it are scored by their bodies alone")
    if pair.outlet_template:
        lines.append(f"{indent}  {'outlet template:':22}cosines less {pair.outlet_template:.2f},"
                     " what the outlet's own articles share whatever the event")
    for ev in pair.events:
        verdict = "overlap: the same event" if ev.overlapping else \
            f"{ev.gap_days} day{'' if ev.gap_days == 1 else 's'} apart: evidence against"
        lines.append(f"{indent}  {'event dates:':22}{ev.action} {ev.this} vs {ev.other} "
                     f"({verdict})")
    conflicts = [
        ("different names", pair.entity_conflict), ("different places", pair.place_conflict),
        ("different numbers", pair.number_conflict), ("different years", pair.year_conflict),
    ]
    for label, conflict in conflicts:
        if conflict is not None:
            lines.append(f"{indent}  {label + ':':22}{_list(conflict.this, 6)} vs "
                         f"{_list(conflict.other, 6)}")
    if not pair.has_evidence:
        lines.append(f"{indent}  (no event evidence stored for one of them: names, places, "
                     "numbers and years not compared)")
    elif not any(c for _, c in conflicts):
        lines.append(f"{indent}  {'conflicts:':22}none")
    return lines


def render_text(e: Explanation) -> str:
    """The explanation as ``storyline why`` prints it."""
    lines = [_article_line(e.article)]
    score = "?" if e.score is None else f"{e.score:.3f}"
    if e.story is None:
        lines.append("Not in any story.")
        return "\n".join(lines) + "\n"
    lines.append(f"Story {e.story.id}: {e.story.title}")
    if e.copy_of is not None:
        lines.append(f"  A copy of {e.copy_of.id} (word-shingle similarity {score}): copies are "
                     "put in their original's story without being scored.")
        lines.append(f"    {_article_line(e.copy_of)}")
        return "\n".join(lines) + "\n"
    if e.started:
        if e.runner_up is None and not e.score:
            lines.append("  Started this story: no open story was close enough to score.")
        else:
            lines.append(f"  Started this story: the best other story scored {score}, below "
                         f"the threshold {e.threshold:.3f}.")
    else:
        relation = "≥" if e.score is not None and e.score >= e.threshold else "<"
        blend = e.best_match is not None and e.score is not None \
            and abs(e.best_match.score - e.score) >= 0.0005
        lines.append(f"  Joined this story: score {score} {relation} threshold {e.threshold:.3f}"
                     + (" (the story score blends its two best-matching members)."
                        if blend else "."))
    if e.best_match is not None:
        lines.append("  Best-matching member:" if not e.started else "  Closest member:")
        lines.extend(_pair_lines(e.best_match))
    lines.append("")
    if e.runner_up is None:
        lines.append("Runner-up: none (no other open story scored).")
    else:
        ru = e.runner_up
        ru_score = "?" if ru.score is None else f"{ru.score:.3f}"
        lines.append(f"Runner-up: story {ru.story.id} ({ru_score}): {ru.story.title}")
        if ru.best_match is not None:
            lines.append("  Its best-matching member:")
            lines.extend(_pair_lines(ru.best_match))
    return "\n".join(lines) + "\n"
