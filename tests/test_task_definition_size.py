"""ECS's 64 KiB per task definition (not adjustable; moto registers any size). The container's
environment and secrets are the part a service owner grows without bound (a JSON blob in a
variable), so an environment file whose entries alone encode to more is an error at its
`variables`: compile, deploy and the root's apply would all be refused. plan-check judges each
planned task definition's container definitions too (tests/test_aws_limits.py plans one)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import gen_refuses, snapshot

from generator import SpecError, api, validate
from generator.plan import taskdef
from generator.spec import convention
from generator.spec.convention import ECS_QUOTAS_PAGE, TASK_DEFINITION_BYTES
from generator.tools import plancheck

ORG = Path(__file__).parent / "fixtures" / "org"
ENV_FILE = "services/klausapproves/environments/staging.yaml"


def _with_variable(tmp_path: Path, value: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ORG, root, ignore=shutil.ignore_patterns(".terraform*"))
    path = root / ENV_FILE
    text = path.read_text(encoding="utf-8")
    assert "variables:\n  LOG_LEVEL: debug\n" in text
    path.write_text(text.replace("  LOG_LEVEL: debug\n", f"  LOG_LEVEL: debug\n  BLOB: {value}\n", 1), encoding="utf-8")
    return root


def _entries(root: Path) -> int:
    repo = validate(root)
    service, account = repo.service("klausapproves"), repo.account("staging")
    return convention.entries_bytes(
        convention.environment(repo, service, account), convention.secrets(repo, service, account)
    )


def _filling(tmp_path: Path, char: str = "x", extra: int = 0) -> Path:
    """The fixture with a BLOB variable that makes the entries exactly 64 KiB (+ ``extra`` bytes)."""
    small = _entries(_with_variable(tmp_path / "probe", char))
    width = len(char.encode("utf-8"))
    assert (TASK_DEFINITION_BYTES - small) % width == 0
    count = 1 + (TASK_DEFINITION_BYTES - small) // width + extra
    return _with_variable(tmp_path, char * count)


def test_entries_of_exactly_the_quota_validate(tmp_path: Path) -> None:
    root = _filling(tmp_path)
    assert _entries(root) == TASK_DEFINITION_BYTES


def test_one_byte_over_is_an_error_at_the_environment_files_variables(tmp_path: Path) -> None:
    root = _filling(tmp_path, extra=1)
    with pytest.raises(SpecError) as caught:
        validate(root)
    (problem,) = caught.value.problems
    line = (root / ENV_FILE).read_text(encoding="utf-8").splitlines().index("variables:") + 1
    assert (problem.file, problem.line, problem.field) == (ENV_FILE, line, "variables")
    assert f"in staging take {TASK_DEFINITION_BYTES + 1:,} bytes" in problem.message
    assert "the largest variables: BLOB (" in problem.message and ECS_QUOTAS_PAGE in problem.message


def test_bytes_not_characters_are_counted(tmp_path: Path) -> None:
    # "é" is one character and two bytes in UTF-8: half as many of them fill the quota
    validate(_filling(tmp_path / "fits", "é"))
    with pytest.raises(SpecError, match="take 65,538 bytes"):
        validate(_filling(tmp_path / "over", "é", extra=1))


def test_the_entries_are_a_lower_bound_of_what_compile_registers(tmp_path: Path) -> None:
    root = _filling(tmp_path)
    repo = validate(root)
    document = taskdef.task_definition(repo, repo.service("klausapproves"), repo.account("staging"), "v1")
    containers = json.dumps(document["containerDefinitions"], ensure_ascii=False, separators=(",", ":"))
    assert len(containers.encode("utf-8")) > _entries(root) == TASK_DEFINITION_BYTES


def test_gen_writes_nothing_over_the_quota(tmp_path: Path) -> None:
    gen_refuses(_filling(tmp_path, extra=1), f"{ENV_FILE}:", "variables")


def _plan(containers: str | None) -> dict[str, Any]:
    return {
        "resource_changes": [
            {
                "address": "module.service.module.ecs_service.aws_ecs_task_definition.this[0]",
                "module_address": "module.service.module.ecs_service",
                "mode": "managed",
                "type": "aws_ecs_task_definition",
                "name": "this",
                "change": {
                    "actions": ["create"],
                    "after": {"container_definitions": containers, "tags_all": {}},
                    "after_unknown": {"container_definitions": containers is None},
                },
            }
        ]
    }


@pytest.mark.parametrize(
    ("size", "violation"), [(TASK_DEFINITION_BYTES, False), (TASK_DEFINITION_BYTES + 1, True), (None, False)]
)
def test_plan_check_measures_planned_container_definitions(size: int | None, violation: bool) -> None:
    containers = None if size is None else '[{"v":"' + "x" * (size - 10) + '"}]'
    assert containers is None or len(containers) == size
    report = plancheck.check(_plan(containers))
    found = [v for v in report.violations if "container definitions" in v.why]
    assert bool(found) is violation, report.violations
    if violation:
        assert f"take {TASK_DEFINITION_BYTES + 1:,} bytes" in found[0].why


def test_an_incremental_gen_judges_a_grown_variable(stamped: Path) -> None:
    # variables are not part of a service's face: the one-service run judges the size itself
    path = stamped / ENV_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  LOG_LEVEL: debug\n", f"  LOG_LEVEL: debug\n  BLOB: {'x' * TASK_DEFINITION_BYTES}\n", 1),
        encoding="utf-8",
    )
    before = snapshot(stamped)
    with pytest.raises(SpecError, match="ECS allows a task definition of at most 65,536 bytes"):
        api.generate(stamped)
    assert snapshot(stamped) == before
