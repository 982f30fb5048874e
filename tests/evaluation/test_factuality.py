"""The UW factuality scorer on hand-computed cases, the loader's errors, the cue baseline, and
Storyline's figure on a fixed part of the shared data (skipped without it)."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from storyline.errors import InputError
from storyline.evaluation.factuality import (
    DATA_FILE,
    MODALITY_SCORES,
    Event,
    baseline_score,
    coarse,
    load_events,
    rows,
    score,
    storyline_modalities,
)
from storyline.evaluation.runs import SHARED_DATA


def test_factuality_score_hand_computed() -> None:
    # Errors 0, 1, 2 -> MAE 1; Pearson of (3, 2, 1) against (3, 1, -1) is exactly 1.
    s = score([3.0, 2.0, 1.0], [3.0, 1.0, -1.0])
    assert s.n == 3 and s.mae == pytest.approx(1.0) and s.pearson == pytest.approx(1.0)
    # Coarse: 3 vs 3 happened, 2 vs 1 possible, 1 vs -1 possible -> all agree.
    assert s.coarse_accuracy == pytest.approx(1.0)
    # Reversed order: r = -1; coarse 1/3 (only the middle pair agrees: possible).
    s = score([1.0, 2.0, 3.0], [3.0, 1.0, -1.0])
    assert s.pearson == pytest.approx(-1.0) and s.coarse_accuracy == pytest.approx(1 / 3)
    # Hand-computed r: x = (0, 1, 2), y = (0, 2, 1): sxy = 1, sxx = syy = 2 -> r = 0.5.
    assert score([0.0, 1.0, 2.0], [0.0, 2.0, 1.0]).pearson == pytest.approx(0.5)
    # A constant prediction correlates with nothing (no division by zero).
    assert score([3.0, 3.0], [3.0, -3.0]).pearson == 0.0


def test_factuality_coarse_cut_offs() -> None:
    assert [coarse(v) for v in (3.0, 2.5, 2.4, 0.0, -2.4, -2.5)] == [
        "happened", "happened", "possible", "possible", "possible", "not_happened",
    ]  # fmt: skip


def test_factuality_score_rejects_mismatched_input() -> None:
    with pytest.raises(InputError, match="2 predictions for 1 gold"):
        score([1.0, 2.0], [1.0])
    with pytest.raises(InputError, match="no events"):
        score([], [])


def test_factuality_mapping_is_ordered() -> None:
    m = MODALITY_SCORES
    assert m["happened"] > m["announced"] > m["planned"] > m["expected"] > 0 > m["denied"]
    assert m["cancelled"] == -3.0 and all(-3 <= v <= 3 for v in m.values())


def test_factuality_baseline_cues() -> None:
    def event(sentence: str, trigger: str) -> Event:
        start = sentence.index(trigger)
        return Event(sentence, start, start + len(trigger), 0.0)

    assert baseline_score(event("The mayor did not sign the order.", "sign")) == -3.0
    assert baseline_score(event("The mayor will sign the order.", "sign")) == 1.0
    assert baseline_score(event("The mayor signed the order.", "signed")) == 3.0


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec) + "\n")
    return path


def test_factuality_load_events_and_errors(tmp_path: Path) -> None:
    good = {"sentence": "Crews fought the blaze .", "start": 17, "end": 22, "value": 3.0,
            "dct": "2024-03-19", "split": "dev"}  # fmt: skip
    events = load_events(_write(tmp_path / "ok.jsonl.gz", [good, good]), limit=1)
    assert len(events) == 1 and events[0].trigger == "blaze" and events[0].split == "dev"
    bad_span = {**good, "end": 99}
    with pytest.raises(InputError, match=r"bad\.jsonl\.gz line 1: trigger span 17\.\.99"):
        load_events(_write(tmp_path / "bad.jsonl.gz", [bad_span]))
    with pytest.raises(InputError, match="line 2: not a UW event record"):
        load_events(_write(tmp_path / "missing.jsonl.gz", [good, {"sentence": "x"}]))
    with pytest.raises(InputError, match="does not exist"):
        load_events(tmp_path / "absent.jsonl.gz")


def test_factuality_storyline_modalities_on_our_sentences() -> None:
    def event(sentence: str, trigger: str) -> Event:
        start = sentence.index(trigger)
        return Event(sentence, start, start + len(trigger), 0.0)

    found = storyline_modalities([
        event("Firefighters put out the blaze before dawn .", "put"),
        event("The council did not approve the budget .", "approve"),
        event("The mayor will open the bridge next week .", "open"),
    ])  # fmt: skip
    assert found == ["happened", "denied", "planned"]


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED_DATA / DATA_FILE).exists(), reason="shared data not present")
def test_factuality_uw_floor(minimums: dict[str, float]) -> None:
    # The first 2,000 UW events (train split): Pearson r 0.732, MAE 0.462, coarse 0.778 when
    # measured; the cue baseline 0.576 / 0.608 / 0.687. Floors a little under Storyline's.
    figures = {str(r["measure"]).split(" (")[0]: r for r in rows(SHARED_DATA, limit=2000)}
    pearson = figures["UW train+dev factuality Pearson r"]
    mae = figures["UW train+dev factuality MAE"]
    assert isinstance(pearson["storyline"], float)
    assert pearson["storyline"] >= minimums["uw_factuality_first2000_pearson_r"]
    assert isinstance(mae["storyline"], float) and mae["storyline"] <= 0.49
    assert isinstance(pearson["baseline"], float)
    assert pearson["storyline"] > pearson["baseline"] and not math.isnan(pearson["storyline"])
