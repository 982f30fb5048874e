"""Hostile input to the readers (issue 11): never a crash, never an exhausted machine.

Each bad item becomes a ``Rejection`` naming its file (and line or record) and the reason;
the good items beside it are still read. Inputs that could grow without bound (devices,
pipes, gzip bombs) are cut off at ``max_bytes``.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.ingest.readers import ReaderOptions, decode_bytes, read_paths
from storyline.models import RawRecord, Rejection

FILES = Path(__file__).resolve().parent / "files" / "readers"

BODY = (
    "The harbour authority closed two berths on Tuesday after a fire in a grain warehouse "
    "spread to the north pier, and crews spent the night cooling the walls of the building."
)


def _split(results: list[RawRecord | Rejection]) -> tuple[list[RawRecord], list[Rejection]]:
    return ([r for r in results if isinstance(r, RawRecord)],
            [r for r in results if isinstance(r, Rejection)])


# --- JSON Lines -------------------------------------------------------------------------

def test_readers_jsonl_hostile_lines_are_rejected_by_line() -> None:
    path = FILES / "hostile.jsonl"
    records, rejections = _split(list(read_paths([path])))
    by_line = {r.source.rsplit(":", 1)[1]: r.reason for r in rejections}
    assert set(by_line) == {"2", "3", "4"}, rejections
    assert "64-bit" in by_line["2"]
    assert "surrogate" in by_line["3"] and "surrogate" in by_line["4"]
    assert [r.source for r in records] == [f"{path}:1", f"{path}:5"]
    # U+2028, U+2029 and U+0085 inside a JSON string are text, not line breaks.
    assert records[1].fields["text"].startswith("First paragraph\u2028second\u2029third\u0085")


def test_readers_jsonl_deep_nesting_is_a_rejection(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    good = f'{{"title": "Fire", "text": "{BODY}"}}'
    deep = '{"text": "x", "a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(f"{good}\n{deep}\n{good}\n", encoding="utf-8")
    records, rejections = _split(list(read_paths([path])))
    assert [r.source for r in records] == [f"{path}:1", f"{path}:3"]
    assert [r.source for r in rejections] == [f"{path}:2"]
    assert "nested" in rejections[0].reason


def test_readers_jsonl_huge_integer_is_a_rejection(tmp_path: Path) -> None:
    path = tmp_path / "digits.jsonl"
    path.write_text('{"text": "x", "n": ' + "9" * 5000 + "}\n", encoding="utf-8")
    (rejection,) = read_paths([path])
    assert isinstance(rejection, Rejection) and rejection.source == f"{path}:1"
    assert "64-bit" in rejection.reason


def test_readers_jsonl_rejections_stream_in_bounded_memory(tmp_path: Path) -> None:
    """The reader hands rejections on one at a time: it never holds every line at once."""
    path = tmp_path / "junk.jsonl"
    lines = 100_000
    path.write_bytes(b"{nope\n" * lines)
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_paths([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == lines
    # The file is 0.6 MB; its text is held once (bytes and str), never a list of its lines.
    assert peak < 6 * 1024 * 1024, peak


# --- decoding ---------------------------------------------------------------------------

def test_readers_utf8_with_one_bad_byte_stays_utf8(caplog: pytest.LogCaptureFixture) -> None:
    data = (FILES / "utf8_one_bad_byte.txt").read_bytes()
    with caplog.at_level(logging.WARNING, logger="storyline.ingest.readers"):
        text, encoding = decode_bytes(data, source="utf8_one_bad_byte.txt")
    assert encoding == "utf-8"
    assert text is not None and "Zürich" in text and "Müller" in text and "\ufffd" in text
    assert "Ã" not in text
    assert any("utf8_one_bad_byte.txt" in m and "UTF-8" in m for m in caplog.messages)


@pytest.mark.parametrize(("name", "word"), [("cp1252.txt", "façade"),
                                            ("latin1.txt", "propriétaires")])
def test_readers_legacy_encodings_still_detected(name: str, word: str) -> None:
    text, encoding = decode_bytes((FILES / name).read_bytes())
    assert text is not None and word in text and "\ufffd" not in text, (encoding, text)


# --- only regular files -----------------------------------------------------------------

@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_readers_device_is_not_a_regular_file() -> None:
    started = time.monotonic()
    (rejection,) = read_paths(["/dev/zero"], options=ReaderOptions(max_bytes=1024))
    assert isinstance(rejection, Rejection) and "not a regular file" in rejection.reason
    assert time.monotonic() - started < 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_readers_named_pipe_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    results: list[RawRecord | Rejection] = []
    reader = threading.Thread(target=lambda: results.extend(read_paths([tmp_path])),
                              daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # unblock the reader so the test run can end
        with open(fifo, "wb"):
            pass
        reader.join(5)
        pytest.fail("reading a directory holding a named pipe blocked")
    records, rejections = _split(results)
    assert [Path(r.source).name for r in records] == ["a.txt"]
    assert [Path(r.source).name for r in rejections] == ["pipe.txt"]
    assert "not a regular file" in rejections[0].reason


# --- decompression limits ---------------------------------------------------------------

def _bomb(size: int) -> bytes:
    """Gzip of ``size`` zero bytes (1 GiB → about 1 MB): one 64 MiB member, repeated."""
    member = gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9)
    return member * (size // (64 * 1024 * 1024))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _bomb(1024 * 1024 * 1024)


def test_readers_gzip_bomb_is_cut_off(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(bomb)
    tracemalloc.start()
    try:
        (rejection,) = read_paths([path], options=ReaderOptions(max_bytes=1024 * 1024))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(rejection, Rejection) and "limit" in rejection.reason
    assert peak < 16 * 1024 * 1024, peak


def _response(writer: WARCWriter, url: str, payload: bytes, *, ctype: str = "text/html",
              extra: tuple[tuple[str, str], ...] = ()) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", ctype), *extra],
                               protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        url, "response", payload=io.BytesIO(payload), length=len(payload),
        http_headers=headers))


def _page(title: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{BODY}</p><p>{BODY}</p></article></body></html>").encode()


def test_archives_content_encoding_bomb_is_cut_off(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "bomb.warc"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        _response(writer, "https://courier.example/bomb", bomb,
                  extra=(("Content-Encoding", "gzip"),))
        _response(writer, "https://courier.example/fire", _page("Fire at the north pier"))
    tracemalloc.start()
    try:
        results = list(read_paths([path], options=ReaderOptions(max_bytes=4 * 1024 * 1024)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    records, rejections = _split(results)
    assert [r.fields["url"] for r in records] == ["https://courier.example/fire"]
    assert [r.source for r in rejections] == [f"{path}#1"]
    assert "limit" in rejections[0].reason
    assert peak < 48 * 1024 * 1024, peak


@pytest.mark.parametrize("compressed", [False, True])
def test_archives_truncated_record_keeps_those_before(tmp_path: Path, compressed: bool) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compressed)
    _response(writer, "https://courier.example/one", _page("Fire at the north pier"))
    _response(writer, "https://courier.example/two", _page("Berths reopen at the pier"))
    whole = buffer.getvalue()
    path = tmp_path / ("cut.warc.gz" if compressed else "cut.warc")
    path.write_bytes(whole[: len(whole) - 200])
    records, rejections = _split(list(read_paths([path])))
    assert [r.fields["url"] for r in records] == ["https://courier.example/one"]
    assert len(rejections) == 1 and "truncated" in rejections[0].reason, rejections


def test_archives_records_that_yield_nothing_are_rejections(tmp_path: Path) -> None:
    path = tmp_path / "odd.warc"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        request = StatusAndHeaders("GET /fire HTTP/1.1", [("Host", "courier.example")],
                                   is_http_request=True)
        writer.write_record(writer.create_warc_record(
            "https://courier.example/fire", "request", payload=io.BytesIO(b""), length=0,
            http_headers=request))
        _response(writer, "https://courier.example/logo.png", b"\x89PNG....",
                  ctype="image/png")
        _response(writer, "javascript:alert(1)", _page("Fire at the north pier"))
    records, rejections = _split(list(read_paths([path])))
    assert records == []
    reasons = " | ".join(r.reason for r in rejections)
    assert "javascript" in reasons and "not an http" in reasons, reasons
    assert "request" in reasons and "image/png" in reasons, reasons


def test_archives_gzip_warc_with_pages_still_read(tmp_path: Path) -> None:
    path = tmp_path / "fine.warc.gz"
    with gzip.open(path, "wb") as raw:
        writer = WARCWriter(raw, gzip=False)
        _response(writer, "https://courier.example/one", _page("Fire at the north pier"))
    records, rejections = _split(list(read_paths([path])))
    assert len(records) == 1 and rejections == []
