"""`infragen explain <service>`: a plain-language summary of a service for a pull request."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.api import outputs
from generator.datastores import Interpolation, kind_of
from generator.errors import UnknownNameError
from generator.hcl import Document, JsonEncode, ObjectList, Raw, Value
from generator.plan.alarms import topic_name
from generator.plan.retired import RetiredRoot, RetiredUnit, retired_roots
from generator.plan.roots import ModuleCall, Ref, dependency_grants, root_calls
from generator.render.atlantis import Project, codeowners_rules, projects
from generator.render.jinja import render
from generator.render.terragrunt import all_projects as terragrunt_projects
from generator.render.terragrunt import flavor
from generator.spec.alarms import defaults as alarm_defaults
from generator.spec.load import load_repo
from generator.spec.models import MAIN, Account, Autoscaling, Repo, Service
from generator.spec.naming import internal_hostname
from generator.spec.schema import suggest
from generator.tools import plancheck
from generator.tools.patterns import owners, triggered

REQUIREMENTS = {
    "approved": "approved by someone other than the author",
    "mergeable": "mergeable on GitHub (required checks and code-owner reviews pass)",
    "undiverged": "up to date with the base branch",
}
# a database's alarm per read replica (modules/platform/database/alarms.tf): none without replicas
REPLICA_ALARM_KEY = "replica_lag"
# the service's alarm that needs Container Insights (modules/platform/service/alarms.tf): none without
INSIGHTS_ALARM_KEY = "missing_tasks"
# the service module's alarms a worker has (modules/platform/service/alarms.tf: no HTTP ones)
WORKER_ALARM_KEYS = ("cpu", "memory", INSIGHTS_ALARM_KEY)
# ... and a job's (modules/platform/service/job.tf); overrun only with a timeout
JOB_ALARM_KEYS = ("failed_invocations", "never_started", "failed_runs", "overrun")
# module inputs every datastore gets; the summary shows only the ones that describe it
COMMON_INPUTS = {"name", "service", "owner", "environment", "production", "vpc_id", "subnet_ids"}


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ProjectView:
    name: str
    dir: str
    files: tuple[str, ...]
    triggers: str
    order: str
    apply_needs: str
    approvers: str
    decommissioning: str | None
    modules: str = MAIN  # the modules its root runs: main (local) or a release tag


@dataclass(frozen=True)
class Explanation:
    service: str
    description: str
    owner: str
    envs: tuple[str, ...]
    declares: tuple[Row, ...]
    dependencies: str
    datastores: tuple[Row, ...]
    projects: tuple[ProjectView, ...]
    configuration: tuple[Row, ...] = ()  # variable names and secret references per environment
    grants: tuple[Row, ...] = ()  # what the task role may read or write, per environment
    also_planned: tuple[str, ...] = ()  # other projects a change to this service's files re-plans
    alarms: tuple[Row, ...] = ()
    guarded: tuple[Row, ...] = ()  # what infragen plan-check enforces on this service's plans
    diagram: tuple[str, ...] = ()  # Mermaid flowchart lines (GitHub renders them in a PR description)
    units: bool = False  # the Terragrunt flavor: one project per unit


def _value(value: Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, ObjectList):
        return "; ".join(_value(item) for item in value.items) or "none"
    if isinstance(value, (JsonEncode, Document)):
        return "`" + json.dumps(value.data, separators=(",", ":")) + "`"
    if isinstance(value, Raw):
        return value.expr
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


Calls = Mapping[str, list[ModuleCall]]  # env -> the service root's module calls, as rendered


def _service_args(calls: Calls, env: str) -> dict[str, Value]:
    found = calls.get(env) or []
    return dict(found[0].args) if found and found[0].unit == "service" else {}


def _declares(service: Service, accounts: list[Account], calls: Calls) -> list[Row]:
    sizes = [service.effective_size(a.env) for a in accounts]
    if service.is_job and service.schedule is not None:
        schedule = service.schedule
        timeout = f"; pages after {schedule.timeout} s" if schedule.timeout is not None else ""
        retries = f"{schedule.retries} retr{'y' if schedule.retries == 1 else 'ies'}"
        when = f"`{schedule.expression}` ({schedule.timezone}), {retries} of a failed RunTask{timeout}"
        no_http = "none: a job serves no HTTP (no port, target group or Service Connect alias)"
        return [
            Row("kind", tuple("job: one task per scheduled run, no ECS service" for _ in accounts)),
            Row("CPU units / memory", tuple(f"{cpu} / {memory} MiB" for cpu, memory, _, _ in sizes)),
            Row("schedule", tuple(when for _ in accounts)),
            Row("ingress", tuple(no_http for _ in accounts)),
        ]
    rows = [
        Row("CPU units / memory", tuple(f"{cpu} / {memory} MiB" for cpu, memory, _, _ in sizes)),
        Row("tasks", tuple(str(desired) for _, _, desired, _ in sizes)),
        Row("autoscaling", tuple(_scaling(s) for _, _, _, s in sizes)),
    ]
    command = service.container_health_check()
    if command is not None:
        health = " ".join(command).replace("|", "\\|")  # a table cell
        rows.insert(0, Row("kind", tuple(f"worker: serves no HTTP; health check `{health}`" for _ in accounts)))
        no_http = "none: a worker serves no HTTP (no port, target group or Service Connect alias)"
        rows.append(Row("ingress", tuple(no_http for _ in accounts)))
        return rows
    ingress = []
    for account in accounts:
        args = _service_args(calls, account.env)
        text = f"internal `{args.get('internal_hostname') or internal_hostname(service.name, account)}`"
        external = args.get("external")
        if isinstance(external, Mapping) and external.get("domain"):
            text += f", public `{external['domain']}`"
        ingress.append(text)
    rows.append(Row("ingress", tuple(ingress)))
    return rows


def _scaling(scaling: Autoscaling | None) -> str:
    if scaling is None:
        return "off"
    if scaling.resource == "queue":
        return (
            f"backlog of `{scaling.queue}` at {scaling.target} messages per task, {scaling.min} to {scaling.max} tasks"
        )
    return f"{scaling.resource} at {scaling.target}%, {scaling.min} to {scaling.max} tasks"


def _configuration(service: Service, accounts: list[Account]) -> list[Row]:
    """Variable names (never values) and where each secret comes from."""
    names, refs = [], []
    for account in accounts:
        env_file = service.env_file(account.env)
        variables = [k for k, _ in env_file.variables] if env_file else []
        names.append(", ".join(f"`{k}`" for k in variables) or "none")
        secrets = []
        for key, secret in env_file.secrets if env_file else ():
            if secret.secrets_manager_arn:
                field = f" (field `{secret.field}`)" if secret.field else ""
                secrets.append(f"`{key}` from Secrets Manager `{secret.secrets_manager_arn}`{field}")
            else:
                secrets.append(f"`{key}` from SSM `{secret.ssm_parameter}`")
        refs.append("; ".join(secrets) or "none")
    return [Row("variables (names)", tuple(names)), Row("secrets (references)", tuple(refs))]


# The execution role (ECS, before the container starts) reads the secrets it injects.
GRANTS = (
    ("secret_arns", "execution role: read Secrets Manager secrets"),
    ("ssm_parameter_arns", "execution role: read SSM parameters"),
)


def _arn_text(value: Value) -> str:
    if isinstance(value, Interpolation):
        before = f"`{value.prefix}` + " if value.prefix else ""
        return before + _arn_text(value.value) + (f" + `{value.suffix}`" if value.suffix else "")
    if isinstance(value, Ref):
        # an element of a list output: a read replica (replica_resource_ids[0] is replica 1)
        unit = value.unit if value.index is None else f"{value.unit} read replica {value.index + 1}"
        if value.expr.startswith("module."):
            return f"`{unit}` (created by this root)"
        return f"`{unit}` (`{value.attr}` of {value.service}'s root)"
    return f"`{value}`"


def joined_groups(args: Mapping[str, Value]) -> list[str]:
    """The `-clients` groups the tasks join, from the service call's client_security_group_ids."""
    names = []
    found = args.get("client_security_group_ids")
    for value in found if isinstance(found, (list, tuple)) else []:
        if isinstance(value, Ref):
            names.append(f"{value.service if value.unit == 'service' else value.unit}-clients")
    return sorted(names)


