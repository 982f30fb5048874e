"""Webhook delivery: each alert POSTed as JSON to the ``webhook_url`` setting, signed.

The body is the alert's JSON (``alerts.serialize.alert``, UTF-8). Headers:

* ``X-Storyline-Signature: sha256=<hex>``: HMAC-SHA256 of the exact body bytes with the
  shared secret from the ``STORYLINE_WEBHOOK_SECRET`` environment variable (never a settings
  file). A receiver recomputes it over the raw body and compares in constant time
  (``verify_signature``).
* ``X-Storyline-Alert``: the alert id. Delivery is at least once (a receiver that times out
  after storing may get the alert again), so a receiver deduplicates on it.

Delivery never blocks or fails an ingest: alerts are queued in the batch's transaction
(``alert_deliveries``) and sent after the commit, from a background thread with its own
store connection (``Deliverer``). Each send has a timeout and is retried a few times with
jittered exponential backoff (``tenacity``) on a network error, a 5xx or a 429. An alert
still undelivered stays pending with its error, due again later (doubling, at most an hour):
the next batch any ingest path writes sends it. Without a secret nothing is queued.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from storyline.alerts import serialize as shapes
from storyline.config import Settings
from storyline.errors import StorylineError
from storyline.models import Alert
from storyline.store.base import Store

__all__ = ["ALERT_HEADER", "SECRET_ENV", "SIGNATURE_HEADER", "DeliveryError",
           "DeliveryReport", "Deliverer", "WebhookOptions", "deliver_pending", "deliverer_for",
           "sign", "verify_signature", "wait_for_deliveries", "webhook_options"]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Storyline-Signature"
ALERT_HEADER = "X-Storyline-Alert"
SECRET_ENV = "STORYLINE_WEBHOOK_SECRET"
#: Longest wait before a failed alert is tried again.
MAX_RETRY_S = 3600.0


class DeliveryError(StorylineError):
    """A webhook POST failed (network error, timeout or a non-2xx answer)."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        #: Whether trying again soon may help (network error, timeout, 5xx, 429).
        self.retry = retry


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    """Where and how alerts are sent."""

    url: str
    secret: str
    #: Seconds for each POST (connect, write and read).
    timeout: float = 10.0
    #: Tries per alert in one delivery pass.
    attempts: int = 3
    #: First wait between tries, in seconds (doubled each time, with jitter).
    backoff: float = 0.5
    #: Seconds before an alert whose pass failed is due again (doubled per failed pass, at
    #: most ``MAX_RETRY_S``).
    retry_after: float = 60.0

    @property
    def lease(self) -> float:
        """Seconds a sender holds the alerts it claimed: longer than a whole pass over one."""
        return self.attempts * (self.timeout + 4 * self.backoff) + 30.0


def webhook_options(settings: Settings) -> WebhookOptions | None:
    """The webhook the settings configure, or None (no ``webhook_url`` or not an http(s)
    one, or no secret in ``STORYLINE_WEBHOOK_SECRET``: unsigned alerts are never sent)."""
    if not settings.webhook_url:
        return None
    if not settings.webhook_url.startswith(("http://", "https://")):
        log.warning("webhook_url %r is not an http(s) URL: alerts are not sent",
                    settings.webhook_url)
        return None
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        log.warning("webhook_url is set but %s is not: alerts are not sent", SECRET_ENV)
        return None
    return WebhookOptions(url=settings.webhook_url, secret=secret,
                          timeout=settings.webhook_timeout)


def sign(body: bytes, secret: str) -> str:
    """The ``X-Storyline-Signature`` value of ``body``: ``sha256=`` and the HMAC-SHA256 hex."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """Whether ``header`` is ``body``'s signature with ``secret`` (constant-time)."""
    return header is not None and hmac.compare_digest(sign(body, secret), header)


