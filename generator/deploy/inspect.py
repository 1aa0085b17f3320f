"""status and verify: what runs, how it differs from what the spec compiles to, and what is missing.

A job (kind: job) has no ECS service: its status is its schedule and its last runs (tasks of its
family), and verify checks its schedule instead of a service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.deploy import schedule as job_schedule
from generator.deploy.aws import Aws, DeployError, Target, error_code, translated
from generator.deploy.rollout import TAG_IMAGE, _describe_service
from generator.plan import taskdef
from generator.spec import convention, naming, rules


@dataclass(frozen=True)
class Status:
    service: str
    env: str
    revision: str
    image_tag: str | None
    desired: int
    running: int
    pending: int
    deployments: tuple[dict[str, Any], ...]
    events: tuple[str, ...]
    pending_changes: tuple[str, ...]
    hint: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "environment": self.env,
            "revision": self.revision,
            "imageTag": self.image_tag,
            "desired": self.desired,
            "running": self.running,
            "pending": self.pending,
            "deployments": list(self.deployments),
            "events": list(self.events),
            "pendingChanges": list(self.pending_changes),
            "hint": self.hint,
        }

    def text(self) -> str:
        lines = [
            f"service   {self.service} ({self.env})",
            f"revision  {self.revision}  image tag {self.image_tag or '?'}",
            f"tasks     running {self.running}/{self.desired}  pending {self.pending}",
            "deployments:",
        ]
        for d in self.deployments:
            lines.append(
                f"  {d['status']:<8} {d['revision']:<24} {d['rolloutState']:<11} "
                f"running {d['running']}/{d['desired']}  pending {d['pending']}  failed {d['failed']}"
            )
        lines.append("recent events:")
        lines.extend(f"  {e}" for e in self.events or ("(none)",))
        if self.pending_changes:
            lines.append("not deployed yet (spec vs running revision):")
            lines.extend(f"  {c}" for c in self.pending_changes)
        else:
            lines.append("the running revision matches the spec")
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


def _image_tag(definition: dict[str, Any], tags: list[dict[str, str]]) -> str | None:
    for tag in tags:
        if tag.get("key") == TAG_IMAGE:
            return tag.get("value")
    containers = definition.get("containerDefinitions", [])
    image = str(containers[0].get("image", "")) if containers else ""
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def _pairs(items: list[dict[str, str]], value: str) -> dict[str, str]:
    return {i["name"]: i.get(value, "") for i in items}


def spec_diff(want: dict[str, Any], have: dict[str, Any]) -> list[str]:
    """Human-readable differences between the compiled request and the running task definition,
    ignoring the image tag (a deploy chooses it)."""
    changes: list[str] = []
    for key, label in (("cpu", "cpu"), ("memory", "memory")):
        if str(want.get(key)) != str(have.get(key)):
            changes.append(f"{label} {have.get(key)} → {want.get(key)}")
    for key, label in (("taskRoleArn", "task role"), ("executionRoleArn", "execution role")):
        if want.get(key) != have.get(key):
            changes.append(f"{label} {have.get(key)} → {want.get(key)}")
    w = want["containerDefinitions"][0]
    h = (have.get("containerDefinitions") or [{}])[0]
    if w["image"].rsplit(":", 1)[0] != str(h.get("image", "")).rsplit(":", 1)[0]:
        changes.append(f"image repository {str(h.get('image', '')).rsplit(':', 1)[0]} → {w['image'].rsplit(':', 1)[0]}")
    for field, value, noun in (("environment", "value", "variable"), ("secrets", "valueFrom", "secret")):
        wanted = _pairs(w.get(field, []), value)
        had = _pairs(h.get(field, []) or [], value)
        for name in sorted(set(wanted) | set(had)):
            if name not in had:
                changes.append(f"{name} added ({noun})")
            elif name not in wanted:
                changes.append(f"{name} removed ({noun})")
            elif wanted[name] != had[name]:
                changes.append(f"{name} changed ({noun})")
    w_ports = sorted((p["containerPort"], p.get("name", "")) for p in w.get("portMappings", []))
    h_ports = sorted((p.get("containerPort"), p.get("name", "")) for p in h.get("portMappings", []) or [])
    if w_ports != h_ports:
        changes.append(f"ports {[p for p, _ in h_ports]} → {[p for p, _ in w_ports]}")
    w_logs = w.get("logConfiguration", {}).get("options", {})
    h_logs = (h.get("logConfiguration") or {}).get("options", {})
    if w_logs != h_logs:
        changes.append("log configuration changed")
    if w.get("healthCheck") != h.get("healthCheck"):  # a worker's container health check (issue 19)
        changes.append("health check command changed")
    for key in ("readonlyRootFilesystem", "mountPoints"):
        if bool(w.get(key)) != bool(h.get(key)):
            changes.append(f"{key} changed")
    return changes


def _revision(aws: Aws, target: Target, revision_arn: str) -> tuple[str | None, list[str], str | None]:
    """The image tag of ``revision_arn``, what in the spec it lacks, and the hint to deploy."""
    with translated("ecs:DescribeTaskDefinition"):
        described = aws.client("ecs").describe_task_definition(taskDefinition=revision_arn, include=["TAGS"])
    definition = described["taskDefinition"]
    tag = _image_tag(definition, described.get("tags", []))
    want = taskdef.task_definition(target.repo, target.service, target.account, tag or "latest")
    changes = spec_diff(want, definition)
    return tag, changes, _hint(target, tag, bool(changes))


def _hint(target: Target, tag: str | None, changed: bool) -> str | None:
    if tag is None or tag == naming.BOOTSTRAP_TAG:
        return (
            f"nothing has been deployed yet (the bootstrap revision runs): push an image and run "
            f"`infragen deploy {target.name} --env {target.account.env} --image-tag <tag>`"
        )
    if changed:
        return f"run `infragen deploy {target.name} --env {target.account.env} --image-tag {tag}` to roll it out"
    return None


@dataclass(frozen=True)
class Run:
    """One task of a job's family: a scheduled run or an ``infragen run``."""

    id: str
    revision: str
    last_status: str
    started_by: str
    started_at: str
    stopped_at: str
    stop_code: str
    exit_code: int | None
    stopped_reason: str

    def line(self) -> str:
        text = f"{self.id}  {self.revision:<22} {self.last_status:<9} started {self.started_at}"
        if self.last_status == "STOPPED":
            code = "-" if self.exit_code is None else str(self.exit_code)
            text += f"  stopped {self.stopped_at}  {self.stop_code or '-'}  exit {code}"
            if self.stopped_reason:
                text += f"  ({self.stopped_reason})"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "revision": self.revision,
            "lastStatus": self.last_status,
            "startedBy": self.started_by,
            "startedAt": self.started_at,
            "stoppedAt": self.stopped_at,
            "stopCode": self.stop_code,
            "exitCode": self.exit_code,
            "stoppedReason": self.stopped_reason,
        }


