"""URLs and outlets: canonical URLs for stable ids, an outlet's name from its domain, and the
publication day many outlets write into their article paths.

An outlet name is found, in order: given by the input (JSONL ``outlet``, ``og:site_name``, a
"X news desk" byline); a capitalised phrase in the text whose letters spell the domain's
registered name (``kyivindependent.com`` ↔ "The Kyiv Independent"); else the registered name
split into English words (``themoscowtimes`` → "The Moscow Times").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
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
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        )
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


#: A day written into a URL's path: ``/2024/05/16/``, ``/2024-05-16/``, ``/20240516/``, each
#: as whole path segments (or opening one: ``/2024-05-16-putin-visit``, ``/20240516_x``).
_PATH_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)(?:/(?P<m>\d{1,2})/(?P<d>\d{1,2})|-(?P<m2>\d\d)-(?P<d2>\d\d)"
    r"|(?P<m3>\d\d)(?P<d3>\d\d))(?=[/_.?#-]|$)"
)


def date_from_url(url: str | None) -> datetime | None:
    """The publication day an article's URL states in its path (midnight UTC), or None.

    ``/2024/05/16/``, ``/2024-05-16/`` and ``/20240516/`` give May 16, 2024. A path with a
    month only (``/2024/05/``) gives None: a day invented from it (the 1st) would misplace the
    article by up to a month in its story's timeline, so the caller's fallback (the ingest
    time, flagged ``date_inferred``) is kept. The first valid date of the path wins; query
    strings and the host are not read.
    """
    if not url:
        return None
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    for match in _PATH_DATE.finditer(path):
        month = match["m"] or match["m2"] or match["m3"]
        day = match["d"] or match["d2"] or match["d3"]
        try:
            found = date(int(match["y"]), int(month), int(day))
        except ValueError:  # /2024/13/45/, an id that looks like a date
            continue
        return datetime(found.year, found.month, found.day, tzinfo=UTC)
    return None


def domain_of(url: str | None) -> str | None:
    """The registered domain of ``url`` (``themoscowtimes.com``), or None."""
    if not url:
        return None
    name = _registered_name(url)
    if not name:
        return None
    found = _EXTRACT(url)
    return f"{name}.{found.suffix}" if found.suffix else f"{name}.{found.domain}"


def _registered_name(url: str) -> str:
    """The name an outlet registered: ``themoscowtimes`` for www.themoscowtimes.com; for
    reserved top-level domains outside the public-suffix list (``.example``, ``.test``) the
    label before the last."""
    found = _EXTRACT(url)
    if found.suffix:
        return found.domain.lower()
    labels = [x for x in found.subdomain.split(".") if x and x != "www"]
    return labels[-1].lower() if labels else found.domain.lower()


def outlet_from_domain(url: str | None, *, text: str = "") -> str | None:
    """Name the outlet behind ``url``, preferring a matching phrase in ``text``."""
    if not url:
        return None
    name = _registered_name(url)
    if not name:
        return None
    target = re.sub(r"[^a-z0-9]", "", name)
    # Run-together credits ("The Harbour LedgerEleanor Whitby") are split at case changes.
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    found: list[str] = []
    for match in re.finditer(r"(?:[A-Z][\w'’&-]*\s+){0,6}[A-Z][\w'’&-]*", spaced):
        tokens = match.group(0).split()
        for start in range(len(tokens)):
            letters = ""
            for end in range(start, min(len(tokens), start + 6)):
                letters += re.sub(r"[^a-z0-9]", "", tokens[end].lower())
                if letters in (target, "the" + target):
                    found.append(" ".join(tokens[start : end + 1]))
                if len(letters) >= len(target) + 3:
                    break
    if found:
        # "The Harbour Ledger" over a bare "Harbour Ledger" from a photo credit.
        return max(found, key=lambda phrase: phrase.startswith("The "))
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
