"""Clustering metrics: BCubed precision/recall/F1 (Bagga & Baldwin 1998), pairwise
precision/recall/F1, ARI and AMI.

BCubed scores every item: precision is the share of its predicted cluster that shares its gold
label, recall the share of its gold cluster that shares its predicted cluster; both are averaged
over items, and F1 is their harmonic mean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ClusterScores:
    """Agreement of a predicted grouping with a gold grouping."""

    precision: float
    recall: float
    f1: float
    ari: float
    ami: float
    items: int
    predicted_clusters: int
    gold_clusters: int
    #: Pairwise precision, recall and F1: over all item pairs, a pair is positive when both
    #: items share a cluster.
    pair_precision: float = 0.0
    pair_recall: float = 0.0
    pair_f1: float = 0.0


def bcubed(
    predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]
) -> tuple[float, float, float]:
    """BCubed (precision, recall, F1) over the items present in both mappings."""
    items = [i for i in gold if i in predicted]
    if not items:
        return 0.0, 0.0, 0.0
    pair = Counter((predicted[i], gold[i]) for i in items)
    pred_size = Counter(predicted[i] for i in items)
    gold_size = Counter(gold[i] for i in items)
    precision = sum(pair[(predicted[i], gold[i])] / pred_size[predicted[i]] for i in items)
    recall = sum(pair[(predicted[i], gold[i])] / gold_size[gold[i]] for i in items)
    p, r = precision / len(items), recall / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def pairwise(
    predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]
) -> tuple[float, float, float]:
    """Pairwise (precision, recall, F1) over the items present in both mappings, counted
    from cluster sizes (no pair enumeration). An empty side counts as perfect."""
    items = [i for i in gold if i in predicted]
    both = Counter((predicted[i], gold[i]) for i in items)
    pred_size = Counter(predicted[i] for i in items)
    gold_size = Counter(gold[i] for i in items)

    def pairs(counts: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    tp, pred_pairs, gold_pairs = pairs(both), pairs(pred_size), pairs(gold_size)
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / gold_pairs if gold_pairs else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cluster_scores(
    predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]
) -> ClusterScores:
    """BCubed, pairwise, adjusted Rand index and adjusted mutual information of
    ``predicted``."""
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

    items = [i for i in gold if i in predicted]
    p, r, f1 = bcubed(predicted, gold)
    pp, pr, pf = pairwise(predicted, gold)
    pred_labels = [str(predicted[i]) for i in items]
    gold_labels = [str(gold[i]) for i in items]
    return ClusterScores(
        precision=p,
        recall=r,
        f1=f1,
        ari=float(adjusted_rand_score(gold_labels, pred_labels)) if items else 0.0,
        ami=float(adjusted_mutual_info_score(gold_labels, pred_labels)) if items else 0.0,
        items=len(items),
        predicted_clusters=len(set(pred_labels)),
        gold_clusters=len(set(gold_labels)),
        pair_precision=pp, pair_recall=pr, pair_f1=pf,
    )
