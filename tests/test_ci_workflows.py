"""The infrastructure repository's own CI: a fast gate on every pull request, the whole suite only
when the tool changes (.github/workflows/ci-gate.yml, ci-suite.yml; docs/testing.md)."""

from __future__ import annotations

import fnmatch
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"


def _load(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return data


def _runs(workflow: dict[Any, Any]) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # PyYAML reads the bare key `on` as the boolean True
    triggers: dict[str, Any] = workflow.get("on", workflow.get(True))
    return triggers


def _matches(paths: list[str], changed: str) -> bool:
    return any(fnmatch.fnmatch(changed, pattern.replace("**", "*")) for pattern in paths)


def test_the_gate_runs_make_check_on_every_pull_request() -> None:
    gate = _load("ci-gate.yml")
    assert "paths" not in (_triggers(gate)["pull_request"] or {})
    assert _runs(gate) == ["make check"]


@pytest.mark.parametrize(
    ("changed", "suite"),
    [
        ("services/invoices/service.yaml", False),
        ("services/invoices/environments/production.yaml", False),
        ("accounts/staging/services/invoices/main.tf", False),
        ("atlantis.yaml", False),
        ("CODEOWNERS", False),
        ("teams.yaml", False),
        ("generator/plan/roots.py", True),
        ("modules/platform/service/main.tf", True),
        ("tests/test_golden.py", True),
        ("Makefile", True),
        ("pyproject.toml", True),
        (".ci/run", True),
    ],
)
def test_the_suite_runs_only_when_the_tool_changes(changed: str, suite: bool) -> None:
    paths = _triggers(_load("ci-suite.yml"))["pull_request"]["paths"]
    assert _matches(paths, changed) is suite


def test_the_suite_runs_ci_run_under_ci_true() -> None:
    suite = _load("ci-suite.yml")
    (job,) = suite["jobs"].values()
    (step,) = [s for s in job["steps"] if "run" in s]
    assert step["run"] == "bash .ci/run" and step["env"]["CI"] == "true"
    assert job["timeout-minutes"] <= 90


@pytest.mark.parametrize("target", ["check", "test", "test-added-service", "e2e"])
def test_every_make_target_the_ci_calls_exists(target: str) -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8") + "\n".join(_runs(_load("ci-gate.yml")))
    assert f"make {target}" in ci
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert f"\n{target}:" in makefile, f"no make target {target}"
    if target != "test-added-service":  # its recipe runs make in the copy, which -n would run too
        dry = subprocess.run(["make", "-n", "-C", str(REPO), target], capture_output=True, text=True)
        assert dry.returncode == 0, dry.stderr
