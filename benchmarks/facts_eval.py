"""Facts measured on public data, each beside a simple baseline: temporal expressions
(TempEval-3), factuality (UW) and attribution spans (PolNeAR).

    python benchmarks/facts_eval.py [--only timex|factuality|attribution_spans] [--limit N]
                                    [--data DIR] [--json OUT]

Each section is a module of ``storyline.evaluation`` with ``rows(data_dir, limit)``; this script
only prints them as one table (and writes them as JSON with ``--json``). ``--limit N`` takes the
first N documents (or records) of each data set, for a quick look; published figures use all.
A section whose module is missing is skipped with a message, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
SECTIONS = ("timex", "factuality", "attribution_spans")


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=SECTIONS, help="run one section")
    parser.add_argument("--limit", type=int, help="first N documents of each data set")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be at least 1, not {args.limit}")
    if not args.data.is_dir():
        print(f"error: data folder {args.data} does not exist (pass --data DIR: the "
              "shared data folder holding timex/, factuality/ and attribution/)",
              file=sys.stderr)  # fmt: skip
        return 2

    from storyline.errors import StorylineError

    table: list[dict[str, object]] = []
    missing: list[str] = []
    for name in [args.only] if args.only else SECTIONS:
        try:
            module = importlib.import_module(f"storyline.evaluation.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"storyline.evaluation.{name}":
                raise
            print(f"error: section {name!r} skipped: storyline.evaluation.{name} does not "
                  "exist yet (--only NAME runs one section)", file=sys.stderr)  # fmt: skip
            missing.append(name)
            continue
        started = time.perf_counter()
        try:
            section = module.rows(args.data, limit=args.limit)
        except StorylineError as exc:
            print(f"error: section {name!r}: {exc}", file=sys.stderr)
            return 2
        seconds = time.perf_counter() - started
        for row in section:
            table.append({"section": name, **row})
        print(f"{name}: {len(section)} figures in {seconds:.1f} s", file=sys.stderr)

    width = max([len("measure"), *(len(str(r["measure"])) for r in table)])
    print(f"{'measure':<{width}}  {'Storyline':>9}  {'baseline':>9}  target")
    for row in table:
        print(f"{row['measure']!s:<{width}}  {_fmt(row['storyline']):>9}  "
              f"{_fmt(row['baseline']):>9}  {row['target']}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
