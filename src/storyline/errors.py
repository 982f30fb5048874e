"""Storyline's exception tree: every error the library raises derives from one base.

    StorylineError
    ├── ConfigError          a setting has a bad value
    ├── InputError           an input cannot be read or parsed (names the input)
    ├── ExtractionError      a record was read but no article could be made of it
    ├── StoreError           the store cannot be opened, migrated or written
    │   └── NotFoundError    a story, article or entity id is not in the store
    ├── FetchError           a URL could not be fetched or read (names the URL and why)
    │   └── UnsafeURLError   a URL leads to an address fetching must not reach (SSRF)
    ├── ModelError           a bundled model cannot be loaded
    └── EngineError          a backfill engine cannot be used (Ray missing, a cluster lost)

Third-party exceptions are wrapped at the boundary with ``raise ... from exc``. Per-item
problems during a batch are not raised but returned as ``Rejection`` values (see models.py).
"""

from __future__ import annotations


class StorylineError(Exception):
    """Base class of every error raised by Storyline."""


class ConfigError(StorylineError):
    """A configuration value is missing or invalid."""


class InputError(StorylineError):
    """An input file or record cannot be read; the message names the input."""


class ExtractionError(StorylineError):
    """A record was read but no usable article could be extracted from it."""


class StoreError(StorylineError):
    """The store cannot be opened, migrated, read or written."""


class NotFoundError(StoreError):
    """The requested story, article or entity does not exist in the store."""


class FetchError(StorylineError):
    """A URL could not be fetched, or what came back cannot be used (``storyline.feeds``).

    ``transient`` says whether trying again later may succeed (a timeout, a 5xx, a 429);
    ``retry_after`` is the wait in seconds the server asked for, when it did; ``status`` the
    HTTP status, when one came back."""

    def __init__(self, url: str, reason: str, *, transient: bool = False,
                 retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after
        self.status = status


class UnsafeURLError(FetchError):
    """A URL (or a redirect) leads to a loopback, private, link-local or otherwise internal
    address, and its host is not in the ``fetch_allowed_hosts`` setting."""


class ModelError(StorylineError):
    """A bundled model (embeddings, NER) cannot be loaded."""


class EngineError(StorylineError):
    """A backfill engine cannot be used: Ray is not installed (the ``storyline[ray]``
    extra), or its cluster cannot be reached or failed (``storyline.backfill``)."""
