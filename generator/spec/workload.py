"""Rules of the workload kinds (``kind: service`` / ``worker`` / ``job``) that a JSON Schema cannot express.

A worker serves nothing: no HTTP port, health check path, ingress or Service Connect alias, so no
other service may call it (declare it in ``spec.dependencies.services``). Its health is a container
command (``spec.healthCheck.command``) and it may autoscale on the backlog per task of a queue it
declares (``autoscaling.resource: queue``). A job serves nothing either and has no ECS service:
EventBridge Scheduler runs one task per ``spec.schedule``, so it has no task count, autoscaling or
health check. Called by :func:`generator.spec.load.load_repo` after the cross-file rules.
"""

from __future__ import annotations

import re
import zoneinfo

from generator.errors import Problem
from generator.spec.document import Document, FieldPath
from generator.spec.models import Autoscaling, Repo, Service

WORKER_HINT = "a worker serves no HTTP"


def workload_problems(repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    """Every problem of the workload kinds, at the file and line of the offending field."""
    problems: list[Problem] = []
    for service in repo.services:
        doc = docs.get(service.file)
        if doc is not None:
            problems.extend(service_workload_problems(repo, service, doc, docs))
    return problems


def service_workload_problems(repo: Repo, service: Service, doc: Document, docs: dict[str, Document]) -> list[Problem]:
    """The workload problems of one service (``doc``: its spec)."""
    problems = [
        *_kind_rules(doc, service),
        *_job_rules(doc, service, repo, docs),
        *_caller_rules(doc, service, repo, docs),
    ]
    problems.extend(_queue_scaling_rules(doc, service, repo, service.autoscaling, ("spec", "autoscaling"), ""))
    for env_file in service.env_files:
        env_doc = docs.get(env_file.file) if env_file.file else None
        if env_doc is not None and env_file.autoscaling_set:
            where: FieldPath = ("overrides", "autoscaling")
            scaling = env_file.autoscaling
            problems.extend(_queue_scaling_rules(env_doc, service, repo, scaling, where, f" in {env_file.env}"))
    return problems


def _kind_line(doc: Document, kind: str = "worker") -> str:
    line = doc.position(("kind",))[0]
    return f"kind: {kind} at line {line}"


def _kind_rules(doc: Document, service: Service) -> list[Problem]:
    spec = doc.data.get("spec") or {}
    health = spec.get("healthCheck")
    if service.is_job:
        return []  # _job_rules
    if not service.is_worker:
        if isinstance(health, dict) and "command" in health:
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
    for field in sorted(set(health) - {"command"} if isinstance(health, dict) else ()):
        problems.append(
            doc.problem(
                ("spec", "healthCheck", field),
                f"{WORKER_HINT} ({where}), so it has no load balancer health check: remove healthCheck.{field}",
                key=True,
            )
        )
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
    """No service lists a worker or a job in spec.dependencies.services: neither has anything to call."""
    problems = []
    for index, name in enumerate(service.depends_on_services):
        other = repo.find_service(name)
        if name == service.name or other is None or other.serves_http:
            continue  # an unknown service is reported by the dependency rules
        other_doc = docs.get(other.file)
        line = other_doc.position(("kind",))[0] if other_doc is not None else 1
        article = "an" if other.kind[0] in "aeiou" else "a"
        reach = (
            "through a queue it consumes" if other.is_worker else "through what it writes (a queue, table or bucket)"
        )
        problems.append(
            doc.problem(
                ("spec", "dependencies", "services", index),
                f"service {name!r} is {article} {other.kind} (kind: {other.kind}, {other.file}:{line}): it serves "
                f"no HTTP and has no Service Connect alias, so it cannot be called; remove it from "
                f"spec.dependencies.services (reach it {reach} instead)",
            )
        )
    return problems


# EventBridge Scheduler's cron: minutes hours day-of-month month day-of-week year, and one of the
# two day fields must be "?" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based).
CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
SERVICE_CONNECT_DOC = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html"
# Fields a job has no use for: it serves nothing and runs one task per scheduled run.
JOB_FORBIDDEN = {
    "port": "it serves no HTTP",
    "previousPort": "it serves no HTTP",
    "ingress": "it serves no HTTP",
    "healthCheck": "a run is judged by its exit code (alarm failed_runs), not a health check",
    "desiredCount": "Scheduler starts one task per run",
    "autoscaling": "Scheduler starts one task per run",
}


def _job_rules(doc: Document, service: Service, repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    """spec.schedule only and always on a job; nothing a job cannot use; a schedule AWS accepts."""
    spec = doc.data.get("spec") or {}
    if not service.is_job:
        if "schedule" in spec:
            return [doc.problem(("spec", "schedule"), "schedule is for kind: job (a task run on a schedule)", key=True)]
        return []
    where = _kind_line(doc, "job")
    problems = [
        doc.problem(("spec", field), f"a job ({where}) has no {field}: {why}; remove spec.{field}", key=True)
        for field, why in JOB_FORBIDDEN.items()
        if field in spec
    ]
    for env_file in service.env_files:
        env_doc = docs.get(env_file.file) if env_file.file else None
        overrides = (env_doc.data.get("overrides") or {}) if env_doc is not None else {}
        for field in ("desiredCount", "autoscaling"):
            if env_doc is not None and field in overrides:
                problems.append(
                    env_doc.problem(
                        ("overrides", field),
                        f"a job ({service.file}, {where}) has no {field}: {JOB_FORBIDDEN[field]}",
                        key=True,
                    )
                )
    problems.extend(
        doc.problem(
            ("spec", "dependencies", "services", index),
            f"a job ({where}) cannot call service {name!r}: each run is a standalone task (EventBridge Scheduler "
            f"starts it with RunTask), and {name}'s address, {name}-internal.<env>.<zone>, is an ECS Service "
            f"Connect alias, which resolves only in the tasks of ECS services ('Service Connect only "
            f"interconnects Amazon ECS services', {SERVICE_CONNECT_DOC}); remove it from "
            f"spec.dependencies.services and reach {name} through a datastore it reads (a queue, table or "
            f"bucket), or make this a kind: worker",
        )
        for index, name in enumerate(service.depends_on_services)
    )
    schedule = service.schedule
    if schedule is None:
        return problems  # the schema requires it
    problems.extend(_expression_problems(doc, schedule.expression))
    try:
        zoneinfo.ZoneInfo(schedule.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(
            doc.problem(
                ("spec", "schedule", "timezone"),
                f"unknown time zone {schedule.timezone!r}: write an IANA name such as UTC or Europe/Berlin",
            )
        )
    if schedule.timeout is not None:
        for env in service.environments:
            account = next((a for a in repo.accounts if a.env == env), None)
            if account is not None and not account.container_insights:
                problems.append(
                    doc.problem(
                        ("spec", "schedule", "timeout"),
                        f"timeout is watched through the job's task metrics, which CloudWatch publishes only with "
                        f"Container Insights: account {env!r} does not set ecs.containerInsights: true",
                    )
                )
    return problems


def _expression_problems(doc: Document, expression: str) -> list[Problem]:
    path: FieldPath = ("spec", "schedule", "expression")
    rate = _RATE.match(expression)
    if rate is not None:
        value, unit = int(rate.group(1)), rate.group(2)
        if (value == 1) != (not unit.endswith("s")):
            right = unit.rstrip("s") if value == 1 else f"{unit.rstrip('s')}s"
            return [doc.problem(path, f"rate({value} {unit}): write rate({value} {right}) (singular only for 1)")]
        return []
    if not (expression.startswith("cron(") and expression.endswith(")")):
        return [doc.problem(path, "write cron(<6 fields>) or rate(<n> minutes|hours|days)")]
    fields = expression[5:-1].split()
    if len(fields) != len(CRON_FIELDS):
        return [
            doc.problem(
                path,
                f"a cron expression has {len(CRON_FIELDS)} fields ({' '.join(CRON_FIELDS)}), this one has "
                f"{len(fields)}: for example cron(0 3 * * ? *)",
            )
        ]
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return [
            doc.problem(
                path,
                f"one of day-of-month ({day_of_month}) and day-of-week ({day_of_week}) must be ?, not both: "
                "for example cron(0 3 * * ? *) or cron(0 3 ? * MON *)",
            )
        ]
    return []


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
