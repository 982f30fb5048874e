"""Event evidence: which developments become event marks, the gap between two articles'
events, and how it replaces the publication gap in the pair and story scores."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from storyline.models import Article, Attribution, Development, EventMark, TimeSpan
from storyline.stories.assign import Assigner
from storyline.stories.events import (
    event_gap,
    event_marks,
    member_event_gaps,
    member_one_off_conflicts,
    member_one_off_matches,
    one_off_conflict,
    one_off_match,
    stack_marks,
    title_marks,
)
from storyline.stories.scoring import PairFeatures, default_weights, features, logit

DAY0 = datetime(2025, 1, 9, tzinfo=UTC)


def _dev(action: str, start: str | None, end: str | None = None, *, main: bool = True
         ) -> Development:
    when = None if start is None else TimeSpan("x", 0, 1, start, end or start, "days")
    return Development(
        action=action, trigger=action, sentence="", start_char=0, end_char=1,
        participants=(), places=(), when=when, modality="expected",
        attribution=Attribution(kind="outlet", name="Ledger"), main=main,
    )


def _mark(action: str, start: str, end: str | None = None) -> EventMark:
    return EventMark(action, date.fromisoformat(start).toordinal(),
                     date.fromisoformat(end or start).toordinal())


def test_events_marks_keep_main_developments_dated_within_a_month() -> None:
    marks = event_marks([
        _dev("signing", "2025-02-16", "2025-02-28"),
        _dev("earthquake", "2025-02-04", main=False),  # background: not what it is about
        _dev("visit", None),  # undated
        _dev("construction", "2026-01-01", "2026-12-31"),  # a year says too little
        _dev("signing", "2025-02-16", "2025-02-28"),  # the same mark once
        _dev("vote", "2025-03-20"),
        _dev("attack", "2022-02-01", "2022-02-28"),  # history the article recalls
        _dev("meeting", "2024-12-09", "2024-12-09"),  # just over a month before publication
        _dev("testimony", "2024-12-10", "2024-12-10"),  # a month before: still news
    ], date(2025, 1, 10))
    assert marks == (_mark("signing", "2025-02-16", "2025-02-28"), _mark("vote", "2025-03-20"),
                     _mark("testimony", "2024-12-10"))


def test_events_gap_is_zero_on_overlap_days_apart_otherwise_none_without_shared_action() -> None:
    rumour = (_mark("signing", "2025-02-16", "2025-02-28"),)
    assert event_gap(rumour, (_mark("signing", "2025-02-01", "2025-02-28"),)) == 0.0
    assert event_gap(rumour, (_mark("signing", "2025-03-05"),)) == 5.0
    assert event_gap(rumour, (_mark("visit", "2025-02-20"),)) is None
    assert event_gap((), rumour) is None
    # The nearest pair of same-action events decides.
    two = (_mark("earthquake", "2025-02-04"), _mark("earthquake", "2025-02-24"))
    assert event_gap(two, (_mark("earthquake", "2025-02-22"),)) == 2.0


def test_events_gap_of_a_recalled_date_needs_one_report_near_it() -> None:
    old_fire = (_mark("fire", "2025-09-15"),)
    day = date(2025, 9, 15).toordinal()
    # Two reports both recalling a fire of 10 and 23 days before them are no closer for it.
    assert event_gap(old_fire, old_fire, (day + 10, day + 23)) is None
    # A tribute three weeks on still meets the report of the night (published 2 days after).
    assert event_gap(old_fire, old_fire, (day + 23, day + 2)) == 0.0
    assert event_gap(old_fire, old_fire, (day + 2, day + 23)) == 0.0
    assert event_gap(old_fire, old_fire) == 0.0  # without publication days, as before
    gaps = member_event_gaps(old_fire, stack_marks([old_fire, old_fire]), 2,
                             (day + 23, np.asarray([day + 10, day + 2])))
    assert np.isinf(gaps[0]) and gaps[1] == 0.0


def test_events_member_gaps_match_the_pairwise_gap() -> None:
    rng = np.random.default_rng(7)
    actions = ["signing", "visit", "vote", "earthquake"]

    def marks(n: int) -> tuple[EventMark, ...]:
        out = []
        for _ in range(n):
            first = 739_000 + int(rng.integers(0, 60))
            out.append(EventMark(str(rng.choice(actions)), first, first + int(rng.integers(0, 20))))
        return tuple(out)

    members = [marks(int(rng.integers(0, 4))) for _ in range(30)]
    article = marks(3)
    gaps = member_event_gaps(article, stack_marks(members), len(members))
    expected = [event_gap(article, m) for m in members]
    assert [None if np.isinf(g) else g for g in gaps] == expected
    assert any(e is None for e in expected) and any(e is not None for e in expected)


def test_events_pair_score_uses_the_nearer_of_publication_and_event_gap() -> None:
    w = default_weights()
    base = PairFeatures(cos_head=0.6, cos_body=0.6, keyword_overlap=0.4, gap_days=20.0,
                        cos_head_x=0.6, cos_body_x=0.6)
    same_event = replace(base, event_gap_days=0.0)
    other_event = replace(base, event_gap_days=30.0)
    assert same_event.time_gap == 0.0 and other_event.time_gap == 20.0
    assert logit(same_event, w) > logit(base, w)
    assert logit(same_event, w) == logit(replace(base, gap_days=0.0), w)
    assert logit(other_event, w) == logit(base, w)
    # Without publication dates there is no date term at all.
    assert replace(same_event, gap_days=None).time_gap is None
    # The library function computes the event gap from the articles' marks.
    v = np.ones(896, dtype=np.float32) / np.sqrt(896)
    f = features(v, v, ["a"], 0.0, v, v, ["a"], 20 * 86400.0,
                 events_a=(_mark("vote", "2025-03-20"),), events_b=(_mark("vote", "2025-03-20"),))
    assert f.gap_days == 20.0 and f.event_gap_days == 0.0


def _article(aid: str, day: float, vector: np.ndarray, events: tuple[EventMark, ...]) -> Article:
    return Article(id=aid, title=aid, text="", published=DAY0 + timedelta(days=day), authors=[],
                   outlet=None, url=None, language="en", source=aid, raw_kind="jsonl",
                   keywords=["tanga", "kisanga", "seoul"], head_vector=vector,
                   body_vector=vector, events=events)


def test_events_story_score_forgives_the_publication_gap_only_for_the_same_event() -> None:
    rng = np.random.default_rng(11)
    topic = rng.standard_normal(896)
    topic /= np.linalg.norm(topic)

    def near() -> np.ndarray:
        v = topic + 0.9 * rng.standard_normal(896) / np.sqrt(896)
        return (v / np.linalg.norm(v)).astype(np.float32)

    rumour = (_mark("signing", "2025-02-16", "2025-02-28"),)
    assigner = Assigner([])
    out, _ = assigner.assign([_article("a", 0, near(), rumour), _article("b", 0, near(), rumour)])
    state = assigner.states[out[0].story_id]
    late = near()
    ts = (DAY0 + timedelta(days=20)).timestamp()

    def score(events: tuple[EventMark, ...], at: float = ts) -> float:
        return assigner.story_score(state, late, late, frozenset(["tanga", "kisanga"]), at,
                                    events)

    undated = score(())
    same = score((_mark("signing", "2025-02-01", "2025-02-28"),))
    other = score((_mark("signing", "2025-06-10"),))
    assert same > undated
    assert other == undated
    # The same event forgives exactly the publication gap: as if published with the story.
    assert abs(same - score((), DAY0.timestamp())) < 1e-9
    # Members carry their marks for later articles.
    assert [m.events for m in state.members] == [rumour, rumour]


def test_events_one_off_match_is_the_same_incident_on_the_same_day_recently() -> None:
    day = date(2025, 2, 21).toordinal()
    fire = _mark("fire", "2025-02-20")
    assert one_off_match([fire], [_mark("fire", "2025-02-20")], day)
    assert one_off_match([_mark("fire", "2025-02-19", "2025-02-20")], [fire], day)
    # Another day, another action, a vague "earlier this month", an old fire, a visit: none.
    assert not one_off_match([fire], [_mark("fire", "2025-02-17")], day)
    assert not one_off_match([fire], [_mark("crash", "2025-02-20")], day)
    assert not one_off_match([_mark("fire", "2025-02-01", "2025-02-21")], [fire], day)
    assert not one_off_match([fire], [fire], day + 30)
    assert not one_off_match([_mark("visit", "2025-02-20")], [_mark("visit", "2025-02-20")], day)


def test_events_member_one_off_matches_agree_with_the_pairwise_match() -> None:
    rng = np.random.default_rng(11)
    actions = ["fire", "crash", "visit"]
    day = 739_030

    def marks(n: int) -> tuple[EventMark, ...]:
        out = []
        for _ in range(n):
            first = day - int(rng.integers(0, 12))
            out.append(EventMark(str(rng.choice(actions)), first, first + int(rng.integers(0, 3))))
        return tuple(out)

    members = [marks(int(rng.integers(0, 4))) for _ in range(40)]
    article = marks(3)
    got = member_one_off_matches(article, stack_marks(members), len(members), day)
    expected = [one_off_match(article, m, day) for m in members]
    assert got.tolist() == [float(e) for e in expected]
    assert any(expected) and not all(expected)


def test_events_a_same_day_match_lifts_the_pair_score_by_its_weight() -> None:
    vec = np.ones(896) / np.sqrt(896)
    ts = DAY0.timestamp()
    marks = (_mark("fire", DAY0.date().isoformat()),)
    kw = frozenset({"fire"})
    with_match = features(vec, vec, kw, ts, vec, vec, kw, ts + 86400,
                          events_a=marks, events_b=marks)
    assert with_match.one_off_match
    without = replace(with_match, one_off_match=False)
    weights = default_weights()
    assert weights.one_off_match > 0
    assert logit(with_match, weights) - logit(without, weights) == pytest.approx(
        weights.one_off_match)


def test_events_one_off_events_of_different_kinds_days_apart_conflict() -> None:
    shot = (_mark("shooting", "2025-11-05"),)
    crash_later = (_mark("crash", "2025-11-08"),)
    crash_same_night = (_mark("crash", "2025-11-05"),)
    # A driver shot on I-240 on the 5th and a motorcyclist killed there on the 8th: two events.
    assert one_off_conflict(shot, crash_later) and one_off_conflict(crash_later, shot)
    # A shooting and the crash it caused the same night: no evidence either way.
    assert not one_off_conflict(shot, crash_same_night)
    # One of the article's one-off events near the other's is enough to leave them be.
    assert not one_off_conflict(shot + crash_later, (_mark("crash", "2025-11-09"),))
    # Events that recur (a hearing) are no conflict with a one-off event.
    assert not one_off_conflict(shot, (_mark("hearing", "2025-11-12"),))


def test_events_member_one_off_conflicts_agree_with_the_pairwise_conflict() -> None:
    article = (_mark("shooting", "2025-11-05"), _mark("closure", "2025-11-05"))
    members = [
        (_mark("crash", "2025-11-08"),),
        (_mark("crash", "2025-11-06"),),
        (_mark("shooting", "2025-10-01"), _mark("crash", "2025-11-05")),
        (_mark("hearing", "2025-11-20"),),
        (),
    ]
    found = member_one_off_conflicts(article, stack_marks(members), len(members))
    assert found.tolist() == [float(one_off_conflict(article, m)) for m in members]
    assert found.tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]


def test_events_a_headline_dates_its_one_off_event_to_a_past_year() -> None:
    published = date(2025, 10, 22)
    (mark,) = title_marks("Memphis man gets 40 years in 2023 Binghampton killing", published)
    assert (mark.action, mark.first_day, mark.last_day) == (
        "killing", date(2023, 1, 1).toordinal(), date(2023, 12, 31).toordinal())
    assert title_marks("Jury selection begins in 2022 Nob Hill bar shooting trial",
                       published)[0].action == "shooting"
    # The year of publication, a year far from the event word, or no event word: nothing.
    assert not title_marks("Second 2025 fire on Carnes Avenue", published)
    assert not title_marks("In 2023, the city promised a new fire station and more crews",
                           published)
    assert not title_marks("Budget for 2024 passes", published)
    # The sentencing of a 2023 killing is not last week's shooting; a trial of it is no
    # conflict with another report of the same old killing.
    old = title_marks("Man gets 40 years in 2023 Binghampton killing", published)
    assert one_off_conflict(old, (_mark("shooting", "2025-11-08"),))
    assert not one_off_conflict(old, title_marks("Trial ends in 2023 killing", published))
    marks = event_marks([], published, title="Man gets 40 years in 2023 Binghampton killing")
    assert marks == old
    # A past month or "last year", with a verb form as the event word.
    (robbed,) = title_marks("Man jailed for store he robbed last year, judge hears", published)
    assert (robbed.action, robbed.first_day, robbed.last_day) == (
        "robbery", date(2024, 1, 1).toordinal(), date(2024, 12, 31).toordinal())
    (stabbing,) = title_marks("Teen sentenced for Jenks stabbing in March 2024", published)
    assert (stabbing.first_day, stabbing.last_day) == (date(2024, 3, 1).toordinal(),
                                                       date(2024, 3, 31).toordinal())
    # A recent date, or no one-off event word: nothing.
    assert not title_marks("Store robbed at gunpoint last week", published)
    assert not title_marks("Budget passes after last year's shortfall", published)
