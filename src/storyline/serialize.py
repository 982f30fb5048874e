"""JSON shapes of Storyline's objects, shared by the CLI's ``--json`` output and the web API.

These shapes are a public contract (documented in README.md): fields may be added, never
removed or renamed.
"""

from __future__ import annotations

from typing import Any

from storyline.models import Article, ArticleSummary, StoryDetail, StorySummary


def story_summary(story: StorySummary) -> dict[str, Any]:
    """``{id, title, article_count, outlets, first_published, last_published}``."""
    return {
        "id": story.id,
        "title": story.title,
        "article_count": story.article_count,
        "outlets": list(story.outlets),
        "first_published": story.first_published.isoformat(),
        "last_published": story.last_published.isoformat(),
    }


def article_summary(article: ArticleSummary) -> dict[str, Any]:
    """``{id, title, outlet, published, url, date_inferred}``."""
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "published": article.published.isoformat(),
        "url": article.url,
        "date_inferred": article.date_inferred,
    }


def story_detail(story: StoryDetail) -> dict[str, Any]:
    """A story with ``articles`` in publication order, plus the summary fields."""
    out = story_summary(story.summary)
    out["articles"] = [article_summary(a) for a in story.articles]
    return out


def article_full(article: Article, *, path: str | None = None) -> dict[str, Any]:
    """Everything extraction found: ``path`` (when given), ``title``, ``text``, ``published``,
    ``authors``, ``outlet``, ``url``, ``language``, plus ``id``, ``date_inferred``, ``story``."""
    out: dict[str, Any] = {}
    if path is not None:
        out["path"] = path
    out.update(
        {
            "id": article.id,
            "title": article.title,
            "text": article.text,
            "published": article.published.isoformat(),
            "date_inferred": article.date_inferred,
            "authors": list(article.authors),
            "outlet": article.outlet,
            "url": article.url,
            "language": article.language,
            "story": article.story_id,
        }
    )
    return out
