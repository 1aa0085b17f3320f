"""Golden files: each tests/golden/<case>/input generates exactly tests/golden/<case>/expected.

Update deliberately with `make golden` (pytest --update-golden) and review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import generate

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input").is_dir())


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    source = GOLDEN / case / "input"
    work = tmp_path / case
    shutil.copytree(source, work)
    inputs = set(_tree(work))
    generate(work)
    produced = {path: data for path, data in _tree(work).items() if path not in inputs}
    expected_dir = GOLDEN / case / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, data in produced.items():
            (expected_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / path).write_bytes(data)
    assert expected_dir.is_dir(), f"no expected output for {case}: run make golden"
    expected = _tree(expected_dir)
    assert sorted(produced) == sorted(expected)
    for path, data in expected.items():
        assert produced[path] == data, f"{case}: {path} differs from the golden file"


def test_every_case_is_tested() -> None:
    assert {"minimal", "datastores-consul", "kitchen-sink", "fanout"} <= set(CASES)
