"""service tasks | stop-task | exec | logs.

A job (kind: job) has no ECS service: its tasks are those of its family (scheduled runs and
``infragen run``), listed with ListTasks' ``family`` filter instead of ``serviceName``."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from generator.deploy import schedule as job_schedule
from generator.deploy.aws import Aws, DeployError, Target, translated
from generator.plan import taskdef


@dataclass(frozen=True)
class Task:
    id: str
    revision: str
    last_status: str
    desired_status: str
    health: str
    started_at: str
    stopped_reason: str

    def line(self) -> str:
        text = f"{self.id}  {self.revision:<22} {self.last_status:<9} health {self.health:<8} started {self.started_at}"
        return text + (f"  stopped: {self.stopped_reason}" if self.stopped_reason else "")

    def as_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "revision": self.revision,
            "lastStatus": self.last_status,
            "desiredStatus": self.desired_status,
            "health": self.health,
            "startedAt": self.started_at,
            "stoppedReason": self.stopped_reason,
        }


def tasks(aws: Aws, target: Target, *, stopped: bool = False) -> list[Task]:
    aws.check_account(target.account)
    ecs = aws.client("ecs")
    arns: list[str] = []
    for desired in ("RUNNING", "STOPPED") if stopped else ("RUNNING",):
        with translated("ecs:ListTasks"):
            pages = ecs.get_paginator("list_tasks").paginate(
                cluster=target.cluster, desiredStatus=desired, **_selector(target)
            )
            arns.extend(arn for page in pages for arn in page.get("taskArns", []))
    result = []
    for start in range(0, len(arns), 100):
        with translated("ecs:DescribeTasks"):
            described = ecs.describe_tasks(cluster=target.cluster, tasks=arns[start : start + 100])["tasks"]
        for task in described:
            if not _belongs(task, target):
                continue  # ListTasks' serviceName filter is exact on AWS; emulators may ignore it
            started = task.get("startedAt") or task.get("createdAt")
            result.append(
                Task(
                    id=task["taskArn"].rsplit("/", 1)[-1],
                    revision=str(task.get("taskDefinitionArn", "")).rsplit("/", 1)[-1],
                    last_status=str(task.get("lastStatus", "?")),
                    desired_status=str(task.get("desiredStatus", "?")),
                    health=str(task.get("healthStatus", "UNKNOWN")),
                    started_at=started.isoformat(timespec="seconds")
                    if hasattr(started, "isoformat")
                    else str(started or "-"),
                    stopped_reason=str(task.get("stoppedReason", "")),
                )
            )
    return sorted(result, key=lambda t: (t.started_at, t.id))


def _selector(target: Target) -> dict[str, str]:
    """ListTasks' filter: the job's family, or the service."""
    return {"family": target.name} if target.service.is_job else {"serviceName": target.name}


def _belongs(task: dict[str, Any], target: Target) -> bool:
    if target.service.is_job:
        return taskdef.family(str(task.get("taskDefinitionArn", ""))) == target.name
    return bool(task.get("group") == f"service:{target.name}")


def _own_task(aws: Aws, target: Target, task: str) -> dict[str, Any]:
    with translated("ecs:DescribeTasks"):
        found = aws.client("ecs").describe_tasks(cluster=target.cluster, tasks=[task])
    described = found.get("tasks", [])
    if not described:
        raise DeployError(f"task {task!r} not found in cluster {target.cluster}")
    if not _belongs(described[0], target):
        if target.service.is_job:
            revision = str(described[0].get("taskDefinitionArn", "")).rsplit("/", 1)[-1]
            raise DeployError(f"task {task!r} does not run job {target.name!r} ({revision})")
        raise DeployError(f"task {task!r} does not belong to service {target.name!r} ({described[0].get('group')})")
    return dict(described[0])


def stop_task(aws: Aws, target: Target, task: str) -> str:
    caller = aws.check_account(target.account)
    found = _own_task(aws, target, task)
    with translated("ecs:StopTask"):
        aws.client("ecs").stop_task(
            cluster=target.cluster, task=found["taskArn"], reason=f"infragen service stop-task by {caller}"[:255]
        )
    return str(found["taskArn"])


MISSING_TOOL = {
    "aws": "the AWS CLI v2 ('aws'), which is not installed: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
    "session-manager-plugin": "the Session Manager plugin ('session-manager-plugin'), which is not installed: "
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html",
}


def exec_command(
    aws: Aws, target: Target, command: str, task: str | None, which: Callable[[str], str | None] = shutil.which
) -> list[str]:
    """The ``aws ecs execute-command`` argv for a running task of the service (ECS Exec)."""
    missing = [MISSING_TOOL[tool] for tool in ("aws", "session-manager-plugin") if which(tool) is None]
    if missing:
        raise DeployError("ECS Exec needs " + "; and ".join(missing))  # before any AWS call
    aws.check_account(target.account)
    if target.service.is_job:
        enabled = bool(job_schedule.ecs_parameters(job_schedule.get(aws, target)).get("EnableExecuteCommand"))
    else:
        with translated("ecs:DescribeServices"):
            services = aws.client("ecs").describe_services(cluster=target.cluster, services=[target.name])["services"]
        enabled = any(svc.get("enableExecuteCommand") for svc in services)
    if not enabled:
        raise DeployError(
            f"ECS Exec is not enabled on service {target.name!r} in {target.account.env} "
            "(aws/ecs-service enable_execute_command); tasks started before it was enabled cannot be exec'd into"
        )
    if task is None:
        running = [t for t in tasks(aws, target) if t.last_status == "RUNNING"]
        if not running:
            raise DeployError(f"no RUNNING task of {target.name} to exec into")
        task = running[-1].id
    else:
        _own_task(aws, target, task)
    return [
        "aws", "ecs", "execute-command", "--region", target.account.region, "--cluster", target.cluster,
        "--task", task, "--container", target.name, "--interactive", "--command", command,
    ]  # fmt: skip


def run_exec(argv: list[str]) -> int:
    return subprocess.call(argv)


def parse_since(text: str) -> int:
    """``10m``, ``2h``, ``30s``, ``1d`` -> seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise DeployError(f"--since {text!r}: use a number and a unit, e.g. 30s, 10m, 2h, 1d")
    return int(text[:-1]) * units[text[-1]]


def logs(
    aws: Aws,
    target: Target,
    since: str,
    follow: bool,
    *,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.time,
    rounds: int | None = None,
) -> Iterator[str]:
    """Lines ``<time> <stream> <message>`` of the service's log group; ``follow`` keeps polling."""
    aws.check_account(target.account)
    client = aws.client("logs")
    group = taskdef.log_group(target.service)
    start = int((now() - parse_since(since)) * 1000)
    seen: set[str] = set()
    done = 0
    while True:
        with translated(f"logs:FilterLogEvents {group}"):
            pages = client.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=start)
            events = [e for page in pages for e in page.get("events", [])]
        for event in sorted(events, key=lambda e: (e.get("timestamp", 0), e.get("eventId", ""))):
            if event.get("eventId") in seen:
                continue
            seen.add(event.get("eventId", ""))
            start = max(start, int(event.get("timestamp", 0)))
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(event.get("timestamp", 0) / 1000))
            yield f"{stamp} {event.get('logStreamName', '')} {str(event.get('message', '')).rstrip()}"
        done += 1
        if not follow or (rounds is not None and done >= rounds):
            return
        sleep(2.0)
