"""The CLI: exit codes, machine-readable output shapes, research commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline.cli import main

pytestmark = pytest.mark.slow

BODY = (
    "Firefighters spent the night fighting a blaze in a grain warehouse at the north pier, "
    "and the harbour master closed two berths while crews cooled the walls."
)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_ingest_stories_show_json_shapes(tmp_path: Path, seeds_dir: Path, new_store_db
                                             ) -> None:
    db = new_store_db(tmp_path / "cli.db")
    code, out, _ = _run("--db", db, "ingest", "--no-progress", str(seeds_dir))
    assert code == 0 and "added 2, duplicates 0, rejected 0" in out
    code, out, _ = _run("--db", db, "stories", "--json")
    stories = json.loads(out)
    assert code == 0 and len(stories) == 1
    story = stories[0]
    assert set(story) >= {
        "id",
        "title",
        "article_count",
        "outlets",
        "first_published",
        "last_published",
    }
    assert story["outlets"] == ["The Kyiv Independent", "The Moscow Times"]
    assert story["first_published"].startswith("2024-03-19")
    code, out, _ = _run("--db", db, "show", story["id"], "--json")
    detail = json.loads(out)
    assert [a["published"][:10] for a in detail["articles"]] == ["2024-03-19", "2024-05-14"]
    assert set(detail["articles"][0]) >= {"id", "title", "outlet", "published", "url"}
    code, out, _ = _run("--db", db, "show", story["id"])
    assert "2024-03-19  The Kyiv Independent" in out
    assert _run("--db", db, "stories", "--since", "2024-06-01", "--json")[1].strip() == "[]"


def test_cli_exit_codes(tmp_path: Path, new_store_db) -> None:
    db = new_store_db(tmp_path / "codes.db")
    (tmp_path / "empty.txt").write_text("")
    code, out, err = _run("--db", db, "ingest", "--no-progress", str(tmp_path / "empty.txt"))
    assert code == 1 and "rejected 1" in out and "file is empty" in err
    assert _run("--db", db, "show", "no-such-story")[0] == 2
    assert _run("--db", db, "stories", "--since", "yesterday-ish")[0] == 2
    assert _run("--db", db, "frobnicate")[0] == 2


def test_cli_cluster_and_score_pairs(tmp_path: Path) -> None:
    fire = {
        "title": "Grain warehouse fire at north pier",
        "text": BODY,
        "published": "2025-01-05T08:00:00Z",
    }
    fire2 = {
        "title": "Blaze closes two berths at the harbour",
        "text": "Crews cooled the walls of a burning grain warehouse on the north pier "
        "overnight, and two berths stayed closed, the harbour master said.",
        "published": "2025-01-05T11:00:00Z",
    }
    vote = {
        "title": "Assembly delays budget vote",
        "text": "The regional assembly postponed its budget vote by three weeks after "
        "the finance committee asked for new revenue estimates from the treasury.",
        "published": "2025-01-05T09:00:00Z",
    }
    infile = tmp_path / "in.jsonl"
    infile.write_text(
        "\n".join(json.dumps({"id": i, **a}) for i, a in enumerate([fire, vote, fire2]))
        + "\n{broken\n"
    )
    code, out, err = _run("cluster", str(infile))
    assert code == 1 and "invalid JSON" in err
    rows = [json.loads(line) for line in out.strip().splitlines()]
    story = {r["id"]: r["story"] for r in rows}
    assert story[0] == story[2] != story[1]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps({"pair_id": "same", "a": fire, "b": fire2})
        + "\n"
        + json.dumps({"pair_id": "diff", "a": fire, "b": vote})
        + "\n"
    )
    code, out, _ = _run("score-pairs", str(pairs))
    scores = {r["pair_id"]: r["score"] for r in map(json.loads, out.strip().splitlines())}
    assert code == 0 and 0 <= scores["diff"] < scores["same"] <= 1


def test_cli_why_explains_the_seeds_join(tmp_path: Path, seeds_dir: Path, new_store_db) -> None:
    db = new_store_db(tmp_path / "why.db")
    assert _run("--db", db, "ingest", "--no-progress", str(seeds_dir))[0] == 0
    story = json.loads(_run("--db", db, "stories", "--json")[1])[0]
    first, second = (a["id"] for a in json.loads(_run("--db", db, "show", story["id"],
                                                       "--json")[1])["articles"])
    code, out, _ = _run("--db", db, "why", second[:6])  # a unique prefix is enough
    assert code == 0, out
    assert f"Story {story['id']}" in out and "Joined this story" in out
    assert first in out and "vladimir putin" in out
    code, out, _ = _run("--db", db, "why", second, "--json")
    body = json.loads(out)
    assert code == 0 and body["outcome"] == "joined" and body["story"]["id"] == story["id"]
    assert body["score"] >= body["threshold"]
    assert body["best_match"]["article"]["id"] == first
    assert set(body["best_match"]["shared"]) >= {"people", "orgs", "places", "numbers",
                                                 "years", "terms"}
    assert json.loads(_run("--db", db, "why", first, "--json")[1])["outcome"] == "started"
    code, _, err = _run("--db", db, "why", "no-such-article")
    assert code == 2 and "no article with id 'no-such-article'" in err


def test_cli_cluster_threshold_setting(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["settings"], env={"STORYLINE_CLUSTER_THRESHOLD": "0.6"})
    assert result.exit_code == 0 and "cluster_threshold = 0.6" in result.stdout
    assert "cluster_threshold = None" in _run("settings")[1]
    result = CliRunner().invoke(main, ["settings"], env={"STORYLINE_CLUSTER_THRESHOLD": "1.5"})
    assert result.exit_code == 2
    assert "'cluster_threshold'" in result.stderr and "between 0 and 1" in result.stderr
