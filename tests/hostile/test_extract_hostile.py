"""Hostile input at the extraction boundary (issue 11): it never crashes an ingest and never
poisons the store. The inputs are real files in ``files/extract/`` (the large ones are written
to a temp folder by the test that needs them)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storyline.errors import StoreError
from storyline.extract.build import EARLIEST, MAX_TITLE, MAX_URL, extract_records
from storyline.extract.text import extract_text_dump
from storyline.ingest.readers import ReaderOptions, read_paths
from storyline.models import Article, RawRecord, Rejection

FILES = Path(__file__).parent / "files" / "extract"
BODY = (
    "The harbour authority approved night shifts at the east terminal on Tuesday after a long"
    " dispute with the dock unions over pay and safety rules."
)


def _extract(path: Path) -> list[Article | Rejection]:
    items = list(read_paths([path], options=ReaderOptions()))
    records = [r for r in items if isinstance(r, RawRecord)]
    return [r for r in items if isinstance(r, Rejection)] + extract_records(records)


def _articles(path: Path) -> list[Article]:
    results = _extract(path)
    articles = [r for r in results if isinstance(r, Article)]
    assert articles, results
    return articles


def _assert_sane(article: Article) -> None:
    offset = article.published.utcoffset()
    assert offset is not None and abs(offset) < timedelta(hours=24)
    assert EARLIEST <= article.published <= datetime.now(UTC) + timedelta(days=3)
    for value in (article.title, article.text, article.url or "", article.raw, *article.authors):
        value.encode("utf-8")  # no lone surrogates
    assert len(article.title) <= MAX_TITLE
    assert len(article.url or "") <= MAX_URL


def test_extract_hostile_dates_in_records_become_inferred() -> None:
    results = _extract(FILES / "hostile_records.jsonl")
    articles = {a.title: a for a in results if isinstance(a, Article)}
    assert len(articles) == 4
    # A date no calendar has (year 0, year 10000) is an unreadable value: rejected, saying so.
    reasons = sorted(r.reason for r in results if isinstance(r, Rejection))
    assert reasons == ["unreadable 'published' value '0000-01-01T00:00:00Z'",
                       "unreadable 'published' value '10000-01-01T00:00:00Z'"]
    for title in ("Far future with minus fourteen", "Offset beyond a day",
                  "Far future timestamp"):
        assert articles[title].date_inferred, title
    sane = articles["Sane record"]
    assert sane.published == datetime(2024, 5, 15, 0, 0, tzinfo=UTC)  # the same instant
    assert not sane.date_inferred
    for article in articles.values():
        _assert_sane(article)


def test_extract_hostile_lone_surrogates_are_replaced() -> None:
    # The JSONL reader may refuse the record itself; extraction never passes one on.
    for result in _extract(FILES / "lone_surrogates.jsonl"):
        if isinstance(result, Rejection):
            assert "surrogate" in result.reason
        else:
            _assert_sane(result)
    fields = {"title": "Lone \ud800 surrogate title", "authors": ["Jane \udc00 Doe"],
              "url": "https://bayline.example/\ud800", "published": "2024-05-14T10:00:00Z",
              "text": f"{BODY} Five \udfff."}
    (article,) = extract_records([RawRecord("api:\udcff", "jsonl", "{\ud800}", fields=fields)])
    assert isinstance(article, Article)
    _assert_sane(article)
    assert article.source == "api:\ufffd"
    assert article.title == "Lone \ufffd surrogate title"
    assert article.authors == ["Jane \ufffd Doe"]
    assert article.url == "https://bayline.example/\ufffd"


def test_extract_hostile_surrogate_references_in_html() -> None:
    (article,) = _articles(FILES / "surrogate_refs.html")
    _assert_sane(article)


def test_extract_hostile_huge_title_and_url_are_bounded(tmp_path: Path) -> None:
    page = tmp_path / "huge_title.html"
    page.write_text(
        f"<html><head><title>Huge {'t' * 1_200_000}</title>"
        f"<link rel=canonical href='https://bayline.example/{'u' * 5000}'></head>"
        f"<body><article><p>{BODY}</p><p>{BODY}</p></article></body></html>"
    )
    (article,) = _articles(page)
    _assert_sane(article)
    assert article.title.startswith("Huge t")
    assert article.url is None


def test_extract_hostile_deeply_nested_json_ld(tmp_path: Path) -> None:
    page = tmp_path / "deep_jsonld.html"
    page.write_text(
        "<html><head><title>Deep JSON-LD page</title><script type='application/ld+json'>"
        f"{'[' * 100_000}{']' * 100_000}</script></head>"
        f"<body><article><p>{BODY}</p><p>{BODY}</p></article></body></html>"
    )
    start = time.perf_counter()
    (article,) = _articles(page)
    assert time.perf_counter() - start < 20
    assert article.title == "Deep JSON-LD page"


@pytest.mark.parametrize("name", ["ipv6_canonical.html", "ipv6_broken_canonical.html"])
def test_extract_hostile_ipv6_canonical_link(name: str) -> None:
    (article,) = _articles(FILES / name)
    _assert_sane(article)
    assert article.url in (None, "http://[::1]/a")


def test_extract_hostile_meta_dates() -> None:
    for name in ("bad_offset_meta.html", "far_future_offset.html", "feb31_meta.html"):
        (article,) = _articles(FILES / name)
        _assert_sane(article)
        assert article.date_inferred, name  # not 2024-01-01 for "31 Feb 2024"


@pytest.mark.parametrize("unit", ["a. ", "a.", "a/", "A b / ", "a.com "])
def test_extract_hostile_text_dump_is_linear(tmp_path: Path, unit: str) -> None:
    dump = tmp_path / "dotted.txt"
    dump.write_text((unit * 200_000)[:200_000] + "\n")
    start = time.perf_counter()
    results = _extract(dump)
    # generous: well under 1 s on a laptop; 20,000 characters of "a.a." took 33 s before
    assert time.perf_counter() - start < 5, unit
    assert len(results) == 1


def test_extract_hostile_text_dump_without_final_punctuation_keeps_its_body() -> None:
    text = (FILES / "no_final_punctuation.txt").read_text()
    assert "harbour authority" in extract_text_dump(text).text
    squeezed = text.replace("\n\n", "\n")  # no blank line between title and body
    fields = extract_text_dump(squeezed)
    assert fields.title == "Harbour night shifts"
    assert fields.text.startswith("The harbour authority")


@pytest.mark.parametrize("name", ["feed_year_0.xml", "feed_year_10000.xml", "feed_surrogate.xml"])
def test_extract_hostile_feed_entries(name: str) -> None:
    (article,) = _articles(FILES / name)
    _assert_sane(article)


def test_extract_hostile_feed_surrogate_references_read_as_replacement() -> None:
    (article,) = _articles(FILES / "feed_surrogate.xml")
    assert article.title == "Lone \ufffd surrogate entry"
    assert "\ufffd" in article.text


def test_store_refuses_what_would_poison_it(store) -> None:
    from dateutil.tz import tzoffset

    (good,) = _articles(FILES / "ipv6_canonical.html")
    bad_dates = [
        datetime(9999, 12, 31, 23, 59, tzinfo=tzoffset(None, -14 * 3600)),
        datetime(2024, 5, 14, 10, tzinfo=tzoffset(None, 99 * 3600)),
        datetime(2024, 5, 14, 10),
    ]
    for published in bad_dates:
        good.published = published
        with pytest.raises(StoreError, match="publication time"):
            store.write_batch([good], [], [])
    good.published = datetime(2024, 5, 14, tzinfo=UTC)
    good.title = "lone \ud800"
    with pytest.raises(StoreError, match="title is not valid Unicode"):
        store.write_batch([good], [], [])
    assert store.list_stories() == []
    assert store.counts()["articles"] == 0


@pytest.mark.slow
def test_pipeline_hostile_folder_never_poisons_the_store(tmp_path: Path, store) -> None:
    from storyline.config import Settings
    from storyline.pipeline import Pipeline

    folder = tmp_path / "in"
    folder.mkdir()
    for path in FILES.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "dotted.txt").write_text("a." * 20_000 + "\n")
    report = Pipeline(store, settings=Settings(workers=1)).ingest_paths([folder])
    assert report.added >= 14, report.rejections
    assert all("internal error" not in r.reason for r in report.rejections)
    stories = store.list_stories()
    assert stories
    for story in stories:
        detail = store.get_story(story.id)
        for summary in detail.articles:
            assert EARLIEST <= summary.published <= datetime.now(UTC) + timedelta(days=3)
    assert len(list(store.iter_articles())) == report.added
