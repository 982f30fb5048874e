"""End-to-end ingest speed of this checkout against an earlier commit, in the same run.

    python benchmarks/ingest_speed.py [--baseline 7c4c15a] [--articles 300] [--stages]
                                      [--json results.json]

**Corpus.** ECB+ topics 1-35 (``../shared/data/ecbplus/train.jsonl.gz``): the first
``--articles`` documents of 150-800 words (by ``doc_id``; median ~300 words), written as JSONL
with an outlet from the URL and a publication time two hours apart from 2025-01-01, so that
stories open and close as in a real stream. Nothing is tuned on it; it is only timed.

**What is measured**, for the baseline commit (``git archive`` into a temporary folder, run
with the same virtual environment) and for this working tree, one after the other:

- *throughput*: a fresh process loads the models (it ingests three warm-up articles into a
  throw-away store), then ingests the corpus into a fresh store; articles/s = articles stored /
  wall seconds of that ingest (worker processes included), with enrichment on and off;
- *CPU*: user+system seconds of the process and its children during that ingest;
- *peak memory*: the largest resident set of the process or any child (``ru_maxrss``);
- *time to first article*: wall seconds of ``storyline ingest`` of one article in a cold
  process (models loaded from disk), and of ``storyline stories`` (no model);
- with ``--stages``: CPU seconds per stage of this working tree with ``workers = 1`` (each
  stage function timed where the pipeline calls it).

Run it on a quiet machine; ratios between the two versions are what to read.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
ECBPLUS = REPO.parent / "shared" / "data" / "ecbplus" / "train.jsonl.gz"
#: The pipeline before the throughput work (issue 10).
DEFAULT_BASELINE = "7c4c15a"

_DRIVER = r"""
import json, os, resource, sys, tempfile, time
from pathlib import Path
from storyline.config import Settings
from storyline.pipeline import Pipeline
from storyline.store.base import StoryFilter
from storyline.store.sqlite import SQLiteStore

corpus, warm, enrich, stages = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
import dataclasses
known = {f.name for f in dataclasses.fields(Settings)}
extra = {k: v for k, v in json.loads(sys.argv[5]).items() if k in known}
settings = Settings(enrich=enrich, **extra)
timings = {}
if stages:
    import storyline.pipeline as P
    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                timings[name] = timings.get(name, 0.0) + time.process_time() - t
        return wrapper
    modules = [P]
    try:
        import storyline.prepare as R
        modules.append(R)
    except ImportError:
        pass
    for module in modules:
        for name in ("extract_records", "add_keywords", "embed_articles", "analyse_articles",
                     "enrich_for_assignment"):
            if hasattr(module, name):
                setattr(module, name, timed(name, getattr(module, name)))
    P.Assigner.assign = timed("assign", P.Assigner.assign)
    SQLiteStore.write_batch = timed("write_batch", SQLiteStore.write_batch)
with tempfile.TemporaryDirectory() as tmp:
    with SQLiteStore(Path(tmp) / "warm.db") as store:
        Pipeline(store, settings=settings).ingest_paths([warm])
    timings.clear()
    def cpu():
        a = resource.getrusage(resource.RUSAGE_SELF)
        b = resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
    with SQLiteStore(Path(tmp) / "bench.db") as store:
        c0, t0 = cpu(), time.perf_counter()
        report = Pipeline(store, settings=settings).ingest_paths([corpus])
        wall, used = time.perf_counter() - t0, cpu() - c0
        stories = len(store.list_stories(StoryFilter(limit=100000)))
peak = max(resource.getrusage(r).ru_maxrss for r in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN)) / 1024
print(json.dumps({"added": report.added, "rejected": report.rejected, "stories": stories,
                  "wall_s": wall, "cpu_s": used, "peak_rss_mb": peak, "stages": timings}))
