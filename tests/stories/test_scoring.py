"""Pair scoring: the shipped weights, the signals, and how the score moves with them."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from storyline.stories.scoring import (
    DUAL_DIMS,
    PairFeatures,
    ScoreWeights,
    default_weights,
    feature_vector,
    features,
    features_from_vector,
    score_features,
    split_vector,
    weights_from_dict,
)


def _dual(mono: np.ndarray, multi: np.ndarray) -> np.ndarray:
    mono = mono / np.linalg.norm(mono)
    multi = multi / np.linalg.norm(multi)
    return (np.r_[mono, multi] / math.sqrt(2)).astype(np.float32)


def _feat(head: float, *, kw: float = 0.3, miss: float = 0.0, gap: float | None = None
          ) -> PairFeatures:
    return PairFeatures(cos_head=head, cos_body=head - 0.1, keyword_overlap=kw, gap_days=gap,
                        cos_head_x=head, cos_body_x=head - 0.1, keyword_miss=miss)


def test_scoring_shipped_weights_are_fitted_and_positive_on_similarity() -> None:
    w = default_weights()
    assert w != ScoreWeights(), "data/score_weights.json is not being read"
    # Every similarity signal counts for the same story, the keyword mismatch against.
    assert w.head + w.head_x > 0 and w.body + w.body_x > 0
    assert w.keywords > 0
    assert w.keyword_miss <= 0
    assert 0.0 < w.threshold < 1.0


def test_scoring_monotone_in_head_similarity() -> None:
    scores = [score_features(_feat(h)) for h in np.linspace(-0.2, 1.0, 25)]
    assert all(b > a for a, b in zip(scores, scores[1:], strict=False))
    assert 0.0 < scores[0] < scores[-1] < 1.0


def test_scoring_entity_mismatch_and_date_gap_count_against() -> None:
    base = score_features(_feat(0.6))
    assert score_features(_feat(0.6, miss=1.0, kw=0.0)) < score_features(_feat(0.6, kw=0.0))
    near, far = score_features(_feat(0.6, gap=1.0)), score_features(_feat(0.6, gap=60.0))
    assert far < near <= base + 1e-12


def test_scoring_gap_penalty_is_capped() -> None:
    w = replace(default_weights(), gap_per_day=-0.1, gap_free_days=2.0, gap_max_days=30.0)
    assert score_features(_feat(0.6, gap=1.0), w) == pytest.approx(score_features(_feat(0.6), w))
    assert score_features(_feat(0.6, gap=30.0 + 2.0), w) == pytest.approx(
        score_features(_feat(0.6, gap=400.0), w))


def test_scoring_split_vector_recovers_both_models() -> None:
    rng = np.random.default_rng(1)
    a = _dual(rng.standard_normal(DUAL_DIMS[0]), rng.standard_normal(DUAL_DIMS[1]))
    b = _dual(rng.standard_normal(DUAL_DIMS[0]), rng.standard_normal(DUAL_DIMS[1]))
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-5)
    a1, a2 = split_vector(a)
    b1, b2 = split_vector(b)
    assert a2 is not None and b2 is not None
    assert float(np.linalg.norm(a1)) == pytest.approx(1.0, abs=1e-5)
    # The cosine of dual vectors is the mean of the two models' cosines.
    assert float(a @ b) == pytest.approx((float(a1 @ b1) + float(a2 @ b2)) / 2, abs=1e-5)
    f = features(a, a, ["x"], None, b, b, ["y"], None)
    assert f.cos_head == pytest.approx(float(a1 @ b1), abs=1e-5)
    assert f.cos_head_x == pytest.approx(float(a2 @ b2), abs=1e-5)


def test_scoring_plain_vectors_stand_in_for_the_multilingual_ones() -> None:
    v = np.zeros(384, dtype=np.float32)
    v[0] = 1.0
    f = features(v, v, [], None, v, v, [], None)
    assert f.cos_head_x is None
    assert feature_vector(f)[2] == pytest.approx(1.0)


def test_scoring_feature_vector_round_trip() -> None:
    f = _feat(0.55, kw=0.5, miss=1.0)
    assert features_from_vector(feature_vector(f)) == f


def test_scoring_keyword_miss_needs_several_entities_on_both_sides() -> None:
    many_a = ["a", "b", "c", "d", "e"]
    many_b = ["v", "w", "x", "y", "z"]
    v = np.ones(384, dtype=np.float32) / math.sqrt(384)
    assert features(v, v, many_a, None, v, v, many_b, None).keyword_miss == 1.0
    assert features(v, v, many_a[:2], None, v, v, many_b, None).keyword_miss == 0.0
    assert features(v, v, many_a, None, v, v, ["a", *many_b], None).keyword_miss == 0.0


def test_scoring_weights_from_dict_ignores_comments() -> None:
    w = weights_from_dict({"_comment": "x", "head": 3, "threshold": 0.4})
    assert w.head == 3.0 and w.threshold == 0.4


def test_scoring_another_language_is_compared_on_the_multilingual_model_alone() -> None:
    """all-MiniLM-L6-v2 reads only English: two Spanish reports of different events look
    alike to it. A pair with a language other than English takes the multilingual cosines,
    in the pair score and in the assigner's vectorised story score alike."""
    from storyline.models import Evidence
    from storyline.store.base import MemberState, StoryState
    from storyline.stories.assign import Assigner

    rng = np.random.default_rng(5)
    mono = rng.standard_normal(DUAL_DIMS[0])
    a = _dual(mono, rng.standard_normal(DUAL_DIMS[1]))
    b = _dual(mono + 0.1 * rng.standard_normal(DUAL_DIMS[0]), rng.standard_normal(DUAL_DIMS[1]))
    a1, a2 = split_vector(a)
    b1, b2 = split_vector(b)
    assert a2 is not None and b2 is not None
    spanish, english = Evidence(language="es"), Evidence(language="en")
    both_en = features(a, a, ["x"], 0.0, b, b, ["y"], 0.0, evidence_a=english, evidence_b=english)
    assert both_en.cos_head == pytest.approx(float(a1 @ b1), abs=1e-5)  # ~0.99: MiniLM
    for ev_a, ev_b in ((spanish, spanish), (english, spanish), (spanish, None)):
        f = features(a, a, ["x"], 0.0, b, b, ["y"], 0.0, evidence_a=ev_a, evidence_b=ev_b)
        assert f.cos_head == f.cos_head_x == pytest.approx(float(a2 @ b2), abs=1e-5)
        assert f.cos_body == pytest.approx(float(a2 @ b2), abs=1e-5)
    es_score = score_features(features(a, a, ["x"], 0.0, b, b, ["y"], 0.0,
                                       evidence_a=spanish, evidence_b=spanish))
    assert es_score < score_features(both_en)

    assigner = Assigner([])
    for member_ev, article_ev in ((spanish, spanish), (english, spanish), (spanish, english),
                                  (english, english)):
        state = StoryState(id="s", title="t", first_ts=0.0, last_ts=0.0, article_count=1, members=[
            MemberState(article_id="m", published_ts=0.0, head=b, body=b,
                        keywords=frozenset(["y"]), evidence=member_ev)])
        assigner._matrices.clear()
        pair = features(a, a, ["x"], 0.0, b, b, ["y"], 0.0, evidence_a=article_ev,
                        evidence_b=member_ev)
        story = assigner.story_score(state, a, a, frozenset(["x"]), 0.0, (), article_ev)
        assert story == pytest.approx(score_features(pair), abs=1e-4)
