"""Per-article isolation (issue 11): an unexpected exception in one article's extraction,
keywords, embedding, analysis or evidence becomes that article's ``Rejection`` ("internal
error in <stage>: …") and the rest of the batch goes on.

The faults are injected where a bug would sit: an encoder that fails on one text (the
pipeline's ``encoder`` argument), and stage functions replaced with ones that raise on one
article's marker word."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from storyline.config import Settings
from storyline.extract import build
from storyline.extract.build import extract_records
from storyline.models import Article, RawRecord, Rejection

pytestmark = pytest.mark.slow

MARKER = "Zyxwvut"
TOPICS = [
    "The harbour authority approved night shifts at the east terminal on Tuesday after a long"
    " dispute with the dock unions over pay and safety rules at the port.",
    "Floodwater closed the river road and two schools in the lower town on Monday as the river"
    " rose above its banks after three days of heavy rain in the hills.",
    "The regional assembly voted to delay the budget by three weeks on Thursday after members"
    " failed to agree on the cost of the new hospital wing and the tram line.",
]
#: Headlines of their own: the same templated headline on short unrelated bodies ("Story
#: number 1", "Story number 2") reads as one story to the same-event score.
TITLES = [
    "Night shifts approved at the east terminal",
    "Floodwater closes river road and two schools",
    "Assembly delays budget by three weeks",
]


class FailingEncoder:
    """A real encoder that fails on any text holding the marker, as a bug would."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "failing")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if any(MARKER in t for t in texts):
            raise RuntimeError("encoder broke on a hostile text")
        return self.inner.encode(texts)  # type: ignore[attr-defined, no-any-return]


def _write_inputs(folder: Path, *, bad: int = 1) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for n, text in enumerate(TOPICS):
        title = f"{TITLES[n]} {MARKER}" if n == bad else TITLES[n]
        path = folder / f"article{n}.txt"
        path.write_text(f"{title}\n\n{text}\n")
        paths.append(path)
    return paths


def _records(folder: Path) -> list[RawRecord]:
    return [RawRecord(str(p), "text", p.read_text()) for p in _write_inputs(folder)]


def test_isolation_extract_error_rejects_one_record(tmp_path: Path, monkeypatch) -> None:
    page_fields = build.page_fields

    def failing(record: RawRecord):  # type: ignore[no-untyped-def]
        if MARKER in record.content:
            raise KeyError("a bug")
        return page_fields(record)

    monkeypatch.setattr(build, "page_fields", failing)
    results = extract_records(_records(tmp_path))
    assert [type(r) for r in results] == [Article, Rejection, Article]
    rejection = results[1]
    assert isinstance(rejection, Rejection)
    assert rejection.stage == "extract"
    assert rejection.reason == "internal error in extract: KeyError: 'a bug'"
    assert rejection.source.endswith("article1.txt")


def test_isolation_embedding_error_rejects_one_article(tmp_path: Path, encoder) -> None:
    from storyline.prepare import PrepareOptions, prepare_batch

    articles = [r for r in extract_records(_records(tmp_path)) if isinstance(r, Article)]
    options = PrepareOptions(enrich=False)
    done = prepare_batch(articles, encoder=FailingEncoder(encoder), options=options)
    failed = [p for p in done if p.rejection is not None]
    assert len(failed) == 1 and failed[0].article_id == articles[1].id
    assert failed[0].rejection is not None
    assert failed[0].rejection.reason == (
        "internal error in embedding: RuntimeError: encoder broke on a hostile text"
    )
    # the others get what a batch without the bad article gives them
    good = [a for a in extract_records(_records(tmp_path)) if isinstance(a, Article)]
    alone = prepare_batch([good[0], good[2]], encoder=FailingEncoder(encoder), options=options)
    by_id = {p.article_id: p for p in done}
    for expected in alone:
        np.testing.assert_array_equal(by_id[expected.article_id].head_vector,
                                      expected.head_vector)  # fmt: skip


def test_isolation_pipeline_embedding_error(tmp_path: Path, store, encoder) -> None:
    from storyline.pipeline import Pipeline

    _write_inputs(tmp_path / "in")
    report = Pipeline(store, settings=Settings(workers=1),
                      encoder=FailingEncoder(encoder)).ingest_paths([tmp_path / "in"])  # fmt: skip
    assert report.added == 2
    (rejection,) = report.rejections
    assert rejection.stage == "embedding"
    assert rejection.reason.startswith("internal error in embedding: RuntimeError")
    assert len(store.list_stories()) == 2


def test_isolation_pipeline_analysis_error(tmp_path: Path, store, encoder, monkeypatch) -> None:
    from storyline import prepare
    from storyline.pipeline import Pipeline

    analyse = prepare.analyse_articles

    def failing(articles: Sequence[Article], **kwargs):  # type: ignore[no-untyped-def]
        if any(MARKER in a.title for a in articles):
            raise ValueError("spaCy broke")
        return analyse(articles, **kwargs)

    monkeypatch.setattr(prepare, "analyse_articles", failing)
    _write_inputs(tmp_path / "in", bad=0)
    report = Pipeline(store, settings=Settings(workers=1),
                      encoder=encoder).ingest_paths([tmp_path / "in"])  # fmt: skip
    assert report.added == 2
    (rejection,) = report.rejections
    assert (rejection.stage, rejection.reason) == (
        "analysis", "internal error in analysis: ValueError: spaCy broke"
    )
    assert rejection.source.endswith("article0.txt")
    assert len(store.list_stories()) == 2


def test_isolation_pipeline_evidence_error(tmp_path: Path, store, encoder, monkeypatch) -> None:
    from storyline import pipeline
    from storyline.pipeline import Pipeline

    add_evidence = pipeline.add_evidence

    def failing(articles: Sequence[Article], enrichments):  # type: ignore[no-untyped-def]
        if any(MARKER in a.title for a in articles):
            raise IndexError("evidence broke")
        return add_evidence(articles, enrichments)

    monkeypatch.setattr(pipeline, "add_evidence", failing)
    _write_inputs(tmp_path / "in", bad=2)
    report = Pipeline(store, settings=Settings(workers=1),
                      encoder=encoder).ingest_paths([tmp_path / "in"])  # fmt: skip
    assert report.added == 2
    (rejection,) = report.rejections
    assert (rejection.stage, rejection.reason) == (
        "evidence", "internal error in evidence: IndexError: evidence broke"
    )
    assert {a.title for a in store.iter_articles()} == set(TITLES[:2])
