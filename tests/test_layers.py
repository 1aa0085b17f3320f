"""The stages stay layered: `lint-imports` (import-linter) with the contracts in pyproject.toml
(`stages`: the layers below; `acyclic`: no import cycle between the modules of one stage).

cli > tools | deploy > api > write > render > plan > spec : datastores > hcl | errors | package
(docs/design.md, "The pipeline and the cache"). `make lint` runs the same check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import REPO


def _contract() -> dict[str, object]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["id"] == "stages")


def _lint_imports() -> list[str]:
    script = Path(sys.executable).parent / "lint-imports"
    if script.is_file():
        return [str(script)]
    found = shutil.which("lint-imports")
    assert found, "import-linter is not installed: pip install -e '.[dev]'"
    return [found]


def test_the_stages_import_only_the_layers_below_them_and_have_no_cycles() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [*_lint_imports(), "--no-cache", "--no-logo", str(REPO / "pyproject.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout


def test_every_module_of_the_package_is_in_a_layer() -> None:
    """A new subpackage or top-level module must be placed in the contract, not escape it."""
    layers = _contract()["layers"]
    assert isinstance(layers, list)
    named = {m.strip() for layer in layers for part in layer.split("|") for m in part.split(":")}
    package = REPO / "generator"
    modules = {f"generator.{p.name}" for p in package.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    modules |= {f"generator.{p.stem}" for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert modules - named == set(), "add these to the layers of [tool.importlinter] in pyproject.toml"
    assert named - modules == set()
