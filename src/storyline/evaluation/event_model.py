"""The same-event model: its training pairs, its fit, and the ECB+ benchmark.

The pair score (``stories/scoring.py``) is a logistic function of text signals (embedding
cosines, keyword overlap) and event evidence (``stories/evidence.py``: rare shared words,
shared and conflicting names, places, numbers, years). Its weights are fitted here on
**event-labelled** data, so that the score says "same event", not "same topic":

- **ECB+ topics 1–35** (``../shared/data/ecbplus``): each topic holds two look-alike events
  (two rehab check-ins, two earthquakes...). Positives are the pairs of one event; negatives
  are the pairs of the other event of the same topic (the hard ones) and a sample of pairs
  across topics. Full texts, no dates.
- **UCI headlines, training half** (``evaluation/stream.py``): pairs of one aggregator story
  against pairs of two stories of the same category. Headlines only, so that the same model
  holds on a title as on a full text.

Every article goes through the ingest stages (extraction from a JSONL-shaped dict, keywords,
embedding, enrichment, evidence), exactly as in ``storyline ingest``.

**ECB+ benchmark** (``evaluate_ecbplus``): 5 folds of topics (hashed); for each fold the
model is fitted on the other folds' pairs (ECB+ only), the join threshold is chosen by
streaming the training topics' documents through the real ``Assigner``, and the held-out
topics' documents are streamed in a fixed shuffled order (there are no dates). The TF-IDF
single-pass baseline gets its threshold from the training topics in the same way. Reported:
BCubed and pairwise precision, recall and F1 over all held-out documents.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import Any, cast

import numpy as np

from storyline.embedding import Encoder
from storyline.evaluation.baselines import tfidf_single_pass
from storyline.evaluation.metrics import cluster_scores
from storyline.evaluation.stream import assign_stream
from storyline.models import Article
from storyline.research import article_from_dict, prepare_articles
from storyline.stories.evidence import EVENT_FEATURES
from storyline.stories.scoring import (
    FEATURE_NAMES,
    ScoreWeights,
    default_weights,
    feature_vector,
    features,
    weights_from_vector,
)

log = logging.getLogger(__name__)

#: Folds of topics for the ECB+ cross-validation.
FOLDS = 5
#: Share of cross-topic (easy negative) pairs kept for fitting.
CROSS_TOPIC_SAMPLE = 0.05
#: Join thresholds tried when tuning on training data (coarse, then refined by ±0.02, ±0.04).
THRESHOLD_GRID = tuple(round(0.1 * i, 2) for i in range(2, 9))
#: Cosine thresholds tried for the TF-IDF single-pass baseline.
TFIDF_GRID = tuple(round(0.05 * i, 2) for i in range(1, 17))
#: The one publication time every ECB+ document gets (the corpus has no dates).
FIXED_TIME = "2020-01-01T00:00:00+00:00"
#: Regularisation of the logistic fit (sklearn's C).
FIT_C = 1.0


def load_ecbplus(path: Path) -> list[dict[str, Any]]:
    """The documents of ``ecbplus/train.jsonl.gz`` (one dict per document)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def ecbplus_articles(docs: Sequence[dict[str, Any]]) -> list[Article]:
    """One article per document, all at ``FIXED_TIME``; ``source`` is ``ecb:<doc_id>``."""
    return [
        article_from_dict({"title": d["title"], "text": d["text"], "published": FIXED_TIME,
                           "language": "en", "url": None, "outlet": None},
                          source=f"ecb:{d['doc_id']}")
        for d in docs
    ]


