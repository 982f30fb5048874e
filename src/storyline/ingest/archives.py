"""WARC archives: one raw HTML record per successful HTML response, read with warcio.

Every record either becomes a page or is accounted for: a response that cannot be an article
(an error status, a non-HTTP target such as ``javascript:``, a page over ``max_bytes`` once its
``Content-Encoding`` is undone, a record cut short) is a rejection. Records that are not pages
by nature (requests, metadata, images, scripts) are counted and logged, and an archive that
yields no page at all is one rejection saying what it held instead.
"""

from __future__ import annotations

import io
import logging
import zlib
from collections import Counter
from collections.abc import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.models import RawRecord, Rejection

log = logging.getLogger(__name__)

#: Default largest page accepted, in bytes (after undoing its Content-Encoding).
_DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def read_warc(
    data: bytes, *, source: str, max_bytes: int = _DEFAULT_MAX_BYTES, truncated: bool = False
) -> Iterator[RawRecord | Rejection]:
    """Yield the HTML pages of a WARC file (gzip-compressed or not).

    ``truncated`` says that ``data`` was cut short while it was decompressed: the records
    before the cut are still read, and the cut is one rejection."""
    from storyline.ingest.readers import decode_bytes

    seen = pages = 0
    skipped: Counter[str] = Counter()
    index = 0
    try:
        for index, record in enumerate(ArchiveIterator(io.BytesIO(data)), start=1):
            where = f"{source}#{index}"
            if record.rec_type is None:
                yield Rejection(where, "read", "not a readable WARC record")
                continue
            seen += 1
            if record.rec_type != "response":
                skipped[f"{record.rec_type} record"] += 1
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            if not url.lower().startswith(("http://", "https://")):
                yield Rejection(where, "read", f"target URI {url[:80]!r} is not an http(s) URL")
                continue
            if record.http_headers is None:
                skipped["response record without HTTP headers"] += 1
                continue
            ctype = record.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype.lower():
                skipped[f"{ctype.split(';')[0].strip() or 'untyped'} response"] += 1
                continue
            status = record.http_headers.get_statuscode()
            if status != "200":
                yield Rejection(where, "read", f"HTTP status {status} for {url}")
                continue
            try:
                content = record.content_stream().read(max_bytes + 1)
            # warcio raises many kinds on a malformed record (a Content-Length of 10^20 is an
            # OverflowError, a missing header an AttributeError): each is this record's fault.
            except (OSError, EOFError, zlib.error, OverflowError, ValueError, AttributeError,
                    TypeError) as exc:  # fmt: skip
                yield Rejection(where, "read", f"cannot decode the content of {url}: {exc}")
                continue
            if len(content) > max_bytes:
                yield Rejection(where, "read",
                                f"page {url} is over the {max_bytes}-byte limit once decoded")
                continue
            if record.raw_stream.limit > 0:  # fewer bytes than its Content-Length
                yield Rejection(where, "read", f"record for {url} is truncated")
                truncated = False  # reported
                continue
            text, encoding = decode_bytes(content, source=where)
            if not text:
                yield Rejection(where, "read", f"cannot decode the page for {url}")
                continue
            pages += 1
            yield RawRecord(
                source=where, kind="html", content=text, encoding=encoding, fields={"url": url}
            )
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, OverflowError, ValueError,
            AttributeError, TypeError) as exc:  # fmt: skip
        if seen:
            yield Rejection(f"{source}#{index + 1}", "read", f"truncated or broken record: {exc}")
        else:
            yield Rejection(source, "read", f"not a readable WARC archive: {exc}")
        return
    if truncated:
        yield Rejection(f"{source}#{index + 1}", "read", "archive is truncated")
        return
    if not seen:
        yield Rejection(source, "read", "no WARC records found")
        return
    what = ", ".join(f"{n} {kind}" for kind, n in sorted(skipped.items()))
    if not pages and skipped:
        yield Rejection(source, "read", f"no HTML page among its records: {what}")
    elif skipped:
        log.info("%s: %d page(s); skipped %s", source, pages, what)
