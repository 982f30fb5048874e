"""Copy detection (``stories/copies.py``): recall, false copies and time per article.

    python benchmarks/copies_eval.py [--times 5] [--scale 20000] [--pipeline]
                                     [--json results.json]

0. The threshold's grounds: the Jaccard of each demo article with itself after one added line
   or one replaced sentence, and the most two different demo articles share.
1. The demo corpus's articles, each re-posted ``--times`` times under other outlets' URLs with
   one added line (``evaluation/copies.syndicate``, kind ``added``: the issue's "demo copied
   five times"), then the same with one sentence replaced and a new headline as well
   (``changed``). The copy stage alone runs over originals plus variants in publication
   order, 64 at a time, with one index: recall = variants marked a copy of their original;
   false copies = originals marked a copy (the demo's own gold copies, ``copy_of`` in
   ``demo/gold.json``, are expected and counted apart).
2. ECB+ (``../shared/data/ecbplus``, 772 reports of 66 events by many outlets, no dates):
   which documents the stage calls copies, and whether any copy crosses events (a sure
   false copy).
3. Time per article with ``--scale`` stored articles in the index (random texts drawn from
   the demo's and ECB+'s words, so almost no candidates: the index's own cost).

4. With ``--pipeline``: the ingest of the demo alone, then with its copies, through
   ``Pipeline`` (this loads the models).

Sections 0-3 load no models: their figures are the copy stage's own.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ECBPLUS = REPO.parent / "shared" / "data" / "ecbplus" / "train.jsonl.gz"


def demo_articles() -> tuple[list[Any], dict[str, str]]:
    """The demo articles as the pipeline extracts them, and the gold copies (id → id)."""
    from storyline.extract.build import extract_records
    from storyline.ingest.readers import read_paths
    from storyline.models import Article, RawRecord

    corpus = REPO / "demo" / "corpus"
    articles = [
        a for r in read_paths([corpus]) if isinstance(r, RawRecord)
        for a in extract_records([r]) if isinstance(a, Article)
    ]  # fmt: skip
    by_source = {a.source: a.id for a in articles}
    gold = json.loads((REPO / "demo" / "gold.json").read_text(encoding="utf-8"))
    known = {
        by_source[str(corpus / g["source"])]: by_source[str(corpus / g["copy_of"])]
        for g in gold["articles"] if g.get("copy_of")
    }  # fmt: skip
    return articles, known


def _as_articles(records: list[dict[str, Any]], prefix: str) -> list[Any]:
    from storyline.extract.build import extract_record
    from storyline.models import RawRecord

    return [
        extract_record(RawRecord(source=f"{prefix}:{i}", kind="jsonl",
                                 content=json.dumps(r), fields=r))
        for i, r in enumerate(records)
    ]  # fmt: skip


def run_demo(times: int) -> list[dict[str, Any]]:
    """Section 1: both kinds of variants of the demo."""
    from storyline.evaluation.copies import evaluate_copies, syndicate
    from storyline.stories.copies import CopyOptions, jaccard, shingles

    results = []
    for kind in ("added", "changed"):
        originals, known = demo_articles()
        variants = syndicate(originals, times=times, kind=kind)
        copies = _as_articles([v.record for v in variants], kind)
        expected = {c.id: v.original.id for c, v in zip(copies, variants, strict=True)}
        result = evaluate_copies(originals, copies, expected, known=known)
        gold_found = sum(1 for a in originals if a.id in known and a.copy_of == known[a.id])
        # How close each variant is to its own original (a few "changed" ones are found only
        # through another variant of the same original: a copy of a copy).
        direct = [jaccard(shingles(c.text), shingles(v.original.text))
                  for c, v in zip(copies, variants, strict=True)]
        results.append({
            "kind": kind, "originals": result.originals, "variants": result.variants,
            "found": result.found, "recall": round(result.recall, 4),
            "precision": round(result.precision, 4),
            "false_originals": result.false_originals, "wrong_original": result.wrong_original,
            "gold_copies": len(known), "gold_copies_found": gold_found,
            "find_ms": round(result.find_ms, 3), "add_ms": round(result.add_ms, 3),
            "least_similarity": round(min(direct), 3),
            "below_threshold": sum(1 for j in direct if j < CopyOptions().threshold),
        })  # fmt: skip
    return results


def _ecbplus_docs() -> list[dict[str, Any]]:
    with gzip.open(ECBPLUS, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def run_ecbplus() -> dict[str, Any] | None:
    """Section 2: copies among ECB+'s same-event reports."""
    from storyline.models import Article
    from storyline.store.sqlite import SQLiteStore
    from storyline.stories.copies import CopyIndex, jaccard, shingles

    if not ECBPLUS.exists():
        return None
    docs = _ecbplus_docs()
    # Pairs within a topic (two look-alike events each): same event or not, how similar.
    sets = {d["doc_id"]: shingles(d["text"]) for d in docs}
    same: list[float] = []
    cross: list[float] = []
    for a, b in itertools.combinations(docs, 2):
        if a["topic"] == b["topic"]:
            (same if a["subtopic"] == b["subtopic"] else cross).append(
                jaccard(sets[a["doc_id"]], sets[b["doc_id"]]))
    when = datetime(2020, 1, 1, tzinfo=UTC)
    articles = [
        Article(id=d["doc_id"], title=d["title"], text=d["text"], published=when, authors=[],
                outlet=None, url=None, language="en", source=d["doc_id"], raw_kind="jsonl")
        for d in docs
    ]  # fmt: skip
    event = {d["doc_id"]: d["subtopic"] for d in docs}
    store = SQLiteStore(":memory:")
    try:
        matches = CopyIndex(store).find(articles)
    finally:
        store.close()
    return {
        "documents": len(docs), "events": len(set(event.values())), "copies": len(matches),
        "cross_event": sum(1 for m in matches if event[m.article_id] != event[m.original_id]),
        "least_similarity": round(min((m.similarity for m in matches), default=0.0), 3),
        "same_event_pairs": len(same),
        "same_event_at_least_0.6": sum(j >= 0.6 for j in same),
        "same_event_0.3_to_0.6": sum(0.3 <= j < 0.6 for j in same),
        "cross_event_pairs": len(cross), "cross_event_max": round(max(cross, default=0.0), 3),
    }  # fmt: skip


