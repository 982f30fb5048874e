"""Attribution offsets are offsets into the article's clean text: the sentence, the named
source and the reporting cue of every attribution enrichment finds, and of every development's
source, whether the article has a title (analysed before the body) or not; ``storyline
annotate`` shows the same spans. The article is written for the test."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.annotate import annotate_paths, annotation_json
from storyline.enrich.developments import enrich_articles
from storyline.models import Article, Attribution

TITLE = "Kelby ferry to resume on Monday"
TEXT = (
    "Harbour master Ines Vollmer said on Tuesday that the Kelby ferry would resume sailing on "
    "Monday after repairs to its ramp.\n\n"
    '"The crossing will reopen once the inspectors sign off," Vollmer told reporters.\n\n'
    "According to the port authority, the repairs cost 40,000 pounds."
)


def _article(title: str) -> Article:
    return Article(id="kelby", title=title, text=TEXT,
                   published=datetime(2024, 6, 11, 12, 0, tzinfo=UTC), authors=[],
                   outlet="Kelby Post", url=None, language="en", source="kelby.txt",
                   raw_kind="text")  # fmt: skip


def _check(source: Attribution) -> tuple[str, str]:
    """The named source's and the cue's text, checked against what the attribution says."""
    named = TEXT[source.source_start : source.source_end] if source.source_end > 0 else ""
    cue = TEXT[source.cue_start : source.cue_end] if source.cue_end > 0 else ""
    if source.cue_end > 0:
        assert cue.casefold() == source.cue.casefold(), (source, cue)
    if source.end_char > 0:
        assert source.start_char <= source.source_start or source.source_end == 0
        assert TEXT[source.start_char : source.end_char].strip(), source
    return named, cue


@pytest.mark.parametrize("title", [TITLE, ""], ids=["with title", "without title"])
def test_attribution_offsets_are_clean_text_offsets(title: str) -> None:
    (enrichment,) = enrich_articles([_article(title)])
    # The parse may take "Harbour master" into the source or not; the name ends it.
    found = {cue: named for named, cue in map(_check, enrichment.attributions)}
    assert found["said"].endswith("Ines Vollmer"), found
    assert found["told"] == "Vollmer" and found["According to"] == "the port authority"
    sources = [d.attribution for d in enrichment.developments if d.attribution.source_end > 0]
    assert sources, enrichment.developments
    assert {_check(source)[0] for source in sources} <= set(found.values())


def test_attribution_offsets_annotate_json_shows_the_same_spans(tmp_path: Path) -> None:
    path = tmp_path / "kelby.jsonl"
    record = {"title": TITLE, "text": TEXT, "published": "2024-06-11T12:00:00Z",
              "outlet": "Kelby Post"}  # fmt: skip
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (annotation,) = annotate_paths([path]).annotations
    item = annotation_json(annotation)
    text = item["text"]
    assert text == TEXT
    shown: dict[str, str] = {}
    for source in item["attributions"]:
        for part in ("source", "cue"):
            span = source[part]
            if span is not None:
                assert text[span["start"] : span["end"]] == span["text"]
        if source["source"] and source["cue"]:
            shown[source["cue"]["text"]] = source["source"]["text"]
    assert shown["said"].endswith("Ines Vollmer"), shown
    assert shown["told"] == "Vollmer" and shown["According to"] == "the port authority"
