"""The look-up attribute ruler and the remembering lemmatizer (``enrich/fast_rules.py``) give
exactly what spaCy's own components give, and step aside where they could not."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storyline.enrich.fast_rules import _LookupMatcher, speed_up

REPO = Path(__file__).resolve().parents[2]
ECBPLUS = REPO.parent / "shared" / "data" / "ecbplus" / "train.jsonl.gz"

#: Written for this test: the ruler's word-specific patterns (contractions, "that" as a
#: relative, "n't", "nothin'", "y'", numbers, spaces) and ordinary news prose.
OUR_TEXTS = [
    "The council said that it won't reopen the bridge, and nothin' y'all say'll change that.",
    "Those who'd voted against the plan didn't attend; these two members had left early.",
    "She'd have gone if he hadn't called.  Whether or not it rains, the parade is on.",
    "Firefighters spent 11 hours at the plant on Stanley Avenue, officials told reporters.\n\n"
    "\"We're not done yet,\" the chief said. Neither was the mayor, who'd arrived at 9 a.m.",
    "Is this the one that got away? It is, and that is all there is to it, ain't it.",
]


def _texts() -> list[str]:
    texts = list(OUR_TEXTS)
    for path in sorted((REPO / "demo" / "corpus" / "text").glob("*.txt"))[:30]:
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    if ECBPLUS.exists():
        with gzip.open(ECBPLUS, "rt", encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for i, line in enumerate(lines) if i % 25 == 0]
    return texts


@pytest.fixture(scope="module")
def plain_nlp():
    """The English pipeline as spaCy ships it (no look-up ruler, no remembered lemmas)."""
    import spacy

    from storyline.enrich.entities import MODEL_NAME

    nlp = spacy.load(MODEL_NAME, exclude=["parser"])
    nlp.enable_pipe("senter")
    return nlp


def test_fast_rules_lookup_matches_are_spacys_on_every_document(plain_nlp) -> None:
    ruler = plain_nlp.get_pipe("attribute_ruler")
    lookup = _LookupMatcher.build(ruler)
    assert lookup is not None
    texts = _texts()
    with plain_nlp.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(plain_nlp.pipe(texts))
    matched = 0
    for text, doc in zip(texts, docs, strict=True):
        expected = ruler.match(doc)
        assert lookup.match(doc) == expected, text[:80]
        matched += len(expected)
    assert matched > sum(len(d) for d in docs)  # nearly every token matches a tag pattern


def test_fast_rules_pipeline_output_is_unchanged(plain_nlp) -> None:
    """Parts of speech, morphology and lemmas of every token, with and without the faster
    components, on the same texts."""
    import spacy

    from storyline.enrich.entities import MODEL_NAME

    fast = spacy.load(MODEL_NAME, exclude=["parser"])
    fast.enable_pipe("senter")
    assert speed_up(fast) == ["attribute_ruler", "lemmatizer"]
    texts = _texts()
    for text, a, b in zip(texts, plain_nlp.pipe(texts), fast.pipe(texts), strict=True):
        assert [(t.pos_, str(t.morph), t.lemma_) for t in a] == \
            [(t.pos_, str(t.morph), t.lemma_) for t in b], text[:80]


def test_fast_rules_step_aside_for_parsed_documents_and_unknown_patterns() -> None:
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "stays"}]], {"POS": "VERB"})
    calls: list[Doc] = []
    spacys = ruler.match
    ruler.match = lambda doc: calls.append(doc) or spacys(doc)
    assert speed_up(nlp) == ["attribute_ruler"]
    # A parsed document goes to spaCy's Matcher (``DEP`` patterns could match it) ...
    parsed = Doc(nlp.vocab, words=["it", "stays"], deps=["nsubj", "ROOT"], heads=[1, 1])
    assert ruler(parsed)[1].pos_ == "VERB" and calls == [parsed]
    # ... and one without a parse to the look-up, with the same result.
    unparsed = nlp.make_doc("it stays")
    assert ruler(unparsed)[1].pos_ == "VERB" and calls == [parsed]

    # A pattern on an attribute the look-up does not read leaves the ruler as it was.
    other = spacy.blank("en")
    other_ruler = other.add_pipe("attribute_ruler")
    other_ruler.add([[{"SHAPE": "Xxxx"}]], {"POS": "PROPN"})
    assert speed_up(other) == []
    assert "match" not in vars(other_ruler)
