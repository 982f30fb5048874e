"""Building articles: stable ids, outlet and date fallbacks, rejections."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.errors import ExtractionError
from storyline.extract.build import ExtractOptions, article_id, extract_record
from storyline.extract.urls import canonical_url, outlet_from_domain
from storyline.models import RawRecord

BODY = (
    "Storm surges flooded the lower town overnight, and the mayor asked residents of four "
    "streets near the river to leave their homes before the next high tide on Friday."
)


def test_build_missing_date_uses_ingest_time_and_flags_it() -> None:
    when = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)
    record = RawRecord(source="x.txt", kind="text", content=f"Floods in the lower town\n\n{BODY}")
    article = extract_record(record, options=ExtractOptions(fallback_time=when))
    assert article.published == when and article.date_inferred
    assert article.title == "Floods in the lower town"
    assert article.raw == record.content


def test_build_ids_are_stable_across_url_variants_and_content() -> None:
    a = article_id(url="https://www.Example.org/news/story/?utm_source=x#top", title="t", text="b")
    b = article_id(url="http://example.org/news/story", title="other", text="other")
    assert a == b
    assert article_id(url=None, title="T", text=BODY) == article_id(url=None, title="t", text=BODY)
    assert article_id(url=None, title="T", text=BODY) != article_id(url=None, title="T2", text=BODY)
    assert canonical_url("ftp://example.org/x") is None


def test_build_outlet_from_domain_prefers_text_then_segments_words() -> None:
    assert outlet_from_domain("https://www.themoscowtimes.com/2024/x") == "The Moscow Times"
    assert (
        outlet_from_domain("https://kyivindependent.com/x", text="as The Kyiv Independent reported")
        == "The Kyiv Independent"
    )


def test_build_jsonl_fields_win_and_short_bodies_are_rejected() -> None:
    fields = {
        "title": "Floods",
        "text": BODY,
        "published": "2025-01-09T08:00:00+01:00",
        "outlet": "River Times",
        "authors": "Jo Lake",
        "url": "https://rt.example/f",
    }
    article = extract_record(RawRecord("f.jsonl:1", "jsonl", "{}", fields=fields))
    assert article.outlet == "River Times" and article.authors == ["Jo Lake"]
    assert article.published.utcoffset() is not None and article.published.hour == 8
    with pytest.raises(ExtractionError, match="no article body"):
        extract_record(RawRecord("s.jsonl:1", "jsonl", "{}", fields={"text": "Too short."}))
    with pytest.raises(ExtractionError, match="published"):
        extract_record(
            RawRecord("d.jsonl:1", "jsonl", "{}", fields={**fields, "published": "soon-ish"})
        )


def test_build_out_of_range_timestamp_is_a_rejection_not_a_crash() -> None:
    fields = {"title": "Floods", "text": BODY, "published": 1e20}
    with pytest.raises(ExtractionError, match="out of range"):
        extract_record(RawRecord("t.jsonl:1", "jsonl", "{}", fields=fields))
