"""The online assigner: stories open around their span, late articles, look-alike events,
the centroid index, and work per article as the store grows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from storyline.models import Article
from storyline.stories.assign import Assigner, AssignOptions, CentroidIndex
from storyline.stories.features import add_keywords
from storyline.stories.scoring import DUAL_DIMS

DAY0 = datetime(2025, 2, 1, tzinfo=UTC)


def _vector(rng: np.random.Generator, topic: np.ndarray, noise: float) -> np.ndarray:
    parts = []
    start = 0
    for dim in DUAL_DIMS:
        t = topic[start : start + dim]
        v = t + noise * rng.standard_normal(dim) / np.sqrt(dim)
        parts.append(v / np.linalg.norm(v) / np.sqrt(2))
        start += dim
    return np.concatenate(parts).astype(np.float32)


def _topic(rng: np.random.Generator) -> np.ndarray:
    parts = [rng.standard_normal(d) for d in DUAL_DIMS]
    return np.concatenate([p / np.linalg.norm(p) for p in parts])


def _article(aid: str, vector: np.ndarray, day: float, keywords: list[str]) -> Article:
    return Article(id=aid, title=aid, text="", published=DAY0 + timedelta(days=day),
                   authors=[], outlet=None, url=None, language="en", source=aid,
                   raw_kind="jsonl", keywords=keywords, head_vector=vector, body_vector=vector)


def test_assign_late_old_article_lands_in_its_story() -> None:
    rng = np.random.default_rng(3)
    topic = _topic(rng)
    kw = ["halvard", "emberline", "recall", "heaters", "cpsc"]
    assigner = Assigner([])
    first, _ = assigner.assign([_article("a", _vector(rng, topic, 0.6), 10, kw),
                                _article("b", _vector(rng, topic, 0.6), 12, kw)])
    assert first[0].story_id == first[1].story_id
    # Arrives in a later batch but was published three weeks before the story's first article.
    late, _ = assigner.assign([_article("late", _vector(rng, topic, 0.6), -11, kw[:4])])
    assert late[0].story_id == first[0].story_id and not late[0].new_story


def test_assign_unrelated_articles_stay_apart_and_window_closes() -> None:
    rng = np.random.default_rng(4)
    one, two = _topic(rng), _topic(rng)
    assigner = Assigner([], options=AssignOptions(window_days=30))
    out, _ = assigner.assign([
        _article("a", _vector(rng, one, 0.6), 0, ["x", "y"]),
        _article("b", _vector(rng, two, 0.6), 1, ["p", "q"]),
        _article("c", _vector(rng, one, 0.6), 200, ["x", "y"]),  # long after the window
    ])
    assert len({a.story_id for a in out}) == 3


@pytest.mark.slow
def test_assign_look_alike_events_in_one_month_stay_apart(encoder) -> None:
    """Two earthquakes three weeks apart in different countries: similar words, different
    dates and entities — two stories; the follow-up of each joins its own."""
    from storyline.embedding import embed_articles

    def art(aid: str, day: int, title: str, text: str) -> Article:
        return Article(id=aid, title=title, text=text, published=DAY0 + timedelta(days=day),
                       authors=[], outlet=None, url=None, language="en", source=aid,
                       raw_kind="text")

    articles = [
        art("chile1", 3, "Magnitude 6.1 earthquake kills two near Tierra Amarilla in Chile",
            "A magnitude 6.1 earthquake struck near Tierra Amarilla in Chile's Atacama region "
            "on Tuesday, killing two people and damaging more than 300 homes, Chile's "
            "disaster agency Senapred said. The Candelaria copper mine was evacuated."),
        art("japan1", 24, "Magnitude 6.0 earthquake injures 12 in Hokkaido, Japan",
            "A magnitude 6.0 earthquake shook eastern Hokkaido in Japan on Monday, injuring "
            "12 people and cutting power to 40,000 homes in Kushiro, the Japan Meteorological "
            "Agency said. Hokkaido Electric Power restored most supplies by evening."),
        art("chile2", 5, "Tierra Amarilla still without water two days after deadly quake",
            "Residents of Tierra Amarilla in Chile's Atacama region remained without running "
            "water on Thursday, two days after a magnitude 6.1 earthquake killed two people. "
            "Senapred said 300 homes were damaged; the Candelaria mine stays closed."),
        art("japan2", 25, "Kushiro power restored after Hokkaido earthquake",
            "Hokkaido Electric Power said on Tuesday that power was back in Kushiro after "
            "Monday's magnitude 6.0 earthquake in eastern Hokkaido, Japan, which injured 12 "
            "people, according to the Japan Meteorological Agency."),
    ]
    add_keywords(articles)
    embed_articles(articles, encoder)
    out, _ = Assigner([]).assign(articles)
    story = {a.article_id: a.story_id for a in out}
    assert story["chile1"] == story["chile2"]
    assert story["japan1"] == story["japan2"]
    assert story["chile1"] != story["japan1"]


def _clustered(n: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(8, n // 50), dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = rng.integers(0, len(centres), size=n)
    data = centres[labels] + 0.7 * rng.standard_normal((n, dim)) / np.sqrt(dim)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    return data.astype(np.float32), centres.astype(np.float32)


def test_assign_centroid_index_inverted_file_finds_the_nearest() -> None:
    data, _ = _clustered(6000, 64, seed=5)
    exact = CentroidIndex(exact_max=10**9)
    ivf = CentroidIndex(exact_max=1000)
    for v in data:
        exact.add(v, 0.0, 0.0)
        ivf.add(v, 0.0, 0.0)
    rng = np.random.default_rng(6)
    queries = data[rng.integers(0, len(data), size=200)]
    queries = queries + 0.3 * rng.standard_normal(queries.shape).astype(np.float32) / 8
    hits = sum(int(exact.search(q, 0.0, 1.0, 1)[0] == ivf.search(q, 0.0, 1.0, 1)[0])
               for q in queries)
    assert hits / len(queries) >= 0.9
    # Far fewer rows are scanned than the exact index scans.
    ivf.search(queries[0], 0.0, 1.0, 5)
    assert ivf.last_scanned < len(data) / 3


def test_assign_centroid_index_cell_lists_follow_updates() -> None:
    """After stories move between cells (their centroids change), every story is listed in
    exactly the cell it belongs to, with its current sketch, and a moved story is found at its
    new place."""
    data, _ = _clustered(5000, 32, seed=9)
    index = CentroidIndex(exact_max=1000)
    for v in data:
        index.add(v, 0.0, 0.0)
    rng = np.random.default_rng(10)
    moved = rng.choice(len(data), size=800, replace=False)
    for pos in moved.tolist():
        index.update(pos, data[int(rng.integers(0, len(data)))], 0.0, 0.0)
    for pos in range(5000, 5300):  # and new stories after training
        index.add(data[pos - 5000], 0.0, 0.0)
    cell_of = index._cell_of[: len(index)]
    for cell in range(len(index._cells)):
        ids, sims = index._lists.score(np.array([cell]), data[0] @ index._proj)
        assert np.sort(ids).tolist() == np.flatnonzero(cell_of == cell).tolist()
        assert np.allclose(sims, index._sk[ids] @ (data[0] @ index._proj), atol=1e-4)
    target = int(moved[0])
    assert target in index.search(index._vec[target], 0.0, 1.0, 5).tolist()


def test_assign_centroid_index_respects_the_time_window() -> None:
    index = CentroidIndex()
    v = np.ones(8, dtype=np.float32) / np.sqrt(8)
    index.add(v, 0.0, 100.0)
    index.add(v, 1000.0, 1100.0)
    assert index.search(v, 50.0, 10.0, 5).tolist() == [0]
    assert sorted(index.search(v, 550.0, 500.0, 5).tolist()) == [0, 1]


def test_assign_work_per_article_does_not_grow_with_the_store() -> None:
    """Rows scanned per article stay bounded from 2,000 to 40,000 open stories (a count,
    not a clock: the throughput benchmark measures time)."""
    scanned = {}
    for n in (2000, 40_000):
        data, _ = _clustered(n, 32, seed=n)
        index = CentroidIndex(exact_max=4096)
        for v in data:
            index.add(v, 0.0, 0.0)
        rows = []
        for q in data[:50]:
            index.search(q, 0.0, 1.0, 24)
            rows.append(index.last_scanned)
        scanned[n] = float(np.mean(rows))
    assert scanned[40_000] <= 2.0 * scanned[2000]