def pair_rows(articles: Sequence[Article], pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Text and event features (``FEATURE_NAMES`` + ``EVENT_FEATURES``) of index pairs.

    Evidence is compared without a background (``evidence.Background``): a stream starts with
    none, and weights fitted on evidence cleared by the whole corpus's background overrate
    what two articles share early in a stream (ECB+ CV BCubed F1 0.884 against 0.906)."""
    rows = []
    for i, j in pairs:
        a, b = articles[i], articles[j]
        assert a.head_vector is not None and a.body_vector is not None
        assert b.head_vector is not None and b.body_vector is not None
        f = features(a.head_vector, a.body_vector, a.keywords, None,
                     b.head_vector, b.body_vector, b.keywords, None,
                     evidence_a=a.evidence, evidence_b=b.evidence)
        rows.append(feature_vector(f, event=True))
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURE_NAMES) + len(EVENT_FEATURES))


def labelled_pairs(labels: Sequence[str], groups: Sequence[str], *, seed: int = 0,
                   cross_sample: float = CROSS_TOPIC_SAMPLE
                   ) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Every pair within a group (same event → 1, other event → 0) and a sample of pairs
    across groups (→ 0)."""
    rng = np.random.default_rng(seed)
    pairs: list[tuple[int, int]] = []
    target: list[int] = []
    n = len(labels)
    for i in range(n):
        for j in range(i + 1, n):
            if groups[i] == groups[j] or rng.random() < cross_sample:
                pairs.append((i, j))
                target.append(int(labels[i] == labels[j]))
    return pairs, np.asarray(target)


def fit_event_weights(x: np.ndarray, y: np.ndarray, *, base: ScoreWeights | None = None,
                      sample_weight: np.ndarray | None = None) -> ScoreWeights:
    """Logistic regression of "same event" on the pair features; ``base`` keeps its date
    weights and threshold."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=FIT_C, max_iter=5000).fit(x, y, sample_weight=sample_weight)
    coef = np.r_[model.intercept_, model.coef_[0]]
    return weights_from_vector(coef, base=base or default_weights())


def _f1(predicted: Mapping[str, str], gold: Mapping[str, str]) -> float:
    return cluster_scores(cast(Any, predicted), cast(Any, gold)).f1


def tune_threshold(run: Callable[[float], Mapping[str, str]], gold: dict[str, str],
                   grid: Sequence[float] = THRESHOLD_GRID) -> tuple[float, float]:
    """The threshold with the best BCubed F1 of ``run(threshold)`` against ``gold``: the
    coarse grid, then ±0.02 and ±0.04 around its best."""
    curve = {t: _f1(run(t), gold) for t in grid}
    best = max(curve, key=lambda t: (curve[t], -t))
    for t in (best - 0.04, best - 0.02, best + 0.02, best + 0.04):
        if 0.0 < t < 1.0 and round(t, 2) not in curve:
            curve[round(t, 2)] = _f1(run(round(t, 2)), gold)
    best = max(curve, key=lambda t: (curve[t], -t))
    return best, curve[best]


def fold_of(topic: str) -> int:
    """The cross-validation fold of an ECB+ topic (hash of its name)."""
    return int(hashlib.sha1(topic.encode()).hexdigest(), 16) % FOLDS


def _shuffled(articles: Sequence[Article]) -> list[Article]:
    """Articles in a fixed pseudo-random order: all share one timestamp, so the assigner
    takes them in id order (a content hash)."""
    return sorted(articles, key=lambda a: a.id)


def evaluate_ecbplus(path: Path, *, encoder: Encoder, limit: int | None = None
                     ) -> dict[str, Any]:
    """The ECB+ benchmark (see the module docstring); a JSON-ready report."""
    started = time.perf_counter()
    docs = load_ecbplus(path)
    if limit:
        topics = sorted({d["topic"] for d in docs}, key=lambda t: int(t))[:limit]
        docs = [d for d in docs if d["topic"] in topics]
    articles = prepare_articles(ecbplus_articles(docs), encoder)
    prepared = time.perf_counter()
    event = [d["subtopic"] for d in docs]
    topic = [d["topic"] for d in docs]
    gold = {a.source: e for a, e in zip(articles, event, strict=True)}
    base = default_weights()
    predicted: dict[str, str] = {}
    baseline: dict[str, str] = {}
    shipped: dict[str, str] = {}
    folds = []
    for k in range(FOLDS):
        train = [i for i, t in enumerate(topic) if fold_of(t) != k]
        test = [i for i, t in enumerate(topic) if fold_of(t) == k]
        if not train or not test:
            continue
        pairs, y = labelled_pairs([event[i] for i in train], [topic[i] for i in train])
        x = pair_rows([articles[i] for i in train], pairs)
        weights = fit_event_weights(x, y, base=base)
        train_arts = _shuffled([articles[i] for i in train])
        test_arts = _shuffled([articles[i] for i in test])
        train_gold = {a.source: gold[a.source] for a in train_arts}
        threshold, train_f1 = tune_threshold(
            partial(_stream_at, train_arts, weights), train_gold)
        predicted.update({s: f"{k}:{c}" for s, c in
                          assign_stream(test_arts, replace(weights, threshold=threshold)).items()})
        shipped.update({s: f"{k}:{c}" for s, c in assign_stream(test_arts, base).items()})

        tf_t, _ = tune_threshold(partial(_tfidf, train_arts), train_gold, TFIDF_GRID)
        baseline.update({s: f"{k}:{c}" for s, c in _tfidf(test_arts, tf_t).items()})
        folds.append({"fold": k, "train_docs": len(train), "test_docs": len(test),
                      "threshold": threshold, "train_bcubed_f1": round(train_f1, 4),
                      "tfidf_threshold": tf_t,
                      "weights": {n: round(getattr(weights, n), 3)
                                  for n in ("bias", *FEATURE_NAMES, *EVENT_FEATURES)}})
        log.info("ecbplus fold %d: threshold %.2f, train F1 %.3f", k, threshold, train_f1)
    return {
        "benchmark": "ecbplus-topics-1-35", "data": str(path), "documents": len(docs),
        "topics": len(set(topic)), "events": len(set(event)), "encoder": encoder.name,
        "method": f"{FOLDS}-fold cross-validation by topic; weights and threshold fitted on "
                  "the training topics of each fold",
        "storyline": _scores(predicted, gold),
        "shipped_weights": _scores(shipped, gold),
        "tfidf_single_pass": _scores(baseline, gold),
        "folds": folds,
        "seconds": {"prepare": round(prepared - started, 1),
                    "total": round(time.perf_counter() - started, 1)},
    }


def _stream_at(articles: Sequence[Article], weights: ScoreWeights, threshold: float
               ) -> dict[str, str]:
    return assign_stream(articles, replace(weights, threshold=threshold))


def _tfidf(articles: Sequence[Article], threshold: float) -> dict[str, str]:
    """The TF-IDF single-pass baseline over ``articles`` (in the order given)."""
    labels = tfidf_single_pass([f"{a.title}\n{a.text}" for a in articles], threshold=threshold)
    return {a.source: str(lab) for a, lab in zip(articles, labels, strict=True)}


def _scores(predicted: dict[str, str], gold: dict[str, str]) -> dict[str, Any]:
    return {k: (round(v, 4) if isinstance(v, float) else v)
            for k, v in asdict(cluster_scores(cast(Any, predicted), cast(Any, gold))).items()}
