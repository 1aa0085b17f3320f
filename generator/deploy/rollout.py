"""deploy, rollback and restart: register or pick a revision, update the service, wait for the rollout.

A job (kind: job) has no ECS service: deploy and rollback point its schedule at the revision
(generator/deploy/schedule.py) and return; there is no rollout to wait for, and restart is refused.

Waiting polls DescribeServices for the new deployment's ``rolloutState`` and reports progress to a
callback; it ends COMPLETED (success), FAILED (the circuit breaker rolled back: the reason and the
stopped tasks' reasons are reported), or at the timeout. Throttled polls back off and retry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generator.deploy import schedule as job_schedule
from generator.deploy.aws import Aws, DeployError, Target, error_code, translated
from generator.deploy.review import Review, review
from generator.errors import CommandError
from generator.plan import taskdef

THROTTLED = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
TAG_IMAGE = "infragen:image-tag"
TAG_COMMIT = "infragen:infra-commit"
TAG_BY = "infragen:deployed-by"
TAG_REVIEWED = "infragen:reviewed"


@dataclass(frozen=True)
class Progress:
    """One poll of a rollout, as shown to the user."""

    deployment: str
    rollout_state: str
    running: int
    pending: int
    desired: int
    failed: int
    stopped_reasons: tuple[str, ...] = ()

    def line(self) -> str:
        text = (
            f"{self.rollout_state:<11} running {self.running}/{self.desired}  pending {self.pending}  "
            f"failed tasks {self.failed}"
        )
        if self.stopped_reasons:
            text += f"  last stop: {self.stopped_reasons[-1]}"
        return text


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    task_definition: str
    deployment: str | None
    progress: tuple[Progress, ...] = ()


@dataclass
class Waiter:
    """Polls until the deployment finishes. ``sleep`` and ``clock`` are injectable for tests."""

    aws: Aws
    target: Target
    timeout: float = 900.0
    interval: float = 6.0
    report: Callable[[Progress], None] = lambda progress: None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _seen_tasks: set[str] = field(default_factory=set)
    _reasons: list[str] = field(default_factory=list)

    def wait(self, deployment_id: str, task_definition: str) -> Outcome:
        deadline = self.clock() + self.timeout
        history: list[Progress] = []
        backoff = self.interval
        while True:
            try:
                deployment = self._deployment(deployment_id)
                running = (deployment or {}).get("taskDefinition")
                if running is not None and running != task_definition:
                    # not this revision's deployment: its state says nothing about the new revision
                    # (moto leaves the old deployment PRIMARY and COMPLETED after UpdateService)
                    return Outcome(
                        False,
                        f"the PRIMARY deployment {deployment_id} runs {running.rsplit('/', 1)[-1]}, not "
                        f"{task_definition.rsplit('/', 1)[-1]}: ECS started no deployment of the new revision; "
                        f"see infragen status {self.target.name} --env {self.target.account.env}",
                        task_definition,
                        deployment_id,
                        tuple(history),
                    )
                self._collect_stopped(deployment_id)
                backoff = self.interval
            except _Throttled:
                backoff = min(backoff * 2, 60.0)
                if self.clock() + backoff > deadline:
                    return self._timeout(deployment_id, task_definition, history)
                self.sleep(backoff)
                continue
            if deployment is None:
                return Outcome(
                    False,
                    f"deployment {deployment_id} is no longer listed: another deployment replaced it",
                    task_definition,
                    deployment_id,
                    tuple(history),
                )
            progress = Progress(
                deployment=deployment_id,
                rollout_state=str(deployment.get("rolloutState", deployment.get("status", "?"))),
                running=int(deployment.get("runningCount", 0)),
                pending=int(deployment.get("pendingCount", 0)),
                desired=int(deployment.get("desiredCount", 0)),
                failed=int(deployment.get("failedTasks", 0)),
                stopped_reasons=tuple(self._reasons),
            )
            history.append(progress)
            self.report(progress)
            if progress.rollout_state == "COMPLETED":
                return Outcome(True, "deployment completed", task_definition, deployment_id, tuple(history))
            if progress.rollout_state == "FAILED":
                reason = deployment.get("rolloutStateReason") or "the deployment failed"
                return Outcome(
                    False, self._why(f"rollout FAILED: {reason}"), task_definition, deployment_id, tuple(history)
                )
            if self.clock() >= deadline:
                return self._timeout(deployment_id, task_definition, history)
            self.sleep(self.interval)

    def _timeout(self, deployment_id: str, task_definition: str, history: list[Progress]) -> Outcome:
        state = history[-1].line() if history else "no answer from ECS"
        return Outcome(
            False,
            self._why(f"timed out after {self.timeout:g}s waiting for the rollout ({state})"),
            task_definition,
            deployment_id,
            tuple(history),
        )

    def _why(self, text: str) -> str:
        if self._reasons:
            unique = list(dict.fromkeys(self._reasons))
            text += "; stopped tasks: " + " | ".join(unique[-3:])
        return text

    def _call(self, action: str, method: Callable[..., Any], **kwargs: Any) -> Any:
        """One API call; throttling raises _Throttled (the loop backs off), anything else DeployError."""
        from botocore.exceptions import ClientError

        with translated(action):
            try:
                return method(**kwargs)
            except ClientError as exc:
                if error_code(exc) in THROTTLED:
                    raise _Throttled() from None
                raise

    def _deployment(self, deployment_id: str) -> dict[str, Any] | None:
        ecs = self.aws.client("ecs")
        found = self._call(
            "ecs:DescribeServices", ecs.describe_services, cluster=self.target.cluster, services=[self.target.name]
        )
        for service in found.get("services", []):
            for deployment in service.get("deployments", []):
                if deployment.get("id") == deployment_id:
                    return dict(deployment)
        return None

    def _collect_stopped(self, deployment_id: str) -> None:
        ecs = self.aws.client("ecs")
        listed = self._call(
            "ecs:ListTasks",
            ecs.list_tasks,
            cluster=self.target.cluster,
            startedBy=deployment_id,
            desiredStatus="STOPPED",
        )
        new = [arn for arn in listed.get("taskArns", []) if arn not in self._seen_tasks]
        if not new:
            return
        described = self._call("ecs:DescribeTasks", ecs.describe_tasks, cluster=self.target.cluster, tasks=new[:100])
        for task in described.get("tasks", []):
            self._seen_tasks.add(task["taskArn"])
            reason = task.get("stoppedReason") or task.get("stopCode") or "stopped"
            self._reasons.append(f"{task['taskArn'].rsplit('/', 1)[-1]}: {reason}")


class _Throttled(Exception):
    pass


def _primary(service: dict[str, Any]) -> str | None:
    return next((d["id"] for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), None)


def _describe_service(aws: Aws, target: Target) -> dict[str, Any]:
    with translated("ecs:DescribeServices"):
        found = aws.client("ecs").describe_services(cluster=target.cluster, services=[target.name])
    services = [s for s in found.get("services", []) if s.get("status") != "INACTIVE"]
    if not services:
        raise DeployError(
            f"ECS service {target.name!r} not found in cluster {target.cluster}: apply its root "
            f"(accounts/{target.account.env}/services/{target.name}) first"
        )
    return dict(services[0])


def image_exists(aws: Aws, target: Target, tag: str) -> None:
    """Refuse a tag that is not in the service's ECR repository (or a repository that is missing)."""
    from botocore.exceptions import ClientError

    repository = target.name
    with translated("ecr:DescribeImages"):
        try:
            aws.client("ecr").describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
        except ClientError as exc:
            code = error_code(exc)
            if code == "ImageNotFoundException":
                uri = taskdef.ecr_repository(target.service, target.account)
                raise DeployError(f"image tag {tag!r} not found in ECR repository {uri}: push it first") from None
            if code == "RepositoryNotFoundException":
                raise DeployError(
                    f"ECR repository {repository!r} does not exist in {target.account.account_id}/"
                    f"{target.account.region}: apply the service's root first"
                ) from None
            raise


