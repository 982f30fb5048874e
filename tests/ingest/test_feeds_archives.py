"""RSS/Atom feeds and WARC archives: one record per entry or page, bad ones rejected."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.extract.build import extract_records
from storyline.ingest.readers import read_paths
from storyline.models import Article, RawRecord, Rejection

BODY = (
    "The regional assembly postponed its budget vote by three weeks after the finance "
    "committee asked the treasury for new revenue estimates, the speaker said on Monday."
)

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Valley Courier</title><language>en</language>
<item><title>Assembly delays budget vote</title><link>https://courier.example/budget</link>
<pubDate>Mon, 06 Jan 2025 09:30:00 +0000</pubDate><author>desk@courier.example (Rita Moss)</author>
<description>&lt;p&gt;{BODY}&lt;/p&gt;</description></item>
<item><title>Empty entry</title><link>https://courier.example/empty</link></item>
</channel></rss>
"""


def test_feeds_rss_entries_become_articles(tmp_path: Path) -> None:
    path = tmp_path / "courier.rss"
    path.write_text(RSS, encoding="utf-8")
    results = list(read_paths([path]))
    records = [r for r in results if isinstance(r, RawRecord)]
    rejections = [r for r in results if isinstance(r, Rejection)]
    assert [r.source for r in records] == [f"{path}#1"]
    assert rejections[0].source == f"{path}#2" and "no content" in rejections[0].reason
    (article,) = extract_records(records)
    assert isinstance(article, Article)
    assert article.title == "Assembly delays budget vote"
    assert article.outlet == "Valley Courier"
    assert article.url == "https://courier.example/budget"
    assert article.published.isoformat() == "2025-01-06T09:30:00+00:00"
    assert article.text.startswith("The regional assembly postponed")


def _warc(path: Path) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        pages = [
            (
                "https://courier.example/budget",
                "200 OK",
                f"<html><head><title>Assembly delays budget vote</title></head><body><article>"
                f"<h1>Assembly delays budget vote</h1><p>{BODY}</p><p>{BODY}</p>"
                "</article></body></html>",
            ),
            (
                "https://courier.example/gone",
                "404 Not Found",
                "<html><body>Not found</body></html>",
            ),
        ]
        for url, status, html in pages:
            headers = StatusAndHeaders(
                status, [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            payload = html.encode()
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=headers,
            )
            writer.write_record(record)


def test_archives_warc_pages_become_records(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    _warc(path)
    (tmp_path / "broken.warc").write_bytes(b"WARC/1.0\r\nnot really a warc record at all\r\n")
    results = list(read_paths([tmp_path]))
    records = [r for r in results if isinstance(r, RawRecord)]
    rejections: dict[str, str] = {}
    for r in results:
        if isinstance(r, Rejection):
            rejections.setdefault(Path(r.source.split("#")[0]).name, r.reason)
    assert len(records) == 1 and records[0].kind == "html"
    assert records[0].fields["url"] == "https://courier.example/budget"
    assert "404" in rejections["crawl.warc.gz"]
    assert "WARC" in rejections["broken.warc"]
    (article,) = extract_records(records)
    assert isinstance(article, Article) and article.url == "https://courier.example/budget"
