"""Copies (stories/copies.py): syndicated and re-posted texts are found, stored with their
original's story, never members, shown as copies, and remembered by the store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from storyline.config import Settings
from storyline.extract.build import extract_records
from storyline.ingest.readers import read_paths
from storyline.models import Article, IngestReport, RawRecord
from storyline.pipeline import Pipeline
from storyline.store import open_store
from storyline.store.sqlite import SQLiteStore
from storyline.stories.copies import CopyIndex, CopyOptions, jaccard, shingles

WIRE = (
    "Engineers closed the Varnholt river bridge on Monday after divers found cracks in two of "
    "its concrete piers, the regional transport authority said. About 18,000 vehicles cross "
    "the bridge every day, and traffic was sent through the old town instead.\n\n"
    "Authority director Petra Lindqvist said the bridge would stay shut for at least three "
    "weeks while the piers are surveyed. \"We are not taking any risks with a structure that "
    "carries this much traffic,\" she told reporters at the site.\n\n"
    "The cracks were found during a routine inspection that had been brought forward after "
    "heavy floods in March. Freight companies warned that the detour would add an hour to "
    "deliveries across the valley, and the chamber of commerce asked for a temporary ferry.\n\n"
    "A ferry operator in Holmstad said it could run a shuttle within ten days if the "
    "authority paid for the landing stages. The bridge was opened in 1974 and was last "
    "repaired eleven years ago, when its deck was resurfaced."
)
#: Another outlet's own report of the same closure: same people, places and facts.
OTHER_REPORT = (
    "Drivers in the Varnholt valley face weeks of detours after the river bridge was shut on "
    "Monday. Transport officials ordered the closure when divers spotted cracks in the piers "
    "during an inspection moved forward because of the spring floods.\n\n"
    "Petra Lindqvist, who runs the regional transport authority, said no date had been set "
    "for reopening and that a survey of the piers would take at least three weeks. She said "
    "the authority was not taking any risks.\n\n"
    "Hauliers said the diversion through the old town would cost them time and fuel, and "
    "local businesses called for a ferry to be laid on. One operator in Holmstad has offered "
    "a shuttle. The 1974 bridge normally carries around 18,000 vehicles a day."
)


def _article(aid: str, text: str, *, title: str = "Varnholt bridge closed after cracks found",
             hours: float = 0.0, outlet: str = "Valley Wire") -> Article:
    return Article(
        id=aid, title=title, text=text,
        published=datetime(2025, 4, 7, 9, 0, tzinfo=UTC) + timedelta(hours=hours),
        authors=[], outlet=outlet, url=f"https://{aid}.example/bridge", language="en",
        source=aid, raw_kind="jsonl",
    )  # fmt: skip


def _replace_sentence(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


@pytest.fixture()
def index() -> CopyIndex:
    return CopyIndex(SQLiteStore(":memory:"))


def test_copies_wire_text_with_a_changed_line_and_new_headline_is_a_copy(index) -> None:
    changed = _replace_sentence(
        WIRE, "About 18,000 vehicles cross the bridge every day, and traffic was sent through "
        "the old town instead.", "Police set up diversions through the old town.")
    changed += "\n\nThis story was distributed by Valley Wire."
    original = _article("orig", WIRE)
    copy = _article("copy", changed, title="Cracked piers shut Varnholt's main bridge",
                    hours=3, outlet="Holmstad Courier")
    matches = index.find([copy, original])  # any order: the earlier one is the original
    assert original.copy_of is None
    assert copy.copy_of == "orig"
    assert [(m.article_id, m.original_id) for m in matches] == [("copy", "orig")]
    assert CopyOptions().threshold <= matches[0].similarity < 0.95
    assert original.minhash is not None and copy.minhash is not None


def test_copies_another_report_of_the_same_event_is_not_a_copy(index) -> None:
    first = _article("first", WIRE)
    other = _article("other", OTHER_REPORT, hours=2, outlet="Holmstad Courier")
    assert index.find([first, other]) == []
    assert other.copy_of is None and first.copy_of is None
    assert jaccard(shingles(WIRE), shingles(OTHER_REPORT)) < 0.1


def test_copies_in_the_demo_corpus_are_exactly_its_gold_copies(demo_dir: Path, index) -> None:
    """The demo's stories hold many reports of one event by several outlets (two look-alike
    earthquakes, a trial, a takeover...): only the texts its gold marks as copies are."""
    corpus = demo_dir / "corpus"
    articles = [a for r in read_paths([corpus]) if isinstance(r, RawRecord)
                for a in extract_records([r]) if isinstance(a, Article)]
    gold = json.loads((demo_dir / "gold.json").read_text(encoding="utf-8"))
    expected = {str(corpus / g["source"]): str(corpus / g["copy_of"])
                for g in gold["articles"] if g.get("copy_of")}
    source_of = {a.id: a.source for a in articles}
    found = {source_of[m.article_id]: source_of[m.original_id] for m in index.find(articles)}
    assert found == expected


RELEASE = (
    "Attribute to Detective Senior Sergeant Rachel Kerr, Counties Manukau CIB:\n\n"
    "Police are investigating a ram raid on a commercial premises in {suburb} overnight.\n\n"
    "Emergency services were called to a {street} business about {time} following reports a "
    "vehicle had been driven into the shop front.\n\n"
    "A group of people are understood to have entered the store and taken a quantity of "
    "{goods} before leaving the area in a second vehicle.\n\n"
    "The vehicle used to gain entry, a {car}, was left at the scene. It had been reported "
    "stolen from {where} on {day}.\n\n"
    "A scene examination has been carried out this morning and Police are reviewing CCTV "
    "footage from the area. Thankfully, no one was injured.\n\n"
    "Police understand how distressing these incidents are for business owners and their "
    "staff, and we are committed to holding those responsible to account.\n\n"
    "Police have been carrying out additional overnight patrols of town centres across "
    "Counties Manukau, and we encourage business owners to take up the free crime "
    "prevention advice available through their local Police prevention team."
)


def test_copies_one_outlets_template_filled_for_another_event_is_not_a_copy(index) -> None:
    """Two raids' releases share most of their words and differ in their slots: the second
    is its own report, unless another outlet runs it (syndication, a few words edited)."""
    first = RELEASE.format(suburb="Ōtāhuhu", street="Great South Road", time="3.40am",
                           goods="cigarettes", car="Mazda Demio", where="Māngere",
                           day="Monday evening")
    second = RELEASE.format(suburb="Papatoetoe", street="St George Street", time="2.50am",
                            goods="alcohol", car="Nissan Tiida", where="Ōtara", day="Tuesday")
    assert jaccard(shingles(first), shingles(second)) >= CopyOptions().threshold
    raid = _article("raid1", first, title="Ram raid, Ōtāhuhu", outlet="New Zealand Police")
    later = _article("raid2", second, title="Ram raid, Papatoetoe", hours=190,
                     outlet="New Zealand Police")
    assert index.find([raid, later]) == [] and later.copy_of is None
    # The same release re-posted by the police, with a line added, is a copy.
    repost = _article("raid1b", first + "\n\nUpdate: two people have been arrested.",
                      hours=5, outlet="New Zealand Police")
    # Another outlet's near-identical text is syndication: a copy.
    wire = _article("wire", second, hours=191, outlet="Harbour 7 News")
    found = {m.article_id: m.original_id for m in index.find([raid, later, repost, wire])}
    assert found == {"raid1b": "raid1", "wire": "raid2"}


def test_copies_identical_repost_under_another_url_is_a_copy(index) -> None:
    original = _article("orig", WIRE)
    index.find([original])
    index.add([original])
    repost = _article("repost", WIRE, hours=30, outlet="Valley Wire")  # later batch
    [match] = index.find([repost])
    assert repost.copy_of == "orig" and match.similarity == 1.0


def test_copies_copy_of_a_copy_points_to_the_original(index) -> None:
    sentences = [
        ("Authority director Petra Lindqvist said the bridge would stay shut for at least "
         "three weeks while the piers are surveyed.", "The closure could last a month."),
        ("Freight companies warned that the detour would add an hour to deliveries across the "
         "valley, and the chamber of commerce asked for a temporary ferry.",
         "Businesses asked for help."),
        ("The bridge was opened in 1974 and was last repaired eleven years ago, when its deck "
         "was resurfaced.", "It is fifty years old."),
        ("The cracks were found during a routine inspection that had been brought forward "
         "after heavy floods in March.", "Floods had damaged it."),
    ]
    middle, last = WIRE, WIRE
    for n, (old, new) in enumerate(sentences):
        last = _replace_sentence(last, old, new)
        if n < 2:
            middle = _replace_sentence(middle, old, new)
    wire, second, third = shingles(WIRE), shingles(middle), shingles(last)
    # The third is a copy of the second but too far from the wire text to be its copy alone.
    assert jaccard(third, wire) < CopyOptions().threshold <= jaccard(third, second)
    assert jaccard(second, wire) >= CopyOptions().threshold
    articles = [_article("a", WIRE), _article("b", middle, hours=1), _article("c", last, hours=2)]
    index.find(articles[:2])
    index.add(articles[:2])
    index.find(articles[2:])
    assert [a.copy_of for a in articles] == [None, "a", "a"]


def test_copies_short_bodies_and_distant_dates_are_never_copies(index) -> None:
    short = "Engineers closed the Varnholt river bridge on Monday after divers found cracks."
    assert index.find([_article("s1", short), _article("s2", short, hours=1)]) == []
    window = CopyOptions().window_days * 24
    assert index.find([_article("old", WIRE), _article("new", WIRE, hours=window + 1)]) == []


# --- through the pipeline ------------------------------------------------------------------


class BagEncoder:
    """A deterministic stand-in model: hashed bag of words, L2-normalised (384-d)."""

    name = "bag-of-words-test"

    def __init__(self) -> None:
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().replace(".", " ").split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 384] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def _row(slug: str, text: str, *, day: int, outlet: str, title: str) -> dict[str, str]:
    return {"url": f"https://{outlet.lower().replace(' ', '')}.example/{slug}", "title": title,
            "text": text, "published": f"2025-04-{day:02d}T09:00:00+00:00", "outlet": outlet}


def _ingest(db: str, rows: list[dict[str, str]], tmp: Path, name: str
            ) -> tuple[IngestReport, int]:
    """Ingest ``rows`` with a fresh pipeline and a fresh connection (a new process's view)."""
    path = tmp / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    encoder = BagEncoder()
    store = open_store(db, model_name=encoder.name)
    try:
        report = Pipeline(store, settings=Settings(enrich=False), encoder=encoder
                          ).ingest_paths([path])
    finally:
        store.close()
    return report, encoder.texts


def test_copies_persist_across_two_pipeline_runs_on_one_store(tmp_path: Path, new_store_db) -> None:
    db = new_store_db(tmp_path / "copies.db")
    first, _ = _ingest(db, [
        _row("bridge", WIRE, day=7, outlet="Valley Wire", title="Varnholt bridge closed"),
        _row("detours", OTHER_REPORT, day=7, outlet="Holmstad Courier",
             title="Weeks of detours in the valley"),
    ], tmp_path, "first")
    second, embedded = _ingest(db, [
        _row("bridge-copy", WIRE + "\n\nDistributed by Valley Wire.", day=8,
             outlet="Lakeside Herald", title="Cracked piers shut the Varnholt bridge"),
        _row("bridge-repost", WIRE, day=9, outlet="Valley Wire", title="Varnholt bridge shut"),
    ], tmp_path, "second")
    assert first.added == 2 and first.copies == 0
    assert second.added == 2 and second.copies == 2
    assert embedded == 0, "copies skip the model stages"
    store = open_store(db, model_name=BagEncoder.name)
    try:
        stored = {str(a.url).rsplit("/", 1)[-1]: a for a in store.iter_articles()}
        original = stored["bridge"]
        assert stored["bridge-copy"].copy_of == stored["bridge-repost"].copy_of == original.id
        assert stored["bridge-copy"].story_id == stored["bridge-repost"].story_id \
            == original.story_id
        assert stored["detours"].copy_of is None
        story = store.get_story(str(original.story_id))
        assert story.summary.copy_count == 2
        assert story.summary.article_count == sum(1 for a in story.articles if a.copy_of is None)
        # Copies are never members: the assigner never scores an article against them.
        states = store.story_states(0, 2e9, max_members=24)
        members = {m.article_id for s in states for m in s.members}
        assert original.id in members
        assert not members & {stored["bridge-copy"].id, stored["bridge-repost"].id}
        signatures = store.conn.execute("SELECT COUNT(*) FROM article_minhash").fetchone()[0]
        assert signatures == 4
    finally:
        store.close()


def test_copies_of_articles_stored_without_a_signature_are_found(tmp_path: Path,
                                                                 new_store_db) -> None:
    """A store written before migration 0005 has no signatures: the index reads the text."""
    db = new_store_db(tmp_path / "old.db")
    _ingest(db, [_row("bridge", WIRE, day=7, outlet="Valley Wire", title="Bridge closed")],
            tmp_path, "first")
    store = open_store(db)
    store.conn.execute("DELETE FROM article_minhash")
    store.close()
    report, _ = _ingest(db, [_row("copy", WIRE, day=8, outlet="Lakeside Herald",
                                  title="Bridge shut")], tmp_path, "second")
    assert report.copies == 1


# --- how copies are shown --------------------------------------------------------------------


def test_copies_are_shown_once_in_views_and_json(tmp_path: Path, new_store_db) -> None:
    from storyline import serialize
    from storyline.report import render_markdown, render_text
    from storyline.timeline import build_story_view

    db = new_store_db(tmp_path / "views.db")
    _ingest(db, [
        _row("bridge", WIRE, day=7, outlet="Valley Wire", title="Varnholt bridge closed"),
        _row("bridge-copy", WIRE + "\n\nDistributed by Valley Wire.", day=8,
             outlet="Lakeside Herald", title="Cracked piers shut the Varnholt bridge"),
    ], tmp_path, "views")
    store = open_store(db)
    try:
        [summary] = store.list_stories()
        view = build_story_view(store, summary.id)
    finally:
        store.close()
    assert (summary.article_count, summary.copy_count) == (1, 1)
    data = serialize.story_view(view)
    assert data["article_count"] == 1 and data["copy_count"] == 1
    original, copy = data["articles"]
    assert original["copy_of"] is None and original["copy_count"] == 1
    assert copy["copy_of"] == original["id"] and copy["outlet"] == "Lakeside Herald"
    assert data["coverage"]["carried"] == {"Lakeside Herald": [original["id"]]}
    assert "Lakeside Herald" not in data["coverage"]["outlets"]
    assert view.unenriched == [original["id"]]  # enrich=False: the copy is not counted
    text = render_text(view)
    assert "1 copy: Lakeside Herald" in text
    assert "Cracked piers" not in text  # the copy is not listed as a report of its own
    assert "1 copy: Lakeside Herald" in render_markdown(view)


def test_copies_of_another_writers_article_are_found(tmp_path: Path, new_store_db) -> None:
    """Two pipelines on one store (a CLI ingest and the web API): an original the other one
    stored after this one loaded its copy index is still found."""
    db = new_store_db(tmp_path / "shared.db")
    rows = {name: tmp_path / f"{name}.jsonl" for name in ("other", "wire", "copy")}
    for name, row in (
        ("other", _row("detours", OTHER_REPORT, day=6, outlet="Holmstad Courier", title="Detours")),
        ("wire", _row("bridge", WIRE, day=7, outlet="Valley Wire", title="Bridge closed")),
        ("copy", _row("bridge-copy", WIRE, day=8, outlet="Lakeside Herald", title="Bridge shut")),
    ):
        rows[name].write_text(json.dumps(row) + "\n", encoding="utf-8")
    encoder = BagEncoder()
    one, two = (open_store(db, model_name=encoder.name) for _ in range(2))
    try:
        settings = Settings(enrich=False)
        a = Pipeline(one, settings=settings, encoder=encoder)
        b = Pipeline(two, settings=settings, encoder=encoder)
        b.ingest_paths([rows["other"]])  # b's copy index now covers early April
        a.ingest_paths([rows["wire"]])
        assert b.ingest_paths([rows["copy"]]).copies == 1
        stored = {x.url: x for x in one.iter_articles()}
        wire, copy = stored["https://valleywire.example/bridge"], \
            stored["https://lakesideherald.example/bridge-copy"]
        assert copy.copy_of == wire.id and copy.story_id == wire.story_id
    finally:
        one.close()
        two.close()