"""


def build_corpus(folder: Path, n: int) -> tuple[Path, Path, Path]:
    """The benchmark corpus, three warm-up articles and one single article, as JSONL files."""
    with gzip.open(ECBPLUS, "rt", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    docs = sorted((d for d in docs if 150 <= len(d["text"].split()) <= 800),
                  key=lambda d: d["doc_id"])  # fmt: skip
    start = datetime(2025, 1, 1, tzinfo=UTC)

    def row(d: dict[str, Any], k: int, prefix: str) -> str:
        host = urlsplit(d.get("url") or "").hostname or "ecbplus.example"
        return json.dumps({
            "url": f"https://{prefix}.bench.example/{d['doc_id']}", "title": d["title"],
            "text": d["text"], "outlet": host, "published": (start + timedelta(hours=2 * k))
            .isoformat(),
        })  # fmt: skip

    corpus, warm, one = folder / "corpus.jsonl", folder / "warm.jsonl", folder / "one.jsonl"
    corpus.write_text("\n".join(row(d, k, "c") for k, d in enumerate(docs[:n])) + "\n")
    warm.write_text("\n".join(row(d, k, "w") for k, d in enumerate(docs[-3:])) + "\n")
    one.write_text(row(docs[-4], 0, "o") + "\n")
    return corpus, warm, one


def _run(src: Path, argv: list[str]) -> tuple[str, float]:
    """Run ``python argv`` with ``src`` first on the path; (stdout, wall seconds)."""
    env = {**os.environ, "PYTHONPATH": str(src), "TQDM_DISABLE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *argv], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 3):  # 3: some inputs rejected
        raise SystemExit(f"{' '.join(argv[:3])} failed ({proc.returncode}):\n{err[-3000:]}")
    return out, wall


def measure(src: Path, label: str, files: tuple[Path, Path, Path], stages: bool,
            extra: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    corpus, warm, one = files
    result: dict[str, Any] = {"version": label}
    for enrich in (True, False):
        out, _ = _run(src, ["-c", _DRIVER, str(corpus), str(warm), "1" if enrich else "0",
                                  "0", json.dumps(extra)])  # fmt: skip
        row = json.loads(out.strip().splitlines()[-1])
        row["articles_per_s"] = row["added"] / row["wall_s"]
        result["enrich" if enrich else "no_enrich"] = row
        print(f"  {label:<10} enrich={'on ' if enrich else 'off'} {row['added']} articles,"
              f" {row['stories']} stories: {row['articles_per_s']:.2f} articles/s"
              f" (wall {row['wall_s']:.1f} s, CPU {row['cpu_s']:.1f} s,"
              f" peak RSS {row['peak_rss_mb']:.0f} MB)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "one.db")
        _, first = _run(src, ["-m", "storyline.cli", "--db", db, "ingest", "--no-progress",
                                 str(one)])  # fmt: skip
        _, listing = _run(src, ["-m", "storyline.cli", "--db", db, "stories"])
    result["first_article_s"], result["stories_cmd_s"] = first, listing
    print(f"  {label:<10} one article in a cold process: {first:.1f} s; `stories`:"
          f" {listing:.1f} s", flush=True)
    if stages:
        out, _ = _run(src, ["-c", _DRIVER, str(corpus), str(warm), "1", "1",
                               json.dumps({**extra, "workers": 1} if label == "current"
                                          else extra)])  # fmt: skip
        timing = json.loads(out.strip().splitlines()[-1])["stages"]
        total = sum(timing.values()) or 1.0
        result["stage_cpu_s"] = timing
        print("  " + label + " stage CPU: " + ", ".join(
            f"{k} {v:.1f} s ({100 * v / total:.0f} %)" for k, v in
            sorted(timing.items(), key=lambda kv: -kv[1])), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="commit to compare with")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--stages", action="store_true", help="CPU per stage (workers = 1)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    if not ECBPLUS.exists():
        print(f"needs {ECBPLUS}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = build_corpus(folder, args.articles)
        results = {"date": datetime.now(UTC).date().isoformat(), "articles": args.articles,
                   "baseline": args.baseline, "cpus": os.cpu_count()}  # fmt: skip
        if not args.skip_baseline:
            base = folder / "baseline"
            base.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", args.baseline, "src"],
                                     check=True, capture_output=True).stdout  # fmt: skip
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
            results["before"] = measure(base / "src", args.baseline, files, False, {})
        results["after"] = measure(REPO / "src", "current", files, args.stages, {})
        if "before" in results:
            for key in ("enrich", "no_enrich"):
                ratio = (results["after"][key]["articles_per_s"]
                         / results["before"][key]["articles_per_s"])  # fmt: skip
                results[f"ratio_{key}"] = ratio
                print(f"ratio ({key.replace('_', ' ')}): {ratio:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
