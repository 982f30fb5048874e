"""Small articles and batches the store tests write (importable: ``conftest.py`` puts this
folder on ``sys.path``)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from storyline.models import Article, ArticleEnrichment, Assignment
from storyline.store import Store
from storyline.store.base import StoryState


def sample_article(n: int, story: str = "s1") -> Article:
    """Article ``a{n}``, published 2025-01-{n+1}, with a one-hot unit vector."""
    vec = np.zeros(384, dtype=np.float32)
    vec[n % 384] = 1.0
    return Article(
        id=f"a{n}",
        title=f"Harbour fire number {n}",
        text=f"Firefighters fought blaze {n} at the pier.",
        published=datetime(2025, 1, n + 1, tzinfo=UTC),
        authors=["Jo"],
        outlet="Ledger",
        url=f"https://ledger.example/{n}",
        language="en",
        source=f"f{n}.txt",
        raw_kind="text",
        raw=f"raw {n}",
        keywords=["harbour"],
        head_vector=vec,
        body_vector=vec,
        story_id=story,
    )


def write_story(store: Store, articles: list[Article], story: str = "s1",
                enrichments: list[ArticleEnrichment] | None = None) -> None:
    """Write ``articles`` as one batch, all assigned to ``story``."""
    state = StoryState(
        story,
        "Harbour fire",
        articles[0].published.timestamp(),
        articles[-1].published.timestamp(),
        len(articles),
    )
    store.write_batch(articles, [Assignment(a.id, story, 0.9, False) for a in articles], [state],
                      enrichments)


def ingest_cli(db: str, *paths: Path, env: dict[str, str] | None = None
               ) -> subprocess.Popen[str]:
    """``storyline --db DB ingest PATHS`` started in a new process (its output piped)."""
    cmd = [sys.executable, "-m", "storyline.cli", "--db", db, "ingest", "--no-progress",
           *map(str, paths)]
    return subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
