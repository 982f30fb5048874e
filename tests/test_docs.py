"""Docs checked by tests: every CLI command and setting appears in the README."""

from __future__ import annotations

from pathlib import Path

import click

from storyline.cli import main
from storyline.config import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(f"{prefix}{name}")
        if isinstance(command, click.Group):
            names.extend(_commands(command, f"{prefix}{name} "))
    return names


def test_docs_every_cli_command_is_in_the_readme() -> None:
    missing = [c for c in _commands(main) if f"storyline {c}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_docs_every_setting_is_in_the_readme() -> None:
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in README]
    assert not missing, f"settings missing from README.md: {missing}"
