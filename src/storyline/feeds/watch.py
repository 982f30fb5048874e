"""``storyline watch``: poll the due feeds, ingest their new entries, and do it again.

A **round** takes the feeds due now, polls them concurrently (``poll.py``: fetches run in one
asyncio loop, bounded per host by the fetcher), ingests every new entry through the ordinary
``Pipeline`` in one run (so the same article from three feeds is stored once, and copies and
stories work as in any ingest), and only then records each feed's poll: its entries seen, its
validators, schedule and health (``sources.py``), in one transaction.

That order is what makes the watcher safe to stop anywhere. Stopped (a signal, ``kill -9``)
before the records are written, every feed of the round is still due with its old
validators and unseen entries: the next run polls them again, gets whole feeds, and what the
pipeline had stored already is skipped as a duplicate (stable ids). So nothing is lost and
nothing is stored twice. ``stop()`` (SIGINT/SIGTERM) cancels the fetches of a round at once;
during the ingest the front end unwinds it as ``storyline ingest`` does (the batch being
written rolls back).

The watcher runs beside ``storyline serve`` on the same store: the pipeline takes the store's
write lock per batch, feeds added or removed through the API are seen at the next round, and
a feed removed while it was polled is simply not recorded.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from storyline.config import Settings
from storyline.embedding import Encoder
from storyline.errors import StorylineError
from storyline.feeds.fetch import Fetcher, FetchOptions
from storyline.feeds.poll import PollResult, poll_feed
from storyline.feeds.sources import Schedule, after_failure, after_success
from storyline.models import Feed, IngestReport, Rejection
from storyline.pipeline import Pipeline
from storyline.store.base import Store

log = logging.getLogger(__name__)

#: Feeds polled at once (each host is further limited by the fetcher).
MAX_CONCURRENT_FEEDS = 32
#: Longest sleep between rounds: feeds added meanwhile (CLI, API) wait at most this long.
MAX_SLEEP = 30.0


@dataclass(slots=True)
class RoundReport:
    """What one round did."""

    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    new_entries: int = 0
    deferred: int = 0
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    #: The feeds that failed, with the reason.
    failures: list[tuple[str, str]] = field(default_factory=list)


class Watcher:
    """Polls a store's feeds and ingests their new entries; ``run`` until ``stop``."""

    def __init__(self, store: Store, *, settings: Settings | None = None,
                 encoder: Encoder | None = None,
                 fetch_options: FetchOptions | None = None) -> None:  # fmt: skip
        self.store = store
        self.settings = settings or Settings()
        self.pipeline = Pipeline(store, settings=self.settings, encoder=encoder)
        self.schedule = Schedule.from_settings(self.settings)
        self.fetch_options = fetch_options or FetchOptions.from_settings(self.settings)
        #: True while a round's entries are being ingested (the front end's signal handler
        #: then unwinds the ingest; elsewhere ``stop`` is enough).
        self.ingesting = False
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[list[PollResult]] | None = None

    # --- control ------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop after the current step: fetches in flight are cancelled, a sleep ends."""
        self._stop.set()
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not task.done():
            loop.call_soon_threadsafe(task.cancel)

    @property
    def stopped(self) -> bool:
        """Whether ``stop`` was called."""
        return self._stop.is_set()

    def run(self, *, once: bool = False,
            on_round: Callable[[RoundReport], None] | None = None) -> None:  # fmt: skip
        """Poll due feeds round after round (one round with ``once``) until ``stop``."""
        with asyncio.Runner() as runner:
            while not self._stop.is_set():
                try:
                    report = self.poll_round(runner)
                except StorylineError as exc:
                    if once:
                        raise
                    # The store busy for long, say: the round's feeds stay due (nothing was
                    # recorded), and the next round tries them again.
                    log.error("round failed, retrying in %.0f s: %s", MAX_SLEEP, exc)
                    self._stop.wait(MAX_SLEEP)
                    continue
                if on_round is not None and report.polled:
                    on_round(report)
                if once:
                    break
                self._stop.wait(self._sleep_time())

    # --- one round ----------------------------------------------------------------------
    def poll_round(self, runner: asyncio.Runner | None = None) -> RoundReport:
        """Poll the feeds due now, ingest what is new, record the polls."""
        report = RoundReport()
        now = datetime.now(UTC)
        due = self.store.due_feeds(now.timestamp())
        if not due or self._stop.is_set():
            return report
        try:
            if runner is None:
                results = asyncio.run(self._poll_all(due))
            else:
                results = runner.run(self._poll_all(due))
        except asyncio.CancelledError:
            log.info("round stopped while fetching; its feeds stay due")
            return report
        records = [record for result in results for record in result.records]
        if records:
            self.ingesting = True
            try:
                ingested: IngestReport | None = self.pipeline.ingest_records(records)
            finally:
                self.ingesting = False
        else:
            ingested = None
        self._record(results, now, report)
        if ingested is not None:
            report.added = ingested.added
            report.duplicates = ingested.duplicates
            report.rejected = len(ingested.rejections) + ingested.rejections_omitted
            report.rejections = list(ingested.rejections)
        return report

    async def _poll_all(self, feeds: list[Feed]) -> list[PollResult]:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()  # type: ignore[assignment]
        try:
            gate = asyncio.Semaphore(MAX_CONCURRENT_FEEDS)
            claimed: set[str] = set()
            async with Fetcher(self.fetch_options) as fetcher:

                async def one(feed: Feed) -> PollResult:
                    async with gate:
                        return await poll_feed(fetcher, self.store, feed, claimed=claimed)

                return list(await asyncio.gather(*(one(f) for f in feeds)))
        finally:
            self._task = None

    def _record(self, results: list[PollResult], now: datetime, report: RoundReport) -> None:
        """Each feed's health, schedule, validators and seen entries, in one transaction."""
        with self.store.write_lock():
            for result in results:
                feed = result.feed
                report.polled += 1
                if result.error is not None:
                    report.failed += 1
                    report.failures.append((feed.url, result.error.reason))
                    after_failure(feed, result.error.reason, now=now,
                                  retry_after=result.error.retry_after, schedule=self.schedule)
                    self.store.record_poll(feed, [])
                    continue
                not_modified = result.fetched is not None and result.fetched.not_modified
                report.not_modified += int(not_modified)
                report.new_entries += result.new_entries
                report.deferred += result.deferred
                validators = result.keep_validators
                if validators is not None and not not_modified:
                    feed.etag, feed.last_modified = validators.etag, validators.last_modified
                elif validators is not None and validators.etag:
                    feed.etag = validators.etag  # a 304 may carry a fresher ETag
                if result.parsed is not None:
                    feed.title = feed.title or result.parsed.title
                    feed.site_url = feed.site_url or result.parsed.site_url
                published = [e.published for e in (result.parsed.entries if result.parsed
                                                   else ()) if e.published]  # fmt: skip
                after_success(feed, now=now, not_modified=not_modified,
                              new_entries=result.new_entries, published=published,
                              schedule=self.schedule)
                self.store.record_poll(feed, result.settled)

    def _sleep_time(self) -> float:
        """Seconds until the next feed is due (at most ``MAX_SLEEP``)."""
        now = datetime.now(UTC)
        soon = self.store.due_feeds(now.timestamp() + MAX_SLEEP)  # soonest first
        if not soon or soon[0].next_check is None:
            return MAX_SLEEP
        return max(0.05, min(MAX_SLEEP, (soon[0].next_check - now).total_seconds()))
