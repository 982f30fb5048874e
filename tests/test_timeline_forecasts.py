"""Forecasts linked to the reports that confirm or contradict them (issue 12), tolls on the
timeline, and each timeline row showing only what its own report named. The articles of the
end-to-end tests are written for them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from storyline import serialize
from storyline.enrich.developments import enrich_articles
from storyline.models import (
    Article,
    ArticleEnrichment,
    ArticleSummary,
    Attribution,
    Development,
    StoryDetail,
    StorySummary,
    TimeSpan,
)
from storyline.report import render_text
from storyline.timeline import (
    Event,
    TimelineEntry,
    development_label,
    link_events,
    story_view,
)
from storyline.web.pages import story_sections


def _span(start: str, end: str | None = None, text: str = "") -> TimeSpan:
    return TimeSpan(text or start, 0, 1, start, end or start, "day")


def _dev(
    modality: str,
    when: TimeSpan | None,
    *,
    action: str = "cut",
    who: tuple[str, ...] = ("Northland Reserve Bank",),
    places: tuple[str, ...] = (),
    sentence: str = "",
    count: int | None = None,
) -> Development:
    return Development(
        action=action, trigger=action, sentence=sentence, start_char=0, end_char=1,
        participants=who, places=places, when=when, modality=modality,
        attribution=Attribution("outlet", "Wire"), main=count is None, count=count,
    )  # fmt: skip


def _report(day: str, *devs: Development) -> tuple[ArticleSummary, list[Development]]:
    published = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return ArticleSummary(f"a{day}", f"t{day}", f"Outlet {day}", published, None), list(devs)


def test_timeline_forecast_confirmed_on_the_forecast_day_names_the_forecast() -> None:
    """"Expected to cut on March 12", then the cut on March 12: confirmed, and linked to the
    report that forecast it (the same interval used to give no verdict at all)."""
    events, timeline = link_events([
        _report("2024-03-01", _dev("expected", _span("2024-03-12"))),
        _report("2024-03-05", _dev("expected", _span("2024-03-12"))),
        _report("2024-03-12", _dev("happened", _span("2024-03-12"))),
    ])  # fmt: skip
    assert len(events) == 1 and events[0].forecast == "confirmed"
    assert [t.verdict for t in timeline] == [None, None, "confirmed"]  # a repeat tests nothing
    judged = timeline[2].forecast_of
    assert judged is not None and judged.article_id == "a2024-03-05"
    assert judged.modality == "expected" and judged.when == _span("2024-03-12")


def test_timeline_forecast_contradicted_by_cancellation_postponement_or_another_day() -> None:
    for later, verdict in [
        (_dev("cancelled", None), "contradicted"),
        (_dev("postponed", _span("2024-04-30")), "contradicted"),
        (_dev("denied", None), "contradicted"),
        (_dev("happened", _span("2024-03-19")), "contradicted"),
        (_dev("happened", _span("2024-03-01", "2024-03-31")), "confirmed"),  # holds the day
    ]:
        events, timeline = link_events([
            _report("2024-03-01", _dev("expected", _span("2024-03-12"))),
            _report("2024-03-20", later),
        ])  # fmt: skip
        assert len(events) == 1, later
        assert timeline[1].verdict == verdict, later
        assert timeline[1].forecast_of is not None


def test_timeline_postponed_forecast_is_tested_at_its_new_date() -> None:
    _, timeline = link_events([
        _report("2024-03-01", _dev("expected", _span("2024-03-12"))),
        _report("2024-03-10", _dev("postponed", _span("2024-03-26"))),
        _report("2024-03-26", _dev("happened", _span("2024-03-26"))),
    ])  # fmt: skip
    assert [t.verdict for t in timeline] == [None, "contradicted", "confirmed"]
    assert timeline[2].forecast_of is not None
    assert timeline[2].forecast_of.article_id == "a2024-03-10"


def test_timeline_strike_from_wednesday_is_not_contradicted_on_thursday() -> None:
    """A strike "from Wednesday" is still on on Thursday; a one-day strike "on Wednesday"
    reported on Thursday instead is another day."""
    strike = {"action": "strike", "who": ("RMT",)}
    _, timeline = link_events([
        _report("2024-03-10", _dev("announced", _span("2024-03-13", text="Wednesday"),
                                   sentence="Rail workers will strike from Wednesday.", **strike)),
        _report("2024-03-14", _dev("happened", _span("2024-03-14"), **strike)),
    ])  # fmt: skip
    assert timeline[1].verdict == "confirmed"
    _, timeline = link_events([
        _report("2024-03-10", _dev("announced", _span("2024-03-13", text="Wednesday"),
                                   sentence="Rail workers will strike on Wednesday.", **strike)),
        _report("2024-03-14", _dev("happened", _span("2024-03-14"), **strike)),
    ])  # fmt: skip
    assert timeline[1].verdict == "contradicted"


def test_timeline_forecast_dated_before_its_report_tests_nothing() -> None:
    """A forecast cannot be of the past: a resolver's slip ("from Wednesday" read as last
    Wednesday) must not make the strike that follows a contradiction."""
    _, timeline = link_events([
        _report("2024-03-10", _dev("announced", _span("2024-03-06"), action="strike")),
        _report("2024-03-13", _dev("happened", _span("2024-03-13"), action="strike")),
    ])  # fmt: skip
    assert [t.verdict for t in timeline] == [None, None]


def test_timeline_tolls_are_linked_and_updated() -> None:
    fire = _dev("happened", _span("2024-06-14"), action="fire", who=(), places=("Kelso",))
    events, timeline = link_events([
        _report("2024-06-15", fire, _dev("happened", _span("2024-06-14"), action="deaths",
                                         who=(), places=("Kelso",), count=2)),
        _report("2024-06-16", _dev("happened", None, action="deaths", who=(), count=3)),
    ])  # fmt: skip
    deaths = next(e for e in events if e.action == "deaths")
    assert deaths.count == 3 and deaths.label == "deaths: 3 — in Kelso"
    rows = [t for t in timeline if t.development.action == "deaths"]
    assert [(t.novelty, t.event_id) for t in rows] == [("new", deaths.id), ("update", deaths.id)]
    assert development_label("injuries", (), ("Kelso",), 4) == "injuries: 4 — in Kelso"


def test_timeline_web_rows_show_only_their_own_reports_names() -> None:
    """The first report named China; only the later one named Beijing and Harbin."""
    events, timeline = link_events([
        _report("2024-03-19", _dev("expected", _span("2024-05-16", "2024-05-31"), action="visit",
                                   who=("Putin",), places=("China",))),
        _report("2024-05-14", _dev("announced", _span("2024-05-16", "2024-05-17"),
                                   action="visit", who=("Putin",),
                                   places=("China", "Beijing", "Harbin"))),
    ])  # fmt: skip
    assert {"Beijing", "Harbin"} <= set(events[0].places)
    view = {"events": [serialize.event(e) for e in events],
            "timeline": [serialize.timeline_entry(t) for t in timeline]}  # fmt: skip
    rows = story_sections(view)["whats_new"]
    assert rows["a2024-03-19"][0]["label"] == "visit — Putin — in China"
    assert rows["a2024-05-14"][0]["label"] == "visit — Putin — in China, Beijing, Harbin"
    assert rows["a2024-05-14"][0]["verdict"] == "confirmed"
    assert rows["a2024-05-14"][0]["forecast_of"] == (
        "expected for 2024-05-16..2024-05-31, Outlet 2024-03-19, 2024-03-19"
    )


# --------------------------------------------------------------------------- end to end


def _article(key: str, title: str, text: str, published: datetime, outlet: str) -> Article:
    return Article(id=key, title=title, text=text, published=published, authors=[],
                   outlet=outlet, url=None, language="en", source=f"{key}.txt",
                   raw_kind="text")  # fmt: skip


def _linked(articles: list[Article]) -> tuple[list[Event], list[TimelineEntry]]:
    enriched = enrich_articles(articles)
    reports = [
        (ArticleSummary(a.id, a.title, a.outlet, a.published, None), e.developments)
        for a, e in zip(articles, enriched, strict=True)
    ]
    return link_events(reports)


def test_timeline_rate_cut_forecast_confirmed_by_the_cut() -> None:
    events, timeline = _linked([
        _article("f", "Northland Reserve Bank expected to cut rates",
                 "The Northland Reserve Bank is expected to cut interest rates on March 12, "
                 "economists said on Friday. Inflation has slowed for four months.",
                 datetime(2024, 3, 1, 8, tzinfo=UTC), "Harbour Ledger"),
        _article("c", "Northland Reserve Bank cuts rates",
                 "The Northland Reserve Bank cut interest rates by a quarter point on Tuesday, "
                 "its first move since November. Governor Maria Lenz said inflation had eased.",
                 datetime(2024, 3, 12, 14, tzinfo=UTC), "Civic Dispatch"),
    ])  # fmt: skip
    cuts = [t for t in timeline if t.development.action == "cut"]
    assert [t.article_id for t in cuts] == ["f", "c"]
    assert cuts[0].event_id == cuts[1].event_id
    assert cuts[1].verdict == "confirmed"
    assert cuts[1].forecast_of is not None and cuts[1].forecast_of.article_id == "f"
    row = serialize.timeline_entry(cuts[1])
    assert row["forecast_of"]["article_id"] == "f" and row["forecast_of"]["modality"] == "expected"
    json.dumps(row)


def test_timeline_strike_announced_on_sunday_from_wednesday() -> None:
    _, timeline = _linked([
        _article("s1", "Rail workers to strike from Wednesday",
                 "Rail workers at Northern Lines will go on strike from Wednesday over pay, "
                 "their union said on Sunday. The walkout will halt trains across the region.",
                 datetime(2024, 3, 10, 18, tzinfo=UTC), "Bayline"),
        _article("s2", "Rail strike enters second day",
                 "Rail workers at Northern Lines were on strike on Thursday for a second day, "
                 "their union said, and no trains ran across the region.",
                 datetime(2024, 3, 14, 12, tzinfo=UTC), "Northwind"),
    ])  # fmt: skip
    strikes = [t for t in timeline if t.development.action == "strike"]
    assert len(strikes) == 2 and strikes[0].event_id == strikes[1].event_id
    first = strikes[0].development.when
    assert first is not None and first.start == "2024-03-13"  # the coming Wednesday
    assert strikes[1].verdict != "contradicted"


def test_timeline_text_shows_the_forecast_a_report_confirms() -> None:
    published = [datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 12, tzinfo=UTC)]
    summaries = tuple(ArticleSummary(f"a{i}", f"t{i}", "Wire", p, None)
                      for i, p in enumerate(published))  # fmt: skip
    enrichment = {
        "a0": ArticleEnrichment("a0", developments=[_dev("expected", _span("2024-03-12"))]),
        "a1": ArticleEnrichment("a1", developments=[_dev("happened", _span("2024-03-12"))]),
    }
    summary = StorySummary("s1", "t0", 2, ("Wire",), published[0], published[1])
    text = render_text(story_view(StoryDetail(summary, summaries), enrichment, []))
    assert "forecast confirmed (expected for 2024-03-12 by Wire on 2024-03-01)" in text
