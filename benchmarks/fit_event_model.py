"""Fit the same-event model shipped in ``src/storyline/data/score_weights.json``.

On event-labelled training data only (``storyline.evaluation.event_model``):

1. The weights (bias, text signals, event evidence): a logistic regression of "same event"
   over the pairs of ECB+ topics 1–35 (every pair within a topic, 5 % of the pairs across
   topics) and of the UCI headlines' *training half* (pairs within a news category: one
   story → 1, two stories → 0), each data set weighing the same in total, so that the score
   holds on full texts and on headlines alone.
2. The join threshold: the best mean of the BCubed F1 of the ECB+ stream (all training
   topics) and of the UCI training-half stream, near-ties (``TIE``) going to the higher one.
   The UCI test half is never looked at; ECB+'s honest figure is the cross-validated one
   of ``storyline eval stream --dataset ecbplus``, which refits all of this on each fold's
   training topics.

The date weights (``gap_*``, ``one_off_conflict``, ``one_off_match``) are not fitted (neither
data set has usable dates) and are kept as they are.

Run:  python benchmarks/fit_event_model.py [--write]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from storyline.evaluation.event_model import (
    _shuffled,
    ecbplus_articles,
    fit_event_weights,
    labelled_pairs,
    load_ecbplus,
    pair_rows,
)
from storyline.evaluation.metrics import cluster_scores
from storyline.evaluation.runs import SHARED_DATA, _encoder
from storyline.evaluation.stream import assign_stream, load_uci, split_of, uci_articles
from storyline.research import prepare_articles
from storyline.stories.scoring import default_weights

WEIGHTS = Path(__file__).resolve().parents[1] / "src" / "storyline" / "data" / "score_weights.json"
#: UCI pairs sampled per category (positives and negatives drawn alike).
UCI_PAIRS_PER_CATEGORY = 6000
GRID = tuple(round(0.04 * i, 2) for i in range(5, 18))
#: Mean F1 within this of the best counts as a tie (broken towards precision).
TIE = 0.002


def _uci_pairs(rows: list[dict[str, str]], seed: int = 0) -> tuple[list[tuple[int, int]],
                                                                    np.ndarray]:
    rng = np.random.default_rng(seed)
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_cat[r["CATEGORY"]].append(i)
    pairs: list[tuple[int, int]] = []
    target: list[int] = []
    for members in by_cat.values():
        idx = np.asarray(members)
        for _ in range(UCI_PAIRS_PER_CATEGORY):
            i, j = rng.choice(idx, size=2, replace=False)
            pairs.append((int(i), int(j)))
            target.append(int(rows[i]["STORY"] == rows[j]["STORY"]))
    return pairs, np.asarray(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write score_weights.json")
    args = parser.parse_args()
    encoder = _encoder()
    try:
        docs = load_ecbplus(SHARED_DATA / "ecbplus" / "train.jsonl.gz")
        ecb = prepare_articles(ecbplus_articles(docs), encoder)
        pairs, y_ecb = labelled_pairs([d["subtopic"] for d in docs], [d["topic"] for d in docs])
        x_ecb = pair_rows(ecb, pairs)
        rows = [r for r in load_uci(SHARED_DATA / "uci-news-aggregator" / "news.csv.gz")
                if split_of(r["STORY"]) == "train"]
        uci = prepare_articles(uci_articles(rows, shuffled=True), encoder)
        upairs, y_uci = _uci_pairs(rows)
        x_uci = pair_rows(uci, upairs)
    finally:
        encoder.save()
    x = np.vstack([x_ecb, x_uci])
    y = np.r_[y_ecb, y_uci]
    sw = np.r_[np.full(len(y_ecb), 1.0 / len(y_ecb)), np.full(len(y_uci), 1.0 / len(y_uci))]
    weights = fit_event_weights(x, y, base=default_weights(), sample_weight=sw * len(y))
    print(f"fitted on {len(y_ecb)} ECB+ pairs and {len(y_uci)} UCI pairs:", weights.to_dict())
    ecb_gold = {a.source: d["subtopic"] for a, d in zip(ecb, docs, strict=True)}
    uci_gold = {f"uci:{r['ID']}": r["STORY"] for r in rows}
    ecb_order, uci_order = _shuffled(ecb), uci
    curve = {}
    for t in GRID:
        w = replace(weights, threshold=t)
        f_ecb = cluster_scores(assign_stream(ecb_order, w), ecb_gold).f1
        f_uci = cluster_scores(assign_stream(uci_order, w), uci_gold).f1
        curve[t] = (f_ecb, f_uci)
        print(f"threshold {t:.2f}: ECB+ {f_ecb:.3f}  UCI train {f_uci:.3f}", flush=True)
    top = max(sum(f) / 2 for f in curve.values())
    # Near-ties go to the highest threshold: real streams are mostly one-article stories
    # (leaving every article alone scores 0.73 on a held-out local-news stream), so precision
    # is the safer side.
    best = max(t for t, f in curve.items() if sum(f) / 2 >= top - TIE)
    weights = replace(weights, threshold=best)
    print(f"threshold {best} (ECB+ {curve[best][0]:.3f}, UCI train half {curve[best][1]:.3f})")
    if args.write:
        data = {
            "_comment": "Fitted by benchmarks/fit_event_model.py: a logistic regression of"
                        " 'same event' on ECB+ topics 1-35 pairs and UCI training-half pairs"
                        " (text signals and event evidence), threshold on the mean BCubed F1"
                        " of both training streams. Date weights (gap_*) are hand-set on the"
                        " demo corpus: no training data has dates, and so is one_off_conflict"
                        " (stories/events.py ONE_OFF_ACTIONS; -3 since the refit of"
                        " 2026-11-30 evening, when the two Atacama quakes 20 days apart joined"
                        " at -2), and one_off_match (+2 since 2026-12-01: the same one-off"
                        " action reported on the same day, recently; neutral on the local dev"
                        " streams, +0.007 on demo/local4). Pairs are compared without a stream"
                        " background"
                        " (evidence.Background; see event_model.pair_rows). See BENCHMARKS.md.",
            "_encoder": encoder.name,
            **{k: round(v, 6) for k, v in weights.to_dict().items()},
        }
        WEIGHTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print("wrote", WEIGHTS)


if __name__ == "__main__":
    main()
