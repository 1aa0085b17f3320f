"""`infragen drift`: each drifted attribute of a refresh-only plan at the spec line that sets it.

The plans are captured from Terraform against moto (tests/fixtures/drift/plans/README.md) and
edited by hand for the cases the capture lacks. The live run is tests/e2e/test_drift.py."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CliResult
from tfenv import terraform_binary, terraform_env

from generator.api import validate
from generator.tools import drift
from generator.tools.terraform import refresh_only_plan

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "drift"
PLANS = FIXTURE / "plans"
ECS = "module.service.module.ecs_service.aws_ecs_service.this"
QUEUE = "module.orders_jobs.module.sqs.aws_sqs_queue.this"
TASKS_GROUP = "module.service.module.client_access.aws_security_group.this[0]"
CLIENTS_RULE = 'module.service.module.client_access.aws_security_group_rule.ingress["clients"]'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("plans"))
    return root


def captured(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PLANS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def report(root: Path, plan: dict[str, Any]) -> drift.Report:
    repo = validate(root)
    return drift.static(root, repo, repo.service("orders"), "e2e", plan)


def texts(found: drift.Report) -> list[str]:
    return [f.text() for f in found.findings]


def line_of(root: Path, file: str, needle: str) -> int:
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, start=1) if needle in text)


def state_resource(plan: dict[str, Any], address: str) -> dict[str, Any]:
    found: dict[str, Any] = dict(drift.refreshed(plan))[address]
    return found


def drift_entry(plan: dict[str, Any], address: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(e for e in plan["resource_drift"] if e["address"] == address)
    return entry


def test_nothing_after_a_fresh_apply(repo: Path) -> None:
    # the captured plan does have resource_drift: groups and roles recorded before their separate
    # rule and policy resources existed, alarms read back with [] for null; none of it is drift
    plan = captured("fresh")
    assert plan["resource_drift"], "the capture should exercise the noise filters"
    found = report(repo, plan)
    assert found.findings == ()
    assert not found.drifted
    assert any("nothing deployed yet" in n for n in found.notes)


def test_each_console_change_at_its_spec_line(repo: Path) -> None:
    found = report(repo, captured("changed"))
    env_file = "services/orders/environments/e2e.yaml"
    desired = line_of(repo, env_file, "desiredCount: 2")
    timeout = line_of(repo, env_file, "visibilityTimeoutSeconds: 60")
    owner = line_of(repo, "services/orders/service.yaml", "owner: payments")
    deps = line_of(repo, "services/orders/service.yaml", "dependencies:")
    assert texts(found) == [
        f"services/orders/service.yaml:{owner} owner payments, running growth  ({QUEUE} tags.owner)",
        f"{env_file}:{timeout} overrides.datastores.orders-jobs.visibilityTimeoutSeconds 60, running 120  "
        f"({QUEUE} visibility_timeout_seconds)",
        'not set by the spec: ingress tcp 8080 from 10.0.0.0/8 ("debugging"); added outside Terraform; access '
        f"comes only from declared dependencies, services/orders/service.yaml:{deps} spec.dependencies  "
        f"({TASKS_GROUP} ingress)",
        f"{env_file}:{desired} overrides.desiredCount 2, running 5  ({ECS} desired_count)",
    ]
    assert found.drifted


def test_the_service_file_line_when_the_environment_sets_nothing(repo: Path) -> None:
    (repo / "services/orders/environments/e2e.yaml").write_text("variables:\n  LOG_LEVEL: info\n", encoding="utf-8")
    found = report(repo, captured("changed"))
    service = "services/orders/service.yaml"
    by_attribute = {f.attribute: f for f in found.findings}
    assert (
        str(by_attribute["desired_count"].source)
        == f"{service}:{line_of(repo, service, 'desiredCount')} spec.desiredCount"
    )
    assert by_attribute["desired_count"].wanted == "1"
    timeout = by_attribute["visibility_timeout_seconds"]
    assert str(timeout.source) == (
        f"{service}:{line_of(repo, service, 'visibilityTimeoutSeconds')} resources.orders-jobs.visibilityTimeoutSeconds"
    )
    assert timeout.wanted == "45"


def test_a_default_option_points_at_the_declaration(repo: Path) -> None:
    plan = captured("changed")
    entry = drift_entry(plan, QUEUE)
    entry["change"]["after"]["message_retention_seconds"] = 60
    found = report(repo, plan)
    (retention,) = [f for f in found.findings if f.attribute == "message_retention_seconds"]
    service = "services/orders/service.yaml"
    assert str(retention.source) == (
        f"{service}:{line_of(repo, service, 'orders-jobs:')} resources.orders-jobs.messageRetentionSeconds (default)"
    )
    assert (retention.wanted, retention.actual) == ("345600", "60")


def test_back_to_the_spec_value_is_not_drift(repo: Path) -> None:
    plan = captured("changed")
    drift_entry(plan, QUEUE)["change"]["after"]["visibility_timeout_seconds"] = 60  # state behind, AWS right
    assert "visibility_timeout_seconds" not in [f.attribute for f in report(repo, plan).findings]


def tag_plan(key: str, before: str | None, after: str | None) -> dict[str, Any]:
    plan = captured("fresh")
    queue = state_resource(plan, QUEUE)
    old = copy.deepcopy(queue["values"])
    new = copy.deepcopy(queue["values"])
    for values, value in ((old, before), (new, after)):
        for field in ("tags", "tags_all"):
            if value is None:
                values[field].pop(key, None)
            else:
                values[field][key] = value
    plan["resource_drift"] = [
        {
            "address": QUEUE,
            "mode": "managed",
            "type": "aws_sqs_queue",
            "change": {"actions": ["update"], "before": old, "after": new},
        }
    ]
    return plan


def test_tags_map_to_owner_team_cost_center_and_account(repo: Path) -> None:
    teams = line_of(repo, "teams.yaml", "costCenter: CC-210")
    (cost,) = report(repo, tag_plan("cost-center", "CC-210", "CC-999")).findings
    assert (
        cost.text()
        == f"teams.yaml:{teams} teams.payments.costCenter CC-210, running CC-999  ({QUEUE} tags.cost-center)"
    )
    (service,) = report(repo, tag_plan("service", "orders", "shop")).findings
    assert (
        str(service.source)
        == f"services/orders/service.yaml:{line_of(repo, 'services/orders/service.yaml', 'name: orders')} name"
    )
    (env,) = report(repo, tag_plan("environment", "e2e", "prod")).findings
    assert env.source is not None and env.source.field == "environments"
    (managed,) = report(repo, tag_plan("managed-by", "infragen", "console")).findings
    assert managed.source is None and "infragen sets it" in managed.text()
    (added,) = report(repo, tag_plan("team", None, "x")).findings
    assert added.text().startswith("not set by the spec: tags.team x; a tag added outside Terraform")
    (removed,) = report(repo, tag_plan("owner", "payments", None)).findings
    assert (removed.wanted, removed.actual) == ("payments", "(removed)")


def test_a_default_tag_of_the_account(repo: Path) -> None:
    account = repo / "accounts/e2e/account.yaml"
    account.write_text(account.read_text(encoding="utf-8") + "  data-class: internal\n", encoding="utf-8")
    (found,) = report(repo, tag_plan("data-class", "internal", "public")).findings
    assert (
        str(found.source)
        == f"accounts/e2e/account.yaml:{line_of(repo, 'accounts/e2e/account.yaml', 'data-class')} defaultTags.data-class"
    )


def deleted_rule_plan(address: str) -> dict[str, Any]:
    plan = captured("fresh")
    rule = state_resource(plan, address)
    plan["resource_drift"] = [
        {
            "address": address,
            "mode": "managed",
            "type": "aws_security_group_rule",
            "change": {"actions": ["delete"], "before": rule["values"], "after": None},
        }
    ]
    # the refreshed group no longer has it either
    group = next(
        r["values"]
        for r in drift.refreshed(plan).values()
        if r["type"] == "aws_security_group" and r["values"]["id"] == rule["values"]["security_group_id"]
    )
    for direction in ("ingress", "egress"):
        group[direction] = [
            r
            for r in group[direction]
            if set(r["security_groups"] + r["cidr_blocks"])
            & {rule["values"]["source_security_group_id"], *(rule["values"]["cidr_blocks"] or [])}
            == set()
        ]
    plan["prior_state"]["values"]["root_module"] = _without(plan["prior_state"]["values"]["root_module"], address)
    return plan


def test_a_deleted_security_group_rule_names_its_declaring_dependency(repo: Path) -> None:
    (found,) = report(repo, deleted_rule_plan(CLIENTS_RULE)).findings
    billing = "services/billing/service.yaml"
    line = line_of(repo, billing, "services: [orders]")
    assert found.text() == (
        f"{billing}:{line} spec.dependencies.services exists, running deleted; declared by billing  "
        f"({CLIENTS_RULE} (resource))"
    )
    shutil.rmtree(repo / "services" / "billing")  # no dependent: the service's own declaration
    (found,) = report(repo, deleted_rule_plan(CLIENTS_RULE)).findings
    service = "services/orders/service.yaml"
    assert str(found.source) == f"{service}:{line_of(repo, service, 'name: orders')} name"
    egress = "module.service.module.ecs_service.aws_security_group_rule.https_egress[0]"
    (found,) = report(repo, deleted_rule_plan(egress)).findings
    assert found.source is None and "infragen adds HTTPS egress" in found.text()


def _without(module: dict[str, Any], address: str) -> dict[str, Any]:
    module = dict(module)
    module["resources"] = [r for r in module.get("resources", []) if r["address"] != address]
    module["child_modules"] = [_without(c, address) for c in module.get("child_modules", [])]
    return module


def test_an_egress_rule_added_by_hand(repo: Path) -> None:
    plan = captured("fresh")
    group = state_resource(plan, TASKS_GROUP)["values"]
    group["egress"].append(
        {
            "cidr_blocks": [],
            "description": "",
            "from_port": 0,
            "ipv6_cidr_blocks": [],
            "prefix_list_ids": [],
            "protocol": "-1",
            "security_groups": [],
            "self": True,
            "to_port": 0,
        }
    )
    (found,) = report(repo, plan).findings
    assert found.source is None and found.attribute == "egress"
    assert found.actual == f"all traffic to {group['id']}"


def test_a_policy_added_by_hand_and_a_module_default(repo: Path) -> None:
    plan = captured("fresh")
    role = state_resource(plan, "module.service.module.ecs_service.aws_iam_role.task")["values"]
    role["inline_policy"].append({"name": "debug", "policy": "{}"})
    log_group = "module.service.module.ecs_service.aws_cloudwatch_log_group.this"
    values = state_resource(plan, log_group)["values"]
    plan["resource_drift"] = [
        {
            "address": log_group,
            "mode": "managed",
            "type": "aws_cloudwatch_log_group",
            "change": {"actions": ["update"], "before": values, "after": {**values, "retention_in_days": 1}},
        }
    ]
    assert texts(report(repo, plan)) == [
        f"not set by the spec: retention_in_days 1; was 365; a module default (modules/)  ({log_group} retention_in_days)",
        "not set by the spec: inline_policy debug; a policy added outside Terraform  "
        "(module.service.module.ecs_service.aws_iam_role.task inline_policy)",
    ]


def test_desired_count_zero_is_drift_once_deployed(repo: Path) -> None:
    plan = captured("fresh")
    state_resource(plan, ECS)["values"]["task_definition"] = (
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders:7"
    )
    (found,) = report(repo, plan).findings
    assert (found.attribute, found.wanted, found.actual) == ("desired_count", "2", "0")


def test_autoscaling_owns_the_count_within_its_range(repo: Path) -> None:
    env_file = repo / "services/orders/environments/e2e.yaml"
    env_file.write_text(
        "overrides:\n  autoscaling: {resource: cpu, target: 60, min: 2, max: 4}\n  desiredCount: 2\n", encoding="utf-8"
    )
    plan = captured("changed")
    found = [f for f in report(repo, plan).findings if f.attribute == "desired_count"]
    assert [(f.wanted, f.actual, str(f.source)) for f in found] == [
        ("2..4", "5", "services/orders/environments/e2e.yaml:2 overrides.autoscaling")
    ]
    state_resource(plan, ECS)["values"]["desired_count"] = 3
    assert not [f for f in report(repo, plan).findings if f.attribute == "desired_count"]


def test_the_dynamic_half_is_part_of_the_report(repo: Path) -> None:
    found = drift.with_dynamic(report(repo, captured("fresh")), ["LOG_LEVEL changed (variable)"], "orders:3", "abc")
    assert found.drifted
    assert texts(found) == [
        "not deployed: LOG_LEVEL changed (variable) (roll it out: infragen deploy orders --env e2e --image-tag abc)"
    ]
    assert "running revision orders:3, image tag abc" in found.notes


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [(None, [], True), (None, {}, True), ({"period": None}, {"period": 0}, True), ([1], [2], False), (None, 1, False)],
)
def test_unset_equals_empty(a: Any, b: Any, equal: bool) -> None:
    assert drift.same(a, b) is equal


def test_cli_exit_codes_and_json(repo: Path, tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    args = ("drift", "orders", "--env", "e2e", "--static-only", "--root", str(repo))
    clean = cli(*args, "--plan", str(PLANS / "fresh.json"))
    assert clean.code == 0, clean.stderr
    assert "no drift in e2e" in clean.stdout
    changed = cli(*args, "--plan", str(PLANS / "changed.json"), "--json")
    assert changed.code == 2, changed.stderr
    data = json.loads(changed.stdout)
    assert data["drifted"] is True
    (only,) = data["reports"]
    assert only["team"] == "payments"
    assert [f["line"] for f in only["findings"]] == [3, 7, None, 4]
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    broken = cli(*args, "--plan", str(bad))
    assert broken.code == 1 and "not a plan JSON" in broken.stderr
    usage = cli("drift", "--env", "e2e", "--plan", str(PLANS / "fresh.json"), "--root", str(repo))
    assert usage.code == 2 and "name the SERVICE" in usage.stderr
    unknown = cli("drift", "nope", "--env", "e2e", "--static-only", "--root", str(repo))
    assert unknown.code == 1 and "unknown service 'nope'" in unknown.stderr


@pytest.mark.skipif(terraform_binary() is None, reason="terraform CLI not on PATH")
def test_the_terraform_seam_on_a_real_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in terraform_env().items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('resource "terraform_data" "x" {\n  input = "a"\n}\n', encoding="utf-8")
    import subprocess

    subprocess.run(["terraform", "init", "-input=false"], cwd=root, check=True, capture_output=True)
    subprocess.run(["terraform", "apply", "-auto-approve", "-input=false"], cwd=root, check=True, capture_output=True)
    shutil.rmtree(root / ".terraform", ignore_errors=True)  # the seam runs init itself when there is none
    plan = refresh_only_plan(root)
    assert not plan.get("resource_drift")
    assert [r["address"] for r in drift.refreshed(plan).values()] == ["terraform_data.x"]
    (root / "main.tf").write_text("resource {", encoding="utf-8")
    with pytest.raises(drift.DriftError, match=r"terraform (init|plan) in .* exited 1"):
        refresh_only_plan(root)
