"""A root that would call a module folder the repository does not have is refused by `gen`, with
nothing written: before, `gen` wrote the call and dropped the module from atlantis.yaml's triggers,
and only Terraform's `init` on the pull request noticed (a datastore kind registered before its
module was written; a copy that broke the `modules` symbolic link of tests/fixtures/org)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import ORG, copy_inputs, run_cli


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith("modules/")
    }


def test_a_missing_module_folder_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo", outputs=True)
    shutil.move(repo / "modules" / "platform" / "queue", tmp_path / "queue")
    before = _tree(repo)
    result = run_cli("gen", "--root", str(repo))
    assert result.code == 1
    assert (
        "accounts/production/services/bpg/ calls modules/platform/queue/, which does not exist: "
        "write the module (docs/platform-cookbook.md) or fix the source"
    ) in result.stderr
    assert "Traceback" not in result.stderr
    assert _tree(repo) == before, "nothing written"
    assert run_cli("gen", "--check", "--root", str(repo)).code == 1


def test_a_module_calling_a_missing_module_is_named(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo", outputs=True)
    shutil.move(repo / "modules" / "aws" / "sqs", tmp_path / "sqs")  # called by modules/platform/queue
    result = run_cli("gen", "--root", str(repo))
    assert result.code == 1
    assert "modules/platform/queue/ calls modules/aws/sqs/, which does not exist" in result.stderr


def test_a_copy_with_a_broken_modules_link_says_so(tmp_path: Path) -> None:
    """tests/fixtures/org/modules is a relative symbolic link: `cp -r` keeps it, broken."""
    repo = tmp_path / "org"
    shutil.copytree(ORG, repo, symlinks=True)
    assert (repo / "modules").is_symlink() and not (repo / "modules").exists()
    result = run_cli("gen", "--root", str(repo))
    assert result.code == 1
    assert f"modules is a symbolic link to {os.readlink(repo / 'modules')}, which does not exist" in result.stderr
    assert "cp -rL" in result.stderr


def test_a_repository_without_modules_is_not_checked(tmp_path: Path) -> None:
    """Roots whose modules live elsewhere (no modules/ folder at all): generated as before."""
    repo = copy_inputs(tmp_path / "repo")
    shutil.rmtree(repo / "modules")
    result = run_cli("gen", "--root", str(repo))
    assert result.code == 0, result.stderr
