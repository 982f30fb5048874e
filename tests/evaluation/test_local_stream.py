"""The local news stream (``demo/local``): the corpus agrees with its gold and holds the regime it
was written for (look-alike incidents within days, mostly one or two reports per event), and
``evaluate_local`` reports Storyline beside its baselines over every article."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storyline.evaluation.stream import (
    LOCAL_TFIDF_THRESHOLDS,
    _false_pairs,
    evaluate_local,
    format_stream,
    local_gold,
)

LOCAL = Path(__file__).resolve().parents[2] / "demo" / "local"
KINDS = {"shooting", "house-fire", "crash", "robbery-burglary", "missing-person", "civic"}
INCIDENTS = KINDS - {"civic"}


def _articles(folder: Path = LOCAL) -> list[dict[str, Any]]:
    lines = (folder / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _gold(folder: Path = LOCAL) -> dict[str, Any]:
    return json.loads((folder / "gold.json").read_text(encoding="utf-8"))


def _published(article: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(article["published"])


def test_local_stream_every_article_is_labelled_and_every_label_used() -> None:
    articles, gold = _articles(), _gold()
    urls = [a["url"] for a in articles]
    assert len(urls) == len(set(urls))
    assert set(urls) == set(gold["articles"])
    for article in articles:
        assert set(article) == {"url", "title", "text", "published", "outlet"}
        assert all(isinstance(v, str) and v.strip() for v in article.values())
    labels = set(gold["articles"].values())
    assert all(label.strip() for label in labels)
    assert labels == set(gold["events"])
    assert {e["kind"] for e in gold["events"].values()} <= KINDS
    assert len({a["title"] for a in articles}) == len(articles)


def test_local_stream_dates_parse_and_span_about_three_weeks() -> None:
    articles, gold = _articles(), _gold()
    times = [_published(a) for a in articles]
    assert all(t.tzinfo is not None for t in times)
    assert timedelta(days=14) <= max(times) - min(times) <= timedelta(days=28)
    assert times == sorted(times)  # the file is the stream, in publication order
    first, last = min(times).date(), max(times).date()
    for event in gold["events"].values():
        assert first - timedelta(days=2) <= date.fromisoformat(event["date"]) <= (
            last + timedelta(days=2))


def test_local_stream_incident_reports_follow_the_incident() -> None:
    """Reports of an incident never precede it, and the first comes within two days."""
    gold = _gold()
    by_event: dict[str, list[date]] = {}
    for article in _articles():
        by_event.setdefault(gold["articles"][article["url"]], []).append(
            _published(article).date())
    for name, event in gold["events"].items():
        if event["kind"] in INCIDENTS:
            happened = date.fromisoformat(event["date"])
            assert min(by_event[name]) >= happened, name
            assert min(by_event[name]) - happened <= timedelta(days=2), name


def test_local_stream_holds_the_look_alike_regime() -> None:
    articles, gold = _articles(), _gold()
    events = gold["events"]
    kinds = Counter(e["kind"] for e in events.values())
    assert kinds["shooting"] >= 4 and kinds["house-fire"] >= 3 and kinds["crash"] >= 3
    assert kinds["robbery-burglary"] >= 2 and kinds["missing-person"] >= 2
    for kind in ("shooting", "house-fire"):  # four of one kind within seven days
        days = sorted(date.fromisoformat(e["date"]) for e in events.values()
                      if e["kind"] == kind)
        assert any(days[i + 3] - days[i] <= timedelta(days=7) for i in range(len(days) - 3))
    sizes = Counter(gold["articles"].values())
    assert 20 <= len(events) <= 24 and 55 <= len(articles) <= 75
    assert sum(1 for n in sizes.values() if n <= 2) > len(events) / 2
    assert sum(1 for n in sizes.values() if n == 1) >= 3
    assert any(n >= 4 for n in sizes.values())
    assert len({a["outlet"] for a in articles}) == 3
    # The same spokesman and fire chief speak for many different events.
    for name in ("Derek Whitcomb", "Anthony Mercer"):
        assert len({gold["articles"][a["url"]] for a in articles if name in a["text"]}) >= 5


def test_local_stream_reports_are_written_not_copied() -> None:
    """Several reports of one event come from more than one outlet, and no paragraph is shared
    between outlets or between two reports of one event, outlet boilerplate aside."""
    articles, gold = _articles(), _gold()
    outlets: dict[str, set[str]] = {}
    for article in articles:
        outlets.setdefault(gold["articles"][article["url"]], set()).add(article["outlet"])
    sizes = Counter(gold["articles"].values())
    assert all(len(outlets[e]) >= 2 for e, n in sizes.items() if n >= 2)
    where: dict[str, list[dict[str, Any]]] = {}
    for article in articles:
        for paragraph in {p.strip() for p in article["text"].split("\n\n") if p.strip()}:
            where.setdefault(paragraph, []).append(article)
    for paragraph, found in where.items():
        if len(found) < 2:
            continue
        assert len({a["outlet"] for a in found}) == 1, paragraph
        events = [gold["articles"][a["url"]] for a in found]
        assert len(set(events)) >= 3, paragraph  # boilerplate, not a copied report


def test_local_stream_texts_are_local_news_sized() -> None:
    for article in _articles():
        assert 80 <= len(article["text"].split()) <= 250, article["title"]


def test_local_stream_false_pairs_split_look_alikes_from_others() -> None:
    gold = {"a1": "fire-1", "a2": "fire-1", "b1": "fire-2", "c1": "vote"}
    kinds = {"fire-1": "house-fire", "fire-2": "house-fire", "vote": "civic"}
    out = _false_pairs({"a1": "s", "a2": "s", "b1": "s", "c1": "t"}, gold, kinds)
    assert out == {"same_kind": 2, "other_kind": 0, "merged_events": [["fire-1", "fire-2"]]}
    out = _false_pairs({"a1": "s", "a2": "t", "b1": "t", "c1": "t"}, gold, kinds)
    assert (out["same_kind"], out["other_kind"]) == (1, 2)


def test_local_stream_gold_is_keyed_by_record_source() -> None:
    records, gold, kinds = local_gold(LOCAL)
    assert len(gold) == len(records) == len(_articles())
    assert all(source.rsplit(":", 1)[1].isdigit() for source in gold)
    assert set(kinds) == set(gold.values())


def test_local_stream_skipped_without_gold(tmp_path: Path) -> None:
    assert "skipped" in evaluate_local(tmp_path, encoder=BagEncoder())


class BagEncoder:
    """A deterministic stand-in model: hashed bag of words, L2-normalised (384-d)."""

    name = "bag-of-words-test"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().replace(".", " ").split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 384] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.mark.slow
def test_local_stream_evaluation_reports_storyline_and_baselines() -> None:
    """The whole pipeline (a stand-in encoder, the real enrichment) and every baseline, each over
    every article; the singletons' figures are checked against the gold by hand."""
    report = evaluate_local(LOCAL, encoder=BagEncoder())
    json.dumps(report)  # JSON-ready
    n, sizes = len(_articles()), Counter(_gold()["articles"].values())
    assert report["articles"] == n and report["events"] == len(sizes)
    runs = [report["storyline"], report["publication_dates_only"], report["singletons"],
            *report["tfidf_single_pass"]]
    assert [t["threshold"] for t in report["tfidf_single_pass"]] == list(LOCAL_TFIDF_THRESHOLDS)
    for scores in runs:
        assert scores["items"] == n and scores["gold_clusters"] == len(sizes)
        for key in ("precision", "recall", "f1", "pair_precision", "pair_recall", "pair_f1"):
            assert 0.0 <= scores[key] <= 1.0
    alone = report["singletons"]
    assert alone["precision"] == 1.0 and alone["pair_recall"] == 0.0
    assert alone["predicted_clusters"] == n
    assert alone["recall"] == pytest.approx(len(sizes) / n)  # mean of 1/|event| per article
    assert alone["false_pairs"] == {"same_kind": 0, "other_kind": 0, "merged_events": []}
    table = format_stream({"local": report})
    assert "every article alone" in table and "enrichment off" in table
    assert all(f"threshold {t}" in table for t in LOCAL_TFIDF_THRESHOLDS)


