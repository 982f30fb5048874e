"""Online story assignment: each article joins the best-matching open story or starts one.

Needs: ``Article`` with vectors, keywords, ``published`` and ``evidence`` (filled from the
text and keywords when missing). Fills: ``Assignment`` per article and
the touched ``StoryState`` values (for the store to write).

Articles are processed in publication order. A story is *open* for an article when the
article's date falls within ``window_days`` of the story's span, on either side — so an old
article arriving late still meets the story it belongs to. Candidate stories come from a
centroid index (``CentroidIndex``): exact cosine over all stories while there are few, an
inverted file over random-projection sketches once there are many, so that the work per
article grows slowly with the store (2.5–2.9× from 1,000 to 100,000 open stories, see
benchmarks/QUALITY.md). The best ``prefilter_k`` candidates are scored in full: the pair score
(scoring.py) with each of the story's members (the founding one and the most recent), all at
once with matrix products — its time term uses the nearer of the publication gap and the gap
between the dated events both report (``events.py``); the story's score blends its best and
second-best member scores (``top_weight``), so that one stray member cannot pull in a
different event. The best story wins if it reaches the threshold.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from storyline.models import Article, Assignment, EventMark, Evidence
from storyline.store.base import MemberState, StoryIndex, StoryState
from storyline.stories.events import (
    MarkArrays,
    concat_marks,
    day_of,
    days_of,
    member_event_gaps,
    member_one_off_conflicts,
    member_one_off_matches,
    stack_marks,
)
from storyline.stories.evidence import (
    EVENT_FEATURES,
    Background,
    Comparison,
    add_evidence,
    compare,
    english_only,
    story_items,
)
from storyline.stories.features import overlap
from storyline.stories.outlets import OutletBackground
from storyline.stories.scoring import (
    ScoreWeights,
    default_weights,
    features,
    keyword_miss,
    score_features,
    split_vector,
)

__all__ = [
    "AssignOptions", "Assigner", "CentroidIndex", "centroid_of", "features", "score_features",
    "story_id_for",
]


@dataclass(frozen=True, slots=True)
class AssignOptions:
    """Settings of the online assigner."""

    #: Days a story stays open before its first and after its last article. The seeds are
    #: 56 days apart; developing stories often run for months.
    window_days: float = 75.0
    #: Members of a story compared with each new article (the founding one and the most
    #: recent ones). 24 rather than 12: UCI train-half BCubed F1 0.797 vs 0.778.
    max_members: int = 24
    #: Stories scored in full per article: the best by centroid cosine among the open ones.
    prefilter_k: int = 24
    #: Stories whose centroid cosine with the article is below this are not scored at all
    #: (unrelated: their pair scores are far below any threshold).
    min_centroid_cos: float = 0.1
    #: Weight of the best member's score in the story's score (the rest: the second best).
    #: 0.3 rather than 0.5 with the same-event model: ECB+ CV BCubed F1 0.919 vs 0.902 (best
    #: member only 0.903, second only 0.900), thresholds steadier across folds.
    top_weight: float = 0.3
    #: Also compare with the story's centroid (mean vectors, keywords shared by two members)
    #: as if it were one more member. Off: on the UCI train half it cost 0.01 BCubed F1.
    use_centroid: bool = False
    #: Logit added per unit of "core coverage" above one half: the share of the story's core
    #: keywords (named by at least half of its members, two at least) that the article names.
    #: Off: 1–4 gave no gain on the demo corpus (its best BCubed F1 stayed 0.948).
    core_weight: float = 0.0


class CentroidIndex:
    """Story centroids with their time spans, searchable by cosine within a time window.

    Exact (one matrix-vector product) up to ``exact_max`` stories; beyond, an inverted file
    over 128-d random projections ("sketches", cosine error ≈ ±0.09) of the centroids: the
    sketches are clustered into about 2√n cells by a few k-means rounds (retrained each time
    the count doubles), each story is listed in its nearest cell, a query scans the sketches
    of the stories in its ``nprobe`` nearest cells, and the best of those are re-ranked by
    their exact cosine.
    """

    SKETCH_DIM = 128

    def __init__(self, *, exact_max: int = 4096, nprobe: int = 32, seed: int = 0) -> None:
        self.exact_max = exact_max
        self.nprobe = nprobe
        self._rng = np.random.default_rng(seed)
        self._n = 0
        self._vec = np.zeros((0, 0), dtype=np.float32)
        self._sk = np.zeros((0, self.SKETCH_DIM), dtype=np.float32)
        self._proj = np.zeros((0, self.SKETCH_DIM), dtype=np.float32)
        self._first = np.zeros(0)
        self._last = np.zeros(0)
        self._cells: np.ndarray | None = None  # (n_cells, dim)
        self._cell_of = np.zeros(0, dtype=np.int64)
        self._lists = _CellLists(0, dim=self.SKETCH_DIM)
        self._trained_at = 0
        #: Rows compared by the last ``search`` (cells plus stories): the work per query.
        self.last_scanned = 0

    def __len__(self) -> int:
        return self._n

    def add(self, vector: np.ndarray | None, first: float, last: float) -> int:
        """Add a story (``vector`` None: no centroid yet); returns its position."""
        if vector is not None and self._vec.shape[1] != vector.shape[0]:
            # First real vector (or a new model): earlier rows were placeholders.
            if self._vec[: self._n].any():
                raise ValueError(f"vector of {vector.shape[0]} dimensions in an index of "
                                 f"{self._vec.shape[1]}")
            self._vec = np.zeros((max(64, len(self._vec)), vector.shape[0]), dtype=np.float32)
        if not len(self._vec):
            self._vec = np.zeros((64, 1 if vector is None else vector.shape[0]),
                                 dtype=np.float32)
        if len(self._first) < len(self._vec):
            extra = len(self._vec) - len(self._first)
            self._first = np.r_[self._first, np.zeros(extra)]
            self._last = np.r_[self._last, np.zeros(extra)]
            self._cell_of = np.r_[self._cell_of, np.zeros(extra, dtype=np.int64)]
        if self._n == len(self._vec):
            grow = len(self._vec)
            self._vec = np.vstack([self._vec, np.zeros_like(self._vec[:grow])])
            self._sk = np.vstack([self._sk, np.zeros((grow, self.SKETCH_DIM), np.float32)])
            self._first = np.r_[self._first, np.zeros(grow)]
            self._last = np.r_[self._last, np.zeros(grow)]
            self._cell_of = np.r_[self._cell_of, np.zeros(grow, dtype=np.int64)]
        if len(self._sk) != len(self._vec) or len(self._proj) != self._vec.shape[1]:
            self._reshape_sketches()
        pos = self._n
        self._n += 1
        if vector is not None:
            self._vec[pos] = vector
            self._sk[pos] = vector @ self._proj
        self._first[pos], self._last[pos] = first, last
        if self._cells is not None:
            self._cell_of[pos] = -1
            self._place(pos)
        if self._n > self.exact_max and self._n >= 2 * self._trained_at:
            self._train()
        return pos

    def update(self, pos: int, vector: np.ndarray, first: float, last: float) -> None:
        """A story's centroid or span changed."""
        if self._vec.shape[1] != vector.shape[0]:
            self.add_dimension(vector.shape[0])
        self._vec[pos] = vector
        self._sk[pos] = vector @ self._proj
        self._first[pos], self._last[pos] = first, last
        if self._cells is not None:
            self._place(pos)

    def add_dimension(self, dim: int) -> None:
        """Switch an index of placeholders only to ``dim``-dimensional vectors."""
        if self._vec[: self._n].any():
            raise ValueError(f"vector of {dim} dimensions in an index of {self._vec.shape[1]}")
        self._vec = np.zeros((len(self._vec), dim), dtype=np.float32)
        self._reshape_sketches()

    def _reshape_sketches(self) -> None:
        """(Re)make the projection for the current dimension and the sketch array's size."""
        dim = self._vec.shape[1]
        if len(self._proj) != dim:
            rng = np.random.default_rng(12345)
            self._proj = (rng.standard_normal((dim, self.SKETCH_DIM))
                          / math.sqrt(self.SKETCH_DIM)).astype(np.float32)
        self._sk = (self._vec @ self._proj).astype(np.float32)

    def span(self, pos: int) -> tuple[float, float]:
        """(first, last) timestamps of the story at ``pos``."""
        return float(self._first[pos]), float(self._last[pos])

    def search(self, query: np.ndarray, ts: float, window: float, k: int, *,
               floor: float = -1.0) -> np.ndarray:
        """Positions of the (up to) ``k`` open stories whose centroids are nearest ``query``
        (cosine at least ``floor``)."""
        if self._n == 0 or self._vec.shape[1] != query.shape[0]:
            return np.zeros(0, dtype=np.int64)
        if self._cells is None:
            idx = np.arange(self._n)
            sims = self._vec[: self._n] @ query
            self.last_scanned = self._n
        else:
            q_sk = query @ self._proj
            near = np.argpartition(-(self._cells @ q_sk), self.nprobe - 1)[: self.nprobe] \
                if len(self._cells) > self.nprobe else np.arange(len(self._cells))
            idx, rough = self._lists.score(near, q_sk)
            self.last_scanned = len(self._cells) + len(idx)
            if not len(idx):
                return idx
            keep = max(8 * k, 128)
            if len(idx) > keep:
                idx = idx[np.argpartition(-rough, keep - 1)[:keep]]
            sims = self._vec[idx] @ query
        open_ = (self._last[idx] >= ts - window) & (self._first[idx] <= ts + window) & (
            sims >= floor)
        idx, sims = idx[open_], sims[open_]
        if len(idx) > k:
            top = np.argpartition(-sims, k - 1)[:k]
            idx, sims = idx[top], sims[top]
        return idx[np.argsort(-sims)]

    # --- inverted file ------------------------------------------------------------------
    def _train(self) -> None:
        data = self._sk[: self._n]
        n_cells = max(16, int(2 * math.sqrt(self._n)))
        sample = data[self._rng.choice(self._n, size=min(self._n, 64 * n_cells), replace=False)]
        cells = sample[self._rng.choice(len(sample), size=n_cells, replace=False)].copy()
        for _ in range(8):  # a few Lloyd rounds on the sample are plenty for a coarse index
            assign = np.argmax(sample @ cells.T, axis=1)
            for c in range(n_cells):
                chosen = sample[assign == c]
                if len(chosen):
                    cells[c] = chosen.mean(axis=0)
            cells /= np.maximum(np.linalg.norm(cells, axis=1, keepdims=True), 1e-9)
        self._cells = cells.astype(np.float32)
        assign = np.concatenate([
            np.argmax(data[s : s + 8192] @ self._cells.T, axis=1)
            for s in range(0, self._n, 8192)
        ])
        self._cell_of[: self._n] = assign
        self._lists = _CellLists(n_cells, assign, data)
        self._trained_at = self._n

    def _place(self, pos: int) -> None:
        assert self._cells is not None
        sketch = self._sk[pos]
        cell = int(np.argmax(self._cells @ sketch))
        old = int(self._cell_of[pos])
        if old == cell:
            self._lists.set_sketch(cell, pos, sketch)
            return
        if old >= 0:
            self._lists.remove(old, pos)
        self._lists.add(cell, pos, sketch)
        self._cell_of[pos] = cell


