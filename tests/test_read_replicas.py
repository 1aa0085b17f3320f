"""Read replicas of a database (readReplicas): the platform default written into the roots (1 in
production, 0 elsewhere), replicas reached and granted like the instance, reader connection keys."""

from __future__ import annotations

from pathlib import Path

from conftest import ORG, copy_inputs
from spec_files import edit, line_of, problems

from generator import generate

KLAUS = "services/klausapproves/service.yaml"
KLAUS_STAGING = "services/klausapproves/environments/staging.yaml"
CORE = "services/core/service.yaml"
RDS = "  klausapproves-rds:\n    type: postgres\n"


def _main(root: Path, env: str, service: str = "klausapproves") -> str:
    return (root / f"accounts/{env}/services/{service}/main.tf").read_text(encoding="utf-8")


def test_production_gets_one_replica_by_default_written_into_the_root() -> None:
    assert "  read_replicas         = 1\n" in _main(ORG, "production")
    assert "  read_replicas         = 0\n" in _main(ORG, "staging")
    production = _main(ORG, "production")
    assert "${module.klausapproves_rds.replica_resource_ids[0]}/klausapproves" in production
    assert "replica_resource_ids[1]" not in production
    assert "replica_resource_ids" not in _main(ORG, "staging")


def test_every_environment_gets_reader_keys() -> None:
    for env in ("staging", "production"):
        text = _main(ORG, env)
        for key in ("READER_HOST", "READER_HOSTS"):
            parameter = key.lower()
            assert f'name = "KLAUSAPPROVES_RDS_{key}", valueFrom = ' in text
            assert f"parameter/infragen/{env}/klausapproves-rds/{parameter}" in text


def test_the_spec_sets_the_count_everywhere_one_line_each(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    generate(root, check=False)
    before = _main(root, "staging")
    edit(root, KLAUS, RDS, RDS + "    readReplicas: 2\n")
    generate(root, check=False)
    after = _main(root, "staging")
    assert "  read_replicas         = 2\n" in after and "  read_replicas         = 2\n" in _main(root, "production")
    assert "replica_resource_ids[1]}/klausapproves" in after
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    # the count, the IAM statement's resources and the checksum
    assert len(changed) == 3, changed


def test_another_root_looks_the_replicas_up_and_is_granted_them(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, CORE, "datastores: [core-db, core-cache]", "datastores: [core-db, core-cache, klausapproves-rds]")
    generate(root, check=False)
    text = _main(root, "production", "core")
    assert (
        'data "aws_db_instance" "klausapproves_rds_replica_1" {\n  db_instance_identifier = "klausapproves-rds-replica-1"\n}'
        in text
    )
    assert "${data.aws_db_instance.klausapproves_rds_replica_1.resource_id}/core" in text
    assert "klausapproves_rds_replica_1" not in _main(root, "staging", "core")


def test_more_than_five_replicas_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, KLAUS, RDS, RDS + "    readReplicas: 6\n")
    [problem] = problems(root)
    assert (problem.file, problem.line) == (KLAUS, line_of(root, KLAUS, "readReplicas: 6"))
    assert problem.field == "resources.klausapproves-rds.readReplicas"


def test_the_count_is_not_set_per_environment(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(
        root,
        KLAUS_STAGING,
        "overrides:\n",
        "overrides:\n  datastores:\n    klausapproves-rds:\n      readReplicas: 1\n",
    )
    found = problems(root)
    assert [p.field for p in found] == ["overrides.datastores.klausapproves-rds.readReplicas"]
