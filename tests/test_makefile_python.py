"""`make` finds a Python >= 3.11 by itself (python3.14 ... python3.11, then python3) and says
clearly when there is none; PYTHON= still wins. Fake interpreters on a PATH of their own answer
the Makefile's version probe; `make -n` shows which one would create the virtualenv."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make NOT on PATH: the Makefile's Python choice is not checked")


def shims(tmp_path: Path, versions: dict[str, tuple[int, int]]) -> Path:
    """A directory of fake interpreters: each exits like `sys.exit(sys.version_info < (3, 11))`."""
    directory = tmp_path / "bin"
    directory.mkdir()
    for name, version in versions.items():
        script = directory / name
        script.write_text(f"#!/bin/sh\nexit {1 if version < (3, 11) else 0}\n", encoding="utf-8")
        script.chmod(0o755)
    return directory


def make_venv(tmp_path: Path, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert MAKE is not None
    return subprocess.run(
        [MAKE, "-n", "-f", str(REPO / "Makefile"), "venv", f"VENV={tmp_path / 'venv'}", *extra],
        cwd=REPO,
        env={"PATH": str(path), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("versions", "chosen"),
    [
        ({"python3": (3, 9), "python3.12": (3, 12)}, "python3.12"),
        ({"python3": (3, 13)}, "python3"),
        ({"python3": (3, 12), "python3.11": (3, 11), "python3.13": (3, 13)}, "python3.13"),
        ({"python3.11": (3, 11), "python3": (3, 8)}, "python3.11"),
    ],
)
def test_the_first_new_enough_python_creates_the_virtualenv(
    tmp_path: Path, versions: dict[str, tuple[int, int]], chosen: str
) -> None:
    result = make_venv(tmp_path, shims(tmp_path, versions))
    assert result.returncode == 0, result.stderr
    assert f"|| {chosen} -m venv {tmp_path / 'venv'}" in result.stdout


def test_no_new_enough_python_is_a_clear_error(tmp_path: Path) -> None:
    result = make_venv(tmp_path, shims(tmp_path, {"python3": (3, 10), "python3.10": (3, 10)}))
    assert result.returncode != 0
    assert "infragen needs Python 3.11 or newer" in result.stderr
    assert "make PYTHON=/path/to/python3.11+" in result.stderr


def test_python_on_the_command_line_wins(tmp_path: Path) -> None:
    result = make_venv(tmp_path, shims(tmp_path, {"python3.12": (3, 12)}), "PYTHON=/opt/py/bin/python3")
    assert result.returncode == 0, result.stderr
    assert "|| /opt/py/bin/python3 -m venv" in result.stdout
