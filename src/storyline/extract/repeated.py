"""Outlet sign-offs learned from the stream: the closing lines an outlet repeats under many
of its articles ("Copyright 2024 WDVT. All rights reserved.", "Anyone with information is
asked to call Crime Stoppers at ...", "Download the WDVT 9 News app ...").

Needs: ``Article.text``, ``outlet`` (else the URL's host), ``title``. Changes: ``text`` (the
repeated closing block removed).

Per-article rules (``boilerplate.py``) cannot know that a sentence is one outlet's sign-off;
the stream can. Left in, a local outlet's sign-off names the city, the station, a phone number
and the year under every story, and the same-event score reads two shootings a day apart as
one event (on the local-news dev set, ``storyline eval stream --dataset local``).

A *segment* is a line of the body, or a sentence of it. The last ``TAIL_SEGMENTS`` segments of
every article (short ones, under ``MIN_SEGMENT_CHARS``, are passed over: "Got a story?") are
counted per outlet; a segment that closes at least ``MIN_ARTICLES``
articles of one outlet with different headlines (so that re-posts of one article do not count)
is a sign-off. ``strip`` then removes, from the end of each body, the run of segments that
are sign-offs of its outlet (a short segment inside the run goes with it) — never a segment
above a real closing sentence, and never more
than ``MAX_STRIP_SHARE`` of the body's words (a body that would lose more is left whole). The
whole chunk is counted before anything is stripped, so the first articles of a run are
cleaned as well as the later ones; the counts live as long as the ``OutletTails`` (one ingest
run).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from storyline.models import Article

__all__ = ["OutletTails", "segments"]

#: Closing segments of each article counted and stripped (short ones not counted). Six: a
#: police appeal, its second sentence and a newsletter line of two sentences is five.
TAIL_SEGMENTS = 6
#: Articles of one outlet (with different headlines) a closing segment must end.
MIN_ARTICLES = 3
#: Largest share of a body's words that stripping may remove.
MAX_STRIP_SHARE = 0.5
#: Shorter segments ("Police said.") are never counted: too little to be a sign-off.
MIN_SEGMENT_CHARS = 16
#: Segments remembered per outlet (the least recently seen are forgotten first).
MAX_SEGMENTS_PER_OUTLET = 5000

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')]*\s+(?=[A-Z0-9\"“‘'(])")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def segments(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the lines of ``text``, each cut into sentences."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        cut = start
        for match in _SENTENCE_END.finditer(line):
            end = start + match.start()
            if text[cut:end].strip():
                out.append((cut, end))
            cut = start + match.end()
        if text[cut:start + len(line)].strip():
            out.append((cut, start + len(line)))
    return out


def _closing(text: str, spans: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """The last ``TAIL_SEGMENTS`` segments of ``text`` that are long enough to count."""
    spans = segments(text) if spans is None else spans
    long = [(s, e) for s, e in spans if len(text[s:e].strip()) >= MIN_SEGMENT_CHARS]
    return long[-TAIL_SEGMENTS:]


def _key(segment: str) -> str:
    """A segment compared loosely: case, spacing and digits (years, phone numbers) aside."""
    return _DIGITS.sub("0", _SPACE.sub(" ", segment.strip().lower()))


def _outlet(article: Article) -> str | None:
    if article.outlet:
        return article.outlet.strip().lower()
    if article.url:
        host = urlsplit(article.url).hostname
        return host.removeprefix("www.") if host else None
    return None


class OutletTails:
    """Per-outlet counts of closing segments (see the module docstring)."""

    def __init__(self) -> None:
        # outlet → closing segment key → the headlines it closed (at most MIN_ARTICLES).
        self._seen: dict[str, dict[str, set[str]]] = {}

    def learn(self, articles: Iterable[Article]) -> None:
        """Count the closing segments of ``articles``."""
        for article in articles:
            outlet = _outlet(article)
            if outlet is None:
                continue
            table = self._seen.setdefault(outlet, {})
            headline = " ".join(article.title.lower().split()) or article.id
            for start, end in _closing(article.text):
                key = _key(article.text[start:end])
                headlines = table.pop(key, set())  # re-inserted: most recently seen last
                if len(headlines) < MIN_ARTICLES:
                    headlines.add(headline)
                table[key] = headlines
            while len(table) > MAX_SEGMENTS_PER_OUTLET:
                del table[next(iter(table))]

    def is_signoff(self, outlet: str | None, segment: str) -> bool:
        """Whether ``segment`` closes at least ``MIN_ARTICLES`` articles of ``outlet``."""
        if outlet is None:
            return False
        return len(self._seen.get(outlet, {}).get(_key(segment), ())) >= MIN_ARTICLES

    def strip(self, articles: Sequence[Article]) -> int:
        """Remove each article's closing run of its outlet's sign-offs; returns how many
        articles were changed."""
        changed = 0
        for article in articles:
            outlet = _outlet(article)
            if outlet is None or outlet not in self._seen:
                continue
            spans = segments(article.text)
            closing = _closing(article.text, spans)
            if not closing:
                continue
            cut = None
            for start, end in reversed(spans):
                if start < closing[0][0]:
                    break
                segment = article.text[start:end]
                if len(segment.strip()) < MIN_SEGMENT_CHARS:
                    continue  # short: it goes with the sign-offs above it, if any
                if not self.is_signoff(outlet, segment):
                    break
                cut = start
            if cut is None:
                continue
            kept = article.text[:cut].rstrip()
            words = len(article.text.split())
            if not kept or len(kept.split()) < (1.0 - MAX_STRIP_SHARE) * words:
                continue
            article.text = kept
            changed += 1
        return changed
