"""``storyline backfill``: an archive through the pipeline, its per-article stages on an engine.

    input files ──► read + extract ──► spool ──────────► Pipeline.ingest_articles
    (walked in     (engine: local     (spool.py: an      chunks of chunk_size: sign-offs,
     the driver)    processes, or a    external sort by   copies, batches → keywords, vectors,
                    Ray Data actor     time on the        enrichment (engine workers) → one
                    pool)              driver's disk)     writer: entities, evidence,
                                                          assignment, store

Story assignment stays online in publication order, by one writer (this process), exactly as
in ``storyline ingest``: the spool hands the pipeline every article in ``(published, id)``
order, and from there the pipeline's own stages run, with the engine's workers doing the
store-free ones. An input that an ingest reads as one chunk (``chunk_size`` records) thus gives
the same articles, vectors and stories; a bigger one is better ordered than an ingest's, which
sorts each chunk only.

Resumable: articles have stable ids and the pipeline skips those stored, before any model
stage, so a re-run of a killed backfill reads and extracts everything again and stores only
what is missing (``kill -9`` loses at most the batch in flight). A killed run leaves its spool
directory behind (in ``--spool``, or the system's temporary directory); the next backfill on
the same machine with the same spool location removes it (``remove_stale_spools``).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Protocol

from storyline.backfill.spool import RUN_SIZE, Spool
from storyline.backfill.stages import ReadExtractOptions
from storyline.config import Settings
from storyline.errors import ConfigError
from storyline.ingest.readers import input_files
from storyline.models import Article, IngestReport, Rejection
from storyline.pipeline import Pipeline
from storyline.prepare import PrepareOptions, Preparer
from storyline.store.base import Store

log = logging.getLogger(__name__)

ENGINES = ("local", "ray")

#: Default object store of a local Ray cluster (``--object-store-mb``): articles travel
#: through it a batch at a time, so a small one suffices; Ray spills to disk beyond it.
OBJECT_STORE_MB = 512


class Engine(Protocol):
    """Where the per-article stages run (``local.LocalEngine``, ``ray_engine.RayEngine``)."""

    name: str
    workers: int

    def spool_inputs(self, files: Sequence[Path], *, options: ReadExtractOptions, spool: Spool,
                     progress: Callable[[int], None] | None = None) -> None:  # fmt: skip
        """Read and extract ``files`` into ``spool``."""

    def preparer(self, options: PrepareOptions) -> Preparer[tuple[list[Article], int]]:
        """What runs ``prepare_batch`` over the pipeline's batches."""

    def close(self) -> None:
        """Release the workers."""


@dataclass(frozen=True, slots=True)
class BackfillOptions:
    """How a backfill runs (the pipeline's own settings come from ``Settings``)."""

    engine: str = "local"
    #: Workers (processes or Ray actors) per stage; None: the ``workers`` setting.
    workers: int | None = None
    #: Where the spool's sorted runs go (None: the system's temporary directory).
    spool_dir: Path | None = None
    #: Object store of a local Ray cluster, in MiB (ignored with ``RAY_ADDRESS``).
    object_store_mb: int = OBJECT_STORE_MB
    #: Articles per sorted run (memory while spooling).
    run_size: int = RUN_SIZE


@dataclass(frozen=True, slots=True)
class BackfillReport:
    """What a backfill did: the pipeline's report, and the time each phase took."""

    report: IngestReport
    files: int
    extracted: int
    read_seconds: float
    ingest_seconds: float


class Progress(Protocol):
    """What a front end is told as a backfill goes (the CLI draws a bar)."""

    def phase(self, name: str, total: int | None) -> None:
        """A phase starts: ``reading`` (total: input files) or ``ingesting`` (items)."""

    def advance(self, n: int) -> None:
        """``n`` more items done in the current phase."""


def _spool_prefix() -> str:
    return f"storyline-backfill-{socket.gethostname()}-"


def remove_stale_spools(parent: Path) -> list[Path]:
    """Remove the spool directories in ``parent`` that killed backfills on this machine left
    (their process is gone); returns them. A live backfill's spool is left alone."""
    removed = []
    for path in parent.glob(f"{_spool_prefix()}*"):
        pid = path.name.removeprefix(_spool_prefix()).split("-", 1)[0]
        if not path.is_dir() or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
            log.info("removed the spool of a stopped backfill: %s", path)
        except PermissionError:  # another user's live process
            continue
    return removed


def make_engine(options: BackfillOptions, settings: Settings) -> Engine:
    """The engine ``options`` name, started (a Ray cluster is joined or started here)."""
    workers = options.workers or settings.workers
    if not 1 <= workers <= 256:
        raise ConfigError(f"--workers must be between 1 and 256, got {workers}")
    if options.engine == "local":
        from storyline.backfill.local import LocalEngine

        return LocalEngine(workers=workers)
    if options.engine == "ray":
        from storyline.backfill.ray_engine import RayEngine

        return RayEngine(workers=workers, object_store_bytes=options.object_store_mb << 20)
    raise ConfigError(f"unknown engine {options.engine!r} (one of {', '.join(ENGINES)})")


def backfill(
    paths: Sequence[str | os.PathLike[str]], store: Store, *, settings: Settings | None = None,
    options: BackfillOptions | None = None, progress: Progress | None = None,
    engine: Engine | None = None,
) -> BackfillReport:
    """Backfill ``paths`` (files and directories, as ``storyline ingest`` reads them) into
    ``store`` on the engine ``options`` names (or on ``engine``, which it then closes); see
    the module docstring."""

    settings = settings or Settings()
    options = options or BackfillOptions()
    engine = engine or make_engine(options, settings)
    try:
        parent = options.spool_dir or Path(tempfile.gettempdir())
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale_spools(parent)
        with tempfile.TemporaryDirectory(prefix=f"{_spool_prefix()}{os.getpid()}-",
                                         dir=parent) as tmp:  # fmt: skip
            spool = Spool(Path(tmp), run_size=options.run_size)
            try:
                started = time.perf_counter()
                files: list[Path] = []
                missing: list[Rejection] = []
                for item in input_files(paths):
                    if isinstance(item, Rejection):
                        missing.append(item)
                    else:
                        files.append(item)
                spool.add(missing)
                if progress:
                    progress.phase("reading", None)
                read_options = ReadExtractOptions(
                    max_bytes=settings.max_bytes, min_words=settings.min_words,
                    fallback_time=datetime.now(UTC),
                )
                engine.spool_inputs(files, options=read_options, spool=spool,
                                    progress=progress.advance if progress else None)
                read_seconds = time.perf_counter() - started
                log.info("backfill: %d files, %d articles and %d rejections read in %.1f s",
                         len(files), spool.articles, spool.rejected, read_seconds)
                started = time.perf_counter()
                if progress:
                    progress.phase("ingesting", spool.articles + spool.rejected)
                pipeline = Pipeline(store, settings=settings, preparer=engine.preparer)
                report = pipeline.ingest_articles(
                    chain(spool.rejections(), spool.sorted()),
                    progress=progress.advance if progress else None,
                )
            finally:
                spool.close()
    finally:
        engine.close()
    return BackfillReport(report, len(files), spool.articles, read_seconds,
                          time.perf_counter() - started)
