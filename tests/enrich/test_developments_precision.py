"""Developments, precision first (issue 12): a fire story gives the fire and its toll, not an
"acquisition" by the fire marshal; event words in their other senses ("take over the
investigation", "struck a deal", "the deal will close", "opened fire", "cut ties") give no
event. Every article here is written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.enrich.developments import enrich_articles
from storyline.models import Article, Development


def _developments(text: str, *, published: datetime | None = None) -> list[Development]:
    article = Article(
        id="p",
        title="",
        text=text,
        published=published or datetime(2024, 6, 15, 9, 0, tzinfo=UTC),
        authors=[],
        outlet="Wire",
        url=None,
        language="en",
        source="p.txt",
        raw_kind="text",
    )
    return enrich_articles([article])[0].developments


FIRE = (
    "A fire ripped through a furniture warehouse in Kelso, Minnesota, late on Friday, killing "
    "two night-shift workers and injuring four others, the county sheriff said. Crews fought "
    "the blaze for five hours before it was under control. The Minnesota State Fire Marshal "
    "has taken over the investigation into the cause of the fire, a spokesman said."
)


def test_developments_fire_story_gives_the_fire_and_its_toll() -> None:
    devs = _developments(FIRE)
    actions = [d.action for d in devs]
    assert "acquisition" not in actions  # "has taken over the investigation"
    fires = [d for d in devs if d.action == "fire"]
    assert len(fires) == 1, fires  # "the blaze", "the fire" are the same fire
    fire = fires[0]
    assert fire.main and fire.modality == "happened"
    assert fire.when is not None and fire.when.start == "2024-06-14"
    # Nobody in the investigation sentence is an actor of the fire.
    assert "Minnesota State Fire Marshal" not in fire.participants
    assert "Kelso" in fire.places and "Kelso" not in fire.participants
    tolls = {d.action: d for d in devs if d.count is not None}
    assert (tolls["deaths"].count, tolls["injuries"].count) == (2, 4)
    assert tolls["deaths"].modality == "happened" and tolls["deaths"].when == fire.when
    assert not tolls["deaths"].main  # shown beside the fire, never instead of it


@pytest.mark.parametrize(
    "text",
    [
        "Assistant coach Ben Ortiz will take over the team until the end of the season.",
        "Detectives from the state police have taken over the inquiry into the bridge collapse.",
        "Union leaders struck a deal with the rail operator on pay on Tuesday.",
        "The sale of the brewery will close next month, Fenwick Group said.",
        "Shares in Fenwick Group closed up 3% on Tuesday.",
        "The minister came under fire on Monday for the delays.",
        "The government cut ties with the contractor last week.",
        "A power cut left the town dark on Sunday.",
        "The plan drew a storm of criticism from residents on Monday.",
        "A blast of Arctic air will reach the region on Tuesday.",
        "Shares in Fenwick Group crashed on Tuesday after a profit warning.",
        "The goalkeeper suffered a cardiac arrest on Friday.",
        "The clinical trial of the drug began in May.",
        "On Sunday, October 26, 2025, at approximately 1:45 a.m., officers working a"
        " bar-closing detail in the Nob Hill area heard gunshots in the 3400 block of Central"
        " Avenue SE.",
        "The council backed cost-cutting measures on Tuesday.",
    ],
)
def test_developments_other_senses_are_no_events(text: str) -> None:
    found = [(d.action, d.trigger) for d in _developments(text)]
    bad = {"acquisition", "strike", "attack", "closure", "fire", "cut", "storm", "explosion",
           "crash", "arrest", "trial"}  # fmt: skip
    assert not [f for f in found if f[0] in bad], found


@pytest.mark.parametrize(
    ("text", "action", "modality"),
    [
        (
            "Fenwick Group will take over rival retailer Marlowe Stores for $2 billion, the "
            "companies said on Monday.",
            "acquisition",
            "announced",
        ),
        ("Police opened fire on the van after it rammed a checkpoint on Friday.", "shooting",
         "happened"),
        ("Two cars crashed on the ring road on Sunday, police said.", "crash", "happened"),
        ("The council said it will shut the Elm Street library.", "closure", "announced"),
        (
            "The central bank is expected to cut interest rates on June 20, economists said.",
            "cut",
            "expected",
        ),
        ("The Northland central bank cut interest rates by a quarter point on Thursday.", "cut",
         "happened"),
    ],
)
def test_developments_senses_that_are_events(text: str, action: str, modality: str) -> None:
    dev = next((d for d in _developments(text) if d.main and d.action == action), None)
    assert dev is not None, [(d.action, d.modality) for d in _developments(text)]
    assert dev.modality == modality


def test_developments_cut_is_dated_and_has_its_agent() -> None:
    (dev,) = [d for d in _developments(
        "The Northland Reserve Bank is expected to cut interest rates on June 20, economists "
        "said on Friday."
    ) if d.action == "cut"]  # fmt: skip
    assert dev.when is not None and (dev.when.start, dev.when.end) == ("2024-06-20", "2024-06-20")


def test_developments_dateline_town_is_a_place_not_an_actor() -> None:
    devs = _developments(
        "DAYTON, Ohio — Kettlewell Polymer Products will rebuild its plant in Dayton, three "
        "days after a blaze that injured five employees, the company said on Thursday."
    )
    for dev in devs:
        assert "Dayton" not in dev.participants, dev
    (toll,) = [d for d in devs if d.action == "injuries"]
    assert toll.count == 5


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("A man was shot and killed on Elm Street on Tuesday.", "shooting"),
        ("Two men were shot Sunday night outside a bar.", "shooting"),
        ("Officers shot a man who pointed a gun at them on Friday.", "shooting"),
        ("A man was knifed outside a house party early Saturday.", "stabbing"),
    ],
)
def test_developments_shot_and_knifed_are_events(text: str, action: str) -> None:
    assert action in [d.action for d in _developments(text)]


@pytest.mark.parametrize(
    "text",
    ["He shot a 67 in the final round on Sunday.", "The crew shot a film downtown on Monday.",
     "Her career shot up after the festival last year."],
)
def test_developments_other_shots_are_no_shootings(text: str) -> None:
    assert "shooting" not in [d.action for d in _developments(text)]


def test_developments_a_crime_named_as_a_charge_takes_no_date_of_the_hearing() -> None:
    text = ("Two people charged with second-degree murder in the death of a 44-year-old man "
            "appeared briefly in provincial court Tuesday.")
    devs = _developments(text, published=datetime(2025, 3, 4, 15, 0, tzinfo=UTC))
    assert "killing" not in [d.action for d in devs]
    charge = next(d for d in devs if d.action == "charge")
    assert charge.when is not None and charge.when.start == "2025-03-04"


@pytest.mark.parametrize(
    ("text", "action", "day"),
    [
        ("A 19-year-old woman was arrested Monday in Saturday's stabbing on Sargent Avenue.",
         "stabbing", "2025-02-22"),
        ("A truck driver has been charged over a crash that killed a mother of two on the "
         "motorway on Friday.", "crash", "2025-02-21"),
    ],
)
def test_developments_a_charged_crime_keeps_its_own_date(text: str, action: str, day: str
                                                         ) -> None:
    devs = _developments(text, published=datetime(2025, 2, 24, 15, 0, tzinfo=UTC))
    crime = next((d for d in devs if d.action == action), None)
    assert crime is not None and crime.when is not None, [(d.action, d.when) for d in devs]
    assert crime.when.start == day


@pytest.mark.parametrize(("text", "action", "day"), [
    # A common noun opening the sentence, tagged as a name: the fire is the lede's news.
    ("Fire destroyed a vacant house on Carnes Avenue early Thursday, the Memphis Fire "
     "Department said. No one was hurt.", "fire", "2024-06-13"),
    # A reduced relative: "a man shot and killed at ... was".
    ("A man shot and killed at a gas station on Lamar Avenue on Monday night was Corey "
     "Blalock, 31, police said Tuesday.", "shooting", "2024-06-10"),
    # "Burn" with a building beside it.
    ("Firefighters were called to a vacant house burning on Carnes Avenue on Sunday "
     "morning.", "fire", "2024-06-09"),
    # A police release: "responded to a shooting call", "a juvenile with a gunshot wound".
    ("On Tuesday, June 11, 2024, at approximately 3:10 p.m., officers responded to a shooting "
     "call at a car wash in the 3600 block of Austin Peay Highway.", "shooting", "2024-06-11"),
    ("On Monday, June 10, 2024, officers responded to a residence in reference to a juvenile "
     "with a gunshot wound.", "shooting", "2024-06-10"),
    # A vehicle that overturned is a crash.
    ("A tractor-trailer overturned on the ramp to Sam Cooper Boulevard on Friday, closing it "
     "for hours.", "crash", "2024-06-14"),
])
def test_developments_local_incident_ledes_give_their_dated_event(text: str, action: str,
                                                                   day: str) -> None:
    published = datetime(2024, 6, 15, 9, 0, tzinfo=UTC)
    found = [d for d in _developments(text, published=published) if d.action == action]
    assert found, f"no {action} in {text!r}"
    assert found[0].when is not None and found[0].when.start == day


@pytest.mark.parametrize("text", [
    "The Memphis Fire Department said it would hire 40 recruits next year.",
    "The start-up burned through its cash in eight months, its founder said on Tuesday.",
    "Voters said housing was the burning question of the campaign.",
    "The city will build a new fire station and a shooting range on Tuesday.",
])
def test_developments_no_incident_from_names_modifiers_and_other_senses_of_burn(text: str) -> None:
    assert not {"fire", "shooting"} & {d.action for d in _developments(text)}
