"""Clustering metrics on hand-computed cases."""

from __future__ import annotations

import pytest

from storyline.evaluation.metrics import bcubed, cluster_scores


def test_metrics_bcubed_perfect_and_hand_computed() -> None:
    gold = {1: "a", 2: "a", 3: "b"}
    assert bcubed({1: "x", 2: "x", 3: "y"}, gold) == (1.0, 1.0, 1.0)
    # All in one cluster: precision (2/3 + 2/3 + 1/3)/3 = 5/9, recall 1.
    p, r, f1 = bcubed({1: "x", 2: "x", 3: "x"}, gold)
    assert p == pytest.approx(5 / 9) and r == 1.0
    assert f1 == pytest.approx(2 * (5 / 9) / (5 / 9 + 1))
    # All singletons: precision 1, recall (1/2 + 1/2 + 1)/3 = 2/3.
    p, r, _ = bcubed({1: "x", 2: "y", 3: "z"}, gold)
    assert (p, r) == (1.0, pytest.approx(2 / 3))


def test_metrics_cluster_scores_ari_ami() -> None:
    gold = {i: i // 3 for i in range(9)}
    perfect = cluster_scores({i: f"s{i // 3}" for i in range(9)}, gold)
    assert perfect.ari == pytest.approx(1.0) and perfect.ami == pytest.approx(1.0)
    assert perfect.gold_clusters == perfect.predicted_clusters == 3
    lumped = cluster_scores({i: "all" for i in range(9)}, gold)
    assert lumped.ari == pytest.approx(0.0) and lumped.f1 < 0.6
