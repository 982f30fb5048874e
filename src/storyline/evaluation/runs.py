"""Entry points of ``storyline eval``: each runs one benchmark and returns (table, results).

The CLI only prints the table and writes the results as JSON; everything measured is a library
call. Embeddings of benchmark texts are cached on disk (``STORYLINE_EVAL_CACHE``, default
``/tmp/storyline-eval-cache``) so that re-running an evaluation costs only the scoring; the
cache is keyed by the model's name and a hash of each text, so a changed model never reuses
stale vectors.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from storyline.embedding import Encoder

log = logging.getLogger(__name__)

#: Where the shared benchmark data sets live: ``../shared/data`` beside the repository.
SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
#: The demo corpus, its gold manifest, and the seed articles (their own gold story).
REPO = Path(__file__).resolve().parents[3]
DEMO_DIR = REPO / "demo"
SEEDS_DIR = REPO.parent / "shared" / "samples" / "seeds"


class CachedEncoder:
    """An encoder that remembers every text it embedded, in a ``.npz`` file per model.

    Used only by the evaluations: the pipeline's own cache is the store.
    """

    def __init__(self, inner: Encoder, *, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        folder = Path(cache_dir or os.environ.get("STORYLINE_EVAL_CACHE",
                                                  "/tmp/storyline-eval-cache"))
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in inner.name)
        self.path = folder / f"{safe}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        if self.path.exists():
            try:
                with np.load(self.path) as data:
                    keys, matrix = data["keys"], data["vectors"]
                self._vectors = {str(k): matrix[i] for i, k in enumerate(keys)}
            except (OSError, ValueError, KeyError) as exc:
                log.warning("ignoring unreadable embedding cache %s: %s", self.path, exc)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts``, computing only those not cached yet."""
        keys = [self._key(t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        if todo:
            first = {k: t for k, t in zip(keys, texts, strict=True)}
            fresh = self.inner.encode([first[k] for k in todo])
            for key, vector in zip(todo, fresh, strict=True):
                self._vectors[key] = np.asarray(vector, dtype=np.float32)
            self._dirty = True
        if not keys:
            return self.inner.encode([])
        return np.stack([self._vectors[k] for k in keys])

    def encode_articles(
        self, heads: Sequence[str], leads: Sequence[str], bodies: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Head and body vectors as the inner encoder makes them for articles with a body
        (cached by the three texts)."""
        inner = getattr(self.inner, "encode_articles", None)
        if inner is None:
            return self.encode(heads), self.encode(bodies)
        keys = [self._key(f"article\0{h}\0{le}\0{b}")
                for h, le, b in zip(heads, leads, bodies, strict=True)]  # fmt: skip
        todo = [i for i, k in enumerate(keys) if f"{k}h" not in self._vectors]
        if todo:
            head_vecs, body_vecs = inner([heads[i] for i in todo], [leads[i] for i in todo],
                                         [bodies[i] for i in todo])  # fmt: skip
            for i, head, body in zip(todo, head_vecs, body_vecs, strict=True):
                self._vectors[f"{keys[i]}h"] = np.asarray(head, dtype=np.float32)
                self._vectors[f"{keys[i]}b"] = np.asarray(body, dtype=np.float32)
            self._dirty = True
        return (np.stack([self._vectors[f"{k}h"] for k in keys]),
                np.stack([self._vectors[f"{k}b"] for k in keys]))

    def save(self) -> None:
        """Write the cache (only when something new was embedded)."""
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self._vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self._vectors[k] for k in keys]))
        tmp.replace(self.path)
        self._dirty = False


def _encoder() -> CachedEncoder:
    from storyline.embedding import default_encoder

    return CachedEncoder(default_encoder())


def run_pairs(*, data: str | None = None, limit: int | None = None) -> tuple[str, dict[str, Any]]:
    """SemEval-2022 Task 8 pairs: Storyline's pair score and TF-IDF cosine vs gold ``overall``."""
    from storyline.evaluation.pairs import evaluate_pairs, format_pairs

    path = Path(data) if data else SHARED_DATA / "semeval2022" / "train.jsonl.gz"
    encoder = _encoder()
    try:
        report = evaluate_pairs(path, encoder=encoder, limit=limit)
    finally:
        encoder.save()
    return format_pairs(report), report


def run_stream(
    *, data: str | None = None, limit: int | None = None, dataset: str = "all"
) -> tuple[str, dict[str, Any]]:
    """Labelled streams (UCI headlines, the demo corpus, ECB+ look-alike events, the local news
    stream) through the online assigner."""
    from storyline.evaluation.event_model import evaluate_ecbplus
    from storyline.evaluation.stream import (
        LOCAL_STREAMS,
        evaluate_demo,
        evaluate_local,
        evaluate_uci,
        format_stream,
    )

    encoder = _encoder()
    results: dict[str, Any] = {}
    try:
        if dataset in ("uci", "all"):
            path = Path(data) if data and dataset == "uci" else (
                SHARED_DATA / "uci-news-aggregator" / "news.csv.gz")
            results["uci"] = evaluate_uci(path, encoder=encoder, limit=limit)
        if dataset in ("demo", "all"):
            folder = Path(data) if data and dataset == "demo" else DEMO_DIR
            results["demo"] = evaluate_demo(folder, SEEDS_DIR, encoder=encoder,
                                            ecbplus=SHARED_DATA / "ecbplus" / "train.jsonl.gz")
        if dataset in ("ecbplus", "all"):
            path = Path(data) if data and dataset == "ecbplus" else (
                SHARED_DATA / "ecbplus" / "train.jsonl.gz")
            results["ecbplus"] = evaluate_ecbplus(path, encoder=encoder, limit=limit)
        for name in LOCAL_STREAMS:  # demo/local, demo/local2, ...
            if dataset in (name, "all"):
                folder = Path(data) if data and dataset == name else DEMO_DIR / name
                results[name] = evaluate_local(folder, encoder=encoder)
    finally:
        encoder.save()
    return format_stream(results), results


def run_extract(*, data: str | None = None, limit: int | None = None) -> tuple[str, dict[str, Any]]:
    """Article-extraction benchmark (shingle F1); delegates to ``evaluation.extraction``."""
    from storyline.evaluation import extraction  # written alongside; imported lazily

    bench_dir = Path(data) if data else SHARED_DATA / "article-extraction-benchmark"
    report = extraction.evaluate_extraction(bench_dir, limit=limit)
    return extraction.format_report(report), extraction.report_to_json(report)