@dataclass(frozen=True)
class JobStatus:
    job: str
    env: str
    schedule: str  # group/name
    expression: str
    timezone: str
    state: str
    revision: str
    image_tag: str | None
    runs: tuple[Run, ...]
    pending_changes: tuple[str, ...]
    hint: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "environment": self.env,
            "schedule": self.schedule,
            "scheduleExpression": self.expression,
            "timezone": self.timezone,
            "state": self.state,
            "revision": self.revision,
            "imageTag": self.image_tag,
            "runs": [r.as_dict() for r in self.runs],
            "pendingChanges": list(self.pending_changes),
            "hint": self.hint,
        }

    def text(self) -> str:
        lines = [
            f"job       {self.job} ({self.env}): no ECS service, EventBridge Scheduler runs its task",
            f"schedule  {self.schedule}  {self.expression} {self.timezone}  {self.state}",
            f"revision  {self.revision or '?'}  image tag {self.image_tag or '?'}  (what the next run starts)",
            f"last runs (newest first, at most {RUNS}):",
        ]
        lines.extend(f"  {r.line()}" for r in self.runs)
        if not self.runs:
            lines.append("  (none)")
        if self.pending_changes:
            lines.append("not deployed yet (spec vs the schedule's revision):")
            lines.extend(f"  {c}" for c in self.pending_changes)
        else:
            lines.append("the schedule's revision matches the spec")
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


