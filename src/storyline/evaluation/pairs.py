"""SemEval-2022 Task 8 pairs: how well the pair score agrees with human judgements.

Each pair's two articles go through the same stages as an ingest (extraction from a JSONL-shaped
dict, keywords, embedding); the pair score is ``scoring.score_features`` of their features with
no dates (the pairs carry none). Reported, overall and per language pair:

- Pearson r of the score with gold ``overall``. Gold is 1 = very similar … 4 = very dissimilar
  and our score is a similarity, so r is negative; tables print **−r** (higher is better).
- ROC AUC of the score for "same story" (gold ``overall`` ≤ 2).
- The same for the TF-IDF cosine baseline (``baselines.tfidf_pair_scores``).
- The learned combination cross-validated: 5 folds grouped by connected components of the
  article graph (no article on both sides of a fold), each fold's weights fitted on the other
  four (``fit_logistic``). The shipped weights were fitted on all pairs, so their in-sample
  figure is optimistic; the cross-validated one is the honest estimate.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyline.embedding import Encoder, embed_articles
from storyline.models import Article, Evidence
from storyline.research import article_from_dict
from storyline.stories.features import add_keywords
from storyline.stories.scoring import (
    FEATURE_NAMES,
    ScoreWeights,
    default_weights,
    feature_vector,
    features,
    score_features,
    weights_from_vector,
)

log = logging.getLogger(__name__)

#: Gold ``overall`` at or below this counts as "same story" for ROC AUC.
SAME_STORY_MAX = 2.0
FOLDS = 5


@dataclass(slots=True)
class PairItem:
    """One gold pair with its two articles."""

    pair_id: str
    langs: str
    overall: float
    a_key: str
    b_key: str
    a: Article
    b: Article
    #: The texts as the data set gives them (``title`` + " " + ``text``), for the baseline.
    a_raw: str = ""
    b_raw: str = ""


def load_pairs(path: Path, *, limit: int | None = None) -> list[PairItem]:
    """Read the SemEval JSONL (gzip or plain); an article shared by pairs is built once."""
    opener = gzip.open if path.suffix == ".gz" else open
    articles: dict[str, Article] = {}
    items: list[PairItem] = []
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            keys = []
            for side in ("a", "b"):
                data = row[side]
                key = str(data["id"])
                if key not in articles:
                    articles[key] = article_from_dict(
                        {"text": data["text"], "title": data.get("title"), "url": data.get("url"),
                         "language": data.get("lang")},
                        source=f"{row['pair_id']}/{side}",
                    )
                keys.append(key)
            items.append(PairItem(
                pair_id=row["pair_id"], langs=f"{row['lang1']}-{row['lang2']}",
                overall=float(row["overall"]), a_key=keys[0], b_key=keys[1],
                a=articles[keys[0]], b=articles[keys[1]],
                a_raw=f"{row['a'].get('title') or ''} {row['a']['text']}",
                b_raw=f"{row['b'].get('title') or ''} {row['b']['text']}",
            ))
            if limit and len(items) >= limit:
                break
    return items


def pair_feature_matrix(items: Sequence[PairItem], encoder: Encoder) -> np.ndarray:
    """Features of every pair (rows in ``FEATURE_NAMES`` order), through the ingest stages."""
    unique = list({id(a): a for it in items for a in (it.a, it.b)}.values())
    add_keywords(unique)
    embed_articles(unique, encoder)
    rows = []
    for it in items:
        # Only the languages, as the pipeline knows them (MiniLM's cosine is for English).
        f = features(it.a.head_vector, it.a.body_vector, it.a.keywords, None,  # type: ignore[arg-type]
                     it.b.head_vector, it.b.body_vector, it.b.keywords, None,  # type: ignore[arg-type]
                     evidence_a=Evidence(language=it.a.language),
                     evidence_b=Evidence(language=it.b.language))
        rows.append(feature_vector(f))
    return np.asarray(rows, dtype=np.float64)


def article_groups(items: Sequence[PairItem]) -> np.ndarray:
    """Connected component of each pair in the graph whose edges are the pairs."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for it in items:
        parent[find(it.a_key)] = find(it.b_key)
    roots: dict[str, int] = {}
    return np.asarray([roots.setdefault(find(it.a_key), len(roots)) for it in items])


def soft_target(overall: np.ndarray) -> np.ndarray:
    """Gold ``overall`` (1 same … 4 different) as a probability-like target in [0, 1]."""
    return np.clip((4.0 - overall) / 3.0, 0.0, 1.0)


def fit_logistic(x: np.ndarray, target: np.ndarray, *, c: float = 1.0) -> np.ndarray:
    """Logistic regression on soft targets: each row counts as a positive with weight
    ``target`` and a negative with weight ``1 - target`` (cross-entropy with soft labels).
    Returns ``[bias, w_1, …, w_k]``."""
    from sklearn.linear_model import LogisticRegression

    xx = np.vstack([x, x])
    yy = np.r_[np.ones(len(x)), np.zeros(len(x))]
    ww = np.r_[target, 1.0 - target]
    model = LogisticRegression(C=c, max_iter=5000).fit(xx, yy, sample_weight=ww)
    return np.r_[model.intercept_, model.coef_[0]]


def _score_rows(x: np.ndarray, coef: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(coef[0] + x @ coef[1:])))


