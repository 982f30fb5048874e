"""Demo corpus + seeds: BCubed F1 over join thresholds, with and without event marks.

    python benchmarks/demo_threshold_sweep.py [--thresholds 0.26,0.30,0.34]

Runs the full pipeline (``research.cluster_records``, a temporary store) over ``demo/corpus``
and the seed articles once per threshold and mode. Every weight except the threshold is the
shipped one. "event marks" is the shipped pipeline. "publication dates only" turns enrichment
off, so that articles carry no event marks (``stories/events.py``) and the time term sees
publication dates alone. The seeds are their own gold story, as in ``eval stream``.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from storyline.config import Settings
from storyline.embedding import MiniLMEncoder
from storyline.evaluation.metrics import cluster_scores
from storyline.evaluation.stream import demo_gold
from storyline.ingest.readers import read_paths
from storyline.research import cluster_records
from storyline.stories.scoring import default_weights

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "samples" / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--thresholds", default="0.22,0.26,0.30,0.34,0.38,0.42,0.46")
    args = parser.parse_args()
    paths, gold = demo_gold(REPO / "demo", SEEDS)
    encoder = MiniLMEncoder()
    shipped = default_weights()
    print(f"{'threshold':>9}  {'event marks F1 (P)':>20}  {'publication dates only F1 (P)':>30}")
    for threshold in (float(t) for t in args.thresholds.split(",")):
        weights = replace(shipped, threshold=threshold)
        cells = []
        for enrich in (True, False):
            predicted, _, _ = cluster_records(read_paths(paths), settings=Settings(enrich=enrich),
                                              encoder=encoder, weights=weights)
            s = cluster_scores(predicted, gold)
            cells.append(f"{s.f1:.3f} ({s.precision:.2f})")
        mark = " (shipped)" if threshold == shipped.threshold else ""
        print(f"{threshold:9.2f}  {cells[0]:>20}  {cells[1]:>30}{mark}")


if __name__ == "__main__":
    main()
