"""Quality ratchet: cheap versions of the story benchmarks must reach the minimums in
``benchmarks/minimums.json``, and those minimums may only go up.

Raise a minimum when a change lifts the figure (to a little under the new measurement); never
lower one — ``FLOORS`` below remembers the values they had when this ratchet was set up, and a
minimum under its floor fails. The full benchmarks are ``storyline eval pairs|stream``
(benchmarks/QUALITY.md); these runs take about 75 s on 2
cores with no embedding cache (less when ``STORYLINE_EVAL_CACHE`` holds the embeddings):

- ``pairs_first150``: the first 150 SemEval-2022 pairs of the file (all languages; the fitted
  weights saw them — this guards against regressions, it is not the honest CV figure);
- ``uci_test_half``: the UCI headlines of the held-out half of the stories, streamed with the
  shipped weights and threshold (nothing was tuned on them).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from storyline.evaluation.runs import SHARED_DATA

pytestmark = pytest.mark.slow

MINIMUMS = Path(__file__).resolve().parents[1] / "benchmarks" / "minimums.json"
#: The minimums when the ratchet was set up (2026-11-22); minimums.json may not go below.
FLOORS = {
    "pairs_first150_neg_pearson_r": 0.66,
    "uci_test_half_bcubed_f1": 0.815,
}
SEMEVAL = SHARED_DATA / "semeval2022" / "train.jsonl.gz"
UCI = SHARED_DATA / "uci-news-aggregator" / "news.csv.gz"


def _minimums() -> dict[str, float]:
    data = json.loads(MINIMUMS.read_text(encoding="utf-8"))
    return {k: float(v) for k, v in data.items() if not k.startswith("_")}


def test_ratchet_minimums_never_go_down() -> None:
    minimums = _minimums()
    for name, floor in FLOORS.items():
        assert name in minimums, f"{name} missing from {MINIMUMS}"
        assert minimums[name] >= floor, f"{name} lowered below its floor {floor}"


def test_ratchet_pairs(encoder) -> None:
    if not SEMEVAL.exists():
        pytest.skip("SemEval data not available")
    from storyline.evaluation.pairs import agreement, load_pairs, pair_feature_matrix
    from storyline.stories.scoring import features_from_vector, score_features

    items = load_pairs(SEMEVAL, limit=150)
    x = pair_feature_matrix(items, encoder)
    scores = np.asarray([score_features(features_from_vector(row)) for row in x])
    got = agreement(scores, np.asarray([it.overall for it in items]),
                    [it.langs for it in items])["all"]["neg_pearson_r"]
    print(f"\npairs_first150 -r = {got:.3f}")
    assert got >= _minimums()["pairs_first150_neg_pearson_r"]


def test_ratchet_uci_stream(encoder) -> None:
    if not UCI.exists():
        pytest.skip("UCI data not available")
    from storyline.evaluation.metrics import cluster_scores
    from storyline.evaluation.stream import _prepare, assign_stream, load_uci, split_of
    from storyline.stories.scoring import default_weights

    rows = [r for r in load_uci(UCI) if split_of(r["STORY"]) == "test"]
    articles, gold = _prepare(rows, encoder, shuffled=True)
    scores = cluster_scores(assign_stream(articles, default_weights()), gold)
    print(f"\nuci_test_half BCubed F1 = {scores.f1:.3f} (P {scores.precision:.3f}, "
          f"R {scores.recall:.3f})")
    assert scores.f1 >= _minimums()["uci_test_half_bcubed_f1"]
