"""Where alerts meet the ingest pipeline: ``AlertHook`` runs right after each batch is
written, inside the batch's transaction, and again once it is committed.

Every ingest path (``storyline ingest``, ``POST /api/v1/articles``, a feed watcher) writes
through ``Pipeline``, which calls the hook, so alerts are detected whatever brought the
articles, from what each batch added (never by rescanning the store). Alerts commit with
their batch: an ingest killed mid-batch loses neither. A failure in detection is logged and
never fails the ingest; webhook deliveries start only after the commit, in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from storyline.alerts.detect import WrittenBatch, detect_alerts
from storyline.config import Settings
from storyline.store.base import Store

__all__ = ["AlertHook"]

log = logging.getLogger(__name__)


class AlertHook:
    """Alert detection and webhook delivery for one pipeline's store."""

    def __init__(self, store: Store, settings: Settings) -> None:
        from storyline.alerts.webhook import webhook_options

        self.store = store
        self.webhook = webhook_options(settings)
        #: Alerts queued for the webhook since the last kick (or the run's first commit,
        #: which also retries deliveries left over from earlier runs).
        self._queued = 0
        self._kicked = False

    def batch_written(self, batch: WrittenBatch) -> int:
        """Record the alerts ``batch`` raises (called inside its write transaction);
        returns how many are new."""
        try:
            follows = self.store.follows()
            if not follows:
                return 0
            alerts = detect_alerts(self.store, batch, follows)
            added = self.store.add_alerts(alerts, deliver=self.webhook is not None)
        except Exception:  # a bug in detection must not cost the batch
            log.exception("alert detection failed for a batch of %d articles",
                          len(batch.articles))
            return 0
        if added:
            log.info("%d new alerts", len(added))
        self._queued += len(added)
        return len(added)

    def committed(self) -> None:
        """After a batch's commit: send queued alerts (and earlier runs' leftovers) to the
        webhook, in the background."""
        if self.webhook is None or (self._kicked and not self._queued):
            return
        self._kicked, self._queued = True, 0
        try:
            self._deliverer().kick()
        except Exception:
            log.exception("cannot start webhook delivery")

    def _deliverer(self) -> _Kickable:
        from storyline.alerts.webhook import deliver_pending, deliverer_for
        from storyline.store import open_store

        assert self.webhook is not None
        options = self.webhook
        path = getattr(self.store, "path", None)
        if not path or path == ":memory:":
            # No second connection to an in-memory store: send from this thread.
            store = self.store
            return _Inline(lambda: deliver_pending(store, options))
        model = self.store.model_name
        return deliverer_for(path, options, lambda: open_store(path, model_name=model))


class _Kickable(Protocol):
    def kick(self) -> None:
        """Look for due deliveries."""


class _Inline:
    """Delivery in the calling thread (for a store no second connection can open)."""

    def __init__(self, run: Callable[[], object]) -> None:
        self.run = run

    def kick(self) -> None:
        self.run()
