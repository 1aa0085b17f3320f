"""Listener rule priorities are given once and kept: another service's root never moves.

Only the external listener gets rules (services reach each other through ECS Service Connect), so
the services here are exposed ones: klausapproves and newcomers copied from demo-service with
external ingress in staging.
"""

from __future__ import annotations

import hashlib
import itertools
import re
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
    """A staging-only copy of demo-service with external ingress (so it gets an external rule)."""
    text = (repo / "services/demo-service/service.yaml").read_text().replace("demo-service", name)
    text = text.replace("environments: [staging, production]", "environments: [staging]")
    text = text.replace("spec:\n", f"spec:\n  ingress:\n    external: true\n    domain: {name}.staging.lemon.com\n", 1)
    (repo / "services" / name).mkdir()
    (repo / "services" / name / "service.yaml").write_text(text)


def main_tf(repo: Path, env: str, service: str) -> bytes:
    return (repo / f"accounts/{env}/services/{service}/main.tf").read_bytes()


def priority_in(root: bytes) -> int:
    (found,) = re.findall(rb"listener_rule_priority\s*=\s*(\d+)", root)
    return int(found)


def test_adding_a_colliding_service_does_not_move_an_existing_priority(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo")
    api.generate(repo)
    before = main_tf(repo, "staging", "klausapproves")
    newcomer = colliding_pair("klausapproves")
    # The old allocation (hash slot, probing in sorted order) gave the newcomer klausapproves's slot.
    add_service(repo, newcomer)
    api.generate(repo)
    assert main_tf(repo, "staging", "klausapproves") == before
    given = (repo / allocation.path("staging")).read_text()
    assert f"  klausapproves: {slot('klausapproves')}\n" in given
    assert f"  {newcomer}: {slot('klausapproves') + 1}\n" in given
    assert priority_in(main_tf(repo, "staging", newcomer)) == slot("klausapproves") + 1


def test_removing_a_service_does_not_move_the_one_that_probed_past_it(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo")
    first = colliding_pair("klausapproves")  # sorts first, so it takes the slot; klausapproves probes past it
    add_service(repo, first)
    api.generate(repo)
    moved = main_tf(repo, "staging", "klausapproves")
    assert priority_in(moved) == slot("klausapproves") + 1
    for path in sorted((repo / "services" / first).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (repo / "services" / first).rmdir()
    api.generate(repo)
    assert main_tf(repo, "staging", "klausapproves") == moved


def test_a_merge_that_duplicates_a_priority_keeps_the_first_name(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo")
    add_service(repo, "zeta-svc")  # sorts after klausapproves
    api.generate(repo)
    path = repo / allocation.path("staging")
    text = path.read_text()
    klaus = slot("klausapproves")
    path.write_text(text.replace(f"  zeta-svc: {slot('zeta-svc')}\n", f"  zeta-svc: {klaus}\n"))  # a careless merge
    api.generate(repo)
    given = path.read_text()
    assert f"  klausapproves: {klaus}\n" in given
    assert f"  zeta-svc: {klaus}\n" not in given


def test_a_broken_allocation_file_is_reported_with_its_path(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo")
    api.generate(repo)
    path = repo / allocation.path("staging")
    path.write_text(path.read_text().replace(f"  klausapproves: {slot('klausapproves')}", "  klausapproves: first"))
    with pytest.raises(SpecError) as err:
        api.generate(repo)
    assert "accounts/staging/listener-priorities.yaml" in str(err.value)
    assert "external.klausapproves: priority must be an integer" in str(err.value)


def test_an_internal_section_of_an_older_file_is_read_and_dropped(tmp_path: Path) -> None:
    """Files written before Service Connect also list the internal listener: they still load, the
    external priorities are kept and the next run writes the file without the internal section."""
    repo = copy_inputs(tmp_path / "repo")
    api.generate(repo)
    path = repo / allocation.path("staging")
    text = path.read_text()
    assert "internal" not in text.split("\n", 4)[-1].split("# infragen:sha256")[0]
    body, stamp = text.split("# infragen:sha256", 1)
    path.write_text(
        body.replace("external:\n", "internal:\n  bpg: 33749\n  core: 38561\nexternal:\n") + "# infragen:sha256" + stamp
    )
    before = main_tf(repo, "staging", "klausapproves")
    api.generate(repo)
    assert path.read_text() == text
    assert main_tf(repo, "staging", "klausapproves") == before


def test_a_fresh_allocation_equals_the_recorded_one_when_nothing_collides(tmp_path: Path) -> None:
    """Deleting the file on a repository without collisions changes nothing: the file only records."""
    repo = copy_inputs(tmp_path / "repo")
    api.generate(repo)
    recorded = (repo / allocation.path("production")).read_bytes()
    (repo / allocation.path("production")).unlink()
    api.generate(repo)
    assert (repo / allocation.path("production")).read_bytes() == recorded
