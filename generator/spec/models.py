"""Typed, frozen models of the input files. Built once by :mod:`generator.load`."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from functools import cached_property
from typing import Literal

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AlertRoute:
    """Who gets a team's alarms in one environment."""

    env: str
    email: tuple[str, ...]
    https: tuple[str, ...]


@dataclass(frozen=True)
class Team:
    name: str
    github: str
    cost_center: str
    alerts: tuple[AlertRoute, ...] = ()

    def route(self, env: str) -> AlertRoute | None:
        return next((r for r in self.alerts if r.env == env), None)


@dataclass(frozen=True)
class Teams:
    platform_team: str
    teams: tuple[Team, ...]

    def get(self, name: str) -> Team | None:
        return next((team for team in self.teams if team.name == name), None)


@dataclass(frozen=True)
class StateBackend:
    bucket: str
    key_prefix: str
    region: str
    lock_table: str | None


@dataclass(frozen=True)
class LoadBalancer:
    listener_arn: str
    dns_name: str
    zone_id: str
    security_group_id: str
    listener_port: int = 443
    certificate_domains: tuple[str, ...] = ()  # what the listener's certificates cover; () = not declared


@dataclass(frozen=True)
class Consul:
    address: str
    datacenter: str


@dataclass(frozen=True)
class Quotas:
    """account.yaml quotas: adjustable AWS quotas raised for this account; None: AWS's default
    (generator/spec/rules.py holds the defaults and their pages)."""

    security_groups_per_eni: int | None = None
    cloud_map_instances_per_namespace: int | None = None
    targets_per_application_load_balancer: int | None = None
    network_interfaces_per_region: int | None = None
    security_groups_per_region: int | None = None


@dataclass(frozen=True)
class Account:
    env: str
    account_id: str
    region: str
    production: bool
    state: StateBackend
    vpc_id: str
    subnet_ids: tuple[str, ...]
    cluster_arn: str
    service_connect_namespace_arn: str  # Cloud Map HTTP namespace of ECS Service Connect
    internal_lb: LoadBalancer
    external_lb: LoadBalancer | None
    dns_zone: str
    dns_zone_id: str
    public_zone_id: str | None
    consul: Consul | None
    apply_requirements: tuple[str, ...]
    default_tags: Pairs
    public_zone: str | None = None  # name of the public zone (dns.publicZone); external domains lie in it
    atlantis_security_group_id: str | None = None  # atlantis.securityGroupId: databases admit it (database users)
    container_insights: bool = False  # ecs.containerInsights: the cluster has Container Insights
    # network.httpsEgress: where tasks may open 443; None: the module's default (private ranges)
    https_egress_cidrs: tuple[str, ...] | None = None
    https_egress_prefix_lists: tuple[str, ...] | None = None
    quotas: Quotas = Quotas()


@dataclass(frozen=True)
class Autoscaling:
    resource: Literal["cpu", "memory", "queue"]
    target: int  # percent for cpu/memory; visible messages per running task for queue
    min: int
    max: int
    queue: str | None = None  # resource "queue": the queue datastore whose backlog per task is tracked


@dataclass(frozen=True)
class Schedule:
    """spec.schedule of a job: when EventBridge Scheduler runs its task (modules/aws/ecs-service)."""

    expression: str  # cron(<6 fields>) or rate(<n> <unit>), EventBridge Scheduler's syntax
    timezone: str  # IANA name the cron expression is read in (default UTC)
    retries: int  # Scheduler's retry attempts when RunTask fails (0-185)
    timeout: int | None = None  # seconds; a run still going after it pages the owner team


@dataclass(frozen=True)
class Ingress:
    external: bool
    domain: str | None
    # listener rule conditions besides the host (spec.ingress.paths, spec.ingress.headers)
    paths: tuple[str, ...] = ()
    headers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # header name -> values, any of which matches


@dataclass(frozen=True)
class TargetHealth:
    """The load balancer health check settings of a service (spec.healthCheck, an environment's
    overrides.healthCheck); None: modules/aws/ecs-service's default (generator.spec.health.DEFAULTS)."""

    interval_seconds: int | None = None
    timeout_seconds: int | None = None
    healthy_threshold: int | None = None
    unhealthy_threshold: int | None = None
    matcher: str | None = None

    def merged(self, override: TargetHealth) -> TargetHealth:
        """These settings with ``override``'s set ones instead."""
        if override == _NO_TARGET_HEALTH:
            return self  # the common case: an environment that overrides nothing
        return TargetHealth(
            *(mine if theirs is None else theirs for mine, theirs in zip(astuple(self), astuple(override), strict=True))
        )


