"""Accuracy and speed of storyline.enrich.dates against the gold set, with dateparser as baseline.

    python benchmarks/dates_accuracy.py [--repeat N] [--baseline-misses]

An expression counts as correct when a returned span overlaps the gold expression and its
start and end equal the gold interval; a negative sentence (no gold expression) counts as
correct when nothing is returned. The baseline is dateparser's ``search_dates`` with
RELATIVE_BASE = publication date and PREFER_DATES_FROM = 'future'; each of its hits is mapped
to a one-day interval, which is all it can express.

Throughput is measured on the gold sentences, on ~300-word chunks of real articles (the
article-extraction benchmark in ../shared/data, when present) and on ~300-word synthetic
articles made only of gold sentences (far denser in dates than real news).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

from storyline.enrich.dates import resolve_dates

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "data" / "dates_gold.jsonl"
REAL_ARTICLES = (
    REPO.parent / "shared" / "data" / "article-extraction-benchmark" / "ground-truth.json"
)

# (text, start, end) of each date found: start/end are ISO days.
Found = list[tuple[int, int, str, str]]


def load_gold() -> list[dict]:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def ours(sentence: str, published: date) -> Found:
    return [(s.start_char, s.end_char, s.start, s.end) for s in resolve_dates(sentence, published)]


def dateparser_baseline() -> Callable[[str, date], Found]:
    from dateparser.search import search_dates

    def run(sentence: str, published: date) -> Found:
        settings = {
            "RELATIVE_BASE": datetime(published.year, published.month, published.day),
            "PREFER_DATES_FROM": "future",
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hits = search_dates(sentence, languages=["en"], settings=settings) or []
        found: Found = []
        for text, when in hits:
            day = when.date().isoformat()
            start = sentence.find(text)
            while start >= 0:  # every place the hit's text occurs
                found.append((start, start + len(text), day, day))
                start = sentence.find(text, start + 1)
        return found

    return run


def correct(row: dict, found: Found) -> bool:
    if row["expression"] is None:
        return not found
    start = row["sentence"].index(row["expression"])
    end = start + len(row["expression"])
    return any(
        f_start < end and start < f_end and (first, last) == (row["start"], row["end"])
        for f_start, f_end, first, last in found
    )


def evaluate(name: str, resolver: Callable[[str, date], Found], rows: list[dict]) -> dict:
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    started = time.perf_counter()
    results = [resolver(r["sentence"], date.fromisoformat(r["published"])) for r in rows]
    elapsed = time.perf_counter() - started
    for row, found in zip(rows, results, strict=True):
        kind = row["granularity"] or "negative"
        ok = correct(row, found)
        per_kind[kind][0] += ok
        per_kind[kind][1] += 1
        if not ok:
            misses.append((row, found))
    right = sum(c for c, _ in per_kind.values())
    return {
        "name": name,
        "accuracy": right / len(rows),
        "right": right,
        "total": len(rows),
        "per_kind": dict(per_kind),
        "misses": misses,
        "sentences_per_s": len(rows) / elapsed,
    }


def real_chunks(words: int = 300) -> list[str]:
    if not REAL_ARTICLES.is_file():
        return []
    chunks = []
    for article in json.loads(REAL_ARTICLES.read_text(encoding="utf-8")).values():
        tokens = (article.get("articleBody") or "").split(" ")
        for i in range(0, len(tokens) - words // 2, words):
            chunks.append(" ".join(tokens[i : i + words]))
    return chunks


def dense_articles(rows: list[dict], count: int = 300, words: int = 300) -> list[str]:
    rng = random.Random(1)
    articles = []
    for _ in range(count):
        sentences: list[str] = []
        while sum(len(s.split()) for s in sentences) < words:
            sentences.append(rng.choice(rows)["sentence"])
        articles.append(" ".join(sentences))
    return articles


def throughput(texts: Iterable[str], repeat: int) -> tuple[float, float]:
    """Best of ``repeat`` runs: (texts per second, spans per second)."""
    texts = list(texts)
    published = date(2024, 3, 19)
    best = float("inf")
    spans = 0
    for _ in range(repeat):
        started = time.perf_counter()
        spans = sum(len(resolve_dates(t, published)) for t in texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best, spans / best


def report(result: dict, show_misses: bool) -> None:
    print(f"\n== {result['name']}")
    print(f"accuracy {result['accuracy']:.3f} ({result['right']}/{result['total']})")
    for kind, (right, total) in sorted(result["per_kind"].items()):
        print(f"  {kind:14} {right / total:6.3f}  ({right}/{total})")
    print(f"speed: {result['sentences_per_s']:.0f} gold sentences/s")
    if show_misses:
        print(f"misses ({len(result['misses'])}):")
        for row, found in result["misses"]:
            got = ", ".join(f"{first}..{last}" for _, _, first, last in found) or "nothing"
            print(
                f"  [{row['published']}] {row['sentence']!r}\n"
                f"      gold {row['expression']!r} {row['start']}..{row['end']}; got {got}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing runs; the best is kept")
    parser.add_argument(
        "--baseline-misses", action="store_true", help="also list the baseline's misses"
    )
    args = parser.parse_args(argv)

    rows = load_gold()
    positives = sum(r["expression"] is not None for r in rows)
    print(f"gold: {len(rows)} rows ({positives} expressions, {len(rows) - positives} negatives)")

    mine = evaluate("storyline.enrich.dates", ours, rows)
    report(mine, show_misses=True)
    baseline = evaluate("dateparser.search_dates (PREFER_DATES_FROM=future)",
                        dateparser_baseline(), rows)  # fmt: skip
    report(baseline, show_misses=args.baseline_misses)

    print("\n== throughput of storyline.enrich.dates (best of", args.repeat, "runs)")
    per_s, spans_s = throughput((r["sentence"] for r in rows), args.repeat)
    print(f"gold sentences ({len(rows)}):        {per_s:8.0f} sentences/s ({spans_s:.0f} spans/s)")
    chunks = real_chunks()
    if chunks:
        per_s, spans_s = throughput(chunks, args.repeat)
        print(
            f"real ~300-word chunks ({len(chunks)}): {per_s:8.0f} articles/s "
            f"({spans_s:.0f} spans/s)"
        )
    else:
        print(f"real article chunks: {REAL_ARTICLES} not found, skipped")
    dense = dense_articles(rows)
    per_s, spans_s = throughput(dense, args.repeat)
    print(
        f"dense ~300-word synthetic ({len(dense)}): {per_s:8.0f} articles/s ({spans_s:.0f} spans/s)"
    )
    print(f"dateparser baseline:        {baseline['sentences_per_s']:8.0f} gold sentences/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
