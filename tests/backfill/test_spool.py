"""The backfill's external sort (spool.py) and its read-and-extract stage (stages.py): fast,
no models."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storyline.backfill.local import extract_to_runs
from storyline.backfill.spool import Spool
from storyline.backfill.stages import ReadExtractOptions, read_extract
from storyline.models import Article, Rejection

BODY = "The council met on Tuesday to discuss the new harbour wall and its cost to residents."


def _article(n: int, published: datetime) -> Article:
    return Article(id=f"a{n:05d}", title=f"Title {n}", text=BODY, published=published,
                   authors=[], outlet=None, url=None, language="en", source=f"in:{n}",
                   raw_kind="jsonl")  # fmt: skip


def test_spool_merges_runs_in_time_order_in_bounded_runs(tmp_path: Path) -> None:
    """Shuffled articles come out in (published, id) order across many small runs; the
    rejections come back apart, in order."""
    rng = random.Random(14)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    articles = [_article(n, start + timedelta(hours=rng.randrange(500))) for n in range(300)]
    rng.shuffle(articles)
    spool = Spool(tmp_path, run_size=16)
    spool.add(articles[:150])
    spool.add([Rejection("bad:1", "read", "broken"), *articles[150:],
               Rejection("bad:2", "extract", "empty")])  # fmt: skip
    assert len(list(tmp_path.glob("*.run"))) == 300 // 16  # the rest is still buffered
    out = list(spool.sorted())
    spool.close()
    assert [(a.published, a.id) for a in out] == sorted((a.published, a.id) for a in articles)
    assert [r.source for r in spool.rejections()] == ["bad:1", "bad:2"]
    assert spool.articles == 300 and spool.rejected == 2


def test_read_extract_hands_back_bounded_chunks(tmp_path: Path) -> None:
    """A JSONL file comes back in chunks of at most ``chunk_items``, its bad lines as
    rejections; a worker's runs and rejections join the spool."""
    lines = [json.dumps({"url": f"https://example.com/{n}", "title": f"Harbour wall {n}",
                         "text": f"{BODY} Item {n}.", "published": f"2024-03-{1 + n % 28:02d}"})
             for n in range(50)]  # fmt: skip
    lines.insert(10, "{not json")
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = ReadExtractOptions(chunk_items=8)
    chunks = list(read_extract([path], options=options))
    assert all(len(c) <= 8 for c in chunks)
    items = [i for c in chunks for i in c]
    assert sum(isinstance(i, Article) for i in items) == 50
    assert [i.source for i in items if isinstance(i, Rejection)] == [f"{path}:11"]

    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    done = extract_to_runs(path, options=options, directory=spool_dir, name="f0", run_size=20)
    assert (done.articles, done.rejected, len(done.runs)) == (50, 1, 3)
    spool = Spool(spool_dir)
    spool.add_runs(done.runs, articles=done.articles, rejections=done.rejections,
                   rejected=done.rejected)  # fmt: skip
    out = list(spool.sorted())
    spool.close()
    assert [a.published for a in out] == sorted(a.published for a in out)
    assert len({a.id for a in out}) == 50
    assert len(list(spool.rejections())) == 1