class _CellLists:
    """The stories listed in each cell of the inverted file, with their sketches, as numpy
    arrays with spare room. Adding and removing a story are O(1) (removal moves the cell's
    last story into the gap), and a query scores each probed cell's sketches in place, with no
    gather. (Python lists gathered item by item, then a gather of their sketches, took 4.0 of
    the 5.4 ms per article at 100,000 stories; benchmarks/QUALITY.md.)"""

    def __init__(self, n_cells: int, assign: np.ndarray | None = None,
                 sketches: np.ndarray | None = None, dim: int = 0) -> None:
        assign = np.zeros(0, dtype=np.int64) if assign is None else assign
        dim = sketches.shape[1] if sketches is not None else dim
        order = np.argsort(assign, kind="stable")
        counts = np.bincount(assign, minlength=n_cells)
        starts = np.r_[0, np.cumsum(counts)[:-1]] if n_cells else np.zeros(0, dtype=np.int64)
        self.size = counts.astype(np.int64)
        self.items = [np.empty(max(16, 2 * int(c)), dtype=np.int64) for c in counts]
        self.sketches = [np.zeros((len(a), dim), dtype=np.float32) for a in self.items]
        for cell, (start, count) in enumerate(zip(starts.tolist(), counts.tolist(), strict=True)):
            members = order[start : start + count]
            self.items[cell][:count] = members
            if sketches is not None:
                self.sketches[cell][:count] = sketches[members]
        self.slot = np.zeros(max(64, 2 * len(assign)), dtype=np.int64)
        if len(assign):
            self.slot[order] = np.arange(len(assign)) - starts[assign[order]]

    def add(self, cell: int, pos: int, sketch: np.ndarray) -> None:
        """List story ``pos`` with its ``sketch`` in ``cell``."""
        size = int(self.size[cell])
        if size == len(self.items[cell]):
            self.items[cell] = np.r_[self.items[cell], np.empty(size, dtype=np.int64)]
            self.sketches[cell] = np.vstack([self.sketches[cell],
                                             np.zeros_like(self.sketches[cell])])
        if pos >= len(self.slot):
            self.slot = np.r_[self.slot, np.zeros(max(pos + 1, len(self.slot)), dtype=np.int64)]
        self.items[cell][size] = pos
        self.sketches[cell][size] = sketch
        self.slot[pos] = size
        self.size[cell] = size + 1

    def remove(self, cell: int, pos: int) -> None:
        """Take story ``pos`` out of ``cell``."""
        gap, last = int(self.slot[pos]), int(self.size[cell]) - 1
        moved = int(self.items[cell][last])
        self.items[cell][gap] = moved
        self.sketches[cell][gap] = self.sketches[cell][last]
        self.slot[moved] = gap
        self.size[cell] = last

    def set_sketch(self, cell: int, pos: int, sketch: np.ndarray) -> None:
        """Story ``pos`` stays in ``cell`` with a new sketch."""
        self.sketches[cell][int(self.slot[pos])] = sketch

    def score(self, cells: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(stories, sketch cosines with ``query``) of the stories listed in ``cells``."""
        ids, sims = [], []
        for c in cells.tolist():
            n = int(self.size[c])
            if n:
                ids.append(self.items[c][:n])
                sims.append(self.sketches[c][:n] @ query)
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(ids), np.concatenate(sims)


@dataclass(slots=True)
class _Matrices:
    """A story's members stacked for vectorised scoring (rebuilt when members change)."""

    head_mono: np.ndarray
    head_multi: np.ndarray | None
    body_mono: np.ndarray
    body_multi: np.ndarray | None
    ts: np.ndarray
    keywords: list[frozenset[str]]
    marks: MarkArrays
    evidence: list[Evidence | None]
    #: Per row: the member is in a language other than English (``evidence.english_only``).
    foreign: np.ndarray
    #: Per row: the member's outlet (None for the centroid row).
    outlets: list[str | None]
    core: frozenset[str] = frozenset()


class Assigner:
    """Holds the open stories in memory while a batch is assigned.

    With a store's ``index`` (``Store.story_index``: PostgreSQL's HNSW over stored story
    centroids) it holds only what it needs: candidates come from the index, merged with the
    stories it changed and has not yet seen stored (``stored``), and their states are loaded
    on demand and kept in a cache of ``HELD_STORIES``; the background is counted from the
    store (``count_background``). The candidates are those of the in-memory index whenever
    the store's search returns the exact nearest stories."""

    #: Stories kept in memory between batches with a store ``index`` (least recently used
    #: dropped first); a dropped story is loaded again when it is a candidate.
    HELD_STORIES = 4096

    def __init__(
        self,
        states: Sequence[StoryState],
        *,
        options: AssignOptions | None = None,
        weights: ScoreWeights | None = None,
        index: StoryIndex | None = None,
    ) -> None:
        self.index = index
        #: Stories changed since the store last took them (``stored``), with an ``index``.
        self._unstored: dict[str, None] = {}
        self.options = options or AssignOptions()
        self.weights = weights or default_weights()
        self.states: dict[str, StoryState] = {}
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._index = CentroidIndex()
        self._matrices: dict[str, _Matrices] = {}
        #: What the recent stories name in common (``evidence.Background``).
        self.background = Background()
        #: How alike each outlet's recent articles read (``outlets.OutletBackground``).
        self.outlets = OutletBackground()
        for state in states:
            self.add_state(state)

    def add_state(self, state: StoryState, *, count: bool = True) -> None:
        """Make ``state`` an open story of this assigner (``count``: in the background too;
        a story loaded from a store ``index`` was counted by ``count_background``)."""
        if state.centroid is None and state.members:
            state.centroid = centroid_of([m.head for m in state.members])
        self.states[state.id] = state
        self._matrices.pop(state.id, None)
        if self.index is None:
            self._pos[state.id] = len(self._ids)
            self._ids.append(state.id)
            self._index.add(state.centroid, state.first_ts, state.last_ts)
        if count:
            self.background.add_members(state.id, (m.evidence for m in state.members))
            for m in state.members:
                self.outlets.add(m.outlet, m.head)

    def count_background(self, stories: Sequence[tuple[str, Sequence[Evidence | None]]]
                         ) -> None:
        """Count stored stories' members' evidence in the background (with a store
        ``index``, in place of adding their states: ``StoryIndex.story_evidence``)."""
        for story_id, evidences in stories:
            self.background.add_members(story_id, evidences)

    def stored(self) -> None:
        """The store now holds every story this assigner changed (the pipeline calls it
        after each write): the index finds them as they are. Beyond ``HELD_STORIES``, the
        least recently used stories are dropped from memory."""
        self._unstored.clear()
        if self.index is None:
            return
        for story_id in list(self.states)[: max(0, len(self.states) - self.HELD_STORIES)]:
            del self.states[story_id]
            self._matrices.pop(story_id, None)

    def assign(self, articles: Sequence[Article]) -> tuple[list[Assignment], list[StoryState]]:
        """Assign each article (in publication order); return assignments and touched stories."""
        with _single_thread_blas():
            return self._assign(articles)

    def _assign(self, articles: Sequence[Article]) -> tuple[list[Assignment], list[StoryState]]:
        assignments: list[Assignment] = []
        touched: dict[str, StoryState] = {}
        # Evidence is the pipeline's to fill (from enrichment); an article without any gets it
        # from its text and keywords here, or event evidence could never join it.
        add_evidence([a for a in articles if a.evidence is None])
        for article in sorted(articles, key=lambda a: (a.published, a.id)):
            ranked = self.ranked_stories(article, k=2)
            story, score = ranked[0] if ranked else (None, 0.0)
            runner_up = ranked[1] if len(ranked) > 1 else (None, None)
            if story is None or score < self.weights.threshold:
                # The best story that was not reached is the runner-up of a new story.
                runner_up = (story, score) if story is not None else (None, None)
                story = self._new_story(article)
                new = True
            else:
                self._join(story, article)
                new = False
            assignments.append(Assignment(
                article.id, story.id, score, new_story=new,
                runner_up=runner_up[0].id if runner_up[0] is not None else None,
                runner_up_score=runner_up[1]))
            touched[story.id] = story
            article.story_id = story.id
            if article.head_vector is not None:
                self.outlets.add(article.outlet, article.head_vector)
        return assignments, list(touched.values())

    def candidates(self, ts: float, head: np.ndarray | None = None) -> list[int]:
        """Positions of the open stories at time ``ts`` (nearest ``head`` first, at most
        ``prefilter_k`` of them, when ``head`` is given)."""
        window = self.options.window_days * 86400.0
        if head is None:
            first, last = self._index._first[: len(self._index)], self._index._last[
                : len(self._index)]
            return list(np.nonzero((last >= ts - window) & (first <= ts + window))[0])
        return self._index.search(head, ts, window, self.options.prefilter_k,
                                  floor=self.options.min_centroid_cos).tolist()

    def _indexed_candidates(self, ts: float, head: np.ndarray) -> list[str]:
        """``candidates`` through the store ``index``: its nearest stored stories, less
        those changed here since (the index holds their old centroids; it is asked for as
        many more), plus those, by their current centroids; the ``prefilter_k`` best at
        ``min_centroid_cos`` or above, their states loaded when not held."""
        assert self.index is not None
        window = self.options.window_days * 86400.0
        k = self.options.prefilter_k
        found = self.index.nearest_stories(head, ts - window, ts + window,
                                           limit=k + len(self._unstored))
        ids = [c.story_id for c in found if c.story_id not in self._unstored]
        vectors = [c.centroid for c in found if c.story_id not in self._unstored]
        for story_id in self._unstored:
            state = self.states[story_id]
            if (state.centroid is not None and state.last_ts >= ts - window
                    and state.first_ts <= ts + window):
                ids.append(story_id)
                vectors.append(state.centroid)
        if not ids:
            return []
        sims = np.stack(vectors) @ head
        order = [int(i) for i in np.argsort(-sims, kind="stable")[:k]
                 if sims[int(i)] >= self.options.min_centroid_cos]
        chosen = [ids[i] for i in order]
        missing = [i for i in chosen if i not in self.states]
        if missing:
            for state in self.index.stories_by_id(missing,
                                                  max_members=self.options.max_members):
                self.add_state(state, count=False)
        chosen = [i for i in chosen if i in self.states]
        for story_id in chosen:  # most recently used last (``stored`` drops the first)
            self.states[story_id] = self.states.pop(story_id)
        return chosen

    def best_story(self, article: Article) -> tuple[StoryState | None, float]:
        """The best-scoring open story for ``article`` and its score."""
        ranked = self.ranked_stories(article, k=1)
        return ranked[0] if ranked else (None, 0.0)

    def ranked_stories(self, article: Article, *, k: int = 2
                       ) -> list[tuple[StoryState, float]]:
        """The ``k`` best-scoring open stories for ``article``, best first, with scores."""
        assert article.head_vector is not None and article.body_vector is not None
        ts = article.published.timestamp()
        if self.index is None:
            ids = [self._ids[i] for i in self.candidates(ts, article.head_vector)]
        else:
            ids = self._indexed_candidates(ts, article.head_vector)
        states = [self.states[i] for i in ids]
        states = [s for s in states if s.members]
        if not states:
            return []
        scores = self._story_scores(states, article.head_vector, article.body_vector,
                                    frozenset(article.keywords), ts, article.events,
                                    article.evidence, article.outlet)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(states[int(i)], float(scores[int(i)])) for i in order]

    def story_score(
        self, state: StoryState, head: np.ndarray, body: np.ndarray, kw: frozenset[str],
        ts: float, events: tuple[EventMark, ...] = (), evidence: Evidence | None = None,
        outlet: str | None = None,
    ) -> float:
        """Score against a story: the best pair score with its members, tempered by the second
        best so that one stray member cannot pull in a different event."""
        if not state.members:
            return 0.0
        return float(self._story_scores([state], head, body, kw, ts, events, evidence,
                                         outlet)[0])

    def _story_scores(
        self, states: Sequence[StoryState], head: np.ndarray, body: np.ndarray,
        kw: frozenset[str], ts: float, events: tuple[EventMark, ...] = (),
        evidence: Evidence | None = None, outlet: str | None = None,
    ) -> np.ndarray:
        """``story_score`` of several stories at once: all their members in one product."""
        stacks = []
        for state in states:
            m = self._matrices.get(state.id)
            if m is None:
                m = self._matrices[state.id] = _stack(
                    state.members, centroid=self.options.use_centroid,
                    core=bool(self.options.core_weight))
            stacks.append(m)
        pair = self._pair_scores(stacks, head, body, kw, ts, events, evidence, outlet)
        sizes = [len(m.ts) for m in stacks]
        out = np.empty(len(stacks))
        start = 0
        top_w = self.options.top_weight
        for i, size in enumerate(sizes):
            chunk = pair[start : start + size]
            start += size
            if size == 1:
                out[i] = chunk[0]
            else:
                second, top = np.partition(chunk, size - 2)[-2:]
                out[i] = top_w * top + (1.0 - top_w) * second
        if self.options.core_weight:
            for i, m in enumerate(stacks):
                if m.core:
                    coverage = len(m.core & kw) / len(m.core)
                    p = min(max(float(out[i]), 1e-9), 1 - 1e-9)
                    z = math.log(p / (1 - p)) + self.options.core_weight * (coverage - 0.5)
                    out[i] = 1.0 / (1.0 + math.exp(-z))
        return out

    def _pair_scores(
        self, stacks: Sequence[_Matrices], head: np.ndarray, body: np.ndarray,
        kw: frozenset[str], ts: float, events: tuple[EventMark, ...] = (),
        evidence: Evidence | None = None, outlet: str | None = None,
    ) -> np.ndarray:
        """Pair scores of the article (of ``outlet``) with every member of ``stacks`` (the
        vectorised ``scoring.score_features``)."""
        w = self.weights
        h_mono, h_multi = split_vector(head)
        b_mono, b_multi = split_vector(body)
        one = len(stacks) == 1
        cat = (lambda name: getattr(stacks[0], name)) if one else (
            lambda name: np.concatenate([getattr(m, name) for m in stacks]))
        cos_head = cat("head_mono") @ h_mono
        cos_body = cat("body_mono") @ b_mono
        multi = h_multi is not None and all(m.head_multi is not None for m in stacks)
        cos_head_x = cat("head_multi") @ h_multi if multi else cos_head
        cos_body_x = cat("body_multi") @ b_multi if multi and b_multi is not None else cos_body
        off_mono, off_multi = self.outlets.offsets(outlet, head)
        if off_mono or off_multi:
            # Two articles of one outlet: less its template's share (``outlets.py``).
            same = np.asarray([o == outlet for m in stacks for o in m.outlets], dtype=float)
            plain_hx, plain_bx = cos_head_x is cos_head, cos_body_x is cos_body
            cos_head, cos_body = cos_head - off_mono * same, cos_body - off_mono * same
            cos_head_x = cos_head if plain_hx else cos_head_x - off_multi * same
            cos_body_x = cos_body if plain_bx else cos_body_x - off_multi * same
        if multi and b_multi is not None:
            # all-MiniLM-L6-v2 reads only English: a pair with another language is compared
            # on the multilingual cosines alone (``evidence.english_only``).
            foreign = np.ones(len(cos_head), dtype=bool) if not english_only(evidence, None) \
                else cat("foreign")
            if foreign.any():
                cos_head = np.where(foreign, cos_head_x, cos_head)
                cos_body = np.where(foreign, cos_body_x, cos_body)
        keywords = [k for m in stacks for k in m.keywords]
        shared = np.asarray([overlap(kw, other) for other in keywords])
        miss = np.asarray([keyword_miss(kw, other, s)
                           for other, s in zip(keywords, shared, strict=True)])
        member_ts = cat("ts")
        gaps = np.abs(member_ts - ts) / 86400.0
        if events and any(len(m.marks) for m in stacks):
            sizes = [len(m.ts) for m in stacks]
            marks = stacks[0].marks if one else concat_marks([m.marks for m in stacks], sizes)
            days = (day_of(ts), days_of(member_ts))
            gaps = np.minimum(gaps, member_event_gaps(events, marks, len(gaps), days))
            one_off = member_one_off_conflicts(events, marks, len(gaps))
            same_day = member_one_off_matches(events, marks, len(gaps), day_of(ts))
        else:
            one_off = same_day = np.zeros(len(gaps))
        penalty = w.gap_per_day * np.clip(gaps - w.gap_free_days, 0.0, w.gap_max_days)
        penalty = penalty + w.one_off_conflict * one_off + w.one_off_match * same_day
        z = (w.bias + w.head * cos_head + w.body * cos_body + w.head_x * cos_head_x
             + w.body_x * cos_body_x + w.keywords * shared + w.keyword_miss * miss + penalty)
        event_w = w.event_weights
        if evidence is not None and event_w.any():
            # Event evidence is compared in Python (≈20 µs a pair), so only with the members
            # that all the agreement it can add could still lift into contention.
            others = [e for m in stacks for e in m.evidence]
            hopeful = np.nonzero(z + np.clip(event_w, 0.0, None).sum() > _HOPELESS_LOGIT)[0]
            if len(hopeful):
                found = [_comparison(evidence, others[i], self.background)
                         for i in hopeful.tolist()]
                rows = np.asarray([_NO_EVENT if c is None else c.vector() for c in found])
                z = z.astype(float, copy=True)
                z[hopeful] += rows @ event_w
                # Two incidents on one night named apart are two (``Comparison.named_apart``).
                apart = np.asarray([c is not None and c.named_apart for c in found])
                z[hopeful] -= w.one_off_match * (same_day[hopeful] * apart)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))

    def _new_story(self, article: Article) -> StoryState:
        ts = article.published.timestamp()
        story_id = story_id_for(article.id)
        state = StoryState(id=story_id, title=article.title, first_ts=ts, last_ts=ts,
                           article_count=0, centroid=article.head_vector)
        self.add_state(state)
        self._join(state, article)
        return state

    def _join(self, state: StoryState, article: Article) -> None:
        assert article.head_vector is not None and article.body_vector is not None
        ts = article.published.timestamp()
        member = MemberState(
            article_id=article.id, published_ts=ts, head=article.head_vector,
            body=article.body_vector, keywords=frozenset(article.keywords), title=article.title,
            events=article.events, evidence=article.evidence, outlet=article.outlet,
        )
        state.members.append(member)
        state.members.sort(key=lambda m: m.published_ts)
        if len(state.members) > self.options.max_members:
            # Keep the founding member (it names the story) and the most recent ones (as
            # ``Store.story_states`` loads them).
            keep = self.options.max_members
            state.members = [state.members[0], *state.members[-(keep - 1):]] if keep > 1 \
                else state.members[-1:]
        state.article_count += 1
        state.first_ts = min(state.first_ts, ts)
        state.last_ts = max(state.last_ts, ts)
        state.centroid = centroid_of([m.head for m in state.members])
        state.title = _medoid_title(state)
        self._matrices.pop(state.id, None)
        if self.index is None:
            self._index.update(self._pos[state.id], state.centroid, state.first_ts,
                               state.last_ts)
        else:
            self._unstored[state.id] = None
        self.background.add(state.id, story_items(article.evidence))


