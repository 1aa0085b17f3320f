"""Compute every generated file from the validated repo. Python decides; templates only print."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from generator import hcl
from generator.datastores import REGISTRY, Access, Grant, Kind, Network, kind_of
from generator.datastores.queue import queue_name
from generator.errors import InvariantError
from generator.hcl import ObjectList, Raw, Value, object_list
from generator.plan import alarms, allocation, taskdef
from generator.plan.policy import deploy_policy
from generator.spec import convention, naming
from generator.spec.channels import module_source
from generator.spec.models import MAIN, Account, Datastore, Repo, Service, TargetHealth
from generator.spec.rules import network_dependencies, reads_from

TERRAFORM_VERSION = "1.11.4"
AWS_PROVIDER_VERSION = "5.100.0"
CONSUL_PROVIDER_VERSION = "2.21.0"
MODULES = "../../../../modules"
ROOT_FILES = ("main.tf", "versions.tf", "providers.tf", "backend.tf", "outputs.tf")
# Beside them, references-<team>.tf for each team whose datastores the root names (a queue's
# subscribed topics): CODEOWNERS makes that team its reviewer (ReferencesFile).


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the repository root, POSIX
    content: str
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    opening: str  # e.g. 'module "service"'
    body: str


@dataclass(frozen=True)
class Output:
    name: str
    body: str


@dataclass(frozen=True)
class Ref(Raw):
    """An output of another module call: ``expr`` is how a plain root reads it; the Terragrunt
    flavor turns it into a ``dependency`` on the unit (``service``, ``unit``) instead."""

    service: str  # the service whose root makes the call
    unit: str  # "service", a datastore name or "discovery"
    attr: str  # the module output
    index: int | None = None  # an element of a list output (``attr[index]``)


@dataclass(frozen=True)
class ModuleCall:
    """One module block of a root. Both flavors render these same arguments."""

    label: str  # the block label in a plain root
    unit: str  # "service", the datastore name or "discovery"
    source: str  # relative to a plain root's directory
    args: tuple[tuple[str, Value], ...]
    # Local values the arguments read (``local.<name>``): a plain root's ``locals`` block, a
    # Terragrunt unit's own ``locals``.
    locals: tuple[tuple[str, Value], ...] = ()


@dataclass(frozen=True)
class Root:
    """One Terraform root: a service in an environment."""

    service: Service
    account: Account
    dir: str
    inputs: tuple[str, ...]
    depends_on: tuple[str, ...]  # services (same env) whose resources this root reads
    cost_center: str | None = None  # the owner team's costCenter (teams.yaml)
    # The modules it calls: "main" (the local modules/) or a release tag (modules/channels.yaml)
    modules: str = MAIN
    # modules/channels.yaml when the repository has one: an input of main.tf (its module sources),
    # but no autoplan trigger (a promotion plans the roots whose sources it changes, no others)
    channels_file: str | None = None


def roots(repo: Repo) -> list[Root]:
    return [root for service in repo.services for root in service_roots(repo, service)]


def service_roots(repo: Repo, service: Service) -> list[Root]:
    """The roots of one service, one per environment (in name order)."""
    result = []
    reads = reads_from(repo, service)  # the same in every environment
    for env in sorted(service.environments):
        account = repo.account(env)
        result.append(
            Root(
                service=service,
                account=account,
                dir=naming.root_dir(env, service.name),
                inputs=_inputs(repo, service, account, reads),
                depends_on=reads,
                cost_center=_cost_center(repo, service),
                modules=repo.channels.of(env),
                channels_file=repo.channels.file,
            )
        )
    return result


def _cost_center(repo: Repo, service: Service) -> str | None:
    team = repo.teams.get(service.owner)
    return team.cost_center if team else None


def _inputs(repo: Repo, service: Service, account: Account, reads: tuple[str, ...]) -> tuple[str, ...]:
    files = {service.file, f"accounts/{account.env}/account.yaml", "teams.yaml"}  # teams.yaml: cost center
    env_file = service.env_file(account.env)
    if env_file and env_file.file:
        files.add(env_file.file)
    for name in reads:
        files.add(repo.service(name).file)
    for datastore in _effective_datastores(service, account):  # its datastores' users (main.tf)
        files.update(repo.service(name).file for name in _datastore_users(repo, datastore.name))
    if account.consul is not None:
        files.update(s.file for s in repo.dependents(service.name))
    return tuple(sorted(files))


def file_inputs(root: Root) -> dict[str, tuple[str, ...]]:
    """Each file of a service root -> the input files its content is computed from (its header).

    A file lists only what it reads, so a change elsewhere (a new caller of the service, a team's
    cost center) neither rewrites nor re-headers files whose content stays the same.
    """
    service, account = root.service, root.account
    account_file = f"accounts/{account.env}/account.yaml"
    env_file = service.env_file(account.env)
    env = {env_file.file} if env_file and env_file.file else set()
    # main.tf reads everything the root depends on (its service, account and environment file, the
    # services it reads, its datastores' users, its callers where Consul lists them) but teams.yaml
    main = [p for p in root.inputs if p != "teams.yaml"]
    if root.channels_file is not None:  # the module sources
        main = sorted({*main, root.channels_file})
    return {
        "main.tf": tuple(main),
        "versions.tf": (account_file,),  # the Consul provider when the account has Consul
        "providers.tf": tuple(sorted({account_file, service.file, "teams.yaml"})),  # default tags, cost center
        "backend.tf": tuple(sorted({account_file, service.file})),
        "outputs.tf": tuple(sorted({account_file, service.file, *env})),  # the deploy policy reads the secrets
    }


def priority_files(repo: Repo, priorities: allocation.Allocation | None = None) -> list[OutputFile]:
    """``accounts/<env>/listener-priorities.yaml``: the committed allocation (generator/allocation.py)."""
    given = allocation.allocate(repo) if priorities is None else priorities
    return [
        OutputFile(allocation.path(env), allocation.content(per_env), allocation.INPUTS)
        for env, per_env in sorted(given.items())
    ]


def root_calls(repo: Repo) -> list[tuple[Root, list[ModuleCall]]]:
    """Every root with its module calls (service, datastores, discovery), in that order."""
    result = []
    priorities = allocation.allocate(repo)
    for root in roots(repo):
        given = priorities[root.account.env]
        calls = module_calls(repo, root, given["external"].get(root.service.name))
        result.append((root, calls))
    return result


def module_calls(repo: Repo, root: Root, external_priority: int | None) -> list[ModuleCall]:
    service, account = root.service, root.account
    containers = hcl.Document(taskdef.bootstrap_container_definitions(repo, service, account))
    calls = [
        _call(
            "service",
            "service",
            _service_args(repo, service, account, external_priority),
            (("container_definitions", containers),),
        )
    ]
    for datastore in _effective_datastores(service, account):
        source, args = _datastore_args(service, datastore, account, _datastore_users(repo, datastore.name))
        calls.append(ModuleCall(naming.label(datastore.name), datastore.name, source, tuple(args)))
    calls.append(_call("dashboard", "dashboard", _dashboard_args(service, account)))
    if account.consul is not None:
        calls.append(_call("discovery", "discovery", _discovery_args(repo, service, account)))
    if root.modules == MAIN:
        return calls
    return [replace(c, source=module_source(repo.channels, account.env, c.source, MODULES)) for c in calls]


def _call(
    label: str, unit: str, args: list[tuple[str, Value]], local_values: tuple[tuple[str, Value], ...] = ()
) -> ModuleCall:
    (key, source), *rest = args
    if key != "source" or not isinstance(source, str):
        raise InvariantError(f"module call {label}: the first argument must be its source, not {key}")
    return ModuleCall(label, unit, source, tuple(rest), local_values)


@dataclass(frozen=True)
class Reference:
    """A datastore of this service naming another service's datastore (``Kind.references``)."""

    datastore: str
    path: str  # where in the datastore's YAML mapping, e.g. subscribe[0].topic
    target: str
    owner: str  # the service owning ``target``
    team: str  # its owner team
    github: str  # the team's GitHub handle


