"""Ambiguous city names (issue 12): a name several cities share is no evidence of two places."""

from __future__ import annotations

from storyline.stories.places import compatible, resolve_places


def test_places_namesakes_resolved_apart_are_compatible() -> None:
    # One article names Hamilton beside Leicester (GB), another alone (most populous: Canada).
    beside = resolve_places(["Hamilton", "Leicester"])
    assert "GB/SCT/hamilton" in beside
    assert compatible("GB/SCT/hamilton", "CA/08/hamilton")
    assert compatible("CA/08/hamilton/ethel road", "GB/SCT/hamilton")
    # Different cities, and different streets of one city, still conflict.
    assert not compatible("US/OH/dayton", "US/CA/fresno")
    assert not compatible("US/OH/dayton/salem avenue", "US/OH/dayton/troon way")


def test_places_an_ambiguous_name_alone_says_no_city() -> None:
    assert resolve_places(["Kingston"]) == {"?kingston"}
    assert resolve_places(["Kingston", "Jamaica"]) == {"JM/17/kingston", "JM"}
