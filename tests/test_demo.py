"""The demo corpus: ingested with the seeds, its gold stories are recovered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyline.evaluation.metrics import ClusterScores, cluster_scores
from storyline.pipeline import Pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, make_store_db) -> Iterator[Any]:
    """One store for the module: the demo is ingested once and every test reads the result."""
    from storyline.embedding import DEFAULT_MODEL
    from storyline.store import open_store

    s = open_store(make_store_db(tmp_path_factory.mktemp("demo") / "demo.db"),
                   model_name=DEFAULT_MODEL)
    yield s
    s.close()


@pytest.fixture(scope="module")
def demo_run(store, encoder, demo_dir: Path, seeds_dir: Path):
    """Ingest demo/corpus and the seeds; return (predicted, gold, scores)."""
    corpus = demo_dir / "corpus"
    manifest = json.loads((demo_dir / "gold.json").read_text(encoding="utf-8"))
    report = Pipeline(store, encoder=encoder).ingest_paths([corpus, seeds_dir])
    assert report.rejected == 0, report.rejections
    assert report.added == len(manifest["articles"]) + 2
    gold = {str(corpus / a["source"]): a["story"] for a in manifest["articles"]}
    gold.update({str(p): "seeds" for p in seeds_dir.iterdir()})
    predicted = {a.source: a.story_id for a in store.iter_articles()}
    scores = cluster_scores(predicted, gold)
    print(
        f"\ndemo+seeds BCubed P={scores.precision:.3f} R={scores.recall:.3f} F1={scores.f1:.3f}"
        f" ARI={scores.ari:.3f} stories={scores.predicted_clusters}/{scores.gold_clusters}"
    )
    return predicted, gold, scores


def test_demo_seeds_are_their_own_story_and_lookalikes_stay_apart(demo_run, store) -> None:
    predicted, gold, scores = demo_run
    assert scores.items == len(gold)
    seed_stories = {predicted[s] for s, g in gold.items() if g == "seeds"}
    assert len(seed_stories) == 1
    others = {predicted[s] for s, g in gold.items() if g != "seeds"}
    assert not seed_stories & others, "the seeds' story absorbed demo articles"
    # The two Atacama earthquakes share places and people but are different events.
    quake_a = {predicted[s] for s, g in gold.items() if g == "atacama-quake-feb4"}
    quake_b = {predicted[s] for s, g in gold.items() if g == "atacama-quake-feb24"}
    assert not quake_a & quake_b
    assert scores.precision >= 0.95 and scores.f1 >= 0.94
    # Articles are stored with the dated events they are about (stories/events.py); the rail
    # feature's is the signing its sources expect next month, which joins it to the rail story.
    stored = list(store.iter_articles())
    assert sum(1 for a in stored if a.events) >= 0.7 * len(stored)
    feature = next(a for a in stored if a.source.endswith("tanga-waits-on-railway.html"))
    assert any(m.action == "signing" for m in feature.events)


def test_demo_bcubed_f1_reaches_095(demo_run) -> None:
    scores: ClusterScores = demo_run[2]
    assert scores.f1 >= 0.95


def _stories_of(predicted: dict[str, str], gold: dict[str, str], story: str) -> set[str]:
    return {predicted[s] for s, g in gold.items() if g == story}


def test_demo_lookalike_fires_are_two_stories(demo_run) -> None:
    """Two factory fires a week apart, in Dayton and in Fresno, told in the same words (fire,
    blaze, firefighters, evacuation, investigation): each is one story, and no story holds both."""
    predicted, gold, _ = demo_run
    dayton = _stories_of(predicted, gold, "dayton-plastics-fire")
    fresno = _stories_of(predicted, gold, "fresno-packaging-fire")
    shared = dayton & fresno
    assert not shared, f"one story holds both the Dayton and the Fresno fire: {sorted(shared)}"
    assert len(dayton) == 1, f"the Dayton fire is split over {len(dayton)} stories"
    assert len(fresno) == 1, f"the Fresno fire is split over {len(fresno)} stories"


def test_demo_copies_join_their_originals_story(demo_run, demo_dir: Path) -> None:
    """A syndicated copy, an edited copy and a re-post under another URL (gold ``copy_of``)
    are stored as articles of their own, in their original's story."""
    predicted, _, _ = demo_run
    corpus = demo_dir / "corpus"
    manifest = json.loads((demo_dir / "gold.json").read_text(encoding="utf-8"))
    copies = [a for a in manifest["articles"] if a.get("copy_of")]
    assert len(copies) == 3
    for copy in copies:
        story = predicted[str(corpus / copy["source"])]
        assert story == predicted[str(corpus / copy["copy_of"])], copy["source"]
