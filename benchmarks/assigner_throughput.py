"""Assigner throughput as the number of stored (open) stories grows: 1,000 → 100,000.

Synthetic stream, made to look like the real vectors without a model:

- Vectors have the production layout (``[minilm/√2 | use/√2]``, 896-d). Each story has a
  random unit "topic" per segment; an article of the story is ``normalise(topic + noise)``
  per segment with noise scaled so that same-story cosines are ~0.6–0.75 and different-story
  cosines ~0 (like headlines of one story under all-MiniLM-L6-v2).
- Each story names 6 keywords drawn from a 50,000-token vocabulary; an article keeps 4 of
  them and adds 2 random ones.
- The N stored stories have 2 members each and are *all open* (their spans lie inside the
  window of every new article): the worst case, where only the centroid index keeps the
  work per article bounded.
- The measured stream: ``--articles`` new articles in time order, half follow-ups of random
  stored stories, half new stories (each with 1–3 follow-ups later in the stream).

Reported per N: microseconds per article for ``Assigner.assign`` alone (vectors and keywords
are given), articles/s, the share of follow-ups that joined their story (the index must not
lose them), the time to load the N stories, and the ratio to the N = 1,000 throughput.

Run:  python benchmarks/assigner_throughput.py [--sizes 1000 10000 100000] [--articles 2000]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from storyline.models import Article
from storyline.store.base import MemberState, StoryState
from storyline.stories.assign import Assigner, AssignOptions
from storyline.stories.scoring import DUAL_DIMS, ScoreWeights, default_weights

START = datetime(2025, 1, 1, tzinfo=UTC)
NOISE = 0.7  # noise relative to the topic: article–topic cosine ≈ 0.82, same-story ≈ 0.67


class Synth:
    """Random stories and their articles."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.vocab = np.array([f"k{i}" for i in range(50_000)])

    def unit(self, n: int, dim: int) -> np.ndarray:
        v = self.rng.standard_normal((n, dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def topics(self, n: int) -> list[np.ndarray]:
        return [self.unit(n, d) for d in DUAL_DIMS]

    def article_vectors(self, topics: list[np.ndarray], rows: np.ndarray) -> np.ndarray:
        parts = []
        for t, d in zip(topics, DUAL_DIMS, strict=True):
            noisy = t[rows] + NOISE * self.unit(len(rows), d)
            parts.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True) / math.sqrt(2))
        return np.hstack(parts).astype(np.float32)

    def story_keywords(self, n: int) -> np.ndarray:
        return self.rng.integers(0, len(self.vocab), size=(n, 6))

    def article_keywords(self, story_kw: np.ndarray) -> frozenset[str]:
        keep = self.rng.choice(story_kw, size=4, replace=False)
        extra = self.rng.integers(0, len(self.vocab), size=2)
        return frozenset(self.vocab[np.r_[keep, extra]].tolist())


def stored_states(synth: Synth, topics: list[np.ndarray], kw: np.ndarray, n: int,
                  now: float) -> list[StoryState]:
    states = []
    rows = np.repeat(np.arange(n), 2)
    vectors = synth.article_vectors(topics, rows)
    for i in range(n):
        first = now - synth.rng.uniform(0.5, 3) * 86400  # active in the last days
        members = [
            MemberState(article_id=f"a{i}-{j}", published_ts=first + j * 3600,
                        head=vectors[2 * i + j], body=vectors[2 * i + j],
                        keywords=synth.article_keywords(kw[i]), title=f"story {i}")
            for j in range(2)
        ]
        states.append(StoryState(id=f"s{i}", title=f"story {i}", first_ts=first,
                                 last_ts=first + 3600, article_count=2, members=members))
    return states


def run(n: int, articles: int, weights: ScoreWeights, seed: int = 0) -> dict[str, float]:
    synth = Synth(seed)
    new_stories = articles // 4
    topics = synth.topics(n + new_stories)
    kw = synth.story_keywords(n + new_stories)
    now = (START + timedelta(days=90)).timestamp()
    t0 = time.perf_counter()
    assigner = Assigner(stored_states(synth, topics, kw, n, now), options=AssignOptions(),
                        weights=weights)
    load_s = time.perf_counter() - t0
    # The stream: half follow-ups of stored stories, half articles of new stories.
    story_of = np.r_[synth.rng.integers(0, n, size=articles // 2),
                     n + synth.rng.integers(0, new_stories, size=articles - articles // 2)]
    synth.rng.shuffle(story_of)
    vectors = synth.article_vectors(topics, story_of)
    stream = [
        Article(id=f"n{i:07d}", title=f"story {s}", text="", source="synthetic",
                published=datetime.fromtimestamp(now + i * 60, UTC), authors=[], outlet=None,
                url=None, language="en", raw_kind="jsonl", head_vector=vectors[i],
                body_vector=vectors[i], keywords=sorted(synth.article_keywords(kw[s])))
        for i, s in enumerate(story_of.tolist())
    ]
    t0 = time.perf_counter()
    assignments = []
    for article in stream:  # one at a time, as an online stream arrives
        assignments.extend(assigner.assign([article])[0])
    seconds = time.perf_counter() - t0
    joined = [a.story_id == f"s{s}" for a, s in zip(assignments, story_of.tolist(), strict=True)
              if s < n]
    return {"stored_stories": n, "articles": articles, "load_s": round(load_s, 2),
            "us_per_article": round(1e6 * seconds / articles, 1),
            "articles_per_s": round(articles / seconds, 1),
            "followups_joined": round(float(np.mean(joined)), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    weights = default_weights()
    results = [run(n, args.articles, weights) for n in args.sizes]
    base = results[0]["articles_per_s"]
    for r in results:
        r["slowdown_vs_first"] = round(base / r["articles_per_s"], 2)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'stored':>8} {'load s':>8} {'us/article':>11} {'articles/s':>11} "
          f"{'slowdown':>9} {'follow-ups joined':>18}")
    for r in results:
        print(f"{r['stored_stories']:>8} {r['load_s']:>8} {r['us_per_article']:>11} "
              f"{r['articles_per_s']:>11} {r['slowdown_vs_first']:>9} "
              f"{r['followups_joined']:>18}")


if __name__ == "__main__":
    main()
