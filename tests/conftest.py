"""Shared fixtures: real stores in temp files, the real embedding model, the seeds and demo."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "samples" / "seeds"
DEMO = REPO / "demo"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def encoder():
    """The real bundled embedding model, loaded once per test session."""
    from storyline.embedding import MiniLMEncoder

    enc = MiniLMEncoder()
    enc.encode(["warm up"])
    return enc


@pytest.fixture()
def store(tmp_path: Path) -> Iterator:
    """A fresh SQLite store in a temporary file."""
    from storyline.embedding import DEFAULT_MODEL
    from storyline.store.sqlite import SQLiteStore

    s = SQLiteStore(tmp_path / "test.db", model_name=DEFAULT_MODEL)
    yield s
    s.close()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The two seed articles from ../shared; tests using them skip when it is absent."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/samples/seeds is not available")
    return SEEDS


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The demo corpus shipped in the repo."""
    return DEMO
