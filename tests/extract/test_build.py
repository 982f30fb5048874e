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


def test_build_jsonl_bylines_in_the_text_are_its_authors() -> None:
    fields = {"title": "Floods", "published": "2025-01-09T08:00:00+13:00",
              "text": f"By Jess Tamihana\n\n{BODY}\n\n— Reporting by Ana Lealaiauloto"}
    article = extract_record(RawRecord("f.jsonl:1", "jsonl", "{}", fields=fields))
    assert article.authors == ["Jess Tamihana", "Ana Lealaiauloto"]
    # Given authors win; a sentence opening with "By" is no byline.
    given = extract_record(RawRecord("g.jsonl:1", "jsonl", "{}",
                                     fields={**fields, "authors": ["Jo Lake"]}))
    assert given.authors == ["Jo Lake"]
    plain = extract_record(RawRecord("h.jsonl:1", "jsonl", "{}", fields={
        **fields, "text": f"By Tuesday, Storm Surges had flooded the town.\n\n{BODY}"}))
    assert plain.authors == []


def test_build_jsonl_teasers_for_other_stories_are_left_out() -> None:
    """A crawler's JSONL keeps the page's "Read more:" lines; they name other stories."""
    fields = {"title": "Floods", "published": "2025-01-09T08:00:00+01:00",
              "text": f"{BODY}\n\nRead more: Man charged over fatal Quarry Road crash\n"
                      "READ MORE: Council votes to close the Riverside pool\n\n"
                      "Sign up for our morning newsletter\n\n"
                      "Residents can read more about the evacuation on the council's website."}
    article = extract_record(RawRecord("f.jsonl:1", "jsonl", "{}", fields=fields))
    assert "Quarry Road" not in article.text and "Riverside" not in article.text
    assert "newsletter" not in article.text
    assert article.text.startswith(BODY)
    assert article.text.endswith("read more about the evacuation on the council's website.")


def test_build_out_of_range_timestamp_is_a_rejection_not_a_crash() -> None:
    fields = {"title": "Floods", "text": BODY, "published": 1e20}
    with pytest.raises(ExtractionError, match="out of range"):
        extract_record(RawRecord("t.jsonl:1", "jsonl", "{}", fields=fields))


@pytest.mark.parametrize(
    "path",
    ["/2024/05/16/council-closes-bridge", "/news/2024-05-16/council", "/2024-05-16-council",
     "/news/20240516/council", "/a/20240516_council.html", "/2024/5/16/council"],
)  # fmt: skip
def test_build_date_from_the_urls_path_when_nothing_else_gives_one(path: str) -> None:
    when = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)
    fields = {"title": "Floods", "text": BODY, "url": f"https://ledger.example{path}"}
    record = RawRecord("d.jsonl:1", "jsonl", "{}", fields=fields)
    article = extract_record(record, options=ExtractOptions(fallback_time=when))
    assert article.published == datetime(2024, 5, 16, tzinfo=UTC)
    assert not article.date_inferred


@pytest.mark.parametrize(
    "path",
    ["/2024/05/council-closes-bridge", "/2024/13/45/council", "/story/12345678/",
     "/p?d=2024/05/16"],
)  # fmt: skip
def test_build_url_without_a_full_valid_day_gives_no_date(path: str) -> None:
    when = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)
    fields = {"title": "Floods", "text": BODY, "url": f"https://ledger.example{path}"}
    record = RawRecord("d.jsonl:1", "jsonl", "{}", fields=fields)
    article = extract_record(record, options=ExtractOptions(fallback_time=when))
    assert article.published == when and article.date_inferred


def test_build_stated_date_wins_over_the_urls() -> None:
    dump = (
        "Floods in the lower town\n16 mai 2024\n\n"
        "Les crues ont inondé la ville basse pendant la nuit, et le maire a demandé aux "
        "habitants de quatre rues proches du fleuve de quitter leur logement avant la marée.\n"
        "https://ledger.example/2024/05/17/floods\n"
    )
    article = extract_record(RawRecord("f.txt", "text", dump))
    assert article.url == "https://ledger.example/2024/05/17/floods"
    assert article.published == datetime(2024, 5, 16, tzinfo=UTC)
    no_date = dump.replace("16 mai 2024\n", "")
    assert extract_record(RawRecord("f.txt", "text", no_date)).published == datetime(
        2024, 5, 17, tzinfo=UTC
    )
