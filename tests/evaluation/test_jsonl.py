"""The shared JSON Lines reader of the evaluation data sets: records with their line numbers from
gzip and plain files, and errors that name the file and the line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from storyline.errors import InputError
from storyline.evaluation.jsonl import read_records


def _gz(path: Path, text: str) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    return path


def test_jsonl_reads_gzip_and_plain_with_line_numbers(tmp_path: Path) -> None:
    text = '{"a": 1}\n\n   \n{"a": 2}\n{"a": 3}\n'
    plain = tmp_path / "plain.jsonl"
    plain.write_text(text, encoding="utf-8")
    packed = _gz(tmp_path / "packed.jsonl.gz", text)
    for path in (plain, packed):
        got = list(read_records(path, what="test records"))
        # Blank lines are skipped but still counted, so numbers are the file's own.
        assert got == [(1, {"a": 1}), (4, {"a": 2}), (5, {"a": 3})]
        assert [rec["a"] for _, rec in read_records(path, what="x", limit=2)] == [1, 2]
        assert list(read_records(path, what="x", limit=0)) == []


def test_jsonl_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = _gz(tmp_path / "broken.jsonl.gz", '{"a": 1}\n{"a": 2,\n')
    with pytest.raises(InputError, match=r"broken\.jsonl\.gz line 2: not valid JSON"):
        list(read_records(path, what="test records"))


def test_jsonl_a_line_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"list\.jsonl line 3: an array, not one of the UW"):
        list(read_records(path, what="UW event records"))


def test_jsonl_missing_or_damaged_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"absent\.jsonl\.gz does not exist \(PolNeAR"):
        list(read_records(tmp_path / "absent.jsonl.gz", what="PolNeAR documents"))
    fake = tmp_path / "fake.jsonl.gz"
    fake.write_text('{"a": 1}\n', encoding="utf-8")  # named .gz, but not gzip
    with pytest.raises(InputError, match=r"fake\.jsonl\.gz: cannot read test records after line 0"):
        list(read_records(fake, what="test records"))
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"a": "caf\xe9"}\n')
    with pytest.raises(
        InputError, match=r"latin\.jsonl: cannot read test records after line 0 \(.*utf-8"
    ):
        list(read_records(latin, what="test records"))


def test_jsonl_negative_limit_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text('{"a": 1}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="limit must be at least 0, not -1"):
        list(read_records(path, what="test records", limit=-1))
