"""Sentences that recall an earlier, different incident (enrich/recalls.py) and what the event
evidence keeps of them (stories/evidence.py). Every article here is written for the test."""

from __future__ import annotations

import pytest

from storyline.enrich.recalls import recall_spans, without_recalls
from storyline.models import ArticleEntity
from storyline.stories.evidence import compare, evidence_for

NEW_FIRE = (
    "Crews were called to a house on Marlow Crescent in Ashby Vale about 2am on Thursday after "
    "neighbours saw flames through the roof.\n\n"
    "The two occupants escaped without injury.\n\n"
    "It is the second house fire in Ashby Vale this month, after a family of five escaped a "
    "blaze that destroyed their Quarry Road home in Hollin Park on November 3.\n\n"
    "Neighbour Renata Flint said she heard windows breaking."
)


@pytest.mark.parametrize("sentence", [
    "It is the second house fire in the suburb this month.",
    "It was the third serious crash on the highway in a fortnight.",
    "The robbery comes days after a service station in Calder was held up at knifepoint.",
    "The attack came just two weeks after a bus driver was punched at the same interchange.",
    "In a separate incident, a cyclist was injured on Ferry Road.",
    "It is the same stretch of road where a truck rolled two weeks ago.",
    "It is the latest in a string of break-ins at the shopping centre.",
])
def test_recalling_sentences_are_found_whole(sentence: str) -> None:
    text = f"A man was hurt on Tuesday night. {sentence} Police are investigating."
    spans = recall_spans(text)
    assert [text[s:e] for s, e in spans] == [sentence]


@pytest.mark.parametrize("sentence", [
    "Darcy was punched in the mall on November 3 and died in hospital on Wednesday.",
    "He died three days after the attack.",
    "The council will vote on the second stage of the plan next month.",
    "The news comes as a shock to the club.",
    "A series of aftershocks shook the town overnight.",
])
def test_own_event_sentences_are_not_recalls(sentence: str) -> None:
    assert recall_spans(f"Police said on Monday that a man had been charged. {sentence}") == []


def test_a_days_after_clause_about_the_same_place_is_cut_from_the_cue() -> None:
    text = ("A woman was glassed at a bar on Sunday, days after a man died when he was punched "
            "in the same street.")
    (start, end), = recall_spans(text)
    assert text[start:end] == "days after a man died when he was punched in the same street."
    assert without_recalls(text) == "A woman was glassed at a bar on Sunday,"


def test_evidence_leaves_out_what_the_article_recalls() -> None:
    entities = [ArticleEntity("p1", "Ashby Vale", "place", 2),
                ArticleEntity("p2", "Hollin Park", "place", 1),
                ArticleEntity("p3", "Quarry Road", "place", 1),
                ArticleEntity("p4", "Renata Flint", "person", 1)]
    evidence = evidence_for("Two escape house fire on Marlow Crescent", NEW_FIRE,
                            entities=entities)
    assert "renata flint" in evidence.people
    assert not any("hollin" in p for p in evidence.places)
    assert "quarry" not in evidence.terms and "hollin" not in evidence.terms
    assert "marlow" in evidence.terms

    # The earlier fire's own report shares only the suburb with it now, not its street.
    earlier = evidence_for(
        "Family of five escapes blaze at Quarry Road home",
        "A family of five escaped when fire destroyed their Quarry Road home in Hollin Park, "
        "Ashby Vale, early on Sunday November 3. A heater was to blame.",
        entities=[ArticleEntity("p2", "Hollin Park", "place", 1),
                  ArticleEntity("p3", "Quarry Road", "place", 1),
                  ArticleEntity("p1", "Ashby Vale", "place", 1)])
    shared = compare(evidence, earlier).shared_terms
    assert "quarry" not in shared and "hollin" not in shared


def test_a_follow_up_keeps_the_names_it_also_gives_outside_the_recall() -> None:
    text = ("Ethan Marsh, 22, died in hospital on Wednesday. Marsh was punched in the mall on "
            "November 3. His death comes days after a woman was glassed at a bar nearby.")
    evidence = evidence_for("Punch victim dies", text,
                            entities=[ArticleEntity("p1", "Ethan Marsh", "person", 2)])
    assert "ethan marsh" in evidence.people


