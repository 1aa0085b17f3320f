"""Load balancer health check settings of a service (issue 20): set in spec.healthCheck and
per environment in overrides.healthCheck, one line each in the root; unset, nothing is rendered
and modules/aws/ecs-service's defaults (generator.spec.health.DEFAULTS) apply."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, copy_inputs, snapshot
from spec_files import edit, gen, line_diff, line_of
from spec_files import problems as load_problems

from generator.spec.health import DEFAULTS, matcher_problem
from generator.spec.load import load_repo
from generator.spec.models import TargetHealth

SPEC = "services/klausapproves/service.yaml"
STAGING_ENV = "services/klausapproves/environments/staging.yaml"
PRODUCTION = "production/services/klausapproves/main.tf"
STAGING = "staging/services/klausapproves/main.tf"


def test_settings_render_one_line_each_and_environments_override(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    gen(root)
    before = snapshot(root / "accounts")
    spec = (root / SPEC).read_text(encoding="utf-8")
    assert "healthCheck" not in spec
    edit(root, SPEC, "  ingress:\n", "  healthCheck:\n    intervalSeconds: 30\n    matcher: 200,204\n  ingress:\n")
    edit(root, STAGING_ENV, "overrides:\n", "overrides:\n  healthCheck:\n    intervalSeconds: 10\n")
    gen(root)
    after = snapshot(root / "accounts")
    changed = {p for p in before.keys() | after.keys() if before.get(p, (b"",))[0] != after.get(p, (b"",))[0]}
    assert changed == {PRODUCTION, STAGING}
    assert line_diff(before[PRODUCTION][0], after[PRODUCTION][0]) == (
        [],
        ["  health_check = {", "    interval_seconds = 30", '    matcher          = "200,204"', "  }"],
    )
    assert line_diff(before[STAGING][0], after[STAGING][0]) == (
        [],
        ["  health_check = {", "    interval_seconds = 10", '    matcher          = "200,204"', "  }"],
    )


def test_defaults_are_the_ecs_service_modules() -> None:
    text = (REPO / "modules/aws/ecs-service/variables.tf").read_text(encoding="utf-8")
    block = text[text.index('variable "health_check" {') :]
    block = block[: block.index("\n}\n")]
    for key, value in (
        ("interval_seconds", DEFAULTS.interval_seconds),
        ("timeout_seconds", DEFAULTS.timeout_seconds),
        ("healthy_threshold", DEFAULTS.healthy_threshold),
        ("unhealthy_threshold", DEFAULTS.unhealthy_threshold),
    ):
        assert re.search(rf"\n    {key} += optional\(number, {value}\)\n", block), key
    assert f'optional(string, "{DEFAULTS.matcher}")' in block


def test_merged_takes_the_set_values() -> None:
    spec = TargetHealth(interval_seconds=30, matcher="200")
    assert spec.merged(TargetHealth(interval_seconds=10)) == TargetHealth(interval_seconds=10, matcher="200")
    assert DEFAULTS.merged(TargetHealth()) == DEFAULTS


@pytest.mark.parametrize(
    ("matcher", "refused"),
    [("200", False), ("200,202", False), ("200-299", False), ("499", False), ("199", True), ("200-500", True)],
)
def test_matcher_codes(matcher: str, refused: bool) -> None:
    assert (matcher_problem(matcher) is not None) is refused
    assert matcher_problem("299-200") is not None


WORKER_BASE = Path(__file__).parent / "golden" / "worker" / "input"
MAILER = "services/mailer/service.yaml"


def test_load_balancer_settings_on_a_worker_are_refused(tmp_path: Path) -> None:
    root = Path(shutil.copytree(WORKER_BASE, tmp_path / "repo"))
    edit(root, MAILER, "  desiredCount: 1\n", "  desiredCount: 1\n  healthCheck:\n    intervalSeconds: 30\n")
    (problem,) = [p for p in load_problems(root) if p.field.startswith("spec.healthCheck")]
    assert (problem.file, problem.field) == (MAILER, "spec.healthCheck.intervalSeconds")
    assert problem.line == line_of(root, MAILER, "intervalSeconds: 30")
    assert "no load balancer health check" in problem.message


def test_the_mapping_form_sets_the_path(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, SPEC, "  ingress:\n", "  healthCheck:\n    path: /ready\n    healthyThreshold: 3\n  ingress:\n")
    service = load_repo(root).service("klausapproves")
    assert service.health_check == "/ready"
    assert service.target_health == TargetHealth(healthy_threshold=3)
