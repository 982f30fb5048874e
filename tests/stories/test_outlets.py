"""Outlet background: an outlet whose articles share a template gets an offset off its own
pairs' cosines, an outlet that reads like anyone gets none, and the assigner lowers only pairs
of one outlet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from storyline.models import Article
from storyline.stories.assign import Assigner
from storyline.stories.outlets import MIN_ARTICLES, OutletBackground
from storyline.stories.scoring import DUAL_DIMS

DAY0 = datetime(2025, 10, 1, tzinfo=UTC)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _dual(rng: np.random.Generator, template: np.ndarray | None, share: float) -> np.ndarray:
    """A dual head vector: ``share`` of ``template`` (per model part) plus its own direction."""
    parts, start = [], 0
    for dim in DUAL_DIMS:
        own = _unit(rng.standard_normal(dim))
        t = template[start:start + dim] if template is not None else np.zeros(dim)
        parts.append(_unit(share * t + own) / np.sqrt(2))
        start += dim
    return np.concatenate(parts).astype(np.float32)


def _template(rng: np.random.Generator) -> np.ndarray:
    return np.concatenate([_unit(rng.standard_normal(d)) for d in DUAL_DIMS])


def test_offsets_need_min_articles_and_a_template() -> None:
    rng = np.random.default_rng(11)
    police = _template(rng)
    background = OutletBackground()
    for _ in range(40):  # a stream of many outlets, each writing its own way
        background.add(f"outlet-{rng.integers(1000)}", _dual(rng, None, 0.0))
    for _ in range(MIN_ARTICLES - 1):
        background.add("Police", _dual(rng, police, 2.0))
        background.add("Courier", _dual(rng, None, 0.0))
    release = _dual(rng, police, 2.0)
    assert background.offsets("Police", release) == (0.0, 0.0)  # too few articles yet
    background.add("Police", _dual(rng, police, 2.0))
    background.add("Courier", _dual(rng, None, 0.0))
    mono, multi = background.offsets("Police", release)
    assert mono > 0.3 and multi > 0.3  # the template's share, per model
    # An outlet whose articles share nothing has (close to) no offset; none is negative.
    courier = background.offsets("Courier", _dual(rng, None, 0.0))
    assert all(0.0 <= o < 0.15 for o in courier)
    assert background.offsets(None, release) == (0.0, 0.0)
    assert background.offsets("Unknown", release) == (0.0, 0.0)


def _article(aid: str, outlet: str, vector: np.ndarray, day: float) -> Article:
    return Article(id=aid, title=aid, text="", published=DAY0 + timedelta(days=day),
                   authors=[], outlet=outlet, url=None, language="en", source=aid,
                   raw_kind="jsonl", keywords=[], head_vector=vector, body_vector=vector)


def test_assigner_lowers_only_pairs_of_one_templated_outlet() -> None:
    rng = np.random.default_rng(12)
    police = _template(rng)
    assigner = Assigner([])
    history = [_article(f"p{i}", "Police", _dual(rng, police, 2.0), i) for i in range(8)]
    history += [_article(f"o{i}", f"Other {i}", _dual(rng, None, 0.0), i) for i in range(30)]
    assigner.assign(sorted(history, key=lambda a: a.published))
    old = _article("old", "Police", _dual(rng, police, 2.0), 9)
    (placed,), _ = assigner.assign([old])
    state = assigner.states[placed.story_id]
    new = _dual(rng, police, 2.0)
    ts = (DAY0 + timedelta(days=10)).timestamp()
    as_police = assigner.story_score(state, new, new, frozenset(), ts, outlet="Police")
    as_other = assigner.story_score(state, new, new, frozenset(), ts, outlet="Wire")
    plain = assigner.story_score(state, new, new, frozenset(), ts)
    # The same vectors: from the police itself the template is discounted, from another
    # outlet (or none) the pair keeps its full cosine.
    assert as_police < as_other - 0.05
    assert as_other == plain


def test_less_template_takes_the_share_off_the_cosines_the_pair_is_scored_on() -> None:
    from storyline.stories.outlets import less_template
    from storyline.stories.scoring import PairFeatures, default_weights, logit

    f = PairFeatures(cos_head=0.9, cos_body=0.8, keyword_overlap=0.3, gap_days=8.0,
                     cos_head_x=0.85, cos_body_x=0.75)
    english = less_template(f, (0.2, 0.1), foreign=False)
    assert (english.cos_head, english.cos_body) == pytest.approx((0.7, 0.6))
    assert (english.cos_head_x, english.cos_body_x) == pytest.approx((0.75, 0.65))
    assert logit(english, default_weights()) < logit(f, default_weights())
    # Compared on the multilingual cosines alone, the pair loses the multilingual share.
    foreign = less_template(f, (0.2, 0.1), foreign=True)
    assert (foreign.cos_head, foreign.cos_head_x) == pytest.approx((0.75, 0.75))
    # One model: its cosines stand for both.
    single = less_template(PairFeatures(cos_head=0.9, cos_body=0.8, keyword_overlap=0.3,
                                        gap_days=1.0), (0.2, 0.0), foreign=False)
    assert (single.cos_head, single.cos_body, single.cos_head_x) == pytest.approx(
        (0.7, 0.6, None))
