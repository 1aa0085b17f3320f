"""``infragen run``: a one-off task of a service (migrations, backfills) with the command overridden.

It runs exactly what the service runs: the ECS service's current task definition (image, environment,
secrets, task and execution roles), in the service's own subnets and security groups (its network
configuration, so it reaches the same datastores), with the container's command replaced. It streams
the container's CloudWatch logs while waiting and returns the container's exit code.

A job (kind: job) has no ECS service: its task definition, network and launch type are read from
its schedule's ECS target (the revision the schedule runs), and the command may be left out: the
task then runs the container's own command, as a scheduled run would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.deploy import schedule as job_schedule
from generator.deploy.aws import Aws, DeployError, Target, translated

STARTED_BY = "infragen-run"


@dataclass(frozen=True)
class Launch:
    """What the one-off task is started with, read from the running service."""

    task_definition: str
    network: dict[str, Any]
    launch: dict[str, Any]  # launchType or capacityProviderStrategy (+ platformVersion)
    log_group: str | None
    log_prefix: str | None
    region: str | None


def launch_of(aws: Aws, target: Target) -> Launch:
    if target.service.is_job:
        return _job_launch(aws, target)
    ecs = aws.client("ecs")
    with translated("ecs:DescribeServices"):
        services = ecs.describe_services(cluster=target.cluster, services=[target.name]).get("services", [])
    service = next((s for s in services if s.get("status") == "ACTIVE"), None)
    if service is None:
        raise DeployError(f"service {target.name!r} not found in {target.cluster}; has its root been applied?")
    primary = next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), None)
    task_definition = str((primary or {}).get("taskDefinition") or service.get("taskDefinition") or "")
    network = service.get("networkConfiguration") or {}
    if not task_definition or not network.get("awsvpcConfiguration"):
        raise DeployError(f"service {target.name!r} has no task definition or awsvpc network configuration to copy")
    if service.get("capacityProviderStrategy"):
        launch: dict[str, Any] = {"capacityProviderStrategy": service["capacityProviderStrategy"]}
    else:
        launch = {"launchType": service.get("launchType") or "FARGATE"}
    if service.get("platformVersion"):
        launch["platformVersion"] = service["platformVersion"]
    return _with_logs(aws, target, task_definition, network, launch)


def _job_launch(aws: Aws, target: Target) -> Launch:
    """A job's launch, from its schedule's ECS target: never from an ECS service (it has none)."""
    found = job_schedule.get(aws, target)
    task_definition = job_schedule.task_definition(found)
    network = job_schedule.network(found)
    if not task_definition or not network.get("awsvpcConfiguration", {}).get("subnets"):
        raise DeployError(
            f"schedule {target.name}/{target.name} has no task definition or awsvpc network configuration to copy"
        )
    return _with_logs(aws, target, task_definition, network, job_schedule.launch(found))


def _with_logs(
    aws: Aws, target: Target, task_definition: str, network: dict[str, Any], launch: dict[str, Any]
) -> Launch:
    ecs = aws.client("ecs")
    with translated(f"ecs:DescribeTaskDefinition {task_definition}"):
        definition = ecs.describe_task_definition(taskDefinition=task_definition)["taskDefinition"]
    container = next((c for c in definition.get("containerDefinitions", []) if c.get("name") == target.name), None)
    if container is None:
        raise DeployError(f"{task_definition} has no container named {target.name!r}")
    logs = container.get("logConfiguration") or {}
    options = logs.get("options", {}) if logs.get("logDriver") == "awslogs" else {}
    return Launch(
        task_definition=task_definition,
        network=network,
        launch=launch,
        log_group=options.get("awslogs-group"),
        log_prefix=options.get("awslogs-stream-prefix"),
        region=options.get("awslogs-region"),
    )


class _LogTail:
    """The task's log stream (``<prefix>/<container>/<task id>``), read forward page by page."""

    def __init__(self, aws: Aws, group: str | None, stream: str | None) -> None:
        self.aws, self.group, self.stream = aws, group, stream
        self.token: str | None = None

    def read(self) -> list[str]:
        """One page of new messages ([] when there are none, or the stream does not exist yet)."""
        if self.group is None or self.stream is None:
            return []
        request: dict[str, Any] = {"logGroupName": self.group, "logStreamName": self.stream, "startFromHead": True}
        if self.token:
            request["nextToken"] = self.token
        try:
            with translated(f"logs:GetLogEvents {self.group}"):
                page = self.aws.client("logs").get_log_events(**request)
        except DeployError as exc:
            if "ResourceNotFoundException" in str(exc):
                return []  # the container has not written yet
            raise
        self.token = page.get("nextForwardToken", self.token)
        return [str(e.get("message", "")).rstrip("\n") for e in page.get("events", [])]


