"""Fixtures of the feed tests: the misbehaving local server (``feedsite.py``), fetch options
that allow it and keep every limit small, and watcher settings without enrichment."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from feedsite import Site  # noqa: E402


@pytest.fixture()
def site() -> Iterator[Site]:
    """A fresh server on 127.0.0.1 (a free port)."""
    s = Site().start()
    yield s
    s.close()


@pytest.fixture()
def options():  # type: ignore[no-untyped-def]
    """Fetch options for the local server: 127.0.0.1 allowed, small limits, fast retries."""
    from storyline.feeds.fetch import FetchOptions

    return FetchOptions(timeout=1.0, deadline=2.0, max_bytes=1 << 20, retries=1, backoff=0.05,
                        max_retry_wait=2.0, host_delay=0.0, host_connections=8,
                        allowed_hosts=frozenset({"127.0.0.1"}))


@pytest.fixture()
def watch_settings(tmp_path: Path, new_store_db):  # type: ignore[no-untyped-def]
    """Settings for a watcher over the local server: no enrichment, one process, tiny
    intervals (every feed due again at once), fast fetch limits."""
    from storyline.config import Settings

    return Settings(db=new_store_db(tmp_path / "watch.db"), enrich=False, workers=1,
                    feed_min_interval=0.0, feed_max_interval=0.0,
                    fetch_allowed_hosts="127.0.0.1", fetch_timeout=1.0, fetch_deadline=2.0,
                    fetch_retries=0, fetch_host_delay=0.0, fetch_host_connections=8,
                    max_bytes=1 << 20)
