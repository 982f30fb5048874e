"""Readers: every kind of bad input is a rejection naming the input; the batch goes on."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from storyline.ingest.readers import ReaderOptions, read_paths
from storyline.models import RawRecord, Rejection

BODY = "The council voted on Tuesday to approve the new harbour budget after a long debate."


def _split(results):
    records = [r for r in results if isinstance(r, RawRecord)]
    rejections = [r for r in results if isinstance(r, Rejection)]
    return records, rejections


def test_readers_bad_inputs_are_rejected_with_reasons_and_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(f"Budget passes\n\n{BODY}\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "blank.txt").write_text("  \n\n ", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "huge.txt").write_text("word " * 400, encoding="utf-8")
    results = list(
        read_paths([tmp_path, tmp_path / "missing.txt"], options=ReaderOptions(max_bytes=1000))
    )
    records, rejections = _split(results)
    assert [Path(r.source).name for r in records] == ["good.txt"]
    reasons = {Path(r.source).name: r.reason for r in rejections}
    assert "empty" in reasons["empty.txt"]
    assert "empty" in reasons["blank.txt"]
    assert "binary" in reasons["image.txt"]
    assert "limit" in reasons["huge.txt"]
    assert "no such file" in reasons["missing.txt"]


def test_readers_detect_non_utf8_encoding(tmp_path: Path) -> None:
    text = "Café owners in Montréal say “prices” rose – again – this year, the survey said."
    (tmp_path / "latin.txt").write_bytes(text.encode("cp1252"))
    records, rejections = _split(list(read_paths([tmp_path])))
    assert not rejections
    assert records[0].content == text
    assert records[0].encoding.replace("_", "").lower() in {"cp1252", "windows1252"}


def test_readers_jsonl_broken_lines_are_rejected_by_line(tmp_path: Path) -> None:
    good = {"url": "https://example.org/a", "title": "A", "text": BODY, "published": "2025-01-02"}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"title": "no text"}),
        "",
        json.dumps({**good, "url": "https://example.org/b"}),
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    records, rejections = _split(list(read_paths([path])))
    assert [r.source for r in records] == [f"{path}:1", f"{path}:6"]
    assert {r.source: r.reason for r in rejections}.keys() == {
        f"{path}:2",
        f"{path}:3",
        f"{path}:4",
    }
    assert "invalid JSON" in rejections[0].reason
    assert "'text'" in rejections[2].reason


def test_readers_gzip_variants_and_html_detection(tmp_path: Path) -> None:
    html = f"<!doctype html><html><head><title>T</title></head><body><p>{BODY}</p></body></html>"
    with gzip.open(tmp_path / "page.html.gz", "wt", encoding="utf-8") as fh:
        fh.write(html)
    with gzip.open(tmp_path / "items.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"title": "A", "text": BODY}) + "\n")
    (tmp_path / "noext").write_text(html, encoding="utf-8")
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    records, rejections = _split(list(read_paths([tmp_path])))
    kinds = {Path(r.source.split(":")[0]).name: r.kind for r in records}
    assert kinds == {"page.html.gz": "html", "items.jsonl.gz": "jsonl", "noext": "html"}
    assert [Path(r.source).name for r in rejections] == ["broken.gz"]
    assert "cannot read" in rejections[0].reason
