"""The no-op stamp: a regeneration skips all work only when no file changed since a consistent run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import api
from generator.errors import SpecError
from generator.write import stamp as incremental


@pytest.fixture
def repo(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example repository, generated once, with its own stamp folder and no settle delay."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("INFRAGEN_NO_STAMP", raising=False)
    monkeypatch.setattr(incremental, "SETTLE_NS", 0)
    api.generate(example)
    api.generate(example)  # consistent now: records the stamp
    return example


def _loading_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(root: Path) -> None:
        raise AssertionError("the repository was loaded")

    monkeypatch.setattr("generator.spec.load.load_repo", fail)  # api imports it after the stamp check


def test_unchanged_tree_skips_loading(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _loading_fails(monkeypatch)
    assert api.generate(repo).changes == []
    assert api.generate(repo, check=True).changes == []


def test_same_size_input_edit_is_seen(repo: Path) -> None:
    spec = repo / "services" / "core" / "service.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "desiredCount: 1" in text
    spec.write_text(text.replace("desiredCount: 1", "desiredCount: 2"), encoding="utf-8")
    changes = api.generate(repo, check=True).changes
    assert {c.path for c in changes} == {f"accounts/{env}/services/core/main.tf" for env in ("production", "staging")}


def test_hand_edit_with_restored_mtime_is_seen(repo: Path) -> None:
    target = repo / "accounts" / "staging" / "services" / "core" / "main.tf"
    before = target.stat()
    target.write_text(target.read_text(encoding="utf-8").replace("module", "modulE", 1), encoding="utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    changes = api.generate(repo, check=True).changes
    assert [(c.path, c.action) for c in changes] == [(target.relative_to(repo).as_posix(), "update")]


def test_new_empty_service_folder_is_seen(repo: Path) -> None:
    (repo / "services" / "newcomer").mkdir()
    with pytest.raises(SpecError, match=r"no service\.yaml"):
        api.generate(repo, check=True)


def test_recent_writes_record_no_stamp(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("INFRAGEN_NO_STAMP", raising=False)
    api.generate(example)  # just wrote every file: their times are too fresh to trust
    api.generate(example)
    assert not incremental.unchanged(example)


def test_stale_check_records_no_stamp(repo: Path) -> None:
    (repo / "atlantis.yaml").unlink()
    assert api.generate(repo, check=True).changes
    assert not incremental.unchanged(repo)


def test_stamps_can_be_turned_off(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_NO_STAMP", "1")
    assert not incremental.unchanged(repo)