def story_id_for(article_id: str) -> str:
    """The id of the story an article starts: derived from it, so re-ingesting is harmless."""
    return "s" + hashlib.sha1(article_id.encode()).hexdigest()[:11]


#: A member whose logit stays below this even with every agreeing event feature is not
#: compared on evidence (score ≤ 0.05: it cannot decide a join).
_HOPELESS_LOGIT = -3.0
#: Event features of a member stored without evidence: no agreement, no conflict.
_NO_EVENT = [0.0] * len(EVENT_FEATURES)

def _comparison(evidence: Evidence, other: Evidence | None,
                background: Background | None = None) -> Comparison | None:
    return None if other is None else compare(evidence, other, background)


_BLAS: Any = None


def _single_thread_blas() -> Any:
    """A context in which BLAS runs on one thread: the assigner's products are small, and a
    multi-threaded BLAS on a busy 2-core machine made a 1,000-story scan 3–50× slower."""
    global _BLAS
    try:
        if _BLAS is None:
            from threadpoolctl import ThreadpoolController

            _BLAS = ThreadpoolController()
        return _BLAS.limit(limits=1, user_api="blas")
    except Exception:  # threadpoolctl missing or confused: run as is
        return contextlib.nullcontext()


def _stack(members: Sequence[MemberState], *, centroid: bool = False, core: bool = False
           ) -> _Matrices:
    """Members' vectors split per model; with ``centroid``, one more row for the story's
    centroid (per-model mean, renormalised; the keywords shared by at least two members, or
    the first member's when there is one member; the latest member's time)."""
    heads = np.stack([m.head for m in members])
    bodies = np.stack([m.body for m in members])
    foreign = [not english_only(m.evidence, None) for m in members]
    h_mono, h_multi = split_vector(heads)
    b_mono, b_multi = split_vector(bodies)
    ts = [m.published_ts for m in members]
    keywords = [m.keywords for m in members]
    counts = Counter(k for kw in keywords for k in kw) if core or centroid else Counter()
    core_set = frozenset(k for k, n in counts.items() if n >= max(2, len(members) / 2)) \
        if core and len(members) >= 2 else frozenset()
    if centroid and len(members) > 1:
        h_mono, b_mono = _with_mean(h_mono), _with_mean(b_mono)
        h_multi = None if h_multi is None else _with_mean(h_multi)
        b_multi = None if b_multi is None else _with_mean(b_multi)
        keywords.append(frozenset(k for k, n in counts.items() if n >= 2))
        ts.append(max(ts))
    return _Matrices(
        head_mono=np.ascontiguousarray(h_mono), head_multi=h_multi,
        body_mono=np.ascontiguousarray(b_mono), body_multi=b_multi,
        ts=np.asarray(ts), keywords=keywords, core=core_set,
        marks=stack_marks([m.events for m in members]),
        evidence=[m.evidence for m in members] + ([None] if len(ts) > len(members) else []),
        outlets=[m.outlet for m in members] + ([None] if len(ts) > len(members) else []),
        foreign=np.asarray(foreign + ([any(foreign)] if len(ts) > len(members) else []),
                           dtype=bool),
    )


