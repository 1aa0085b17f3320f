"""Changing a service's HTTP port (review finding 1): `spec.previousPort` keeps the previous port
open and in the ECS service's load balancer configuration until `infragen deploy` moves task
definition and port together (tests/test_deploy_rollout.py); the module side is asserted by
`terraform test` in modules/aws/ecs-service and modules/platform/service."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from conftest import run_cli, snapshot
from hcl_literal import local_value

from generator import api

SPEC = "services/bpg/service.yaml"


def _set_ports(root: Path, port: int, previous: int | None) -> None:
    path = root / SPEC
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["spec"]["port"] = port
    if previous is None:
        data["spec"].pop("previousPort", None)
    else:
        data["spec"]["previousPort"] = previous
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_previous_port_reaches_the_service_module_during_the_change(example: Path) -> None:
    _set_ports(example, 9000, 8080)
    api.generate(example)
    for env in ("staging", "production"):
        main = (example / f"accounts/{env}/services/bpg/main.tf").read_text(encoding="utf-8")
        assert re.search(r"^  port +:?= 9000$", main, re.M), main[:2000]
        assert re.search(r"^  previous_port +:?= 8080$", main, re.M), main[:2000]
        (container,) = local_value(main, "container_definitions")
        assert container["portMappings"][0]["containerPort"] == 9000  # the task definition serves the new port

    _set_ports(example, 9000, None)  # after the last deploy: the change is over
    api.generate(example)
    assert "previous_port" not in (example / "accounts/staging/services/bpg/main.tf").read_text(encoding="utf-8")


def test_previous_port_equal_to_port_is_an_error_at_its_line(example: Path) -> None:
    _set_ports(example, 8080, 8080)
    before = snapshot(example)
    result = run_cli("gen", "--json", "--root", str(example))
    assert result.code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["file"] == SPEC and problem["field"] == "spec.previousPort"
    assert "remove previousPort" in problem["message"]
    lines = (example / SPEC).read_text(encoding="utf-8").splitlines()
    assert lines[problem["line"] - 1].strip().startswith("previousPort:")
    assert snapshot(example) == before
