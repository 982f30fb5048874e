"""``storyline annotate``: every fact enrichment finds, with offsets into the clean text.

The articles are ours: a visit announced for "next Thursday" by a named spokesperson (written
on Friday 2025-03-07, so next Thursday is 2025-03-13), the report of that visit a week later,
and a short follow-up that names the minister by her surname only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from storyline.cli import main

pytestmark = pytest.mark.slow

VISIT = {
    "url": "https://harbour-courier.example/2025/03/07/varga-visit",
    "title": "Minister Varga to visit Port Elling ferry terminal",
    "published": "2025-03-07T09:30:00+00:00",
    "outlet": "Harbour Courier",
    "language": "en",
    "text": (
        "Harbour Minister Elena Varga will visit the new ferry terminal in Port Elling next"
        " Thursday, her spokesperson Tomas Brandt said on Friday.\n\n"
        "Brandt said the minister would meet dock workers and members of the harbour council"
        " during the visit. The terminal, built over two years by the Elling Harbour Authority,"
        " cost about 40 million euros.\n\n"
        "The first ferries are expected to sail from the terminal in April, according to the"
        " harbour council."
    ),
}
VISITED = {
    "url": "https://elling-post.example/news/minister-visits-terminal",
    "title": "Minister visits new Port Elling ferry terminal",
    "published": "2025-03-14T17:00:00+00:00",
    "outlet": "Elling Post",
    "language": "en",
    "text": (
        "Harbour Minister Elena Varga visited the new ferry terminal in Port Elling on Thursday,"
        " the Elling Harbour Authority said in a statement.\n\n"
        "Varga cut the ribbon in front of about 300 dock workers and residents. The authority"
        " said the first ferries would leave for the islands in April.\n\n"
        "The terminal replaces a wooden pier that was closed after a storm last October."
    ),
}
FARES = {
    "url": "https://elling-post.example/news/ferry-fares",
    "title": "Ferry fares to rise in May",
    "published": "2025-03-21T08:00:00+00:00",
    "outlet": "Elling Post",
    "language": "en",
    "text": (
        "Varga told reporters on Thursday that ferry fares from the new terminal would rise by"
        " five percent in May, after a year of higher fuel costs.\n\n"
        "Dock workers and island residents have asked the harbour council to keep the old fares"
        " for pensioners and schoolchildren."
    ),
}


def _write(path: Path, *articles: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, str, Path]:
    """One annotate run over two good files, an empty file and a missing one."""
    folder = tmp_path_factory.mktemp("annotate")
    visit = _write(folder / "visit.jsonl", VISIT)
    visited = _write(folder / "visited.jsonl", VISITED)
    empty = folder / "empty.txt"
    empty.write_text("")
    code, out, err = _run("annotate", "--json", str(visit), str(empty),
                          str(folder / "missing.jsonl"), str(visited))  # fmt: skip
    return code, out, err, folder


def _by_url(out: str) -> dict[str, dict[str, Any]]:
    return {item["url"]: item for item in _lines(out)}


def test_annotate_json_lines_one_object_per_article(annotated: tuple[int, str, str, Path]
                                                    ) -> None:  # fmt: skip
    _, out, _, _ = annotated
    items = _lines(out)  # every line parses on its own
    assert [item["url"] for item in items] == [VISIT["url"], VISITED["url"]]  # input order
    for item, given in zip(items, (VISIT, VISITED), strict=True):
        assert item["title"] == given["title"]
        assert item["published"].startswith(given["published"][:10])
        assert item["language"] == "en"
        assert item["text"].startswith(given["text"][:40])
        for key in ("entities", "timexes", "developments", "attributions"):
            assert isinstance(item[key], list) and item[key], key


def test_annotate_every_span_round_trips(annotated: tuple[int, str, str, Path]) -> None:
    _, out, _, _ = annotated
    seen: dict[str, int] = {}

    def check(text: str, span: dict[str, Any] | None, kind: str) -> None:
        if span is None:
            return
        assert text[span["start"]:span["end"]] == span["text"], (kind, span)
        assert span["text"].strip(), (kind, span)
        seen[kind] = seen.get(kind, 0) + 1

    for item in _lines(out):
        text = item["text"]
        for mention in item["entities"]:
            check(text, mention, "entity")
        for mention in item["title_entities"]:
            check(item["title"], mention, "title entity")
        for timex in item["timexes"]:
            check(text, timex, "timex")
        for dev in item["developments"]:
            check(text, dev["trigger"], "trigger")
            check(text, dev["when"], "development date")
            sentence = text[dev["sentence"]["start"]:dev["sentence"]["end"]]
            assert dev["trigger"]["text"] in sentence
        for source in item["attributions"]:
            for part in ("source", "cue", "content"):
                check(text, source[part], part)
    assert set(seen) == {"entity", "title entity", "timex", "trigger", "development date",
                         "source", "cue", "content"}  # fmt: skip


def test_annotate_resolves_weekdays_and_months_against_the_article_date(
    annotated: tuple[int, str, str, Path],
) -> None:
    _, out, _, _ = annotated
    items = _by_url(out)

    def timexes(url: str) -> dict[str, tuple[str, str, str]]:
        return {t["text"]: (t["interval"]["start"], t["interval"]["end"], t["granularity"])
                for t in items[url]["timexes"]}  # fmt: skip

    # Written on Friday 2025-03-07: next Thursday is six days on; April is this year's.
    visit = timexes(VISIT["url"])
    assert visit["next Thursday"] == ("2025-03-13", "2025-03-13", "day")
    assert visit["April"] == ("2025-04-01", "2025-04-30", "month")
    # Written on Friday 2025-03-14 about a past visit: the Thursday before.
    visited = timexes(VISITED["url"])
    assert visited["Thursday"] == ("2025-03-13", "2025-03-13", "day")
    assert visited["last October"] == ("2024-10-01", "2024-10-31", "month")


def test_annotate_attribution_source_cue_and_content(
    annotated: tuple[int, str, str, Path],
) -> None:
    _, out, _, _ = annotated
    item = _by_url(out)[VISIT["url"]]
    first = item["attributions"][0]
    assert (first["kind"], first["name"]) == ("person", "Tomas Brandt")
    assert first["source"]["text"].endswith("Tomas Brandt")
    assert first["cue"]["text"] == "said"
    assert first["content"]["text"] == ("Harbour Minister Elena Varga will visit the new ferry"
                                        " terminal in Port Elling next Thursday")  # fmt: skip
    council = next(a for a in item["attributions"] if a["cue"]["text"] == "according to")
    assert council["kind"] == "institution"
    assert council["source"]["text"] == "the harbour council"
    assert council["content"]["text"] == ("The first ferries are expected to sail from the"
                                          " terminal in April")  # fmt: skip


def test_annotate_development_action_modality_and_participants(
    annotated: tuple[int, str, str, Path],
) -> None:
    _, out, _, _ = annotated
    items = _by_url(out)
    visit = next(d for d in items[VISIT["url"]]["developments"] if d["action"] == "visit")
    assert visit["modality"] == "announced"
    assert visit["trigger"]["text"] == "visit"
    assert visit["when"]["interval"] == {"start": "2025-03-13", "end": "2025-03-13"}
    assert visit["source"] == {"kind": "person", "name": "Tomas Brandt", "citing": None}
    varga = next(m for m in items[VISIT["url"]]["entities"] if m["name"] == "Elena Varga")
    assert {"name": "Elena Varga", "id": varga["id"]} in visit["participants"]
    visited = next(d for d in items[VISITED["url"]]["developments"] if d["action"] == "visit")
    assert visited["modality"] == "happened"
    assert visited["trigger"]["text"] == "visited"
    assert visited["when"]["interval"] == {"start": "2025-03-13", "end": "2025-03-13"}
    # One batch, one identity: the surname alone in the second article is the same person.
    surname = next(m for m in items[VISITED["url"]]["entities"] if m["text"] == "Varga")
    assert (surname["id"], surname["name"]) == (varga["id"], "Elena Varga")


def test_annotate_bad_file_among_good_ones(annotated: tuple[int, str, str, Path]) -> None:
    code, out, err, folder = annotated
    assert code == 1
    assert f"{folder / 'empty.txt'}: file is empty" in err
    assert str(folder / "missing.jsonl") in err
    assert len(_lines(out)) == 2  # the good files on either side were annotated


def test_annotate_text_summary(tmp_path: Path) -> None:
    code, out, err = _run("annotate", str(_write(tmp_path / "visit.jsonl", VISIT)))
    assert code == 0, err
    assert "Tomas Brandt [person," in out
    assert "“next Thursday” → 2025-03-13 (day)" in out
    assert "visit (announced)" in out


def test_annotate_never_writes_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    fares = _write(tmp_path / "fares.jsonl", FARES)
    # Without --db nothing is created (not even the default ./storyline.db).
    code, out, err = _run("annotate", "--json", str(fares))
    assert code == 0, err
    alone = _lines(out)[0]
    assert not (tmp_path / "storyline.db").exists()
    surname = next(m for m in alone["entities"] if m["text"] == "Varga")
    assert surname["name"] == "Varga"  # nothing in the batch says who she is

    db = tmp_path / "store.db"
    code, _, err = _run("--db", str(db), "ingest", "--no-progress",
                        str(_write(tmp_path / "visit.jsonl", VISIT)))  # fmt: skip
    assert code == 0, err
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    code, out, err = _run("--db", str(db), "annotate", "--json", str(fares))
    assert code == 0, err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    # Resolved against the store: the surname is the stored Elena Varga.
    from storyline.store import open_store

    with open_store(db) as store:
        stored = store.find_entities("Elena Varga")
        assert store.counts()["articles"] == 1
    resolved = next(m for m in _lines(out)[0]["entities"] if m["text"] == "Varga")
    assert (resolved["id"], resolved["name"]) == (stored[0].id, "Elena Varga")


def test_annotate_refuses_a_missing_store(tmp_path: Path) -> None:
    fares = _write(tmp_path / "fares.jsonl", FARES)
    code, _, err = _run("--db", str(tmp_path / "nowhere.db"), "annotate", str(fares))
    assert code == 2 and "no store at" in err
    assert not (tmp_path / "nowhere.db").exists()


def test_annotate_same_article_twice_is_annotated_once(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.jsonl", VISIT)
    again = _write(tmp_path / "b.jsonl", VISIT)
    code, out, err = _run("annotate", "--json", str(first), str(again))
    assert code == 0, err
    assert [item["source"] for item in _lines(out)] == [f"{first}:1"]
    assert f"duplicate: {again}:1 is the same article as {first}:1" in err