def _grants(repo: Repo, service: Service, accounts: list[Account], calls: Calls) -> list[Row]:
    """The roles' grants, from the same module arguments the roots get (least privilege from
    the declared dependencies and secret references)."""
    rows = []
    for arg, label in GRANTS:
        cells = []
        for account in accounts:
            args = _service_args(calls, account.env)
            found = args.get(arg) or []
            cells.append(", ".join(_arn_text(v) for v in found) if isinstance(found, list) and found else "none")
        if any(c != "none" for c in cells):
            rows.append(Row(label, tuple(cells)))
    # the declared datastores' IAM statements (generator/datastores: each kind's grant)
    per_env = [{g.sid: g for g in dependency_grants(repo, service, a)} for a in accounts]
    summaries = dict.fromkeys((sid, g.summary) for grants in per_env for sid, g in grants.items() if g.summary)
    for sid, summary in summaries:
        cells = []
        for grants in per_env:
            grant = grants.get(sid)
            cells.append(", ".join(_arn_text(r) for r in grant.resources) if grant else "none")
        rows.append(Row(f"task role: {summary}", tuple(cells)))
    groups = [", ".join(f"`{g}`" for g in joined_groups(_service_args(calls, a.env))) or "none" for a in accounts]
    rows.append(Row("tasks join security groups", tuple(groups)))
    return rows


