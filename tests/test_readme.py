"""README.md's CLI section names every command and subcommand of the click tree."""

from __future__ import annotations

import re
from pathlib import Path

import click

from generator.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands(command: click.Command, path: str) -> list[str]:
    found = [path]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            found += _commands(sub, f"{path} {name}")
    return found


def _cli_section() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## CLI\n(.*?)^## ", text, re.S | re.M)
    assert match, "README.md has no '## CLI' section"
    return match.group(1)


def test_every_command_is_in_the_readme_cli_section() -> None:
    section = _cli_section()
    listed = set()
    for line in section.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "infragen":
            first = words[1]
            listed.add(f"infragen {first}")
            if len(words) >= 3:
                for alt in words[2].split("|"):
                    listed.add(f"infragen {first} {alt}")
    missing = [c for c in _commands(cli, "infragen")[1:] if c not in listed]
    assert not missing, f"README.md '## CLI' does not list: {', '.join(missing)}"