def run(
    aws: Aws,
    target: Target,
    command: Sequence[str],
    *,
    timeout: float = 3600,
    echo: Callable[[str], None] = print,
    note: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.monotonic,
    interval: float = 5.0,
) -> int:
    """Start the one-off task, stream its logs through ``echo``, return the container's exit code."""
    if not command and not target.service.is_job:
        raise DeployError("give the command to run after --, e.g. infragen run SERVICE --env ENV -- ./migrate up")
    aws.check_account(target.account)
    found = launch_of(aws, target)
    ecs = aws.client("ecs")
    with translated("ecs:RunTask"):
        response = ecs.run_task(
            cluster=target.cluster,
            taskDefinition=found.task_definition,
            count=1,
            networkConfiguration=found.network,
            startedBy=STARTED_BY,  # no tags: tag-on-create would need ecs:TagResource in the deploy policy
            **found.launch,
            # without a command (a job only) the container runs its own, as a scheduled run does
            **(
                {"overrides": {"containerOverrides": [{"name": target.name, "command": list(command)}]}}
                if command
                else {}
            ),
        )
    failures = response.get("failures") or []
    tasks = response.get("tasks") or []
    if failures or not tasks:
        reasons = "; ".join(f"{f.get('arn', '')} {f.get('reason', '')} {f.get('detail', '')}".strip() for f in failures)
        raise DeployError(f"ecs:RunTask started no task: {reasons or 'no reason given'}")
    arn = str(tasks[0]["taskArn"])
    task_id = arn.rsplit("/", 1)[-1]
    revision = found.task_definition.rsplit("/", 1)[-1]
    subnets = ", ".join(found.network["awsvpcConfiguration"].get("subnets", []))
    groups = ", ".join(found.network["awsvpcConfiguration"].get("securityGroups", []))
    note(f"started task {task_id} ({revision}) in subnets {subnets}, security groups {groups}")
    stream = f"{found.log_prefix}/{target.name}/{task_id}" if found.log_prefix else None
    tail = _LogTail(aws, found.log_group, stream)
    deadline = now() + timeout
    try:
        while True:
            with translated("ecs:DescribeTasks"):
                described = ecs.describe_tasks(cluster=target.cluster, tasks=[arn]).get("tasks", [])
            task = described[0] if described else {}
            stopped = task.get("lastStatus") == "STOPPED"
            lines = tail.read()
            for line in lines:
                echo(line)
            while stopped and lines:  # drain what is left
                lines = tail.read()
                for line in lines:
                    echo(line)
            if stopped:
                return _exit_code(task, target.name, task_id)
            if now() >= deadline:
                done = _stop(aws, target, arn, f"infragen run timed out after {timeout:g} s")
                raise DeployError(f"task {task_id} still {task.get('lastStatus', '?')} after {timeout:g} s; {done}")
            sleep(interval)
    except KeyboardInterrupt:
        done = _stop(aws, target, arn, "infragen run interrupted")
        raise DeployError(f"interrupted: task {task_id}, {done}") from None


def _exit_code(task: dict[str, Any], container: str, task_id: str) -> int:
    found: dict[str, Any] = next((c for c in task.get("containers", []) if c.get("name") == container), {})
    code = found.get("exitCode")
    if code is None:
        reason = found.get("reason") or task.get("stoppedReason") or "no reason given"
        raise DeployError(f"task {task_id} stopped before its command ran to the end: {reason}")
    return int(code)


def _stop(aws: Aws, target: Target, arn: str, reason: str) -> str:
    try:
        with translated("ecs:StopTask"):
            aws.client("ecs").stop_task(cluster=target.cluster, task=arn, reason=reason[:255])
    except DeployError as exc:
        return f"could not stop it ({exc})"
    return "stopped it"