def _also_planned(
    root: Path, repo: Repo, service: Service, mine: list[Project], all_projects: list[Project]
) -> list[str]:
    """Other projects whose autoplan patterns match this service's spec or environment files."""
    files = [service.file, *(f.file for f in service.env_files if f.file)]
    own = {p.name for p in mine}
    return [
        f"`{p.name}` (when {', '.join(f'`{m.file}`' for m in found)} changes)"
        for p in all_projects
        if p.name not in own and (found := triggered(p.dir, p.when_modified, files))
    ]


# Module arguments in words; the alarm arguments are in the alarms section.
LABELS = {
    "iam_users": "database users (IAM auth)",
    "engine_version": "engine version",
    "instance_class": "instance class",
    "storage_gb": "storage GB",
    "max_storage_gb": "storage autoscaling up to GB",
    "multi_az": "Multi-AZ",
    "backup_retention_days": "backups kept (days)",
    "backup_window": "daily backup window (UTC)",
    "maintenance_window": "weekly maintenance window (UTC)",
    "node_type": "node type",
    "num_cache_nodes": "nodes",
    "snapshot_retention_days": "snapshots kept (days)",
    "visibility_timeout_seconds": "visibility timeout (s)",
    "message_retention_seconds": "messages kept (s)",
    "dead_letter_queue": "dead-letter queue",
    "hash_key": "hash key",
    "range_key": "range key",
    "expiration_days": "objects expire after (days)",
    "performance_insights": "Performance Insights",
    "apply_immediately": "apply immediately",
}
HIDDEN = {"alarm_topic_arn", "alarm_overrides"}


def label(arg: str) -> str:
    return LABELS.get(arg, arg.replace("_", " "))


def _datastores(service: Service, accounts: list[Account], calls: Calls) -> list[Row]:
    per_env = [{c.unit: c.args for c in calls.get(a.env) or []} for a in accounts]
    rows = []
    for datastore in service.datastores:
        cells = []
        for found in per_env:
            args = found.get(datastore.name, ())
            shown = [f"{label(k)} {_value(v)}" for k, v in args if k not in COMMON_INPUTS | HIDDEN | {"source"}]
            cells.append(", ".join(shown) or "not in this environment")
        rows.append(Row(f"`{datastore.name}` ({datastore.type})", tuple(cells)))
    return rows


def _threshold(value: float) -> str:
    return f"{value:g}"


def _alarms(root: Path, repo: Repo, service: Service, accounts: list[Account]) -> list[Row]:
    """Each alarm with its threshold per environment (platform default or the spec's override),
    and who its topic notifies."""
    rows = []
    parts = [("service", "service", service.name), *((d.type, d.name, d.name) for d in service.datastores)]
    datastores = {d.name: d for d in service.datastores}
    for kind, target, title in parts:
        found = alarm_defaults(root, kind)
        for key, default in sorted((found or {}).items()):
            if kind == "service" and service.is_worker and key not in WORKER_ALARM_KEYS:
                continue  # a worker serves no HTTP: no load balancer or Service Connect alarms
            if kind == "service" and (key in JOB_ALARM_KEYS) != service.is_job:
                continue  # a job has only its run alarms; a service or worker has none of them
            if key == "overrun" and (service.schedule is None or service.schedule.timeout is None):
                continue  # no timeout, no overrun alarm
            cells = []
            for account in accounts:
                if key == INSIGHTS_ALARM_KEY and kind == "service" and not account.container_insights:
                    cells.append("none: no Container Insights")  # ecs.containerInsights in account.yaml
                    continue
                if key == REPLICA_ALARM_KEY and target in datastores:
                    replicas = kind_of(kind).replica_ids(datastores[target], account)
                    if not replicas:
                        cells.append("no read replicas")
                        continue
                override = next((o for o in service.alarm_overrides(account.env, target) if o.key == key), None)
                if override is None:
                    cells.append(f"{_threshold(default.threshold)} {default.unit}")
                elif override.silenced:
                    cells.append(f"silenced: {override.reason}")
                else:
                    assert override.threshold is not None
                    cells.append(f"{_threshold(override.threshold)} {default.unit} (override: {override.reason})")
            rows.append(Row(f"`{title}` {key}", tuple(cells)))
    team = repo.teams.get(service.owner)
    paged = []
    for account in accounts:
        route = team.route(account.env) if team else None
        who = [*(route.email if route else ()), *(route.https if route else ())]
        paged.append(f"`{topic_name(service.owner)}`: " + (", ".join(who) if who else "nobody subscribed"))
    rows.append(Row("notifies", tuple(paged)))
    return rows


