"""Follows: the stories, entities and queries a user watches for alerts.

A follow's id derives from what it follows (its kind and the story id, entity name or query
words, case-insensitively), so following the same thing twice gives the same follow. Story
and follow ids may be given by a unique prefix of at least ``MIN_PREFIX`` characters, as
``storyline why`` takes article ids. An entity name resolves as ``storyline entity`` resolves
it (canonical name or alias, case- and accent-insensitive); it must name a stored entity.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime

from storyline.enrich.entities import name_key
from storyline.errors import InputError
from storyline.models import FOLLOW_KINDS, Follow
from storyline.store.base import MIN_PREFIX, Store, find_id

__all__ = ["MAX_TARGET_CHARS", "MIN_PREFIX", "find_follow_id", "find_story_id", "follow",
           "follow_id", "unfollow"]

#: Longest entity name or query a follow may hold.
MAX_TARGET_CHARS = 500


def follow_id(kind: str, key: str) -> str:
    """The id of the follow of ``kind`` whose normalised target is ``key``."""
    digest = hashlib.sha1(f"{kind}\x00{key}".encode()).hexdigest()
    return f"f{digest[:11]}"


def follow(store: Store, kind: str, target: str, *, now: datetime | None = None) -> Follow:
    """Follow a story (its id or a unique prefix), an entity (a name ``storyline entity``
    finds) or a full-text query (every word must match); returns the stored follow, the
    existing one when the same thing is followed already. Raises ``InputError`` for an unknown
    kind, an empty or over-long target or an ambiguous prefix, and ``NotFoundError`` for an
    unknown story or entity."""
    # Whitespace runs become one space; control characters (NUL...) go.
    text = "".join(c for c in " ".join(target.split()) if unicodedata.category(c) != "Cc")
    if kind not in FOLLOW_KINDS:
        raise InputError(f"cannot follow a {kind!r}: expected one of {', '.join(FOLLOW_KINDS)}")
    if not text:
        raise InputError(f"give the {kind} to follow")
    if len(text) > MAX_TARGET_CHARS:
        raise InputError(f"a followed {kind} is at most {MAX_TARGET_CHARS} characters")
    created = now or datetime.now(UTC)
    if kind == "story":
        story_id = find_story_id(store, text)
        title = store.get_story(story_id).summary.title
        return store.add_follow(Follow(follow_id(kind, story_id), kind, story_id, title, created))
    if kind == "entity":
        found = store.find_entities(text)  # NotFoundError for a name the index does not know
        return store.add_follow(Follow(follow_id(kind, name_key(text)), kind, text,
                                       found[0].name, created))
    words = query_words(text)
    if not words:
        raise InputError("a followed query needs at least one letter or digit")
    return store.add_follow(Follow(follow_id(kind, " ".join(words)), kind, text, text, created))


def query_words(text: str) -> list[str]:
    """The words a full-text query matches on (as ``store.sqlite.fts_query`` splits it),
    lower-cased."""
    return "".join(c if c.isalnum() else " " for c in text.casefold()).split()


def unfollow(store: Store, ref: str) -> Follow:
    """Stop following (a follow id or a unique prefix of it); its alerts go with it.
    Returns the removed follow."""
    return store.remove_follow(find_follow_id(store, ref))


def find_story_id(store: Store, text: str) -> str:
    """The story id ``text`` names: the id itself, or a unique prefix of at least
    ``MIN_PREFIX`` characters."""
    return find_id(text, "story", store.story_ids_with_prefix)


def find_follow_id(store: Store, text: str) -> str:
    """The follow id ``text`` names: the id itself, or a unique prefix of at least
    ``MIN_PREFIX`` characters."""
    return find_id(text, "follow", store.follow_ids_with_prefix)
