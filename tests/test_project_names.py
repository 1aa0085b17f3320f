"""Atlantis project names are unique: a service root is `<env>-<service>`, a team's alerts root
`<env>-team-<team>`, so a service named `team-<team>` would give two projects one name. Atlantis
refuses such a repo config, and plan-check (which finds a project's directory by its name) would
judge one root's plan with the other's context."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_inputs, run_cli

from generator.errors import CommandError
from generator.spec.load import load_repo
from generator.tools import plancheck

SPEC = """name: {name}
owner: payments
description: A service whose name reads like a team's alerts project.
environments: [staging]
spec:
  resources: {{cpu: 256, memory: 512}}
  desiredCount: 1
"""


def _service(root: Path, name: str) -> str:
    folder = root / "services" / name
    folder.mkdir()
    (folder / "service.yaml").write_text(SPEC.format(name=name))
    return f"services/{name}/service.yaml"


@pytest.mark.parametrize("name", ["team-payments", "team-nobody-yet"])
def test_a_service_named_like_a_team_project_is_refused(tmp_path: Path, name: str) -> None:
    root = copy_inputs(tmp_path / "repo")
    spec = _service(root, name)
    result = run_cli("validate", "--root", str(root))
    assert result.code == 1
    assert f"{spec}:1:7: name: service names may not start with 'team-'" in result.stderr
    assert "<env>-team-<team>" in result.stderr


def test_plan_check_refuses_a_project_name_used_twice(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    repo = load_repo(root)
    text = (root / "atlantis.yaml").read_text()
    twice = text.replace("- name: staging-bpg\n", "- name: staging-team-payments\n", 1)
    assert twice != text
    (root / "atlantis.yaml").write_text(twice)
    with pytest.raises(CommandError, match="'staging-team-payments' names 2 projects"):
        plancheck.context_for(root, repo, "staging-team-payments")
