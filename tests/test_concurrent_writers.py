"""Concurrent writing runs: two `infragen gen` started together on one repository (a save hook and
a terminal, two panes of one editor) take turns. Each used to clear the other's staging folder and
journal (and share its temp names): a run could crash, or leave files of the other half-moved.

Real processes, started at once from a first generation (the files written ahead, stamps off) and
from a changed spec with stamps and caches on: every run succeeds, the tree is exactly what one
run alone writes, nothing of a run's bookkeeping is left, and a later `gen --check` passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from conftest import copy_inputs, hashes, run_cli

from generator import api
from generator.write import apply as write
from generator.write import stamp

RUNS = 4


def gens_at_once(root: Path, env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    command = [sys.executable, "-m", "generator.cli", "gen", "--root", str(root)]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
        for _ in range(RUNS)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def expected_tree(tmp_path: Path, name: str, edit: bool) -> dict[str, str]:
    alone = copy_inputs(tmp_path / name)
    if edit:
        api.generate(alone)
        bump_replicas(alone)
    api.generate(alone)
    return hashes(alone)


def bump_replicas(root: Path) -> None:
    spec = root / "services/demo-service/service.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "desiredCount: 1" in text
    spec.write_text(text.replace("desiredCount: 1", "desiredCount: 3", 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "stamps"),
    [(False, False), (False, True), (True, True)],
    ids=["first-generation-stamps-off", "first-generation-stamps-on", "one-spec-changed-stamps-on"],
)
def test_writing_runs_started_together_take_turns(tmp_path: Path, edit: bool, stamps: bool) -> None:
    root = copy_inputs(tmp_path / "repo")
    env = {"HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    if edit:
        first = run_cli("gen", "--root", str(root), env=env)
        assert first.code == 0, first.stderr
        bump_replicas(root)
    if not stamps:
        env["INFRAGEN_NO_STAMP"] = "1"

    results = gens_at_once(root, env)

    for result in results:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr, result.stderr
    leftovers = [
        p for p in hashes(root) if p == write.JOURNAL or p.endswith(write.TMP_SUFFIX) or p.startswith(write.STAGING)
    ]
    assert leftovers == []
    assert hashes(root) == expected_tree(tmp_path, "alone", edit)
    check = run_cli("gen", "--check", "--root", str(root), env=env)
    assert check.code == 0, check.stdout + check.stderr


def test_a_writer_waits_for_the_one_that_holds_the_repository(tmp_path: Path) -> None:
    """In process: a second writer of the same repository blocks until the first is done, is told
    it waited (its walk of the tree is stale), and a nested use in one thread does not deadlock."""
    root = copy_inputs(tmp_path / "repo")
    order: list[str] = []
    holding = threading.Event()

    def second() -> None:
        holding.wait()
        with stamp.writing(root) as waited:
            order.append(f"second waited={waited}")

    thread = threading.Thread(target=second)
    thread.start()
    with stamp.writing(root) as waited:
        order.append(f"first waited={waited}")
        with stamp.writing(root) as nested:  # the same thread again: no second lock
            order.append(f"nested waited={nested}")
        holding.set()
        thread.join(timeout=0.5)
        assert thread.is_alive()  # blocked on the lock
        order.append("first done")
    thread.join(timeout=30)
    assert order == ["first waited=False", "nested waited=False", "first done", "second waited=True"]


def test_checks_share_the_repository_and_wait_for_a_writer(tmp_path: Path) -> None:
    """In process: checks hold the repository together (Atlantis's parallel gates), a writer waits
    for them, and a check waits for a writer; a check inside a writing run of its thread does not
    lock again."""
    root = copy_inputs(tmp_path / "repo")
    with stamp.reading(root) as first, stamp.reading(root) as nested:
        assert (first, nested) == (False, False)
        other: list[bool] = []
        reader = threading.Thread(target=lambda: other.append(_enter(stamp.reading, root)))
        reader.start()
        reader.join(timeout=30)
        assert other == [False]  # a second check's thread did not wait
        writer = threading.Thread(target=lambda: other.append(_enter(stamp.writing, root)))
        writer.start()
        writer.join(timeout=0.5)
        assert writer.is_alive()  # a writer waits for the checks
    writer.join(timeout=30)
    assert other == [False, True]
    with stamp.writing(root):
        with stamp.reading(root) as inside:
            assert inside is False
        reader = threading.Thread(target=lambda: other.append(_enter(stamp.reading, root)))
        reader.start()
        reader.join(timeout=0.5)
        assert reader.is_alive()  # a check of another thread waits for the writer
    reader.join(timeout=30)
    assert other == [False, True, True]


def _enter(lock: Callable[[Path], AbstractContextManager[bool]], root: Path) -> bool:
    with lock(root) as waited:
        return waited


def test_a_check_waits_for_a_writing_run(tmp_path: Path) -> None:
    """A real `gen --check` started while a writing run holds the repository judges the tree that run
    leaves, not the half-written one: here a generated file is missing while the lock is held and
    back before it is released. Before, the check compared the tree mid-write and failed."""
    root = copy_inputs(tmp_path / "repo")
    api.generate(root)
    victim = root / "accounts/staging/services/demo-service/main.tf"
    text = victim.read_bytes()
    env = {**os.environ, "INFRAGEN_NO_STAMP": "1"}
    command = [sys.executable, "-m", "generator.cli", "gen", "--check", "--root", str(root)]
    with stamp.writing(root):
        victim.unlink()
        check = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        with pytest.raises(subprocess.TimeoutExpired):
            check.wait(timeout=3)  # started, imported, and waiting for the writer
        victim.write_bytes(text)
    out, err = check.communicate(timeout=120)
    assert check.returncode == 0, out + err