RUNS = 10


def _time(value: object) -> str:
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else str(value or "-")


def runs(aws: Aws, target: Target, limit: int = RUNS) -> list[Run]:
    """The newest ``limit`` tasks of the job's family, RUNNING and STOPPED (ECS keeps stopped tasks
    about an hour), newest first."""
    ecs = aws.client("ecs")
    arns: list[str] = []
    for desired in ("RUNNING", "STOPPED"):
        with translated("ecs:ListTasks"):
            pages = ecs.get_paginator("list_tasks").paginate(
                cluster=target.cluster, family=target.name, desiredStatus=desired
            )
            arns.extend(a for page in pages for a in page.get("taskArns", []) if a not in arns)
    found: list[tuple[str, Run]] = []
    for start in range(0, len(arns), 100):
        with translated("ecs:DescribeTasks"):
            described = ecs.describe_tasks(cluster=target.cluster, tasks=arns[start : start + 100]).get("tasks", [])
        for task in described:
            revision = str(task.get("taskDefinitionArn", "")).rsplit("/", 1)[-1]
            if taskdef.family(revision) != target.name:
                continue  # emulators may ignore the family filter
            container: dict[str, Any] = next(
                (c for c in task.get("containers", []) if c.get("name") == target.name), {}
            )
            code = container.get("exitCode")
            started = task.get("startedAt") or task.get("createdAt")
            found.append(
                (
                    _time(started),
                    Run(
                        id=str(task["taskArn"]).rsplit("/", 1)[-1],
                        revision=revision,
                        last_status=str(task.get("lastStatus", "?")),
                        started_by=str(task.get("startedBy", "")),
                        started_at=_time(started),
                        stopped_at=_time(task.get("stoppedAt")),
                        stop_code=str(task.get("stopCode", "")),
                        exit_code=None if code is None else int(code),
                        stopped_reason=str(task.get("stoppedReason", "")),
                    ),
                )
            )
    return [run for _, run in sorted(found, key=lambda pair: (pair[0], pair[1].id), reverse=True)][:limit]


def job_status(aws: Aws, target: Target) -> JobStatus:
    aws.check_account(target.account)
    found = job_schedule.get(aws, target)
    revision_arn = job_schedule.task_definition(found)
    tag, changes, hint = _revision(aws, target, revision_arn) if revision_arn else (None, [], None)
    return JobStatus(
        job=target.name,
        env=target.account.env,
        schedule=f"{found.get('GroupName', target.name)}/{found.get('Name', target.name)}",
        expression=str(found.get("ScheduleExpression", "?")),
        timezone=str(found.get("ScheduleExpressionTimezone") or "UTC"),
        state=str(found.get("State", "?")),
        revision=revision_arn.rsplit("/", 1)[-1],
        image_tag=tag,
        runs=tuple(runs(aws, target)),
        pending_changes=tuple(changes),
        hint=hint,
    )


