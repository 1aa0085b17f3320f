"""Edits of a copied fixture's input files, where a problem lands, and the lines a regeneration
changed, shared by the tests that change one spec and read the result (test_worker, test_job,
test_ownership_cost, test_database_backups, test_health_check, test_listener_conditions)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from conftest import run_cli

from generator.errors import Problem, SpecError
from generator.spec.load import load_repo
from generator.spec.naming import CHECKSUM_PREFIX


def edit(root: Path, path: str, old: str, new: str) -> None:
    """Replace the first ``old`` in ``root/path`` by ``new``; ``old`` must be there."""
    target = root / path
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> list[Problem]:
    """The problems loading ``root`` reports (it must fail)."""
    with pytest.raises(SpecError) as caught:
        load_repo(root)
    return list(caught.value.problems)


def line_of(root: Path, path: str, text: str) -> int:
    """The first line of ``root/path`` that contains ``text`` (1-based)."""
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def gen(root: Path) -> None:
    """`infragen gen --root root`, which must succeed."""
    result = run_cli("gen", "--root", str(root))
    assert result.code == 0, result.stderr + result.stdout


def line_diff(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """(removed, added) lines between two versions of a generated file, its checksum line aside."""
    removed, added = [], []
    for line in difflib.ndiff(before.decode().splitlines(), after.decode().splitlines()):
        if line[2:].startswith(CHECKSUM_PREFIX):
            continue
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added
