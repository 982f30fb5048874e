"""The feed registry and its schedule: which feeds are followed, when each is polled next,
and how healthy each is.

**Intervals adapt to how often a feed publishes.** After a good poll a feed's interval is half
the median gap between its latest entries' dates (so a new entry waits half a gap on
average), or, for a feed without dates, halves when the poll found something new and grows by
half when it did not; always within ``feed_min_interval``..``feed_max_interval``.

**Failing feeds back off but never stop.** Each failed poll in a row doubles the wait (from the
feed's interval, up to ``feed_max_interval``, later still when the server's ``Retry-After``
asks for it), with jitter so that feeds failing together do not come back together. The
feed stays due at least every ``feed_max_interval``, and every failure is logged and kept in
its health (``last_error``, ``consecutive_errors``), which ``storyline feeds list`` shows.
"""

from __future__ import annotations

import logging
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from storyline.config import Settings
from storyline.errors import FetchError, NotFoundError
from storyline.feeds.fetch import FetchOptions
from storyline.models import Feed
from storyline.store.base import Store

log = logging.getLogger(__name__)

#: Entries whose dates set the interval: the latest ones, so a change of pace shows soon.
RECENT_ENTRIES = 10
#: Relative jitter of every scheduled time (±10 %).
JITTER = 0.1
#: Consecutive failures after which a failing feed is logged as an error, not a warning.
LOUD_AFTER = 5


@dataclass(frozen=True, slots=True)
class Schedule:
    """Bounds of a feed's polling interval, in seconds."""

    min_interval: float = 300.0
    max_interval: float = 21600.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Schedule:
        """The configured bounds (``feed_min_interval``, ``feed_max_interval``)."""
        low = max(0.0, settings.feed_min_interval)
        return cls(low, max(low, settings.feed_max_interval))

    def clamp(self, seconds: float) -> float:
        """``seconds`` within the bounds."""
        return min(self.max_interval, max(self.min_interval, seconds))


def new_feed(url: str, *, title: str | None = None, site_url: str | None = None,
             schedule: Schedule | None = None, now: datetime | None = None) -> Feed:
    """A feed to follow, due at once."""
    now = now or datetime.now(UTC)
    schedule = schedule or Schedule()
    return Feed(url=url, title=title, site_url=site_url, added_at=now,
                interval=schedule.min_interval, next_check=now)


def follow(store: Store, url: str, *, title: str | None = None, site_url: str | None = None,
           schedule: Schedule | None = None) -> tuple[Feed, bool]:
    """Follow a feed URL; returns the stored feed and whether it is new (a URL already
    followed is kept as it is)."""
    try:
        return store.get_feed(url), False
    except NotFoundError:
        pass
    return store.add_feed(new_feed(url, title=title, site_url=site_url, schedule=schedule)), True


@dataclass(frozen=True, slots=True)
class Added:
    """What ``add_feeds`` did with one URL: the feed followed (``new`` or already followed),
    or the reason none was."""

    given: str
    feed: Feed | None = None
    new: bool = False
    error: str | None = None


def add_feeds(store: Store, urls: Sequence[str], *, settings: Settings | None = None,
              discover: bool = True, options: FetchOptions | None = None) -> list[Added]:
    """Follow the feed each URL leads to: the URL itself when it is a feed, else the first
    feed its page announces (``discover.py``); with ``discover`` off, the URL as given (only
    its form is checked)."""
    from storyline.feeds.discover import discover_feeds
    from storyline.feeds.safety import check_url

    settings = settings or Settings()
    schedule = Schedule.from_settings(settings)
    out: list[Added] = []
    if not discover:
        for url in urls:
            try:
                check_url(url)
            except FetchError as exc:
                out.append(Added(url, error=exc.reason))
                continue
            feed, new = follow(store, url, schedule=schedule)
            out.append(Added(url, feed, new))
        return out
    found = discover_feeds(urls, options=options or FetchOptions.from_settings(settings))
    for url in urls:
        result = found[url]
        if isinstance(result, FetchError):
            out.append(Added(url, error=result.reason))
        elif not result:
            out.append(Added(url, error="no RSS or Atom feed found there"))
        else:
            site = None if result[0] == url else url
            feed, new = follow(store, result[0], site_url=site, schedule=schedule)
            out.append(Added(url, feed, new))
    return out


