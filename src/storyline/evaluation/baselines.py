"""Baselines that Storyline's figures are printed beside.

- Pairs: cosine of TF-IDF vectors (scikit-learn, word unigrams, sublinear tf, fitted on all
  texts of the benchmark) — the reference setup of the SemEval data README (r = −0.59).
- Streams: TF-IDF single-pass clustering. Each item, in stream order, joins the cluster whose
  centroid is most similar if the cosine reaches a threshold, else starts a cluster. The IDF
  is fitted on the texts being clustered (unsupervised; no labels), the threshold on
  training data only (``best_threshold``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np


def tfidf_pair_scores(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """TF-IDF cosine of each pair of texts, the vectoriser fitted on all the texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    index = {t: i for i, t in enumerate(texts)}
    matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    a = matrix[[index[p[0]] for p in pairs]]
    b = matrix[[index[p[1]] for p in pairs]]
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def tfidf_single_pass(texts: Sequence[str], *, threshold: float) -> list[int]:
    """Cluster ``texts`` in the given order; returns a cluster number per text."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(texts).tocsr()
    n, dim = matrix.shape
    # Dense centroids are fine at benchmark sizes (thousands of items, ~10k terms).
    sums = np.zeros((min(n, 256), dim), dtype=np.float32)
    centroids = np.zeros_like(sums)
    count = 0
    labels: list[int] = []
    for i in range(n):
        row = matrix[i]
        best, best_sim = -1, -1.0
        if count:
            # Only the row's own terms matter: gather those columns of the centroids.
            sims = centroids[:count, row.indices] @ row.data.astype(np.float32)
            best = int(np.argmax(sims))
            best_sim = float(sims[best])
        if best < 0 or best_sim < threshold:
            best, count = count, count + 1
            if count > len(sums):  # grow by doubling
                sums = np.vstack([sums, np.zeros_like(sums)])
                centroids = np.vstack([centroids, np.zeros_like(centroids)])
        cols = row.indices
        sums[best, cols] += row.data
        norm = float(np.linalg.norm(sums[best]))
        centroids[best] = sums[best] / norm if norm else sums[best]
        labels.append(best)
    return labels


def best_threshold(
    run: Callable[[float], Mapping[Any, Any]],
    gold: Mapping[Any, Any],
    grid: Sequence[float],
) -> tuple[float, float, dict[float, float]]:
    """The threshold of ``grid`` whose clustering (``run(threshold)``) has the best BCubed F1
    against ``gold``; returns (threshold, F1, F1 per threshold)."""
    from storyline.evaluation.metrics import bcubed

    scores = {t: bcubed(run(t), gold)[2] for t in grid}  # type: ignore[arg-type]
    best = max(scores, key=lambda t: (scores[t], -t))
    return best, scores[best], scores
