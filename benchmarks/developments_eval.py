"""Score development detection, modality, attribution and event linking on the demo gold.

    python benchmarks/developments_eval.py [--gold demo/gold.json] [--corpus demo/corpus]
                                           [--json results.json] [--show]

The demo corpus's ``gold.json`` lists, per article, its 1–3 main developments (action,
modality, attribution kind, ``event`` id shared across articles). Every article is extracted
and enriched in one batch (no store); its *main* developments are matched to the gold ones
by action (a gold development is matched at most once; among same-action candidates the one
whose interval overlaps the gold interval wins). Reported:

* detection precision / recall / F1 of main developments by action (and recall over all
  developments found, main or not);
* modality accuracy over matched pairs, exact and coarse (rumoured+expected,
  planned+announced, happened, denied, cancelled, postponed);
* attribution-kind accuracy over matched pairs;
* when: share of matched pairs with a gold interval whose predicted interval is equal / overlaps;
* event linking: pairwise precision / recall / F1 over matched developments of different
  articles of the same gold story (same gold event vs same linked event), with the gold
  stories as the grouping so that clustering errors do not count here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

COARSE = {
    "rumoured": "forecast", "expected": "forecast", "planned": "official", "announced": "official",
    "happened": "happened", "denied": "denied", "cancelled": "cancelled", "postponed": "postponed",
}  # fmt: skip


@dataclass
class Scores:
    """Counts behind the reported figures."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    found_any: int = 0
    modality_exact: int = 0
    modality_coarse: int = 0
    attribution: int = 0
    when_gold: int = 0
    when_equal: int = 0
    when_overlap: int = 0
    link_tp: int = 0
    link_fp: int = 0
    link_fn: int = 0
    seconds: float = 0.0
    articles: int = 0
    confusion: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        p, r = ratio(self.matched, self.predicted), ratio(self.matched, self.gold)
        lp = ratio(self.link_tp, self.link_tp + self.link_fp)
        lr = ratio(self.link_tp, self.link_tp + self.link_fn)
        return {
            "detection_precision": p,
            "detection_recall": r,
            "detection_f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "recall_any": ratio(self.found_any, self.gold),
            "modality_accuracy": ratio(self.modality_exact, self.matched),
            "modality_coarse_accuracy": ratio(self.modality_coarse, self.matched),
            "attribution_accuracy": ratio(self.attribution, self.matched),
            "when_equal": ratio(self.when_equal, self.when_gold),
            "when_overlap": ratio(self.when_overlap, self.when_gold),
            "linking_precision": lp,
            "linking_recall": lr,
            "linking_f1": round(2 * lp * lr / (lp + lr), 3) if lp + lr else 0.0,
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "articles_per_second": ratio(self.articles, int(self.seconds * 1000)) * 1000,
        }


def _overlap(gold_when: dict[str, Any] | None, span: Any) -> bool:
    return bool(
        gold_when and span and span.start <= gold_when["end"] and gold_when["start"] <= span.end
    )


def load_demo(corpus: Path, gold_path: Path) -> list[tuple[dict[str, Any], Any]]:
    """(gold article, extracted ``Article``) pairs, in publication order."""
    from storyline.extract.build import ExtractOptions, extract_records
    from storyline.ingest.readers import read_paths
    from storyline.models import Article

    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    by_source: dict[str, Article] = {}
    for record in read_paths([corpus]):
        if not hasattr(record, "content"):
            continue
        for result in extract_records([record], options=ExtractOptions(min_words=1)):
            if isinstance(result, Article):
                rel = Path(record.source.split(":")[0]).resolve().relative_to(corpus.resolve())
                line = record.source.rsplit(":", 1)[1] if ":" in record.source else None
                key = f"{rel.as_posix()}:{line}" if line and line.isdigit() else rel.as_posix()
                by_source[key] = result
    pairs = [(g, by_source[g["source"]]) for g in gold["articles"] if g["source"] in by_source]
    missing = [g["source"] for g in gold["articles"] if g["source"] not in by_source]
    if missing:
        print(f"warning: {len(missing)} gold articles not extracted: {missing}", file=sys.stderr)
    return sorted(pairs, key=lambda p: (p[1].published, p[1].id))


def _match(
    golds: Sequence[dict[str, Any]], preds: Sequence[Any]
) -> list[tuple[dict[str, Any], Any]]:
    pairs, used = [], set()
    for g in golds:
        options = [i for i, d in enumerate(preds) if i not in used and d.action == g["action"]]
        if not options:
            continue
        best = max(options, key=lambda i: (_overlap(g.get("when"), preds[i].when), -i))
        used.add(best)
        pairs.append((g, preds[best]))
    return pairs


