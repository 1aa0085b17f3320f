"""`infragen service exec`: ECS Exec through the AWS CLI and the Session Manager plugin. moto has no
ExecuteCommand, so the command line is checked against stubbed ECS answers; a missing tool is named
before any AWS call."""

from __future__ import annotations

from typing import Any

import pytest
from test_deploy_rollout import ACCOUNT, CLUSTER, NOW, REGION, Stubs, stubs, target  # noqa: F401

from generator.deploy.aws import DeployError
from generator.deploy.service import exec_command


def test_missing_tools_are_named_before_any_aws_call(stubs: Stubs, target: Any) -> None:  # noqa: F811
    with pytest.raises(DeployError) as info:
        exec_command(stubs.aws, target, "/bin/sh", None, which=lambda tool: None)
    message = str(info.value)
    assert message.startswith("ECS Exec needs the AWS CLI v2 ('aws'), which is not installed")
    assert "; and the Session Manager plugin ('session-manager-plugin'), which is not installed" in message
    with pytest.raises(DeployError, match=r"^ECS Exec needs the Session Manager plugin"):
        exec_command(stubs.aws, target, "/bin/sh", None, which=lambda tool: "/usr/bin/aws" if tool == "aws" else None)


def test_exec_targets_the_newest_running_task_of_the_service(stubs: Stubs, target: Any) -> None:  # noqa: F811
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "A", "Account": ACCOUNT, "Arn": "arn:aws:iam::111111111111:user/dev"}
    )
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "A", "Account": ACCOUNT, "Arn": "arn:aws:iam::111111111111:user/dev"}
    )
    stubs["ecs"].add_response(
        "describe_services",
        {"services": [{"serviceName": "bpg", "status": "ACTIVE", "enableExecuteCommand": True}], "failures": []},
        {"cluster": CLUSTER, "services": ["bpg"]},
    )
    arns = [f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/staging/{i}" for i in ("old", "new", "other")]
    stubs["ecs"].add_response(
        "list_tasks", {"taskArns": arns}, {"cluster": CLUSTER, "serviceName": "bpg", "desiredStatus": "RUNNING"}
    )

    def task(arn: str, minute: int, group: str = "service:bpg") -> dict[str, Any]:
        return {
            "taskArn": arn,
            "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/bpg:7",
            "group": group,
            "lastStatus": "RUNNING",
            "desiredStatus": "RUNNING",
            "healthStatus": "HEALTHY",
            "startedAt": NOW.replace(minute=minute),
        }

    stubs["ecs"].add_response(
        "describe_tasks",
        {
            "tasks": [task(arns[0], 1), task(arns[1], 5), task(arns[2], 9, group="service:klausapproves")],
            "failures": [],
        },
        {"cluster": CLUSTER, "tasks": arns},
    )
    argv = exec_command(stubs.aws, target, "ls /tmp", None, which=lambda tool: f"/usr/bin/{tool}")
    assert argv == [
        "aws", "ecs", "execute-command", "--region", REGION, "--cluster", CLUSTER, "--task", "new",
        "--container", "bpg", "--interactive", "--command", "ls /tmp",
    ]  # fmt: skip


def test_exec_refuses_a_service_without_ecs_exec(stubs: Stubs, target: Any) -> None:  # noqa: F811
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "A", "Account": ACCOUNT, "Arn": "arn:aws:iam::111111111111:user/dev"}
    )
    stubs["ecs"].add_response(
        "describe_services",
        {"services": [{"serviceName": "bpg", "status": "ACTIVE", "enableExecuteCommand": False}], "failures": []},
        {"cluster": CLUSTER, "services": ["bpg"]},
    )
    with pytest.raises(DeployError, match=r"^ECS Exec is not enabled on service 'bpg' in staging"):
        exec_command(stubs.aws, target, "/bin/sh", None, which=lambda tool: f"/usr/bin/{tool}")
