"""Story views: event linking, forecast verdicts, novelty, coverage and wording; the seeds
end to end through the pipeline, the store, ``show``/``report``/``entity`` and JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline import serialize
from storyline.config import Settings, load_settings
from storyline.errors import ConfigError, StoreError
from storyline.models import Article, ArticleSummary, Assignment, Attribution, Development, TimeSpan
from storyline.pipeline import Pipeline
from storyline.report import render_markdown, render_text
from storyline.store.base import StoryState
from storyline.timeline import build_story_view, evaluative_phrases, link_events

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "seeds"


def _span(start: str, end: str) -> TimeSpan:
    return TimeSpan(f"{start}..{end}", 0, 1, start, end, "days")


def _dev(
    modality: str,
    when: TimeSpan | None,
    *,
    who: tuple[str, ...] = ("Putin", "Xi"),
    places: tuple[str, ...] = ("China",),
    action: str = "visit",
) -> Development:
    return Development(
        action=action,
        trigger=action,
        sentence="",
        start_char=0,
        end_char=1,
        participants=who,
        places=places,
        when=when,
        modality=modality,
        attribution=Attribution("outlet", "Wire"),
        main=True,
    )


def _report(day: int, *devs: Development, month: int = 3) -> tuple[ArticleSummary, list]:
    published = datetime(2024, month, day, tzinfo=UTC)
    return ArticleSummary(f"a{month}{day}", f"t{day}", f"Outlet{day}", published, None), list(devs)


def test_timeline_long_past_event_is_background_not_news() -> None:
    """A 2024 report recalling the 2022 invasion does not make the invasion this story's news;
    last month's attack, reported now, does."""
    _, timeline = link_events([
        _report(14, _dev("happened", _span("2022-02-01", "2022-02-28"), action="attack",
                         who=(), places=("Ukraine",)), month=5),
        _report(15, _dev("happened", _span("2024-04-20", "2024-04-20"), action="attack",
                         who=(), places=("Kharkiv",)), month=5),
        _report(16, _dev("expected", _span("2021-01-01", "2021-01-31"), action="vote"), month=5),
    ])
    assert [t.novelty for t in timeline] == ["background", "new", "new"]


def test_timeline_forecast_confirmed_and_novelty() -> None:
    events, timeline = link_events(
        [
            _report(19, _dev("expected", _span("2024-05-16", "2024-05-31"))),
            _report(20, _dev("expected", _span("2024-05-16", "2024-05-31"))),
            _report(
                14,
                _dev("announced", _span("2024-05-16", "2024-05-17"), places=("Beijing", "Harbin")),
                month=5,
            ),
        ]
    )
    assert len(events) == 1 and events[0].forecast == "confirmed"
    assert events[0].state == "announced" and events[0].when is not None
    assert events[0].when.end == "2024-05-17"
    assert [t.novelty for t in timeline] == ["new", "repeated", "update"]
    assert [t.verdict for t in timeline] == [None, None, "confirmed"]


def test_timeline_forecast_contradicted_and_separate_past_events() -> None:
    events, timeline = link_events(
        [
            _report(19, _dev("expected", _span("2024-05-16", "2024-05-31"))),
            _report(10, _dev("announced", _span("2024-06-10", "2024-06-11")), month=6),
        ]
    )
    assert len(events) == 1 and events[0].forecast == "contradicted"
    events, _ = link_events(
        [
            _report(
                4,
                _dev(
                    "happened",
                    _span("2024-02-04", "2024-02-04"),
                    who=(),
                    places=("Atacama",),
                    action="earthquake",
                ),
            ),
            _report(
                24,
                _dev(
                    "happened",
                    _span("2024-02-24", "2024-02-24"),
                    who=(),
                    places=("Atacama",),
                    action="earthquake",
                ),
            ),
        ]
    )
    assert len(events) == 2  # the same region, three weeks apart: two quakes
    events, _ = link_events(
        [
            _report(19, _dev("expected", None)),
            _report(20, _dev("expected", None, who=("Scholz",), places=("Berlin",))),
        ]
    )
    assert len(events) == 2  # nobody and nowhere in common


def test_timeline_evaluative_wording_outside_quotes() -> None:
    text = (
        "The so-called referendum, broadly regarded as rigged, went ahead. "
        '"It was a brutal campaign," an observer said.'
    )
    terms = [term for term, _ in evaluative_phrases(text)]
    assert terms == ["so-called", "broadly regarded as", "rigged"]


def _seed_store(store, encoder, settings: Settings | None = None) -> str:
    if not SEEDS.is_dir():
        pytest.skip("../shared/samples/seeds is not available")
    report = Pipeline(store, encoder=encoder, settings=settings).ingest_paths([SEEDS])
    assert report.added == 2
    (story,) = store.list_stories()
    return story.id


