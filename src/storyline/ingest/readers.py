"""Readers: turn files and directories into ``RawRecord`` values (or ``Rejection`` values).

Fills: ``RawRecord.source``, ``kind``, ``content``, ``encoding``, ``fields``.

Supported inputs, each optionally gzip-compressed (``.gz``):
- plain-text dumps (``.txt``, ``.text``, or any text file not recognised otherwise),
- HTML pages (``.html``, ``.htm``, or text starting with a tag),
- JSON Lines (``.jsonl``, ``.ndjson``): one article per line with keys ``url``, ``title``,
  ``text``, ``published``, ``outlet``, ``authors``, ``language``,
- RSS/Atom feeds (``.xml``, ``.rss``, ``.atom``), one record per entry,
- WARC archives (``.warc``, ``.warc.gz``), one record per HTML response,
- directories of any of these (walked recursively, in sorted order, hidden files skipped).

Every problem is a ``Rejection`` naming the file (and line or entry) and the cause; the other
files and lines go on.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from storyline.models import RawRecord, Rejection

log = logging.getLogger(__name__)

#: Default largest input file accepted, in bytes (after decompression).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_FEED_SUFFIXES = {".xml", ".rss", ".atom"}
_WARC_SUFFIXES = {".warc"}

ReadResult = RawRecord | Rejection


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    """How readers treat their inputs."""

    max_bytes: int = DEFAULT_MAX_BYTES


def read_paths(
    paths: Iterable[str | os.PathLike[str]], *, options: ReaderOptions | None = None
) -> Iterator[ReadResult]:
    """Yield raw records (or rejections) for every article found under ``paths``."""
    opts = options or ReaderOptions()
    for path in paths:
        p = Path(path)
        if p.is_dir():
            for child in _walk(p):
                yield from read_file(child, options=opts)
        elif p.exists():
            yield from read_file(p, options=opts)
        else:
            yield Rejection(str(p), "read", "no such file or directory")


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _logical_suffix(path: Path) -> tuple[str, bool]:
    """The suffix that names the format, and whether the file is gzip-compressed."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else ""), gz


def read_file(path: Path, *, options: ReaderOptions | None = None) -> Iterator[ReadResult]:
    """Yield the records of one file; a file that cannot be read yields one rejection."""
    opts = options or ReaderOptions()
    source = str(path)
    suffix, gz = _logical_suffix(path)
    try:
        data = _read_bytes(path, gz=gz, max_bytes=opts.max_bytes)
    except _ReadProblem as problem:
        yield Rejection(source, "read", str(problem))
        return
    if suffix in _WARC_SUFFIXES:
        from storyline.ingest.archives import read_warc

        yield from read_warc(data, source=source)
        return
    if not data.strip():
        yield Rejection(source, "read", "file is empty")
        return
    if _looks_binary(data):
        yield Rejection(source, "read", "binary content, not a text, HTML or JSON file")
        return
    text, encoding = decode_bytes(data)
    if text is None:
        yield Rejection(source, "read", "cannot detect the text encoding")
        return
    if suffix in _JSONL_SUFFIXES:
        yield from _read_jsonl(text, source=source, encoding=encoding)
    elif suffix in _FEED_SUFFIXES or _looks_like_feed(text):
        from storyline.ingest.feeds import read_feed

        yield from read_feed(text, source=source, encoding=encoding)
    elif suffix in _HTML_SUFFIXES or _looks_like_html(text):
        yield RawRecord(source=source, kind="html", content=text, encoding=encoding)
    else:
        yield RawRecord(source=source, kind="text", content=text, encoding=encoding)


class _ReadProblem(Exception):
    pass


def _read_bytes(path: Path, *, gz: bool, max_bytes: int) -> bytes:
    try:
        if gz:
            with gzip.open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        else:
            if path.stat().st_size > max_bytes:
                raise _ReadProblem(
                    f"file is {path.stat().st_size} bytes, over the {max_bytes}-byte limit"
                )
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise _ReadProblem(f"cannot read file: {exc}") from exc
    if len(data) > max_bytes:
        raise _ReadProblem(f"decompressed content is over the {max_bytes}-byte limit")
    return data


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 4 KiB mean the file is not text."""
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 text carries NULs too; its BOM tells it apart.
        return not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.05


def decode_bytes(data: bytes) -> tuple[str | None, str]:
    """Decode bytes as UTF-8 when valid, else with the encoding charset-normalizer detects."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        return None, ""
    # Windows-1252 is by far the most common legacy encoding of news pages, but on short texts
    # the detector often names a look-alike (cp1250, cp775). Prefer cp1252 when it decodes
    # cleanly and reads no messier than the detector's pick.
    if best.encoding != "cp1252":
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            western = None
        if (
            western is not None
            and mess_ratio(western) <= best.chaos + 0.01
            and not _mostly_non_latin(str(best))
        ):
            return western, "cp1252"
    return str(best), best.encoding


def _mostly_non_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(ord(c) > 0x24F for c in letters) > len(letters) * 0.3


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or (
        head.startswith("<") and ("<body" in text[:20000].lower() or "<head" in head)
    )


def _looks_like_feed(text: str) -> bool:
    head = text.lstrip()[:1024].lower()
    return head.startswith("<?xml") and ("<rss" in head or "<feed" in head or "<rdf" in head)


def json_objects(
    lines: Iterable[str], *, source: str
) -> Iterator[tuple[str, str, dict[str, Any]] | Rejection]:
    """Yield ``(source:line, line, object)`` for each JSON-object line; blank lines are skipped and
    a line that is not JSON, or not an object, becomes a rejection naming its line."""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(where, "read", f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(obj, dict):
            yield Rejection(where, "read", f"expected a JSON object, got {type(obj).__name__}")
            continue
        yield where, line, obj


def _read_jsonl(text: str, *, source: str, encoding: str) -> Iterator[ReadResult]:
    for item in json_objects(text.splitlines(), source=source):
        if isinstance(item, Rejection):
            yield item
            continue
        where, line, obj = item
        text_value = obj.get("text")
        if not isinstance(text_value, str) or not text_value.strip():
            yield Rejection(where, "read", "missing or empty 'text' field")
            continue
        yield RawRecord(source=where, kind="jsonl", content=line, encoding=encoding, fields=obj)
