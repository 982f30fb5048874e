"""The PolNeAR span scorer on hand-computed cases, the cue baseline on text written by us, the
loader's errors, and Storyline's figure on part of the shared data (skipped without it)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storyline.errors import InputError
from storyline.evaluation.attribution_spans import (
    DATA_FILE,
    Counts,
    SpanAttribution,
    baseline_attributions,
    load_documents,
    rows,
    score,
    score_document,
    storyline_attributions,
)
from storyline.evaluation.runs import SHARED_DATA

#        0         1         2         3         4         5         6         7
#        0123456789012345678901234567890123456789012345678901234567890123456789012345
TEXT = ("The bridge will reopen in May, Mayor Osei said. "
        "Engineers said the repairs were late.")  # fmt: skip


def _span(part: str) -> tuple[int, int]:
    start = TEXT.index(part)
    return (start, start + len(part))


def test_attribution_spans_score_hand_computed() -> None:
    gold = [
        SpanAttribution((_span("The bridge will reopen in May"),), (_span("Mayor Osei"),)),
        SpanAttribution((_span("the repairs were late"),), (_span("Engineers"),)),
    ]
    predicted = [
        # Content exact (the trailing comma is punctuation at the edge), source overlapping.
        SpanAttribution((_span("The bridge will reopen in May,"),), (_span("Osei"),)),
        # Content overlapping only, wrong source.
        SpanAttribution((_span("repairs were late"),), (_span("the repairs"),)),
        # Overlaps nothing gold: a false positive.
        SpanAttribution((_span("Mayor Osei said"),), ()),
    ]
    counts = score_document(TEXT, predicted, gold)
    assert (counts.predicted, counts.gold) == (3, 2)
    assert counts.matches == {"content_exact": 1, "content_overlap": 2, "source_exact": 0,
                              "source_overlap": 1, "both_overlap": 1}  # fmt: skip
    s = score(counts)
    # content overlap: P 2/3, R 2/2 -> F1 0.8; both overlap: P 1/3, R 1/2 -> F1 0.4.
    assert s["content_overlap"].precision == pytest.approx(2 / 3)
    assert s["content_overlap"].recall == pytest.approx(1.0)
    assert s["content_overlap"].f1 == pytest.approx(0.8)
    assert s["both_overlap"].f1 == pytest.approx(0.4)
    assert s["content_exact"].f1 == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5))


def test_attribution_spans_pairing_is_one_to_one() -> None:
    gold = [SpanAttribution((_span("The bridge will reopen in May"),), ())]
    predicted = [
        SpanAttribution((_span("The bridge"),), ()),
        SpanAttribution((_span("The bridge will reopen"),), ()),
    ]
    counts = score_document(TEXT, predicted, gold)
    # Only the larger overlap pairs; two missing sources agree.
    assert counts.matches["content_overlap"] == 1 and counts.matches["source_exact"] == 1
    empty = score(Counts())
    assert empty["content_overlap"].f1 == 0.0


def test_attribution_spans_baseline_and_storyline_on_our_text() -> None:
    base = baseline_attributions(TEXT)
    assert [(TEXT[s[0][0]:s[0][1]], [TEXT[a:b] for a, b in c.content])
            for c in base for s in [c.source]] == [
        ("Mayor Osei", ["The bridge will reopen in May, "]),
        ("Engineers", [" the repairs were late."]),
    ]  # fmt: skip
    ours = storyline_attributions([TEXT])[0]
    assert len(ours) == 1  # "Engineers said": an unnamed group, the outlet's own word
    (content,) = ours[0].content
    assert TEXT[content[0] : content[1]] == "The bridge will reopen in May"
    assert TEXT[ours[0].source[0][0] : ours[0].source[0][1]] == "Mayor Osei"


def test_attribution_spans_load_errors(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl.gz"
    doc = {"doc_id": "d1", "text": "Osei said so.", "attributions": [
        {"content_spans": [[10, 12]], "source_spans": [[0, 4]]}]}  # fmt: skip
    bad = {"doc_id": "d2", "text": "short", "attributions": [{"content_spans": [[0, 40]]}]}
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(doc) + "\n" + json.dumps(bad) + "\n")
    (loaded,) = load_documents(path, limit=1)
    assert loaded.gold == (SpanAttribution(((10, 12),), ((0, 4),)),)
    with pytest.raises(InputError, match=r"line 2: not a PolNeAR document .*0\.\.40"):
        load_documents(path)
    with pytest.raises(InputError, match="does not exist"):
        load_documents(tmp_path / "absent.jsonl.gz")


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED_DATA / DATA_FILE).exists(), reason="shared data not present")
def test_attribution_spans_polnear_floor(minimums: dict[str, float]) -> None:
    # The first 20 PolNeAR dev documents: content+source overlap F1 0.527, content overlap
    # F1 0.574 (precision 0.970) when measured; the cue baseline 0.346 / 0.395. Floors a
    # little under.
    figures = {str(r["measure"]).split(" (")[0]: r for r in rows(SHARED_DATA, limit=20)}
    both = figures["PolNeAR dev content+source overlap F1"]
    content = figures["PolNeAR dev content overlap F1"]
    precision = figures["PolNeAR dev content overlap precision"]
    assert isinstance(both["storyline"], float) and both["storyline"] >= minimums[
        "polnear_dev_first20_content_source_overlap_f1"]
    assert isinstance(content["storyline"], float) and content["storyline"] >= 0.55
    assert isinstance(precision["storyline"], float) and precision["storyline"] >= 0.93
    assert isinstance(both["baseline"], float) and both["storyline"] > both["baseline"]
