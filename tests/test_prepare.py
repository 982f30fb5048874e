"""The store-free stages in worker processes (prepare.py), the encoder's reading limits, the
two halves of enrichment, and vectors of an earlier encoder recomputed when a story needs them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storyline.config import Settings
from storyline.embedding import BODY_PIECES, DEFAULT_MODEL, MultilingualEncoder
from storyline.enrich.developments import analyse_articles, enrich_articles, resolve_stored
from storyline.errors import ConfigError
from storyline.models import Article, KnownEntity
from storyline.pipeline import Pipeline
from storyline.store import open_store
from storyline.store.sqlite import SQLiteStore

pytestmark = pytest.mark.slow

_TABLES = (
    "SELECT id, story_id, copy_of, keywords, events FROM articles ORDER BY id",
    "SELECT * FROM article_enrichment ORDER BY article_id",
    "SELECT article_id, evidence, runner_up, runner_up_score FROM article_evidence"
    " ORDER BY article_id",
    "SELECT id, name, type, mentions FROM entities ORDER BY id",
    "SELECT * FROM article_entities ORDER BY article_id, entity_id",
    "SELECT id, title, article_count FROM stories ORDER BY id",
)


def _dump(path: Path) -> list[list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        out = [conn.execute(sql).fetchall() for sql in _TABLES]
        vectors = conn.execute("SELECT article_id, head, body FROM embeddings ORDER BY article_id")
        out.append([(a, np.frombuffer(h, np.float32).round(5).tobytes(),
                     np.frombuffer(b, np.float32).round(5).tobytes()) for a, h, b in vectors])
        return out
    finally:
        conn.close()


def test_workers_store_exactly_what_one_process_stores(tmp_path: Path, demo_dir: Path) -> None:
    """Two worker processes (small batches, so several are in flight) give the same articles,
    vectors, enrichment, evidence, entities and stories as one process."""
    dumps = []
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        with SQLiteStore(db, model_name=DEFAULT_MODEL) as store:
            report = Pipeline(store, settings=Settings(workers=workers, batch_size=12)) \
                .ingest_paths([demo_dir / "corpus"])
        assert report.added == 49 and report.rejected == 0
        dumps.append(_dump(db))
    assert dumps[0][0] and dumps[0][1] and dumps[0][5]  # articles, enrichment, vectors
    for one, two in zip(*dumps, strict=True):
        assert one == two


def test_workers_setting_is_checked() -> None:
    with pytest.raises(ConfigError, match="workers"):
        Settings(workers=0)
    assert Settings().with_overrides(workers="2").workers == 2


def test_use_reads_only_the_first_body_pieces() -> None:
    """Two bodies that agree on their first BODY_PIECES pieces get the same body vector; the
    same bodies read whole do not."""
    enc = MultilingualEncoder()
    start = " ".join(f"word{i}" for i in range(BODY_PIECES))
    texts = [f"{start} the harbour closed after the storm", f"{start} elections were called"]
    cut = enc.encode(texts, max_pieces=BODY_PIECES)
    whole = enc.encode(texts)
    assert float(cut[0] @ cut[1]) > 0.9999
    assert float(whole[0] @ whole[1]) < 0.9999


def _article(aid: str, title: str, text: str) -> Article:
    from datetime import UTC, datetime

    return Article(id=aid, title=title, text=text, published=datetime(2024, 5, 14, tzinfo=UTC),
                   authors=[], outlet="Wire", url=None, language="en", source=aid,
                   raw_kind="text")  # fmt: skip


def test_enrichment_halves_rename_to_stored_entities() -> None:
    """The analysis alone names "Putin" as the article does; resolved against a store that
    knows "Vladimir Putin", the entity and every development naming him take that name."""
    article = _article(
        "a1", "Putin to visit Beijing",
        "Putin will visit Beijing on Thursday, the Kremlin said. Putin will meet Xi Jinping.",
    )  # fmt: skip
    analysed = analyse_articles([article])
    local = analysed[0].enrichment
    assert "Putin" in {e.name for e in local.entities}
    stored = KnownEntity("e0vladimirputin0", "Vladimir Putin", "person", 12, ("Putin",))
    [joined] = resolve_stored(analysed, lookup=lambda keys: [stored])
    assert "Vladimir Putin" in {e.name for e in joined.entities}
    assert "Putin" not in {e.name for e in joined.entities}
    named = [p for d in joined.developments for p in d.participants]
    assert "Vladimir Putin" in named and "Putin" not in named
    assert enrich_articles([article], lookup=lambda keys: [stored]) == [joined]


def test_vectors_of_an_earlier_encoder_are_recomputed_for_open_stories(
    tmp_path: Path, seeds_dir: Path, new_store_db: Any, store_rows: Any
) -> None:
    """A store whose articles carry another model's vectors: the next ingest computes the
    current model's vectors for the open stories' members, and the follow-up joins."""
    first, second = sorted(seeds_dir.iterdir())[:2]
    db = new_store_db(tmp_path / "old.db")
    with open_store(db, model_name=DEFAULT_MODEL) as store:
        Pipeline(store, settings=Settings(workers=1)).ingest_paths([first])
        store.conn.execute("UPDATE embeddings SET model = 'an-earlier-encoder'")  # autocommit
    with open_store(db, model_name=DEFAULT_MODEL) as store:
        report = Pipeline(store, settings=Settings(workers=1)).ingest_paths([second])
        assert report.added == 1 and report.stories_created == 0
        assert len(store.list_stories()) == 1
    models = store_rows(db, "SELECT model, COUNT(*) FROM embeddings GROUP BY model")
    assert dict(models) == {"an-earlier-encoder": 1, DEFAULT_MODEL: 2}