def status(aws: Aws, target: Target) -> Status | JobStatus:
    if target.service.is_job:
        return job_status(aws, target)
    aws.check_account(target.account)
    service = _describe_service(aws, target)
    revision_arn = str(service["taskDefinition"])
    tag, changes, _ = _revision(aws, target, revision_arn)
    # A port change (docs/deploying.md): the load balancer still names the previous port until a
    # deploy moves it together with the task definition.
    for lb in service.get("loadBalancers") or []:
        if lb.get("containerPort") not in (None, target.service.port):
            changes.append(
                f"load balancer port {lb['containerPort']} → {target.service.port} (moves with the next deploy)"
            )
    hint = _hint(target, tag, bool(changes))
    deployments = tuple(
        {
            "id": d.get("id"),
            "status": d.get("status"),
            "revision": str(d.get("taskDefinition", "")).rsplit("/", 1)[-1],
            "rolloutState": d.get("rolloutState", "?"),
            "running": d.get("runningCount", 0),
            "pending": d.get("pendingCount", 0),
            "desired": d.get("desiredCount", 0),
            "failed": d.get("failedTasks", 0),
        }
        for d in service.get("deployments", [])
    )
    events = tuple(f"{e.get('createdAt', '')} {e.get('message', '')}".strip() for e in service.get("events", [])[:5])
    return Status(
        service=target.name,
        env=target.account.env,
        revision=revision_arn.rsplit("/", 1)[-1],
        image_tag=tag,
        desired=int(service.get("desiredCount", 0)),
        running=int(service.get("runningCount", 0)),
        pending=int(service.get("pendingCount", 0)),
        deployments=deployments,
        events=events,
        pending_changes=tuple(changes),
        hint=hint,
    )


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    skipped: bool = False  # does not apply (a service-only check of a job) or cannot be made yet; never a failure

    def line(self) -> str:
        return f"{'skip' if self.skipped else 'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def _exists(action: str, call: Any, missing: set[str]) -> tuple[bool, str]:
    from botocore.exceptions import ClientError

    try:
        with translated(action):
            try:
                call()
            except ClientError as exc:
                if error_code(exc) in missing:
                    return False, f"not found ({error_code(exc)})"
                raise
    except DeployError as exc:
        return False, str(exc)
    return True, "exists"


def verify(aws: Aws, target: Target, image_tag: str | None) -> list[Check]:
    """lemi's ``verify --check=spec,provisioned``: describe only, never read a secret value."""
    account, name = target.account, target.name
    env_file = target.service.env_file(account.env)
    checks = [
        Check(
            "spec",
            True,
            f"{target.service.file} and {env_file.file} are valid"
            if env_file is not None and env_file.file
            else f"{target.service.file} is valid (no environment file for {account.env})",
        )
    ]
    caller = aws.caller()
    checks.append(
        Check(
            "account",
            caller.get("Account") == account.account_id,
            f"caller {caller.get('Arn')} in {caller.get('Account')}, account.yaml says {account.account_id}",
        )
    )
    if not checks[-1].ok:
        return checks
    ecs, iam, logs, ecr = (aws.client(n) for n in ("ecs", "iam", "logs", "ecr"))
    with translated("ecs:DescribeClusters"):
        clusters = ecs.describe_clusters(clusters=[target.cluster]).get("clusters", [])
    ok = any(c.get("status") == "ACTIVE" for c in clusters)
    checks.append(Check("cluster", ok, target.cluster + (" is ACTIVE" if ok else " not found")))
    running_revision: str | None = None
    if target.service.is_job:
        checks.append(Check("service", True, f"{name} is a job: no ECS service to check", skipped=True))
        check, running_revision, found = _schedule_check(aws, target)
        checks.append(check)
        network = job_schedule.network(found) if found is not None else None
        checks.append(_subnet_check(aws, target, _subnets(network, target), None))
    else:
        with translated("ecs:DescribeServices"):
            services = ecs.describe_services(cluster=target.cluster, services=[name]).get("services", [])
        running = [s for s in services if s.get("status") == "ACTIVE"]
        checks.append(Check("service", bool(running), f"{name} " + ("is ACTIVE" if running else "not found")))
        running_revision = str(running[0]["taskDefinition"]) if running else None
        described = running[0] if running else None
        subnets = _subnets(described.get("networkConfiguration") if described else None, target)
        checks.append(_subnet_check(aws, target, subnets, described))
    for kind in ("task", "execution", *(("scheduler",) if target.service.is_job else ())):
        role = f"{name}-{kind}"
        ok, detail = _exists("iam:GetRole", lambda role=role: iam.get_role(RoleName=role), {"NoSuchEntity"})
        checks.append(Check(f"{kind} role", ok, f"{role} {detail}"))
    group = taskdef.log_group(target.service)
    with translated("logs:DescribeLogGroups"):
        groups = logs.describe_log_groups(logGroupNamePrefix=group).get("logGroups", [])
    ok = any(g.get("logGroupName") == group for g in groups)
    checks.append(Check("log group", ok, f"{group} {'exists' if ok else 'not found'}"))
    ok, detail = _exists(
        "ecr:DescribeRepositories",
        lambda: ecr.describe_repositories(repositoryNames=[name]),
        {"RepositoryNotFoundException"},
    )
    checks.append(Check("ECR repository", ok, f"{taskdef.ecr_repository(target.service, account)} {detail}"))
    checks.extend(_secret_checks(aws, target))
    if image_tag is None and running_revision:
        with translated("ecs:DescribeTaskDefinition"):
            described = ecs.describe_task_definition(taskDefinition=running_revision, include=["TAGS"])
        image_tag = _image_tag(described["taskDefinition"], described.get("tags", []))
    if image_tag is not None:
        ok, detail = _exists(
            "ecr:DescribeImages",
            lambda: ecr.describe_images(repositoryName=name, imageIds=[{"imageTag": image_tag}]),
            {"ImageNotFoundException", "RepositoryNotFoundException"},
        )
        checks.append(Check("image", ok, f"{name}:{image_tag} {detail}"))
    else:
        checks.append(Check("image", False, "no --image-tag given and nothing runs yet"))
    return checks


