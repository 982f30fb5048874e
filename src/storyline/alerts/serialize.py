"""JSON shapes of follows, alerts and delivery states: the CLI's ``--json`` output, the web
API's bodies, the webhook's POST body and the store's ``alerts.data`` column.

Like ``storyline.serialize``, these shapes are a public contract: fields may be added, never
removed or renamed. ``alert_from_dict`` reads back exactly what ``alert`` wrote.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storyline.models import Alert, AlertDevelopment, Delivery, Follow, TimeSpan
from storyline.serialize import time_span


def follow(item: Follow) -> dict[str, Any]:
    """``{id, kind, target, label, created_at}``."""
    return {
        "id": item.id,
        "kind": item.kind,
        "target": item.target,
        "label": item.label,
        "created_at": item.created_at.isoformat(),
    }


def development(dev: AlertDevelopment) -> dict[str, Any]:
    """``{event_id, action, label, modality, novelty, when, verdict, sentence}``; ``when`` is
    a time span (``serialize.time_span``) or null."""
    return {
        "event_id": dev.event_id,
        "action": dev.action,
        "label": dev.label,
        "modality": dev.modality,
        "novelty": dev.novelty,
        "when": time_span(dev.when),
        "verdict": dev.verdict,
        "sentence": dev.sentence,
    }


def alert(item: Alert, delivery: Delivery | None = None) -> dict[str, Any]:
    """``{id, follow_id, kind, story_id, story_title, article_id, article_title, article_url,
    outlet, published, created_at, developments, delivery}``; ``delivery`` is the webhook
    state (``delivery_state``) or null when the alert was never queued for one."""
    return {
        "id": item.id,
        "follow_id": item.follow_id,
        "kind": item.kind,
        "story_id": item.story_id,
        "story_title": item.story_title,
        "article_id": item.article_id,
        "article_title": item.article_title,
        "article_url": item.article_url,
        "outlet": item.outlet,
        "published": item.published.isoformat(),
        "created_at": item.created_at.isoformat(),
        "developments": [development(d) for d in item.developments],
        "delivery": None if delivery is None else delivery_state(delivery),
    }


def delivery_state(item: Delivery) -> dict[str, Any]:
    """``{status, attempts, last_error, last_attempt, delivered_at, next_attempt}``."""
    def stamp(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "status": item.status,
        "attempts": item.attempts,
        "last_error": item.last_error,
        "last_attempt": stamp(item.last_attempt),
        "delivered_at": stamp(item.delivered_at),
        "next_attempt": stamp(item.next_attempt),
    }


def _span(data: dict[str, Any] | None) -> TimeSpan | None:
    if not data:
        return None
    return TimeSpan(text=data["text"], start_char=data.get("start_char", 0),
                    end_char=data.get("end_char", 0), start=data["start"], end=data["end"],
                    granularity=data.get("granularity", "days"))  # fmt: skip


def alert_from_dict(data: dict[str, Any]) -> Alert:
    """The ``Alert`` that ``alert`` wrote (its ``delivery`` is ignored)."""
    return Alert(
        id=data["id"], follow_id=data["follow_id"], kind=data["kind"],
        story_id=data["story_id"], story_title=data["story_title"],
        article_id=data["article_id"], article_title=data["article_title"],
        article_url=data.get("article_url"), outlet=data.get("outlet"),
        published=datetime.fromisoformat(data["published"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        developments=tuple(
            AlertDevelopment(
                event_id=d["event_id"], action=d["action"], label=d["label"],
                modality=d["modality"], novelty=d["novelty"], when=_span(d.get("when")),
                verdict=d.get("verdict"), sentence=d.get("sentence", ""),
            )
            for d in data.get("developments", [])
        ),
    )  # fmt: skip