@dataclass(frozen=True)
class ReferencesFile:
    """references-<team>.tf of a root (references-<team>.hcl of a Terragrunt unit): what it names
    of one team's datastores."""

    name: str
    team: str
    github: str
    references: tuple[Reference, ...]
    inputs: tuple[str, ...]  # the root's spec, teams.yaml and the named datastores' specs


def references_files(
    repo: Repo, service: Service, *, datastore: str | None = None, suffix: str = ".tf"
) -> tuple[ReferencesFile, ...]:
    """``service``'s references (of its ``datastore`` only, when given) grouped by the named
    datastores' owner team, one file each."""
    by_team: dict[str, list[Reference]] = {}
    for ref in references(repo, service):
        if datastore is None or ref.datastore == datastore:
            by_team.setdefault(ref.team, []).append(ref)
    return tuple(
        ReferencesFile(
            naming.references_file(team, suffix),
            team,
            found[0].github,
            tuple(found),
            tuple(sorted({service.file, "teams.yaml", *(repo.service(r.owner).file for r in found)})),
        )
        for team, found in sorted(by_team.items())
    )


def references(repo: Repo, service: Service) -> list[Reference]:
    """The references of ``service``'s datastores to other services' datastores (validated: each exists)."""
    found = []
    for datastore in service.datastores:
        for inner, name in kind_of(datastore.type).references(datastore):
            owner = repo.datastore_owner(name)
            if owner is None or owner[0].name == service.name:
                continue
            team = repo.teams.get(owner[0].owner)
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in inner).lstrip(".")
            github = team.github if team else "?"
            found.append(Reference(datastore.name, path, name, owner[0].name, owner[0].owner, github))
    return found


