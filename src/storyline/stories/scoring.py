"""Pairwise same-story score: how likely two articles report the same story, in [0, 1].

Signals (``PairFeatures``), combined by a logistic function whose weights live in
``data/score_weights.json``:

- cosine of the head vectors (title + lede), which name the event;
- cosine of the body vectors;
- the same two cosines from the multilingual model, when the vectors carry its segment
  (see ``embedding.DualEncoder``): all-MiniLM-L6-v2 only understands English;
- overlap of proper-noun keywords (shared people, places, organisations) — and, through the
  negative weight on ``keyword_miss``, evidence *against* when both articles name several
  entities and share none;
- the gap in time, in days, when both dates are known: between publication dates, or between
  the dated events both articles are about when those are nearer (``stories/events.py``).

The weights of the text signals are a logistic regression fitted on the SemEval-2022 Task 8
training pairs (``benchmarks/fit_pair_weights.py``; cross-validated figures in
benchmarks/QUALITY.md). The pairs carry no dates, so the date weights are set by hand and
checked on the demo corpus; the threshold was chosen on the training half of the UCI stream.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from storyline.models import EventMark, Evidence
from storyline.stories.events import day_of, event_gap, one_off_conflict, one_off_match
from storyline.stories.evidence import (
    EVENT_FEATURES,
    Background,
    Comparison,
    compare,
    english_only,
)
from storyline.stories.features import overlap

#: Order of the features in ``feature_vector`` (and of the fitted coefficients).
FEATURE_NAMES = ("head", "body", "head_x", "body_x", "keywords", "keyword_miss")
#: Dimensions of the two segments of a dual vector: [all-MiniLM-L6-v2 | multilingual USE].
DUAL_DIMS = (384, 512)
#: Both articles must name at least this many keywords for "no shared keyword" to count.
MISS_MIN_KEYWORDS = 4


@dataclass(frozen=True, slots=True)
class PairFeatures:
    """The signals compared for one pair of articles.

    ``cos_head_x``/``cos_body_x`` are the multilingual model's cosines (None when the vectors
    carry only one model; the monolingual cosines stand in for them then).
    ``event_gap_days`` is the gap between the nearest events of the same action that both
    articles are about (None when they share none); see ``time_gap``.
    """

    cos_head: float
    cos_body: float
    keyword_overlap: float
    gap_days: float | None
    cos_head_x: float | None = None
    cos_body_x: float | None = None
    keyword_miss: float = 0.0
    event_gap_days: float | None = None
    #: How the two articles' event evidence agrees and conflicts (None without evidence).
    comparison: Comparison | None = None
    #: Both report an action that happens once (a quake, a fire) on dates days apart.
    one_off_conflict: bool = False
    #: Both report it on the same day, recently (``events.one_off_match``).
    one_off_match: bool = False

    @property
    def event_vector(self) -> list[float]:
        """The event features in ``EVENT_FEATURES`` order (zeros without evidence)."""
        if self.comparison is None:
            return [0.0] * len(EVENT_FEATURES)
        return self.comparison.vector()

    @property
    def time_gap(self) -> float | None:
        """The gap the date term penalises: the publication gap, or the event gap when the
        two articles report the same action at nearer dates (None without publication
        dates)."""
        if self.gap_days is None or self.event_gap_days is None:
            return self.gap_days
        return min(self.gap_days, self.event_gap_days)


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """Logistic weights of the pair score (``z = bias + Σ weight × signal``)."""

    bias: float = -10.0
    head: float = 7.0
    body: float = 6.0
    keywords: float = 2.5
    gap_per_day: float = -0.02
    #: Score at or above which an article joins a story.
    threshold: float = 0.5
    head_x: float = 0.0
    body_x: float = 0.0
    keyword_miss: float = 0.0
    #: Days of gap that cost nothing (a story's articles are rarely the same day).
    gap_free_days: float = 0.0
    #: Largest gap penalised: beyond it the window decides (developing stories run long).
    gap_max_days: float = 1e9
    #: Logit added when both report a one-off action on dates days apart (``events.py``).
    #: Hand-set like the other date weights: no training data has dates.
    one_off_conflict: float = 0.0
    #: Logit added when both report a one-off action on the same day, recently (hand-set).
    one_off_match: float = 0.0
    # Event evidence (``stories/evidence.py``, ``EVENT_FEATURES``): agreement and conflict.
    terms: float = 0.0
    entities: float = 0.0
    entity_conflict: float = 0.0
    people: float = 0.0
    place_agree: float = 0.0
    place_conflict: float = 0.0
    numbers: float = 0.0
    number_conflict: float = 0.0
    years: float = 0.0
    year_conflict: float = 0.0
    short: float = 0.0

    @property
    def event_weights(self) -> np.ndarray:
        """The event features' weights in ``EVENT_FEATURES`` order."""
        return np.asarray([getattr(self, name) for name in EVENT_FEATURES])

    def to_dict(self) -> dict[str, float]:
        """The weights as a JSON-ready dict."""
        return {k: float(v) for k, v in asdict(self).items()}


