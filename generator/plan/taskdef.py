"""The task definition of a service in an environment, computed once.

:func:`task_definition` returns the RegisterTaskDefinition request. ``infragen compile`` prints it
with the ECR image of a tag; the generated Terraform root passes the same container definitions
(with the spec's bootstrap image) to ``modules/platform/service`` as ``jsonencode`` of the same
document written as HCL (one value per line, so a changed variable is a one-line diff), so the
revision Terraform creates and the one ``infragen deploy`` registers cannot drift.
"""

from __future__ import annotations

import re
from typing import Any

from generator.errors import CommandError
from generator.spec import convention, naming
from generator.spec.models import Account, Repo, Service

VOLUME = "tmp"


def ecr_repository(service: Service, account: Account) -> str:
    """The service's ECR repository URI (aws/ecs-service names the repository exactly like the service)."""
    return naming.image_uri(service.name, account).rsplit(":", 1)[0]


IMAGE_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")


def image_uri(service: Service, account: Account, tag: str) -> str:
    if not IMAGE_TAG.fullmatch(tag):
        raise CommandError(
            f"--image-tag {tag!r} is not a valid image tag: 1-128 of A-Z a-z 0-9 _ . -, not starting with . or -"
        )
    return naming.image_uri(service.name, account, tag)


def role_arn(service: Service, account: Account, kind: str) -> str:
    return f"arn:{naming.partition(account.region)}:iam::{account.account_id}:role/{service.name}-{kind}"


def log_group(service: Service) -> str:
    return f"/ecs/{service.name}"


# The container health check of a worker (the ECS defaults but for the start period, which gives
# the worker a minute to write its first heartbeat).
HEALTH_CHECK_TIMING = {"interval": 30, "timeout": 5, "retries": 3, "startPeriod": 60}


def port_mappings(service: Service) -> list[dict[str, Any]]:
    """The metrics port, after the HTTP port named ``http`` (Service Connect, the target group) of a
    service; a worker serves no HTTP, so it maps only the metrics port."""
    http = {
        "name": "http",
        "containerPort": service.port,
        "hostPort": service.port,
        "protocol": "tcp",
        "appProtocol": "http",
    }
    metrics = {
        "name": "metrics",
        "containerPort": service.metrics_port,
        "hostPort": service.metrics_port,
        "protocol": "tcp",
    }
    return [http, metrics] if service.serves_http else [metrics]


def health_check(service: Service) -> dict[str, Any] | None:
    """The container definition's healthCheck: a worker's command, None for a service (its health
    is the load balancer's and Service Connect's HTTP check of spec.healthCheck)."""
    command = service.container_health_check()
    return None if command is None else {"command": list(command), **HEALTH_CHECK_TIMING}


def container_definitions(repo: Repo, service: Service, account: Account, image: str) -> list[dict[str, Any]]:
    check = health_check(service)
    return [
        {
            "name": service.name,
            "image": image,
            "essential": True,
            "portMappings": port_mappings(service),
            **({"healthCheck": check} if check is not None else {}),
            "environment": [{"name": k, "value": v} for k, v in convention.environment(repo, service, account).items()],
            "secrets": [{"name": k, "valueFrom": v} for k, v in convention.secrets(repo, service, account).items()],
            "readonlyRootFilesystem": True,
            "privileged": False,
            "mountPoints": [{"sourceVolume": VOLUME, "containerPath": "/tmp", "readOnly": False}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group(service),
                    "awslogs-region": account.region,
                    "awslogs-stream-prefix": service.name,
                },
            },
        }
    ]


def bootstrap_container_definitions(repo: Repo, service: Service, account: Account) -> list[dict[str, Any]]:
    """What the Terraform root passes to the module (as ``jsonencode`` of an HCL value): the same
    containers with the bootstrap tag."""
    return container_definitions(repo, service, account, naming.image_uri(service.name, account))


def tags(repo: Repo, service: Service, account: Account) -> dict[str, str]:
    """The provider's default tags of the root (plan._root_files), which Terraform puts on the
    bootstrap revision: account defaults, the four infragen tags, the owner team's cost center."""
    values = dict(account.default_tags)
    values.update(
        {"environment": account.env, "managed-by": "infragen", "owner": service.owner, "service": service.name}
    )
    team = repo.teams.get(service.owner)
    if team is not None and team.cost_center:
        values["cost-center"] = team.cost_center  # the owner team pays, not the account
    return dict(sorted(values.items()))


def task_definition(repo: Repo, service: Service, account: Account, image_tag: str) -> dict[str, Any]:
    """The RegisterTaskDefinition request for ``image_tag`` (no AWS call)."""
    cpu, memory, _, _ = service.effective_size(account.env)
    return {
        "family": service.name,
        "taskRoleArn": role_arn(service, account, "task"),
        "executionRoleArn": role_arn(service, account, "execution"),
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": str(cpu),
        "memory": str(memory),
        "containerDefinitions": container_definitions(repo, service, account, image_uri(service, account, image_tag)),
        "volumes": [{"name": VOLUME}],
        "tags": [{"key": k, "value": v} for k, v in tags(repo, service, account).items()],
    }


def family(task_definition_arn: str) -> str:
    """The family of ``arn:...:task-definition/<family>:<revision>`` (of a revision's bare name too)."""
    return task_definition_arn.rsplit(":", 1)[0].rsplit("/", 1)[-1]
