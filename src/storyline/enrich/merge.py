"""Merging an article's mentions of one event into one development, and ranking an
article's developments by salience (``developments.py`` runs both on each article).

Mentions merge when they can be the same event (same action, no conflicting agents or
participants, overlapping times, both forecasts or both past); a definite mention ("the fire",
"the blaze") refers back to the event and lends it no names. ``rank`` scores salience and
marks the article's *main* developments; tolls (``casualties.py``) are never main.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from storyline.enrich.casualties import CASUALTY_ACTIONS
from storyline.models import Development, TimeSpan

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = ["MIN_MAIN", "OLD_MENTION_DAYS", "is_definite", "merge_mentions", "rank", "unique"]

#: Salience a development needs to be one of an article's main ones (besides the top one).
MIN_MAIN = 1.0
#: Days before publication from which a dated indefinite mention is an older incident
#: (``merge_mentions``), not the date of the article's undated one.
OLD_MENTION_DAYS = 7


def unique(items: object) -> tuple[str, ...]:
    """The items in first-seen order, each once."""
    out: list[str] = []
    for item in items:  # type: ignore[attr-defined]
        if item not in out:
            out.append(item)
    return tuple(out)


def _overlaps(a: TimeSpan | None, b: TimeSpan | None) -> bool:
    return a is None or b is None or (a.start <= b.end and b.start <= a.end)


def _width(span: TimeSpan) -> int:
    return (date.fromisoformat(span.end) - date.fromisoformat(span.start)).days


def _compatible(a: Development, b: Development, *, strict: bool = True) -> bool:
    """Whether two mentions in one article can be the same event; ``strict`` also asks both
    to be forecasts or both past (an undated later mention may cross that line)."""
    if a.action != b.action:
        return False
    if strict and (a.modality == "happened") != (b.modality == "happened"):
        return False
    if a.agent and b.agent and a.agent != b.agent:
        return False
    if a.participants and b.participants and not set(a.participants) & set(b.participants):
        return False
    return _overlaps(a.when, b.when)


def merge_mentions(
    devs: Sequence[Development], anaphoric: frozenset[int] = frozenset(),
    published: date | None = None,
) -> list[Development]:
    """Merge the mentions of one event. A definite mention (``anaphoric``: trigger offsets
    of "the fire", "the blaze") adds no names: its sentence's names belong to what is said
    about it ("the Fire Marshal is investigating the cause of the fire"), not to the event;
    one that fits no earlier event refers back to the latest earlier one of its action all
    the same, and adds a mention and at most a narrower date. With ``published`` (the
    article's day), an indefinite mention dated more than ``OLD_MENTION_DAYS`` before it
    ("a fire in Henderson 10 days ago", "the first raid in 2021") is another incident, not
    the date of an undated one before it ("Fire broke out in the kitchen just after 4am")."""
    merged: list[Development] = []
    for dev in devs:
        target = next((i for i, m in enumerate(merged) if _compatible(m, dev)), None)
        if target is None and dev.when is None:
            target = next(
                (i for i, m in enumerate(merged) if _compatible(m, dev, strict=False)), None
            )
        refers_back = False
        if target is None and dev.trigger_start in anaphoric:
            target = next((i for i in range(len(merged) - 1, -1, -1)
                           if merged[i].action == dev.action
                           and _overlaps(merged[i].when, dev.when)), None)  # fmt: skip
            refers_back = target is not None
        if target is None:
            merged.append(dev)
            continue
        base = merged[target]
        if (published is not None and base.when is None and dev.when is not None
                and not refers_back and dev.trigger_start not in anaphoric
                and (published - date.fromisoformat(dev.when.end)).days > OLD_MENTION_DAYS):
            merged.append(dev)
            continue
        when = base.when
        if dev.when is not None and (when is None or _width(dev.when) < _width(when)):
            when = dev.when
        if refers_back:
            merged[target] = replace(base, when=when, mentions=base.mentions + 1)
            continue
        source, modality = base.attribution, base.modality
        if source.kind == "outlet" and dev.attribution.kind != "outlet":
            # A named source's account outweighs the outlet's own framing.
            source = dev.attribution
            if (base.modality == "happened") == (dev.modality == "happened"):
                modality = dev.modality
        names = dev.trigger_start not in anaphoric
        merged[target] = replace(
            base,
            participants=unique([*base.participants, *(dev.participants if names else ())]),
            places=unique([*base.places, *(dev.places if names else ())]),
            when=when, attribution=source, modality=modality, agent=base.agent or dev.agent,
            mentions=base.mentions + 1, count=_larger(base.count, dev.count),
        )  # fmt: skip
    return merged


def _larger(a: int | None, b: int | None) -> int | None:
    """The higher of two tolls (a later "death toll rose to 14" outdates "killing 12")."""
    return b if a is None else a if b is None else max(a, b)


def is_definite(token: Token) -> bool:
    """Whether an event noun refers back ("the fire", "the deadly blaze", "this strike")."""
    doc = token.doc
    i = token.i - 1
    while i >= max(token.sent.start, token.i - 3) and doc[i].tag_ in ("JJ", "VBN", "NN"):
        i -= 1
    return i >= token.sent.start and doc[i].lower_ in ("the", "this", "that")


def rank(
    devs: list[Development], title_actions: set[str], lede_end: int, max_main: int
) -> list[Development]:
    """Score salience and mark the top ``max_main`` developments (at least ``MIN_MAIN``) main.

    In the title +3 (once per action), in the lede +2, earlier +1/(1+rank), each further
    mention +0.5 (up to 3), a date +0.6, names or places +0.2; a second development of an
    action already seen −1 (a background mention of the same kind of event).
    """
    scored = []
    boosted: set[str] = set()
    tolls = [d for d in devs if d.action in CASUALTY_ACTIONS]
    devs = [d for d in devs if d.action not in CASUALTY_ACTIONS]
    for order, dev in enumerate(devs):
        score = 3.0 if dev.action in title_actions and dev.action not in boosted else 0.0
        score -= 1.0 if dev.action in boosted else 0.0
        boosted.add(dev.action)
        score += 2.0 if dev.start_char < lede_end else 0.0
        score += 1.0 / (1 + order) + 0.5 * min(dev.mentions - 1, 3)
        score += 0.6 if dev.when is not None else 0.0
        score += 0.2 if dev.participants or dev.places else 0.0
        scored.append(replace(dev, salience=round(score, 3)))
    ranked = sorted(range(len(scored)), key=lambda i: -scored[i].salience)
    top = {i for n, i in enumerate(ranked[:max_main]) if n == 0 or scored[i].salience >= MIN_MAIN}
    # Tolls are facts of an event, shown beside it (timeline.py), never one of the main ones.
    return [replace(d, main=i in top) for i, d in enumerate(scored)] + tolls