@dataclass(frozen=True)
class RootBody:
    """What a root's files say, computed: a service root's or a team's alerts root's five files
    (main, versions, providers, backend, outputs) and, for a service whose datastores name other
    services' datastores, one references-<team>.tf per named team. generator.render.roots prints it."""

    dir: str
    inputs: Mapping[str, tuple[str, ...]]  # file name -> the input files its content is computed from
    account: Account
    state_key: str
    blocks: tuple[Block, ...]
    tags: Mapping[str, Value]
    outputs: tuple[Output, ...]
    consul: str | None = None  # the Consul provider's body, when the account has Consul
    references: tuple[ReferencesFile, ...] = ()

    @property
    def backend(self) -> list[tuple[str, Value]]:
        state = self.account.state
        lock: tuple[str, Value] = ("dynamodb_table", state.lock_table) if state.lock_table else ("use_lockfile", True)
        return [("bucket", state.bucket), ("key", self.state_key), ("region", state.region), ("encrypt", True), lock]

    @property
    def provider(self) -> list[tuple[str, Value]]:
        return [("region", self.account.region), ("allowed_account_ids", [self.account.account_id])]


def per_file_inputs(inputs: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The same inputs for each of a root's five files."""
    return {name: inputs for name in ROOT_FILES}


def root_body(repo: Repo, root: Root, calls: list[ModuleCall]) -> RootBody:
    """A service root from its planned module calls."""
    service, account = root.service, root.account
    blocks = _data_blocks(repo, service, account)
    local_values = [item for call in calls for item in call.locals]
    if local_values:
        blocks.append(Block("locals", hcl.body(local_values)))
    for call in calls:
        blocks.append(Block(f"module {hcl.label(call.label)}", hcl.body([("source", call.source), *call.args])))
    tags: dict[str, Value] = {k: v for k, v in account.default_tags}
    tags.update(
        {
            "environment": account.env,
            "managed-by": "infragen",
            "owner": service.owner,
            "service": service.name,
        }
    )
    if root.cost_center is not None:
        tags["cost-center"] = root.cost_center  # the owner team pays, not the account
    consul = None
    if account.consul is not None:
        consul = hcl.body([("address", account.consul.address), ("datacenter", account.consul.datacenter)])
    return RootBody(
        dir=root.dir,
        inputs=file_inputs(root),
        account=account,
        state_key=naming.state_key(account, service.name),
        blocks=tuple(blocks),
        tags=tags,
        outputs=tuple(_outputs(service, account)),
        consul=consul,
        references=references_files(repo, service),
    )


def _effective_datastores(service: Service, account: Account) -> list[Datastore]:
    env_file = service.env_file(account.env)
    overrides = dict(env_file.datastore_overrides) if env_file else {}
    return [overrides.get(d.name, d) for d in service.datastores]


def _data_blocks(repo: Repo, service: Service, account: Account) -> list[Block]:
    """Look up the `-clients` groups and database resource ids of dependencies owned by other roots."""
    blocks = []
    for name in _foreign_client_groups(repo, service):
        body = hcl.body([("name", naming.clients_group(name)), ("vpc_id", account.vpc_id)])
        blocks.append(Block(f'data "aws_security_group" {hcl.label(naming.label(name) + "_clients")}', body))
    for name in _foreign(service, _declared(repo, service, lambda d: kind_of(d.type).data_source is not None)):
        found = repo.datastore_owner(name)
        source = kind_of(found[1].type).data_source if found else None
        if source is not None:
            body = hcl.body([(source.key, name)])
            blocks.append(Block(f"data {hcl.label(source.type)} {hcl.label(naming.label(name))}", body))
            for replica in kind_of(found[1].type).replica_ids(found[1], account) if found else ():
                body = hcl.body([(source.key, replica)])
                blocks.append(Block(f"data {hcl.label(source.type)} {hcl.label(naming.label(replica))}", body))
    return blocks


def _network(datastore: Datastore) -> Network | None:
    """Datastores reached over the network have a guarded security group and a -clients group
    that dependents join; the others are reached over AWS APIs, where access is IAM only, so a
    dependent joins no group for them (a rule-less group would only take one of the 5 security
    group slots of the task's network interface)."""
    return kind_of(datastore.type).network_for(datastore.type)


def _declared(repo: Repo, service: Service, which: Callable[[Datastore], bool]) -> list[str]:
    """Declared datastore dependencies that ``which`` selects, sorted."""
    result = []
    for name in sorted(set(service.depends_on_datastores)):
        found = repo.datastore_owner(name)
        if found is not None and which(found[1]):
            result.append(name)
    return result


def _foreign(service: Service, names: list[str]) -> list[str]:
    own = {d.name for d in service.datastores}
    return [n for n in names if n not in own]


def _foreign_client_groups(repo: Repo, service: Service) -> list[str]:
    return _foreign(service, network_dependencies(repo, service))


def _datastore_users(repo: Repo, datastore: str) -> list[str]:
    """Services that declare ``datastore`` as a dependency (they get IAM-authenticated users)."""
    return list(repo.datastore_users(datastore))


def _client_group_ref(repo: Repo, service: Service, name: str) -> Ref:
    attr = "client_security_group_id"
    if name in {d.name for d in service.datastores}:
        return Ref(f"module.{naming.label(name)}.{attr}", service.name, name, attr)
    found = repo.datastore_owner(name)
    owner, unit = (found[0].name, name) if found else (name, "service")
    return Ref(f"data.aws_security_group.{naming.label(name)}_clients.id", owner, unit, attr)


# ``replica_resource_ids[0]``: one element of a list output with one entry per read replica
_REPLICA_OUTPUT = re.compile(r"(replica_[a-z_]+s)\[([0-9]+)\]")


def _output(repo: Repo, service: Service, account: Account, name: str) -> Callable[[str], Value]:
    """How ``service``'s root reads an output of datastore ``name``: its own module call, a data
    source of the kind, or the value its name fixes by convention (an ARN)."""
    found = repo.datastore_owner(name)
    if found is None:
        raise KeyError(f"{service.name} declares unknown datastore {name}")  # the rules reject this first
    owner, datastore = found
    kind = kind_of(datastore.type)

    def output(attr: str) -> Value:
        replica = _REPLICA_OUTPUT.fullmatch(attr)
        if owner.name == service.name and replica is not None:
            index = int(replica.group(2))
            return Ref(f"module.{naming.label(name)}.{attr}", service.name, name, replica.group(1), index)
        if owner.name == service.name:
            return Ref(f"module.{naming.label(name)}.{attr}", service.name, name, attr)
        source = kind.data_source
        if source is not None and attr in source.attrs:
            return Ref(f"data.{source.type}.{naming.label(name)}.{attr}", owner.name, name, attr)
        if source is not None and replica is not None:
            # a read replica of another root's datastore: looked up by its own identifier
            index = int(replica.group(2))
            label = naming.label(kind.replica_ids(datastore, account)[index])
            expr = f"data.{source.type}.{label}.{replica.group(1).removeprefix('replica_').removesuffix('s')}"
            return Ref(expr, owner.name, name, replica.group(1), index)
        known = kind.conventional(attr, datastore, account)
        if known is None:
            raise KeyError(f"{datastore.type} {name}: output {attr} of another root is not known by convention")
        return known

    return output


def _of_kind(kind: Kind) -> Callable[[Datastore], bool]:
    return lambda datastore: datastore.type in kind.types


def dependency_grants(repo: Repo, service: Service, account: Account) -> list[Grant]:
    """The task role's IAM statements from the declared datastores: in kind order, one statement
    per sid, its resources in the order of the dependencies' names."""
    merged: dict[str, Grant] = {}
    for kind in REGISTRY.kinds:
        for name in _declared(repo, service, _of_kind(kind)):
            found = repo.datastore_owner(name)
            if found is None:
                continue
            access = Access(found[1], service.name, account, _output(repo, service, account, name))
            for grant in kind.grants(access):
                before = merged.get(grant.sid)
                if before is None:
                    merged[grant.sid] = grant
                elif before.actions != grant.actions:
                    raise ValueError(f"IAM statement {grant.sid}: two grants with different actions")
                else:
                    merged[grant.sid] = Grant(
                        grant.sid, grant.actions, (*before.resources, *grant.resources), grant.summary
                    )
    return list(merged.values())


def _dependency_access(repo: Repo, service: Service, account: Account) -> ObjectList:
    """The ``dependency_access`` input of platform/service: one object per IAM statement."""
    statements: list[Value] = [
        {"sid": g.sid, "actions": list(g.actions), "resources": list(g.resources)}
        for g in dependency_grants(repo, service, account)
    ]
    return object_list(statements)


def _service_args(
    repo: Repo, service: Service, account: Account, external_priority: int | None
) -> list[tuple[str, Value]]:
    cpu, memory, desired, autoscaling = service.effective_size(account.env)
    env_file = service.env_file(account.env)
    # The container's environment and secrets, including connection-by-convention entries, come
    # from the one function `infragen compile` uses (generator.spec.convention).
    secrets: dict[str, Value] = dict(convention.secrets(repo, service, account))
    secret_arns: set[str] = set()
    ssm_arns: set[str] = set()
    kms_keys: set[str] = set()  # customer managed keys of the secrets (kmsKey): kms:Decrypt via SM/SSM
    for _, secret in env_file.secrets if env_file else ():
        if secret.secrets_manager_arn is not None:
            secret_arns.add(secret.secrets_manager_arn)
        if secret.kms_key is not None:
            kms_keys.add(secret.kms_key)
    for value in secrets.values():
        assert isinstance(value, str)
        if ":ssm:" in value:
            ssm_arns.add(value)
    external: Value = None
    if service.ingress and service.ingress.external:
        lb = account.external_lb
        assert lb is not None and external_priority is not None
        external = {
            "listener_arn": lb.listener_arn,
            "dns_name": lb.dns_name,
            "zone_id": lb.zone_id,
            "security_group_id": lb.security_group_id,
            "domain": service.effective_domain(account.env),
            "public_zone_id": account.public_zone_id,
            "listener_rule_priority": external_priority,
            # listener rule conditions besides the host; unset: none (one line each when set)
            **({"paths": list(service.ingress.paths)} if service.ingress.paths else {}),
            **(
                {"headers": {name: list(values) for name, values in service.ingress.headers}}
                if service.ingress.headers
                else {}
            ),
        }
    scaling: Value = None
    if autoscaling is not None:
        scaling = {
            "resource": autoscaling.resource,
            "target": autoscaling.target,
            "min": autoscaling.min,
            "max": autoscaling.max,
        }
        if autoscaling.queue is not None:
            scaling["queue_name"] = _queue_name(repo, autoscaling.queue)
    groups = network_dependencies(repo, service)
    # A worker serves no HTTP: no port, health check path, alias or ingress; a container health
    # check command instead (modules/platform/service kind = "worker").
    http: list[tuple[str, Value]] = [
        ("port", service.port),
        *([("previous_port", service.previous_port)] if service.previous_port is not None else []),
        ("health_check_path", service.health_check),
    ]
    command = service.container_health_check()
    worker: list[tuple[str, Value]] = [
        ("kind", service.kind),
        ("health_check_command", list(command or ())),
    ]
    job: list[tuple[str, Value]] = [("kind", service.kind), ("schedule", _schedule(service))] if service.is_job else []
    return [
        ("source", f"{MODULES}/platform/service"),
        *_common(service.name, service, account),
        ("image", naming.image_uri(service.name, account)),
        *(job if service.is_job else worker if service.is_worker else http),
        ("metrics_port", service.metrics_port),
        ("cpu", cpu),
        ("memory_mb", memory),
        # A job has neither: Scheduler starts one task per run.
        *([] if service.is_job else [("desired_count", desired), ("autoscaling", scaling)]),
        # Read from the task definition below (local.container_definitions, the document `infragen
        # compile` registers), so that a variable is written once in the root and its change is one line.
        ("environment_variables", Raw(CONTAINER_ENVIRONMENT)),
        ("secrets", Raw(CONTAINER_SECRETS)),
        ("secret_arns", sorted(secret_arns)),
        ("ssm_parameter_arns", sorted(ssm_arns)),
        *([("secret_kms_key_arns", sorted(kms_keys))] if kms_keys else []),
        ("cluster_arn", account.cluster_arn),
        *([("container_insights", True)] if account.container_insights else []),
        # Where the tasks may open 443 (account.yaml network.httpsEgress); the module's default
        # otherwise: the private ranges, i.e. the VPC's interface endpoints.
        *(
            [
                ("https_egress_cidr_blocks", list(account.https_egress_cidrs)),
                ("https_egress_prefix_list_ids", list(account.https_egress_prefix_lists or ())),
            ]
            if account.https_egress_cidrs is not None
            else []
        ),
        # Other services reach it through ECS Service Connect at http://<internal_hostname>
        # (client alias, port 80), from their own ENIs: its tasks admit only <name>-clients.
        ("service_connect_namespace_arn", account.service_connect_namespace_arn),
        *([("internal_hostname", naming.internal_hostname(service.name, account))] if service.serves_http else []),
        ("external", external),
        # after the multi-line external block, so that no other argument is realigned
        *(_health_check(service.effective_target_health(account.env)) if external is not None else []),
        ("client_security_group_ids", [_client_group_ref(repo, service, name) for name in groups]),
        # the account's raised VPC quota (account.yaml quotas): the module's precondition and
        # plan-check judge the tasks' groups against it instead of AWS's default
        *(
            [("max_security_groups", account.quotas.security_groups_per_eni)]
            if account.quotas.security_groups_per_eni is not None
            else []
        ),
        ("dependency_access", _dependency_access(repo, service, account)),
        ("log_retention_days", 365),
        ("container_definitions", Raw("jsonencode(local.container_definitions)")),
        *alarms.module_args(service, account, "service"),
    ]


def _health_check(health: TargetHealth) -> list[tuple[str, Value]]:
    """The ``health_check`` argument with the settings the spec or environment sets (one line
    each); none set: no argument, modules/aws/ecs-service's defaults apply."""
    settings: dict[str, Value] = {
        key: value
        for key, value in (
            ("interval_seconds", health.interval_seconds),
            ("timeout_seconds", health.timeout_seconds),
            ("healthy_threshold", health.healthy_threshold),
            ("unhealthy_threshold", health.unhealthy_threshold),
            ("matcher", health.matcher),
        )
        if value is not None
    }
    return [("health_check", settings)] if settings else []


def _schedule(service: Service) -> Value:
    """The ``schedule`` input of a job (modules/platform/service)."""
    schedule = service.schedule
    if schedule is None:
        raise InvariantError(f"job {service.name} has no schedule")  # the schema requires it
    return {
        "expression": schedule.expression,
        "timezone": schedule.timezone,
        "retries": schedule.retries,
        **({"timeout_seconds": schedule.timeout} if schedule.timeout is not None else {}),
    }


def _queue_name(repo: Repo, name: str) -> str:
    """The SQS queue name of queue datastore ``name`` (its backlog drives a worker's autoscaling)."""
    found = repo.datastore_owner(name)
    if found is None:
        raise InvariantError(f"autoscaling queue {name} is not a datastore")  # the rules reject this first
    return queue_name(found[1])


CONTAINER_ENVIRONMENT = "{ for item in local.container_definitions[0].environment : item.name => item.value }"
CONTAINER_SECRETS = "{ for item in local.container_definitions[0].secrets : item.name => item.valueFrom }"


def _dashboard_args(service: Service, account: Account) -> list[tuple[str, Value]]:
    """The service's dashboard in this environment: its widgets, then each datastore's."""
    attr = "dashboard_widgets"
    groups: list[Value] = [Ref(f"module.service.{attr}", service.name, "service", attr)]
    groups.extend(
        Ref(f"module.{naming.label(d.name)}.{attr}", service.name, d.name, attr)
        for d in service.datastores
        if kind_of(d.type).has_alarms
    )
    return [
        ("source", f"{MODULES}/platform/dashboard"),
        ("name", f"{service.name}-{account.env}"),
        ("region", account.region),
        ("widget_groups", groups),
    ]


def _common(name: str, service: Service, account: Account) -> list[tuple[str, Value]]:
    return [
        ("name", name),
        ("service", service.name),
        ("owner", service.owner),
        ("environment", account.env),
        ("production", account.production),
        ("vpc_id", account.vpc_id),
        ("subnet_ids", list(account.subnet_ids)),
    ]


def _datastore_args(
    service: Service, datastore: Datastore, account: Account, users: list[str] | None = None
) -> tuple[str, list[tuple[str, Value]]]:
    source, args = _datastore_module_args(service, datastore, account, users)
    if kind_of(datastore.type).has_alarms:
        args.extend(alarms.module_args(service, account, datastore.name))
    return source, args


def _datastore_module_args(
    service: Service, datastore: Datastore, account: Account, users: list[str] | None = None
) -> tuple[str, list[tuple[str, Value]]]:
    kind = kind_of(datastore.type)
    args = [*_common(datastore.name, service, account), *kind.module_args(datastore, account, list(users or []))]
    return f"{MODULES}/{kind.module}", args


SERVICE_CONNECT_PORT = 80  # the client alias port of every service (aws/ecs-service service_connect)
_T = TypeVar("_T")


class _ByNetworkType(Mapping[str, _T]):
    """A live view of the registered kinds: network datastore type -> one field of its Network."""

    def __init__(self, field: Callable[[Network], _T]) -> None:
        self._field = field

    def __getitem__(self, type_name: str) -> _T:
        kind = REGISTRY.find(type_name)
        network = kind.network_for(type_name) if kind else None
        if network is None:
            raise KeyError(type_name)
        return self._field(network)

    def __iter__(self) -> Iterator[str]:
        return iter([t for k in REGISTRY.kinds for t in k.types if k.network_for(t) is not None])

    def __len__(self) -> int:
        return len(list(iter(self)))


NETWORK_OUTPUTS: Mapping[str, str] = _ByNetworkType(lambda n: n.address_output)
NETWORK_PORTS: Mapping[str, int] = _ByNetworkType(lambda n: n.port)


def _discovery_args(repo: Repo, service: Service, account: Account) -> list[tuple[str, Value]]:
    assert account.consul is not None
    datastores: list[Value] = [
        {
            "name": d.name,
            "type": d.type,
            "address": Ref(
                f"module.{naming.label(d.name)}.{NETWORK_OUTPUTS[d.type]}",
                service.name,
                d.name,
                NETWORK_OUTPUTS[d.type],
            ),
            "port": NETWORK_PORTS[d.type],
        }
        for d in service.datastores
        if d.type in NETWORK_OUTPUTS
    ]
    registration: dict[str, Value] = {"name": service.name}
    if service.serves_http:
        # The Service Connect client alias: it resolves and routes inside the tasks of the
        # namespace's services only, so there is no TCP check (consul-esm could never pass it)
        # and the tag says where the address works. A worker or job has no alias and nothing
        # may call it: its name only, so the module registers its datastores and not itself.
        registration |= {
            "address": naming.internal_hostname(service.name, account),
            "port": SERVICE_CONNECT_PORT,
            "tags": ["infragen", account.env, "ecs-service-connect"],
        }
    return [
        ("source", f"{MODULES}/platform/discovery"),
        ("datacenter", account.consul.datacenter),
        ("service", registration),
        ("datastores", object_list(datastores)),
        *([("allowed_sources", sorted(s.name for s in repo.dependents(service.name)))] if service.serves_http else []),
    ]


def _output_block(name: str, value: Value, description: str) -> Output:
    return Output(hcl.ident(name), hcl.body([("description", description), ("value", value)]))


# an output of a reference is the same in every root of its kind: printed once
_reference_output = functools.lru_cache(maxsize=1024)(_output_block)


def _outputs(service: Service, account: Account) -> list[Output]:
    def out(name: str, value: Value, description: str) -> Output:
        return (_reference_output if type(value) is Raw else _output_block)(name, value, description)

    outputs = [
        out("description", service.description, "What the service does, from its spec."),
        # a worker or job has no Service Connect alias, so no internal host name
        *(
            []
            if not service.serves_http
            else [
                out("internal_hostname", Raw("module.service.internal_hostname"), "Internal DNS name of the service.")
            ]
        ),
        out(
            "security_group_id",
            Raw("module.service.security_group_id"),
            "Security group of the service's tasks.",
        ),
        # nothing may call a worker or job: no -clients group
        *(
            [
                out(
                    "client_security_group_id",
                    Raw("module.service.client_security_group_id"),
                    "Security group that callers of this service join.",
                )
            ]
            if service.serves_http
            else []
        ),
        out("task_role_arn", Raw("module.service.task_role_arn"), "IAM role of the service's tasks."),
        out(
            "deploy_policy_json",
            hcl.JsonEncode(deploy_policy(service, account)),
            "Least-privilege IAM policy for the role that deploys this service (docs/deploying.md).",
        ),
    ]
    for datastore in service.datastores:
        label = naming.label(datastore.name)
        network = ("client_security_group_id",) if _network(datastore) is not None else ()
        for attr in (*network, *kind_of(datastore.type).outputs):
            outputs.append(
                out(f"{label}_{attr}", Raw(f"module.{label}.{attr}"), f"{attr} of datastore {datastore.name}.")
            )
    return outputs


def datastore_inputs(service: Service, account: Account) -> list[tuple[Datastore, list[tuple[str, Value]]]]:
    """Each datastore of ``service`` in ``account`` after overrides, with its module's inputs."""
    return [(d, _datastore_args(service, d, account)[1]) for d in _effective_datastores(service, account)]