# A task of awsvpc networking (every Fargate task) has a network interface of its own, and with it
# a private address of one of its subnets (rules.AWSVPC_PAGE). A rolling deployment starts the new
# tasks before it stops the old ones: up to maximumPercent of the desired count run at once, 200 for
# a service that does not set it, as modules/aws/ecs-service does not ("DeploymentConfiguration",
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).
# AvailableIpAddressCount is what a subnet has left (DescribeSubnets).
DEFAULT_MAXIMUM_PERCENT = 200


def _subnet_check(aws: Aws, target: Target, subnets: list[str], service: dict[str, Any] | None) -> Check:
    """``subnets`` (where the tasks start) have a free address for each task the workload may add: a
    service, a deployment while it runs at its ceiling (autoscaling max, else desiredCount) less the
    tasks that hold an address now; a job, the task of a run. Other workloads of the subnets take
    addresses too, so a pass is necessary, not sufficient. ``service``: the running ECS service."""
    if target.service.is_job:
        peak, held = 1, 0
        why = "a run of the job starts 1 task"
    else:
        ceiling = rules.task_ceiling(target.service, target.account.env)
        percent, held = DEFAULT_MAXIMUM_PERCENT, 0
        if service is not None:
            percent = int((service.get("deploymentConfiguration") or {}).get("maximumPercent") or percent)
            held = int(service.get("runningCount", 0)) + int(service.get("pendingCount", 0))
        peak = max(ceiling, ceiling * percent // 100)  # rounded down, as ECS does
        why = f"a deployment at the ceiling of {ceiling} task(s) runs up to {peak} (maximumPercent {percent}), {held} run now"
    need = max(peak - held, 0)
    from botocore.exceptions import ClientError

    try:
        with translated("ec2:DescribeSubnets"):
            try:
                found = aws.client("ec2").describe_subnets(SubnetIds=subnets).get("Subnets", [])
            except ClientError as exc:
                if error_code(exc) not in _NOT_ALLOWED:
                    raise
                # a root applied before the check existed: its deploy role lacks the statement, and a
                # check the role cannot make must not stop the deploys that run verify first
                return Check("subnets", True, f"{_NOT_ALLOWED_YET} ({error_code(exc)})", skipped=True)
    except DeployError as exc:
        return Check("subnets", False, str(exc))
    free = {str(s["SubnetId"]): int(s.get("AvailableIpAddressCount", 0)) for s in found}
    total = sum(free.values())
    listed = ", ".join(f"{subnet} {free.get(subnet, 0)}" for subnet in subnets)
    detail = f"{total} free address(es) ({listed}); {why}: {need} more needed"
    if total < need:
        detail += f"; a task past the free addresses cannot start ({rules.AWSVPC_PAGE}): free some or lower the ceiling"
    return Check("subnets", total >= need, detail)


# EC2 answers UnauthorizedOperation where other services answer AccessDenied ("Error codes for the
# Amazon EC2 API", https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html)
_NOT_ALLOWED = frozenset({"UnauthorizedOperation", "AccessDenied", "AccessDeniedException"})
_NOT_ALLOWED_YET = (
    "this role may not call ec2:DescribeSubnets; the deploy role gets it when the service's root is applied "
    "again (its deploy_policy_json, statement DescribeSubnets)"
)


def _subnets(network: dict[str, Any] | None, target: Target) -> list[str]:
    """The subnets of a network configuration in ECS's shape, else the account's (what its root passes)."""
    found = ((network or {}).get("awsvpcConfiguration") or {}).get("subnets")
    return list(found) if found else list(target.account.subnet_ids)


def _schedule_check(aws: Aws, target: Target) -> tuple[Check, str | None, dict[str, Any] | None]:
    """A job's schedule exists and runs a revision of this family on this cluster; with the
    revision it runs (None when it does not) and the schedule (None when it is not found)."""
    where = f"{target.name}/{target.name}"
    try:
        found = job_schedule.get(aws, target)
    except DeployError as exc:
        return Check("schedule", False, str(exc)), None, None
    revision = job_schedule.task_definition(found)
    problems = []
    cluster = (found.get("Target") or {}).get("Arn")
    if cluster != target.cluster:
        problems.append(f"targets {cluster!r}, not the cluster {target.cluster}")
    if (taskdef.family(revision) if revision else "") != target.name:
        problems.append(f"runs task definition {revision or 'none'!r}, not the family {target.name!r}")
    if problems:
        return Check("schedule", False, f"{where} " + "; ".join(problems)), None, found
    detail = (
        f"{where} ({found.get('ScheduleExpression')} {found.get('ScheduleExpressionTimezone') or 'UTC'}, "
        f"{found.get('State')}) runs {revision.rsplit('/', 1)[-1]} on {target.cluster}"
    )
    return Check("schedule", True, detail), revision, found


def _secret_checks(aws: Aws, target: Target) -> list[Check]:
    """Every secret and parameter the task definition references, described (never read)."""
    checks = []
    ssm, sm = aws.client("ssm"), aws.client("secretsmanager")
    for key, value_from in convention.secrets(target.repo, target.service, target.account).items():
        if ":ssm:" in value_from:
            parameter = "/" + value_from.split(":parameter/", 1)[1]
            with translated("ssm:DescribeParameters"):
                found = ssm.describe_parameters(
                    ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [parameter]}]
                )
            ok = bool(found.get("Parameters"))
            checks.append(Check(f"secret {key}", ok, f"SSM parameter {parameter} {'exists' if ok else 'not found'}"))
        else:
            arn = ":".join(value_from.split(":")[:7])
            ok, detail = _exists(
                "secretsmanager:DescribeSecret",
                lambda arn=arn: sm.describe_secret(SecretId=arn),
                {"ResourceNotFoundException"},
            )
            checks.append(Check(f"secret {key}", ok, f"Secrets Manager {arn} {detail}"))
    return checks
