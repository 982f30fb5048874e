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
files and lines go on. Only regular files are read (a device or a named pipe is rejected before
it is opened), and no input is read or decompressed past ``max_bytes``.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import stat
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
    for item in input_files(paths):
        if isinstance(item, Rejection):
            yield item
        else:
            yield from read_file(item, options=opts)


def input_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | Rejection]:
    """The files ``read_paths`` reads, in its order (each directory walked, in sorted order,
    hidden entries skipped), and a rejection for each path that does not exist. A backfill
    hands these to its workers one by one."""
    for path in paths:
        p = Path(path)
        if p.is_dir():
            yield from _walk(p)
        elif p.exists() or p.is_symlink():
            yield p
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
    warc = suffix in _WARC_SUFFIXES
    try:
        data, truncated = _read_bytes(path, gz=gz, max_bytes=opts.max_bytes, partial=warc)
    except _ReadProblem as problem:
        yield Rejection(source, "read", str(problem))
        return
    if warc:
        from storyline.ingest.archives import read_warc

        yield from read_warc(data, source=source, max_bytes=opts.max_bytes,
                             truncated=truncated)
        return
    if not data.strip():
        yield Rejection(source, "read", "file is empty")
        return
    if _looks_binary(data):
        yield Rejection(source, "read", "binary content, not a text, HTML or JSON file")
        return
    text, encoding = decode_bytes(data, source=source)
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


#: Bytes decompressed per read: small enough that a gzip bomb is caught within one step.
_CHUNK = 1024 * 1024


def _read_bytes(path: Path, *, gz: bool, max_bytes: int, partial: bool = False
                ) -> tuple[bytes, bool]:
    """The file's bytes (decompressed when ``gz``), never more than ``max_bytes`` of them.

    Only a regular file is opened: a device (/dev/zero) or a named pipe is refused before it
    could block or stream for ever. With ``partial``, a gzip stream cut short returns what
    came before the cut and True (a WARC archive keeps its complete records)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise _ReadProblem("not a regular file (a device, pipe or socket)")
        if not gz and info.st_size > max_bytes:
            raise _ReadProblem(f"file is {info.st_size} bytes, over the {max_bytes}-byte limit")
        # O_NONBLOCK: should the path have become a pipe since the stat, opening it must not
        # wait for a writer; the fstat below then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as raw:
            if not stat.S_ISREG(os.fstat(raw.fileno()).st_mode):
                raise _ReadProblem("not a regular file (a device, pipe or socket)")
            if not gz:
                # Sized by the stat: read(n) allocates n bytes before it reads any.
                data = raw.read(min(info.st_size, max_bytes) + 1)
                truncated = False
            else:
                data, truncated = _gunzip(raw, max_bytes=max_bytes, partial=partial)
    except (OSError, EOFError, zlib.error) as exc:
        raise _ReadProblem(f"cannot read file: {exc}") from exc
    if len(data) > max_bytes:
        what = "decompressed content" if gz else "file"
        raise _ReadProblem(f"{what} is over the {max_bytes}-byte limit")
    return data, truncated


def _gunzip(raw: io.BufferedReader, *, max_bytes: int, partial: bool) -> tuple[bytes, bool]:
    """Decompress (every gzip member in turn) at most ``max_bytes + 1`` bytes: a 1 MB gzip
    bomb that expands to gigabytes stops at the limit. With ``partial``, a stream cut short
    gives what was decompressed before the cut, and True."""
    parts: list[bytes] = []
    size = 0
    inflater = zlib.decompressobj(wbits=31)  # 31: a gzip header and trailer (CRC) expected
    in_member = False
    while True:
        buf = raw.read(_CHUNK)
        if not buf:
            break
        while buf:
            try:
                out = inflater.decompress(buf, max_bytes + 1 - size)
            except zlib.error:
                if partial and parts:
                    return b"".join(parts), True
                raise
            in_member = True
            parts.append(out)
            size += len(out)
            if size > max_bytes:
                return b"".join(parts), False
            if inflater.eof:  # a member ends; another may follow
                buf = inflater.unused_data
                inflater = zlib.decompressobj(wbits=31)
                in_member = False
            else:
                buf = inflater.unconsumed_tail
    if in_member:
        if partial and size:
            return b"".join(parts), True
        raise EOFError("compressed file ended before the end-of-stream marker was reached")
    return b"".join(parts), False


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 4 KiB mean the file is not text."""
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 text carries NULs too; its BOM tells it apart.
        return not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.05


