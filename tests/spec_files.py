"""Edits of a copied fixture's input files and where a problem lands, shared by the tests that
change one spec and read the validation result (test_worker, test_job, test_ownership_cost)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import Problem, SpecError
from generator.spec.load import load_repo


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
