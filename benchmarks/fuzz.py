"""Fuzz every input format longer than CI does, and count what happens.

    python benchmarks/fuzz.py [--per-format 5000] [--formats text,html,...] [--seed 0]
                              [--limit 5.0] [--json results.json]

**Inputs.** The Hypothesis strategies of ``tests/fuzz/strategies.py``: for each format (text
dumps, HTML, JSON Lines, RSS/Atom, WARC, gzip of the others) ``--per-format`` generated files
that look like the format but carry hostile parts (see that module's docstring). Generation
only: nothing is shrunk, so a crash is counted and the run goes on. ``--seed`` makes the run
reproducible.

**What is run** on each input: read → extract → keywords → store write and read-back
(``strategies.exercise``), the model-free stages, as in ``tests/fuzz``.

**Table**, one row per format:

- *tried*: inputs generated and run;
- *articles*: inputs that gave at least one stored article;
- *rejected*: inputs that gave only rejections (bad input refused cleanly, with a reason);
- *crashed*: inputs that raised out of the stages (exception type counts listed below);
- *slow*: inputs over ``--limit`` CPU seconds (or abandoned as hung after the wall limit);
- *max s*: the most CPU seconds one input took;
- *peak RSS*: the process's peak resident memory after the format (``ru_maxrss``; it only
  grows, so each row includes the rows before it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "fuzz"))
sys.path.insert(0, str(REPO / "src"))

import strategies  # noqa: E402  (tests/fuzz/strategies.py, put on the path above)
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402


def run_format(fmt: str, *, n: int, seed_value: int, limit: float, root: Path) -> dict[str, Any]:
    """Run ``n`` generated inputs of ``fmt``; return the row of counts."""
    stores = strategies.StoreRotation(root)
    row: dict[str, Any] = {
        "format": fmt, "tried": 0, "articles": 0, "rejected": 0, "crashed": 0, "slow": 0,
        "max_s": 0.0, "crashes": Counter(), "examples": {},
    }
    started = time.perf_counter()

    @seed(seed_value)
    @settings(
        max_examples=n, deadline=None, database=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(item=strategies.FORMATS[fmt]())
    def one(item: strategies.InputFile) -> None:
        row["tried"] += 1
        cpu0 = time.process_time()
        try:
            with strategies.hang_guard():
                outcome = strategies.exercise(item, root, stores)
        except (Exception, strategies.InputHung) as exc:  # counted, never raised
            cpu = time.process_time() - cpu0
            kind = type(exc).__name__
            if isinstance(exc, strategies.InputHung):
                row["slow"] += 1
            row["crashed"] += 1
            row["crashes"][kind] += 1
            row["max_s"] = max(row["max_s"], cpu)
            if kind not in row["examples"]:
                frame = traceback.extract_tb(exc.__traceback__)
                ours = [f for f in frame if "/storyline/" in f.filename]
                where = next(
                    (f"{f.filename}:{f.lineno}" for f in reversed(ours)),
                    f"{frame[-1].filename}:{frame[-1].lineno}" if frame else "?",
                )
                row["examples"][kind] = {
                    "name": item.name, "bytes": len(item.data), "head": repr(item.data[:200]),
                    "error": str(exc)[:300], "where": where,
                }
            return
        row["max_s"] = max(row["max_s"], outcome.cpu_s)
        if outcome.cpu_s > limit:
            row["slow"] += 1
        if outcome.articles:
            row["articles"] += 1
        else:
            row["rejected"] += 1

    one()
    stores.close()
    row["seconds"] = round(time.perf_counter() - started, 1)
    row["peak_rss_mib"] = round(strategies.peak_rss_bytes() / 2**20)
    row["crashes"] = dict(row["crashes"])
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-format", type=int, default=5000, help="inputs per format")
    parser.add_argument("--formats", default=",".join(strategies.FORMATS),
                        help="comma-separated formats to run")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed")
    parser.add_argument("--limit", type=float, default=strategies.PER_INPUT_LIMIT_S,
                        help="CPU seconds per input over which it counts as slow")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    import warnings

    warnings.simplefilter("ignore")  # library warnings are not what is counted here
    rows = []
    with tempfile.TemporaryDirectory(prefix="storyline-fuzz-") as tmp:
        for fmt in args.formats.split(","):
            rows.append(run_format(fmt, n=args.per_format, seed_value=args.seed,
                                   limit=args.limit, root=Path(tmp)))
            print(f"{fmt}: done in {rows[-1]['seconds']} s", file=sys.stderr)
    head = f"{'format':<7}{'tried':>7}{'articles':>9}{'rejected':>9}{'crashed':>8}{'slow':>6}"
    print(head + f"{'max s':>8}{'peak RSS':>10}{'wall s':>8}")
    for r in rows:
        print(
            f"{r['format']:<7}{r['tried']:>7}{r['articles']:>9}{r['rejected']:>9}"
            f"{r['crashed']:>8}{r['slow']:>6}{r['max_s']:>8.2f}{r['peak_rss_mib']:>6} MiB"
            f"{r['seconds']:>8}"
        )
    for r in rows:
        for kind, count in r["crashes"].items():
            ex = r["examples"][kind]
            print(f"  {r['format']}: {count} x {kind} at {ex['where']}: {ex['error'][:120]}")
            print(f"      first: {ex['name']} ({ex['bytes']} bytes) {ex['head'][:120]}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 1 if any(r["crashed"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
