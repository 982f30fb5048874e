"""Event factuality measured on public data: did the event happen, by the writer's account?
UW event factuality (Lee et al. 2015; ``factuality/uw-train-dev.jsonl.gz`` in the shared data).

Each UW record is a sentence, one event word (``trigger``) and the annotators' mean score from
-3 (certainly did not happen) through 0 (uncertain) to 3 (certainly happened). Storyline reads
the event word's modality with the code the pipeline runs (``enrich/modality.py``
``token_modality``: the same spaCy pipeline, the sentence's source from ``enrich/attribution``)
and maps it onto the scale with ``MODALITY_SCORES``:

=========================================  =====
modality                                   score
=========================================  =====
happened                                    3.0
announced (an official says it is so)       2.5
planned ("will", scheduled, intended)       2.0
expected, rumoured, postponed,              1.5
conditional ("if") or obliged ("must")
denied, or negated ("did not sign")        -2.0
cancelled                                  -3.0
=========================================  =====

The order follows the UW guidelines (a stated plan is probable, a forecast or rumour less
sure, a denial "did not happen"); the values are the train split's mean gold value of each
modality, rounded to halves (a negation's scope is often narrower than the event, so its mean
is -1.3, not -3), so the dev split's figure (``rows`` reports it apart) is the held-out one.
Figures (``score``): mean absolute error and Pearson r against the gold
value, and the accuracy of the three coarse classes the data set defines (>= 2.5 happened,
<= -2.5 not happened, else possible), our score read with the same cut-offs.

The baseline reads two cues only: a negation word (not, never, no...) right before the event
word scores -3, a modal or future word (will, may, could, would, might...) within three words
before it 1, anything else 3.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from storyline.enrich.lexicon import word_set
from storyline.errors import InputError
from storyline.evaluation.jsonl import read_records

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = [
    "MODALITY_SCORES",
    "Event",
    "FactualityScores",
    "baseline_score",
    "coarse",
    "load_events",
    "rows",
    "score",
    "storyline_modalities",
    "storyline_scores",
]

#: Storyline's modalities on the UW scale (-3 certainly not .. 3 certainly happened).
MODALITY_SCORES: dict[str, float] = {
    "happened": 3.0,
    "announced": 2.5,
    "planned": 2.0,
    "expected": 1.5,
    "rumoured": 1.5,
    "postponed": 1.5,
    "denied": -2.0,
    "cancelled": -3.0,
}

DATA_FILE = Path("factuality") / "uw-train-dev.jsonl.gz"


@dataclass(frozen=True, slots=True)
class Event:
    """One annotated event: its sentence, the trigger's character span in it, the gold value."""

    sentence: str
    start: int
    end: int
    value: float
    dct: date | None = None
    split: str = ""

    @property
    def trigger(self) -> str:
        return self.sentence[self.start : self.end]


@dataclass(frozen=True, slots=True)
class FactualityScores:
    """Agreement of predicted scores with the gold values."""

    n: int
    mae: float
    pearson: float
    coarse_accuracy: float


def coarse(value: float) -> str:
    """The data set's three classes: happened (>= 2.5), not_happened (<= -2.5), possible."""
    if value >= 2.5:
        return "happened"
    if value <= -2.5:
        return "not_happened"
    return "possible"


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return 0.0  # a constant prediction correlates with nothing
    return sxy / math.sqrt(sxx * syy)


def score(predicted: Sequence[float], gold: Sequence[float]) -> FactualityScores:
    """MAE, Pearson r and coarse accuracy of ``predicted`` against ``gold`` (same order)."""
    if len(predicted) != len(gold):
        raise InputError(f"{len(predicted)} predictions for {len(gold)} gold values")
    if not gold:
        raise InputError("no events to score")
    n = len(gold)
    mae = sum(abs(p - g) for p, g in zip(predicted, gold, strict=True)) / n
    agree = sum(coarse(p) == coarse(g) for p, g in zip(predicted, gold, strict=True))
    return FactualityScores(n, mae, _pearson(predicted, gold), agree / n)