@pytest.mark.slow
def test_timeline_seeds_story_view(store, encoder) -> None:
    story_id = _seed_store(store, encoder)
    view = build_story_view(store, story_id)
    visits = [t for t in view.timeline if t.development.action == "visit"]
    first, second = visits[0], visits[1]
    assert (first.published, first.development.modality) == ("2024-03-19", "expected")
    assert first.development.attribution.label == (
        "Reuters, citing five sources familiar with the matter"
    )
    assert first.development.when is not None and first.development.when.label == (
        "2024-05-16..2024-05-31"
    )
    assert (second.published, second.development.modality) == ("2024-05-14", "announced")
    assert second.development.attribution.name == "Kremlin"
    assert second.development.when is not None and second.development.when.label == (
        "2024-05-16..2024-05-17"
    )
    assert first.event_id == second.event_id and second.verdict == "confirmed"
    assert (first.novelty, second.novelty) == ("new", "update")
    event = next(e for e in view.events if e.id == first.event_id)
    assert event.forecast == "confirmed" and {"Beijing", "Harbin"} <= set(event.places)
    entities = {e.name: e for e in store.story_entities(story_id, limit=50)}
    for name in (
        "Vladimir Putin",
        "Xi Jinping",
        "Dmitry Peskov",
        "Kremlin",
        "Reuters",
        "Beijing",
        "Harbin",
        "Russia",
        "China",
    ):
        assert name in entities, name
    assert "Putin" in entities["Vladimir Putin"].aliases and "Xi" in entities["Xi Jinping"].aliases
    wording = {
        t
        for note in view.coverage.wording
        for t in note.terms
        if note.outlet == "The Kyiv Independent"
    }
    assert {"rigged", "unfair"} <= wording
    text = render_text(view)
    assert "forecast confirmed" in text and "Reuters, citing five sources" in text
    assert "| 2024-05-14 | The Moscow Times | update | visit" in render_markdown(view)
    data = serialize.story_view(view)
    assert {"id", "title", "articles", "timeline", "entities", "coverage", "events"} <= set(data)
    assert set(data["articles"][0]) >= {"id", "title", "outlet", "published", "url"}
    json.dumps(data)


@pytest.mark.slow
def test_timeline_cli_show_report_entity(tmp_path: Path, encoder, new_store_db) -> None:
    from storyline.cli import main
    from storyline.embedding import DEFAULT_MODEL
    from storyline.store import open_store

    db = new_store_db(tmp_path / "cli.db")
    with open_store(db, model_name=DEFAULT_MODEL) as store:
        story_id = _seed_store(store, encoder)
    runner = CliRunner()
    shown = runner.invoke(main, ["--db", str(db), "show", story_id, "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert [a["published"][:10] for a in data["articles"]] == ["2024-03-19", "2024-05-14"]
    assert data["events"] and data["timeline"] and data["entities"] and data["coverage"]
    text = runner.invoke(main, ["--db", str(db), "show", story_id])
    assert "Timeline" in text.output and "[ev1] visit" in text.output
    out = tmp_path / "r.md"
    made = runner.invoke(main, ["--db", str(db), "report", story_id, "-o", str(out)])
    assert made.exit_code == 0 and out.read_text(encoding="utf-8").startswith("# ")
    found = runner.invoke(main, ["--db", str(db), "entity", "the kremlin", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["stories"][0]["id"] == story_id
    missing = runner.invoke(main, ["--db", str(db), "entity", "Nobody Here"])
    assert missing.exit_code == 2


@pytest.mark.slow
def test_timeline_enrichment_can_be_switched_off(store, encoder) -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/samples/seeds is not available")
    report = Pipeline(store, encoder=encoder, settings=Settings(enrich=False)).ingest_paths([SEEDS])
    assert report.added == 2
    # Without enrichment there are no event dates or typed names to join the seeds 56 days
    # apart, so they may form one story or two; either way nothing is enriched.
    views = [build_story_view(store, s.id) for s in store.list_stories()]
    assert all(v.timeline == [] for v in views)
    assert sum(len(v.unenriched) for v in views) == 2
    assert store.list_entities() == []


def test_timeline_enrich_setting_parses_booleans(monkeypatch) -> None:
    monkeypatch.setenv("STORYLINE_ENRICH", "false")
    assert load_settings().enrich is False
    monkeypatch.setenv("STORYLINE_ENRICH", "maybe")
    with pytest.raises(ConfigError):
        load_settings()


def test_timeline_failed_batch_leaves_no_enrichment(store) -> None:
    from storyline.models import ArticleEnrichment, ArticleEntity

    article = Article(
        id="a1",
        title="t",
        text="x",
        published=datetime(2024, 1, 1, tzinfo=UTC),
        authors=[],
        outlet="W",
        url=None,
        language="en",
        source="a.txt",
        raw_kind="text",
    )
    state = StoryState("s1", "t", 0.0, 1.0, 1)
    enrichment = ArticleEnrichment("a1", entities=[ArticleEntity("e1", "Kremlin", "org", 1)])
    store.write_batch([article], [Assignment("a1", "s1", 1.0, True)], [state], [enrichment])
    assert store.find_entities("Kremlin")[0].articles == 1
    with pytest.raises(StoreError):  # a1 again: the primary key clash aborts everything
        store.write_batch(
            [article],
            [],
            [],
            [ArticleEnrichment("a1", entities=[ArticleEntity("e2", "Reuters", "org", 1)])],
        )
    assert [e.name for e in store.list_entities()] == ["Kremlin"]
    assert store.find_entities("Kremlin")[0].mentions == 1
