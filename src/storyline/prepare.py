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
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

import numpy as np

from storyline.embedding import Encoder, MiniLMEncoder, embed_articles
from storyline.enrich.developments import Analysed, EnrichOptions, analyse_articles
from storyline.errors import ModelError
from storyline.models import Article
from storyline.stories.features import add_keywords

log = logging.getLogger(__name__)

Vectors = dict[str, tuple[np.ndarray, np.ndarray]]
T = TypeVar("T")


@dataclass(slots=True)
class Prepared:
    """What ``prepare_batch`` computed for one article."""

    article_id: str
    keywords: list[str]
    head_vector: np.ndarray | None
    body_vector: np.ndarray | None
    #: The store-free half of its enrichment (None when enrichment is off).
    analysed: Analysed | None = None


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
    ``options.enrich``, the analysis of a batch."""
    global _ENCODER
    options = options or PrepareOptions()
    if encoder is None:
        _ENCODER = _ENCODER or MiniLMEncoder()
        encoder = _ENCODER
    add_keywords(articles)
    embed_articles(articles, encoder, cached=cached)
    analysed: Sequence[Analysed | None] = [None] * len(articles)
    if options.enrich:
        analysed = analyse_articles(articles, options=options.enrich_options)
    return [Prepared(a.id, a.keywords, a.head_vector, a.body_vector, done)
            for a, done in zip(articles, analysed, strict=True)]  # fmt: skip


def apply(articles: Sequence[Article], prepared: Sequence[Prepared]) -> list[Analysed] | None:
    """Copy ``prepare_batch``'s results onto the caller's articles (matched by id); returns
    their analyses in the articles' order (None when enrichment was off)."""
    by_id = {p.article_id: p for p in prepared}
    analysed: list[Analysed] = []
    for article in articles:
        done = by_id[article.id]
        article.keywords = done.keywords
        article.head_vector, article.body_vector = done.head_vector, done.body_vector
        if done.analysed is not None:
            analysed.append(done.analysed)
    return analysed if len(analysed) == len(articles) and articles else None


def _init_worker() -> None:
    """One thread per worker: the processes, not threads, use the cores."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _prepare_in_worker(articles: list[Article], cached: Vectors, options: PrepareOptions
                       ) -> list[Prepared]:  # fmt: skip
    return prepare_batch(articles, cached=cached, options=options)


class Preparer(Generic[T]):
    """Runs ``prepare_batch`` over a stream of ``(articles, cached, tag)`` items and yields
    ``(articles, analyses, tag)`` in order, the articles filled (analyses as ``apply``
    returns them). With ``workers`` > 1 (and the default encoder) the batches go to that many
    spawned processes, ``ahead`` batches in flight."""

    def __init__(self, *, workers: int = 1, encoder: Encoder | None = None,
                 options: PrepareOptions | None = None, ahead: int | None = None
                 ) -> None:  # fmt: skip
        self.encoder = encoder
        self.options = options or PrepareOptions()
        self.workers = workers if encoder is None else 1
        self.ahead = ahead or 2 * self.workers
        self._pool: ProcessPoolExecutor | None = None

    def run(self, items: Iterable[tuple[list[Article], Vectors, T]]
            ) -> Iterator[tuple[list[Article], list[Analysed] | None, T]]:  # fmt: skip
        if self.workers <= 1:
            for articles, cached, tag in items:
                done = prepare_batch(articles, cached=cached, encoder=self.encoder,
                                     options=self.options)  # fmt: skip
                yield articles, apply(articles, done), tag
            return
        pool = self._start()
        pending: deque[tuple[list[Article], T, Future[list[Prepared]]]] = deque()
        for articles, cached, tag in items:
            # What the stages read, without the raw input (it can be large and is not needed).
            light = [replace(a, raw="") for a in articles]
            pending.append((articles, tag, pool.submit(_prepare_in_worker, light, cached,
                                                       self.options)))
            while len(pending) >= self.ahead:
                yield self._collect(pending.popleft())
        while pending:
            yield self._collect(pending.popleft())

    @staticmethod
    def _collect(item: tuple[list[Article], T, Future[list[Prepared]]]
                 ) -> tuple[list[Article], list[Analysed] | None, T]:  # fmt: skip
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
        return articles, apply(articles, done), tag

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