def load_events(path: Path, limit: int | None = None) -> list[Event]:
    """The events of a UW JSON Lines file (gzip or plain); ``limit``: the first N."""
    events: list[Event] = []
    for number, rec in read_records(path, what="UW event records", limit=limit):
        try:
            sentence, start, end = rec["sentence"], int(rec["start"]), int(rec["end"])
            value = float(rec["value"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path} line {number}: not a UW event record ({exc})") from exc
        if not (0 <= start < end <= len(sentence)):
            raise InputError(f"{path} line {number}: trigger span {start}..{end} is "
                             f"outside its sentence of {len(sentence)} characters")  # fmt: skip
        dct = rec.get("dct")
        events.append(Event(sentence, start, end, value,
                            date.fromisoformat(dct) if dct else None,
                            str(rec.get("split", ""))))  # fmt: skip
    return events


_NEGATION = word_set("not n't never no none nobody nothing neither nor without")
_MODAL = word_set(
    "will would may might could can should shall must 'll 'd expected likely plan plans"
    " planned possible possibly probably if"
)
_WORD_RE = re.compile(r"[A-Za-z']+")


def baseline_score(event: Event) -> float:
    """The cue baseline (module docstring): -3 after a negation, 1 after a modal, else 3."""
    before = [w.lower() for w in _WORD_RE.findall(event.sentence[: event.start])][-3:]
    if before and (before[-1] in _NEGATION or (len(before) > 1 and before[-2] in _NEGATION)):
        return -3.0
    if any(w in _MODAL for w in before):
        return 1.0
    return 3.0


def _trigger_token(doc: Doc, start: int, end: int) -> Token | None:
    """The token of the event word: the first verb or noun of the span, else its first token."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return next((t for t in span if t.tag_.startswith(("VB", "NN"))), span[0])


def storyline_modalities(events: Sequence[Event]) -> list[str]:
    """Storyline's modality of each event (each distinct sentence parsed once)."""
    from storyline.enrich.attribution import EntitySpan, find_attributions
    from storyline.enrich.entities import find_mentions, parse_texts
    from storyline.enrich.modality import token_modality
    from storyline.models import Attribution

    texts = list(dict.fromkeys(e.sentence for e in events))
    docs = dict(zip(texts, parse_texts(texts, batch_size=64), strict=True))
    context: dict[str, tuple[list[Attribution], dict[int, str], list[int]]] = {}
    out: list[str] = []
    for event in events:
        doc = docs[event.sentence]
        if event.sentence not in context:
            spans = [EntitySpan(m.start_char, m.end_char, m.name, m.type)
                     for m in find_mentions(doc)]  # fmt: skip
            types: dict[int, str] = {}
            for e in spans:
                ent = doc.char_span(e.start_char, e.end_char, alignment_mode="expand")
                for tok in ent or ():
                    types[tok.i] = e.type
            sources = find_attributions(doc, spans)
            sents = list(doc.sents)
            context[event.sentence] = (
                [sources.for_sentence(i) for i in range(len(sents))],
                types,
                [s.start for s in sents],
            )
        by_sentence, types, starts = context[event.sentence]
        token = _trigger_token(doc, event.start, event.end)
        if token is None:
            out.append("happened")
            continue
        index = max(i for i, first in enumerate(starts) if first <= token.i)
        source = by_sentence[index]
        if source.cue_start <= token.idx < source.cue_end:
            # The reporting verb is the event: the outlet reports the speaker's act.
            source = Attribution("outlet", None, sentence=index)
        out.append(token_modality(token, source=source, entity_types=types,
                                  published=event.dct or date.min))  # fmt: skip
    return out


def storyline_scores(events: Sequence[Event]) -> list[float]:
    """Storyline's modality of each event, mapped with ``MODALITY_SCORES``."""
    return [MODALITY_SCORES[m] for m in storyline_modalities(events)]


def _fmt_row(measure: str, ours: float, base: float, target: str = "") -> dict[str, object]:
    return {"measure": measure, "storyline": round(ours, 4), "baseline": round(base, 4),
            "target": target}  # fmt: skip


def rows(data_dir: Path, limit: int | None = None) -> list[dict[str, object]]:
    """The factuality figures on UW train+dev (``limit``: the first N events), each beside
    the cue baseline: MAE, Pearson r and coarse accuracy."""
    events = load_events(Path(data_dir) / DATA_FILE, limit)
    ours_all = storyline_scores(events)
    base_all = [baseline_score(e) for e in events]
    out: list[dict[str, object]] = []
    for split in ("", "dev"):
        keep = [i for i, e in enumerate(events) if not split or e.split == split]
        if not keep:
            continue
        gold = [events[i].value for i in keep]
        ours = score([ours_all[i] for i in keep], gold)
        base = score([base_all[i] for i in keep], gold)
        name = "UW train+dev" if not split else "UW dev"
        out += [
            _fmt_row(f"{name} factuality MAE ({ours.n} events)", ours.mae, base.mae),
            _fmt_row(f"{name} factuality Pearson r", ours.pearson, base.pearson, ">= 0.70"),
            _fmt_row(f"{name} factuality coarse accuracy", ours.coarse_accuracy,
                     base.coarse_accuracy),
        ]  # fmt: skip
    return out
