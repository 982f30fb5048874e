"""The demo corpus copied five times (syndicated copies under other URLs and outlets, one added
line each) gives the same stories as the demo alone, with every copy marked as a copy."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from storyline.evaluation.copies import syndicate
from storyline.extract.build import extract_records
from storyline.ingest.readers import read_paths
from storyline.models import Article, RawRecord
from storyline.pipeline import Pipeline
from storyline.store.sqlite import SQLiteStore

pytestmark = pytest.mark.slow


def _partition(store: SQLiteStore, sources: set[str]) -> set[frozenset[str]]:
    """The stories as sets of the given articles' sources."""
    groups: dict[str | None, set[str]] = {}
    for article in store.iter_articles():
        if article.source in sources:
            groups.setdefault(article.story_id, set()).add(article.source)
    return {frozenset(g) for g in groups.values()}


def test_demo_copied_five_times_keeps_its_stories_and_marks_every_copy(
    encoder, demo_dir: Path, tmp_path: Path
) -> None:
    corpus = demo_dir / "corpus"
    with SQLiteStore(tmp_path / "demo.db", model_name=encoder.name) as plain:
        Pipeline(plain, encoder=encoder).ingest_paths([corpus])
        stories = plain.counts()["stories"]
        baseline = {a.source: a for a in plain.iter_articles()}
        partition = _partition(plain, set(baseline))
    # The corpus's own copies (in its gold) point to their original; a variant of one of them
    # is a copy of that original too.
    root = {a.id: a.copy_of or a.id for a in baseline.values()}

    originals = [a for r in read_paths([corpus]) if isinstance(r, RawRecord)
                 for a in extract_records([r]) if isinstance(a, Article)]
    variants = syndicate(originals, times=5, kind="added")
    assert len({v.record["url"] for v in variants}) == len(variants) == 5 * len(originals)
    copies = tmp_path / "copies.jsonl"
    copies.write_text("".join(json.dumps(v.record) + "\n" for v in variants), encoding="utf-8")

    with SQLiteStore(tmp_path / "copies.db", model_name=encoder.name) as store:
        report = Pipeline(store, encoder=encoder).ingest_paths([corpus, copies])
        assert report.rejected == 0, report.rejections
        assert report.added == len(baseline) + len(variants)
        stored = {a.source: a for a in store.iter_articles()}
        for line, variant in enumerate(variants, start=1):
            copy = stored[f"{copies}:{line}"]
            assert copy.copy_of == root[variant.original.id], variant.record["url"]
            assert copy.story_id == stored[variant.original.source].story_id
        # The copies change nothing about the originals: same copies, same stories.
        assert {s: stored[s].copy_of for s in baseline} == {s: a.copy_of
                                                            for s, a in baseline.items()}
        assert _partition(store, set(baseline)) == partition
        assert store.counts()["stories"] == stories
        listed = store.list_stories()
        assert len(listed) == stories
        copies_per_story = Counter(a.story_id for a in stored.values() if a.copy_of)
        for summary in listed:
            assert summary.copy_count == copies_per_story[summary.id]
            assert summary.article_count == sum(1 for a in stored.values()
                                                if a.story_id == summary.id and not a.copy_of)
    print(f"\ndemo + {len(variants)} copies: {stories} stories (as without them), "
          f"{report.copies} articles stored as copies")
