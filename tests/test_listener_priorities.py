"""Listener rule priorities are given once and kept: another service's root never moves."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest
from conftest import copy_inputs

from generator import api
from generator.errors import SpecError
from generator.plan import allocation


def slot(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % allocation.MAX_PRIORITY + 1


def colliding_pair(existing: str) -> str:
    """A valid service name that sorts before ``existing`` and hashes to the same slot."""
    target = slot(existing)
    for n in itertools.count():
        name = f"a{n}-svc"
        if name < existing and slot(name) == target:
            return name
    raise AssertionError("unreachable")


def add_service(repo: Path, name: str) -> None:
    text = (repo / "services/demo-service/service.yaml").read_text().replace("demo-service", name)
    (repo / "services" / name).mkdir()
    (repo / "services" / name / "service.yaml").write_text(text)


def main_tf(repo: Path, env: str, service: str) -> bytes:
    return (repo / f"accounts/{env}/services/{service}/main.tf").read_bytes()


def test_adding_a_colliding_service_does_not_move_an_existing_priority(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo")
    api.generate(repo)
    before = main_tf(repo, "staging", "demo-service")
    newcomer = colliding_pair("demo-service")
    # The old allocation (hash slot, probing in sorted order) gave the newcomer demo-service's slot.
    add_service(repo, newcomer)
    api.generate(repo)
    assert main_tf(repo, "staging", "demo-service") == before
    given = (repo / allocation.path("staging")).read_text()
    assert f"  demo-service: {slot('demo-service')}\n" in given
    assert f"  {newcomer}: {slot('demo-service') + 1}\n" in given
    assert f"listener_rule_priority    = {slot('demo-service') + 1}" in main_tf(repo, "staging", newcomer).decode()


def test_removing_a_service_does_not_move_the_one_that_probed_past_it(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo")
    first = colliding_pair("demo-service")  # sorts first, so it takes the slot; demo-service probes past it
    add_service(repo, first)
    api.generate(repo)
    moved = main_tf(repo, "staging", "demo-service")
    assert f"listener_rule_priority    = {slot('demo-service') + 1}" in moved.decode()
    for path in sorted((repo / "services" / first).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (repo / "services" / first).rmdir()
    api.generate(repo)
    assert main_tf(repo, "staging", "demo-service") == moved


def test_a_merge_that_duplicates_a_priority_keeps_the_first_name(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo")
    api.generate(repo)
    path = repo / allocation.path("staging")
    text = path.read_text()
    bpg = slot("bpg")
    path.write_text(text.replace(f"  core: {slot('core')}\n", f"  core: {bpg}\n"))  # as a careless merge would
    api.generate(repo)
    given = path.read_text()
    assert f"  bpg: {bpg}\n" in given
    assert f"  core: {bpg}\n" not in given


def test_a_broken_allocation_file_is_reported_with_its_path(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo")
    api.generate(repo)
    path = repo / allocation.path("staging")
    path.write_text(path.read_text().replace(f"  bpg: {slot('bpg')}", "  bpg: first"))
    with pytest.raises(SpecError) as err:
        api.generate(repo)
    assert "accounts/staging/listener-priorities.yaml" in str(err.value)
    assert "internal.bpg: priority must be an integer" in str(err.value)


def test_a_fresh_allocation_equals_the_recorded_one_when_nothing_collides(tmp_path: Path) -> None:
    """Deleting the file on a repository without collisions changes nothing: the file only records."""
    repo = copy_inputs(tmp_path / "repo")
    api.generate(repo)
    recorded = (repo / allocation.path("production")).read_bytes()
    (repo / allocation.path("production")).unlink()
    api.generate(repo)
    assert (repo / allocation.path("production")).read_bytes() == recorded
