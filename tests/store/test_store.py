"""The store contract, on both backends (``store`` is parametrized in ``conftest.py``):
atomic batches, re-reads, search, vectors, locks and snapshots, entities, follows, alerts,
feeds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from store_samples import sample_article, write_story

from storyline.errors import NotFoundError, StoreError
from storyline.models import (
    Alert,
    ArticleEnrichment,
    ArticleEntity,
    Assignment,
    EntryKey,
    EventMark,
    Feed,
    Follow,
    Signature,
)
from storyline.store import Store, StoryFilter, open_store
from storyline.store.base import StoryState


def test_store_story_states_hold_the_founding_and_the_latest_members(store: Store) -> None:
    """A story loaded again holds what the assigner held (``Assigner._join``): its founding
    member and the most recent ones, so its centroid and title are the same."""
    write_story(store, [sample_article(n) for n in range(1, 6)])
    (state,) = store.story_states(0, 2e9, max_members=3)
    assert sorted(m.article_id for m in state.members) == ["a1", "a4", "a5"]
    (state,) = store.story_states(0, 2e9, max_members=5)
    assert sorted(m.article_id for m in state.members) == ["a1", "a2", "a3", "a4", "a5"]
    (state,) = store.story_states(0, 2e9, max_members=1)
    assert [m.article_id for m in state.members] == ["a5"]


def test_store_write_batch_roundtrip_and_counts(store: Store) -> None:
    write_story(store, [sample_article(1), sample_article(2)])
    detail = store.get_story("s1")
    assert [a.id for a in detail.articles] == ["a1", "a2"]
    assert detail.summary.article_count == 2 and detail.summary.outlets == ("Ledger",)
    article = store.get_article("a2")
    assert article.raw == "raw 2" and article.authors == ["Jo"] and article.story_id == "s1"
    assert article.published == datetime(2025, 1, 3, tzinfo=UTC)
    assert store.existing_ids(["a1", "a9"]) == {"a1"}
    vectors = store.cached_vectors(["a1"])
    assert vectors["a1"][0][1] == 1.0 and vectors["a1"][0].dtype == np.float32
    states = store.story_states(0, 2e9, max_members=1)
    assert len(states) == 1 and [m.article_id for m in states[0].members] == ["a2"]
    assert [a.id for a in store.iter_articles(story_id="s1")] == ["a1", "a2"]
    assert store.article_ids_with_prefix("a") == ["a1", "a2"]
    assert store.story_ids_with_prefix("s") == ["s1"]
    assert store.count_stories() == 1
    assert [s.id for s in store.list_stories(StoryFilter(outlet="LEDGER"))] == ["s1"]
    assert store.list_stories(StoryFilter(since=datetime(2026, 1, 1, tzinfo=UTC))) == []


def test_store_failed_batch_leaves_store_unchanged(store: Store) -> None:
    write_story(store, [sample_article(1)])
    duplicate = sample_article(1)
    with pytest.raises(StoreError):
        write_story(store, [sample_article(2), duplicate])  # the primary key clash aborts the batch
    assert store.counts() == {"articles": 1, "stories": 1}
    assert store.get_story("s1").summary.article_count == 1
    with pytest.raises(NotFoundError):
        store.get_article("a2")
    write_story(store, [sample_article(3)])  # the store is still usable
    assert store.counts() == {"articles": 2, "stories": 1}


def test_store_refuses_an_article_it_cannot_read_back(store: Store) -> None:
    bad = replace(sample_article(1), published=datetime(2025, 1, 1))  # naive
    with pytest.raises(StoreError, match="publication time"):
        write_story(store, [bad])
    assert store.counts()["articles"] == 0


def test_store_full_text_search_and_quoting(store: Store) -> None:
    write_story(store, [sample_article(1), sample_article(2)])
    hits = store.search_text("blaze 2")
    assert [h.id for h in hits] == ["a2"]
    assert store.search_text('pier" OR *') == []  # operators are quoted, never interpreted
    assert store.search_text("!!!") == []
    assert {h.id for h in store.search_text("FIREFIGHTERS")} == {"a1", "a2"}
    assert [s.id for s in store.list_stories(StoryFilter(query="blaze pier"))] == ["s1"]
    assert store.count_stories(StoryFilter(query="volcano")) == 0
    assert store.articles_matching("fought blaze", ["a1", "a2", "a9"]) == {"a1", "a2"}
    assert store.articles_matching("number 1", ["a2"]) == set()
    nearest = store.nearest_articles(sample_article(2).head_vector, limit=1)
    assert nearest[0][0].id == "a2" and nearest[0][1] == pytest.approx(1.0)


def test_store_search_folds_case_and_accents_and_ranks_titles_first(store: Store) -> None:
    title_hit = replace(sample_article(1), title="Zürich council vote", text="The council met.")
    body_hit = replace(sample_article(2), title="Council news",
                       text="In ZURICH the council held a vote on the budget.")
    write_story(store, [title_hit, body_hit])
    assert [h.id for h in store.search_text("zurich")] == ["a1", "a2"]
    assert [h.id for h in store.search_text("Zürich budget")] == ["a2"]


def test_store_event_marks_roundtrip_to_articles_and_story_members(store: Store) -> None:
    marks = (EventMark("signing", 739_298, 739_310), EventMark("vote", 739_330, 739_330))
    first = replace(sample_article(1), events=marks)
    write_story(store, [first, sample_article(2)])
    assert store.get_article("a1").events == marks
    assert store.get_article("a2").events == ()
    members = {m.article_id: m.events for m in store.story_states(0, 2e9, max_members=5)[0].members}
    assert members == {"a1": marks, "a2": ()}


def test_store_write_lock_joins_batches_and_rolls_back_as_one(store_location: str) -> None:
    store, other = open_store(store_location), open_store(store_location)
    try:
        assert store.changed_elsewhere() is False  # first look
        with store.write_lock():
            write_story(store, [sample_article(1)])
            write_story(store, [sample_article(2)], story="s2")
            assert other.existing_ids(["a1", "a2"]) == set()  # not committed yet
        assert other.existing_ids(["a1", "a2"]) == {"a1", "a2"}
        assert store.changed_elsewhere() is False  # its own commit
        with pytest.raises(RuntimeError), store.write_lock():
            write_story(store, [sample_article(3)], story="s3")
            raise RuntimeError("assignment failed")
        assert store.existing_ids(["a3"]) == set()
        write_story(other, [sample_article(4)], story="s4")
        assert store.changed_elsewhere() is True
        assert store.changed_elsewhere() is False
    finally:
        store.close()
        other.close()


def test_store_read_snapshot_hides_a_commit_landing_meanwhile(store_location: str) -> None:
    store, other = open_store(store_location), open_store(store_location)
    try:
        write_story(store, [sample_article(1)])
        with store.read_snapshot():
            assert store.counts()["articles"] == 1
            write_story(other, [sample_article(2)], story="s2")
            assert store.counts()["articles"] == 1
            assert store.existing_ids(["a2"]) == set()
        assert store.counts()["articles"] == 2
    finally:
        store.close()
        other.close()


def test_store_evidence_and_runner_up_roundtrip_and_legacy_members_get_evidence(
    store: Store,
) -> None:
    from storyline.stories.evidence import evidence_for

    with_evidence = replace(sample_article(1), evidence=evidence_for(
        "Harbour fire", "Firefighters fought blaze 1 at the pier in Dayton.",
        entities=[type("E", (), {"name": "Dayton", "type": "place", "aliases": ()})()]))
    legacy = sample_article(2)  # stored without evidence, as before migration 0006
    state = StoryState("s1", "Harbour fire", with_evidence.published.timestamp(),
                       legacy.published.timestamp(), 2)
    store.write_batch(
        [with_evidence, legacy],
        [Assignment("a1", "s1", 0.9, False, runner_up="s9", runner_up_score=0.31),
         Assignment("a2", "s1", 0.9, False)], [state])
    decision = store.article_decisions(["a1", "a9"])
    assert list(decision) == ["a1"]
    assert (decision["a1"].runner_up, decision["a1"].runner_up_score) == ("s9", 0.31)
    assert decision["a1"].evidence == with_evidence.evidence
    (loaded,) = store.story_states(0, 2e9, max_members=5)
    members = {m.article_id: m.evidence for m in loaded.members}
    # Evidence made without a language takes its article's when loaded (MiniLM's cosine is
    # for English pairs only).
    assert with_evidence.evidence is not None and with_evidence.evidence.language is None
    as_loaded = replace(with_evidence.evidence, language=with_evidence.language)
    assert with_evidence.language == "en" and members["a1"] == as_loaded
    assert "US/OH/dayton" in members["a1"].places
    # No stored evidence: made from the stored text and keywords when loaded.
    assert members["a2"] is not None and "pier" in members["a2"].terms
    assert members["a2"].orgs == {"harbour"}
    assert store.member_evidence(0, (2e9, "z"), max_stories=5) == [
        [("a1", with_evidence.published.timestamp(), with_evidence.evidence)]]


def test_store_entities_created_counted_and_found_by_alias(store: Store) -> None:
    putin = ArticleEntity("e1", "Vladimir Putin", "person", 3, aliases=("Putin",))
    kremlin = ArticleEntity("e2", "Kremlin", "org", 1)
    write_story(store, [sample_article(1), sample_article(2)], enrichments=[
        ArticleEnrichment("a1", entities=[putin, kremlin]),
        ArticleEnrichment("a2", entities=[replace(putin, mentions=2)]),
    ])
    assert [e.name for e in store.match_entities({"putin"})] == ["Vladimir Putin"]
    (record,) = store.find_entities("putin")
    assert (record.name, record.mentions, record.articles, record.aliases) == (
        "Vladimir Putin", 5, 2, ("Putin",))
    assert [e.name for e in store.story_entities("s1")] == ["Vladimir Putin", "Kremlin"]
    assert [e.name for e in store.list_entities()] == ["Vladimir Putin", "Kremlin"]
    assert store.count_entities() == 2
    (appearance,) = store.entity_stories("President Putin")
    assert appearance.story.id == "s1"
    assert store.articles_mentioning("Putin", ["a1", "a2"]) == {"a1", "a2"}
    assert store.articles_mentioning("Nobody", ["a1"]) == set()
    assert set(store.article_enrichment(["a1", "a2", "a3"])) == {"a1", "a2"}
    with pytest.raises(NotFoundError):
        store.find_entities("Nobody")


def _alert(n: int, follow: str = "f1") -> Alert:
    when = datetime(2025, 2, n, tzinfo=UTC)
    return Alert(id=f"al{n}", follow_id=follow, kind="story", story_id="s1",
                 story_title="Harbour fire", article_id=f"a{n}", article_title="t",
                 article_url=None, outlet="Ledger", published=when, created_at=when)


def test_store_follows_alerts_and_deliveries(store: Store) -> None:
    created = datetime(2025, 2, 1, tzinfo=UTC)
    follow = store.add_follow(Follow("f1", "story", "s1", "Harbour fire", created))
    assert store.add_follow(replace(follow, label="other")) == follow  # kept as it was
    assert store.follows() == [follow]
    assert store.follow_ids_with_prefix("f") == ["f1"]
    assert store.add_alerts([_alert(1), _alert(2)], deliver=True) == ["al1", "al2"]
    assert store.add_alerts([_alert(1)], deliver=True) == []  # already stored
    assert [a.id for a in store.list_alerts()] == ["al2", "al1"]
    assert store.list_alerts(follow_id="f1", limit=1, offset=1)[0] == _alert(1)
    assert store.count_alerts() == 2 and store.count_alerts(follow_id="nope") == 0
    with store.write_lock():  # joins the writer's transaction, as the alert hook does
        assert store.add_alerts([_alert(3)]) == ["al3"]
    claimed = store.claim_deliveries(1e10, lease=60)
    assert [a.id for a in claimed] == ["al1", "al2"]
    assert store.claim_deliveries(1e10, lease=60) == []  # leased
    store.record_delivery("al1", ok=True)
    store.record_delivery("al2", ok=False, error="boom", retry_at=2e10)
    states = store.deliveries(["al1", "al2", "al3"])
    assert states["al1"].status == "delivered" and states["al1"].attempts == 1
    assert states["al2"].status == "pending" and states["al2"].last_error == "boom"
    assert states["al2"].next_attempt == datetime.fromtimestamp(2e10, UTC)
    assert "al3" not in states
    assert store.remove_follow("f1") == follow
    assert store.count_alerts() == 0 and store.deliveries(["al1"]) == {}
    with pytest.raises(NotFoundError):
        store.remove_follow("f1")


def test_store_feeds_schedule_health_and_seen_entries(store: Store) -> None:
    now = datetime(2025, 3, 1, tzinfo=UTC)
    feed = store.add_feed(Feed("https://b.example/feed", added_at=now, next_check=now))
    assert store.add_feed(Feed("https://b.example/feed", title="again")).title is None
    store.add_feed(Feed("https://a.example/rss", added_at=now,
                        next_check=datetime(2025, 3, 2, tzinfo=UTC)))
    assert [f.url for f in store.list_feeds()] == ["https://a.example/rss",
                                                   "https://b.example/feed"]
    assert [f.url for f in store.due_feeds(now.timestamp())] == ["https://b.example/feed"]
    polled = replace(feed, title="B", etag='"v1"', last_status="ok", consecutive_errors=0,
                     last_fetch=now, interval=600.0)
    keys = [EntryKey("g1", "https://b.example/1", "h1"), EntryKey(None, None, "h2")]
    assert store.record_poll(polled, keys) is True
    got = store.get_feed(feed.url)
    assert (got.title, got.etag, got.interval, got.last_fetch, got.entries_seen) == (
        "B", '"v1"', 600.0, now, 2)
    assert store.seen_entries(feed.url, [
        EntryKey("g1", None, None), EntryKey("g9", "https://b.example/1", None),
        EntryKey("g9", None, "h2"), EntryKey("g9", None, "h9")]) == [True, True, True, False]
    assert store.seen_entries("https://a.example/rss", keys) == [False, False]
    assert store.remove_feed(feed.url).url == feed.url
    assert store.record_poll(polled, keys) is False  # removed meanwhile: nothing written
    with pytest.raises(NotFoundError):
        store.get_feed(feed.url)
    assert [f.entries_seen for f in store.list_feeds()] == [0]


def test_store_copy_signatures_and_vectors_of_another_encoder(store: Store) -> None:
    signed = replace(sample_article(1), minhash=Signature("s1", np.arange(8, dtype=np.uint32)))
    write_story(store, [signed, sample_article(2)])
    rows = {r.article_id: r for r in store.copy_signatures(0, 2e9, scheme="s1")}
    assert rows["a1"].signature is not None and list(rows["a1"].signature) == list(range(8))
    assert rows["a2"].signature is None and rows["a2"].text == sample_article(2).text
    store.model_name = "another-encoder"
    assert [a.id for a in store.articles_without_vectors(0, 2e9)] == ["a1", "a2"]
    store.write_vectors([sample_article(1)])
    assert [a.id for a in store.articles_without_vectors(0, 2e9)] == ["a2"]
