"""The deploy role's least-privilege policy, generated per service and environment as the root's
``deploy_policy_json`` output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hcl_literal import jsonencoded

from generator.api import validate
from generator.plan.policy import deploy_policy

ORG = Path(__file__).resolve().parent / "fixtures" / "org"  # the fixture organization
# Actions that AWS does not scope to a resource; each must be read-only or carry a condition.
UNSCOPED_OK = {
    "ec2:DescribeSubnets",
    "ecr:GetAuthorizationToken",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTaskDefinitions",
    "logs:DescribeLogGroups",
    "ssm:DescribeParameters",
}


def statements(service: str, env: str) -> list[dict[str, Any]]:
    repo = validate(ORG)
    result: list[dict[str, Any]] = deploy_policy(repo.service(service), repo.account(env))["Statement"]
    return result


def test_every_mutating_action_is_scoped_to_the_service() -> None:
    for statement in statements("bpg", "staging"):
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if resources == ["*"]:
            unscoped = set(statement["Action"]) - UNSCOPED_OK
            assert not unscoped or "Condition" in statement, (statement["Sid"], unscoped)
            continue
        for resource in resources:
            assert re.search(r"bpg|cluster/staging$", resource), (statement["Sid"], resource)
    by_sid = {s["Sid"]: s for s in statements("bpg", "staging")}
    assert by_sid["UpdateOwnService"]["Resource"] == "arn:aws:ecs:eu-west-1:111111111111:service/staging/bpg"
    assert by_sid["RegisterOwnFamily"]["Condition"] == {"StringEquals": {"aws:RequestTag/service": "bpg"}}
    assert by_sid["PassOwnRoles"]["Resource"] == [
        "arn:aws:iam::111111111111:role/bpg-execution",
        "arn:aws:iam::111111111111:role/bpg-task",
    ]
    assert by_sid["PassOwnRoles"]["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    # infragen run: one-off tasks of its own family on its cluster only, and their log streams
    assert by_sid["RunOwnTasks"]["Resource"] == "arn:aws:ecs:eu-west-1:111111111111:task-definition/bpg:*"
    assert by_sid["RunOwnTasks"]["Condition"] == {
        "ArnEquals": {"ecs:cluster": "arn:aws:ecs:eu-west-1:111111111111:cluster/staging"}
    }
    assert "logs:GetLogEvents" in by_sid["ReadLogs"]["Action"]
    actions = {a for s in statements("bpg", "staging") for a in s["Action"]}
    assert "ecs:ExecuteCommand" not in actions  # exec is for people, not the deploy role
    assert not {a for a in actions if a.startswith("secretsmanager:Get") or a.startswith("ssm:GetParameter")}


def test_the_root_outputs_the_policy() -> None:
    text = (ORG / "accounts/production/services/klausapproves/outputs.tf").read_text(encoding="utf-8")
    assert re.search(r'output "deploy_policy_json" \{\n.*\n  value = jsonencode\(\{\n', text)
    policy = jsonencoded(text, 'output "deploy_policy_json"')
    repo = validate(ORG)
    assert policy == deploy_policy(repo.service("klausapproves"), repo.account("production"))


JOB = Path(__file__).resolve().parent / "golden" / "job" / "input"  # the golden job case's inputs


def test_a_jobs_policy_updates_its_schedule_and_no_ecs_service() -> None:
    repo = validate(JOB)
    policy = deploy_policy(repo.service("reconcile"), repo.account("dev"))["Statement"]
    by_sid = {s["Sid"]: s for s in policy}
    assert by_sid["UpdateOwnSchedule"] == {
        "Sid": "UpdateOwnSchedule",
        "Effect": "Allow",
        "Action": ["scheduler:GetSchedule", "scheduler:UpdateSchedule"],
        "Resource": "arn:aws:scheduler:us-east-1:333333333333:schedule/reconcile/reconcile",
    }
    # UpdateSchedule passes the target's RoleArn: exactly the job's Scheduler role, to Scheduler only
    assert by_sid["PassOwnSchedulerRole"] == {
        "Sid": "PassOwnSchedulerRole",
        "Effect": "Allow",
        "Action": ["iam:PassRole"],
        "Resource": "arn:aws:iam::333333333333:role/reconcile-scheduler",
        "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
    }
    # registering and running revisions of its family as for a service
    assert by_sid["RegisterOwnFamily"]["Condition"] == {"StringEquals": {"aws:RequestTag/service": "reconcile"}}
    assert by_sid["RunOwnTasks"]["Resource"] == "arn:aws:ecs:us-east-1:333333333333:task-definition/reconcile:*"
    assert by_sid["PassOwnRoles"]["Resource"] == [
        "arn:aws:iam::333333333333:role/reconcile-execution",
        "arn:aws:iam::333333333333:role/reconcile-task",
    ]
    assert "arn:aws:iam::333333333333:role/reconcile-scheduler" in by_sid["VerifyRoles"]["Resource"]
    actions = {a for s in policy for a in s["Action"]}
    assert not {a for a in actions if a.startswith("ecs:") and "Service" in a}  # no ECS service at all
    assert {a for a in actions if a.startswith("scheduler:")} == {"scheduler:GetSchedule", "scheduler:UpdateSchedule"}
    assert "UpdateOwnService" not in by_sid
    resources = [r for s in policy for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert not [r for r in resources if ":service/" in r]
    # the generated root prints the same policy
    root = Path(__file__).resolve().parent / "golden" / "job" / "expected"
    text = (root / "accounts/dev/services/reconcile/outputs.tf").read_text(encoding="utf-8")
    assert jsonencoded(text, 'output "deploy_policy_json"') == {"Version": "2012-10-17", "Statement": policy}


def test_a_services_policy_has_no_scheduler_actions() -> None:
    repo = validate(JOB)
    policy = deploy_policy(repo.service("api"), repo.account("dev"))["Statement"]
    assert not [a for s in policy for a in s["Action"] if a.startswith("scheduler:")]
    assert {s["Sid"] for s in policy} >= {"UpdateOwnService"}