def cross_validated_scores(x: np.ndarray, overall: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Out-of-fold pair scores of the learned combination (grouped k-fold)."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(x))
    folds = min(FOLDS, len(set(groups.tolist())))
    if folds < 2:
        return out
    for train, test in GroupKFold(folds).split(x, overall, groups):
        coef = fit_logistic(x[train], soft_target(overall[train]))
        out[test] = _score_rows(x[test], coef)
    return out


def fit_weights(items: Sequence[PairItem], x: np.ndarray, *,
                base: ScoreWeights | None = None) -> ScoreWeights:
    """The learned combination fitted on all ``items`` (what ships in score_weights.json)."""
    coef = fit_logistic(x, soft_target(np.asarray([it.overall for it in items])))
    return weights_from_vector(coef, base=base or default_weights())


def agreement(scores: np.ndarray, overall: np.ndarray, langs: Sequence[str]) -> dict[str, Any]:
    """−Pearson r and ROC AUC, overall and per language pair (most pairs first)."""
    from scipy.stats import pearsonr
    from sklearn.metrics import roc_auc_score

    groups: dict[str, list[int]] = defaultdict(list)
    for i, lang in enumerate(langs):
        groups[lang].append(i)
    order = ["all", *sorted(groups, key=lambda k: (-len(groups[k]), k))]
    out: dict[str, Any] = {}
    for name in order:
        idx = np.arange(len(scores)) if name == "all" else np.asarray(groups[name])
        s, g = scores[idx], overall[idx]
        same = g <= SAME_STORY_MAX
        neg_r = float(-pearsonr(s, g)[0]) if len(idx) > 2 and np.std(s) > 0 else float("nan")
        auc = float(roc_auc_score(same, s)) if 0 < same.sum() < len(idx) else float("nan")
        out[name] = {"pairs": len(idx), "neg_pearson_r": neg_r, "roc_auc": auc}
    return out


def evaluate_pairs(path: Path, *, encoder: Encoder, limit: int | None = None) -> dict[str, Any]:
    """Run the pairs benchmark; returns a JSON-ready report (see the module docstring)."""
    from storyline.evaluation.baselines import tfidf_pair_scores

    started = time.perf_counter()
    items = load_pairs(path, limit=limit)
    overall = np.asarray([it.overall for it in items])
    langs = [it.langs for it in items]
    x = pair_feature_matrix(items, encoder)
    featured = time.perf_counter()
    weights = default_weights()
    shipped = np.asarray([score_features(_row_features(row), weights) for row in x])
    groups = article_groups(items)
    cv = cross_validated_scores(x, overall, groups)
    baseline = tfidf_pair_scores([(it.a_raw, it.b_raw) for it in items])
    single = {name: agreement(x[:, i], overall, langs)["all"]
              for i, name in enumerate(FEATURE_NAMES) if np.std(x[:, i]) > 0}
    return {
        "benchmark": "semeval2022-task8-pairs",
        "data": str(path),
        "pairs": len(items),
        "articles": len({k for it in items for k in (it.a_key, it.b_key)}),
        "encoder": encoder.name,
        "sign": "neg_pearson_r = -Pearson r with gold overall (1 same .. 4 different); "
                "higher is better",
        "storyline_shipped": agreement(shipped, overall, langs),
        "storyline_cv": agreement(cv, overall, langs),
        "tfidf_baseline": agreement(baseline, overall, langs),
        "single_features": single,
        "cv": {"folds": FOLDS, "grouped_by": "connected components of the article graph",
               "groups": int(groups.max() + 1) if len(groups) else 0},
        "weights": weights.to_dict(),
        "seconds": {"features": round(featured - started, 1),
                    "total": round(time.perf_counter() - started, 1)},
    }


def _row_features(row: np.ndarray) -> Any:
    from storyline.stories.scoring import features_from_vector

    return features_from_vector(row)


def format_pairs(report: dict[str, Any]) -> str:
    """The report as a text table: −r and AUC per language for each system."""
    systems = [("Storyline (shipped weights)", "storyline_shipped"),
               ("Storyline (5-fold grouped CV)", "storyline_cv"),
               ("TF-IDF cosine baseline", "tfidf_baseline")]
    langs = list(report["tfidf_baseline"])
    head = f"{'system':32}" + "".join(f"{lang:>8}" for lang in langs) + "     AUC"
    lines = [f"SemEval-2022 Task 8 pairs: {report['pairs']} pairs, {report['articles']} articles,"
             f" encoder {report['encoder']}",
             "-Pearson r with gold overall (higher = better); AUC for overall <= 2",
             head, "-" * len(head)]
    for label, key in systems:
        row = report[key]
        lines.append(f"{label:32}" + "".join(f"{row[lang]['neg_pearson_r']:8.3f}" for lang in langs)
                     + f"{row['all']['roc_auc']:8.3f}")
    lines.append("pairs" + " " * 27 + "".join(f"{report['tfidf_baseline'][lang]['pairs']:8d}"
                                             for lang in langs))
    lines.append("single features (all pairs): " + ", ".join(
        f"{name} {v['neg_pearson_r']:.3f}" for name, v in report["single_features"].items()))
    lines.append(f"time: {report['seconds']['total']} s")
    return "\n".join(lines)
