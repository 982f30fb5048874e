"""``demo/local5`` (Spokane): the stream of recurring templated headlines agrees with its gold
and holds what it was written for: headlines that recur over many different events, and
near-identical wire headlines over one event."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from storyline.evaluation.stream import LOCAL_STREAMS, local_gold

FOLDER = Path(__file__).resolve().parents[2] / "demo" / "local5"


def _articles() -> list[dict[str, Any]]:
    lines = (FOLDER / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _gold() -> dict[str, Any]:
    return json.loads((FOLDER / "gold.json").read_text(encoding="utf-8"))


def test_templated_stream_is_labelled_in_order_and_listed() -> None:
    articles, gold = _articles(), _gold()
    assert "local5" in LOCAL_STREAMS
    assert 40 <= len(articles) <= 80
    assert {a["url"] for a in articles} == set(gold["articles"])
    assert len(gold["articles"]) == len(articles)
    assert set(gold["articles"].values()) == set(gold["events"])
    times = [datetime.fromisoformat(a["published"]) for a in articles]
    assert times == sorted(times)
    assert all(t.utcoffset() == timedelta(hours=-7) for t in times)
    assert timedelta(days=12) <= max(times) - min(times) <= timedelta(days=15)
    records, by_source, _ = local_gold(FOLDER)
    assert len(by_source) == len(records) == len(articles)


def test_templated_stream_headlines_recur_over_different_events() -> None:
    articles, gold = _articles(), _gold()
    events_of: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        events_of[article["title"]].add(gold["articles"][article["url"]])
    uses = Counter(a["title"] for a in articles)
    templates = [title for title, n in uses.items() if n >= 3]
    assert len(templates) >= 6
    for title in templates:
        # Each instance is its own event but for the odd second report of one.
        assert len(events_of[title]) >= uses[title] - 2, title
    # Some reports of one event carry the same template (they must still join).
    shared = [t for t in templates if len(events_of[t]) < uses[t]]
    assert shared


def test_templated_stream_has_multi_report_events_with_near_identical_headlines() -> None:
    articles, gold = _articles(), _gold()
    by_event: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        by_event[gold["articles"][article["url"]]].append(article["title"])
    near = 0
    for titles in by_event.values():
        words = [set(t.lower().split()) for t in titles]
        near += any(len(a & b) / len(a | b) >= 0.6 and ta != tb
                    for i, (a, ta) in enumerate(zip(words, titles, strict=True))
                    for b, tb in zip(words[i + 1:], titles[i + 1:], strict=True))
    assert near >= 3
