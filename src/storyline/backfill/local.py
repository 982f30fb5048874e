"""The local engine: the backfill's stages in a process pool on this machine.

Reading and extraction run over the input files in ``workers`` spawned processes, each writing
its articles as sorted runs into the spool directory (same machine, same disk: nothing travels
back but file names); keywords, vectors and enrichment run in ``prepare.Preparer``'s pool,
which ``storyline ingest`` uses too. With one worker everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from storyline.backfill.spool import RUN_SIZE, Spool, write_rejections, write_run
from storyline.backfill.stages import ReadExtractOptions, read_extract
from storyline.models import Article, Rejection
from storyline.prepare import PrepareOptions, Preparer, _init_worker


@dataclass(frozen=True, slots=True)
class SpooledFile:
    """What one input file became: sorted runs of its articles, and its rejections."""

    runs: list[Path]
    articles: int
    rejections: Path
    rejected: int


def extract_to_runs(path: Path, *, options: ReadExtractOptions, directory: Path, name: str,
                    run_size: int = RUN_SIZE) -> SpooledFile:  # fmt: skip
    """Read and extract one input file into sorted runs of at most ``run_size`` articles in
    ``directory`` (named after ``name``)."""
    runs: list[Path] = []
    buffer: list[Article] = []
    articles = rejected = 0
    rejections = directory / f"{name}.rejections"
    for chunk in read_extract([path], options=options):
        rejected += write_rejections((i for i in chunk if isinstance(i, Rejection)), rejections)
        for item in chunk:
            if isinstance(item, Article):
                buffer.append(item)
                articles += 1
        if len(buffer) >= run_size:
            runs.append(write_run(buffer, directory, f"{name}-{len(runs)}"))
            buffer = []
    if buffer:
        runs.append(write_run(buffer, directory, f"{name}-{len(runs)}"))
    return SpooledFile(runs, articles, rejections, rejected)


class LocalEngine:
    """The backfill's stages in ``workers`` processes on this machine."""

    name = "local"

    def __init__(self, *, workers: int) -> None:
        self.workers = max(1, workers)

    def spool_inputs(self, files: Sequence[Path], *, options: ReadExtractOptions, spool: Spool,
                     progress: Callable[[int], None] | None = None) -> None:  # fmt: skip
        """Read and extract ``files`` into ``spool``; ``progress(n)`` as articles come."""

        def take(done: SpooledFile) -> None:
            spool.add_runs(done.runs, articles=done.articles, rejections=done.rejections,
                           rejected=done.rejected)  # fmt: skip
            if progress:
                progress(done.articles + done.rejected)

        work = partial(extract_to_runs, options=options, directory=spool.directory,
                       run_size=spool.run_size)
        if self.workers == 1 or len(files) <= 1:
            for n, path in enumerate(files):
                take(work(path, name=f"f{n}"))
            return
        pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_init_worker,
                                   mp_context=multiprocessing.get_context("spawn"))
        try:
            pending: deque[Future[SpooledFile]] = deque()
            for n, path in enumerate(files):
                pending.append(pool.submit(work, path, name=f"f{n}"))
                while len(pending) >= 2 * self.workers:
                    take(pending.popleft().result())
            while pending:
                take(pending.popleft().result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def preparer(self, options: PrepareOptions) -> Preparer[tuple[list[Article], int]]:
        """Keywords, vectors and enrichment in ``workers`` processes (``prepare.py``)."""
        return Preparer(workers=self.workers, options=options)

    def close(self) -> None:
        """Nothing stays up between runs."""
