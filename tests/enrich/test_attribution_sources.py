"""Who may be a source: never a place (a street is not a speaker), and the sources and
statement spans the attribution evaluation reads. Articles written by us, real spaCy model."""

from __future__ import annotations

from datetime import UTC, datetime

from storyline.enrich.attribution import EntitySpan, find_attributions, statement_spans
from storyline.enrich.developments import enrich_articles
from storyline.enrich.entities import find_mentions, parse_texts
from storyline.models import Article

FIRE = (
    "A fire tore through the Marlow Plastics factory in Dayton on Tuesday night, sending "
    "thick smoke over the east side.\n\n"
    "Stanley Avenue remains closed between Troy Street and Keowee Street while crews clear "
    "debris from the site.\n\n"
    "Stanley Avenue will stay shut until Friday, the city said in a statement.\n\n"
    "Fire Chief Dana Whitcomb said no one was hurt and the cause of the blaze is under "
    "investigation."
)


def _article(text: str, title: str = "") -> Article:
    return Article(
        id="x", title=title, text=text, published=datetime(2025, 3, 12, tzinfo=UTC),
        authors=[], outlet="Gem City Ledger", url=None, language="en", source="x.txt",
        raw_kind="text",
    )  # fmt: skip


def test_attribution_street_is_never_a_source() -> None:
    enrichment = enrich_articles([_article(FIRE, "Fire closes Stanley Avenue")])[0]
    closures = [d for d in enrichment.developments if d.action == "closure"]
    assert closures, enrichment.developments
    names = {d.attribution.name for d in enrichment.developments}
    names |= {a.name for a in enrichment.attributions}
    assert not any(n and ("Avenue" in n or "Street" in n) for n in names), names
    # The closure is the city's word, the one source its sentence names.
    assert closures[0].attribution.name == "city"
    # "no one was hurt": no injury happened.
    assert all(d.modality != "happened" for d in enrichment.developments
               if "hurt" in d.sentence and d.trigger == "hurt")  # fmt: skip


def _found(text: str) -> list[tuple[str, str, list[str]]]:
    doc = parse_texts([text])[0]
    spans = [EntitySpan(m.start_char, m.end_char, m.name, m.type) for m in find_mentions(doc)]
    out = []
    for a in find_attributions(doc, spans).attributions:
        source = doc.text[a.source_start : a.source_end]
        out.append((a.kind, source, [doc.text[s:e] for s, e in statement_spans(a, doc.text)]))
    return out


def test_attribution_statement_spans_leave_out_source_and_cue() -> None:
    found = _found(
        "The bridge will reopen in May, Mayor Clara Osei said on Monday.\n\n"
        "Council engineer Tom Hale said in a statement on Tuesday that the repairs were on "
        "schedule."
    )
    assert found[0][1] == "Mayor Clara Osei"
    assert found[0][2] == ["The bridge will reopen in May"]
    assert found[1][1] == "Council engineer Tom Hale"
    assert found[1][2] == ["that the repairs were on schedule"]


def test_attribution_quote_then_appositive_source() -> None:
    found = _found(
        "Ruth Adebayo chairs the harbour board.\n\n"
        "“We will not sell the ferries,” Adebayo, who has led the board since 2019, said on "
        "Friday."
    )
    assert [(kind, source) for kind, source, _ in found] == [("person", "Adebayo")]
    assert found[0][2] == ["“We will not sell the ferries,”"]


def test_attribution_pronoun_takes_last_named_person() -> None:
    found = _found(
        "Ruth Adebayo visited the harbour on Friday.\n\n"
        "She said the ferries would keep running through the winter."
    )
    assert found and found[0][0] == "person"
    assert found[0][1] == "She"


def test_attribution_role_with_the_is_a_person() -> None:
    found = _found("The new ferry timetable starts in June, the senator said on Tuesday.")
    assert [(kind, source) for kind, source, _ in found] == [("person", "the senator")]
