"""status and verify: what runs, how it differs from what the spec compiles to, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.deploy import taskdef
from generator.deploy.aws import Aws, DeployError, Target, error_code, translated
from generator.deploy.rollout import TAG_IMAGE, _describe_service
from generator.spec import naming


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


def status(aws: Aws, target: Target) -> Status:
    aws.check_account(target.account)
    service = _describe_service(aws, target)
    revision_arn = str(service["taskDefinition"])
    with translated("ecs:DescribeTaskDefinition"):
        described = aws.client("ecs").describe_task_definition(taskDefinition=revision_arn, include=["TAGS"])
    definition = described["taskDefinition"]
    tag = _image_tag(definition, described.get("tags", []))
    want = taskdef.task_definition(target.repo, target.service, target.account, tag or "latest")
    changes = spec_diff(want, definition)
    # A port change (docs/deploying.md): the load balancer still names the previous port until a
    # deploy moves it together with the task definition.
    for lb in service.get("loadBalancers") or []:
        if lb.get("containerPort") not in (None, target.service.port):
            changes.append(
                f"load balancer port {lb['containerPort']} → {target.service.port} (moves with the next deploy)"
            )
    hint = None
    if tag is None or tag == naming.BOOTSTRAP_TAG:
        hint = (
            f"nothing has been deployed yet (the bootstrap revision runs): push an image and run "
            f"`infragen deploy {target.name} --env {target.account.env} --image-tag <tag>`"
        )
    elif changes:
        hint = f"run `infragen deploy {target.name} --env {target.account.env} --image-tag {tag}` to roll it out"
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

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


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
    checks = [Check("spec", True, f"{target.service.file} and its environment file are valid")]
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
    with translated("ecs:DescribeServices"):
        services = ecs.describe_services(cluster=target.cluster, services=[name]).get("services", [])
    running = [s for s in services if s.get("status") == "ACTIVE"]
    checks.append(Check("service", bool(running), f"{name} " + ("is ACTIVE" if running else "not found")))
    for kind in ("task", "execution"):
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
    if image_tag is None and running:
        with translated("ecs:DescribeTaskDefinition"):
            described = ecs.describe_task_definition(taskDefinition=running[0]["taskDefinition"], include=["TAGS"])
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


def _secret_checks(aws: Aws, target: Target) -> list[Check]:
    """Every secret and parameter the task definition references, described (never read)."""
    checks = []
    ssm, sm = aws.client("ssm"), aws.client("secretsmanager")
    for key, value_from in taskdef.secrets(target.repo, target.service, target.account).items():
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
