"""The Ray engine: the backfill's stages on a Ray cluster (the ``storyline[ray]`` extra).

Reading and extraction run as a Ray Data ``map_batches`` over the input files with an actor
pool of ``workers`` actors (each imports extraction and its language model once); their
articles stream back to the driver, which spools them (``spool.py``). Keywords, vectors and
enrichment run in ``workers`` long-lived Ray actors, each loading its models once for the
whole backfill, fed the batches the time-sorted stream forms, a few ahead, and their results
are taken in order (``RayPreparer``: ``prepare.Preparer`` with its process pool swapped for
the actors; the same ``prepare_batch`` runs in both). Those batches are known only as the
single writer reaches them (they depend on the copies and sign-offs found so far), so they
cannot be a Ray Data dataset up front; a dataset per chunk would reload every model per chunk.

``RAY_ADDRESS`` set: connect to that cluster (every node needs ``storyline[ray]`` installed,
as for any Ray job). Unset: start a local one with ``workers`` CPUs and a capped object store.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from storyline.backfill.spool import Spool
from storyline.backfill.stages import ReadExtractOptions, decode, encode, read_extract
from storyline.errors import EngineError
from storyline.models import Article
from storyline.prepare import Prepared, PrepareOptions, Preparer, Vectors, prepare_batch

log = logging.getLogger(__name__)

T = TypeVar("T")

#: What to install when Ray is missing.
MISSING = ("--engine ray needs Ray, which is not installed: pip install 'storyline[ray]' "
           "(or use --engine local)")  # fmt: skip


def import_ray() -> Any:
    """The ``ray`` module with Ray Data, or an ``EngineError`` naming the extra."""
    try:
        import ray
        import ray.data  # noqa: F401 - Ray Data is a separate part of the extra
    except ImportError as exc:
        raise EngineError(MISSING) from exc
    return ray


class _ReadExtractActor:
    """A Ray Data actor: reads and extracts the input files of each batch it is given
    (extraction's language model loads once per actor, on its first file)."""

    def __call__(self, batch: dict[str, np.ndarray], options: ReadExtractOptions
                 ) -> Iterator[dict[str, np.ndarray]]:  # fmt: skip
        for chunk in read_extract([str(p) for p in batch["path"]], options=options):
            yield {"item": np.array(encode(chunk), dtype=object)}


class _PrepareActor:
    """A Ray actor running ``prepare_batch`` (its models load on its first batch)."""

    def __init__(self, options: PrepareOptions) -> None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # one CPU per actor, as in the local pool
        self.options = options

    def prepare(self, articles: list[Article], cached: Vectors) -> list[Prepared]:
        return prepare_batch(articles, cached=cached, options=self.options)


class RayPreparer(Preparer[T], Generic[T]):
    """``prepare.Preparer`` on Ray actors: batches go to ``workers`` actors in turn, ``2 ×
    workers`` in flight, and come back in submission order."""

    def __init__(self, ray: Any, *, workers: int, options: PrepareOptions) -> None:
        super().__init__(workers=workers, options=options)
        actor = ray.remote(num_cpus=1)(_PrepareActor)
        self._ray = ray
        self._actors = [actor.remote(self.options) for _ in range(self.workers)]
        self._turn = 0

    def _in_process(self) -> bool:
        return False

    def _submit(self, articles: list[Article], cached: Vectors) -> Future[list[Prepared]]:
        actor = self._actors[self._turn % len(self._actors)]
        self._turn += 1
        future: Future[list[Prepared]] = actor.prepare.remote(articles, cached).future()
        return future

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []


class RayEngine:
    """The backfill's stages on Ray: the cluster at ``RAY_ADDRESS``, else a local one."""

    name = "ray"

    def __init__(self, *, workers: int, object_store_bytes: int) -> None:
        self.workers = max(1, workers)
        self.ray = import_ray()
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        self._started = False
        if not self.ray.is_initialized():
            common: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
            try:
                if os.environ.get("RAY_ADDRESS"):
                    self.ray.init(**common)  # the address comes from the environment
                else:
                    self.ray.init(num_cpus=self.workers, object_store_memory=object_store_bytes,
                                  include_dashboard=False, **common)  # fmt: skip
            except Exception as exc:  # ConnectionError, RuntimeError, ValueError...
                where = os.environ.get("RAY_ADDRESS") or "a local cluster"
                raise EngineError(f"cannot start Ray on {where}: {exc}") from exc
            self._started = True
        context = self.ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the CLI shows its own
        if logging.getLogger().getEffectiveLevel() > logging.INFO:  # no -v: no plan chatter
            logging.getLogger("ray.data").setLevel(logging.ERROR)
        log.info("Ray: %s", self.ray.cluster_resources())

    def spool_inputs(self, files: Sequence[Path], *, options: ReadExtractOptions, spool: Spool,
                     progress: Callable[[int], None] | None = None) -> None:  # fmt: skip
        """Read and extract ``files`` on the cluster into ``spool``."""
        if not files:
            return
        data = self.ray.data
        ds = data.from_items([{"path": str(f)} for f in files],
                             override_num_blocks=len(files))  # fmt: skip
        ds = ds.map_batches(
            _ReadExtractActor, fn_kwargs={"options": options}, batch_size=1,
            batch_format="numpy", num_cpus=1,
            compute=data.ActorPoolStrategy(size=min(self.workers, len(files))),
        )
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            items = decode(batch["item"])
            spool.add(items)
            if progress:
                progress(len(items))

    def preparer(self, options: PrepareOptions) -> RayPreparer[tuple[list[Article], int]]:
        """Keywords, vectors and enrichment in ``workers`` Ray actors."""
        return RayPreparer(self.ray, workers=self.workers, options=options)

    def close(self) -> None:
        """Shut down the local cluster this engine started (a remote one stays up)."""
        if self._started:
            self.ray.shutdown()
            self._started = False
