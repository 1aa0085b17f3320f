"""README.md's CLI section names every command and subcommand of the click tree, each with its options."""

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


def _entries(section: str) -> dict[str, str]:
    """Each command's README text: the lines that start with `infragen <command>` and the indented
    lines that continue them, by command path (`infragen service logs`)."""
    found: dict[str, str] = {}
    current: list[str] = []
    for line in section.splitlines():
        words = line.split()
        if words[:1] == ["infragen"] and len(words) >= 2:
            paths = [f"infragen {words[1]}"]
            if len(words) >= 3 and not words[2].startswith(("-", "[")):
                paths += [f"infragen {words[1]} {alt}" for alt in words[2].split("|")]
            current = paths
            for path in paths:
                found[path] = found.get(path, "") + line + "\n"
        elif line.startswith(" ") and current:
            for path in current:
                found[path] += line + "\n"
        else:
            current = []
    return found


def test_every_option_and_choice_is_in_its_readme_entry() -> None:
    """The CLI block is the reference a user reads: each command's options (`--root` is stated once
    above it) and each choice of an option, in that command's own entry."""
    entries = _entries(_cli_section())
    missing = []
    for path in _commands(cli, "infragen")[1:]:
        command = cli
        for name in path.split()[1:]:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        if isinstance(command, click.Group):
            continue
        text = entries.get(path, "")
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            names = [n for n in param.opts if n.startswith("--")]
            if "--help" in names or "--root" in names:
                continue
            if not any(re.search(rf"{re.escape(n)}\b", text) for n in names):
                missing.append(f"{path} {names[0]}")
            if isinstance(param.type, click.Choice):
                missing += [f"{path} {names[0]} {c}" for c in param.type.choices if str(c) not in text]
    assert not missing, f"README.md '## CLI' entries lack: {', '.join(missing)}"
