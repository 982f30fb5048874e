"""Recurring templated headlines ("Police log", "Story number 3"): the headline key, how a
shared or recurring headline changes the comparison of two short articles, and that the
pipeline keeps unrelated briefs under one headline apart while two briefs of one event under
it still join."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storyline.stories.evidence import (
    Background,
    compare,
    evidence_for,
    evidence_from_dict,
    evidence_to_dict,
    story_items,
)
from storyline.stories.headlines import headline_key, same_headline

# Briefs written for these tests (invented places, people and incidents).
CONVERTERS = ("Thieves cut catalytic converters from three cars parked behind a repair shop on"
              " Larch Road overnight, the owner told officers Monday. No arrests.")
BIKES = ("Two electric bikes were taken from an unlocked garage on Quill Street on Friday. A"
         " doorbell camera recorded two people wheeling them away at 4 a.m.")
WIND = ("A wind advisory is in effect from noon to 8 p.m. Friday in Harlow County, with gusts to"
        " 50 mph. Tie down trash cans; scattered power outages are possible.")
BRIDGE = ("The Tamsin Street Bridge is closed from 9 a.m. to noon Wednesday while engineers"
          " inspect its arches. Use the Fenwick Street bridge instead.")


def test_headlines_key_keeps_words_only() -> None:
    assert headline_key("Story number 3") == headline_key("Story number 12") == "story number"
    assert headline_key("Police log:") == headline_key("POLICE  LOG") == "police log"
    assert headline_key("Weather update, April 4") == "weather update april"
    assert headline_key("") == headline_key(None) == ""
    assert same_headline("police log", "police log")
    assert not same_headline("police log", "traffic alert")
    assert not same_headline("", "")  # unknown headlines never match


def test_headlines_shared_headline_turns_off_the_short_offset() -> None:
    a = evidence_for("Police log", CONVERTERS)
    b = evidence_for("Police log", BIKES)
    shared = compare(a, b)
    assert shared.shared_headline and not shared.short
    # The same two briefs under headlines of their own are headline-like: the offset applies.
    apart = compare(evidence_for("Converters cut from three cars", CONVERTERS),
                    evidence_for("Two e-bikes stolen from garage", BIKES))
    assert apart.short and not apart.shared_headline
    assert apart.vector()[-1] == 1.0 and shared.vector()[-1] == 0.0


def test_headlines_a_headline_heading_several_stories_is_a_template() -> None:
    brief = evidence_for("Weather update", WIND)
    other = evidence_for("Bridge closed for inspection", BRIDGE)
    background = Background()
    background.add("s1", story_items(evidence_for("Weather update", "Rain all day. " * 5)))
    assert compare(brief, other, background).short  # heads one story: not yet a template
    background.add("s2", story_items(evidence_for("Weather update", "Frost tonight. " * 5)))
    assert not compare(brief, other, background).short
    assert not compare(other, brief, background).short
    assert compare(brief, other).short  # without a stream, nothing is known to recur


def test_headlines_evidence_round_trips_the_headline() -> None:
    evidence = evidence_for("Police log", CONVERTERS)
    assert evidence.headline == "police log"
    assert evidence_from_dict(evidence_to_dict(evidence)) == evidence
    stored = evidence_to_dict(evidence)
    del stored["headline"]  # evidence stored before headlines were kept
    assert evidence_from_dict(stored).headline == ""


def _record(n: int, title: str, text: str, day: int, outlet: str) -> dict[str, str]:
    return {"url": f"https://www.harlowherald.example/2025/04/{day:02d}/brief-{n}",
            "title": title, "text": text, "published": f"2025-04-{day:02d}T0{n % 10}:00:00Z",
            "outlet": outlet}


@pytest.mark.slow
def test_headlines_unrelated_briefs_under_one_headline_stay_apart(tmp_path: Path,
                                                                  encoder: Any) -> None:
    from storyline.config import Settings
    from storyline.ingest.readers import read_paths
    from storyline.research import cluster_records

    stolen_van = ("Deputies are looking for a white delivery van taken from a bakery lot on"
                  " Orrin Avenue early Sunday. The keys had been left in it, the owner said.")
    wind_again = ("Forecasters issued a wind advisory for Harlow County from noon until 8 p.m."
                  " Friday, with gusts up to 50 mph. Crews are on standby for downed lines.")
    rows = [
        _record(1, "Police log", CONVERTERS, 1, "Harlow Herald"),
        _record(2, "Police log", BIKES, 3, "Harlow Herald"),
        _record(3, "Story number 1", "The regional assembly delayed its budget by three weeks"
                " after members failed to agree on the cost of the new hospital wing.", 4,
                "Harlow Herald"),
        _record(4, "Story number 2", "Floodwater closed the river road and two schools on"
                " Thursday morning; buses were rerouted through the hills.", 4,
                "Harlow Herald"),
        _record(5, "Police log", stolen_van, 6, "Harlow Herald"),
        _record(6, "Weather update", WIND, 7, "Channel 9 Harlow"),
        _record(7, "Weather update", wind_again, 7, "Harlow Herald"),
    ]
    path = tmp_path / "briefs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    by_source, rejections, _ = cluster_records(read_paths([path]), settings=Settings(),
                                               encoder=encoder)
    assert not rejections
    story = [by_source[f"{path}:{n}"] for n in range(1, len(rows) + 1)]
    assert len({story[0], story[1], story[4]}) == 3  # three police logs, three incidents
    assert story[2] != story[3]  # "Story number 1" and "Story number 2"
    assert story[5] == story[6]  # one wind advisory, two outlets, one headline
    assert len(set(story)) == 6


def test_headlines_why_names_the_recurring_headline(tmp_path: Path, encoder: Any) -> None:
    """`storyline why` and `compare` (text, JSON and the article page share the pair
    explanation) say when two short reports were scored by their bodies alone because of
    their common headline."""
    from storyline.config import Settings
    from storyline.pipeline import Pipeline
    from storyline.serialize import pair_explanation
    from storyline.store import open_store
    from storyline.stories.explain import _pair_lines, compare_articles

    rows = [_record(1, "Police log", CONVERTERS, 1, "Harlow Herald"),
            _record(2, "Police log", BIKES, 3, "Harlow Herald"),
            _record(3, "Road closure", BRIDGE, 3, "Harlow Herald")]
    path = tmp_path / "briefs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with open_store(str(tmp_path / "store.db"), model_name=encoder.name) as store:
        Pipeline(store, settings=Settings(), encoder=encoder).ingest_paths([path])
        first, second, bridge = sorted(store.iter_articles(), key=lambda a: a.published)
        assert (first.title, second.title, bridge.title) == \
            ("Police log", "Police log", "Road closure")
        pair = compare_articles(store, second.id, first.id)
        assert pair.template_headline == "police log"
        assert any('recurring headline:   "police log"' in line for line in _pair_lines(pair))
        assert pair_explanation(pair)["template_headline"] == "police log"
        # By now "police log" heads two stories: a template, whichever brief it meets.
        other = compare_articles(store, bridge.id, first.id)
        assert other.template_headline == "police log"
        assert pair_explanation(other)["template_headline"] == "police log"
        # Two full-length texts never get the headline-like offset: nothing to explain.
        long = [_record(1, "Police log", " ".join([CONVERTERS] * 4), 1, "Harlow Herald"),
                _record(2, "Police log", " ".join([BIKES] * 4), 3, "Harlow Herald")]
        long_path = tmp_path / "long.jsonl"
        long_path.write_text("".join(json.dumps(r) + "\n" for r in long), encoding="utf-8")
    with open_store(str(tmp_path / "long.db"), model_name=encoder.name) as store:
        Pipeline(store, settings=Settings(), encoder=encoder).ingest_paths([long_path])
        a, b = sorted(store.iter_articles(), key=lambda a: a.published)
        pair = compare_articles(store, b.id, a.id)
        assert pair.template_headline == ""
        assert pair_explanation(pair)["template_headline"] is None
        assert not any("recurring headline" in line for line in _pair_lines(pair))