@lru_cache(maxsize=1)
def default_weights() -> ScoreWeights:
    """Weights shipped with the package, or the hand-set defaults when none are shipped."""
    try:
        text = resources.files("storyline").joinpath("data/score_weights.json").read_text()
    except (FileNotFoundError, ModuleNotFoundError):
        return ScoreWeights()
    return weights_from_dict(json.loads(text))


def weights_with_threshold(threshold: float | None) -> ScoreWeights:
    """The shipped weights, with the join threshold replaced when ``threshold`` is given (the
    ``cluster_threshold`` setting)."""
    weights = default_weights()
    return weights if threshold is None else replace(weights, threshold=threshold)


def weights_from_dict(values: dict[str, Any]) -> ScoreWeights:
    """``ScoreWeights`` from a dict, ignoring keys it does not know (comments, provenance)."""
    known = {f.name for f in fields(ScoreWeights)}
    return ScoreWeights(**{k: float(v) for k, v in values.items() if k in known})


def weights_from_vector(coef: np.ndarray, *, base: ScoreWeights) -> ScoreWeights:
    """``base`` with bias and text weights replaced by ``[bias, *FEATURE_NAMES weights]``,
    and the event weights too when ``coef`` also holds ``EVENT_FEATURES`` weights."""
    names = ("bias", *FEATURE_NAMES) + (EVENT_FEATURES if len(coef) > 1 + len(FEATURE_NAMES)
                                         else ())
    values = dict(zip(names, (float(c) for c in coef), strict=True))
    return replace(base, **values)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two vectors that are already L2-normalised."""
    return float(np.dot(a, b))


def split_vector(v: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(monolingual, multilingual) parts of a vector; the second is None for a plain vector.

    A dual vector holds each model's unit vector scaled by 1/√2, so that the whole is a unit
    vector whose cosine is the mean of the two models' cosines.
    """
    if v.shape[-1] == sum(DUAL_DIMS):
        return v[..., : DUAL_DIMS[0]] * math.sqrt(2.0), v[..., DUAL_DIMS[0]:] * math.sqrt(2.0)
    return v, None


def _cosines(a: np.ndarray, b: np.ndarray) -> tuple[float, float | None]:
    a1, a2 = split_vector(a)
    b1, b2 = split_vector(b)
    mono = cosine(a1, b1)
    return mono, (cosine(a2, b2) if a2 is not None and b2 is not None else None)


def keyword_miss(kw_a: frozenset[str] | list[str], kw_b: frozenset[str] | list[str],
                 shared: float) -> float:
    """1.0 when both articles name several entities and share none of them, else 0.0."""
    return float(shared == 0.0 and min(len(kw_a), len(kw_b)) >= MISS_MIN_KEYWORDS)