def evaluate(corpus: Path, gold_path: Path) -> tuple[Scores, list[dict[str, Any]]]:
    """Enrich the demo corpus and score it against the gold; also return per-article rows."""
    from storyline.enrich.developments import enrich_articles
    from storyline.models import ArticleSummary
    from storyline.timeline import link_events

    pairs = load_demo(corpus, gold_path)
    articles = [a for _, a in pairs]
    start = time.perf_counter()
    results = enrich_articles(articles)
    scores = Scores(seconds=time.perf_counter() - start, articles=len(articles))
    rows: list[dict[str, Any]] = []
    matched_by_article: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for (gold, article), enrichment in zip(pairs, results, strict=True):
        main = [d for d in enrichment.developments if d.main]
        matches = _match(gold["developments"], main)
        matched_by_article[article.id] = matches
        scores.gold += len(gold["developments"])
        scores.predicted += len(main)
        scores.matched += len(matches)
        scores.found_any += len(_match(gold["developments"], enrichment.developments))
        for g, d in matches:
            scores.modality_exact += g["modality"] == d.modality
            scores.modality_coarse += COARSE[g["modality"]] == COARSE.get(d.modality)
            scores.attribution += g["attribution"]["kind"] == d.attribution.kind
            key = f"{g['modality']}->{d.modality}"
            scores.confusion[key] = scores.confusion.get(key, 0) + 1
            if g.get("when"):
                scores.when_gold += 1
                scores.when_equal += bool(
                    d.when and (d.when.start, d.when.end) == (g["when"]["start"], g["when"]["end"])
                )
                scores.when_overlap += _overlap(g["when"], d.when)
        for g in gold["developments"]:
            if not any(g is m for m, _ in matches):
                scores.misses.append(f"{gold['source']}: {g['action']} ({g['modality']})")
        gold_rows = [
            (g["action"], g["modality"], g["attribution"]["kind"]) for g in gold["developments"]
        ]
        rows.append(
            {
                "source": gold["source"],
                "story": gold["story"],
                "gold": gold_rows,
                "predicted": [(d.action, d.modality, d.attribution.kind) for d in main],
            }
        )
    # Event linking, story by story (gold stories), over matched developments.
    stories: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for gold, article in pairs:
        stories.setdefault(gold["story"], []).append((gold, article))
    by_id = {e.article_id: e for e in results}
    for members in stories.values():
        reports = []
        for _, article in members:
            summary = ArticleSummary(article.id, article.title, article.outlet, article.published,
                                     article.url)  # fmt: skip
            reports.append((summary, by_id[article.id].developments))
        _, timeline = link_events(reports)
        event_of = {(t.article_id, id(t.development)): t.event_id for t in timeline}
        # Developments are values: find each matched one's entry by identity of its object.
        points = []
        for _, article in members:
            for g, d in matched_by_article[article.id]:
                points.append((article.id, g["event"], event_of.get((article.id, id(d)))))
        for i, (a_i, g_i, p_i) in enumerate(points):
            for a_j, g_j, p_j in points[i + 1 :]:
                if a_i == a_j:
                    continue
                same_gold, same_pred = g_i == g_j, p_i is not None and p_i == p_j
                scores.link_tp += same_gold and same_pred
                scores.link_fp += same_pred and not same_gold
                scores.link_fn += same_gold and not same_pred
    return scores, rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=REPO / "demo" / "gold.json")
    parser.add_argument("--corpus", type=Path, default=REPO / "demo" / "corpus")
    parser.add_argument("--json", type=Path, help="write the figures and per-article rows here")
    parser.add_argument("--show", action="store_true", help="print per-article rows and misses")
    args = parser.parse_args(argv)
    scores, rows = evaluate(args.corpus, args.gold)
    figures = scores.figures()
    for key, value in figures.items():
        print(f"{key:28} {value}")
    print(f"{'modality confusion':28} {dict(sorted(scores.confusion.items()))}")
    if args.show:
        for row in rows:
            print(f"{row['source']}\n  gold {row['gold']}\n  pred {row['predicted']}")
        print("misses:", *scores.misses, sep="\n  ")
    if args.json:
        args.json.write_text(
            json.dumps({"figures": figures, "rows": rows}, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    raise SystemExit(main())