def unfollow(store: Store, url: str) -> Feed:
    """Stop following a feed (its seen entries go with it); ``NotFoundError`` if unknown."""
    return store.remove_feed(url)


def adapt_interval(current: float, *, published: Sequence[datetime], found_new: bool,
                   schedule: Schedule) -> float:
    """A feed's next interval from its entries' dates (``published``), or from whether the
    poll found new entries when it has too few dates."""
    recent = sorted(published, reverse=True)[:RECENT_ENTRIES]
    gaps = [(a - b).total_seconds() for a, b in zip(recent, recent[1:], strict=False)]
    gaps = [g for g in gaps if g > 0]
    if len(gaps) >= 2:
        return schedule.clamp(statistics.median(gaps) / 2)
    return schedule.clamp(current / 2 if found_new else current * 1.5)


def _jittered(seconds: float) -> timedelta:
    return timedelta(seconds=seconds * random.uniform(1 - JITTER, 1 + JITTER))


def after_success(feed: Feed, *, now: datetime, not_modified: bool, new_entries: int,
                  published: Sequence[datetime], schedule: Schedule) -> Feed:
    """The feed's health and schedule after a good poll (updated in place and returned)."""
    feed.last_fetch = now
    feed.last_status = "not modified" if not_modified else "ok"
    feed.consecutive_errors = 0
    if new_entries:
        feed.last_new_entry = now
    feed.interval = adapt_interval(feed.interval, published=published,
                                   found_new=new_entries > 0, schedule=schedule)
    feed.next_check = now + _jittered(feed.interval)
    return feed


def after_failure(feed: Feed, reason: str, *, now: datetime, retry_after: float | None,
                  schedule: Schedule) -> Feed:
    """The feed's health and schedule after a failed poll: backed off, never dropped."""
    feed.last_fetch = now
    feed.last_status = "error"
    feed.last_error = reason
    feed.last_error_at = now
    feed.consecutive_errors += 1
    base = schedule.clamp(feed.interval)
    wait = min(schedule.max_interval, base * 2 ** (feed.consecutive_errors - 1))
    next_in = _jittered(wait)
    if retry_after is not None:
        next_in = max(next_in, timedelta(seconds=retry_after))
    feed.next_check = now + next_in
    level = logging.ERROR if feed.consecutive_errors >= LOUD_AFTER else logging.WARNING
    log.log(level, "feed %s failed (%d in a row; next try in %.0f s): %s", feed.url,
            feed.consecutive_errors, next_in.total_seconds(), reason)
    return feed


def health(feed: Feed, *, now: datetime | None = None) -> dict[str, Any]:
    """A feed's health as plain values: what ``feeds list --json`` and the API show."""
    now = now or datetime.now(UTC)

    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    if feed.last_status is None:
        state = "new"
    elif feed.consecutive_errors:
        state = "failing"
    else:
        state = "ok"
    return {
        "url": feed.url, "title": feed.title, "site_url": feed.site_url, "state": state,
        "added_at": iso(feed.added_at), "last_fetch": iso(feed.last_fetch),
        "last_status": feed.last_status, "last_new_entry": iso(feed.last_new_entry),
        "last_error": feed.last_error, "last_error_at": iso(feed.last_error_at),
        "consecutive_errors": feed.consecutive_errors, "next_check": iso(feed.next_check),
        "overdue": bool(feed.next_check and feed.next_check <= now),
        "interval": round(feed.interval, 1), "entries_seen": feed.entries_seen,
    }
