"""Event evidence: rare words, places with containment, numbers, and conflicts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storyline.models import EventMark, Evidence
from storyline.stories.events import one_off_conflict
from storyline.stories.evidence import (
    EVENT_FEATURES,
    compare,
    evidence_for,
    evidence_from_dict,
    evidence_to_dict,
    term_vector,
)
from storyline.stories.places import compatible, resolve_places


@dataclass(frozen=True)
class _Entity:
    name: str
    type: str
    aliases: tuple[str, ...] = ()


DAYTON = (
    "Fire destroys Dayton plastics plant",
    "A fire tore through the Kettlewell Plastics plant in Dayton, Ohio on Monday, injuring "
    "4 workers. Plant manager Dana Ruiz said 60 firefighters fought the blaze for 9 hours.",
    [_Entity("Dayton", "place"), _Entity("Ohio", "place"), _Entity("Dana Ruiz", "person"),
     _Entity("Kettlewell Plastics", "org")],
)
FRESNO = (
    "Blaze guts Fresno packaging plant",
    "A fire swept through the Orchard Box packaging plant in Fresno, California on Tuesday, "
    "injuring 7 workers. Battalion Chief Tom Avila said 45 firefighters fought the fire for "
    "5 hours.",
    [_Entity("Fresno County", "place", ("Fresno",)), _Entity("California", "place"),
     _Entity("Tom Avila", "person"), _Entity("Orchard Box", "org")],
)
DAYTON_FOLLOW_UP = (
    "Dayton residents return after plastics fire",
    "Evacuated residents returned home in Dayton after the fire at Kettlewell Plastics, "
    "which injured 4 workers. Dana Ruiz, the plant's manager, said the cause is under "
    "investigation.",
    [_Entity("Dayton", "place"), _Entity("Dana Ruiz", "person"),
     _Entity("Kettlewell Plastics", "org")],
)


def _evidence(case: tuple[str, str, list[_Entity]]):  # type: ignore[no-untyped-def]
    title, text, entities = case
    return evidence_for(title, text, language="en", entities=entities)


def test_places_resolve_with_containment() -> None:
    dayton = resolve_places(["Dayton", "Ohio"])
    assert "US/OH/dayton" in dayton and "US/OH" in dayton
    harbin = resolve_places(["Harbin"])
    assert any(p.startswith("CN/") for p in harbin)
    assert compatible("CN", next(iter(harbin)))  # Harbin is in China
    assert not compatible("US/OH/dayton", "US/CA/fresno")
    assert not compatible("US/OH", "US/CA")
    assert resolve_places(["Nowhereville"]) == frozenset({"?nowhereville"})


def test_an_ambiguous_city_stays_in_the_country_the_article_names() -> None:
    # Logan, Queensland is not in the gazetteer: next to Brisbane, "Logan" is not in Utah.
    assert resolve_places(["Logan", "Brisbane"]) == {"?logan", "AU/04/brisbane"}
    assert resolve_places(["Paris", "Texas"]) == {"US/TX/paris", "US/TX"}
    # Alone, a name of several cities of like size says no city (Logan, Utah has 50,000 people,
    # Logan, West Virginia 22,000); one that dwarfs its namesakes does (Dayton, Ohio).
    assert resolve_places(["Logan"]) == {"?logan"}
    assert resolve_places(["Dayton"]) == {"US/OH/dayton"}


def test_places_alias_resolves_the_city_inside_a_county_name() -> None:
    places = _evidence(FRESNO).places
    assert "US/CA/fresno" in places  # from the alias "Fresno" of "Fresno County"


def test_term_vector_weighs_rare_words_over_common_ones() -> None:
    terms = term_vector("The fire in Fresno: the fire chief said the fire was out.")
    assert terms["fresno"] > terms["fire"] > terms.get("said", 0.0)
    assert "the" not in terms or terms["the"] < terms["fire"]


def test_compare_lookalike_events_conflict_on_place_and_numbers() -> None:
    c = compare(_evidence(DAYTON), _evidence(FRESNO))
    assert c.place_conflict is not None
    assert "US/OH/dayton" in c.place_conflict[0] and "US/CA/fresno" in c.place_conflict[1]
    assert c.number_conflict and not c.shared_numbers
    assert not c.shared_people


def test_compare_same_event_agrees_on_people_places_and_numbers() -> None:
    same = compare(_evidence(DAYTON), _evidence(DAYTON_FOLLOW_UP))
    other = compare(_evidence(DAYTON_FOLLOW_UP), _evidence(FRESNO))
    assert same.place_conflict is None and "US/OH/dayton" in same.shared_places
    assert same.shared_people == {"dana ruiz"}
    assert "4" in same.shared_numbers
    assert same.terms > other.terms
    assert len(same.vector()) == len(EVENT_FEATURES)


def test_evidence_round_trips_through_its_dict() -> None:
    e = _evidence(FRESNO)
    assert e.language == "en"
    assert evidence_from_dict(evidence_to_dict(e)) == e
    assert evidence_from_dict(None).names == frozenset()
    # Evidence stored before it kept its language reads back without one.
    old = evidence_to_dict(e)
    del old["language"]
    assert evidence_from_dict(old).language is None


def test_evidence_without_entities_uses_keywords_as_names() -> None:
    e = evidence_for("Dayton fire", "A fire in Dayton injured 4 workers.",
                     keywords=["dayton", "kettlewell"])
    assert e.orgs == {"dayton", "kettlewell"} and not e.people


def test_one_off_conflict_needs_a_one_off_action_days_apart() -> None:
    day = 739000
    quake_a = (EventMark("earthquake", day, day),)
    quake_b = (EventMark("earthquake", day + 20, day + 20),)
    testimony_a = (EventMark("testimony", day, day),)
    testimony_b = (EventMark("testimony", day + 20, day + 20),)
    assert one_off_conflict(quake_a, quake_b)
    assert not one_off_conflict(quake_a, (EventMark("earthquake", day, day + 1),))
    assert not one_off_conflict(testimony_a, testimony_b)  # a trial's testimony recurs
    # An assault (the "attack" action) on a street three weeks after another is another one.
    assert one_off_conflict((EventMark("attack", day, day),),
                            (EventMark("attack", day + 21, day + 21),))


@pytest.mark.slow
def test_score_pairs_keeps_lookalike_fires_apart_and_joins_a_follow_up() -> None:
    """The shipped same-event model through the ingest stages (``research.score_articles``):
    two fires a week apart in two cities are two events; a follow-up of one is the same."""
    from storyline.research import article_from_dict, score_articles
    from storyline.stories.scoring import default_weights

    def art(case: tuple[str, str, list[_Entity]], day: str):  # type: ignore[no-untyped-def]
        return article_from_dict({"title": case[0], "text": case[1], "published": day,
                                  "language": "en"}, source=case[0])

    dayton = art(DAYTON, "2025-03-03T09:00:00Z")
    follow_up = art(DAYTON_FOLLOW_UP, "2025-03-04T09:00:00Z")
    fresno = art(FRESNO, "2025-03-11T09:00:00Z")
    same, other = score_articles([(dayton, follow_up), (dayton, fresno)])
    threshold = default_weights().threshold
    assert other < threshold <= same, (same, other)


SALEM = (
    "Man killed in Salem Avenue shooting",
    "A 27-year-old man was shot and killed Monday night on Salem Avenue in Dayton, police "
    "said. Sgt. Derek Whitcomb, a police spokesman, said Darnell Pryor died at Miami Valley "
    "Hospital.",
    [_Entity("Dayton", "place"), _Entity("Derek Whitcomb", "person"),
     _Entity("Darnell Pryor", "person"), _Entity("Miami Valley Hospital", "org")],
)
HOOVER = (
    "Woman hurt in Hoover Avenue shooting",
    "A 34-year-old woman was wounded Thursday afternoon on Hoover Ave. in Dayton. Sgt. Derek "
    "Whitcomb said Tanya Brooks was taken to Miami Valley Hospital.",
    [_Entity("Dayton", "place"), _Entity("Derek Whitcomb", "person"),
     _Entity("Tanya Brooks", "person"), _Entity("Miami Valley Hospital", "org")],
)


def test_streets_sit_below_the_city_and_conflict() -> None:
    salem, hoover = _evidence(SALEM), _evidence(HOOVER)
    assert any(p.endswith("/dayton/salem avenue") for p in salem.places)
    assert any(p.endswith("/dayton/hoover avenue") for p in hoover.places)
    assert compare(salem, hoover).place_conflict is not None
    # A report naming only the city stays compatible with a street in it.
    city_only = evidence_for("Shooting in Dayton", "A man was shot in Dayton on Monday.",
                             language="en", entities=[_Entity("Dayton", "place")])
    assert compare(salem, city_only).place_conflict is None


def test_streets_are_normalised() -> None:
    from storyline.stories.places import streets

    assert streets("on W. Third St. near the 400 block of West Third Street") == {"3rd street"}
    assert streets("traders on Wall Street") == frozenset()


def test_a_police_releases_street_abbreviations_without_points_are_streets() -> None:
    from storyline.stories.places import streets

    assert streets("Robbery Investigation: 1500 Block of E. Apache St") == {"apache street"}
    assert streets("a business in the 6100 block of S. Memorial Dr in reference to a robbery"
                   ) == {"memorial drive"}
    assert streets("near Harvard Ave and E. 11th St.") == {"harvard avenue", "11th street"}
    # "Dr" before a name is a doctor.
    assert streets("said Regional Dr Amelia Park, a surgeon") == frozenset()


def test_british_streets_are_read_and_normalised() -> None:
    from storyline.stories.places import streets

    text = ("Police closed Melton Road at Troon Way; a man was stabbed on St Saviour’s Road and "
            "another in Linden Close, near Humberstone Gate and St. Saviour's Road.")
    assert streets(text) == {"melton road", "troon way", "st saviour's road", "linden close",
                             "humberstone gate"}


def test_a_street_tagged_as_a_person_or_organisation_is_a_place() -> None:
    text = "A man, 67, died in a fire on Saffron Lane in Leicester. Troon Way was closed."
    e = evidence_for("House fire on Saffron Lane", text, language="en",
                     entities=[_Entity("Saffron Lane", "person"), _Entity("Troon Way", "org"),
                               _Entity("Derek Howell", "person"),
                               _Entity("Leicester", "place")])
    assert e.people == {"derek howell"} and e.orgs == frozenset()
    assert any(p.endswith("/leicester/saffron lane") for p in e.places)


def test_officials_are_not_people_of_the_event() -> None:
    salem = _evidence(SALEM)
    assert "darnell pryor" in salem.people
    assert "derek whitcomb" not in salem.people
    assert "darnell pryor" not in compare(salem, _evidence(HOOVER)).shared_people


def test_background_leaves_out_what_many_stories_name() -> None:
    from storyline.stories.evidence import COMMON_MIN_STORIES, Background, story_items

    salem, hoover = _evidence(SALEM), _evidence(HOOVER)
    plain = compare(salem, hoover)
    assert "miami valley hospital" in plain.shared_orgs
    background = Background()
    for k in range(COMMON_MIN_STORIES):  # other stories that name the same hospital
        background.add(f"s{k}", story_items(salem) & {"org:miami valley hospital", "dayton"})
    assert background.is_common("org:miami valley hospital")
    quiet = compare(salem, hoover, background)
    assert "miami valley hospital" not in quiet.shared_orgs
    assert quiet.terms < plain.terms
    assert quiet.entity_jaccard < plain.entity_jaccard


def test_background_counts_stories_not_articles_and_forgets_the_oldest() -> None:
    from storyline.stories.evidence import Background

    background = Background(capacity=3)
    for _ in range(10):  # one big story naming a name many times
        background.add("big", {"person:darnell pryor"})
    assert background.stories_naming("person:darnell pryor") == 1
    assert not background.is_common("person:darnell pryor")
    for k in range(3):
        background.add(f"s{k}", {"place:US/OH/dayton"})
    assert background.is_common("place:US/OH/dayton")
    assert background.stories_naming("person:darnell pryor") == 0  # "big" was forgotten


# A police department's releases name the street, never the city (it goes without saying).
RELEASE_FRAYSER = (
    "Shooting Investigation: Frayser Boulevard",
    "On Sunday, October 19, 2025, at approximately 1:40 a.m., officers responded to a shooting "
    "call in the 3100 block of Frayser Boulevard.\n\nOfficers located one adult male victim "
    "suffering from a gunshot wound. This is an ongoing investigation.",
)
RELEASE_LAMAR = (
    "Homicide Investigation: Lamar Avenue",
    "On Monday, October 20, 2025, at approximately 7:55 p.m., officers responded to a shooting "
    "at a business in the 2600 block of Lamar Avenue.\n\nOfficers located one adult male victim "
    "suffering from multiple gunshot wounds. This is an ongoing investigation.",
)


def test_streets_of_an_unnamed_city_sit_under_local_and_conflict() -> None:
    from storyline.stories.places import LOCAL

    frayser = evidence_for(*RELEASE_FRAYSER, language="en", entities=[])
    lamar = evidence_for(*RELEASE_LAMAR, language="en", entities=[])
    assert f"{LOCAL}/frayser boulevard" in frayser.places
    assert compare(frayser, lamar).place_conflict is not None
    # The same street in a report that names the city agrees with the release.
    tv = evidence_for("Man critical after shooting outside Frayser store",
                      "MEMPHIS, Tenn. — A man was shot outside a store on Frayser Boulevard in "
                      "Memphis early Sunday.", language="en",
                      entities=[_Entity("Memphis", "place")])
    relation = compare(frayser, tv)
    assert relation.place_conflict is None and relation.shared_places
    # A street of an unnamed city is no agreement with a city alone, and no conflict either.
    city_only = evidence_for("Shooting in Memphis", "A man was shot in Memphis on Sunday.",
                             language="en", entities=[_Entity("Memphis", "place")])
    relation = compare(frayser, city_only)
    assert relation.place_conflict is None and not relation.shared_places


def test_streets_of_an_unnamed_city_come_from_the_lede_only() -> None:
    # A citywide strike's report walks down streets that are scenery, not where it happened.
    strike = evidence_for(
        "Rubbish piles up as bin strike bites",
        "Black bags are stacked against front walls as the bin strike enters its fourth day.\n\n"
        "In the terraced streets between St Peter's Road and St Saviour's Road, residents say "
        "there is nowhere else to put the rubbish.", language="en", entities=[])
    assert not [p for p in strike.places if "road" in p]
    # ... while a brief's first sentence says where it happened, abbreviations and all.
    brief = evidence_for("Man hurt", "A man was hurt on St. Mary's Road in St. Vital, Sgt. Ann "
                         "Roy said. Police are on Elm Street.", language="en", entities=[])
    assert any(p.endswith("/st mary's road") for p in brief.places)
    assert not any(p.endswith("/elm street") for p in brief.places)


def test_the_year_of_publication_is_no_evidence() -> None:
    frayser = evidence_for(*RELEASE_FRAYSER, language="en", entities=[], published_year=2025)
    lamar = evidence_for(*RELEASE_LAMAR, language="en", entities=[], published_year=2025)
    assert not compare(frayser, lamar).shared_years
    # Without a known publication year, and for other years, years count as before.
    assert "2025" in evidence_for(*RELEASE_FRAYSER, language="en", entities=[]).years
    sentence = evidence_for("Sentence", "He was jailed for a 2023 killing on Tuesday, 2025.",
                            language="en", entities=[], published_year=2025)
    assert sentence.years == {"2023"}


def test_clock_times_are_one_item_and_no_conflict() -> None:
    def ev(text: str) -> Evidence:
        return evidence_for("Shooting Investigation", text, language="en", entities=[])

    tire_shop = ev("At approximately 2:40 p.m., officers found one male victim, 33, in the"
                   " 2300 block.")
    apartments = ev("At approximately 10:40 p.m., officers found one male victim, 19, in the"
                    " 1400 block.")
    # The minutes of two different times ("40") are no shared number.
    c = compare(tire_shop, apartments)
    assert not c.shared_numbers and "@14:40" in tire_shop.numbers
    assert c.number_conflict  # the counts still conflict: 33, 2300 vs 19, 1400
    # One time, written two ways, is shared; different times alone are no conflict.
    radio = ev("Melton Road was closed after a crash shortly after 5.40pm on Tuesday.")
    paper = ev("The crash happened at 17:40 on Melton Road, near 14 shops and 22 homes.")
    assert compare(radio, paper).shared_numbers == {"@17:40"}
    later = ev("Police were called at 6.15pm; 14 shops and 22 homes lost power.")
    assert not compare(ev("Called at 9:05 a.m. and 11:30 a.m."), later).number_conflict


def test_forecasters_judges_and_the_outlets_own_name_are_no_evidence() -> None:
    wind = evidence_for(
        "High wind warning issued for Albuquerque area Tuesday",
        "ALBUQUERQUE, N.M. (RGP) — Gusts could reach 60 mph, said Jason Pruitt, a meteorologist"
        " with the National Weather Service. Judge Ana Lucero postponed hearings. Tomas Reyes, a"
        " rancher near Tijeras, said he had tied down his barn.",
        language="en", outlet="Rio Grande Press",
        entities=[_Entity("Jason Pruitt", "person"), _Entity("Ana Lucero", "person"),
                  _Entity("Tomas Reyes", "person"), _Entity("RGP", "org"),
                  _Entity("National Weather Service", "org")])
    assert wind.people == {"tomas reyes"}  # the forecaster and the judge speak for many events
    assert wind.orgs == {"national weather service"}  # "(RGP)" is the outlet itself
    # Another outlet naming that wire service keeps it; a name merely like it stays too.
    other = evidence_for("Snow on the way", "Forecasters told RGP and KQBX News 7 to expect"
                         " snow, said Dana Kwan.", language="en", outlet="KQBX News 7",
                         entities=[_Entity("RGP", "org"), _Entity("KQBX", "org"),
                                   _Entity("KQBX Newsroom Fund", "org")])
    assert other.orgs == {"rgp", "kqbx newsroom fund"}


def test_bylines_and_commonwealth_ranks_are_no_evidence() -> None:
    text = ("By Pita Matagi\n\nA man was critically hurt on Bairds Road, said Det Insp Lana"
            " Whitiora. Fire and Emergency shift manager Brent Sorensen said crews arrived at"
            " 2.12am. Aroha Tane, a neighbour, called 111. Matagi's colleague Sione Kata saw"
            " it.\n\n— Reporting by Ana Lealaiauloto")
    entities = [_Entity(n, "person") for n in (
        "Pita Matagi", "Lana Whitiora", "Brent Sorensen", "Aroha Tane", "Sione Kata",
        "Ana Lealaiauloto")]
    ev = evidence_for("Man hurt in Ōtara", text, language="en", entities=entities,
                      authors=["Pita Matagi", "Ana Lealaiauloto"])
    # The reporters cover many events and the officers speak for many: neither is evidence.
    assert ev.people == {"aroha tane", "sione kata"}
    assert "matagi" not in ev.terms and "lealaiauloto" not in ev.terms
    assert "whitiora" in ev.terms  # a rank drops the person, not the rare word
    # Without the bylines, the reporters are people like any other.
    plain = evidence_for("Man hurt in Ōtara", text, language="en", entities=entities)
    assert {"pita matagi", "ana lealaiauloto"} <= plain.people and "matagi" in plain.terms


def test_two_incidents_named_apart_get_no_same_day_match() -> None:
    from dataclasses import replace as _replace

    from storyline.stories.scoring import PairFeatures, default_weights, logit

    def ev(names: list[tuple[str, str]]) -> Evidence:
        text = ". ".join(n for n, _ in names) + "."
        return evidence_for("Serious assault", text, language="en",
                            entities=[_Entity(n, t) for n, t in names])

    queen = ev([("Auckland City Hospital", "org"), ("Auckland Central", "org"),
                ("Tom Brereton", "person")])
    otara = ev([("Middlemore Hospital", "org"), ("Rachel Kerr", "person"),
                ("Counties Manukau", "org")])
    apart = compare(queen, otara)
    assert apart.entity_conflict and apart.named_apart  # "hospital" ties nothing
    robbery = ev([("Rancho Mart", "org"), ("Montgomery", "place"), ("Ramiro Olivas", "person")])
    release = ev([("Montgomery Blvd NE", "org"), ("Convenience Store", "org"),
                  ("Wyoming", "org")])
    same = compare(robbery, release)
    assert same.entity_conflict and not same.named_apart  # one street written two ways
    w = default_weights()
    base = PairFeatures(cos_head=0.6, cos_body=0.6, keyword_overlap=0.2, gap_days=1.0,
                        one_off_match=True, comparison=same)
    assert logit(base, w) - logit(_replace(base, one_off_match=False), w) == pytest.approx(
        w.one_off_match)
    named_apart = _replace(base, comparison=apart)
    assert logit(named_apart, w) == pytest.approx(
        logit(_replace(named_apart, one_off_match=False), w))
