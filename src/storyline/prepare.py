"""Per-article stages that need no store, in worker processes: keywords, vectors and the
store-free half of enrichment.

``prepare_batch`` is a plain function over a batch of articles (what a process pool, or a
distributed engine, maps over): it fills ``keywords``, ``head_vector`` and ``body_vector``
(``stories/features.py``, ``embedding.py``) and, when asked, analyses the batch
(``enrich.developments.analyse_articles``: spaCy, entities with the batch's identities, dates,
attributions, developments); it returns only what it computed, so that little travels back.
The writer then gives the entities their store-wide identity (``resolve_stored``).

``Preparer`` runs it over a stream of batches either in this process or in ``workers`` spawned
processes, each loading its models once on its first batch, a few batches ahead of the caller;
results come back in submission order, so the single writer still assigns stories in time
order, and the stories are the same whatever the number of workers.

An unexpected exception in one article's stage (a bug meeting hostile input) does not fail
the batch, nor, in worker processes, the ingest: ``isolate`` runs the batch's articles one at a
time to find the one(s) that raise, makes each a ``Rejection`` ("internal error in <stage>:
…", the traceback logged) and runs the rest again as one batch, so the other articles get what
a batch without the bad ones gives them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

import numpy as np

from storyline.embedding import Encoder, MiniLMEncoder, embed_articles
from storyline.enrich.developments import Analysed, EnrichOptions, analyse_articles
from storyline.errors import ModelError, StoreError
from storyline.models import Article, Rejection
from storyline.stories.features import add_keywords

log = logging.getLogger(__name__)

Vectors = dict[str, tuple[np.ndarray, np.ndarray]]
T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class Prepared:
    """What ``prepare_batch`` computed for one article."""

    article_id: str
    keywords: list[str]
    head_vector: np.ndarray | None
    body_vector: np.ndarray | None
    #: The store-free half of its enrichment (None when enrichment is off).
    analysed: Analysed | None = None
    #: Set when a stage raised on this article (``isolate``): it goes no further.
    rejection: Rejection | None = None


_ENCODER: Encoder | None = None


@dataclass(frozen=True, slots=True)
class PrepareOptions:
    """What ``prepare_batch`` runs besides keywords and vectors."""

    #: Analyse the articles (the store-free half of enrichment).
    enrich: bool = True
    enrich_options: EnrichOptions = EnrichOptions()


def prepare_batch(
    articles: Sequence[Article], *, cached: Vectors | None = None, encoder: Encoder | None = None,
    options: PrepareOptions | None = None,
) -> list[Prepared]:
    """Keywords, vectors (``cached`` vectors by article id are reused) and, when
    ``options.enrich``, the analysis of a batch. An article a stage raises on comes back with
    its ``rejection`` set (see ``isolate``)."""
    global _ENCODER
    options = options or PrepareOptions()
    if encoder is None:
        _ENCODER = _ENCODER or MiniLMEncoder()
        encoder = _ENCODER
    model = encoder
    rejections: dict[str, Rejection] = {}
    kept, _, failed = isolate("keywords", articles, add_keywords)
    rejections |= failed
    kept, _, failed = isolate(
        "embedding", kept, lambda batch: embed_articles(batch, model, cached=cached)
    )
    rejections |= failed
    analysed: Sequence[Analysed | None] = [None] * len(kept)
    if options.enrich:
        kept, done, failed = isolate(
            "analysis", kept, lambda batch: analyse_articles(batch, options=options.enrich_options)
        )
        rejections |= failed
        analysed = done if done is not None else []
    prepared = [Prepared(a.id, a.keywords, a.head_vector, a.body_vector, done)
                for a, done in zip(kept, analysed, strict=True)]  # fmt: skip
    prepared += [Prepared(a.id, [], None, None, rejection=rejections[a.id])
                 for a in articles if a.id in rejections]  # fmt: skip
    return prepared


def internal_rejection(source: str, stage: str, exc: BaseException) -> Rejection:
    """The rejection of an item a stage raised on unexpectedly (the traceback is logged)."""
    log.error("internal error in %s on %s", stage, source, exc_info=exc)
    return Rejection(source, stage, f"internal error in {stage}: {type(exc).__name__}: {exc}")


def isolate(
    stage: str, articles: Sequence[Article], run: Callable[[list[Article]], R]
) -> tuple[list[Article], R | None, dict[str, Rejection]]:
    """``run(articles)`` for a batch stage, isolating the articles it raises on.

    Returns the articles kept, ``run``'s result over them (None when none is left) and the
    rejections by article id. On an exception the articles are run one at a time; those that
    raise are rejected and the others run again as one batch, so a batch-level stage
    (embedding, spaCy) gives them what it gives a batch without the bad ones. When no single
    article raises, or the rerun does, the whole batch is rejected. ``ModelError`` (a model
    that cannot load) and ``StoreError`` are not an article's fault and are raised."""
    batch = list(articles)
    try:
        return batch, run(batch), {}
    except (ModelError, StoreError):
        raise
    except Exception as exc:
        first = exc
    if len(batch) == 1:
        return [], None, {batch[0].id: internal_rejection(batch[0].source, stage, first)}
    log.warning("%s failed on a batch of %d (%s); retrying one article at a time", stage,
                len(batch), first)  # fmt: skip
    bad: dict[str, Rejection] = {}
    for article in batch:
        try:
            run([article])
        except (ModelError, StoreError):
            raise
        except Exception as exc:
            bad[article.id] = internal_rejection(article.source, stage, exc)
    if not bad:  # it fails only together: nobody to blame, so nobody goes on
        return [], None, {a.id: internal_rejection(a.source, stage, first) for a in batch}
    good = [a for a in batch if a.id not in bad]
    if not good:
        return [], None, bad
    try:
        result = run(good)
    except (ModelError, StoreError):
        raise
    except Exception as exc:
        return [], None, bad | {a.id: internal_rejection(a.source, stage, exc) for a in good}
    return good, result, bad


