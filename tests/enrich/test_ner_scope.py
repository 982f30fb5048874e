"""Where spaCy's NER reads (issue 10): the lede and the sentences with a new capitalised word,
the article's found names matched in the rest. Real spaCy model, texts written by us and the
shared seed articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import Span

from storyline.enrich.entities import find_mentions, load_nlp, parse_texts
from storyline.enrich.ner_scope import _filled, chosen_sentences, recognise

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "seeds"

STORY = (
    "Dairy recall widens\n\n"
    "Tessaly Dairy recalled its yoghurts on Tuesday after Simon Okafor, a food inspector in "
    "Leeds, found traces of listeria.\n\n"
    "The company said the batches were sold in Yorkshire.\n\n"
    "Shoppers were told to return them.\n\n"
    "Okafor said the plant would stay shut until the inspection ends.\n\n"
    "Tessaly Dairy said it was working with the agency.\n\n"
    "Later, Priya Raman of the Food Standards Agency said more tests were under way in Hull."
)


def _ents(doc) -> list[tuple[int, int, str]]:
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def _sentence_texts(doc, plan) -> list[str]:
    return [doc[start:end].text.strip() for start, end in plan]


def test_ner_scope_every_sentence_read_gives_the_full_text_entities() -> None:
    texts = [STORY] + ([p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
                       if SEEDS.is_dir() else [])  # fmt: skip
    full = parse_texts(texts, ner="full")
    nlp = load_nlp()
    bare = list(nlp.pipe(texts, disable=["ner"]))
    assert not any(doc.ents for doc in bare)
    recognise(nlp.get_pipe("ner"), bare, lede=10**6)
    for whole, parts in zip(full, bare, strict=True):
        assert _ents(whole), whole.text[:80]
        assert _ents(parts) == _ents(whole)


def test_ner_scope_skips_sentences_with_no_new_capitalised_word() -> None:
    nlp = load_nlp()
    doc = next(nlp.pipe([STORY], disable=["ner"]))
    read = _sentence_texts(doc, chosen_sentences(doc, lede=2))
    assert read[0] == "Dairy recall widens"  # the title and the lede are always read
    assert read[1].startswith("Tessaly Dairy recalled")
    # "Yorkshire" and "Priya Raman" are new; "The", "Shoppers" start their sentences.
    assert any(s.startswith("The company said") for s in read)
    assert any(s.startswith("Later, Priya Raman") for s in read)
    assert not any(s.startswith("Shoppers") for s in read)
    # Only names the article has already given: not read.
    assert not any(s.startswith(("Okafor said", "Tessaly Dairy said")) for s in read)


def test_ner_scope_fills_unread_sentences_with_the_article_names() -> None:
    doc = parse_texts([STORY])[0]
    plan = chosen_sentences(doc, lede=3)
    read = {i for start, end in plan for i in range(start, end)}
    mentions = find_mentions(doc)
    by_name = {}
    for m in mentions:
        assert doc.text[m.start_char : m.end_char] == m.text  # offsets into the full text
        by_name.setdefault(m.name, []).append(m)
    later = [m for m in by_name.get("Okafor", []) if m.start_char >= STORY.index("Okafor said")]
    assert later and later[0].type == "person"
    okafor = doc.char_span(later[0].start_char, later[0].end_char)
    assert okafor is not None and okafor.start not in read  # found without the recogniser
    dairy = [m for m in by_name.get("Tessaly Dairy", [])
             if m.start_char >= STORY.index("Tessaly Dairy said")]  # fmt: skip
    assert dairy and dairy[0].type == by_name["Tessaly Dairy"][0].type
    # A name is filled in only as a whole word ("Okafor's" is one, "Okafor-Smith" is not).
    nlp = load_nlp()
    text = "Simon Okafor spoke.\n\nthe Okafors and Okafor-Smith met Okafor's aide."
    other = next(nlp.pipe([text], disable=["ner"]))
    first = next(iter(other.sents))
    plan = [(first.start, first.end)]  # the second sentence left to the found names
    lede = [Span(other, 0, 2, label="PERSON")]
    assert other[0:2].text == "Simon Okafor"
    assert [(e.start_char, e.text, e.label_) for e in _filled(other, plan, lede)] == [
        (text.rindex("Okafor"), "Okafor", "PERSON")
    ]


def test_ner_scope_reads_again_a_sentence_with_a_seen_word_left_without_a_name() -> None:
    # "Sabathia" was seen in the lede only inside "The Sabathia Foundation": the second
    # sentence has no new capitalised word, but its "Sabathia" is no found name, so the
    # recogniser reads it in a second round; "Leeds" is filled in.
    nlp = load_nlp()
    text = (
        "The Sabathia Foundation gave money to Leeds.\n\nlater, Sabathia thanked donors in Leeds."
    )
    doc = next(nlp.pipe([text], disable=["ner"]))
    assert len(chosen_sentences(doc, lede=1)) == 1
    recognise(nlp.get_pipe("ner"), [doc], lede=1)
    second = text.index("later")
    assert {(e.start_char, e.text) for e in doc.ents if e.start_char > second} == {
        (text.index("Sabathia", second), "Sabathia"),
        (text.rindex("Leeds"), "Leeds"),
    }


def test_ner_scope_same_mentions_as_full_text_on_a_seed_article() -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/samples/seeds is not available")
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    full = [{m.name for m in find_mentions(d)} for d in parse_texts(texts, ner="full")]
    part = [{m.name for m in find_mentions(d)} for d in parse_texts(texts)]
    for whole, some in zip(full, part, strict=True):
        assert len(whole & some) >= 0.9 * len(whole), whole - some


def test_ner_scope_rejects_an_unknown_scope() -> None:
    with pytest.raises(ValueError, match="NER scope"):
        parse_texts(["Simon Okafor spoke."], ner="everywhere")
    assert parse_texts([""])[0].ents == ()