def test_a_recalled_crash_lends_the_new_crash_neither_its_date_nor_main_place() -> None:
    from datetime import UTC, datetime

    from storyline.enrich.developments import enrich_articles
    from storyline.models import Article

    text = ("A retired couple escaped with minor injuries after their car and caravan rolled "
            "on the Coastal Motorway at Brayfield on Monday morning.\n\n"
            "The northbound lanes were closed for two hours.\n\n"
            "It is the same stretch of motorway where a truck and three cars collided two "
            "weeks ago.")
    article = Article(id="c", title="Couple escape injury as caravan rolls on motorway",
                      text=text, published=datetime(2024, 11, 18, 12, 0, tzinfo=UTC),
                      authors=[], outlet="Wire", url=None, language="en", source="c.txt",
                      raw_kind="text")
    devs = enrich_articles([article])[0].developments
    recalled_at = text.index("It is the same")
    crashes = [d for d in devs if d.action == "crash"]
    assert crashes, devs
    for dev in crashes:
        if dev.trigger_start >= recalled_at:
            assert not dev.main  # the earlier crash is not what the article reports
        else:
            assert dev.when is None or dev.when.start >= "2024-11-17", dev.when
    assert all(d.when is None or d.when.start >= "2024-11-17"
               for d in devs if d.main), [(d.action, d.when) for d in devs]


def test_recalls_are_found_once_by_enrichment_and_reused_by_evidence() -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    from storyline.enrich.developments import enrich_articles
    from storyline.models import Article
    from storyline.serialize import article_enrichment, parse_article_enrichment
    from storyline.stories.evidence import add_evidence

    def article() -> Article:
        return Article(id="f", title="Two escape house fire on Marlow Crescent", text=NEW_FIRE,
                       published=datetime(2024, 11, 21, 9, 0, tzinfo=UTC), authors=[],
                       outlet="Vale Courier", url=None, language="en", source="f.txt",
                       raw_kind="text")

    (enrichment,) = enrich_articles([article()])
    assert enrichment.recalls == recall_spans(NEW_FIRE) != []
    (fresh,) = add_evidence([article()], [enrichment])
    assert fresh.evidence == evidence_for(fresh.title, NEW_FIRE, language="en",
                                          entities=enrichment.entities, keywords=fresh.keywords,
                                          published_year=2024, outlet="Vale Courier")
    assert fresh.evidence is not None and "hollin" not in fresh.evidence.terms
    # Evidence takes the spans enrichment found: with none, the recalled fire's suburb stays.
    (kept,) = add_evidence([article()], [replace(enrichment, recalls=[])])
    assert kept.evidence is not None and "hollin" in kept.evidence.terms
    # The spans are derived, neither stored nor compared: a stored enrichment finds them anew.
    stored = parse_article_enrichment(article_enrichment(enrichment))
    assert stored.recalls is None and stored == enrichment


WHEELER = (
    "Terrence Wheeler had stopped at the Ridgeway Motel on Thursday night to drop off a charger "
    "for a friend.\n\n"
    "He was shot in the parking lot at about 9:20 p.m. and died at a hospital.\n\n"
    "Police said he had been arguing with another man before the shooting.\n\n"
    "It was the third shooting on the stretch this spring.\n\n"
    "Just before midnight on April 24, a 19-year-old was walking past a bus stop when someone "
    "fired six shots. He was hit in the arm and is recovering. On April 6, a man was shot in "
    "the leg outside a bar. Police have not said whether they are related to Thursday's "
    "killing.\n\n"
    "On Friday, Wheeler's cousin said he had three children."
)


def test_recalls_a_paragraph_walking_through_earlier_incidents_by_date() -> None:
    from datetime import datetime

    from storyline.enrich.developments import article_dates
    from storyline.models import Article

    article = Article(id="w", title="", text=WHEELER, authors=[], outlet="Ledger", url=None,
                      published=datetime.fromisoformat("2025-05-03T07:00:00-05:00"),
                      language="en", source="w", raw_kind="text")
    recalled = [WHEELER[a:b] for a, b in recall_spans(WHEELER, article_dates(article))]
    assert recalled[0].startswith("It was the third shooting")  # a cue, as before
    assert [r[:24] for r in recalled[1:]] == [
        "Just before midnight on ", "He was hit in the arm an", "On April 6, a man was sh"]
    # Without the dates only the cue's sentence is a recall.
    assert len(recall_spans(WHEELER)) == 1
