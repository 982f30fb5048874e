"""Ingest speed with and without the enrichment stages (entities, dates, attribution,
developments), end to end through ``Pipeline`` into a fresh SQLite store.

    python benchmarks/enrich_speed.py [--copies 5] [--batch-size 64] [--n-process 1]
                                      [--stages] [--json results.json]

The demo corpus's articles are extracted once and repeated ``--copies`` times as JSONL records
with distinct URLs (so each copy is a new article, not a duplicate). The same records are
ingested twice into fresh stores: with ``Settings(enrich=False)`` and with enrichment. Models
are loaded and warmed before timing. ``--stages`` also times the enrichment stage alone,
split into the spaCy pass and the rest (rules, dates), on the same texts.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def demo_records(corpus: Path, copies: int) -> list[Any]:
    """The demo articles as JSONL ``RawRecord`` values, ``copies`` times with fresh URLs."""
    from storyline.extract.build import ExtractOptions, extract_records
    from storyline.ingest.readers import read_paths
    from storyline.models import Article, RawRecord

    articles = [
        result
        for record in read_paths([corpus])
        if isinstance(record, RawRecord)
        for result in extract_records([record], options=ExtractOptions(min_words=1))
        if isinstance(result, Article)
    ]
    records = []
    for copy in range(copies):
        for n, a in enumerate(articles):
            row = {
                "url": f"https://bench.example/{copy}/{n}", "title": a.title, "text": a.text,
                "published": a.published.isoformat(), "outlet": a.outlet, "authors": a.authors,
                "language": a.language,
            }  # fmt: skip
            records.append(RawRecord(source=f"bench:{copy}:{n}", kind="jsonl",
                                     content=json.dumps(row), fields=row))  # fmt: skip
    return records


def time_ingest(
    records: Sequence[Any], *, enrich: bool, batch_size: int, encoder: Any, repeat: int = 1
) -> float:
    """Seconds to ingest ``records`` into a fresh temporary store (best of ``repeat``: the
    machine is shared, and the minimum is the least disturbed run)."""
    return min(
        _ingest_once(records, enrich=enrich, batch_size=batch_size, encoder=encoder)
        for _ in range(max(repeat, 1))
    )


def _ingest_once(records: Sequence[Any], *, enrich: bool, batch_size: int, encoder: Any) -> float:
    from storyline.config import Settings
    from storyline.embedding import DEFAULT_MODEL
    from storyline.pipeline import Pipeline
    from storyline.store.sqlite import SQLiteStore
    from storyline.stories.copies import CopyOptions

    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db", model_name=DEFAULT_MODEL)
        settings = Settings(enrich=enrich, batch_size=batch_size, min_words=1)
        start = time.perf_counter()
        pipeline = Pipeline(store, settings=settings, encoder=encoder)
        # The repeated records are copies of each other (stories/copies.py), which skip the
        # stages measured here: compare no body at all, so that each is processed in full.
        pipeline.copy_options = CopyOptions(min_words=10**9)
        report = pipeline.ingest_records(records)
        elapsed = time.perf_counter() - start
        store.close()
    assert report.added == len(records), report
    return elapsed


def time_stages(records: Sequence[Any], *, batch_size: int, n_process: int) -> dict[str, float]:
    """Docs per second of the spaCy pass alone and of the whole enrichment stage."""
    from storyline.enrich.developments import EnrichOptions, enrich_articles
    from storyline.enrich.entities import parse_texts
    from storyline.extract.build import extract_records
    from storyline.models import Article

    articles = [a for a in extract_records(list(records)) if isinstance(a, Article)]
    texts = [f"{a.title}\n\n{a.text}" for a in articles]
    start = time.perf_counter()
    parse_texts(texts, batch_size=batch_size, n_process=n_process)
    spacy_s = time.perf_counter() - start
    start = time.perf_counter()
    enrich_articles(articles, options=EnrichOptions(batch_size=batch_size, n_process=n_process))
    total_s = time.perf_counter() - start
    return {
        "spacy_docs_per_s": round(len(texts) / spacy_s, 1),
        "enrich_docs_per_s": round(len(texts) / total_s, 1),
        "rules_share": round(max(total_s - spacy_s, 0.0) / total_s, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "demo" / "corpus")
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-process", type=int, default=1, help="spaCy processes (--stages)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode (best is kept)")
    parser.add_argument("--stages", action="store_true", help="also time the stage alone")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from storyline.embedding import MiniLMEncoder
    from storyline.enrich.entities import load_nlp

    records = demo_records(args.corpus, args.copies)
    words = sum(len(json.loads(r.content)["text"].split()) for r in records) / len(records)
    encoder = MiniLMEncoder()
    encoder.encode(["warm up"])
    load_nlp()("Warm up the tagger and the entity recogniser, said Reuters.")
    opts = {"batch_size": args.batch_size, "encoder": encoder, "repeat": args.repeat}
    plain = time_ingest(records, enrich=False, **opts)
    enriched = time_ingest(records, enrich=True, **opts)
    results: dict[str, Any] = {
        "articles": len(records),
        "mean_words": round(words),
        "ingest_articles_per_s_without_enrichment": round(len(records) / plain, 1),
        "ingest_articles_per_s_with_enrichment": round(len(records) / enriched, 1),
        "enrichment_ms_per_article": round(1000 * (enriched - plain) / len(records), 1),
    }
    if args.stages:
        results.update(time_stages(records, batch_size=args.batch_size, n_process=args.n_process))
    for key, value in results.items():
        print(f"{key:44} {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    raise SystemExit(main())
