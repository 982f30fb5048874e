"""storyline.evaluation.timex: TempEval-3 scoring on hand-made examples, TIMEX3 values of
resolved spans, and the value F1 on the shared TempEval-3 data (skipped when it is absent)."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from storyline.errors import InputError
from storyline.evaluation.timex import (
    Timex,
    evaluate,
    load_documents,
    rows,
    score,
    storyline_timexes,
    timex_value,
)
from storyline.models import TimeSpan

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
#: A little under the measured value F1 (TimeBank 0.783, AQUAINT 0.753, both 0.774 with
#: `python benchmarks/facts_eval.py --only timex`); both corpora together: the ratchet's
#: ``timex_value_f1_tempeval3_training``.
MIN_VALUE_F1 = {"TimeBank": 0.76, "AQUAINT": 0.73}


def test_timex_score_hand_computed() -> None:
    # Gold: three expressions. System: one identical span with the right value, one
    # overlapping span with a wrong value, one spurious span; the third gold is missed.
    gold = [Timex(0, 5, "1998-01-08"), Timex(10, 20, "1998-W02"), Timex(30, 34, "1998")]
    system = [Timex(0, 5, "1998-01-08"), Timex(12, 20, "1998-01"), Timex(40, 44, "P1D")]
    s = score([(gold, system)])
    assert (s.gold, s.system) == (3, 3)
    assert s.strict_precision == pytest.approx(1 / 3)
    assert s.strict_recall == pytest.approx(1 / 3)
    assert s.relaxed_precision == pytest.approx(2 / 3)
    assert s.relaxed_recall == pytest.approx(2 / 3)
    assert s.relaxed_f1 == pytest.approx(2 / 3)
    assert s.value_accuracy == pytest.approx(1 / 2)
    assert s.value_f1 == pytest.approx(1 / 3)


def test_timex_score_pools_documents_and_uses_largest_overlap() -> None:
    doc1 = ([Timex(0, 10, "P3Y")], [Timex(0, 2, "1998"), Timex(3, 10, "P3Y")])
    doc2 = ([Timex(5, 9, "PRESENT_REF")], [])
    s = score([doc1, doc2])
    assert s.relaxed_precision == pytest.approx(1.0)
    assert s.relaxed_recall == pytest.approx(1 / 2)
    assert s.value_accuracy == pytest.approx(1.0)  # the longer overlap carries the value
    assert s.value_f1 == pytest.approx(2 / 3)
    assert score([]).value_f1 == 0.0


@pytest.mark.parametrize(
    ("text", "start", "end", "granularity", "value"),
    [
        ("Friday", "1998-01-09", "1998-01-09", "day", "1998-01-09"),
        ("this morning", "1998-01-08", "1998-01-08", "day", "1998-01-08TMO"),
        ("Sunday night", "1998-01-11", "1998-01-11", "day", "1998-01-11TNI"),
        ("10 p.m. Wednesday", "1998-01-07", "1998-01-07", "day", "1998-01-07T22:00"),
        ("9:30 a.m. Tuesday", "1998-01-06", "1998-01-06", "day", "1998-01-06T09:30"),
        ("noon Friday", "1998-01-09", "1998-01-09", "day", "1998-01-09T12:00"),
        ("last week", "1997-12-29", "1998-01-04", "week", "1998-W01"),
        ("over the weekend", "1998-01-03", "1998-01-04", "days", "1998-W01-WE"),
        ("early May", "1998-05-01", "1998-05-10", "part-of-month", "1998-05"),
        ("May 1998", "1998-05-01", "1998-05-31", "month", "1998-05"),
        ("the end of 1990", "1990-12-01", "1990-12-31", "month", "1990"),
        ("the third quarter", "1998-07-01", "1998-09-30", "quarter", "1998-Q3"),
        ("1998", "1998-01-01", "1998-12-31", "year", "1998"),
        ("the 1990s", "1990-01-01", "1999-12-31", "decade", "199"),
    ],
)
def test_timex_value_of_each_granularity(
    text: str, start: str, end: str, granularity: str, value: str
) -> None:
    assert timex_value(TimeSpan(text, 0, len(text), start, end, granularity)) == value


def test_timex_storyline_timexes_adds_amounts_outside_dates() -> None:
    text = "Talks resumed on Friday after three weeks, and they are now in their final stage."
    found = {text[t.start : t.end]: t.value for t in storyline_timexes(text, date(1998, 1, 8))}
    assert found == {"Friday": "1998-01-02", "three weeks": "P3W", "now": "PRESENT_REF"}


def _write_docs(path: Path, records: list[dict[str, object]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


def test_timex_evaluate_on_a_tiny_corpus(tmp_path: Path) -> None:
    folder = tmp_path / "timex"
    folder.mkdir()
    text = "The plant closed on Monday and will reopen in March."
    gold = [
        {"doc_start": 20, "doc_end": 26, "value": "1998-01-05"},
        {"doc_start": 46, "doc_end": 51, "value": "1998-03"},
    ]
    doc = {"doc_id": "d1", "dct": "1998-01-08", "text": text, "timexes": gold}
    _write_docs(folder / "te3-tbaq-timebank.docs.jsonl.gz", [doc])
    _write_docs(folder / "te3-tbaq-aquaint.docs.jsonl.gz", [])
    results = evaluate(tmp_path)
    assert results["TimeBank"].value_f1 == pytest.approx(1.0)
    assert results["AQUAINT"].gold == 0
    assert results["both"].gold == 2
    table = rows(tmp_path)
    first = table[0]
    assert first["measure"] == "timex value F1 (TimeBank+AQUAINT)"
    assert first["storyline"] == pytest.approx(1.0)
    assert isinstance(first["baseline"], float)
    assert first["target"] == ">= 0.80"


def test_timex_missing_or_bad_data_names_the_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="timex"):
        evaluate(tmp_path)
    bad = tmp_path / "bad.docs.jsonl.gz"
    _write_docs(bad, [{"doc_id": "x"}])
    with pytest.raises(InputError, match=r"bad\.docs\.jsonl\.gz.*line 1"):
        load_documents(bad)


@pytest.mark.skipif(not (DATA / "timex").is_dir(), reason="../shared/data/timex is absent")
def test_timex_value_f1_on_tempeval3_training_documents(minimums: dict[str, float]) -> None:
    results = evaluate(DATA)
    assert results["both"].gold == 1822
    floors = {**MIN_VALUE_F1, "both": minimums["timex_value_f1_tempeval3_training"]}
    for corpus, floor in floors.items():
        assert results[corpus].value_f1 >= floor, (corpus, results[corpus])
