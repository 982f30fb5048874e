"""The GeoNames tables are parsed once and shared: the multilingual place lookup
(``enrich/gazetteer.py``) and the place paths of story evidence (``stories/places.py``) read the
same rows and take alternate names under the same population rule."""

from __future__ import annotations

from storyline.enrich.gazetteer import ALIAS_MIN_POPULATION, geonames, lookup_place
from storyline.stories import places
from storyline.stories.places import resolve_places


def test_gazetteer_tables_are_parsed_once_and_ordered() -> None:
    tables = geonames()
    assert geonames() is tables
    populations = [int(city["population"]) for city in tables.cities]
    assert len(populations) > 20_000
    assert populations == sorted(populations, reverse=True)
    assert tables.countries["CN"]["name"] == "China"
    assert tables.us_states["OH"]["name"] == "Ohio"


def test_gazetteer_alias_rule_is_shared_with_places() -> None:
    assert places.ALIAS_MIN_POPULATION is ALIAS_MIN_POPULATION
    # Beijing is above the line: its old name resolves in both modules.
    beijing = lookup_place("Peking")
    assert beijing is not None and beijing.name == "Beijing"
    assert resolve_places(["Peking"]) == {"CN/22/beijing"}
    # Columbus, Ohio (about 900,000 people) is below it: "Franklinton", one of its alternate
    # names, is no name of Columbus in either module.
    columbus = next(c for c in geonames().cities if c["name"] == "Columbus")
    assert int(columbus["population"]) < ALIAS_MIN_POPULATION
    assert "Franklinton" in columbus["alternatenames"]
    found = lookup_place("Franklinton")
    assert found is None or found.name != "Columbus"
    assert not any(path.endswith("/columbus") for path in resolve_places(["Franklinton"]))
