"""Settings: typed defaults in code → a TOML file → ``STORYLINE_*`` environment → CLI flags.

Every setting carries its help text; ``storyline settings`` prints them with their values.
Secrets (the API write token) come only from the environment.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from storyline.enrich.ner_scope import NER_SCOPES
from storyline.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Setting:
    """One documented setting."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "storyline.db",
            "Store location: a SQLite file path (default ./storyline.db) or a postgresql:// URL."),
    Setting("window_days", 75.0, "Days a story stays open around its first and last article."),
    Setting("max_bytes", 20 * 1024 * 1024, "Largest input file (and web API request body)"
            " accepted, in bytes."),
    Setting("batch_size", 64, "Articles embedded and written per transaction."),
    Setting("chunk_size", 1024, "Articles read ahead and sorted by date before assignment."),
    Setting("min_words", 15, "Shortest article body accepted, in words."),
    Setting("enrich", True, "Run the enrichment stages on ingest: entities, dates, attribution"
            " and developments (spaCy, ~0.06 s of CPU per article; benchmarks/ingest_speed.py)."),
    Setting("ner", "sentences", "Where the named-entity recogniser reads on ingest:"
            " `sentences` (the lede and the sentences that bring a new capitalised name; the"
            " names found are matched in the rest; 13-19% less analysis CPU) or `full` (every"
            " sentence). Applies to later ingests; stored enrichment is kept."),
    Setting("workers", min(2, os.cpu_count() or 1), "Worker processes for keywords and"
            " vectors (each loads its models once; 1: all in this process). Inputs of one"
            " batch always run in this process."),
    Setting("cluster_threshold", None, "Pair score in (0, 1) at or above which an article joins"
            " a story: higher keeps more look-alike events apart (precision), lower joins more"
            " reports of one event (recall). Unset: the shipped threshold"
            " (data/score_weights.json). Applies to later ingests; `storyline why` shows it."),
    Setting("allowed_hosts", "", "Host names (comma-separated) the web server answers besides"
            " the address it listens on, localhost, 127.0.0.1 and [::1]; other Host headers get"
            " 421, so a DNS-rebinding page cannot read the store. Set it when serving under a"
            " name, e.g. `news.example.org`."),
    # --- feeds (storyline.feeds) ---
    Setting("feed_min_interval", 300.0, "Shortest polling interval of a feed, in seconds;"
            " each feed's interval adapts to how often it publishes, within"
            " feed_min_interval..feed_max_interval."),
    Setting("feed_max_interval", 21600.0, "Longest polling interval of a feed, in seconds; also"
            " the longest backoff of a failing feed (it is never dropped)."),
    Setting("fetch_allowed_hosts", "", "Host names or IP addresses (comma-separated) that feed"
            " and page fetching may reach although they resolve to a loopback, private or"
            " link-local address (refused by default, against SSRF), e.g. `intranet.example`."),
    Setting("fetch_timeout", 10.0, "Seconds to wait to connect, and between two reads, when"
            " fetching a feed or page."),
    Setting("fetch_deadline", 60.0, "Seconds one fetch (connect, headers and the whole body) may"
            " take at most: a server that drips its answer is cut off."),
    Setting("fetch_retries", 2, "Retries of a fetch after a transient failure (timeout, 5xx,"
            " 429), with jittered exponential backoff; Retry-After is honoured."),
    Setting("fetch_host_delay", 1.0, "Seconds between two requests to the same host (a polite"
            " rate limit); 0 for none."),
    Setting("fetch_host_connections", 2, "Requests in flight to the same host at most."),
    # --- follows and alerts (storyline.alerts) ---
    Setting("webhook_url", "", "URL that receives a POST of each new alert (JSON), signed with"
            " HMAC-SHA256 of the body under the STORYLINE_WEBHOOK_SECRET environment variable"
            " (X-Storyline-Signature: sha256=<hex>); empty: no webhook. Nothing is sent"
            " without the secret."),
    Setting("webhook_timeout", 10.0, "Seconds each webhook POST may take; a failed one is"
            " retried (3 tries), then again at the next ingest."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings for one run."""

    db: str = "storyline.db"
    window_days: float = 75.0
    max_bytes: int = 20 * 1024 * 1024
    batch_size: int = 64
    chunk_size: int = 1024
    min_words: int = 15
    enrich: bool = True
    ner: str = "sentences"
    workers: int = min(2, os.cpu_count() or 1)
    cluster_threshold: float | None = None
    allowed_hosts: str = ""
    feed_min_interval: float = 300.0
    feed_max_interval: float = 21600.0
    fetch_allowed_hosts: str = ""
    fetch_timeout: float = 10.0
    fetch_deadline: float = 60.0
    fetch_retries: int = 2
    fetch_host_delay: float = 1.0
    fetch_host_connections: int = 2
    webhook_url: str = ""
    webhook_timeout: float = 10.0

    def __post_init__(self) -> None:
        _check_threshold(self.cluster_threshold, source="settings")
        _check_workers(self.workers, source="settings")
        _check_ner(self.ner, source="settings")
        _check_fetch(self)

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the given (non-None) values set, type-checked."""
        clean = {k: v for k, v in values.items() if v is not None}
        return replace(self, **_coerce(clean, source="arguments"))


def load_settings(*, config_file: str | Path | None = None) -> Settings:
    """Defaults, then ``storyline.toml`` (or ``config_file``), then the environment."""
    values: dict[str, Any] = {}
    path = Path(config_file) if config_file else Path("storyline.toml")
    if config_file and not path.exists():
        raise ConfigError(f"config file {path} does not exist")
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot parse config file {path}: {exc}") from exc
        values.update(_coerce(data.get("storyline", data), source=str(path)))
    env = {
        s.name: os.environ[f"STORYLINE_{s.name.upper()}"]
        for s in SETTINGS
        if f"STORYLINE_{s.name.upper()}" in os.environ
    }
    values.update(_coerce(env, source="environment"))
    return Settings(**values)


#: Types of the settings whose default is None (unset).
_OPTIONAL_TYPES: dict[str, type] = {"cluster_threshold": float}


def _coerce(values: dict[str, Any], *, source: str) -> dict[str, Any]:
    types: dict[str, Any] = {f.name: type(f.default) for f in fields(Settings)}
    types.update(_OPTIONAL_TYPES)
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in types:
            raise ConfigError(f"unknown setting {key!r} in {source}")
        if key in _OPTIONAL_TYPES and isinstance(value, str) and not value.strip():
            out[key] = None  # STORYLINE_CLUSTER_THRESHOLD="" leaves it unset
            continue
        try:
            out[key] = _boolean(value) if types[key] is bool else types[key](value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"setting {key!r} in {source}: bad value {value!r}") from exc
    _check_threshold(out.get("cluster_threshold"), source=source)
    _check_workers(out.get("workers"), source=source)
    _check_ner(out.get("ner"), source=source)
    return out


def _check_ner(value: str | None, *, source: str) -> None:
    if value is not None and value not in NER_SCOPES:
        raise ConfigError(f"setting 'ner' in {source}: must be one of {', '.join(NER_SCOPES)},"
                          f" got {value!r}")


def _check_workers(value: int | None, *, source: str) -> None:
    if value is not None and not 1 <= value <= 64:
        raise ConfigError(f"setting 'workers' in {source}: must be between 1 and 64, got"
                          f" {value!r}")


def _check_fetch(settings: Settings) -> None:
    """Feed and fetch settings that would make polling misbehave (storyline.feeds)."""
    bounds = {"fetch_timeout": (0.0, False), "fetch_deadline": (0.0, False),
              "feed_min_interval": (0.0, True), "feed_max_interval": (0.0, True),
              "fetch_host_delay": (0.0, True), "fetch_retries": (0, True),
              "fetch_host_connections": (1, True)}
    for name, (low, inclusive) in bounds.items():
        value = getattr(settings, name)
        if value < low or (value == low and not inclusive):
            relation = "at least" if inclusive else "more than"
            raise ConfigError(f"setting {name!r}: must be {relation} {low:g}, got {value!r}")


def _check_threshold(value: float | None, *, source: str) -> None:
    """A join threshold must be a probability strictly between 0 and 1 (at 0 or 1 every
    article would join, or none)."""
    if value is not None and not 0.0 < value < 1.0:
        raise ConfigError(f"setting 'cluster_threshold' in {source}: must be between 0 and 1"
                          f" (exclusive), got {value!r}")


def _boolean(value: Any) -> bool:
    """``true``/``false`` (also 1/0, yes/no, on/off) from TOML, the environment or flags."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {value!r}")