def features(
    head_a: np.ndarray, body_a: np.ndarray, kw_a: frozenset[str] | list[str], ts_a: float | None,
    head_b: np.ndarray, body_b: np.ndarray, kw_b: frozenset[str] | list[str], ts_b: float | None,
    *, events_a: tuple[EventMark, ...] = (), events_b: tuple[EventMark, ...] = (),
    evidence_a: Evidence | None = None, evidence_b: Evidence | None = None,
    background: Background | None = None,
) -> PairFeatures:
    """Signals for a pair given their vectors, keywords, timestamps (seconds) and, when
    known, the dated events each is about (``Article.events``) and their event evidence
    (``Article.evidence``), compared against the stream's ``background`` when given."""
    gap = abs(ts_a - ts_b) / 86400.0 if ts_a is not None and ts_b is not None else None
    head, head_x = _cosines(head_a, head_b)
    body, body_x = _cosines(body_a, body_b)
    if head_x is not None and body_x is not None and not english_only(evidence_a, evidence_b):
        head, body = head_x, body_x  # MiniLM reads only English: its cosine says nothing here
    shared = overlap(kw_a, kw_b)
    return PairFeatures(
        cos_head=head, cos_body=body, keyword_overlap=shared, gap_days=gap,
        cos_head_x=head_x, cos_body_x=body_x, keyword_miss=keyword_miss(kw_a, kw_b, shared),
        event_gap_days=event_gap(events_a, events_b, (day_of(ts_a), day_of(ts_b))
                                 if ts_a is not None and ts_b is not None else None),
        comparison=(compare(evidence_a, evidence_b, background)
                    if evidence_a is not None and evidence_b is not None else None),
        one_off_conflict=one_off_conflict(events_a, events_b),
        one_off_match=(ts_a is not None and ts_b is not None and one_off_match(
            *((events_a, events_b) if ts_a >= ts_b else (events_b, events_a)),
            day_of(max(ts_a, ts_b)))),
    )


def feature_vector(f: PairFeatures, *, event: bool = False) -> list[float]:
    """The text signals in ``FEATURE_NAMES`` order (dates excluded: fitted separately),
    followed by the event features (``EVENT_FEATURES``) when ``event``."""
    if event:
        return feature_vector(f) + f.event_vector
    return [
        f.cos_head, f.cos_body,
        f.cos_head if f.cos_head_x is None else f.cos_head_x,
        f.cos_body if f.cos_body_x is None else f.cos_body_x,
        f.keyword_overlap, f.keyword_miss,
    ]


def features_from_vector(row: Any, gap_days: float | None = None) -> PairFeatures:
    """Inverse of ``feature_vector`` (with an optional gap)."""
    head, body, head_x, body_x, kw, miss = (float(v) for v in row)
    return PairFeatures(cos_head=head, cos_body=body, keyword_overlap=kw, gap_days=gap_days,
                        cos_head_x=head_x, cos_body_x=body_x, keyword_miss=miss)


def gap_penalty(gap_days: float, w: ScoreWeights) -> float:
    """The date term of the logit: linear in the gap beyond ``gap_free_days``, capped."""
    days = min(max(gap_days - w.gap_free_days, 0.0), w.gap_max_days)
    return w.gap_per_day * days


def logit(f: PairFeatures, w: ScoreWeights) -> float:
    """The score before the logistic squashing."""
    z = (w.bias + w.head * f.cos_head + w.body * f.cos_body + w.keywords * f.keyword_overlap
         + w.keyword_miss * f.keyword_miss)
    z += w.head_x * (f.cos_head if f.cos_head_x is None else f.cos_head_x)
    z += w.body_x * (f.cos_body if f.cos_body_x is None else f.cos_body_x)
    if f.comparison is not None:
        z += float(np.dot(w.event_weights, f.event_vector))
    gap = f.time_gap
    if gap is not None:
        z += gap_penalty(gap, w)
    if f.one_off_conflict:
        z += w.one_off_conflict
    if f.one_off_match and not (f.comparison is not None and f.comparison.named_apart):
        z += w.one_off_match
    return z


def score_features(f: PairFeatures, weights: ScoreWeights | None = None) -> float:
    """Probability that the pair reports the same story."""
    z = logit(f, weights or default_weights())
    return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))
