"""An external sort of extracted articles by publication time, on disk.

Why an external merge sort rather than time buckets: an archive's order says nothing about
publication times (a crawl's WARC files follow crawl time; an old article can sit in any of
them), so buckets would need the time range known in advance and a second pass, or would
spill unevenly (a busy week in one bucket). A merge sort makes one pass to write sorted runs
of ``run_size`` articles and streams their k-way merge: exact global order, whatever the
input order, with ``run_size`` articles in memory while writing and one article per run while
merging. A million articles in runs of 4,096 are 245 open files.

The order is ``(published, id)``, the order an ingest sorts a chunk in, so a backfill of an
input an ingest reads as one chunk feeds the pipeline the same articles in the same order.
Rejections are kept apart, in arrival order.
"""

from __future__ import annotations

import heapq
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from storyline.models import Article, Rejection

#: Articles sorted in memory before a run is written (~20 MB of typical articles).
RUN_SIZE = 4096


def sort_key(article: Article) -> tuple[object, str]:
    """The order of the stream: publication time, then id (as ``Pipeline`` sorts a chunk)."""
    return (article.published, article.id)


def write_run(articles: list[Article], directory: Path, name: str) -> Path:
    """Sort ``articles`` and write them as one run file in ``directory``."""
    articles.sort(key=sort_key)
    path = directory / f"{name}.run"
    with path.open("wb") as out:
        for article in articles:
            pickle.dump(article, out, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def write_rejections(rejections: Iterable[Rejection], path: Path) -> int:
    """Append rejections to a file (read back by ``Spool.rejections``); returns how many."""
    count = 0
    with path.open("ab") as out:
        for rejection in rejections:
            pickle.dump(rejection, out, protocol=pickle.HIGHEST_PROTOCOL)
            count += 1
    return count


def _records(path: Path) -> Iterator[object]:
    with path.open("rb") as f:
        yield from _load_all(f)


def _load_all(f: BinaryIO) -> Iterator[object]:
    while True:
        try:
            yield pickle.load(f)
        except EOFError:
            return


class Spool:
    """Articles in, time-sorted articles out, in bounded memory (see the module docstring).

    ``add`` takes items from anywhere; ``add_runs`` takes runs that workers wrote themselves
    into ``directory`` (the local engine's processes). The directory is the caller's."""

    def __init__(self, directory: Path, *, run_size: int = RUN_SIZE) -> None:
        self.directory = directory
        self.run_size = run_size
        self._buffer: list[Article] = []
        self._runs: list[Path] = []
        self._rejection_files = [directory / "rejections.pickle"]
        self._rejections = self._rejection_files[0].open("ab")
        self._rejected = 0
        #: Articles spooled so far.
        self.articles = 0

    @property
    def rejected(self) -> int:
        """Rejections spooled so far."""
        return self._rejected

    def add(self, items: Iterable[Article | Rejection]) -> None:
        """Spool articles (a run is written whenever ``run_size`` are buffered) and
        rejections."""
        for item in items:
            if isinstance(item, Rejection):
                pickle.dump(item, self._rejections, protocol=pickle.HIGHEST_PROTOCOL)
                self._rejected += 1
                continue
            self._buffer.append(item)
            self.articles += 1
            if len(self._buffer) >= self.run_size:
                self._flush()

    def add_runs(self, runs: Iterable[Path], *, articles: int,
                 rejections: Path | None = None, rejected: int = 0) -> None:  # fmt: skip
        """Take runs a worker wrote (sorted, in ``directory``), holding ``articles``, and the
        file of its ``rejected`` rejections."""
        self._runs.extend(runs)
        self.articles += articles
        if rejections is not None:
            self._rejection_files.append(rejections)
            self._rejected += rejected

    def _flush(self) -> None:
        if self._buffer:
            self._runs.append(write_run(self._buffer, self.directory, f"d{len(self._runs)}"))
            self._buffer = []

    def rejections(self) -> Iterator[Rejection]:
        """The rejections, in the order they came."""
        if not self._rejections.closed:
            self._rejections.flush()
        for path in self._rejection_files:
            for item in _records(path):
                assert isinstance(item, Rejection)
                yield item

    def sorted(self) -> Iterator[Article]:
        """Every article spooled, in ``(published, id)`` order (a k-way merge of the runs)."""
        self._flush()
        streams = [self._articles(path) for path in self._runs]
        yield from heapq.merge(*streams, key=sort_key)

    @staticmethod
    def _articles(path: Path) -> Iterator[Article]:
        for item in _records(path):
            assert isinstance(item, Article)
            yield item

    def close(self) -> None:
        """Close the rejections file (the directory's files stay: the caller removes it)."""
        self._rejections.close()
