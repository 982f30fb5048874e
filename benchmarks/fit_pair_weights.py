"""Fit the pair-score weights shipped in ``src/storyline/data/score_weights.json``.

Two steps, each on training data only:

1. The text weights (bias, head, body, head_x, body_x, keywords, keyword_miss): a logistic
   regression on soft targets over all SemEval-2022 Task 8 training pairs in
   ``../shared/data/semeval2022/train.jsonl.gz`` (``storyline.evaluation.pairs.fit_weights``).
   Its honest figure is the grouped 5-fold CV one that ``storyline eval pairs`` prints.
2. The join threshold: the best BCubed F1 on the *training half* of the UCI headline stream
   (stories hashed into halves, ``storyline.evaluation.stream.split_of``); the test half is
   never looked at.

The date weights are not fitted (neither data set has usable dates) and are kept as they are.

Run:  python benchmarks/fit_pair_weights.py [--write]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from storyline.evaluation.pairs import fit_weights, load_pairs, pair_feature_matrix
from storyline.evaluation.runs import SHARED_DATA, _encoder
from storyline.evaluation.stream import _prepare, load_uci, split_of, tune_threshold
from storyline.stories.scoring import default_weights

WEIGHTS = Path(__file__).resolve().parents[1] / "src" / "storyline" / "data" / "score_weights.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write score_weights.json")
    args = parser.parse_args()
    encoder = _encoder()
    try:
        items = load_pairs(SHARED_DATA / "semeval2022" / "train.jsonl.gz")
        x = pair_feature_matrix(items, encoder)
        weights = fit_weights(items, x, base=default_weights())
        print("text weights fitted on", len(items), "SemEval pairs:", weights.to_dict())
        rows = [r for r in load_uci(SHARED_DATA / "uci-news-aggregator" / "news.csv.gz")
                if split_of(r["STORY"]) == "train"]
        articles, gold = _prepare(rows, encoder, shuffled=True)
        threshold, f1, curve = tune_threshold(articles, gold, weights)
        print(f"threshold {threshold} (UCI train half BCubed F1 {f1:.3f}); curve:",
              {k: round(v, 3) for k, v in curve.items()})
        weights = replace(weights, threshold=threshold)
    finally:
        encoder.save()
    if args.write:
        data = {
            "_comment": "Fitted by benchmarks/fit_pair_weights.py: text weights on the SemEval-2022"
                        " Task 8 training pairs (logistic regression, soft targets), threshold on"
                        " the UCI training half. Date weights (gap_*) are hand-set on the demo"
                        " corpus, kept from the previous file: no training data has dates."
                        " See benchmarks/QUALITY.md.",
            "_encoder": encoder.name,
            **{k: round(v, 6) for k, v in weights.to_dict().items()},
        }
        WEIGHTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print("wrote", WEIGHTS)


if __name__ == "__main__":
    main()