def _guarded(repo: Repo, service: Service, accounts: list[Account]) -> list[Row]:
    """What plan-check enforces on this service's plans: the acknowledged replacements per
    environment, and the access its roots may have (generator/tools/plancheck.py)."""
    access = plancheck.declared_access(repo, service)
    acknowledged = []
    for account in accounts:
        env_file = service.env_file(account.env)
        found = env_file.acknowledged if env_file else ()
        acknowledged.append("; ".join(f"`{a.address}` ({a.reason})" for a in found) or "none")
    groups = ", ".join(f"`{g}`" for g in sorted(access.groups - {service.name, *access.datastores}))
    callers = ", ".join(f"`{c}`" for c in sorted(access.callers)) or "none"
    return [
        Row("destroys/replacements acknowledged", tuple(acknowledged)),
        Row("security groups its roots may use", tuple(groups for _ in accounts)),
        Row(
            "IAM may name datastores",
            tuple(", ".join(f"`{d}`" for d in sorted(access.datastores)) or "none" for _ in accounts),
        ),
        Row("Consul intentions admit", tuple(callers for _ in accounts)),
    ]


def node_id(kind: str, name: str) -> str:
    """A Mermaid node id: letters, digits and underscores only."""
    return f"{kind}_{re.sub(r'[^A-Za-z0-9]', '_', name)}"


def diagram(repo: Repo, service: Service) -> list[str]:
    """The service, who calls it, what it calls, its datastores and the topic its alarms page."""
    me = node_id("svc", service.name)
    lines = ["flowchart LR", f'  {me}["{service.name}"]']
    for caller in sorted(s.name for s in repo.dependents(service.name)):
        lines += [f'  {node_id("svc", caller)}["{caller}"]', f"  {node_id('svc', caller)} -->|calls| {me}"]
    for callee in sorted(service.depends_on_services):
        lines += [f'  {node_id("svc", callee)}["{callee}"]', f"  {me} -->|calls| {node_id('svc', callee)}"]
    owned = {d.name: d.type for d in service.datastores}
    for name in sorted({*owned, *service.depends_on_datastores}):
        found = repo.datastore_owner(name)
        kind = owned.get(name) or (found[1].type if found else "datastore")
        edge = "owns" if name in owned else "uses"
        lines += [f'  {node_id("ds", name)}[("{name} ({kind})")]', f"  {me} -->|{edge}| {node_id('ds', name)}"]
    topic = topic_name(service.owner)
    lines += [
        f'  {node_id("topic", topic)}{{{{"{topic} (team {service.owner})"}}}}',
        f"  {me} -.->|alarms| {node_id('topic', topic)}",
    ]
    return lines


def _dependencies(service: Service) -> str:
    parts = []
    if service.depends_on_services:
        parts.append("services " + ", ".join(f"`{s}`" for s in service.depends_on_services))
    if service.depends_on_datastores:
        parts.append("datastores " + ", ".join(f"`{d}`" for d in service.depends_on_datastores))
    return "; ".join(parts) if parts else "none"


