"""The ingest pipeline: readers → extraction → keywords → embedding → enrichment (entities,
dates, attribution, developments; ``Settings.enrich``) → assignment → store → alerts (what
each batch brings the follows, stored in the batch's transaction; ``storyline.alerts``).

Each stage is batch-in/batch-out (see each module's docstring for what it needs and fills).
Articles are read ahead in chunks and sorted by publication time so that assignment is online
in time order; each batch of articles is written together with its story assignments in one
transaction, so an interrupted ingest loses at most the batch in flight, and re-running it
adds every missing article exactly once (ids are stable, duplicates are skipped).
Enrichment runs before assignment because the assigner compares the dated events articles
are about (``stories/events.py``); with enrichment off it compares publication dates only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import numpy as np

from storyline.alerts.detect import WrittenBatch
from storyline.alerts.hook import AlertHook
from storyline.config import Settings
from storyline.embedding import Encoder, MiniLMEncoder, embed_articles
from storyline.enrich.developments import (
    Analysed,
    EnrichOptions,
    analyse_articles,
    resolve_stored,
)
from storyline.enrich.entities import EntityLookup
from storyline.extract.build import ExtractOptions, extract_records
from storyline.extract.repeated import OutletTails
from storyline.ingest.readers import ReaderOptions, read_paths
from storyline.models import (
    Article,
    ArticleEnrichment,
    Assignment,
    IngestReport,
    RawRecord,
    Rejection,
)
from storyline.prepare import PrepareOptions, Preparer, isolate
from storyline.store.base import Store
from storyline.stories.assign import Assigner, AssignOptions
from storyline.stories.copies import CopyIndex, CopyMatch, CopyOptions, copy_assignments
from storyline.stories.events import event_marks
from storyline.stories.evidence import add_evidence
from storyline.stories.scoring import ScoreWeights, weights_with_threshold

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
_T = TypeVar("_T")
#: Makes a run's preparer from the pipeline's options (``Pipeline(preparer=...)``).
PreparerFactory = Callable[[PrepareOptions], Preparer[tuple[list[Article], int]]]


@dataclass(slots=True)
class _Run:
    added: int = 0
    duplicates: int = 0
    stories_created: int = 0
    copies: int = 0
    #: The copies found so far, by copy id (``stories/copies.py``).
    matches: dict[str, CopyMatch] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    #: Rejections counted but not kept (beyond ``keep``; each was logged when it happened).
    omitted: int = 0
    #: How many rejections are kept in full (None: all), so that a million bad lines do not
    #: hold their reasons in memory until the end.
    keep: int | None = 1000
    seen: set[str] = field(default_factory=set)

    def report(self) -> IngestReport:
        """What the run did."""
        return IngestReport(
            added=self.added, duplicates=self.duplicates, rejections=tuple(self.rejections),
            rejections_omitted=self.omitted,
            stories_created=self.stories_created, copies=self.copies,
        )

    def reject(self, rejection: Rejection) -> None:
        if self.keep is None or len(self.rejections) < self.keep:
            self.rejections.append(rejection)
        else:
            self.omitted += 1


class Pipeline:
    """Runs ingests against one store with one encoder; keeps the assigner warm between
    chunks so stories opened earlier in the run stay in memory."""

    def __init__(
        self, store: Store, *, settings: Settings | None = None, encoder: Encoder | None = None,
        weights: ScoreWeights | None = None,
        preparer: PreparerFactory | None = None,
    ) -> None:
        """``weights`` replace the shipped pair-score weights (for experiments); without them
        the ``cluster_threshold`` setting, when set, replaces the shipped threshold.
        ``preparer(options)`` makes what runs the store-free stages of every batch instead of
        the ``workers`` processes (an engine's, such as the backfill's on Ray actors); the
        pipeline closes it at the end of each run."""
        self.store = store
        self.settings = settings or Settings()
        if weights is None and self.settings.cluster_threshold is not None:
            weights = weights_with_threshold(self.settings.cluster_threshold)
        self.weights = weights
        #: Rejections an ingest's report keeps in full; the rest are counted (None: all).
        self.keep_rejections: int | None = 1000
        #: None: the default encoder, which worker processes can load themselves.
        self.encoder = encoder
        self._workers: Preparer[tuple[list[Article], int]] | None = None
        self._make_preparer = preparer
        self._given_preparer = preparer is not None
        self.assign_options = AssignOptions(window_days=self.settings.window_days)
        self.enrich_options = EnrichOptions(ner=self.settings.ner)
        self._assigner: Assigner | None = None
        self._loaded: tuple[float, float] | None = None
        #: Copies are looked for as far apart as stories stay open.
        self.copy_options = CopyOptions(window_days=self.settings.window_days)
        self._copies: CopyIndex | None = None
        #: Outlets' repeated closing lines, learned over the run (``extract/repeated.py``).
        self._tails = OutletTails()
        #: Alert detection after each batch write, webhook delivery after each commit.
        self.alerts = AlertHook(store, self.settings)

    # --- entry points -------------------------------------------------------------------
    def ingest_paths(
        self, paths: Sequence[str | os.PathLike[str]], *, progress: Progress | None = None,
        total: Progress | None = None,
    ) -> IngestReport:
        """Ingest every article found under ``paths``."""
        records = read_paths(paths, options=ReaderOptions(max_bytes=self.settings.max_bytes))
        return self.ingest_records(records, progress=progress, total=total)

    def ingest_records(
        self, records: Iterable[RawRecord | Rejection], *, progress: Progress | None = None,
        total: Progress | None = None,
    ) -> IngestReport:
        """Ingest already-read records (used by the API's POST and by the readers).

        ``progress(n)`` is called as items are done (stored, skipped or rejected), and
        ``total(n)`` as items are read ahead: an input of up to ``chunk_size`` articles is
        read whole before the first is processed, so its total is known from the start."""
        run = _Run(keep=self.keep_rejections)
        fallback = datetime.now(UTC)

        def process(chunk: list[RawRecord]) -> None:
            self._process_chunk(chunk, run, fallback, progress)

        try:
            self._ingest(records, run, process, progress, total)
        finally:
            self.close()
        return run.report()

    def ingest_articles(
        self, articles: Iterable[Article | Rejection], *, progress: Progress | None = None,
        total: Progress | None = None,
    ) -> IngestReport:
        """Ingest articles already extracted (``storyline backfill`` reads and extracts them
        on an engine, then sorts them by publication time). They are taken in chunks of
        ``chunk_size`` as ``ingest_records`` takes records, and go through the same stages
        from there (sign-offs, copies, batches, keywords, vectors, enrichment, assignment)."""
        run = _Run(keep=self.keep_rejections)

        def process(chunk: list[Article]) -> None:
            self._process_articles(chunk, run, progress)

        try:
            self._ingest(articles, run, process, progress, total)
        finally:
            self.close()
        return run.report()

    def _ingest(self, records: Iterable[_T | Rejection], run: _Run,
                process: Callable[[list[_T]], None], progress: Progress | None,
                total: Progress | None) -> None:  # fmt: skip
        """Read ``records`` ahead in chunks of ``chunk_size`` and ``process`` each chunk; a
        rejection is counted as it comes."""
        chunk: list[_T] = []
        read = 0
        for item in records:
            read += 1
            if isinstance(item, Rejection):
                run.reject(item)
                log.warning("rejected %s", item)
                if progress:
                    progress(1)
                continue
            chunk.append(item)
            if len(chunk) >= self.settings.chunk_size:
                if total:
                    total(read)
                read = 0
                process(chunk)
                chunk = []
        if total and read:
            total(read)
        if chunk:
            process(chunk)

    # --- stages -------------------------------------------------------------------------
    def _process_chunk(
        self, chunk: list[RawRecord], run: _Run, fallback: datetime, progress: Progress | None
    ) -> None:
        options = ExtractOptions(min_words=self.settings.min_words, fallback_time=fallback)
        articles: list[Article] = []
        for result in extract_records(chunk, options=options):
            if isinstance(result, Rejection):
                run.reject(result)
                log.warning("rejected %s", result)
                if progress:
                    progress(1)
            else:
                articles.append(result)
        self._process_articles(articles, run, progress)

    def _process_articles(self, articles: list[Article], run: _Run, progress: Progress | None
                          ) -> None:  # fmt: skip
        """A chunk's extracted articles, from sorting them by time to writing them."""
        articles.sort(key=lambda a: (a.published, a.id))
        # An outlet's sign-offs are learned over the whole chunk, then cut off every body.
        self._tails.learn(articles)
        if stripped := self._tails.strip(articles):
            log.info("removed outlet sign-offs from %d articles", stripped)
        batches = self._batches(articles, run)
        # Worker processes pay off from the second batch on; one batch runs here (an
        # engine's preparer takes every batch: its workers are up already).
        preparer = self._preparer() if len(batches) > 1 or self._given_preparer else \
            Preparer(encoder=self.encoder, options=self._prepare_options())
        staged = (self._select(batch, run) for batch in batches)
        for fresh, analysed, (copies, size), rejected in preparer.run(staged):
            copies = self._reject(rejected, copies, run)
            self._finish(fresh, copies, analysed, run)
            if progress:
                progress(size)

    @staticmethod
    def _reject(rejected: dict[str, Rejection], copies: list[Article], run: _Run
                ) -> list[Article]:  # fmt: skip
        """Record the rejections (by article id) of a batch's stages; returns the copies whose
        original was not rejected (the others are rejected with it: they have no story)."""
        for rejection in rejected.values():
            run.reject(rejection)
            log.warning("rejected %s", rejection)
        kept = []
        for copy in copies:
            original = run.matches[copy.id].original_id
            if original in rejected:
                rejection = Rejection(copy.source, rejected[original].stage,
                                      f"copy of an article rejected: {rejected[original]}")
                run.reject(rejection)
                log.warning("rejected %s", rejection)
            else:
                kept.append(copy)
        return kept

    def _select(
        self, batch: list[Article], run: _Run
    ) -> tuple[list[Article], dict[str, tuple[np.ndarray, np.ndarray]],
               tuple[list[Article], int]]:  # fmt: skip
        """A batch's new originals (with their stored vectors, if any) and its new copies."""
        existing = self.store.existing_ids(a.id for a in batch)
        fresh: list[Article] = []
        for article in batch:
            if article.id in existing or article.id in run.seen:
                run.duplicates += 1
                continue
            run.seen.add(article.id)
            fresh.append(article)
        # Copies of an original (stories/copies.py) skip the model stages: they are stored in
        # its story, never as members, so they cannot join two stories.
        copies = [a for a in fresh if a.copy_of is not None]
        fresh = [a for a in fresh if a.copy_of is None]
        cached = self.store.cached_vectors(a.id for a in fresh) if fresh else {}
        return fresh, cached, (copies, len(batch))

    def _finish(self, fresh: list[Article], copies: list[Article],
                analysed: list[Analysed] | None, run: _Run) -> None:  # fmt: skip
        """Entity identity, then assignment and the write, for a batch whose keywords, vectors
        and analysis are ready."""
        if not fresh and not copies:
            return
        # Entities join those already stored ("Putin" → the stored "Vladimir Putin").
        halves = None if analysed is None else dict(zip((a.id for a in fresh), analysed,
                                                        strict=True))  # fmt: skip

        def prepare(batch: list[Article]) -> list[ArticleEnrichment] | None:
            return enrich_for_assignment(
                batch, enrich=self.settings.enrich, lookup=self.store.match_entities,
                options=self.enrich_options,
                analysed=None if halves is None else [halves[a.id] for a in batch],
            )

        fresh, enrichments, rejected = isolate("evidence", fresh, prepare)
        copies = self._reject(rejected, copies, run)
        # From reading the open stories to writing the assignments, this is the only writer:
        # another process (the web API, a second ingest) cannot start the same story meanwhile.
        with self.store.write_lock():
            if self.store.changed_elsewhere():
                self._forget_stories()  # another writer's stories and members: reload them
            taken = self.store.existing_ids(a.id for a in [*fresh, *copies])
            if taken:  # stored by another writer since the check above
                run.duplicates += len(taken)
                fresh = [a for a in fresh if a.id not in taken]
                copies = [a for a in copies if a.id not in taken]
                if enrichments is not None:
                    enrichments = [e for e in enrichments if e.article_id not in taken]
            if not fresh and not copies:
                return
            try:
                assigner = self._assigner_for(fresh or copies)
                assignments, stories = assigner.assign(fresh)
                assignments += copy_assignments([run.matches[a.id] for a in copies],
                                                assignments, self.store)
                self.store.write_batch([*fresh, *copies], assignments, stories, enrichments)
                assigner.stored()
                # Alerts for what the batch added, committed with it (storyline/alerts).
                self.alerts.batch_written(WrittenBatch([*fresh, *copies], assignments,
                                                       enrichments))
            except BaseException:
                self._forget_stories()  # the assigner holds what was not written
                raise
        self.alerts.committed()  # webhook deliveries, in the background
        self._copy_index().add([*fresh, *copies])  # stored: later batches may copy them
        run.added += len(fresh) + len(copies)
        run.copies += len(copies)
        run.stories_created += sum(1 for a in assignments if a.new_story)

    def _batches(self, articles: list[Article], run: _Run) -> list[list[Article]]:
        """A chunk's articles (in time order) in batches of ``batch_size`` originals. Copies
        are found over the whole chunk first and each rides in its original's batch (the
        first one when its original was stored before), so that the batches the model stages
        see, and so every story, are the same with copies as without them."""
        if not articles:
            return []
        if self.store.changed_elsewhere():
            self._forget_stories()  # another writer's articles: their copies are found too
        run.matches.update((m.article_id, m) for m in self._copy_index().find(articles))
        size = self.settings.batch_size
        originals = [a for a in articles if a.copy_of is None]
        batches = [originals[start : start + size] for start in range(0, len(originals), size)]
        batches = batches or [[]]
        home = {a.id: n for n, batch in enumerate(batches) for a in batch}
        for article in articles:
            if article.copy_of is not None:
                batches[home.get(article.copy_of, 0)].append(article)
        return batches

    def _vectors_for_old_members(self, lo: float, hi: float) -> None:
        """Members of the open stories stored with an earlier encoder's vectors get the
        current encoder's (once; they are stored), so that new articles can join them."""
        old = self.store.articles_without_vectors(lo, hi)
        if old:
            log.info("computing %s vectors for %d stored articles", self.store.model_name,
                     len(old))  # fmt: skip
            self.store.write_vectors(embed_articles(old, self.encoder or MiniLMEncoder()))

    def _preparer(self) -> Preparer[tuple[list[Article], int]]:
        """The run's store-free stages (keywords, vectors, analysis), in ``workers``
        processes when set."""
        if self._workers is None and self._make_preparer is not None:
            self._workers = self._make_preparer(self._prepare_options())
        if self._workers is None:
            self._workers = Preparer(workers=self.settings.workers, encoder=self.encoder,
                                     options=self._prepare_options())
        return self._workers

    def _prepare_options(self) -> PrepareOptions:
        return PrepareOptions(enrich=self.settings.enrich, enrich_options=self.enrich_options)

    def close(self) -> None:
        """Stop the worker processes, if any (they stop with the process too)."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def _forget_stories(self) -> None:
        """Drop the in-memory open stories and copy index; the next batch loads them from the
        store."""
        self._assigner = None
        self._loaded = None
        self._copies = None

    def _copy_index(self) -> CopyIndex:
        """The run's copy index (it loads the stored signatures it needs)."""
        if self._copies is None:
            self._copies = CopyIndex(self.store, self.copy_options)
        return self._copies

    def _assigner_for(self, batch: Sequence[Article]) -> Assigner:
        """The run's assigner, with every story open around the batch's dates loaded."""
        window = self.assign_options.window_days * 86400.0
        lo = min(a.published.timestamp() for a in batch) - window
        hi = max(a.published.timestamp() for a in batch) + window
        if self._loaded is None or lo < self._loaded[0] or hi > self._loaded[1]:
            index = self._assigner.index if self._assigner is not None else None
            if index is None:  # PostgreSQL, once the window holds many stories: its index
                index = self.store.story_index(lo, hi)
                if index is not None:  # (stories held so far are dropped: all are stored)
                    self._assigner, self._loaded = None, None
            if self._assigner is None:
                self._assigner = Assigner([], options=self.assign_options,
                                          weights=self.weights, index=index)
            self._vectors_for_old_members(lo, hi)
            if index is not None:  # candidates come from the store's index: only the background
                self._assigner.count_background(index.story_evidence(
                    lo, hi, outside=self._loaded, limit=self._assigner.background.capacity,
                    max_members=self.assign_options.max_members))
            else:
                states = self.store.story_states(lo, hi,
                                                 max_members=self.assign_options.max_members)
                for state in states:
                    if state.id not in self._assigner.states:
                        self._assigner.add_state(state)
            lo = min(lo, self._loaded[0]) if self._loaded else lo
            hi = max(hi, self._loaded[1]) if self._loaded else hi
            self._loaded = (lo, hi)
        assert self._assigner is not None
        return self._assigner


def enrich_for_assignment(
    articles: Sequence[Article], *, enrich: bool = True, lookup: EntityLookup | None = None,
    options: EnrichOptions | None = None, analysed: Sequence[Analysed] | None = None,
) -> list[ArticleEnrichment] | None:
    """What story assignment compares, beyond vectors: enrichment (when ``enrich``; the
    articles' ``analysed`` half when given, else computed here; entities resolved through
    ``lookup``), each article's event marks from it, and its event evidence (from
    enrichment's typed names, else from keywords). Returns the enrichments (None when
    ``enrich`` is off)."""
    enrichments = None
    if enrich:
        if analysed is None:
            analysed = analyse_articles(articles, options=options)
        enrichments = resolve_stored(analysed, lookup=lookup)
        for article, enrichment in zip(articles, enrichments, strict=True):
            article.events = event_marks(enrichment.developments, article.published.date(),
                                          title=article.title)
    add_evidence(articles, enrichments)
    return enrichments


def assign_only(
    articles: Sequence[Article], *, options: AssignOptions | None = None
) -> list[Assignment]:
    """Assign articles that already carry vectors and keywords, without a store."""
    assignments, _ = Assigner([], options=options).assign(articles)
    return assignments
