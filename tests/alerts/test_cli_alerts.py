"""The CLI's follows and alerts: ``follow story|entity|query``, ``follows``, ``unfollow`` and
``alerts``, with an ``ingest`` in between (the CLI's own ingest path records alerts too)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from storyline.cli import main


@pytest.fixture()
def cli(db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Any]:
    monkeypatch.chdir(tmp_path)  # no storyline.toml from elsewhere
    monkeypatch.setenv("STORYLINE_WORKERS", "1")
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(main, ["--db", str(db), *args], catch_exceptions=False)

    return run


def test_cli_follow_ingest_alerts_unfollow(cli: Callable[..., Any], base_store: Any,
                                           tmp_path: Path,
                                           articles: dict[str, dict[str, Any]]) -> None:
    result = cli("follow", "story", base_store.story_id[:6])
    assert result.exit_code == 0, result.output
    assert "following story 'Valdoran minister expected to visit Orsk in June'" \
        in result.output
    assert cli("follow", "entity", "Teodor Kasprzak").exit_code == 0
    assert cli("follow", "query", "gas", "pipeline").exit_code == 0
    listed = json.loads(cli("follows", "--json").output)
    assert [(f["kind"], f["target"], f["alerts"]) for f in listed] == [
        ("story", base_store.story_id, 0), ("entity", "Teodor Kasprzak", 0),
        ("query", "gas pipeline", 0)]
    assert "nothing" not in cli("follows").output
    # Errors are usage errors (2), with a message.
    for args in (("follow", "entity", "Nobody Atall"), ("follow", "story", "zz"),
                 ("follow", "query", "?!"), ("unfollow", "fzzzzzz"),
                 ("alerts", "--follow", "fzzzzzz")):
        failed = cli(*args)
        assert failed.exit_code == 2 and "error:" in failed.output, (args, failed.output)
    source = tmp_path / "announced.jsonl"
    source.write_text(json.dumps(articles["announced"]) + "\n", encoding="utf-8")
    ingested = cli("ingest", "--no-progress", str(source))
    assert ingested.exit_code == 0, ingested.output
    shown = cli("alerts").output
    assert "UPDATE   visit" in shown and "announced; event date 2024-06-06..2024-06-07" in shown
    assert "Kasprzak to visit Orsk on Thursday, ministry announces" in shown
    alerts = json.loads(cli("alerts", "--json").output)
    assert len(alerts) == 3 and {a["follow_id"] for a in alerts} == {f["id"] for f in listed}
    story_follow = listed[0]["id"]
    only = json.loads(cli("alerts", "--json", "--follow", story_follow[:6]).output)
    assert [a["kind"] for a in only] == ["development"]
    removed = cli("unfollow", story_follow[:6])
    assert removed.exit_code == 0 and "no longer following story" in removed.output
    assert len(json.loads(cli("follows", "--json").output)) == 2
    assert len(json.loads(cli("alerts", "--json").output)) == 2
