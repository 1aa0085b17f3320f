"""The reusable GitHub Actions workflow that service repositories call: a `workflow_call` with the
inputs docs/deploying.md shows, OIDC credentials, and `infragen` invocations the CLI accepts.
(No Actions runner here: the workflow's steps are not executed.)"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
import yaml

from generator.cli import cli

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "infragen-deploy.yml"


def load() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def test_it_is_a_reusable_workflow_with_oidc() -> None:
    data = load()
    trigger = data[True]  # YAML 1.1 reads the key `on` as True
    inputs = trigger["workflow_call"]["inputs"]
    assert {name for name, spec in inputs.items() if spec.get("required")} == {
        "service",
        "environment",
        "role-to-assume",
    }
    assert data["permissions"] == {"id-token": "write", "contents": "read"}
    steps = data["jobs"]["deploy"]["steps"]
    assert any(step.get("uses", "").startswith("aws-actions/configure-aws-credentials@") for step in steps)
    assert "${{ inputs.service }}-${{ inputs.environment }}" in data["concurrency"]["group"]


def test_its_infragen_commands_parse() -> None:
    runs = [step["run"] for step in load()["jobs"]["deploy"]["steps"] if "infragen " in step.get("run", "")]
    assert [shlex.split(r)[1] for r in runs] == ["verify", "deploy"]
    for run in runs:
        # substitute what Actions would: the expressions by sample values
        run = run.replace("${{ inputs.timeout }}", "900").replace("${TAG}", "abc123")
        run = run.replace("${{ inputs.service }}", "bpg").replace("${{ inputs.environment }}", "staging")
        assert "${" not in run, run
        argv = shlex.split(run)[1:]
        command = cli.commands[argv[0]]
        ctx = command.make_context(argv[0], argv[1:], resilient_parsing=False)
        assert ctx.params["env"], run
        assert isinstance(command, click.Command)
