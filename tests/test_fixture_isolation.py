"""The tool's tests never read the organization's data (the live services/, accounts/, teams.yaml
and the files generated from them): they read tests/fixtures/org, golden cases or their own
fixtures. A service owner's pull request changes that data, and it must not turn them red."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
LIVE = {"services", "accounts", "teams.yaml", "atlantis.yaml", "CODEOWNERS"}
MODEL_READERS = {"validate", "load_repo", "read_repo", "roots", "explain", "resolve", "outputs", "projects"}
# the names tests give the repository's root (the tool); ORG is the fixture organization
REPO_NAMES = {"REPO"}


def _live_reads(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left, right = node.left, node.right
            if isinstance(left, ast.Name) and left.id in REPO_NAMES and isinstance(right, ast.Constant):
                first = str(right.value).split("/")[0]
                if first in LIVE:
                    found.append((node.lineno, f"REPO / {right.value!r}"))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in MODEL_READERS and any(isinstance(a, ast.Name) and a.id in REPO_NAMES for a in node.args):
                found.append((node.lineno, f"{name}(REPO, ...)"))
    return sorted(found)


FILES = sorted(p for p in [*TESTS.glob("*.py"), *TESTS.glob("e2e/*.py")] if p.name != Path(__file__).name)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(TESTS).as_posix())
def test_no_test_reads_the_live_organization(path: Path) -> None:
    reads = _live_reads(ast.parse(path.read_text(encoding="utf-8")))
    assert not reads, f"{path.name} reads the live repository's data: {reads}; use conftest.ORG or copy_inputs()"


def test_the_detector_sees_a_live_read() -> None:
    sample = 'x = REPO / "services" / "bpg"\ny = validate(REPO)\nz = ORG / "services"\nw = REPO / "modules"\n'
    assert [line for line, _ in _live_reads(ast.parse(sample))] == [1, 2]