def run_sweep() -> dict[str, Any]:
    """Section 0, the threshold's grounds: what one edit does to the Jaccard of a demo article
    with itself (every sentence replaced in turn by each of three stock lines; one line
    inserted before each sentence), and how close two different demo articles come."""
    import re

    from storyline.evaluation.copies import CHANGED_LINES
    from storyline.stories.copies import jaccard, shingles

    originals, known = demo_articles()
    changed, added = [], []
    for article in originals:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", article.text) if s.strip()]
        base = shingles(article.text)
        for i in range(len(sentences)):
            for line in CHANGED_LINES:
                edited = [*sentences[:i], line, *sentences[i + 1 :]]
                changed.append(jaccard(base, shingles(" ".join(edited))))
            inserted = [*sentences[:i], CHANGED_LINES[0], *sentences[i:]]
            added.append(jaccard(base, shingles(" ".join(inserted))))
    group = {a.id: known.get(a.id, a.id) for a in originals}  # the gold copies and theirs
    distinct = [jaccard(shingles(a.text), shingles(b.text))
                for a, b in itertools.combinations(originals, 2) if group[a.id] != group[b.id]]
    return {
        "articles": len(originals), "edits": len(changed),
        "added_line": [round(min(added), 3), round(max(added), 3)],
        "changed_line": [round(min(changed), 3), round(max(changed), 3)],
        "changed_at_least": {t: round(sum(j >= t for j in changed) / len(changed), 4)
                             for t in (0.5, 0.6, 0.7)},
        "distinct_max": round(max(distinct), 3),
    }  # fmt: skip


def run_scale(n: int, times: int) -> dict[str, Any]:
    """Section 3: time per article with ``n`` articles indexed."""
    from storyline.evaluation.copies import syndicate
    from storyline.models import Article
    from storyline.store.sqlite import SQLiteStore
    from storyline.stories.copies import CopyIndex, words

    originals, _ = demo_articles()
    vocabulary = [w for a in originals for w in words(a.text)]
    if ECBPLUS.exists():
        vocabulary += [w for d in _ecbplus_docs() for w in words(d["text"])]
    rng = random.Random(0)
    start = min(a.published for a in originals)
    filler = [
        Article(id=f"f{i}", title="", text=" ".join(rng.choices(vocabulary, k=200)),
                published=start + timedelta(minutes=i % 20000), authors=[], outlet=None,
                url=None, language="en", source=f"f{i}", raw_kind="jsonl")
        for i in range(n)
    ]  # fmt: skip
    store = SQLiteStore(":memory:")
    try:
        index = CopyIndex(store)
        t0 = time.perf_counter()
        for s in range(0, n, 64):
            index.find(filler[s : s + 64])
            index.add(filler[s : s + 64])
        fill_ms = 1000 * (time.perf_counter() - t0) / max(n, 1)
        copies = _as_articles([v.record for v in syndicate(originals, times=times)], "scale")
        batch = sorted([*originals, *copies], key=lambda a: (a.published, a.id))
        find_s = add_s = 0.0
        for s in range(0, len(batch), 64):
            t0 = time.perf_counter()
            index.find(batch[s : s + 64])
            t1 = time.perf_counter()
            index.add(batch[s : s + 64])
            find_s, add_s = find_s + t1 - t0, add_s + time.perf_counter() - t1
    finally:
        store.close()
    return {
        "indexed": n, "fill_ms_per_article": round(fill_ms, 3), "articles": len(batch),
        "find_ms_per_article": round(1000 * find_s / len(batch), 3),
        "add_ms_per_article": round(1000 * add_s / len(batch), 3),
        "copies_found": sum(1 for a in copies if a.copy_of is not None), "variants": len(copies),
    }  # fmt: skip


