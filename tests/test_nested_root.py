"""The staleness gate checks the whole repository, wherever Atlantis runs it."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO, copy_inputs, run_cli

from generator.api import generate

PROJECT_DIR = "accounts/staging/services/bpg"


def _git_repo(tmp_path: Path) -> Path:
    root = copy_inputs(tmp_path / "repo")
    generate(root, check=False)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _gate_step() -> str:
    steps = yaml.safe_load((REPO / "docs/atlantis/repos.yaml").read_text())["workflows"]["infragen"]["plan"]["steps"]
    command: str = steps[0]["run"]
    return command


def _run_gate(root: Path) -> subprocess.CompletedProcess[str]:
    """The server-side step as Atlantis runs it: `sh -c` in the project dir with DIR and REPO_REL_DIR."""
    step = _gate_step().replace("infragen ", f"{shlex.quote(sys.executable)} -m generator.cli ", 1)
    env = {**os.environ, "DIR": str(root / PROJECT_DIR), "REPO_REL_DIR": PROJECT_DIR, "NO_COLOR": "1"}
    return subprocess.run(["sh", "-c", step], cwd=root / PROJECT_DIR, env=env, capture_output=True, text=True)


def test_the_gate_step_passes_the_repository_root(tmp_path: Path) -> None:
    root = _git_repo(tmp_path)
    assert "--root" in _gate_step()
    ok = _run_gate(root)
    assert ok.returncode == 0, ok.stderr
    # a stale file outside the project directory fails the gate run from inside it
    with (root / "accounts/production/services/core/main.tf").open("a") as f:
        f.write("# edited by hand\n")
    stale = _run_gate(root)
    assert stale.returncode == 1
    assert "accounts/production/services/core/main.tf" in stale.stdout


def test_a_teams_yaml_planted_in_a_project_dir_does_not_narrow_the_gate(tmp_path: Path) -> None:
    root = _git_repo(tmp_path)
    (root / PROJECT_DIR / "teams.yaml").write_text((root / "teams.yaml").read_text())
    with (root / "accounts/production/services/core/main.tf").open("a") as f:
        f.write("# edited by hand\n")
    gate = _run_gate(root)
    assert gate.returncode == 1  # still checks the whole repository
    # run from the project dir without --root, infragen refuses the planted root
    nested = run_cli("gen", "--check", cwd=root / PROJECT_DIR)
    assert nested.code == 1
    assert "is inside accounts/ of the git work tree" in nested.stderr
    assert f"pass --root {root}" in nested.stderr
    assert "Traceback" not in nested.stderr


def test_a_root_nested_in_the_spec_folder_is_refused(tmp_path: Path) -> None:
    root = _git_repo(tmp_path)
    nested = root / "services" / "bpg"
    (nested / "teams.yaml").write_text((root / "teams.yaml").read_text())
    result = run_cli("gen", "--check", "--root", str(nested))
    assert result.code == 1
    assert f"{nested / 'teams.yaml'} is inside services/ of the git work tree {root}" in result.stderr


def test_an_explicit_root_without_teams_yaml_is_refused(tmp_path: Path) -> None:
    root = _git_repo(tmp_path)
    result = run_cli("gen", "--check", "--root", str(root / PROJECT_DIR))
    assert result.code == 1
    assert "no teams.yaml there; pass the repository's top directory" in result.stderr


def test_a_repository_copied_without_git_still_works_from_a_subdirectory(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    generate(root, check=False)
    assert run_cli("gen", "--check", cwd=root / PROJECT_DIR).code == 0
