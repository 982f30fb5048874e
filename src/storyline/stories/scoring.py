"""Pairwise same-story score: how likely two articles report the same event, in [0, 1].

Signals, combined by a logistic function whose weights live in ``data/score_weights.json``
(fitted by ``storyline eval pairs --fit``; see BENCHMARKS.md), with hand-set defaults:
- cosine of the head vectors (title + lede), which name the event;
- cosine of the body vectors;
- overlap of proper-noun keywords (shared people, places, organisations);
- the gap between publication dates, in days, when both dates are known.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from storyline.stories.features import overlap


@dataclass(frozen=True, slots=True)
class PairFeatures:
    """The signals compared for one pair of articles."""

    cos_head: float
    cos_body: float
    keyword_overlap: float
    gap_days: float | None


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """Logistic weights of the pair score."""

    bias: float = -10.0
    head: float = 7.0
    body: float = 6.0
    keywords: float = 2.5
    gap_per_day: float = -0.02
    #: Score at or above which an article joins a story.
    threshold: float = 0.5


@lru_cache(maxsize=1)
def default_weights() -> ScoreWeights:
    """Weights shipped with the package, or the hand-set defaults when none are shipped."""
    try:
        text = resources.files("storyline").joinpath("data/score_weights.json").read_text()
    except (FileNotFoundError, ModuleNotFoundError):
        return ScoreWeights()
    values = json.loads(text)
    known = {k: float(v) for k, v in values.items() if k in asdict(ScoreWeights())}
    return ScoreWeights(**known)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two vectors that are already L2-normalised."""
    return float(np.dot(a, b))


def features(
    head_a: np.ndarray, body_a: np.ndarray, kw_a: frozenset[str] | list[str], ts_a: float | None,
    head_b: np.ndarray, body_b: np.ndarray, kw_b: frozenset[str] | list[str], ts_b: float | None,
) -> PairFeatures:
    """Signals for a pair given their vectors, keywords and timestamps (seconds)."""
    gap = abs(ts_a - ts_b) / 86400.0 if ts_a is not None and ts_b is not None else None
    return PairFeatures(
        cos_head=cosine(head_a, head_b),
        cos_body=cosine(body_a, body_b),
        keyword_overlap=overlap(kw_a, kw_b),
        gap_days=gap,
    )


def score_features(f: PairFeatures, weights: ScoreWeights | None = None) -> float:
    """Probability that the pair reports the same story."""
    w = weights or default_weights()
    z = w.bias + w.head * f.cos_head + w.body * f.cos_body + w.keywords * f.keyword_overlap
    if f.gap_days is not None:
        z += w.gap_per_day * f.gap_days
    return 1.0 / (1.0 + math.exp(-z))