def post_alert(client: httpx.Client, options: WebhookOptions, alert: Alert) -> None:
    """POST one alert, retried as the module docstring says; raises ``DeliveryError``."""
    body = json.dumps(shapes.alert(alert), ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, options.secret),
               ALERT_HEADER: alert.id, "User-Agent": "storyline-webhook/1"}

    def send() -> None:
        try:
            response = client.post(options.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}", retry=True) from exc
        if not response.is_success:
            status = response.status_code
            raise DeliveryError(f"HTTP {status}", retry=status >= 500 or status == 429)

    retrying = Retrying(
        stop=stop_after_attempt(options.attempts),
        wait=wait_exponential(multiplier=options.backoff, max=8 * options.backoff)
        + wait_random(0, options.backoff),
        retry=retry_if_exception(lambda exc: isinstance(exc, DeliveryError) and exc.retry),
        reraise=True,
    )
    retrying(send)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one delivery pass did."""

    delivered: int = 0
    failed: int = 0


def deliver_pending(store: Store, options: WebhookOptions, *,
                    client: httpx.Client | None = None) -> DeliveryReport:
    """Send every alert whose delivery is due (claiming them, so that another sender skips
    them meanwhile) and record each outcome."""
    delivered = failed = 0
    own = client is None
    http = client or httpx.Client(timeout=options.timeout, follow_redirects=False)
    try:
        while alerts := store.claim_deliveries(time.time(), lease=options.lease):
            for alert in alerts:
                try:
                    post_alert(http, options, alert)
                except DeliveryError as exc:
                    failed += 1
                    done = store.deliveries([alert.id]).get(alert.id)
                    wait = min(options.retry_after * 2 ** (done.attempts if done else 0),
                               MAX_RETRY_S)
                    store.record_delivery(alert.id, ok=False, error=str(exc)[:500],
                                          retry_at=time.time() + wait)
                    log.warning("webhook delivery of alert %s failed: %s (next try in %.0f s)",
                                alert.id, exc, wait)
                else:
                    delivered += 1
                    store.record_delivery(alert.id, ok=True)
    finally:
        if own:
            http.close()
    return DeliveryReport(delivered, failed)


class Deliverer:
    """Runs ``deliver_pending`` in a daemon thread with its own store connection, whenever
    ``kick`` says there may be something to send; the thread ends when nothing is left."""

    def __init__(self, connect: Callable[[], Store], options: WebhookOptions) -> None:
        self.connect = connect
        self.options = options
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    def kick(self) -> None:
        """Look for due alerts now (in the background)."""
        with self._lock:
            self._again = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="storyline-webhook",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        try:
            store = self.connect()
        except StorylineError as exc:
            log.error("webhook delivery cannot open the store: %s", exc)
            with self._lock:
                self._thread = None
            return
        try:
            while True:
                with self._lock:
                    if not self._again:
                        self._thread = None
                        return
                    self._again = False
                try:
                    deliver_pending(store, self.options)
                except Exception:  # never let a bug end deliveries silently
                    log.exception("webhook delivery failed")
        finally:
            store.close()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the thread to finish; whether it did."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


_DELIVERERS: dict[tuple[str, WebhookOptions], Deliverer] = {}
_REGISTRY_LOCK = threading.Lock()


def deliverer_for(path: str, options: WebhookOptions, connect: Callable[[], Store]
                  ) -> Deliverer:
    """The process's one ``Deliverer`` for the store at ``path`` and these options."""
    with _REGISTRY_LOCK:
        found = _DELIVERERS.get((path, options))
        if found is None:
            found = _DELIVERERS[(path, options)] = Deliverer(connect, options)
        return found


def wait_for_deliveries(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds in all for this process's deliveries in flight (a
    short-lived command calls it before it exits); whether they all finished. What is left
    stays pending and is sent by a later run."""
    deadline = time.monotonic() + timeout
    with _REGISTRY_LOCK:
        deliverers = list(_DELIVERERS.values())
    return all([d.wait(max(0.0, deadline - time.monotonic())) for d in deliverers])