_NO_TARGET_HEALTH = TargetHealth()


@dataclass(frozen=True)
class Options:
    """Base of each datastore kind's frozen options (generator/datastores/<kind>.py)."""


@dataclass(frozen=True)
class AlarmOverride:
    """A per-environment change to one alarm of a module (``target``: "service" or a datastore)."""

    target: str
    key: str
    threshold: float | None
    silenced: bool
    reason: str


@dataclass(frozen=True)
class Datastore:
    name: str
    type: str  # a type name of a registered kind (generator/datastores), checked by the schema
    options: Options


@dataclass(frozen=True)
class Secret:
    """A reference to a secret, never its value."""

    secrets_manager_arn: str | None
    field: str | None
    ssm_parameter: str | None
    kms_key: str | None = None  # customer managed KMS key of the value (kmsKey), if not AWS managed


# How the reason of an acknowledgement plan-check prints starts: a placeholder for a person to
# replace, never a reason (generator/spec/load.py refuses it, tools/plancheck.py writes it).
ACKNOWLEDGEMENT_PLACEHOLDER = "TODO:"


@dataclass(frozen=True)
class Acknowledgement:
    """A destroy or replacement of one resource the environment file accepts (acknowledge.replace)."""

    address: str
    reason: str
    line: int = 0  # where the entry is in the environment file (for explain and error messages)


@dataclass(frozen=True)
class EnvironmentFile:
    env: str
    file: str | None  # None when the service has no file for this environment
    variables: Pairs
    secrets: tuple[tuple[str, Secret], ...]
    desired_count: int | None
    cpu: int | None
    memory: int | None
    autoscaling: Autoscaling | None
    autoscaling_set: bool  # True when the file sets autoscaling (possibly to null)
    datastore_overrides: tuple[tuple[str, Datastore], ...]  # resolved options per datastore
    not_secrets: Pairs = ()  # variable name -> why its value is not a secret (reviewable opt-out)
    domain: str | None = None  # overrides.ingress.domain: this environment's external host name
    alarm_overrides: tuple[AlarmOverride, ...] = ()
    acknowledged: tuple[Acknowledgement, ...] = ()  # acknowledge.replace, for infragen plan-check
    target_health: TargetHealth = TargetHealth()  # overrides.healthCheck


# A worker's container health check when its spec sets no spec.healthCheck.command: healthy while
# the worker touches /tmp/healthy (the task's writable scratch volume) at least once a minute, so a
# stuck consumer loop turns unhealthy and ECS replaces the task (README, Workers).
WORKER_HEALTH_CHECK: tuple[str, ...] = ("CMD-SHELL", "find /tmp/healthy -mmin -1 | grep -q .")


@dataclass(frozen=True)
class Service:
    name: str
    file: str
    owner: str
    description: str
    environments: tuple[str, ...]
    image: str
    port: int
    health_check: str
    metrics_port: int
    cpu: int
    memory: int
    desired_count: int
    autoscaling: Autoscaling | None
    ingress: Ingress | None
    depends_on_services: tuple[str, ...]
    depends_on_datastores: tuple[str, ...]
    datastores: tuple[Datastore, ...]
    env_files: tuple[EnvironmentFile, ...]
    # spec.previousPort: set only while the HTTP port changes (docs/deploying.md).
    previous_port: int | None = None
    # kind: "service" serves HTTP (port, /health, Service Connect alias, optional ingress);
    # "worker" serves nothing: no HTTP port, no target group, no alias, a container health check;
    # "job" runs one task on a schedule (spec.schedule) and has no ECS service at all.
    kind: Literal["service", "worker", "job"] = "service"
    # spec.healthCheck.command of a worker (None: the convention, WORKER_HEALTH_CHECK above)
    health_check_command: tuple[str, ...] | None = None
    schedule: Schedule | None = None  # kind: job only
    # spec.healthCheck's load balancer settings of a service (interval, timeout, thresholds, matcher)
    target_health: TargetHealth = TargetHealth()

    @property
    def is_worker(self) -> bool:
        return self.kind == "worker"

    @property
    def is_job(self) -> bool:
        return self.kind == "job"

    @property
    def serves_http(self) -> bool:
        """Only kind: service has an HTTP port, a Service Connect alias and a -clients group for callers."""
        return self.kind == "service"

    def container_health_check(self) -> tuple[str, ...] | None:
        """The ECS container health check command of a worker (its spec's or the convention), else None."""
        if not self.is_worker:
            return None
        return self.health_check_command or WORKER_HEALTH_CHECK

    def alarm_overrides(self, env: str, target: str) -> tuple[AlarmOverride, ...]:
        env_file = self.env_file(env)
        return tuple(o for o in env_file.alarm_overrides if o.target == target) if env_file else ()

    def env_file(self, env: str) -> EnvironmentFile | None:
        return next((f for f in self.env_files if f.env == env), None)

    def effective_domain(self, env: str) -> str | None:
        """The external host name in ``env``: the environment's override, else the spec's."""
        env_file = self.env_file(env)
        if env_file is not None and env_file.domain is not None:
            return env_file.domain
        return self.ingress.domain if self.ingress else None

    def effective_target_health(self, env: str) -> TargetHealth:
        """The load balancer health check settings in ``env``: the spec's, then the environment's."""
        env_file = self.env_file(env)
        return self.target_health if env_file is None else self.target_health.merged(env_file.target_health)

    def effective_size(self, env: str) -> tuple[int, int, int, Autoscaling | None]:
        """cpu, memory, desired count and autoscaling after the environment's overrides."""
        env_file = self.env_file(env)
        if env_file is None:
            return self.cpu, self.memory, self.desired_count, self.autoscaling
        return (
            env_file.cpu if env_file.cpu is not None else self.cpu,
            env_file.memory if env_file.memory is not None else self.memory,
            env_file.desired_count if env_file.desired_count is not None else self.desired_count,
            env_file.autoscaling if env_file.autoscaling_set else self.autoscaling,
        )


