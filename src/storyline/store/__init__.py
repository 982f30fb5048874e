"""Storage backends behind one interface (``Store``); SQLite is the embedded default."""

from __future__ import annotations

from pathlib import Path

from storyline.store.base import MemberState, Store, StoryFilter, StoryState

__all__ = ["MemberState", "Store", "StoryFilter", "StoryState", "open_store"]


def open_store(location: str | Path, *, model_name: str = "") -> Store:
    """Open (creating and migrating if needed) the store at ``location``.

    A path or ``sqlite:///path`` opens the embedded SQLite store; ``:memory:`` a throw-away one.
    """
    from storyline.errors import ConfigError
    from storyline.store.sqlite import SQLiteStore

    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        raise ConfigError("the PostgreSQL backend is not available yet; use a SQLite path")
    return SQLiteStore(text.removeprefix("sqlite:///"), model_name=model_name)
