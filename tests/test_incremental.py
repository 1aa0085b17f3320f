"""The no-op stamp: a regeneration skips all work only when no file changed since a consistent run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import loading_fails

from generator import api
from generator.errors import SpecError
from generator.write import stamp as incremental


@pytest.fixture
def repo(stamped: Path) -> Path:
    return stamped


def test_unchanged_tree_skips_loading(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loading_fails(monkeypatch)
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


def test_an_input_edited_while_a_run_reads_is_not_vouched_for(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stamp a run records is the walk it started from: an input edited after the run read it
    (its outputs are of the old content) leaves the next run to do the work, not to skip it."""
    from generator.spec import load

    teams = repo / "teams.yaml"
    # a comment added: the stamp no longer matches, and teams.yaml is read by the full run alone
    teams.write_bytes(teams.read_bytes() + b"# edited\n")
    real = load.read_repo
    spec = repo / "services" / "core" / "service.yaml"

    def read_then_edit(root: Path, **options: Any) -> Any:
        loaded = real(root, **options)
        spec.write_text(spec.read_text(encoding="utf-8").replace("desiredCount: 1", "desiredCount: 2"), "utf-8")
        return loaded

    monkeypatch.setattr(load, "read_repo", read_then_edit)
    assert api.generate(repo).changes == []  # consistent for what it read
    monkeypatch.setattr(load, "read_repo", real)
    changes = api.generate(repo, check=True).changes
    assert {c.path for c in changes} == {f"accounts/{env}/services/core/main.tf" for env in ("production", "staging")}


def test_the_walk_answers_as_the_disk_does(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's one walk stands in for the disk: its signatures are os.stat's, and the orphan
    search over its file list finds what a walk of accounts/ finds (a hand-made file without the
    header is no orphan, a generated file left in a removed root is)."""
    from generator.write import apply, cache

    orphan = repo / "accounts" / "staging" / "services" / "gone" / "main.tf"
    orphan.parent.mkdir(parents=True)
    orphan.write_text((repo / "accounts" / "staging" / "services" / "core" / "main.tf").read_text("utf-8"), "utf-8")
    (orphan.parent / "notes.md").write_text("hand-made\n", encoding="utf-8")
    tree = incremental.walk(repo)
    for rel, signature in tree.files.items():
        st = (repo / rel).stat()
        assert signature == (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino), rel
    found = apply.existing_generated(repo, walked=tree.files)
    assert found == apply.existing_generated(repo)
    monkeypatch.chdir(repo)
    assert found == apply.existing_generated(Path("."))  # the root as the current folder
    assert orphan.relative_to(repo).as_posix() in found
    assert "accounts/staging/services/gone/notes.md" not in found
    entry = cache.Entry(
        "key",
        (
            cache.FileEntry(
                "accounts/staging/services/core/main.tf", "sha", tree.files["accounts/staging/services/core/main.tf"]
            ),
        ),
    )
    assert cache.verify(repo, entry, tree.files)
    stale = cache.Entry("key", (cache.FileEntry("accounts/staging/services/core/main.tf", "sha", (0, 0, 0, 0)),))
    assert not cache.verify(repo, stale, tree.files)  # another signature: the content is compared (sha differs)
