"""An ingest of many bad lines keeps the first rejections in full and counts the rest."""

from __future__ import annotations

from pathlib import Path

from storyline.config import Settings
from storyline.embedding import DEFAULT_MODEL
from storyline.pipeline import Pipeline
from storyline.store.sqlite import SQLiteStore


def test_report_keeps_the_first_rejections_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(f"{{not json {n}\n" for n in range(1500)), encoding="utf-8")
    with SQLiteStore(tmp_path / "s.db", model_name=DEFAULT_MODEL) as store:
        pipeline = Pipeline(store, settings=Settings(workers=1))
        report = pipeline.ingest_paths([path])
        assert report.rejected == 1500 and report.added == 0
        assert len(report.rejections) == 1000 and report.rejections_omitted == 500
        assert report.rejections[0].source.endswith("bad.jsonl:1")
        pipeline.keep_rejections = None
        assert len(pipeline.ingest_paths([path]).rejections) == 1500
