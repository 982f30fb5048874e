"""The pairs benchmark's pieces: loading, grouping for CV, the learned fit, the baseline."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from storyline.evaluation.baselines import tfidf_pair_scores
from storyline.evaluation.pairs import (
    agreement,
    article_groups,
    cross_validated_scores,
    fit_logistic,
    load_pairs,
    soft_target,
)


def _pair(pid: str, a: str, b: str, overall: float, lang: str = "en") -> dict:
    def art(aid: str) -> dict:
        return {"id": aid, "lang": lang, "url": f"https://x.example/{aid}", "title": None,
                "text": f"Title of {aid}. Body text about {aid} and more words here.",
                "date": None}

    return {"pair_id": pid, "lang1": lang, "lang2": lang, "overall": overall,
            "a": art(a), "b": art(b), "text_source": "hfl-truncated"}


def test_pairs_load_builds_shared_articles_once(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl.gz"
    rows = [_pair("1_2", "1", "2", 1.0), _pair("1_3", "1", "3", 4.0, lang="de")]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r) for r in rows) + "\n")
    items = load_pairs(path)
    assert [it.langs for it in items] == ["en-en", "de-de"]
    assert items[0].a is items[1].a  # article "1" built once
    assert items[0].a.title.startswith("Title of 1")  # title null: first sentence of text
    assert load_pairs(path, limit=1)[0].pair_id == "1_2"


def test_pairs_groups_are_connected_components() -> None:
    class It:
        def __init__(self, a: str, b: str) -> None:
            self.a_key, self.b_key = a, b

    groups = article_groups([It("a", "b"), It("c", "d"), It("b", "e"), It("f", "c")])
    assert groups[0] == groups[2] and groups[1] == groups[3] and groups[0] != groups[1]


def test_pairs_agreement_reports_negated_pearson() -> None:
    overall = np.array([1.0, 2.0, 3.0, 4.0, 1.5, 3.5])
    similarity = 5.0 - overall  # a perfect similarity score
    out = agreement(similarity, overall, ["en-en"] * 3 + ["de-de"] * 3)
    assert out["all"]["neg_pearson_r"] == pytest.approx(1.0)
    assert out["all"]["roc_auc"] == pytest.approx(1.0)
    assert set(out) == {"all", "en-en", "de-de"}


def test_pairs_soft_logistic_learns_the_direction() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(300, 2))
    overall = 4.0 - 3.0 * x[:, 0] + 0.1 * rng.standard_normal(300)
    coef = fit_logistic(x, soft_target(overall))
    assert coef[1] > 1.0 and abs(coef[2]) < coef[1] / 3


def test_pairs_cross_validation_keeps_groups_together() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, size=(100, 1))
    overall = 4.0 - 3.0 * x[:, 0]
    groups = np.repeat(np.arange(20), 5)
    scores = cross_validated_scores(x, overall, groups)
    assert np.corrcoef(scores, overall)[0, 1] < -0.95


def test_pairs_tfidf_baseline() -> None:
    scores = tfidf_pair_scores([("the cat sat on the mat", "the cat sat on the mat"),
                                ("stocks fall in tokyo", "volcano erupts in iceland"),
                                ("stocks fall in tokyo", "tokyo stocks fall again")])
    assert scores[0] == pytest.approx(1.0)
    assert scores[2] > scores[1]
