"""Input files are plain files of the repository. Atlantis runs `infragen gen --check` on a pull
request's checkout before anyone reviewed it: a service file that is a symbolic link would make the
gate read a file of the server (its keys end up in the PR comment's messages) or a device
(/dev/zero: the gate reads until the server runs out of memory)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import copy_inputs, run_cli

ENV_FILE = "services/demo-service/environments/staging.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_inputs(tmp_path / "repo")
    (root / ENV_FILE).parent.mkdir(parents=True, exist_ok=True)
    return root


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "server" / "config.yaml"
    secret.parent.mkdir()
    secret.write_text("gh-token: not-a-real-token\nvariables:\n  LOG_LEVEL: debug\n")
    return secret


def test_a_symlinked_environment_file_is_refused(repo: Path, tmp_path: Path) -> None:
    os.symlink(_outside(tmp_path), repo / ENV_FILE)
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert f"{ENV_FILE}:1:1: is a symbolic link: input files are plain files of the repository" in result.stderr
    assert "gh-token" not in result.stderr


def test_a_device_is_refused_without_reading_it(repo: Path) -> None:
    os.symlink("/dev/zero", repo / ENV_FILE)
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert f"{ENV_FILE}:1:1: is a symbolic link" in result.stderr


def test_a_symlinked_service_folder_is_refused(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "environments").mkdir(parents=True)
    (elsewhere / "service.yaml").write_text((repo / "services/demo-service/service.yaml").read_text())
    (repo / "services/demo-service/service.yaml").unlink()
    (repo / "services/demo-service/environments").rmdir()
    (repo / "services/demo-service").rmdir()
    os.symlink(elsewhere, repo / "services/demo-service")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert "services/demo-service/service.yaml:1:1: is a symbolic link (services/demo-service)" in result.stderr


def test_a_symlinked_environments_folder_is_refused(repo: Path, tmp_path: Path) -> None:
    (repo / ENV_FILE).parent.rmdir()
    os.symlink(_outside(tmp_path).parent, repo / ENV_FILE.rsplit("/", 1)[0])
    (tmp_path / "server" / "staging.yaml").write_text("variables:\n  LOG_LEVEL: debug\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert f"{ENV_FILE}:1:1: is a symbolic link (services/demo-service/environments)" in result.stderr


def test_plain_files_pass(repo: Path) -> None:
    (repo / ENV_FILE).write_text("variables:\n  LOG_LEVEL: debug\n")
    assert run_cli("validate", "--root", str(repo)).code == 0


def test_a_yaml_alias_is_refused(repo: Path) -> None:
    # an anchor and aliases of it, nine levels deep: a billion values from a 1 kB file (the gate
    # walked each one for its position until memory ran out)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (repo / ENV_FILE).write_text("\n".join(lines) + "\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert f"{ENV_FILE}:2:5: a1[0]: a YAML alias (*name) repeats a value written elsewhere" in result.stderr
    assert "MemoryError" not in result.stderr


def test_an_alias_in_a_list_is_refused(repo: Path) -> None:
    (repo / ENV_FILE).write_text("variables: &vars\n  LOG_LEVEL: debug\nnotSecrets:\n  - *vars\n")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert f"{ENV_FILE}:4:3: notSecrets[0]: a YAML alias (*name) repeats a value" in result.stderr
