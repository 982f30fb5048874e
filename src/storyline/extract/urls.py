"""URLs and outlets: canonical URLs for stable ids, and an outlet's name from its domain.

An outlet name is found, in order: given by the input (JSONL ``outlet``, ``og:site_name``, a
"X news desk" byline); a capitalised phrase in the text whose letters spell the domain's
registered name (``kyivindependent.com`` ↔ "The Kyiv Independent"); else the registered name
split into English words (``themoscowtimes`` → "The Moscow Times").
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import tldextract

# Offline: never fetch the public-suffix list; use the snapshot bundled with tldextract.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

_TRACKING = re.compile(r"^(?:utm_|fbclid$|gclid$|mc_|ref$|ref_src$|cmpid$|ocid$|icid$)", re.I)


def canonical_url(url: str) -> str | None:
    """A normalised form of ``url`` (lower-case host without ``www.``, no fragment, no
    tracking parameters, no trailing slash), or None when it is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
               if not _TRACKING.match(k))
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def domain_of(url: str | None) -> str | None:
    """The registered domain of ``url`` (``themoscowtimes.com``), or None."""
    if not url:
        return None
    found = _EXTRACT(url)
    if not found.domain:
        return None
    return f"{found.domain}.{found.suffix}" if found.suffix else found.domain


def outlet_from_domain(url: str | None, *, text: str = "") -> str | None:
    """Name the outlet behind ``url``, preferring a matching phrase in ``text``."""
    if not url:
        return None
    name = _EXTRACT(url).domain.lower()
    if not name:
        return None
    target = re.sub(r"[^a-z0-9]", "", name)
    for match in re.finditer(r"(?:The\s+)?(?:[A-Z][\w'’-]*\s+){0,4}[A-Z][\w'’-]*", text):
        phrase = match.group(0)
        letters = re.sub(r"[^a-z0-9]", "", phrase.lower())
        if letters == target or letters == "the" + target:
            return phrase.strip()
    return _segment_words(name)


@lru_cache(maxsize=4096)
def _segment_words(name: str) -> str:
    import wordsegment

    if not wordsegment.UNIGRAMS:
        wordsegment.load()
    words = wordsegment.segment(name)
    if not words or any(len(w) == 1 for w in words):
        return name.capitalize()
    return " ".join(w.capitalize() for w in words)
