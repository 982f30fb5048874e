"""Storyline's exception tree: every error the library raises derives from one base.

    StorylineError
    ├── ConfigError          a setting has a bad value
    ├── InputError           an input cannot be read or parsed (names the input)
    ├── ExtractionError      a record was read but no article could be made of it
    ├── StoreError           the store cannot be opened, migrated or written
    │   └── NotFoundError    a story, article or entity id is not in the store
    └── ModelError           a bundled model cannot be loaded

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


class ModelError(StorylineError):
    """A bundled model (embeddings, NER) cannot be loaded."""
