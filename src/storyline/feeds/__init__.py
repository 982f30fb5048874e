"""Following feeds live: sources, polite fetching, and the long-running poller.

    safety.py    SSRF guard (every connection, redirects included) and the XML entity check
    fetch.py     the HTTP client: conditional GET, per-host limits, retries, size and time caps
    entries.py   a fetched feed's bytes → entries, each with its GUID, link and content hash
    poll.py      one feed's poll: new entries, the article page of summary-only ones
    sources.py   the registry's schedule and health: adaptive intervals, backoff
    opml.py      OPML import and export
    discover.py  a site URL → the feeds it publishes
    remote.py    URLs as ``storyline ingest`` inputs
    watch.py     ``storyline watch``: rounds of polls ingested through the ``Pipeline``

Feed state lives in the store (``feeds`` and ``feed_entries``, migration 0008). The watcher
(``storyline.feeds.watch.Watcher``) is imported from its module: it brings the pipeline.
"""

from storyline.feeds.fetch import Fetcher, FetchOptions
from storyline.feeds.sources import Schedule, follow, health, unfollow

__all__ = ["FetchOptions", "Fetcher", "Schedule", "follow", "health", "unfollow"]
