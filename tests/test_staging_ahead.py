"""A run without caches writes new files ahead (generator.write.apply.Staging): the processes that
render the roots write each file that is not on disk into .infragen-staging/ at its own path, and
the write step moves them into place, a folder that is not in the tree yet as a whole. The output
is the tree every other run writes; crash safety and rejected repositories are in
tests/test_crash_safety.py."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import copy_inputs, hashes

from generator import api
from generator.write import apply as write


def test_new_folders_move_whole_and_files_into_folders_that_exist(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "accounts/dev/services/old").mkdir(parents=True)
    staging = write.Staging.open(root)
    staged = [
        "accounts/dev/services/new/main.tf",
        "accounts/dev/services/new/outputs.tf",
        "accounts/dev/services/old/extra.tf",  # its folder is in the tree: moved alone
        "accounts/prod/services/x/main.tf",  # accounts/prod is not, but another file goes below it
        "accounts/prod/services/y/main.tf",
        "accounts/qa/services/z/main.tf",  # nothing else below accounts/qa: moved whole
    ]
    others = ["accounts/dev/listener-priorities.yaml", "accounts/prod/teams/t/main.tf", "atlantis.yaml"]
    tops, singles = staging.moves(os.fspath(root), staged, others)
    assert tops == ["accounts/dev/services/new", "accounts/prod/services", "accounts/qa"]
    assert singles == ["accounts/dev/services/old/extra.tf"]
    staging.close()
    assert not (root / write.STAGING).exists()


@pytest.fixture
def expected(tmp_path: Path) -> dict[str, str]:
    """The fixture organization generated the usual way (caches on: nothing written ahead)."""
    root = copy_inputs(tmp_path / "usual")
    api.generate(root)
    return hashes(root)


def test_a_first_generation_moves_one_folder_per_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expected: dict[str, str]
) -> None:
    monkeypatch.setenv("INFRAGEN_NO_CACHE", "1")
    root = copy_inputs(tmp_path / "ahead")
    moved: list[str] = []
    real = write._move_folder

    def recording(source: str, target: str) -> None:
        moved.append(os.path.relpath(target, root))
        real(source, target)

    monkeypatch.setattr(write, "_move_folder", recording)
    api.generate(root)
    envs = sorted(p.name for p in (root / "accounts").iterdir() if (p / "account.yaml").is_file())
    assert sorted(moved) == [f"accounts/{env}/services" for env in envs]
    assert hashes(root) == expected
    assert not (root / write.STAGING).exists()


def test_across_file_systems_the_files_are_copied_into_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expected: dict[str, str]
) -> None:
    """A tree whose folders are on another file system than the staging folder (a symlinked
    accounts/): every rename out of the staging folder fails with EXDEV, and the files are copied
    beside their targets and renamed instead."""
    monkeypatch.setenv("INFRAGEN_NO_CACHE", "1")
    root = copy_inputs(tmp_path / "cross")
    staging = f"{os.fspath(root)}/{write.STAGING}/"
    real_rename, real_replace = os.rename, os.replace
    refused: list[str] = []

    def cross(real):  # type: ignore[no-untyped-def]
        def move(source: str, target: str) -> None:
            if os.fspath(source).startswith(staging):
                refused.append(os.fspath(source))
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            real(source, target)

        return move

    monkeypatch.setattr(write.os, "rename", cross(real_rename))
    monkeypatch.setattr(write.os, "replace", cross(real_replace))
    api.generate(root)
    assert refused  # the moves did go through the fallback
    assert hashes(root) == expected
    assert not (root / write.STAGING).exists()
