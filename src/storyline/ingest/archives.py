"""WARC archives: one raw HTML record per successful HTML response, read with warcio."""

from __future__ import annotations

import io
from collections.abc import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.models import RawRecord, Rejection


def read_warc(data: bytes, *, source: str) -> Iterator[RawRecord | Rejection]:
    """Yield the HTML pages of a WARC file (gzip-compressed or not)."""
    from storyline.ingest.readers import decode_bytes

    seen = 0
    try:
        for index, record in enumerate(ArchiveIterator(io.BytesIO(data)), start=1):
            if record.rec_type is None:
                yield Rejection(f"{source}#{index}", "read", "not a readable WARC record")
                continue
            seen += 1
            if record.rec_type != "response" or record.http_headers is None:
                continue
            ctype = record.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype.lower():
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            where = f"{source}#{index}"
            status = record.http_headers.get_statuscode()
            if status != "200":
                yield Rejection(where, "read", f"HTTP status {status} for {url}")
                continue
            text, encoding = decode_bytes(record.content_stream().read())
            if not text:
                yield Rejection(where, "read", f"cannot decode the page for {url}")
                continue
            yield RawRecord(
                source=where, kind="html", content=text, encoding=encoding, fields={"url": url}
            )
    except ArchiveLoadFailed as exc:
        yield Rejection(source, "read", f"not a readable WARC archive: {exc}")
        return
    if not seen:
        yield Rejection(source, "read", "no WARC records found")