def _project_view(project: Project, files: list[str], approvers: str, channels: bool = False) -> ProjectView:
    """``channels``: the repository has modules/channels.yaml, so the table names each root's channel."""
    inputs = sum(w.endswith(".yaml") for w in project.when_modified)
    module_count = sum("modules/" in w for w in project.when_modified)
    triggers = f"its own files, {inputs} spec/account file(s), {module_count} module(s)"
    if project.modules != MAIN:  # a release tag: no module change plans it (modules/channels.yaml)
        triggers = f"its own files, {inputs} spec/account file(s); modules from release tag `{project.modules}`"
    elif channels:
        triggers += f" of `{MAIN}`"
    order = f"group {project.execution_order_group}"
    if project.depends_on:
        verb = "is" if len(project.depends_on) == 1 else "are"
        order += ", after " + ", ".join(f"`{d}`" for d in project.depends_on) + f" {verb} applied"
    needs = "; ".join(REQUIREMENTS.get(r, r) for r in project.apply_requirements) or "nothing"
    return ProjectView(
        name=project.name,
        dir=project.dir,
        files=tuple(posixpath.basename(f) for f in files),
        triggers=triggers,
        order=order,
        apply_needs=needs,
        approvers=approvers,
        decommissioning=project.decommissioning,
        modules=project.modules,
    )


def explanation(root: Path, name: str) -> Explanation:
    repo: Repo = load_repo(root)
    retired: list[RetiredRoot] | list[RetiredUnit]
    units = flavor(root) == "terragrunt"
    if units:  # a service's unit projects: <env>-<service>[.<unit>]
        all_projects, retired = terragrunt_projects(root, repo)
    else:
        retired = retired_roots(root, repo)
        all_projects = projects(root, repo, retired)
    service = next((s for s in repo.services if s.name == name), None)
    mine = [p for p in all_projects if _is_service_dir(p.dir, name)]
    if service is None and not mine:
        names = [s.name for s in repo.services]
        raise UnknownNameError(f"no service {name!r}{suggest(name, names)} (known: {', '.join(names)})")
    rules = [(r.pattern, r.owners) for r in codeowners_rules(repo, retired, units=units)]
    planned = [f.path for f in outputs(root, repo)]
    views = []
    for project in mine:
        files = [p for p in planned if posixpath.dirname(p) == project.dir]  # not a unit's below it
        approvers = _approvers(rules, project.dir, files)
        views.append(_project_view(project, files, approvers, repo.channels.file is not None))
    if service is None:
        return Explanation(name, "", "", (), (), "", (), tuple(views), units=units)
    accounts = [repo.account(env) for env in sorted(service.environments)]
    team = repo.teams.get(service.owner)
    calls = {root.account.env: found for root, found in root_calls(repo) if root.service.name == service.name}
    return Explanation(
        service=name,
        description=service.description,
        owner=f"{service.owner} ({team.github})" if team else service.owner,
        envs=tuple(a.env for a in accounts),
        declares=tuple(_declares(service, accounts, calls)),
        dependencies=_dependencies(service),
        datastores=tuple(_datastores(service, accounts, calls)),
        projects=tuple(views),
        configuration=tuple(_configuration(service, accounts)),
        grants=tuple(_grants(repo, service, accounts, calls)),
        also_planned=tuple(_also_planned(root, repo, service, mine, all_projects)),
        alarms=tuple(_alarms(root, repo, service, accounts)),
        guarded=tuple(_guarded(repo, service, accounts)),
        diagram=tuple(diagram(repo, service)),
        units=units,
    )


def _approvers(rules: list[tuple[str, str]], directory: str, files: list[str]) -> str:
    """The reviews GitHub requires of a change to the project's files: one owner of each file's last
    matching CODEOWNERS line (any one of a line's owners). The folder's line first (main.tf's, the
    platform team's), then the lines of the files it does not cover (references-<team>.tf)."""
    folder = owners(rules, f"{directory}/main.tf") or "nobody"
    others: dict[str, list[str]] = {}
    for path in files:
        who = owners(rules, path) or "nobody"
        if who != folder:
            others.setdefault(who, []).append(posixpath.basename(path))
    parts = [folder.replace(" ", " or ")]
    parts.extend(f"{who.replace(' ', ' or ')} for {', '.join(names)}" for who, names in sorted(others.items()))
    return ", and ".join(parts)


def _is_service_dir(directory: str, name: str) -> bool:
    """accounts/<env>/services/<name>, or one of its Terragrunt units' folders below it."""
    parts = directory.split("/")
    return len(parts) in (4, 5) and parts[0] == "accounts" and parts[2] == "services" and parts[3] == name


def explain(root: Path, name: str) -> str:
    """Markdown for a pull request description."""
    return render("explain.md.j2", e=explanation(root, name))