LOCAL2 = LOCAL.parent / "local2"


def test_second_local_stream_agrees_with_its_gold() -> None:
    """``demo/local2`` (Leicester): every article labelled once, every label an event, the
    stream in publication order with offsets, and the look-alike regime (several events of
    each incident kind, most events reported once or twice, some developing over days)."""
    articles, gold = _articles(LOCAL2), _gold(LOCAL2)
    urls = [a["url"] for a in articles]
    assert len(urls) == len(set(urls)) and set(urls) == set(gold["articles"])
    assert set(gold["articles"].values()) == set(gold["events"])
    times = [_published(a) for a in articles]
    assert all(t.tzinfo is not None for t in times) and times == sorted(times)
    kinds = Counter(e["kind"] for e in gold["events"].values())
    assert all(kinds[k] >= 4 for k in ("stabbing-assault", "house-fire", "crash",
                                       "robbery-burglary"))
    sizes = Counter(gold["articles"].values())
    assert sum(1 for n in sizes.values() if n == 1) >= 5
    assert sum(1 for n in sizes.values() if n >= 4) >= 3
    records, by_source, _ = local_gold(LOCAL2)
    assert len(by_source) == len(records) == len(articles)


def test_third_local_stream_is_mostly_single_reports() -> None:
    """``demo/local3`` (Brisbane): labelled throughout, in publication order, and most events
    reported once, as in a real local stream."""
    folder = LOCAL.parent / "local3"
    articles, gold = _articles(folder), _gold(folder)
    assert {a["url"] for a in articles} == set(gold["articles"])
    assert set(gold["articles"].values()) == set(gold["events"])
    times = [_published(a) for a in articles]
    assert times == sorted(times)
    sizes = Counter(gold["articles"].values())
    assert sum(1 for n in sizes.values() if n == 1) > 0.5 * len(sizes)
    records, by_source, _ = local_gold(folder)
    assert len(by_source) == len(records) == len(articles)


def test_fourth_local_stream_crosses_a_clock_change_and_keeps_its_offsets() -> None:
    """``demo/local4`` (Winnipeg): labelled throughout, in publication order, about half its
    events reported once, and its times in CST before 9 March 2025 and CDT after."""
    folder = LOCAL.parent / "local4"
    articles, gold = _articles(folder), _gold(folder)
    assert {a["url"] for a in articles} == set(gold["articles"])
    assert set(gold["articles"].values()) == set(gold["events"])
    times = [_published(a) for a in articles]
    assert times == sorted(times)
    switch = datetime(2025, 3, 9, 8, 0, tzinfo=UTC)  # 2 a.m. CST
    assert all(t.utcoffset() == timedelta(hours=-6 if t < switch else -5) for t in times)
    sizes = Counter(gold["articles"].values())
    assert 0.3 * len(sizes) < sum(1 for n in sizes.values() if n == 1) < 0.7 * len(sizes)
    records, by_source, _ = local_gold(folder)
    assert len(by_source) == len(records) == len(articles)
