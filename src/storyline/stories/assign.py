"""Online story assignment: each article joins the best-matching open story or starts one.

Needs: ``Article`` with vectors, keywords, ``published``. Fills: ``Assignment`` per article and
the touched ``StoryState`` values (for the store to write).

Articles are processed in publication order. A story is *open* for an article when the
article's date falls within ``window_days`` of the story's span, on either side — so an old
article arriving late still meets the story it belongs to. The article is compared with the
story's most recent members (pair score, see scoring.py) and with its centroid; the story with
the best score wins if it reaches the threshold. When many stories are open, a cosine pre-filter
on the story centroids keeps the work per article near-constant.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from storyline.models import Article, Assignment
from storyline.stories.scoring import ScoreWeights, default_weights, features, score_features
from storyline.store.base import MemberState, StoryState


@dataclass(frozen=True, slots=True)
class AssignOptions:
    """Settings of the online assigner."""

    #: Days a story stays open before its first and after its last article. The seeds are
    #: 56 days apart; developing stories often run for months.
    window_days: float = 75.0
    #: Members of a story compared with each new article (the most recent ones).
    max_members: int = 12
    #: When more stories are open than this, only the best ``prefilter_k`` by centroid cosine
    #: are scored in full.
    prefilter_k: int = 24


class Assigner:
    """Holds the open stories in memory while a batch is assigned."""

    def __init__(
        self,
        states: Sequence[StoryState],
        *,
        options: AssignOptions | None = None,
        weights: ScoreWeights | None = None,
    ) -> None:
        self.options = options or AssignOptions()
        self.weights = weights or default_weights()
        self.states: dict[str, StoryState] = {}
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._centroids: list[np.ndarray] = []
        self._first: list[float] = []
        self._last: list[float] = []
        for state in states:
            self.add_state(state)

    def add_state(self, state: StoryState) -> None:
        """Make ``state`` an open story of this assigner."""
        if state.centroid is None and state.members:
            state.centroid = _normalise(np.mean([m.head for m in state.members], axis=0))
        self.states[state.id] = state
        self._pos[state.id] = len(self._ids)
        self._ids.append(state.id)
        self._centroids.append(
            state.centroid if state.centroid is not None else np.zeros(1, dtype=np.float32)
        )
        self._first.append(state.first_ts)
        self._last.append(state.last_ts)

    def assign(self, articles: Sequence[Article]) -> tuple[list[Assignment], list[StoryState]]:
        """Assign each article (in publication order); return assignments and touched stories."""
        assignments: list[Assignment] = []
        touched: dict[str, StoryState] = {}
        for article in sorted(articles, key=lambda a: (a.published, a.id)):
            story, score = self.best_story(article)
            if story is None or score < self.weights.threshold:
                story = self._new_story(article)
                assignments.append(Assignment(article.id, story.id, score, new_story=True))
            else:
                self._join(story, article)
                assignments.append(Assignment(article.id, story.id, score, new_story=False))
            touched[story.id] = story
            article.story_id = story.id
        return assignments, list(touched.values())

    def candidates(self, ts: float) -> list[int]:
        """Indices of the stories open at time ``ts``."""
        if not self._ids:
            return []
        window = self.options.window_days * 86400.0
        first = np.asarray(self._first)
        last = np.asarray(self._last)
        return list(np.nonzero((last >= ts - window) & (first <= ts + window))[0])

    def best_story(self, article: Article) -> tuple[StoryState | None, float]:
        """The best-scoring open story for ``article`` and its score."""
        assert article.head_vector is not None and article.body_vector is not None
        ts = article.published.timestamp()
        open_idx = self.candidates(ts)
        if len(open_idx) > self.options.prefilter_k:
            matrix = np.stack([self._centroids[i] for i in open_idx])
            sims = matrix @ article.head_vector
            keep = np.argsort(-sims)[: self.options.prefilter_k]
            open_idx = [open_idx[i] for i in keep]
        best: StoryState | None = None
        best_score = 0.0
        kw = frozenset(article.keywords)
        for index in open_idx:
            state = self.states[self._ids[index]]
            score = self.story_score(state, article.head_vector, article.body_vector, kw, ts)
            if score > best_score:
                best, best_score = state, score
        return best, best_score

    def story_score(
        self, state: StoryState, head: np.ndarray, body: np.ndarray, kw: frozenset[str], ts: float
    ) -> float:
        """Score against a story: the best pair score with its recent members, tempered by
        the centroid so that one stray member cannot pull in a different event."""
        pair_scores = [
            score_features(
                features(head, body, kw, ts, m.head, m.body, m.keywords, m.published_ts),
                self.weights,
            )
            for m in state.members
        ]
        if not pair_scores:
            return 0.0
        pair_scores.sort(reverse=True)
        top = pair_scores[0]
        second = pair_scores[1] if len(pair_scores) > 1 else top
        return 0.75 * top + 0.25 * second

    def _new_story(self, article: Article) -> StoryState:
        ts = article.published.timestamp()
        story_id = "s" + hashlib.sha1(article.id.encode()).hexdigest()[:11]
        state = StoryState(id=story_id, title=article.title, first_ts=ts, last_ts=ts,
                           article_count=0)
        self.add_state(state)
        self._join(state, article)
        return state

    def _join(self, state: StoryState, article: Article) -> None:
        assert article.head_vector is not None and article.body_vector is not None
        ts = article.published.timestamp()
        member = MemberState(
            article_id=article.id, published_ts=ts, head=article.head_vector,
            body=article.body_vector, keywords=frozenset(article.keywords), title=article.title,
        )
        state.members.append(member)
        state.members.sort(key=lambda m: m.published_ts)
        if len(state.members) > self.options.max_members:
            # Keep the founding member (it names the story) and the most recent ones.
            state.members = [state.members[0], *state.members[-(self.options.max_members - 1):]]
        state.article_count += 1
        state.first_ts = min(state.first_ts, ts)
        state.last_ts = max(state.last_ts, ts)
        state.centroid = _normalise(np.mean([m.head for m in state.members], axis=0))
        state.title = _medoid_title(state)
        index = self._pos[state.id]
        self._centroids[index] = state.centroid
        self._first[index] = state.first_ts
        self._last[index] = state.last_ts


def _normalise(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm else vector.astype(np.float32)


def _medoid_title(state: StoryState) -> str:
    """The title of the member closest to the story's centroid: the most typical headline."""
    if state.centroid is None or not state.members:
        return state.title
    best = max(state.members, key=lambda m: float(np.dot(m.head, state.centroid)))
    return best.title or state.title
