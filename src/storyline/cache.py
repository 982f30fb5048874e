"""Storyline's cache folder: files derived from installed packages, kept between runs.

What lives here is rebuilt from the installed packages alone (nothing is downloaded) and can
be deleted at any time: the int8-arithmetic MiniLM model (``quantized.py``) and the multilingual
place-name table (``enrich/gazetteer.py``). The folder is ``STORYLINE_CACHE_DIR``, else
``$XDG_CACHE_HOME/storyline``, else ``~/.cache/storyline``. Every file is written aside and
renamed into place, so a reader never sees half of one; its name carries what it was derived
from (package versions, a hash of the code that derives it), so an upgrade makes a new one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "write_atomically"]


def cache_dir() -> Path:
    """Where Storyline keeps files it derives from installed packages."""
    explicit = os.environ.get("STORYLINE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "storyline"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (its folder made if missing) so that no reader sees a part
    of it. Raises ``OSError`` when the folder cannot be made or written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(aside, path)
    except BaseException:
        Path(aside).unlink(missing_ok=True)
        raise
