"""The place-name table kept in Storyline's cache folder (``enrich/gazetteer.py``): the same
table as a fresh build, rebuilt when the file is damaged, and never needed to look up."""

from __future__ import annotations

from storyline.enrich import gazetteer


def test_gazetteer_cache_gives_the_built_table_and_survives_damage(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STORYLINE_CACHE_DIR", str(tmp_path))
    built = gazetteer._build()
    first = gazetteer._cached_table()  # builds and keeps it
    (kept,) = tmp_path.glob("gazetteer-*.pickle")
    assert first == built
    again = gazetteer._cached_table()  # read back from the file
    assert again == built and again["pekín"] == gazetteer.Place("Beijing", "city",
                                                                built["pekín"].population)
    kept.write_bytes(kept.read_bytes()[:1000])  # cut short, as by a full disk
    assert gazetteer._cached_table() == built
    assert gazetteer._cached_table() == built  # and written whole again


def test_gazetteer_cache_unwritable_folder_still_gives_the_table(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("STORYLINE_CACHE_DIR", str(blocker / "cache"))
    table = gazetteer._cached_table()
    assert table["russland"].name == "Russia" and table["russland"].kind == "country"
