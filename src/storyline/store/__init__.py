"""Storage backends behind one interface (``Store``); SQLite is the embedded default."""

from __future__ import annotations

from pathlib import Path

from storyline.store.base import MemberState, Store, StoryFilter, StoryState

__all__ = ["MemberState", "Store", "StoryFilter", "StoryState", "is_postgres_url", "open_store"]


def open_store(location: str | Path, *, model_name: str = "") -> Store:
    """Open (creating and migrating if needed) the store at ``location``.

    A path or ``sqlite:///path`` opens the embedded SQLite store; ``:memory:`` a throw-away one;
    a ``postgresql://`` (or ``postgres://``) URL a PostgreSQL database with pgvector
    (``store/postgres.py``; the ``postgres`` extra). Raises ``StoreError`` when the store
    cannot be used, or its backend is not installed.
    """
    from storyline.errors import StoreError
    from storyline.store.sqlite import SQLiteStore

    text = str(location)
    if is_postgres_url(text):
        try:
            from storyline.store.postgres import PostgresStore
        except ImportError as exc:
            raise StoreError(f"cannot open {text.split('@')[-1]}: {exc}") from exc
        return PostgresStore(text, model_name=model_name)
    return SQLiteStore(text.removeprefix("sqlite:///"), model_name=model_name)


def is_postgres_url(location: str | Path) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than a SQLite file."""
    return str(location).startswith(("postgresql://", "postgres://"))
