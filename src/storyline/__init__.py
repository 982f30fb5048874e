"""Storyline: raw news articles in, stories and timelines of developments out.

The library API (the CLI and web server are thin front ends over it)::

    from storyline import Pipeline, open_store
    with open_store("storyline.db", model_name=DEFAULT_MODEL) as store:
        report = Pipeline(store).ingest_paths(["articles/"])
        for story in store.list_stories():
            print(story.title, story.article_count)
"""

import logging

from storyline.config import Settings, load_settings
from storyline.embedding import DEFAULT_MODEL, MiniLMEncoder
from storyline.errors import StorylineError
from storyline.models import Article, IngestReport, Rejection, StoryDetail, StorySummary
from storyline.pipeline import Pipeline
from storyline.research import score_articles
from storyline.store import Store, StoryFilter, open_store

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_MODEL",
    "Article",
    "IngestReport",
    "MiniLMEncoder",
    "Pipeline",
    "Rejection",
    "Settings",
    "Store",
    "StoryDetail",
    "StoryFilter",
    "StorySummary",
    "StorylineError",
    "load_settings",
    "open_store",
    "score_articles",
]