MAIN = "main"  # the release channel of the local modules/ (the default of every environment)


@dataclass(frozen=True)
class Channels:
    """``modules/channels.yaml``: which version of modules/ each environment runs (generator/spec/channels.py).

    ``file`` is None when the repository has no channel file: every environment runs ``main``."""

    file: str | None = None
    source: str | None = None  # the repository's go-getter address, git::https://.../infra.git
    environments: Pairs = ()  # env -> "main" or a release tag
    # modules/ inside the git repository: "<prefix>/modules" when the infragen root is a subfolder
    modules_path: str = "modules"

    def of(self, env: str) -> str:
        """The channel ``env`` runs: a release tag, or ``main`` (the local modules)."""
        return dict(self.environments).get(env, MAIN)


@dataclass(frozen=True)
class Repo:
    """Everything the generator reads, parsed and validated."""

    teams: Teams
    accounts: tuple[Account, ...]
    services: tuple[Service, ...]
    # (env, listener, service, priority) as recorded by the last run: see generator/allocation.py
    previous_priorities: tuple[tuple[str, str, str, int], ...] = ()
    channels: Channels = Channels()

    def account(self, env: str) -> Account:
        return next(a for a in self.accounts if a.env == env)

    def service(self, name: str) -> Service:
        return self._services[name]

    def find_service(self, name: str) -> Service | None:
        """The service named ``name``, or None when there is none (an unknown dependency)."""
        return self._services.get(name)

    def datastore_owner(self, name: str) -> tuple[Service, Datastore] | None:
        return self._datastores.get(name)

    def dependents(self, name: str) -> tuple[Service, ...]:
        """Services that list ``name`` in their service dependencies, in repo order."""
        return self._dependents.get(name, ())

    def datastore_users(self, name: str) -> tuple[str, ...]:
        """Names of the services that list datastore ``name`` in their dependencies, sorted."""
        return self._datastore_users.get(name, ())

    # Indexes built on first use: lookups per service would otherwise make generation O(N^2).
    @cached_property
    def _datastore_users(self) -> dict[str, tuple[str, ...]]:
        index: dict[str, set[str]] = {}
        for service in self.services:
            for name in service.depends_on_datastores:
                index.setdefault(name, set()).add(service.name)
        return {name: tuple(sorted(users)) for name, users in index.items()}

    @cached_property
    def _services(self) -> dict[str, Service]:
        return {s.name: s for s in self.services}

    @cached_property
    def _datastores(self) -> dict[str, tuple[Service, Datastore]]:
        index: dict[str, tuple[Service, Datastore]] = {}
        for service in self.services:
            for datastore in service.datastores:
                index.setdefault(datastore.name, (service, datastore))  # the first owner, as the scan found
        return index

    @cached_property
    def _dependents(self) -> dict[str, tuple[Service, ...]]:
        index: dict[str, list[Service]] = {}
        for service in self.services:
            for name in dict.fromkeys(service.depends_on_services):
                index.setdefault(name, []).append(service)
        return {name: tuple(found) for name, found in index.items()}
