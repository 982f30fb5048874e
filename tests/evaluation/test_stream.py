"""The stream benchmark's pieces: the UCI split and articles, the single-pass baseline, the
threshold search, and a tiny stream through the real assigner with a stand-in encoder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from storyline.embedding import embed_articles
from storyline.evaluation.baselines import best_threshold, tfidf_single_pass
from storyline.evaluation.metrics import bcubed
from storyline.evaluation.runs import CachedEncoder
from storyline.evaluation.stream import (
    FIXED_TIME,
    assign_stream,
    evaluate_demo,
    split_of,
    uci_articles,
)
from storyline.stories.assign import AssignOptions
from storyline.stories.features import add_keywords
from storyline.stories.scoring import default_weights


class BagEncoder:
    """A deterministic stand-in model: hashed bag of words, L2-normalised (384-d)."""

    name = "bag-of-words-test"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().replace(".", " ").split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 384] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


ROWS = [
    {"ID": "1", "TITLE": "Mt. Gox files for US bankruptcy protection", "STORY": "gox",
     "URL": "https://a.example/1", "PUBLISHER": "A", "HOSTNAME": "a.example",
     "TIMESTAMP": "1394470000000"},
    {"ID": "2", "TITLE": "Bitcoin exchange Mt. Gox files for bankruptcy in US", "STORY": "gox",
     "URL": "https://b.example/2", "PUBLISHER": "B", "HOSTNAME": "b.example",
     "TIMESTAMP": "1394470100000"},
    {"ID": "3", "TITLE": "Metro-North worker killed by train", "STORY": "mta",
     "URL": "https://c.example/3", "PUBLISHER": "", "HOSTNAME": "c.example",
     "TIMESTAMP": "1394480000000"},
    {"ID": "4", "TITLE": "MTA worker killed by Metro-North train", "STORY": "mta",
     "URL": "https://d.example/4", "PUBLISHER": "D", "HOSTNAME": "d.example",
     "TIMESTAMP": "1394480100000"},
]


def test_stream_split_is_by_story_and_stable() -> None:
    stories = [f"story{i}" for i in range(400)]
    halves = [split_of(s) for s in stories]
    assert halves == [split_of(s) for s in stories]
    assert 150 < halves.count("train") < 250


def test_stream_uci_articles_shuffled_share_one_time() -> None:
    shuffled = uci_articles(ROWS, shuffled=True)
    assert {a.published for a in shuffled} == {FIXED_TIME}
    assert [a.text for a in shuffled] == [r["TITLE"] for r in ROWS]
    timed = uci_articles(ROWS, shuffled=False)
    assert timed[0].published < timed[2].published
    assert shuffled[2].outlet == "c.example"  # empty publisher: the host stands in


def test_stream_headline_only_body_vector_is_head_vector() -> None:
    articles = uci_articles(ROWS, shuffled=True)
    encoder = BagEncoder()
    embed_articles(articles, encoder)
    assert encoder.calls == len(articles)  # heads only
    for a in articles:
        assert a.body_vector is a.head_vector


def test_stream_tiny_stream_through_the_assigner() -> None:
    articles = uci_articles(ROWS, shuffled=True)
    add_keywords(articles)
    embed_articles(articles, BagEncoder())
    gold = {f"uci:{r['ID']}": r["STORY"] for r in ROWS}
    strict = assign_stream(articles, default_weights().__class__(threshold=0.999999))
    assert len(set(strict.values())) == 4  # nothing reaches an impossible threshold
    loose = assign_stream(articles, default_weights().__class__(threshold=1e-9),
                          AssignOptions(min_centroid_cos=-1.0))
    assert len(set(loose.values())) == 1
    assert bcubed(loose, gold)[1] == pytest.approx(1.0)


def test_stream_tfidf_single_pass_and_threshold_search() -> None:
    texts = ["apple iphone launch", "apple launches iphone", "fed raises rates",
             "fed rates rise", "apple iphone sales"]
    gold = {0: "a", 1: "a", 2: "f", 3: "f", 4: "a"}
    labels = tfidf_single_pass(texts, threshold=0.2)
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]

    def run(t: float) -> dict[int, int]:
        return dict(enumerate(tfidf_single_pass(texts, threshold=t)))

    best, f1, curve = best_threshold(run, gold, [0.05, 0.2, 0.95])
    assert f1 == max(curve.values()) and curve[0.95] < f1


def test_stream_cached_encoder_reuses_vectors(tmp_path: Path) -> None:
    inner = BagEncoder()
    cached = CachedEncoder(inner, cache_dir=tmp_path)
    first = cached.encode(["a b", "c d", "a b"])
    assert inner.calls == 2
    cached.save()
    again = CachedEncoder(BagEncoder(), cache_dir=tmp_path)
    assert np.allclose(again.encode(["c d"]), first[1])
    assert again.inner.calls == 0  # type: ignore[attr-defined]


def test_stream_demo_skipped_without_manifest(tmp_path: Path) -> None:
    out = evaluate_demo(tmp_path, tmp_path / "seeds", encoder=BagEncoder())
    assert "skipped" in out
