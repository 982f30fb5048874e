"""Headline keys: when two articles carry the same headline, up to numbers and punctuation.

Local news streams are full of recurring headlines ("Police log", "Weather update",
"Obituary", "Court roundup", "Story number 3") over short bodies about unrelated things. Two
such articles share their whole headline whatever their events, so the headline says nothing
about *which* event they report: only their bodies do. ``headline_key`` reduces a headline to
what such templates keep from one instance to the next (its words, lower-cased, without
numbers, dates' digits or punctuation), and ``same_headline`` tells two keys apart.

The pair score uses it for one correction (``stories/evidence.py``, ``compare``): two
headline-like articles (bodies of at most ``SHORT_WORDS`` words) get a fitted offset because
headlines of one event read less alike than full texts do. The offset does not apply

- when the two share their headline word for word: they read *more* alike whatever their
  events, so the bodies have to make the case;
- when either headline already heads ``RECURRING_STORIES`` different stories of the stream
  (``Background``, which counts each story's headline keys as ``headline:KEY`` items): it is a
  template, not a headline of the event, and its short body is a brief, not a headline.

The assigner is online, so "recurring" counts only the stories seen before the article.
Measured on ``demo/local5`` (Spokane, recurring templated headlines): see BENCHMARKS.md.
"""

from __future__ import annotations

import re

__all__ = ["HEADLINE_ITEM", "RECURRING_STORIES", "headline_key", "same_headline"]

#: Prefix of a headline key among a story's ``Background`` items.
HEADLINE_ITEM = "headline:"
#: Stories one headline must already head to be a template. Two: a news headline, even a wire
#: headline copied word for word by several outlets, heads the one story of its event.
RECURRING_STORIES = 2

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def headline_key(title: str | None) -> str:
    """``title``'s words, lower-cased and joined by single spaces: numbers, punctuation and
    spacing dropped ("Story number 3" → "story number"; "Police log:" → "police log")."""
    if not title:
        return ""
    return " ".join(_WORD.findall(title.casefold()))


def same_headline(a: str, b: str) -> bool:
    """Whether two headline keys are the same (an empty key matches nothing)."""
    return bool(a) and a == b
