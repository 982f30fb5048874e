"""The demo corpus: ingested with the seeds, its gold stories are recovered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.evaluation.metrics import cluster_scores
from storyline.pipeline import Pipeline

pytestmark = pytest.mark.slow


def test_demo_gold_stories_recovered_with_seeds(
    store, encoder, demo_dir: Path, seeds_dir: Path
) -> None:
    corpus = demo_dir / "corpus"
    gold_manifest = json.loads((demo_dir / "gold.json").read_text(encoding="utf-8"))
    report = Pipeline(store, encoder=encoder).ingest_paths([corpus, seeds_dir])
    assert report.rejected == 0, report.rejections
    assert report.added == len(gold_manifest["articles"]) + 2
    gold = {str(corpus / a["source"]): a["story"] for a in gold_manifest["articles"]}
    gold.update({str(p): "seeds" for p in seeds_dir.iterdir()})
    predicted = {a.source: a.story_id for a in store.iter_articles()}
    scores = cluster_scores(predicted, gold)
    print(
        f"\ndemo+seeds BCubed P={scores.precision:.3f} R={scores.recall:.3f} F1={scores.f1:.3f}"
        f" ARI={scores.ari:.3f} stories={scores.predicted_clusters}/{scores.gold_clusters}"
    )
    assert scores.items == len(gold)
    seed_stories = {predicted[str(p)] for p in seeds_dir.iterdir()}
    assert len(seed_stories) == 1
    others = {predicted[s] for s, g in gold.items() if g != "seeds"}
    assert not seed_stories & others, "the seeds' story absorbed demo articles"
    assert scores.f1 >= 0.95
