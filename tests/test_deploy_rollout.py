"""Waiting, progress and failure handling of deploy/rollback/restart, with botocore's Stubber fed
responses in the real ECS API's shapes (moto does not simulate rollouts: its deployments stay
IN_PROGRESS with no running tasks). The Stubber also checks every request against the API model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from generator.deploy import rollout
from generator.deploy.aws import Aws, DeployError, resolve
from generator.deploy.rollout import Progress, Waiter

ORG = Path(__file__).resolve().parent / "fixtures" / "org"  # the fixture organization
ACCOUNT = "111111111111"
REGION = "eu-west-1"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/staging"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/staging/bpg"
OLD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/bpg:6"
NEW = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/bpg:7"
NEW_DEPLOYMENT = "ecs-svc/1111111111111111111"
OLD_DEPLOYMENT = "ecs-svc/2222222222222222222"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def deployment(
    id_: str,
    status: str,
    task_definition: str,
    state: str,
    running: int,
    pending: int,
    failed: int = 0,
    reason: str = "",
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": id_,
        "status": status,
        "taskDefinition": task_definition,
        "desiredCount": 2,
        "pendingCount": pending,
        "runningCount": running,
        "failedTasks": failed,
        "createdAt": NOW,
        "updatedAt": NOW,
        "launchType": "FARGATE",
        "rolloutState": state,
    }
    if reason:
        item["rolloutStateReason"] = reason
    return item


def service(*deployments: dict[str, Any], task_definition: str = OLD) -> dict[str, Any]:
    return {
        "serviceArn": SERVICE_ARN,
        "serviceName": "bpg",
        "clusterArn": CLUSTER,
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "taskDefinition": task_definition,
        "deployments": list(deployments),
        "events": [],
    }


def stopped_task(task_id: str, reason: str) -> dict[str, Any]:
    return {
        "taskArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/staging/{task_id}",
        "clusterArn": CLUSTER,
        "taskDefinitionArn": NEW,
        "group": "service:bpg",
        "lastStatus": "STOPPED",
        "desiredStatus": "STOPPED",
        "startedBy": NEW_DEPLOYMENT,
        "stopCode": "ServiceSchedulerInitiated",
        "stoppedReason": reason,
        "createdAt": NOW,
    }


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

    def poll(self, *deployments: dict[str, Any], stopped: list[dict[str, Any]] | None = None) -> None:
        """One Waiter round: DescribeServices, then ListTasks (and DescribeTasks for new stops)."""
        ecs = self["ecs"]
        ecs.add_response(
            "describe_services", {"services": [service(*deployments)], "failures": []},
            {"cluster": CLUSTER, "services": ["bpg"]},
        )  # fmt: skip
        arns = [t["taskArn"] for t in stopped or []]
        ecs.add_response(
            "list_tasks", {"taskArns": arns},
            {"cluster": CLUSTER, "startedBy": NEW_DEPLOYMENT, "desiredStatus": "STOPPED"},
        )  # fmt: skip
        if stopped:
            ecs.add_response("describe_tasks", {"tasks": stopped, "failures": []}, {"cluster": CLUSTER, "tasks": arns})


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    clients, stubbers = {}, {}
    for name in ("ecs", "sts", "ecr"):
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
def target() -> Any:
    return resolve(ORG, "bpg", "staging")


def expect_deploy_start(stubs: Stubs, tag: str = "v42", *, no_new_deployment: bool = False) -> None:
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "AIDA", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/ci"}
    )
    stubs["ecr"].add_response(
        "describe_images",
        {
            "imageDetails": [
                {"registryId": ACCOUNT, "repositoryName": "bpg", "imageDigest": "sha256:ab", "imageTags": [tag]}
            ]
        },
        {"repositoryName": "bpg", "imageIds": [{"imageTag": tag}]},
    )
    stubs["ecs"].add_response(
        "describe_services", {"services": [service(deployment(OLD_DEPLOYMENT, "PRIMARY", OLD, "COMPLETED", 2, 0))]},
        {"cluster": CLUSTER, "services": ["bpg"]},
    )  # fmt: skip
    stubs["ecs"].add_response(
        "register_task_definition",
        {"taskDefinition": {"taskDefinitionArn": NEW, "family": "bpg", "revision": 7}},
        {
            "family": "bpg",
            "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/bpg-task",
            "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/bpg-execution",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": ANY,
            "volumes": [{"name": "tmp"}],
            "tags": ANY,
        },
    )
    deployments = (
        # what moto answers: the service names the new revision, its only deployment is still the old one
        [deployment(OLD_DEPLOYMENT, "PRIMARY", OLD, "COMPLETED", 2, 0)]
        if no_new_deployment
        else [
            deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 0, 0),
            deployment(OLD_DEPLOYMENT, "ACTIVE", OLD, "COMPLETED", 2, 0),
        ]
    )
    stubs["ecs"].add_response(
        "update_service",
        {"service": service(*deployments, task_definition=NEW)},
        # bpg has no autoscaling in staging: the spec's desiredCount travels with the deploy
        {"cluster": CLUSTER, "service": "bpg", "taskDefinition": NEW, "desiredCount": 2},
    )


def waiter(stubs: Stubs, target: Any, clock: Clock, seen: list[Progress], timeout: float = 600) -> Waiter:
    return Waiter(stubs.aws, target, timeout=timeout, interval=6, report=seen.append, sleep=clock.sleep, clock=clock)


def test_deploy_waits_until_completed_and_reports_progress(stubs: Stubs, target: Any) -> None:
    expect_deploy_start(stubs)
    stubs.poll(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 0, 2))
    stubs.poll(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 1, 1))
    stubs.poll(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "COMPLETED", 2, 0))
    clock, seen = Clock(), []
    outcome = rollout.deploy(stubs.aws, target, "v42", waiter(stubs, target, clock, seen))
    assert outcome.ok, outcome.message
    assert outcome.task_definition == NEW and outcome.deployment == NEW_DEPLOYMENT
    assert [(p.rollout_state, p.running, p.pending) for p in seen] == [
        ("IN_PROGRESS", 0, 2),
        ("IN_PROGRESS", 1, 1),
        ("COMPLETED", 2, 0),
    ]
    assert seen[1].line() == "IN_PROGRESS running 1/2  pending 1  failed tasks 0"
    assert clock.sleeps == [6, 6]


def test_a_primary_deployment_of_another_revision_is_not_reported_as_completed(stubs: Stubs, target: Any) -> None:
    # seen in the sandbox: `deploy` without --no-wait said "deployment completed" at once, about the
    # old revision's COMPLETED deployment, while nothing of the new revision ran
    expect_deploy_start(stubs, no_new_deployment=True)
    stubs["ecs"].add_response(
        "describe_services",
        {"services": [service(deployment(OLD_DEPLOYMENT, "PRIMARY", OLD, "COMPLETED", 2, 0))], "failures": []},
        {"cluster": CLUSTER, "services": ["bpg"]},
    )
    clock, seen = Clock(), []
    outcome = rollout.deploy(stubs.aws, target, "v42", waiter(stubs, target, clock, seen))
    assert not outcome.ok
    assert outcome.message == (
        f"the PRIMARY deployment {OLD_DEPLOYMENT} runs bpg:6, not bpg:7: ECS started no deployment of the "
        "new revision; see infragen status bpg --env staging"
    )
    assert seen == []


def test_register_tags_the_revision_with_tag_commit_and_caller(stubs: Stubs, target: Any) -> None:
    expect_deploy_start(stubs)
    calls: list[dict[str, Any]] = []
    stubs.aws.client("ecs").meta.events.register(
        "provide-client-params.ecs.RegisterTaskDefinition", lambda params, **_: calls.append(params)
    )
    outcome = rollout.deploy(stubs.aws, target, "v42", None)
    assert outcome.ok and outcome.message == "deployment started (not waiting)"
    tags = {t["key"]: t["value"] for t in calls[0]["tags"]}
    assert tags["infragen:image-tag"] == "v42"
    assert tags["infragen:deployed-by"] == f"arn:aws:iam::{ACCOUNT}:user/ci"
    assert len(tags["infragen:infra-commit"].split("-")[0]) == 40
    assert calls[0]["containerDefinitions"][0]["image"] == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/bpg:v42"


def test_circuit_breaker_rollback_fails_with_the_reason(stubs: Stubs, target: Any) -> None:
    expect_deploy_start(stubs)
    crash = stopped_task("aaaa", "Essential container in task exited")
    stubs.poll(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 0, 2))
    stubs.poll(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 0, 1, failed=1), stopped=[crash])
    stubs.poll(
        deployment(OLD_DEPLOYMENT, "PRIMARY", OLD, "IN_PROGRESS", 2, 0),
        deployment(
            NEW_DEPLOYMENT, "ACTIVE", NEW, "FAILED", 0, 0, failed=3,
            reason="ECS deployment circuit breaker: tasks failed to start.",
        ),
    )  # fmt: skip
    clock, seen = Clock(), []
    outcome = rollout.deploy(stubs.aws, target, "v42", waiter(stubs, target, clock, seen))
    assert not outcome.ok
    assert outcome.message == (
        "rollout FAILED: ECS deployment circuit breaker: tasks failed to start.; "
        "stopped tasks: aaaa: Essential container in task exited"
    )
    assert seen[1].failed == 1 and "Essential container" in seen[1].line()


def test_tasks_stopped_by_failing_health_checks_are_named(stubs: Stubs, target: Any) -> None:
    expect_deploy_start(stubs)
    reason = "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/bpg/0123456789abcdef)"
    stubs.poll(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 2, 0))
    stubs.poll(
        deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 0, 2, failed=2),
        stopped=[stopped_task("bbbb", reason), stopped_task("cccc", reason)],
    )
    stubs.poll(
        deployment(
            NEW_DEPLOYMENT,
            "PRIMARY",
            NEW,
            "FAILED",
            0,
            0,
            failed=4,
            reason="ECS deployment circuit breaker: tasks failed to start.",
        ),
        stopped=[stopped_task("dddd", reason)],
    )
    clock, seen = Clock(), []
    outcome = rollout.deploy(stubs.aws, target, "v42", waiter(stubs, target, clock, seen))
    assert not outcome.ok
    assert "rollout FAILED" in outcome.message
    assert "bbbb: Task failed ELB health checks" in outcome.message
    assert "dddd: Task failed ELB health checks" in outcome.message
    assert "health checks" in seen[1].line()


def test_timeout_fails_with_the_last_state(stubs: Stubs, target: Any) -> None:
    expect_deploy_start(stubs)
    for _ in range(3):
        stubs.poll(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 1, 1))
    clock, seen = Clock(), []
    outcome = rollout.deploy(stubs.aws, target, "v42", waiter(stubs, target, clock, seen, timeout=10))
    assert not outcome.ok
    assert outcome.message == (
        "timed out after 10s waiting for the rollout (IN_PROGRESS running 1/2  pending 1  failed tasks 0)"
    )
    assert len(seen) == 3 and clock.now == 12


def test_throttled_polls_back_off_and_continue(stubs: Stubs, target: Any) -> None:
    expect_deploy_start(stubs)
    for _ in range(2):
        stubs["ecs"].add_client_error(
            "describe_services", service_error_code="ThrottlingException", service_message="Rate exceeded",
            http_status_code=400,
        )  # fmt: skip
    stubs.poll(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "COMPLETED", 2, 0))
    clock, seen = Clock(), []
    outcome = rollout.deploy(stubs.aws, target, "v42", waiter(stubs, target, clock, seen))
    assert outcome.ok
    assert clock.sleeps == [12, 24]  # doubled each time, from the 6 s interval


def test_other_errors_while_waiting_are_one_line_deploy_errors(stubs: Stubs, target: Any) -> None:
    expect_deploy_start(stubs)
    stubs["ecs"].add_client_error(
        "describe_services",
        service_error_code="AccessDeniedException",
        service_message="not allowed",
        http_status_code=400,
    )
    clock, seen = Clock(), []
    with pytest.raises(DeployError) as info:
        rollout.deploy(stubs.aws, target, "v42", waiter(stubs, target, clock, seen))
    assert str(info.value) == "ecs:DescribeServices: AccessDeniedException: not allowed"


def test_wrong_account_is_refused_before_anything_changes(stubs: Stubs, target: Any) -> None:
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "AIDA", "Account": "999999999999", "Arn": "arn:aws:iam::999999999999:user/x"}
    )
    with pytest.raises(
        DeployError, match=r"wrong AWS account: the credentials are for 999999999999 .* says 111111111111"
    ):
        rollout.deploy(stubs.aws, target, "v42", None)


def test_rollback_picks_the_previous_deployed_revision_and_waits(stubs: Stubs, target: Any) -> None:
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "A", "Account": ACCOUNT, "Arn": "arn:aws:iam::111111111111:user/ci"}
    )
    stubs["ecs"].add_response(
        "describe_services", {"services": [service(deployment(OLD_DEPLOYMENT, "PRIMARY", NEW, "COMPLETED", 2, 0), task_definition=NEW)]},
        {"cluster": CLUSTER, "services": ["bpg"]},
    )  # fmt: skip
    bootstrap = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/bpg:1"
    stubs["ecs"].add_response(
        "list_task_definitions", {"taskDefinitionArns": [NEW, OLD, bootstrap]}, {"familyPrefix": "bpg", "sort": "DESC"}
    )
    stubs["ecs"].add_response(
        "describe_task_definition",
        {
            "taskDefinition": {"taskDefinitionArn": OLD, "family": "bpg"},
            "tags": [{"key": "infragen:image-tag", "value": "v41"}],
        },
        {"taskDefinition": OLD, "include": ["TAGS"]},
    )
    stubs["ecs"].add_response(
        "update_service",
        {"service": service(deployment(NEW_DEPLOYMENT, "PRIMARY", OLD, "IN_PROGRESS", 0, 0), task_definition=OLD)},
        {"cluster": CLUSTER, "service": "bpg", "taskDefinition": OLD, "desiredCount": 2},
    )
    stubs.poll(deployment(NEW_DEPLOYMENT, "PRIMARY", OLD, "COMPLETED", 2, 0))
    clock, seen = Clock(), []
    outcome = rollout.rollback(stubs.aws, target, None, waiter(stubs, target, clock, seen))
    assert outcome.ok and outcome.task_definition == OLD


def test_restart_is_a_forced_deployment_of_the_running_revision(stubs: Stubs, target: Any) -> None:
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "A", "Account": ACCOUNT, "Arn": "arn:aws:iam::111111111111:user/ci"}
    )
    stubs["ecs"].add_response(
        "describe_services", {"services": [service(deployment(OLD_DEPLOYMENT, "PRIMARY", NEW, "COMPLETED", 2, 0), task_definition=NEW)]},
        {"cluster": CLUSTER, "services": ["bpg"]},
    )  # fmt: skip
    stubs["ecs"].add_response(
        "update_service",
        {"service": service(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 0, 0), task_definition=NEW)},
        {"cluster": CLUSTER, "service": "bpg", "taskDefinition": NEW, "desiredCount": 2, "forceNewDeployment": True},
    )
    stubs.poll(
        deployment(
            NEW_DEPLOYMENT,
            "PRIMARY",
            NEW,
            "FAILED",
            0,
            0,
            failed=2,
            reason="ECS deployment circuit breaker: tasks failed to start.",
        )
    )
    clock, seen = Clock(), []
    outcome = rollout.restart(stubs.aws, target, waiter(stubs, target, clock, seen))
    assert not outcome.ok and outcome.message.startswith("rollout FAILED: ECS deployment circuit breaker")


def test_status_of_the_bootstrap_revision_says_nothing_was_deployed(stubs: Stubs, target: Any) -> None:
    from generator.deploy import inspect
    from generator.plan import taskdef

    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "A", "Account": ACCOUNT, "Arn": "arn:aws:iam::111111111111:user/ci"}
    )
    bootstrap = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/bpg:1"
    running = service(deployment(OLD_DEPLOYMENT, "PRIMARY", bootstrap, "COMPLETED", 0, 0), task_definition=bootstrap)
    stubs["ecs"].add_response("describe_services", {"services": [running]}, {"cluster": CLUSTER, "services": ["bpg"]})
    definition = taskdef.task_definition(target.repo, target.service, target.account, "bootstrap")
    definition.pop("tags")
    definition["memory"] = "2048"  # the spec says 1024 now
    stubs["ecs"].add_response(
        "describe_task_definition",
        {"taskDefinition": {**definition, "taskDefinitionArn": bootstrap, "revision": 1}, "tags": []},
        {"taskDefinition": bootstrap, "include": ["TAGS"]},
    )
    result = inspect.status(stubs.aws, target)
    assert result.image_tag == "bootstrap"
    assert result.pending_changes == ("memory 2048 → 1024",)
    assert result.text().endswith(
        "nothing has been deployed yet (the bootstrap revision runs): push an image and run "
        "`infragen deploy bpg --env staging --image-tag <tag>`"
    )


@pytest.mark.parametrize(("running_count", "sent"), [(0, 1), (1, None), (2, None)])
def test_autoscaled_first_deploy_raises_the_count_to_the_floor_and_never_lowers_it(
    stubs: Stubs, running_count: int, sent: int | None
) -> None:
    """klausapproves autoscales 1-2 in staging. Before its first deploy the root leaves it at 0
    tasks; App Auto Scaling would not raise that, so the deploy sets the floor, and only then."""
    target = resolve(ORG, "klausapproves", "staging")
    name, arn = "klausapproves", SERVICE_ARN.replace("/bpg", "/klausapproves")
    current = {**service(deployment(OLD_DEPLOYMENT, "PRIMARY", OLD, "COMPLETED", 0, 0)), "desiredCount": running_count}
    current.update(serviceName=name, serviceArn=arn)
    stubs["ecs"].add_response(
        "describe_services", {"services": [current], "failures": []}, {"cluster": CLUSTER, "services": [name]}
    )
    expected: dict[str, Any] = {"cluster": CLUSTER, "service": name, "taskDefinition": NEW}
    if sent is not None:
        expected["desiredCount"] = sent
    updated = {**current, "deployments": [deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 0, 0)]}
    stubs["ecs"].add_response("update_service", {"service": updated}, expected)
    deployment_, _ = rollout._update(stubs.aws, target, NEW)
    assert deployment_ == NEW_DEPLOYMENT


TARGET_GROUP = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/bpg-ex/0123456789abcdef"


def _with_load_balancer(item: dict[str, Any], port: int) -> dict[str, Any]:
    return {**item, "loadBalancers": [{"targetGroupArn": TARGET_GROUP, "containerName": "bpg", "containerPort": port}]}


def expect_port_change_deploy(stubs: Stubs, running_port: int, sent: list[dict[str, Any]] | None) -> None:
    """A deploy of bpg (spec port 8080) to a service whose load balancer names ``running_port``:
    the UpdateService must carry ``sent`` as loadBalancers (None: no loadBalancers key at all)."""
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "AIDA", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/ci"}
    )
    stubs["ecr"].add_response(
        "describe_images",
        {
            "imageDetails": [
                {"registryId": ACCOUNT, "repositoryName": "bpg", "imageDigest": "sha256:ab", "imageTags": ["v42"]}
            ]
        },
        {"repositoryName": "bpg", "imageIds": [{"imageTag": "v42"}]},
    )
    running = _with_load_balancer(service(deployment(OLD_DEPLOYMENT, "PRIMARY", OLD, "COMPLETED", 2, 0)), running_port)
    stubs["ecs"].add_response("describe_services", {"services": [running]}, {"cluster": CLUSTER, "services": ["bpg"]})
    stubs["ecs"].add_response(
        "register_task_definition", {"taskDefinition": {"taskDefinitionArn": NEW, "family": "bpg", "revision": 7}}
    )
    expected: dict[str, Any] = {"cluster": CLUSTER, "service": "bpg", "taskDefinition": NEW, "desiredCount": 2}
    if sent is not None:
        expected["loadBalancers"] = sent
    stubs["ecs"].add_response(
        "update_service",
        {"service": service(deployment(NEW_DEPLOYMENT, "PRIMARY", NEW, "IN_PROGRESS", 0, 0), task_definition=NEW)},
        expected,
    )


def test_a_port_change_moves_task_definition_and_load_balancer_in_one_update(stubs: Stubs, target: Any) -> None:
    """Review finding 1: ECS refuses a load balancer container port that the service's task
    definition does not map. The deploy of a spec whose port (8080) differs from the port the
    service's load balancer names (8000) sends the new task definition and the moved load
    balancer configuration (same target group, same container) in the same UpdateService."""
    assert target.service.port == 8080
    expect_port_change_deploy(
        stubs, 8000, [{"targetGroupArn": TARGET_GROUP, "containerName": "bpg", "containerPort": 8080}]
    )
    calls: list[dict[str, Any]] = []
    stubs.aws.client("ecs").meta.events.register(
        "provide-client-params.ecs.RegisterTaskDefinition", lambda params, **_: calls.append(params)
    )
    outcome = rollout.deploy(stubs.aws, target, "v42", None)
    assert outcome.ok
    (http,) = [p for p in calls[0]["containerDefinitions"][0]["portMappings"] if p["name"] == "http"]
    assert http["containerPort"] == 8080  # the registered revision maps the port the update names


def test_an_unchanged_port_sends_no_load_balancers(stubs: Stubs, target: Any) -> None:
    expect_port_change_deploy(stubs, 8080, None)
    assert rollout.deploy(stubs.aws, target, "v42", None).ok


def test_rollback_across_a_port_change_moves_the_load_balancer_back(stubs: Stubs, target: Any) -> None:
    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "A", "Account": ACCOUNT, "Arn": "arn:aws:iam::111111111111:user/ci"}
    )
    running = _with_load_balancer(
        service(deployment(OLD_DEPLOYMENT, "PRIMARY", NEW, "COMPLETED", 2, 0), task_definition=NEW), 8080
    )
    stubs["ecs"].add_response("describe_services", {"services": [running]}, {"cluster": CLUSTER, "services": ["bpg"]})
    stubs["ecs"].add_response(
        "describe_task_definition",
        {
            "taskDefinition": {
                "taskDefinitionArn": OLD,
                "family": "bpg",
                "containerDefinitions": [
                    {"name": "bpg", "portMappings": [{"name": "http", "containerPort": 8000, "protocol": "tcp"}]}
                ],
            },
            "tags": [{"key": "infragen:image-tag", "value": "v6"}],
        },
        {"taskDefinition": "bpg:6", "include": ["TAGS"]},
    )
    stubs["ecr"].add_response(
        "describe_images",
        {"imageDetails": [{"imageTags": ["v6"]}]},
        {"repositoryName": "bpg", "imageIds": [{"imageTag": "v6"}]},
    )
    stubs["ecs"].add_response(
        "update_service",
        {"service": service(deployment(NEW_DEPLOYMENT, "PRIMARY", OLD, "IN_PROGRESS", 0, 0), task_definition=OLD)},
        {
            "cluster": CLUSTER,
            "service": "bpg",
            "taskDefinition": OLD,
            "loadBalancers": [{"targetGroupArn": TARGET_GROUP, "containerName": "bpg", "containerPort": 8000}],
            "desiredCount": 2,
        },
    )
    outcome = rollout.rollback(stubs.aws, target, "6", None)
    assert outcome.ok and outcome.task_definition == OLD


def test_status_lists_a_load_balancer_port_the_next_deploy_moves(stubs: Stubs, target: Any) -> None:
    from generator.deploy import inspect
    from generator.plan import taskdef

    stubs["sts"].add_response(
        "get_caller_identity", {"UserId": "A", "Account": ACCOUNT, "Arn": "arn:aws:iam::111111111111:user/ci"}
    )
    running = _with_load_balancer(service(deployment(OLD_DEPLOYMENT, "PRIMARY", OLD, "COMPLETED", 2, 0)), 8000)
    stubs["ecs"].add_response("describe_services", {"services": [running]}, {"cluster": CLUSTER, "services": ["bpg"]})
    definition = taskdef.task_definition(target.repo, target.service, target.account, "v41")
    definition.pop("tags")
    stubs["ecs"].add_response(
        "describe_task_definition",
        {
            "taskDefinition": {**definition, "taskDefinitionArn": OLD},
            "tags": [{"key": "infragen:image-tag", "value": "v41"}],
        },
        {"taskDefinition": OLD, "include": ["TAGS"]},
    )
    result = inspect.status(stubs.aws, target)
    assert result.pending_changes == ("load balancer port 8000 → 8080 (moves with the next deploy)",)
    assert result.hint == "run `infragen deploy bpg --env staging --image-tag v41` to roll it out"