def _with_mean(x: np.ndarray) -> np.ndarray:
    """``x`` with one more row: the unit mean of its rows."""
    mean = x.mean(axis=0, keepdims=True)
    return np.vstack([x, mean / max(float(np.linalg.norm(mean)), 1e-9)])


def centroid_of(heads: Sequence[np.ndarray]) -> np.ndarray:
    """A story's centroid: the unit mean of its members' head vectors (most recent first,
    as ``Store.story_states`` orders them)."""
    return _normalise(np.mean(heads, axis=0))


def _normalise(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm else vector.astype(np.float32)


#: Members this close (cosine) to the most typical headline are as typical as it.
TITLE_TIE = 0.005


def _medoid_title(state: StoryState) -> str:
    """The title of the member closest to the story's centroid: the most typical headline.
    Of headlines within ``TITLE_TIE`` of it the earliest wins, so that the title does not
    turn on a near-tie (the demo's transfer story has two headlines 0.0003 apart, which two
    writers ingesting at once, each holding the story for a while, ranked either way)."""
    centroid = state.centroid
    if centroid is None or not state.members:
        return state.title
    scores = [float(np.dot(m.head, centroid)) for m in state.members]
    top = max(scores)
    best = min((m for m, score in zip(state.members, scores, strict=True)
                if score >= top - TITLE_TIE), key=lambda m: (m.published_ts, m.article_id))
    return best.title or state.title
