"""Webhook delivery to a real receiver on 127.0.0.1 that checks the HMAC signature: delivered
after the ingest commits, retried after a 500, recorded and sent later when the receiver is
down, and never in the way of the ingest."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from storyline.alerts import follow
from storyline.alerts.webhook import (
    SECRET_ENV,
    deliver_pending,
    sign,
    verify_signature,
    wait_for_deliveries,
    webhook_options,
)

SECRET = "s3cret-for-tests"


@pytest.fixture()
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return SECRET


def _follow_story(open_db: Callable[[Path], Any], db: Path, story_id: str) -> str:
    with open_db(db) as store:
        return str(follow(store, "story", story_id).id)


def test_webhook_signature_is_hmac_sha256_of_the_body() -> None:
    body = json.dumps({"id": "a1", "title": "Zürich"}).encode()
    expected = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert sign(body, "k") == expected
    assert verify_signature(body, expected, "k")
    assert not verify_signature(body + b" ", expected, "k")
    assert not verify_signature(body, expected, "other")
    assert not verify_signature(body, None, "k")


def test_webhook_receives_the_alert_signed(
    db: Path, base_store: Any, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]], settings: Any, receive: Any, secret: str,
) -> None:
    fid = _follow_story(open_db, db, base_store.story_id)
    with receive(secret) as receiver:
        report = ingest(db, articles["announced"],
                        settings=replace(settings, webhook_url=receiver.url))
        assert report.added == 1
        assert wait_for_deliveries(20)
        (body,) = receiver.delivered()
        (request,) = receiver.requests
    assert request[2] == body["id"]  # X-Storyline-Alert names the alert
    assert body["follow_id"] == fid and body["kind"] == "development"
    assert body["article_title"] == articles["announced"]["title"]
    assert any(d["action"] == "visit" and d["modality"] == "announced"
               and d["novelty"] == "update" for d in body["developments"])
    with open_db(db) as store:
        state = store.deliveries([body["id"]])[body["id"]]
    assert state.status == "delivered" and state.attempts == 1 and state.delivered_at


def test_webhook_500_then_200_is_delivered_on_retry(
    db: Path, base_store: Any, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]], settings: Any, receive: Any, secret: str,
) -> None:
    _follow_story(open_db, db, base_store.story_id)
    with receive(secret, [500]) as receiver:
        ingest(db, articles["announced"], settings=replace(settings, webhook_url=receiver.url))
        assert wait_for_deliveries(20)
        statuses = [status for status, valid, _, _ in receiver.requests]
        assert statuses == [500, 200]
        assert all(valid for _, valid, _, _ in receiver.requests)
        (body,) = receiver.delivered()
    with open_db(db) as store:
        state = store.deliveries([body["id"]])[body["id"]]
    assert state.status == "delivered" and state.last_error is None


def test_webhook_failure_is_recorded_and_sent_by_the_next_ingest(
    db: Path, base_store: Any, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]], settings: Any, receive: Any, secret: str,
) -> None:
    _follow_story(open_db, db, base_store.story_id)
    with receive(secret, [500, 503, 500]) as receiver:
        hooked = replace(settings, webhook_url=receiver.url)
        # The pass in the ingest's background fails all its tries; the ingest is unharmed.
        report = ingest(db, articles["announced"], settings=hooked)
        assert report.added == 1 and not report.rejections
        assert wait_for_deliveries(20)
        assert [r[0] for r in receiver.requests] == [500, 503, 500]
        with open_db(db) as store:
            (alert,) = store.list_alerts()
            state = store.deliveries([alert.id])[alert.id]
            assert state.status == "pending" and state.attempts == 1
            assert state.last_error == "HTTP 500" and state.next_attempt is not None
            # Not lost: due again later (here: now), sent by the next ingest's first commit.
            store.conn.execute("UPDATE alert_deliveries SET next_attempt_ts = 0")
        report = ingest(db, articles["fire"], settings=hooked)  # no alert of its own
        assert report.added == 1
        assert wait_for_deliveries(20)
        (body,) = receiver.delivered()
        assert body["id"] == alert.id
    with open_db(db) as store:
        state = store.deliveries([alert.id])[alert.id]
    assert state.status == "delivered" and state.attempts == 2


def test_webhook_receiver_down_never_fails_or_blocks_the_ingest(
    db: Path, base_store: Any, ingest: Callable[..., Any], open_db: Callable[[Path], Any],
    articles: dict[str, dict[str, Any]], settings: Any, secret: str, dead_url: str,
    receive: Any,
) -> None:
    _follow_story(open_db, db, base_store.story_id)
    hooked = replace(settings, webhook_url=dead_url, webhook_timeout=1.0)
    report = ingest(db, articles["announced"], settings=hooked)
    assert report.added == 1
    assert wait_for_deliveries(30)
    with open_db(db) as store:
        (alert,) = store.list_alerts()  # the alert is stored whatever the webhook does
        state = store.deliveries([alert.id])[alert.id]
        assert state.status == "pending" and "ConnectError" in (state.last_error or "")
    # A receiver that answers slowly: the ingest returns before the delivery is done.
    with receive(secret) as receiver:
        receiver.delay = 3.0
        options = webhook_options(replace(hooked, webhook_url=receiver.url))
        assert options is not None
        with open_db(db) as store:
            store.conn.execute("UPDATE alert_deliveries SET next_attempt_ts = 0")
        started = time.monotonic()
        ingest(db, articles["fire"], settings=replace(hooked, webhook_url=receiver.url,
                                                      webhook_timeout=10.0))
        ingest_s = time.monotonic() - started
        assert wait_for_deliveries(20)
        assert [body["id"] for body in receiver.delivered()] == [alert.id]
        assert ingest_s < 3.0 + 2.0  # not held by the receiver's 3 s (plus ingest time)
        # Nothing is left to send.
        with open_db(db) as store:
            assert deliver_pending(store, options).delivered == 0


def test_webhook_needs_a_secret(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    assert webhook_options(replace(settings, webhook_url="http://127.0.0.1:9/x")) is None
    assert webhook_options(settings) is None
    monkeypatch.setenv(SECRET_ENV, "k")
    options = webhook_options(replace(settings, webhook_url="http://127.0.0.1:9/x"))
    assert options is not None and options.secret == "k"
    assert webhook_options(replace(settings, webhook_url="file:///etc/passwd")) is None
