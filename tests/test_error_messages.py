"""Errors a person can act on: suggestions, the offending line on a terminal, JSON for tools."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from conftest import copy_inputs, run_cli

from generator.cli.report import error_json, format_error
from generator.errors import OwnershipError, Problem, SpecError

SERVICE = "services/demo-service/service.yaml"
KLAUS = "services/klausapproves/service.yaml"


def edit(root: Path, path: str, old: str, new: str) -> None:
    target = root / path
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("path", "old", "new", "field", "message"),
    [
        (SERVICE, "owner: infra", "owner: infr", "owner", "unknown owner 'infr'; did you mean 'infra'?"),
        (SERVICE, "[staging, production]", "[stagin, production]", "environments[0]",
         "unknown environment 'stagin'; did you mean 'staging'?"),
        (KLAUS, "services: [bpg]", "services: [bgp]", "spec.dependencies.services[0]",
         "unknown service 'bgp'; did you mean 'bpg'?"),
        (KLAUS, "klausapproves-rds, klausapproves-cache]", "klausapproves-rdss, klausapproves-cache]",
         "spec.dependencies.datastores[0]", "unknown datastore 'klausapproves-rdss'; did you mean 'klausapproves-rds'?"),
        (SERVICE, "desiredCount: 1", "desiredCont: 1", "spec.desiredCont",
         "unknown field 'desiredCont'; did you mean 'desiredCount'?"),
        (SERVICE, "memory: 1024", "memory: 512", "spec.resources.memory",
         "memory 512 is not valid with cpu 512; cpu 512 allows memory 1024, 2048, 3072, 4096"),
        (SERVICE, "cpu: 512", "cpu: 300", "spec.resources.cpu", "300 is not one of 256, 512, 1024"),
    ],
)  # fmt: skip
def test_suggestions_in_validate_json(example: Path, path: str, old: str, new: str, field: str, message: str) -> None:
    edit(example, path, old, new)
    result = run_cli("validate", "--json", "--root", str(example))
    assert result.code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    matches = [p for p in report["problems"] if p["file"] == path and p["field"] == field]
    assert matches, report
    assert message in matches[0]["message"]


def test_json_problem_shape(example: Path) -> None:
    edit(example, SERVICE, "owner: infra", "owner: infr")
    result = run_cli("gen", "--json", "--root", str(example))
    assert result.code == 1 and result.stderr == ""
    report = json.loads(result.stdout)
    assert set(report) == {"valid", "error", "message", "problems"}
    assert report["error"] == "SpecError"
    (problem,) = report["problems"]
    assert problem == {
        "file": SERVICE,
        "line": 4,
        "column": 8,
        "field": "owner",
        "message": "unknown owner 'infr'; did you mean 'infra'?",
    }


def test_gen_json_reports_changes_and_staleness(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    stale = run_cli("gen", "--check", "--json", "--root", str(root))
    assert stale.code == 1
    report = json.loads(stale.stdout)
    assert report["valid"] is True and report["check"] is True and report["stale"] is True
    assert {"path", "action", "reason"} == set(report["changes"][0])
    assert all(c["action"] == "create" for c in report["changes"])
    written = run_cli("gen", "--json", "--root", str(root))
    assert written.code == 0 and json.loads(written.stdout)["changes"] == report["changes"]
    fresh = json.loads(run_cli("gen", "--check", "--json", "--root", str(root)).stdout)
    assert fresh == {"valid": True, "check": True, "stale": False, "interrupted": False, "changes": []}


def test_non_spec_errors_have_json_too() -> None:
    report = error_json(OwnershipError("refusing to overwrite"))
    assert report == {"valid": False, "error": "OwnershipError", "message": "refusing to overwrite", "problems": []}


def test_terminal_output_shows_the_offending_line(example: Path) -> None:
    edit(example, SERVICE, "owner: infra", "owner: infr")
    error = SpecError([Problem(SERVICE, 4, 8, "owner", "unknown owner 'infr'")])
    text = click.unstyle(format_error(error, example))
    assert text.splitlines() == [
        f"{SERVICE}:4:8: owner: unknown owner 'infr'",
        "    4 | owner: infr",
        "      |        ^",
    ]
    assert click.unstyle(format_error(error, example, show_source=False)).count("\n") == 0


def test_pipes_get_one_plain_line_per_problem(example: Path) -> None:
    edit(example, SERVICE, "owner: infra", "owner: infr")
    result = run_cli("validate", "--root", str(example))  # stderr is a pipe, not a terminal
    assert result.code == 1
    assert "\x1b[" not in result.stderr  # click.echo strips colours when not on a TTY
    assert result.stderr.splitlines() == [f"{SERVICE}:4:8: owner: unknown owner 'infr'; did you mean 'infra'?"]
