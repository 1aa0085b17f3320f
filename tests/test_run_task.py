"""`infragen run`: a one-off task of a service, with botocore's Stubber fed responses in the real
ECS and CloudWatch Logs API shapes (moto does not run tasks: they never stop nor log). The Stubber
checks every request against the API model, and the expected parameters pin what is started: the
service's current task definition, its network configuration and launch type, the command override."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from conftest import run_cli

from generator.deploy import run as runner
from generator.deploy.aws import Aws, DeployError, Target, resolve

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dbusers"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/staging"
TASKDEF = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/ledger:12"
OLD_TASKDEF = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/ledger:11"
TASK = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/staging/0123456789abcdef0123456789abcdef"
TASK_ID = "0123456789abcdef0123456789abcdef"
NETWORK = {
    "awsvpcConfiguration": {
        "subnets": ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"],
        "securityGroups": ["sg-0000000000000aaaa", "sg-0000000000000bbbb"],
        "assignPublicIp": "DISABLED",
    }
}
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
COMMAND = ["./migrate", "up", "--to", "42"]


@dataclass
class Clock:
    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@dataclass
class Stubs:
    aws: Aws
    stubbers: dict[str, Stubber]

    def __getitem__(self, name: str) -> Stubber:
        return self.stubbers[name]


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    clients, stubbers = {}, {}
    for name in ("ecs", "sts", "logs"):
        clients[name] = boto3.client(
            name,
            region_name=REGION,
            aws_access_key_id="stub",
            aws_secret_access_key="stub",
            endpoint_url="http://127.0.0.1:9",
        )
        stubbers[name] = Stubber(clients[name])
        stubbers[name].activate()
    yield Stubs(Aws(region=REGION, _clients=clients), stubbers)
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()  # every stubbed call was made, in order
        stubber.deactivate()


@pytest.fixture
def target() -> Target:
    return resolve(FIXTURE, "ledger", "staging")


def task(status: str, exit_code: int | None = None, reason: str = "") -> dict[str, Any]:
    container: dict[str, Any] = {"name": "ledger", "lastStatus": status}
    if exit_code is not None:
        container["exitCode"] = exit_code
    if reason:
        container["reason"] = reason
    item: dict[str, Any] = {
        "taskArn": TASK,
        "clusterArn": CLUSTER,
        "taskDefinitionArn": TASKDEF,
        "lastStatus": status,
        "desiredStatus": "STOPPED" if status == "STOPPED" else "RUNNING",
        "startedBy": "infragen-run",
        "containers": [container],
        "createdAt": NOW,
    }
    if status == "STOPPED":
        item["stoppedReason"] = "Essential container in task exited" if exit_code is not None else reason
    return item


def expect_start(stubs: Stubs, *, capacity: bool = False) -> None:
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "AIDA", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/dev"}
    )
    service: dict[str, Any] = {
        "serviceName": "ledger",
        "clusterArn": CLUSTER,
        "status": "ACTIVE",
        "taskDefinition": OLD_TASKDEF,  # the service field lags; the PRIMARY deployment is what runs now
        "deployments": [
            {"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": TASKDEF},
            {"id": "ecs-svc/0", "status": "ACTIVE", "taskDefinition": OLD_TASKDEF},
        ],
        "networkConfiguration": NETWORK,
        "platformVersion": "LATEST",
    }
    if capacity:
        service["capacityProviderStrategy"] = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    else:
        service["launchType"] = "FARGATE"
    stubs["ecs"].add_response(
        "describe_services", {"services": [service], "failures": []}, {"cluster": CLUSTER, "services": ["ledger"]}
    )
    stubs["ecs"].add_response(
        "describe_task_definition",
        {
            "taskDefinition": {
                "taskDefinitionArn": TASKDEF,
                "family": "ledger",
                "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ledger-task",
                "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ledger-execution",
                "containerDefinitions": [
                    {
                        "name": "ledger",
                        "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/ledger:v7",
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": "/ecs/ledger",
                                "awslogs-region": REGION,
                                "awslogs-stream-prefix": "ledger",
                            },
                        },
                    }
                ],
            }
        },
        {"taskDefinition": TASKDEF},
    )
    launch: dict[str, Any] = (
        {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}
        if capacity
        else {"launchType": "FARGATE"}
    )
    stubs["ecs"].add_response(
        "run_task",
        {"tasks": [task("PROVISIONING")], "failures": []},
        {
            "cluster": CLUSTER,
            "taskDefinition": TASKDEF,
            "count": 1,
            "networkConfiguration": NETWORK,
            "overrides": {"containerOverrides": [{"name": "ledger", "command": COMMAND}]},
            "startedBy": "infragen-run",
            "platformVersion": "LATEST",
            **launch,
        },
    )


def expect_poll(stubs: Stubs, status: dict[str, Any], *pages: list[str], token: str = "") -> None:
    stubs["ecs"].add_response(
        "describe_tasks", {"tasks": [status], "failures": []}, {"cluster": CLUSTER, "tasks": [TASK]}
    )
    for number, messages in enumerate(pages):
        request: dict[str, Any] = {
            "logGroupName": "/ecs/ledger",
            "logStreamName": f"ledger/ledger/{TASK_ID}",
            "startFromHead": True,
        }
        if token:
            request["nextToken"] = token
        token = f"f/{len(messages)}/{number}/{status['lastStatus']}"
        stubs["logs"].add_response(
            "get_log_events",
            {
                "events": [{"timestamp": 1, "message": m, "ingestionTime": 2} for m in messages],
                "nextForwardToken": token,
                "nextBackwardToken": "b/0",
            },
            request,
        )


def test_runs_the_current_revision_streams_logs_and_returns_the_exit_code(stubs: Stubs, target: Target) -> None:
    clock, out, notes = Clock(), [], []
    expect_start(stubs)
    stubs["ecs"].add_response(
        "describe_tasks", {"tasks": [task("PENDING")], "failures": []}, {"cluster": CLUSTER, "tasks": [TASK]}
    )
    stubs["logs"].add_client_error(
        "get_log_events", "ResourceNotFoundException", "The specified log stream does not exist.", 400
    )  # the container has not written yet
    expect_poll(stubs, task("RUNNING"), ["migrating 41 -> 42"])
    expect_poll(stubs, task("STOPPED", exit_code=0), ["done", "bye"], [], token="f/1/0/RUNNING")
    code = runner.run(
        stubs.aws, target, COMMAND, echo=out.append, note=notes.append, sleep=clock.sleep, now=clock, interval=5
    )
    assert code == 0
    assert out == ["migrating 41 -> 42", "done", "bye"]
    assert notes == [
        f"started task {TASK_ID} (ledger:12) in subnets subnet-0a1b2c3d4e5f60011, subnet-0a1b2c3d4e5f60012, "
        "security groups sg-0000000000000aaaa, sg-0000000000000bbbb"
    ]
    assert clock.sleeps == [5, 5]


def test_the_container_exit_code_is_returned(stubs: Stubs, target: Target) -> None:
    expect_start(stubs, capacity=True)  # a service on a capacity provider strategy keeps it
    expect_poll(stubs, task("STOPPED", exit_code=3), ['relation "invoices" already exists'], [])
    out: list[str] = []
    code = runner.run(stubs.aws, target, COMMAND, echo=out.append, note=lambda _: None, sleep=lambda _: None)
    assert code == 3 and out == ['relation "invoices" already exists']


def test_a_task_that_never_ran_is_one_line_error(stubs: Stubs, target: Target) -> None:
    expect_start(stubs)
    reason = "CannotPullContainerError: pull image manifest has been retried 1 time(s): ledger:v7 not found"
    expect_poll(stubs, task("STOPPED", reason=reason), [])
    with pytest.raises(DeployError, match=f"task {TASK_ID} stopped before its command ran to the end: CannotPull"):
        runner.run(stubs.aws, target, COMMAND, echo=print, note=lambda _: None, sleep=lambda _: None)


def test_run_task_failures_are_reported(stubs: Stubs, target: Target) -> None:
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "AIDA", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/dev"}
    )
    stubs["ecs"].add_response(
        "describe_services",
        {"services": [], "failures": [{"arn": "x", "reason": "MISSING"}]},
        {"cluster": CLUSTER, "services": ["ledger"]},
    )
    with pytest.raises(DeployError, match="service 'ledger' not found"):
        runner.run(stubs.aws, target, COMMAND, echo=print, note=print)


def test_timeout_stops_the_task(stubs: Stubs, target: Target) -> None:
    clock = Clock()
    expect_start(stubs)
    expect_poll(stubs, task("RUNNING"), [])
    expect_poll(stubs, task("RUNNING"), [], token="f/0/0/RUNNING")
    stubs["ecs"].add_response(
        "stop_task",
        {"task": task("STOPPED", exit_code=137)},
        {"cluster": CLUSTER, "task": TASK, "reason": "infragen run timed out after 10 s"},
    )
    with pytest.raises(DeployError, match=f"task {TASK_ID} still RUNNING after 10 s; stopped it"):
        runner.run(
            stubs.aws, target, COMMAND, timeout=10, echo=print, note=print, sleep=clock.sleep, now=clock, interval=10
        )


def test_wrong_account_is_refused_before_anything_starts(stubs: Stubs, target: Target) -> None:
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "AIDA", "Account": "999999999999", "Arn": "arn:aws:iam::999999999999:user/x"}
    )
    with pytest.raises(DeployError, match="wrong AWS account"):
        runner.run(stubs.aws, target, COMMAND, echo=print, note=print)


def test_cli_needs_a_command() -> None:
    result = run_cli("run", "ledger", "--env", "staging", "--root", str(FIXTURE))
    assert result.code == 2 and "Missing argument 'COMMAND...'" in result.stderr, result.stderr
