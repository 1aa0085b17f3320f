"""Rules of the workload kinds (``kind: service`` / ``kind: worker``) that a JSON Schema cannot express.

A worker serves nothing: no HTTP port, health check path, ingress or Service Connect alias, so no
other service may call it (declare it in ``spec.dependencies.services``). Its health is a container
command (``spec.healthCheck.command``) and it may autoscale on the backlog per task of a queue it
declares (``autoscaling.resource: queue``). Called by :func:`generator.spec.load.load_repo` after
the cross-file rules.
"""

from __future__ import annotations

from generator.errors import Problem
from generator.spec.document import Document, FieldPath
from generator.spec.models import Autoscaling, Repo, Service

WORKER_HINT = "a worker serves no HTTP"


def workload_problems(repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    """Every problem of the workload kinds, at the file and line of the offending field."""
    problems: list[Problem] = []
    for service in repo.services:
        doc = docs.get(service.file)
        if doc is None:
            continue
        problems.extend(_kind_rules(doc, service))
        problems.extend(_caller_rules(doc, service, repo, docs))
        problems.extend(_queue_scaling_rules(doc, service, repo, service.autoscaling, ("spec", "autoscaling"), ""))
        for env_file in service.env_files:
            env_doc = docs.get(env_file.file) if env_file.file else None
            if env_doc is not None and env_file.autoscaling_set:
                where: FieldPath = ("overrides", "autoscaling")
                scaling = env_file.autoscaling
                problems.extend(_queue_scaling_rules(env_doc, service, repo, scaling, where, f" in {env_file.env}"))
    return problems


def _kind_line(doc: Document) -> str:
    line = doc.position(("kind",))[0]
    return f"kind: worker at line {line}"


def _kind_rules(doc: Document, service: Service) -> list[Problem]:
    spec = doc.data.get("spec") or {}
    health = spec.get("healthCheck")
    if not service.is_worker:
        if isinstance(health, dict):
            return [
                doc.problem(
                    ("spec", "healthCheck"),
                    "healthCheck.command is for kind: worker; a service's health check is an HTTP path "
                    "(for example /health)",
                )
            ]
        return []
    problems = []
    where = _kind_line(doc)
    if "ingress" in spec:
        problems.append(
            doc.problem(
                ("spec", "ingress"),
                f"{WORKER_HINT} ({where}): remove spec.ingress, or make it kind: service",
                key=True,
            )
        )
    for field in ("port", "previousPort"):
        if field in spec:
            problems.append(doc.problem(("spec", field), f"{WORKER_HINT} ({where}): remove spec.{field}", key=True))
    if isinstance(health, str):
        problems.append(
            doc.problem(
                ("spec", "healthCheck"),
                f"{WORKER_HINT} ({where}), so it has no health check path: write healthCheck: {{command: "
                '["CMD-SHELL", "..."]}, or leave it out for the /tmp/healthy heartbeat convention',
            )
        )
    return problems


def _caller_rules(doc: Document, service: Service, repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    """No service lists a worker in spec.dependencies.services: a worker has nothing to call."""
    problems = []
    for index, name in enumerate(service.depends_on_services):
        if name == service.name:
            continue
        try:
            other = repo.service(name)
        except KeyError:
            continue  # unknown service: reported by the dependency rules
        if not other.is_worker:
            continue
        other_doc = docs.get(other.file)
        line = other_doc.position(("kind",))[0] if other_doc is not None else 1
        problems.append(
            doc.problem(
                ("spec", "dependencies", "services", index),
                f"service {name!r} is a worker (kind: worker, {other.file}:{line}): it serves no HTTP and "
                "has no Service Connect alias, so it cannot be called; remove it from spec.dependencies.services "
                "(reach it through a queue it consumes instead)",
            )
        )
    return problems


def _queue_scaling_rules(
    doc: Document,
    service: Service,
    repo: Repo,
    scaling: Autoscaling | None,
    path: FieldPath,
    suffix: str,
) -> list[Problem]:
    """resource: queue only on a worker, naming a declared queue, in accounts with Container Insights."""
    if scaling is None:
        return []
    if scaling.resource != "queue":
        if scaling.queue is not None:
            return [doc.problem((*path, "queue"), f"queue is only used with resource: queue (here {scaling.resource})")]
        return []
    if not service.is_worker:
        return [
            doc.problem(
                (*path, "resource"),
                "resource: queue is for kind: worker; a service scales on cpu or memory",
            )
        ]
    if scaling.queue is None:
        return [
            doc.problem((*path, "resource"), "resource: queue needs queue: <a queue in spec.dependencies.datastores>")
        ]
    declared = [
        name
        for name in service.depends_on_datastores
        if (found := repo.datastore_owner(name)) is not None and found[1].type == "queue"
    ]
    if scaling.queue not in declared:
        listed = ", ".join(declared) or "none"
        return [
            doc.problem(
                (*path, "queue"),
                f"{scaling.queue!r} is not a queue this worker declares in spec.dependencies.datastores"
                f"{suffix} (declared queues: {listed})",
            )
        ]
    problems = []
    for env in service.environments:
        account = next((a for a in repo.accounts if a.env == env), None)
        env_file = service.env_file(env)
        overridden = env_file is not None and env_file.autoscaling_set
        if account is None or account.container_insights:
            continue
        if (suffix and suffix != f" in {env}") or (not suffix and overridden):
            continue  # judged where this environment's autoscaling is set
        problems.append(
            doc.problem(
                (*path, "resource"),
                f"resource: queue divides the backlog by the running task count, which CloudWatch publishes "
                f"only with Container Insights: account {env!r} does not set ecs.containerInsights: true"
                f"{suffix}",
            )
        )
    return problems
