"""JSON Lines records of the public data sets under the shared data folder (``timex/``,
``factuality/``, ``attribution/``), read one object a line from a gzip or plain file.

Every evaluation module reads its data set through ``read_records`` so that a missing file, a
damaged gzip stream, a line that is not JSON or a line that is not a JSON object all fail the
same way: an ``InputError`` naming the file and, where there is one, the line. What a record
must hold is the caller's business; it gets each record's line number to name it in its own
errors.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from storyline.errors import InputError

__all__ = ["read_records"]


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "true or false", type(None): "null"}  # fmt: skip


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_records(
    path: Path, *, what: str, limit: int | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each JSON object of ``path`` with its line number (from 1), blank lines skipped;
    ``limit``: the first N records. ``what`` names the data set in errors ("UW event records").

    Raises ``InputError`` naming the file when it does not exist or cannot be read, and the
    file and line when a line is not valid JSON or not a JSON object.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be at least 0, not {limit}")
    if not path.is_file():
        raise InputError(f"{path} does not exist ({what}; see the shared data README)")
    number = 0
    read = 0
    try:
        with _open(path) as lines:
            for number, line in enumerate(lines, 1):
                if limit is not None and read >= limit:
                    return
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"{path} line {number}: not valid JSON ({exc.msg} at column {exc.colno})"
                    ) from exc
                if not isinstance(record, dict):
                    kind = _JSON_KINDS.get(type(record), type(record).__name__)
                    raise InputError(f"{path} line {number}: {kind}, not one of the {what} "
                                     "(a JSON object)")  # fmt: skip
                read += 1
                yield number, record
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        # Text is decoded in blocks, so the fault may lie a few lines past the last one read.
        raise InputError(f"{path}: cannot read {what} after line {number} ({exc})") from exc