LOAD_BALANCER_KEYS = ("targetGroupArn", "loadBalancerName", "containerName", "containerPort")


def moved_load_balancers(service: dict[str, Any], port: int | None) -> list[dict[str, Any]] | None:
    """The service's load balancer configuration with its container port moved to ``port`` (the
    HTTP port of the task definition being deployed), or None when nothing moves.

    ECS requires a service's load balancer container name and port to exist in its task
    definition ("This port must correspond to a containerPort in the task definition the tasks in
    the service are using"), so a port change sends the new task definition and the new port in
    the same UpdateService; for rolling deployments UpdateService may update loadBalancers
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html). The list
    replaces the service's whole list, so every entry is sent, each with its own target group."""
    current = [dict(lb) for lb in service.get("loadBalancers") or []]
    if port is None or not current or all(lb.get("containerPort") == port for lb in current):
        return None
    return [{k: lb[k] for k in LOAD_BALANCER_KEYS if k in lb} | {"containerPort": port} for lb in current]


def http_port(task_definition: dict[str, Any], container: str) -> int | None:
    """The containerPort of the port mapping named http of ``container``, if the description has it."""
    for definition in task_definition.get("containerDefinitions") or []:
        if definition.get("name") != container:
            continue
        for mapping in definition.get("portMappings") or []:
            if mapping.get("name") == "http" and mapping.get("containerPort") is not None:
                return int(mapping["containerPort"])
    return None


