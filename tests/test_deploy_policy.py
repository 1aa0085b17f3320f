"""The deploy role's least-privilege policy, generated per service and environment as the root's
``deploy_policy_json`` output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hcl_literal import jsonencoded

from generator.api import validate
from generator.deploy.policy import deploy_policy

ORG = Path(__file__).resolve().parent / "fixtures" / "org"  # the fixture organization
# Actions that AWS does not scope to a resource; each must be read-only or carry a condition.
UNSCOPED_OK = {
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