def decode_bytes(data: bytes, *, source: str = "") -> tuple[str | None, str]:
    """Decode bytes as UTF-8 when valid, else with the encoding charset-normalizer detects.

    Text that is UTF-8 but for a few bad bytes (a truncated character, one stray byte) stays
    UTF-8, each bad byte a U+FFFD and a logged warning: read as a legacy encoding, all of its
    other accented letters would turn into mojibake ("ZÃ¼rich")."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        text, bad = mostly
        log.warning("%s: invalid UTF-8 (%d bad byte sequence(s)) replaced by U+FFFD",
                    source or "input", bad)
        return text, "utf-8"
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


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """The text with U+FFFD for bad bytes, and how many, when ``data`` is UTF-8 but for a few
    bad sequences: at least two valid multi-byte characters for each bad one. A legacy
    single-byte text almost never holds valid UTF-8 sequences (a capital with an accent
    followed by a symbol from 0x80-0xBF), so it still goes to the detector."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None  # UTF-16 with its BOM
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    if bad <= 0 or multibyte < 2 * bad:
        return None
    return text, bad


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


#: The integers a JSON line may hold: what SQLite and every JSON tool read without loss.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


class _BadJSON(ValueError):
    pass


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > 19:  # before int(): 5,000 digits would be slow or refused
        raise _BadJSON("a number beyond 64-bit integers")
    value = int(digits)
    if not _INT_MIN <= value <= _INT_MAX:
        raise _BadJSON("a number beyond 64-bit integers")
    return value


def _parse_constant(name: str) -> Any:
    raise _BadJSON(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_int=_parse_int, parse_constant=_parse_constant)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_in(obj: Any) -> str | None:
    """The key path of the first string (or key) holding a lone UTF-16 surrogate: such
    text cannot be written as UTF-8, so it would fail in the store, not here."""
    stack: list[tuple[str, Any]] = [("", obj)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return path or "(value)"
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    return f"{path}.{key!a}".lstrip(".")
                stack.append((f"{path}.{key}".lstrip("."), item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


def json_objects(
    lines: Iterable[str], *, source: str
) -> Iterator[tuple[str, str, dict[str, Any]] | Rejection]:
    """Yield ``(source:line, line, object)`` for each JSON-object line; blank lines are skipped and
    a line that is not JSON, or not an object, becomes a rejection naming its line.

    Also rejected: integers beyond 64 bits, ``NaN``/``Infinity``, values nested too deeply to
    parse, and strings with lone UTF-16 surrogates (``"\\ud800"``)."""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            obj = _DECODER.decode(line)
        except json.JSONDecodeError as exc:
            yield Rejection(where, "read", f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        except _BadJSON as exc:
            yield Rejection(where, "read", f"invalid JSON: {exc}")
            continue
        except RecursionError:
            yield Rejection(where, "read", "invalid JSON: nested too deeply")
            continue
        if not isinstance(obj, dict):
            yield Rejection(where, "read", f"expected a JSON object, got {type(obj).__name__}")
            continue
        try:
            bad = _surrogate_in(obj)
        except RecursionError:  # pragma: no cover - the walk is iterative
            bad = "(nested)"
        if bad is not None:
            yield Rejection(where, "read", f"a lone UTF-16 surrogate in {bad}, not valid text")
            continue
        yield where, line, obj


def lines_of(text: str) -> Iterator[str]:
    """The lines of ``text``, split on ``\\n`` only (``\\r\\n`` too), one at a time.

    Not ``str.splitlines``: it also splits on U+2028, U+2029, U+0085 and other characters that
    a JSON string may hold raw, and it builds the list of every line at once."""
    start = 0
    end = len(text)
    while start < end:
        stop = text.find("\n", start)
        if stop < 0:
            stop = end
        yield text[start:stop].removesuffix("\r")
        start = stop + 1


def _read_jsonl(text: str, *, source: str, encoding: str) -> Iterator[ReadResult]:
    for item in json_objects(lines_of(text), source=source):
        if isinstance(item, Rejection):
            yield item
            continue
        where, line, obj = item
        text_value = obj.get("text")
        if not isinstance(text_value, str) or not text_value.strip():
            yield Rejection(where, "read", "missing or empty 'text' field")
            continue
        yield RawRecord(source=where, kind="jsonl", content=line, encoding=encoding, fields=obj)