def _update(
    aws: Aws,
    target: Target,
    task_definition: str,
    *,
    force: bool = False,
    service: dict[str, Any] | None = None,
    port: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """UpdateService to ``task_definition``. ``service`` is its DescribeServices entry when the
    caller has one; ``port`` the task definition's HTTP port, to which the load balancer
    configuration moves when it still names another (a port change, docs/deploying.md)."""
    _, _, desired, autoscaling = target.service.effective_size(target.account.env)
    args: dict[str, Any] = {"cluster": target.cluster, "service": target.name, "taskDefinition": task_definition}
    if (port is not None or autoscaling is not None) and service is None:
        service = _describe_service(aws, target)
    if port is not None and service is not None:
        moved = moved_load_balancers(service, port)
        if moved is not None:
            args["loadBalancers"] = moved
    if autoscaling is None:
        args["desiredCount"] = desired  # without autoscaling the spec owns the count
    elif service is not None and int(service.get("desiredCount", 0)) < autoscaling.min:
        # With autoscaling, App Auto Scaling owns the count, but it does not raise the 0 tasks a
        # service has before its first deploy (target tracking has no metrics from 0 tasks), so
        # the deploy raises the count to the floor; it never lowers what scaling has set.
        args["desiredCount"] = autoscaling.min
    if force:
        args["forceNewDeployment"] = True
    with translated("ecs:UpdateService"):
        service = aws.client("ecs").update_service(**args)["service"]
    deployment = _primary(service)
    if deployment is None:
        raise DeployError("ecs:UpdateService returned no PRIMARY deployment")
    return deployment, service


def register(aws: Aws, target: Target, image_tag: str, caller: str, reviewed: Review) -> str:
    request = taskdef.task_definition(target.repo, target.service, target.account, image_tag)
    request["tags"] = [
        *request["tags"],
        {"key": TAG_IMAGE, "value": image_tag},
        {"key": TAG_COMMIT, "value": reviewed.infra_commit},
        {"key": TAG_BY, "value": caller[:256]},
        {"key": TAG_REVIEWED, "value": reviewed.tag},
    ]
    with translated("ecs:RegisterTaskDefinition"):
        registered = aws.client("ecs").register_task_definition(**request)
    arn: str = registered["taskDefinition"]["taskDefinitionArn"]
    return arn


def deploy(aws: Aws, target: Target, image_tag: str, waiter: Waiter | None, reviewed: Review | None = None) -> Outcome:
    """``reviewed``: what generator/deploy/review.py found (the CLI refuses an unreviewed tree
    before this); read here when not given. Its commit and verdict tag the revision."""
    taskdef.image_uri(target.service, target.account, image_tag)  # a malformed tag fails before any AWS call
    caller = aws.check_account(target.account)
    image_exists(aws, target, image_tag)
    if target.service.is_job:
        return _deploy_job(aws, target, image_tag, caller, reviewed)
    current = _describe_service(aws, target)
    arn = register(aws, target, image_tag, caller, reviewed or review(target.root))
    deployment, _ = _update(aws, target, arn, service=current, port=target.service.port)
    if waiter is None:
        return Outcome(True, "deployment started (not waiting)", arn, deployment)
    return waiter.wait(deployment, arn)


def _deploy_job(aws: Aws, target: Target, image_tag: str, caller: str, reviewed: Review | None) -> Outcome:
    """A job: register the revision, then point the schedule at it. No ECS service, no rollout:
    the next scheduled run starts a task of the new revision."""
    found = job_schedule.get(aws, target)  # before registering: a missing schedule registers nothing
    arn = register(aws, target, image_tag, caller, reviewed or review(target.root))
    job_schedule.point(aws, target, found, arn)
    return Outcome(True, _job_message(found), arn, None)


def _job_message(found: dict[str, Any]) -> str:
    when = f"{found.get('ScheduleExpression', '?')} {found.get('ScheduleExpressionTimezone') or 'UTC'}"
    return (
        f"schedule {found.get('GroupName')}/{found.get('Name')} ({when}, {found.get('State', '?')}) now runs it; "
        "no ECS service to wait for: its next run uses it"
    )


def current_revision(aws: Aws, target: Target) -> str:
    """The revision that runs: the ECS service's, or the one a job's schedule starts."""
    if target.service.is_job:
        return job_schedule.task_definition(job_schedule.get(aws, target))
    return str(_describe_service(aws, target).get("taskDefinition"))


@dataclass(frozen=True)
class Revision:
    """One task definition revision of the service, as `service history` lists it."""

    number: int
    arn: str
    image_tag: str | None  # None: not registered by infragen deploy (the root's bootstrap revision)
    infra_commit: str | None  # None: a tag the revision does not carry (the table prints "-")
    deployed_by: str | None
    registered_at: str | None
    reviewed: str | None
    image_present: bool
    current: bool

    @property
    def deployable(self) -> bool:
        return self.image_tag is not None and self.image_present

    def why_not(self) -> str:
        if self.image_tag is None:
            return "not deployed by infragen (the root's bootstrap revision, whose image was never pushed)"
        if not self.image_present:
            return f"image tag {self.image_tag!r} is no longer in ECR"
        return ""

    def line(self) -> str:
        mark = "*" if self.current else " "
        state = "deployable" if self.deployable else f"not deployable: {self.why_not()}"
        return (
            f"{mark} {self.number:>4}  {self.image_tag or '-':<16} {(self.infra_commit or '-')[:19]:<19} "
            f"{(self.deployed_by or '-')[-40:]:<40} {self.registered_at or '-':<25} {state}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "revision": self.number,
            "taskDefinitionArn": self.arn,
            "imageTag": self.image_tag,
            "infraCommit": self.infra_commit,
            "deployedBy": self.deployed_by,
            "registeredAt": self.registered_at,
            "reviewed": self.reviewed,
            "current": self.current,
            "deployable": self.deployable,
            "whyNotDeployable": self.why_not() or None,
        }


HISTORY_HEADER = f"  {'rev':>4}  {'image tag':<16} {'infra commit':<19} {'deployed by':<40} {'registered':<25} state"


def _tags(described: dict[str, Any]) -> dict[str, str]:
    return {str(t.get("key")): str(t.get("value")) for t in described.get("tags") or []}


def _images_present(aws: Aws, target: Target, tags: set[str]) -> set[str]:
    """Which of ``tags`` are in the service's ECR repository."""
    from botocore.exceptions import ClientError

    if not tags:
        return set()
    found: set[str] = set()
    ecr = aws.client("ecr")
    for tag in sorted(tags):
        with translated("ecr:DescribeImages"):
            try:
                ecr.describe_images(repositoryName=target.name, imageIds=[{"imageTag": tag}])
            except ClientError as exc:
                if error_code(exc) in ("ImageNotFoundException", "RepositoryNotFoundException"):
                    continue
                raise
        found.add(tag)
    return found


def history(aws: Aws, target: Target, limit: int = 20) -> list[Revision]:
    """The newest ``limit`` revisions of the service's family, newest first."""
    ecs = aws.client("ecs")
    with translated("ecs:ListTaskDefinitions"):
        pages = ecs.get_paginator("list_task_definitions").paginate(familyPrefix=target.name, sort="DESC")
        found = [a for page in pages for a in page.get("taskDefinitionArns", []) if taskdef.family(a) == target.name]
    arns = sorted(found, key=_number, reverse=True)[:limit]  # newest first, whatever order the API used
    try:
        current = current_revision(aws, target)
    except DeployError:
        current = ""
    described = []
    for arn in arns:
        with translated("ecs:DescribeTaskDefinition"):
            described.append(ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"]))
    present = _images_present(aws, target, {_tags(d).get(TAG_IMAGE, "") for d in described} - {""})
    revisions = []
    for arn, found in zip(arns, described, strict=True):
        tags = _tags(found)
        image = tags.get(TAG_IMAGE)
        registered = (found.get("taskDefinition") or {}).get("registeredAt")
        revisions.append(
            Revision(
                number=int(arn.rsplit(":", 1)[-1]),
                arn=arn,
                image_tag=image,
                infra_commit=tags.get(TAG_COMMIT),
                deployed_by=tags.get(TAG_BY),
                registered_at=_when(registered),
                reviewed=tags.get(TAG_REVIEWED),
                image_present=image in present if image else False,
                current=arn == current,
            )
        )
    return revisions


def _when(value: object) -> str | None:
    import datetime

    return value.isoformat(timespec="seconds") if isinstance(value, datetime.datetime) else None


def _number(arn: str) -> int:
    return int(arn.rsplit(":", 1)[-1])


def _deployable_list(revisions: list[Revision]) -> str:
    ok = [f"{r.number} ({r.image_tag})" for r in revisions if r.deployable and not r.current]
    return ", ".join(ok) if ok else "none (deploy an image first)"


def _revision_arn(aws: Aws, target: Target, revision: str) -> tuple[str, int | None]:
    """The ARN of ``revision`` and its HTTP port; refused unless infragen deployed it and its image
    is still in ECR (rolling back to a revision whose image is gone starts tasks that cannot pull)."""
    from botocore.exceptions import ClientError

    ref = revision if ":" in revision else f"{target.name}:{revision}"
    number = ref.rsplit(":", 1)[-1]
    if not number.isdigit():
        raise DeployError(f"--to {revision!r}: give a revision number or family:revision (e.g. {target.name}:3)")
    described: dict[str, Any] = {}
    with translated(f"ecs:DescribeTaskDefinition {ref}"):
        try:
            described = aws.client("ecs").describe_task_definition(taskDefinition=ref, include=["TAGS"])
        except ClientError as exc:
            if error_code(exc) not in ("ClientException", "InvalidParameterException"):
                raise
    if not described:
        raise DeployError(
            f"no revision {ref}; deployable revisions: {_deployable_list(history(aws, target))} "
            f"(infragen service history {target.name} --env {target.account.env})"
        )
    found = described["taskDefinition"]
    if found.get("family") != target.name:
        raise DeployError(f"task definition {ref} belongs to family {found.get('family')!r}, not {target.name!r}")
    arn: str = found["taskDefinitionArn"]
    image = _tags(described).get(TAG_IMAGE)
    why = ""
    if image is None:
        why = "it was not deployed by infragen (the root's bootstrap revision, whose image was never pushed)"
    elif image not in _images_present(aws, target, {image}):
        why = f"its image tag {image!r} is no longer in ECR"
    if why:
        raise DeployError(
            f"refusing to roll back to {arn.rsplit('/', 1)[-1]}: {why}; deployable revisions: "
            f"{_deployable_list(history(aws, target))}"
        )
    return arn, http_port(found, target.name)


def previous_revision(aws: Aws, target: Target, current: str) -> str:
    """The newest revision before ``current`` that infragen deployed (tagged with an image tag)."""
    return _previous_revision(aws, target, current)[0]


def _previous_revision(aws: Aws, target: Target, current: str) -> tuple[str, int | None]:
    """:func:`previous_revision` and its HTTP port."""
    ecs = aws.client("ecs")
    current_number = int(current.rsplit(":", 1)[-1])
    with translated("ecs:ListTaskDefinitions"):
        pages = ecs.get_paginator("list_task_definitions").paginate(familyPrefix=target.name, sort="DESC")
        arns = [arn for page in pages for arn in page.get("taskDefinitionArns", [])]
    for arn in sorted(arns, key=_number, reverse=True):  # newest first, whatever order the API used
        if taskdef.family(arn) != target.name or int(arn.rsplit(":", 1)[-1]) >= current_number:
            continue
        with translated("ecs:DescribeTaskDefinition"):
            described = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
        if any(t.get("key") == TAG_IMAGE for t in described.get("tags", [])):
            return str(arn), http_port(described.get("taskDefinition") or {}, target.name)
    raise DeployError(f"no earlier revision of {target.name} was deployed by infragen; name one with --to")


def rollback(aws: Aws, target: Target, to: str | None, waiter: Waiter | None) -> Outcome:
    aws.check_account(target.account)
    if target.service.is_job:
        return _rollback_job(aws, target, to)
    service = _describe_service(aws, target)
    current = str(service["taskDefinition"])
    arn, port = _revision_arn(aws, target, to) if to else _previous_revision(aws, target, current)
    if arn == current:
        raise DeployError(f"{arn.rsplit('/', 1)[-1]} is already the service's revision")
    # Back across a port change, the load balancer moves back to the revision's port with it.
    deployment, _ = _update(aws, target, arn, service=service, port=port)
    if waiter is None:
        return Outcome(True, f"rollback to {arn.rsplit('/', 1)[-1]} started (not waiting)", arn, deployment)
    return waiter.wait(deployment, arn)


def _rollback_job(aws: Aws, target: Target, to: str | None) -> Outcome:
    found = job_schedule.get(aws, target)
    current = job_schedule.task_definition(found)
    if to:
        arn = _revision_arn(aws, target, to)[0]
    elif current:
        arn = _previous_revision(aws, target, current)[0]
    else:
        raise DeployError(f"schedule {target.name}/{target.name} names no task definition; name one with --to")
    if arn == current:
        raise DeployError(f"{arn.rsplit('/', 1)[-1]} is already the revision the schedule runs")
    job_schedule.point(aws, target, found, arn)
    return Outcome(True, "rolled back: " + _job_message(found), arn, None)


def refuse_job(target: Target, command: str) -> None:
    """Service-only commands on a job: a user error saying what to do instead."""
    if target.service.is_job:
        env = target.account.env
        raise CommandError(
            f"{command}: {target.name!r} is a job (kind: job): it has no ECS service, so nothing runs to "
            f"{command.rsplit(' ', 1)[-1]}; every scheduled run starts a fresh task of the revision its "
            f"schedule names. To run it now, start a one-off task: `infragen run {target.name} --env {env}` "
            f"(its own command) or `infragen run {target.name} --env {env} -- COMMAND...`"
        )


def restart(aws: Aws, target: Target, waiter: Waiter | None) -> Outcome:
    refuse_job(target, "service restart")  # before any AWS call
    aws.check_account(target.account)
    service = _describe_service(aws, target)
    current = str(service["taskDefinition"])
    deployment, _ = _update(aws, target, current, force=True)
    if waiter is None:
        return Outcome(True, f"restart of {current.rsplit('/', 1)[-1]} started (not waiting)", current, deployment)
    return waiter.wait(deployment, current)
