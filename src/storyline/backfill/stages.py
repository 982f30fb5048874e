"""The backfill's first per-article stage, as a plain function over a batch of input files:
read them (``ingest/readers.py``) and extract their articles (``extract/build.py``), the
same functions ``storyline ingest`` calls, in chunks of bounded size.

Needs: input file paths (``ingest.readers.input_files`` lists them). Fills: ``Article``
values (everything extraction fills; no vectors, keywords or story) and ``Rejection`` values.
The rest of the per-article stages (keywords, vectors, enrichment) run later, on the batches
the time-sorted stream forms (``prepare.prepare_batch``): they must see the batches an ingest
of the same input sees, since enrichment gives entities their identities across a batch and
outlets' sign-offs are cut before anything is embedded.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storyline.extract.build import ExtractOptions, extract_records
from storyline.ingest.readers import DEFAULT_MAX_BYTES, ReaderOptions, read_file
from storyline.models import Article, RawRecord, Rejection

Item = Article | Rejection

#: Articles a worker hands back at once: a JSONL file of a million lines comes back in
#: pieces, so no worker (nor the driver) holds a whole input file's articles.
CHUNK_ITEMS = 256


@dataclass(frozen=True, slots=True)
class ReadExtractOptions:
    """How the read and extract stage treats its inputs (an ingest's settings)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    min_words: int = 15
    #: Publication time of articles without a date (the backfill's start).
    fallback_time: datetime | None = None
    chunk_items: int = CHUNK_ITEMS


def read_extract(paths: Iterable[str | Path], *, options: ReadExtractOptions | None = None
                 ) -> Iterator[list[Item]]:  # fmt: skip
    """The articles (and rejections) of ``paths``, in chunks of at most ``chunk_items``."""
    opts = options or ReadExtractOptions()
    readers = ReaderOptions(max_bytes=opts.max_bytes)
    extract = ExtractOptions(min_words=opts.min_words, fallback_time=opts.fallback_time)
    size = opts.chunk_items
    records: list[RawRecord] = []
    out: list[Item] = []
    for path in paths:
        for record in read_file(Path(path), options=readers):
            if isinstance(record, Rejection):
                out.append(record)
            else:
                records.append(record)
                if len(records) >= size:
                    out += extract_records(records, options=extract)
                    records = []
            while len(out) >= size:
                yield out[:size]
                out = out[size:]
    out += extract_records(records, options=extract)
    for start in range(0, len(out), size):
        yield out[start : start + size]


def encode(items: Iterable[Item]) -> list[bytes]:
    """Items as bytes, to travel between processes or machines (one pickle each)."""
    return [pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL) for item in items]


def decode(blobs: Iterable[bytes]) -> list[Item]:
    """What ``encode`` made (only ever from this backfill's own workers)."""
    return [pickle.loads(blob) for blob in blobs]
