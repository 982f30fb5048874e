"""Fuzzing every input format: hostile inputs are rejected cleanly, never crash or hang.

Over 10,000 generated inputs (``EXAMPLES``, derandomized so CI is reproducible) go through
read → extract → keywords → store write and read-back (``strategies.exercise``). Each must end
in articles or rejections, within ``PER_INPUT_LIMIT_S`` CPU seconds, and the run must stay under
1 GB of memory. A smaller test sends hostile inputs through the full ``Pipeline`` with models.
``benchmarks/fuzz.py`` runs the same strategies longer and prints a table.
"""

from __future__ import annotations

import faulthandler
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from strategies import (
    FORMATS,
    HANG_LIMIT_S,
    MEMORY_LIMIT_BYTES,
    PER_INPUT_LIMIT_S,
    InputFile,
    StoreRotation,
    exercise,
    hang_guard,
    peak_rss_bytes,
    rss_bytes,
)

#: Inputs per format in CI: 10,000 in all, weighted towards the formats that are cheap to run.
EXAMPLES = {"text": 2000, "html": 1300, "jsonl": 2400, "feed": 1300, "warc": 1300, "gzip": 1700}
MIN_TOTAL = 10_000

RAN: Counter[str] = Counter()
#: Resident set when the first input ran, and the most it grew to since (sampled per input):
#: the suite's own memory, whatever earlier tests in the same process held at their peak.
RSS: dict[str, int] = {}


def _fuzz(fmt: str):
    return settings(
        max_examples=EXAMPLES[fmt],
        deadline=None,  # the per-input limit is checked on CPU time instead (see _check)
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=[
            HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
        ],
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory):
    """A folder for the input files and a rotation of fresh stores, shared by all examples."""
    root = tmp_path_factory.mktemp("fuzz")
    stores = StoreRotation(root)
    # Load what the stages load lazily (language identifier, trafilatura, parsers) before any
    # input is timed, so that the per-input CPU limit measures the input, not the warm-up.
    body = "The council approved the new harbour budget on Tuesday after a long debate. " * 8
    for warm in (
        InputFile("warm.txt", f"Harbour budget approved\n\n{body}".encode()),
        InputFile("warm.html", f"<html><head><title>Harbour</title></head><body><article>"
                               f"<p>{body}</p></article></body></html>".encode()),
        InputFile("warm.jsonl", (json.dumps({"url": "https://a.example/1", "title": "Harbour",
                                             "text": body, "published": "2024-05-14"})
                                 + "\n").encode()),
    ):
        exercise(warm, root, stores)
    yield root, stores
    stores.close()


def _check(fmt: str, item: InputFile, workspace: tuple[Path, StoreRotation]) -> None:
    root, stores = workspace
    RAN[fmt] += 1
    RSS.setdefault("start", rss_bytes())
    RSS.setdefault("peak_before", peak_rss_bytes())
    # Last resort for a hang that SIGALRM cannot interrupt (inside C code): dump every
    # thread's stack and exit, so CI fails loudly instead of waiting for its own timeout.
    faulthandler.dump_traceback_later(HANG_LIMIT_S * 3, exit=True)
    try:
        with hang_guard():
            outcome = exercise(item, root, stores)
    finally:
        faulthandler.cancel_dump_traceback_later()
        RSS["grown"] = max(RSS.get("grown", 0), rss_bytes() - RSS["start"])
    if outcome.cpu_s > PER_INPUT_LIMIT_S:  # keep the input, to reproduce it outside the suite
        kept = root / f"slow-{fmt}-{RAN[fmt]}-{item.name}"
        kept.write_bytes(item.data)
        raise AssertionError(f"{item.name} took {outcome.cpu_s:.2f} CPU s (limit"
                             f" {PER_INPUT_LIMIT_S} s); the input is kept at {kept}")


@_fuzz("text")
@given(item=FORMATS["text"]())
def test_fuzz_text_dumps(item: InputFile, workspace) -> None:
    _check("text", item, workspace)


@_fuzz("html")
@given(item=FORMATS["html"]())
def test_fuzz_html_pages(item: InputFile, workspace) -> None:
    _check("html", item, workspace)


@_fuzz("jsonl")
@given(item=FORMATS["jsonl"]())
def test_fuzz_jsonl(item: InputFile, workspace) -> None:
    _check("jsonl", item, workspace)


@_fuzz("feed")
@given(item=FORMATS["feed"]())
def test_fuzz_rss_atom_feeds(item: InputFile, workspace) -> None:
    _check("feed", item, workspace)


@_fuzz("warc")
@given(item=FORMATS["warc"]())
def test_fuzz_warc_archives(item: InputFile, workspace) -> None:
    _check("warc", item, workspace)


@_fuzz("gzip")
@given(item=FORMATS["gzip"]())
def test_fuzz_gzip_of_every_format(item: InputFile, workspace) -> None:
    _check("gzip", item, workspace)


def test_fuzz_ran_enough_inputs_within_memory() -> None:
    """Runs after the format tests (file order): they tried ≥ 10,000 inputs in all, and the
    suite's own memory stayed under 1 GB: the resident set grew by less than 1 GB from the
    first input to any later one (what earlier tests in the same process held does not count;
    run alone, ``peak_rss_bytes`` is checked too)."""
    if set(RAN) != set(EXAMPLES):
        pytest.skip(f"only some format tests ran: {sorted(RAN)}")
    assert sum(RAN.values()) >= MIN_TOTAL, dict(RAN)
    assert RSS.get("start", 0) > 0, "resident set not measurable here"
    assert RSS["grown"] < MEMORY_LIMIT_BYTES, f"grew by {RSS['grown'] / 2**20:.0f} MiB"
    if RSS["peak_before"] < MEMORY_LIMIT_BYTES // 2:  # nothing big before: the peak is ours
        assert peak_rss_bytes() < MEMORY_LIMIT_BYTES, f"peak {peak_rss_bytes() / 2**20:.0f} MiB"


@pytest.mark.slow
@settings(
    max_examples=30, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)
@given(item=st.one_of(*(strategy() for strategy in FORMATS.values())))
def test_fuzz_full_pipeline_with_models(item: InputFile, encoder, pipeline_store) -> None:
    """Hostile inputs through the whole ``Pipeline`` (models included): a report, no
    exception, and every stored article and story still reads back."""
    from storyline.config import Settings
    from storyline.pipeline import Pipeline

    store, root = pipeline_store
    path = root / item.name
    path.write_bytes(item.data)
    try:
        with hang_guard(HANG_LIMIT_S * 6):
            report = Pipeline(store, settings=Settings(workers=1), encoder=encoder).ingest_paths(
                [path]
            )
    finally:
        path.unlink()
    assert report.added >= 0 and all(r.reason for r in report.rejections)
    for story in store.list_stories():
        for article in store.get_story(story.id).articles:
            store.get_article(article.id)


@pytest.fixture(scope="module")
def pipeline_store(tmp_path_factory: pytest.TempPathFactory):
    """One store for every example of the full-pipeline test."""
    from storyline.embedding import DEFAULT_MODEL
    from storyline.store.sqlite import SQLiteStore

    root = tmp_path_factory.mktemp("fuzz-pipeline")
    store = SQLiteStore(root / "pipeline.db", model_name=DEFAULT_MODEL)
    yield store, root
    store.close()
