"""Shared fixtures: the example repository, copies of it, and the CLI."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The tool's own organization: a frozen repository (inputs and generated outputs; `modules` links
# to the real modules) that the tests read instead of the live services/, accounts/ and teams.yaml,
# which belong to whoever uses this repository. `make golden` regenerates its outputs.
ORG = REPO / "tests" / "fixtures" / "org"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/*/expected from the current generator instead of comparing.",
    )


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def copy_inputs(dest: Path, *, outputs: bool = False) -> Path:
    """Copy the fixture organization's inputs (and, with ``outputs``, its generated files) to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ORG / "teams.yaml", dest / "teams.yaml")
    shutil.copytree(ORG / "services", dest / "services", symlinks=True)
    # modules are inputs too: atlantis.yaml lists every module a root reaches
    shutil.copytree(
        REPO / "modules", dest / "modules", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"), symlinks=True
    )
    for account in sorted((ORG / "accounts").iterdir()):
        if (account / "account.yaml").is_file():
            (dest / "accounts" / account.name).mkdir(parents=True)
            shutil.copy2(account / "account.yaml", dest / "accounts" / account.name / "account.yaml")
    if outputs:
        for name in ("atlantis.yaml", "CODEOWNERS", ".github/workflows/drift.yml"):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ORG / name, dest / name)
        for account in sorted((ORG / "accounts").iterdir()):
            for kind in ("services", "teams"):  # service roots and the teams' alerts roots
                if (account / kind).is_dir():
                    shutil.copytree(account / kind, dest / "accounts" / account.name / kind, symlinks=True)
            if (account / "listener-priorities.yaml").is_file():
                shutil.copy2(account / "listener-priorities.yaml", dest / "accounts" / account.name)
    return dest


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the fixture organization's inputs, with no generated files."""
    return copy_inputs(tmp_path / "repo")


@pytest.fixture
def stamped(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example repository, generated until consistent (its no-op stamp recorded), with a stamp
    folder of its own and no settle delay."""
    from generator import api
    from generator.write import stamp

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("INFRAGEN_NO_STAMP", raising=False)
    monkeypatch.setattr(stamp, "SETTLE_NS", 0)
    api.generate(example)
    api.generate(example)  # consistent now: records the stamp
    return example


def loading_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any load of the repository fail the test: what must be answered by a stamp alone."""

    def fail(root: Path) -> None:
        raise AssertionError("the repository was loaded")

    monkeypatch.setattr("generator.spec.load.load_repo", fail)  # api imports it after the stamp check


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> CliResult:
    """Run the real `infragen` entry point in a subprocess (so tracebacks would show)."""
    proc = subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=cwd or ORG,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "NO_COLOR": "1"},
        timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


def hashes(root: Path) -> dict[str, str]:
    """Every file under ``root`` (hidden folders included) by its sha256."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def gen_refuses(root: Path, *expected: str) -> CliResult:
    """`infragen gen` through the entry point refuses ``root``: exit 1, no traceback, each of
    ``expected`` in the message, and not one file under ``root`` written, touched or removed."""
    before = snapshot(root)
    result = run_cli("gen", "--root", str(root))
    assert result.code == 1, result
    assert "Traceback" not in result.stderr, result
    for text in expected:
        assert text in result.stderr, (text, result)
    assert snapshot(root) == before
    return result


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` with its bytes and mtime, to prove nothing changed."""
    result = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            result[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return result
