"""Developments: actions, modality, dates, attribution on the seeds and on short texts, and
the demo-gold floors (a quality ratchet: raise them when the rules improve, never lower)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.enrich.developments import article_dates, enrich_articles
from storyline.extract.build import extract_records
from storyline.ingest.readers import read_paths
from storyline.models import Article, Development

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "samples" / "seeds"
DEMO = REPO / "demo"

#: Minimums on the demo gold (benchmarks/developments_eval.py; measured 2025-11 at
#: P 0.82 R 0.78 F1 0.80, modality 0.87, attribution kind 0.72, linking F1 0.92).
FLOORS = {
    "detection_precision": 0.75,
    "detection_recall": 0.72,
    "modality_accuracy": 0.80,
    "modality_coarse_accuracy": 0.85,
    "attribution_accuracy": 0.65,
    "linking_f1": 0.85,
}


def _developments(text: str, *, published: datetime | None = None) -> list[Development]:
    article = Article(
        id="x",
        title="",
        text=text,
        published=published or datetime(2024, 3, 19, tzinfo=UTC),
        authors=[],
        outlet="Wire",
        url=None,
        language="en",
        source="x.txt",
        raw_kind="text",
    )
    return enrich_articles([article])[0].developments


def _main(devs: list[Development], action: str) -> Development:
    return next(d for d in devs if d.main and d.action == action)


def _seeds() -> list[Article]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/samples/seeds is not available")
    articles = [
        a for r in read_paths([SEEDS]) for a in extract_records([r]) if isinstance(a, Article)
    ]
    return sorted(articles, key=lambda a: a.published)


def test_developments_seed_forecast_then_announcement() -> None:
    first, second = enrich_articles(_seeds())
    expected = _main(first.developments, "visit")
    assert expected.modality == "expected"
    assert (expected.attribution.kind, expected.attribution.name) == ("agency", "Reuters")
    assert expected.attribution.citing == "five sources familiar with the matter"
    assert expected.when is not None
    assert (expected.when.start, expected.when.end) == ("2024-05-16", "2024-05-31")
    assert {"Vladimir Putin", "Xi Jinping"} <= set(expected.participants)
    assert "China" in expected.places and "Reuters" not in expected.participants
    announced = _main(second.developments, "visit")
    assert announced.modality == "announced"
    assert (announced.attribution.kind, announced.attribution.name) == ("institution", "Kremlin")
    assert announced.when is not None
    assert (announced.when.start, announced.when.end) == ("2024-05-16", "2024-05-17")
    assert {"Beijing", "Harbin"} <= set(announced.places)
    # The earlier trip is a separate, past development, not merged into the forecast.
    past = [d for d in first.developments if d.action == "visit" and d.modality == "happened"]
    assert past and past[0].when is not None and past[0].when.start == "2023-10-01"
    # Dates are attached per article (body only, resolved against publication).
    assert [d.text for d in first.dates] == [
        "May",
        "March 19",
        "the second half of May",
        "last October",
    ]


@pytest.mark.parametrize(
    ("text", "action", "modality"),
    [
        (
            "The summit between the two presidents, planned for next week, was cancelled on "
            "Monday, officials said.",
            "meeting",
            "cancelled",
        ),
        (
            "The government postponed the referendum until next year, the election commission "
            "said.",
            "vote",
            "postponed",
        ),
        (
            "The ministry denied reports that the minister would visit Seoul next month.",
            "visit",
            "denied",
        ),
        (
            "Workers at the port went on strike on Monday over pay, the union said.",
            "strike",
            "happened",
        ),
        ("Shareholders will vote on the deal on March 20.", "vote", "planned"),
        ("Westport Rovers are reportedly lining up a bid for the striker.", "transfer", "rumoured"),
        (
            "The minister is expected to sign the agreement in Seoul next month, two officials "
            "said.",
            "signing",
            "expected",
        ),
        (
            "A magnitude 6.1 earthquake struck northern Chile on Tuesday, killing two people, "
            "authorities said.",
            "earthquake",
            "happened",
        ),
        ("The jury found him guilty of fraud on Thursday.", "verdict", "happened"),
        (
            "Halvard Home is recalling about 334,000 heaters sold in the United States, the "
            "company said on Wednesday.",
            "recall",
            "announced",
        ),
    ],
)
def test_developments_action_and_modality(text: str, action: str, modality: str) -> None:
    dev = _main(_developments(text), action)
    assert dev.modality == modality


def test_developments_dates_skip_the_report_date_and_lexicon_traps() -> None:
    dev = _main(
        _developments(
            "The Kremlin announced on Tuesday that Putin will visit Beijing on Thursday.",
            published=datetime(2024, 5, 14, tzinfo=UTC),
        ),
        "visit",
    )
    assert dev.when is not None and dev.when.start == "2024-05-16"
    # Words that look like events but are not: a heart attack, evacuation routes.
    assert _developments("She died of a heart attack. Residents checked evacuation routes.") == []


def test_developments_an_older_incident_named_anew_does_not_date_the_undated_one() -> None:
    text = ("A fire broke out in the kitchen of a Glen Innes duplex just after 4am. The family"
            " of six got out before crews arrived. Neighbours brought food and clothes. The "
            "escape is in stark contrast to a fire in Henderson on September 15, when a "
            "retired boilermaker died.")
    fires = [d for d in _developments(text, published=datetime(2025, 9, 25, tzinfo=UTC))
             if d.action == "fire"]
    # Two fires: the family's, undated, and the recalled one with its own date.
    assert sorted(d.when.start if d.when else "" for d in fires) == ["", "2025-09-15"]
    # A recent date still dates the undated mention: one fire, told twice.
    recent = [d for d in _developments(
        "A fire broke out in the kitchen just after 4am. The family of six got out before crews"
        " arrived. Neighbours brought food and clothes. A fire on Tuesday destroyed the duplex.",
        published=datetime(2025, 9, 25, tzinfo=UTC)) if d.action == "fire"]
    assert [d.when.start if d.when else "" for d in recent] == ["2025-09-23"]


def _load_eval():
    spec = importlib.util.spec_from_file_location(
        "developments_eval", REPO / "benchmarks" / "developments_eval.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_developments_demo_gold_floors() -> None:
    if not (DEMO / "gold.json").is_file():
        pytest.skip("demo/gold.json is not available")
    scores, _ = _load_eval().evaluate(DEMO / "corpus", DEMO / "gold.json")
    figures = scores.figures()
    low = {k: (figures[k], v) for k, v in FLOORS.items() if figures[k] < v}
    assert not low, f"below the floor (got, floor): {low}"


def test_developments_article_dates_read_the_articles_language() -> None:
    article = Article(
        id="x",
        title="Putin reist nach Peking",
        text="Putin reist am 16. Mai 2024 nach Peking, wie der Kreml gestern mitteilte.",
        published=datetime(2024, 5, 14, 9, 0, tzinfo=UTC),
        authors=[],
        outlet="Wire",
        url=None,
        language="de",
        source="x.txt",
        raw_kind="text",
    )
    assert [(s.text, s.start) for s in article_dates(article)] == [
        ("16. Mai 2024", "2024-05-16"),
        ("gestern", "2024-05-13"),
    ]