def run_pipeline(times: int) -> dict[str, Any]:
    """Section 4 (``--pipeline``, loads the models): seconds to ingest the demo alone, then
    the demo with its ``added`` variants, each into a fresh store."""
    import tempfile

    from storyline.embedding import MiniLMEncoder
    from storyline.evaluation.copies import syndicate
    from storyline.pipeline import Pipeline
    from storyline.store.sqlite import SQLiteStore

    encoder = MiniLMEncoder()
    encoder.encode(["warm up"])
    originals, _ = demo_articles()
    corpus = REPO / "demo" / "corpus"
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        copies = Path(tmp) / "copies.jsonl"
        copies.write_text("".join(json.dumps(v.record) + "\n"
                                  for v in syndicate(originals, times=times)), encoding="utf-8")
        runs = (("warm-up", [corpus]), ("demo", [corpus]), ("demo+copies", [corpus, copies]))
        for name, paths in runs:  # the warm-up loads spaCy and fills caches; not reported
            store = SQLiteStore(Path(tmp) / f"{name}.db", model_name=encoder.name)
            start = time.perf_counter()
            report = Pipeline(store, encoder=encoder).ingest_paths(paths)
            out[name] = {"seconds": round(time.perf_counter() - start, 1),
                         "added": report.added, "copies": report.copies,
                         "stories": store.counts()["stories"]}
            store.close()
    out.pop("warm-up")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=5, help="Variants per demo article.")
    parser.add_argument("--scale", type=int, default=20000,
                        help="Articles in the index for the timing run (0: skip).")
    parser.add_argument("--pipeline", action="store_true",
                        help="Also time the ingest of the demo with and without its copies.")
    parser.add_argument("--json", help="Write the results here.")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {"sweep": run_sweep(), "demo": run_demo(args.times),
                           "ecbplus": run_ecbplus()}
    w = out["sweep"]
    print(f"one edit to a demo article ({w['articles']} articles, {w['edits']} replacements):"
          f" Jaccard with itself after an added line {w['added_line'][0]}..{w['added_line'][1]},"
          f" after a replaced sentence {w['changed_line'][0]}..{w['changed_line'][1]}"
          f" (share at least 0.5/0.6/0.7: "
          + "/".join(str(v) for v in w["changed_at_least"].values())
          + f"); two different demo articles at most {w['distinct_max']}")
    print("demo + variants   originals variants found recall precision false-orig wrong"
          " gold-copies find-ms add-ms")
    for r in out["demo"]:
        print(f"  {r['kind']:15} {r['originals']:9} {r['variants']:8} {r['found']:5}"
              f" {r['recall']:6.3f} {r['precision']:9.3f} {r['false_originals']:10}"
              f" {r['wrong_original']:5} {r['gold_copies_found']:>5}/{r['gold_copies']:<5}"
              f" {r['find_ms']:7.3f} {r['add_ms']:6.3f}")
        print(f"  {'':15} least Jaccard with its own original {r['least_similarity']};"
              f" {r['below_threshold']} variants below the threshold")
    if out["ecbplus"]:
        e = out["ecbplus"]
        print(f"ECB+: {e['documents']} documents, {e['events']} events: {e['copies']} copies"
              f" (least Jaccard {e['least_similarity']}), {e['cross_event']} across events;"
              f" same-event pairs {e['same_event_pairs']}: {e['same_event_at_least_0.6']} at"
              f" >= 0.6, {e['same_event_0.3_to_0.6']} in 0.3..0.6; look-alike-event pairs"
              f" {e['cross_event_pairs']}: at most {e['cross_event_max']}")
    if args.scale:
        out["scale"] = s = run_scale(args.scale, args.times)
        print(f"index of {s['indexed']}: find {s['find_ms_per_article']} ms, add"
              f" {s['add_ms_per_article']} ms per article (filling: {s['fill_ms_per_article']}"
              f" ms each); {s['copies_found']}/{s['variants']} variants found")
    if args.pipeline:
        out["pipeline"] = p = run_pipeline(args.times)
        for name, r in p.items():
            print(f"ingest {name}: {r['seconds']} s, {r['added']} added ({r['copies']} copies),"
                  f" {r['stories']} stories")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