def apply(articles: Sequence[Article], prepared: Sequence[Prepared]) -> list[Analysed] | None:
    """Copy ``prepare_batch``'s results onto the caller's articles (matched by id); returns
    their analyses in the articles' order (None when enrichment was off). The articles must
    be those ``split`` kept."""
    by_id = {p.article_id: p for p in prepared}
    analysed: list[Analysed] = []
    for article in articles:
        done = by_id[article.id]
        article.keywords = done.keywords
        article.head_vector, article.body_vector = done.head_vector, done.body_vector
        if done.analysed is not None:
            analysed.append(done.analysed)
    return analysed if len(analysed) == len(articles) and articles else None


def split(articles: Sequence[Article], prepared: Sequence[Prepared]
          ) -> tuple[list[Article], dict[str, Rejection]]:  # fmt: skip
    """The articles ``prepare_batch`` did not reject, and its rejections by article id."""
    rejected = {p.article_id: p.rejection for p in prepared if p.rejection is not None}
    return [a for a in articles if a.id not in rejected], rejected


#: Seconds between a worker's checks that the ingest that started it is still alive.
PARENT_CHECK_SECONDS = 1.0


def _init_worker() -> None:
    """One thread per worker: the processes, not threads, use the cores. A worker exits when
    its parent dies: after a ``kill -9`` of the ingest (or the OOM killer) nobody would ever
    shut the pool down, and each worker holds its models (~550 MB)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="storyline-parent-watch", daemon=True).start()


def _prepare_in_worker(articles: list[Article], cached: Vectors, options: PrepareOptions
                       ) -> list[Prepared]:  # fmt: skip
    return prepare_batch(articles, cached=cached, options=options)


class Preparer(Generic[T]):
    """Runs ``prepare_batch`` over a stream of ``(articles, cached, tag)`` items and yields
    ``(articles, analyses, tag, rejections)`` in order, the articles filled (those not
    rejected; analyses as ``apply`` returns them; rejections by article id). With ``workers``
    > 1 (and the default encoder) the batches go to that many spawned processes, ``ahead``
    batches in flight."""

    def __init__(self, *, workers: int = 1, encoder: Encoder | None = None,
                 options: PrepareOptions | None = None, ahead: int | None = None
                 ) -> None:  # fmt: skip
        self.encoder = encoder
        self.options = options or PrepareOptions()
        self.workers = workers if encoder is None else 1
        self.ahead = ahead or 2 * self.workers
        self._pool: ProcessPoolExecutor | None = None

    def run(self, items: Iterable[tuple[list[Article], Vectors, T]]
            ) -> Iterator[tuple[list[Article], list[Analysed] | None, T, dict[str, Rejection]]
                          ]:  # fmt: skip
        if self._in_process():
            for articles, cached, tag in items:
                done = prepare_batch(articles, cached=cached, encoder=self.encoder,
                                     options=self.options)  # fmt: skip
                kept, rejections = split(articles, done)
                yield kept, apply(kept, done), tag, rejections
            return
        pending: deque[tuple[list[Article], T, Future[list[Prepared]]]] = deque()
        for articles, cached, tag in items:
            # What the stages read, without the raw input (it can be large and is not needed).
            light = [replace(a, raw="") for a in articles]
            pending.append((articles, tag, self._submit(light, cached)))
            while len(pending) >= self.ahead:
                yield self._collect(pending.popleft())
        while pending:
            yield self._collect(pending.popleft())

    @staticmethod
    def _collect(item: tuple[list[Article], T, Future[list[Prepared]]]
                 ) -> tuple[list[Article], list[Analysed] | None, T, dict[str, Rejection]
                            ]:  # fmt: skip
        articles, tag, future = item
        try:
            done = future.result()
        except ModelError:
            raise
        except Exception as exc:  # a worker died (memory, signal): say so, plainly
            raise ModelError(
                f"a worker process failed: {exc} (a script that runs the pipeline with"
                " workers > 1 must start it under `if __name__ == '__main__':`, as"
                " multiprocessing's spawn requires; or set workers = 1)"
            ) from exc
        kept, rejections = split(articles, done)
        return kept, apply(kept, done), tag, rejections

    def _in_process(self) -> bool:
        """Whether batches run here rather than in workers."""
        return self.workers <= 1

    def _submit(self, articles: list[Article], cached: Vectors) -> Future[list[Prepared]]:
        """Start ``prepare_batch`` on one batch in a worker (an engine's preparer, such as
        the backfill's on Ray, runs it elsewhere by overriding this)."""
        return self._start().submit(_prepare_in_worker, articles, cached, self.options)

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
            )  # fmt: skip
            log.info("started %d worker processes (pid %d)", self.workers, os.getpid())
        return self._pool

    def close(self) -> None:
        """Stop the worker processes (waits for those running)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
