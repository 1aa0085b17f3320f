"""Rules that span files: the checks a JSON Schema cannot express."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from generator import cachedir, hcl
from generator.datastores import kind_of, versions
from generator.datastores.base import OptionKey
from generator.errors import Problem
from generator.spec import naming, secrets
from generator.spec.alarms import alarm_module, deployment_keys
from generator.spec.alarms import defaults as alarm_defaults
from generator.spec.convention import clash_problems, collision_problems, size_problems
from generator.spec.convention import keys as connection_keys
from generator.spec.document import Document, FieldPath
from generator.spec.fargate import memory_problem
from generator.spec.health import health_problems
from generator.spec.listener import listener_problems
from generator.spec.models import Account, AlarmOverride, Autoscaling, Datastore, Repo, Service
from generator.spec.schema import known, suggest

MANAGED_BY = "infragen"
_TAG_PUNCTUATION = set("_.:/=+-@ ")
# "Maximum number of tags per resource - 50"; keys starting with aws: are AWS's and do not count
# (the tag restrictions every AWS API's Tag type repeats, e.g. Amazon ECS's).
TAGS_PER_RESOURCE = 50
TAGS_PAGE = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html"
# The keys infragen adds beside an account's defaultTags: the root's provider default_tags
# (generator/plan/roots.py), the modules' Name and a read replica's replica-of (aws/rds)
# (tests/test_aws_limits.py compares this with every planned root).
INFRAGEN_TAG_KEYS = frozenset({"environment", "managed-by", "owner", "service", "cost-center", "Name", "replica-of"})


def user_tag_count(keys: set[str] | frozenset[str]) -> int:
    """The tags that count toward a resource's 50: every key but AWS's own (aws:...)."""
    return sum(1 for key in keys if not key.lower().startswith("aws:"))


def tag_problem(text: str, *, key: bool = False) -> str | None:
    """Why ``text`` breaks AWS's tag rules, or None. Judged after NFC: Terraform sends NFC strings."""
    text = unicodedata.normalize("NFC", text)
    limit = 128 if key else 256
    if key and not text:
        return "tag keys cannot be empty"
    if len(text) > limit:
        return f"is {len(text)} characters; AWS allows at most {limit} in a tag {'key' if key else 'value'}"
    if key and text.lower().startswith("aws:"):
        return "tag keys cannot start with 'aws:'"
    for char in text:
        category = unicodedata.category(char)
        if not (category[0] in "LNZ" or char in _TAG_PUNCTUATION):
            return f"contains {char!r}, which AWS tags do not allow (letters, digits, spaces and _ . : / = + - @)"
    return None


def cross_check(
    root: Path, repo: Repo, docs: dict[str, Document], broken_services: set[str] | frozenset[str] = frozenset()
) -> list[Problem]:
    """Problems across files. Services in ``broken_services`` failed earlier checks: references to
    them are not reported again."""
    problems: list[Problem] = []
    verdicts = cachedir.ByKey("secret-verdicts", root)  # each variable scanned once (spec/secrets.py)
    team_names = [team.name for team in repo.teams.teams]
    env_names = [account.env for account in repo.accounts]
    service_names = [service.name for service in repo.services]

    teams_doc = docs.get("teams.yaml")
    if teams_doc and repo.teams.platform_team not in team_names:
        problems.append(
            teams_doc.problem(
                ("platformTeam",),
                f"unknown team {repo.teams.platform_team!r}{suggest(repo.teams.platform_team, team_names)}",
            )
        )

    if teams_doc:
        for team in repo.teams.teams:
            for route in team.alerts:
                if route.env not in env_names:
                    hint = suggest(route.env, env_names) or f"; accounts are: {', '.join(env_names) or 'none'}"
                    problems.append(
                        teams_doc.problem(
                            ("teams", team.name, "alerts", route.env),
                            f"unknown environment {route.env!r}{hint}",
                            key=True,
                        )
                    )

    for account in repo.accounts:
        doc = docs[f"accounts/{account.env}/account.yaml"]
        if not re.fullmatch(r"[a-z][a-z0-9]{1,15}", account.env):
            problems.append(doc.problem((), f"account folder name {account.env!r} must match ^[a-z][a-z0-9]{{1,15}}$"))
        declared = {key for key, _ in account.default_tags}
        carried = user_tag_count(declared | INFRAGEN_TAG_KEYS)
        if carried > TAGS_PER_RESOURCE:
            added = sorted(INFRAGEN_TAG_KEYS - declared)
            problems.append(
                doc.problem(
                    ("defaultTags",),
                    f"{len(declared)} default tags and the {len(added)} infragen adds to every resource "
                    f"({', '.join(added)}) make {carried}; AWS allows "
                    f"{TAGS_PER_RESOURCE} tags per resource ({TAGS_PAGE}), so every create of this account "
                    f"would fail: keep at most {TAGS_PER_RESOURCE - len(added)} here",
                    key=True,
                )
            )
        seen_keys: dict[str, str] = {}
        for key, value in account.default_tags:
            other = seen_keys.setdefault(unicodedata.normalize("NFC", key), key)
            if other != key:
                problems.append(
                    doc.problem(("defaultTags", key), f"tag key is the same as {other!r} after Unicode NFC", key=True)
                )
            for text, is_key, path in (
                (key, True, ("defaultTags", key)),
                (value, False, ("defaultTags", key)),
            ):
                reason = tag_problem(text, key=is_key)
                if reason:
                    problems.append(doc.problem(path, f"tag {'key' if is_key else 'value'} {reason}", key=is_key))

    removed = frozenset(_removed_services(root, set(service_names)))
    context = Context(team_names, env_names, service_names, frozenset(broken_services), verdicts, removed)
    owners: dict[str, str] = {}
    for service in repo.services:
        doc = docs[service.file]
        for datastore in service.datastores:
            if datastore.name in owners and owners[datastore.name] != service.name:
                problems.append(
                    doc.problem(
                        ("resources", datastore.name),
                        f"resource name already used by service {owners[datastore.name]!r}",
                        key=True,
                    )
                )
            owners.setdefault(datastore.name, service.name)
        problems.extend(service_rules(root, repo, service, docs, context))
    verdicts.save()
    problems.extend(_aws_name_rules(repo, docs, env_names))
    problems.extend(_external_domain_rules(repo, docs, env_names))
    problems.extend(_external_load_balancer_rules(repo, docs))
    problems.extend(task_sum_rules(repo, docs))
    problems.extend(security_group_rules(repo, docs))
    problems.extend(parameter_rules(repo, docs))
    if not problems:
        problems.extend(_cycle_rules(repo, docs))
    return problems


@dataclass(frozen=True)
class Context:
    """What the rules of one service read of the whole repository besides the models."""

    team_names: list[str]
    env_names: list[str]
    service_names: list[str]
    broken_services: frozenset[str]
    verdicts: cachedir.ByKey | None  # spec/secrets.py's cache of variable verdicts
    removed: frozenset[str]  # services being decommissioned (see _removed_services)

    @cached_property
    def services(self) -> frozenset[str]:
        """``service_names`` as a set, made once: each environment file's secret references are
        judged against it (2,000 files at 1,000 x 3)."""
        return frozenset(self.service_names)

    @classmethod
    def of(cls, root: Path, repo: Repo, verdicts: cachedir.ByKey | None) -> Context:
        """The context of a repository without broken services (one that loaded)."""
        names = [s.name for s in repo.services]
        removed = frozenset(_removed_services(root, set(names)))
        return cls(
            [t.name for t in repo.teams.teams], [a.env for a in repo.accounts], names, frozenset(), verdicts, removed
        )


def service_rules(
    root: Path, repo: Repo, service: Service, docs: dict[str, Document], context: Context
) -> list[Problem]:
    """The cross-file rules of one service's files (spec and environment files): everything
    :func:`cross_check` judges per service, except that no two services declare one resource name."""
    team_names, env_names = context.team_names, context.env_names
    problems: list[Problem] = []
    doc = docs[service.file]
    folder = Path(service.file).parent.name
    if service.name != folder:
        problems.append(doc.problem(("name",), f"must equal the folder name {folder!r}"))
    if service.name.startswith(naming.TEAM_PROJECT_PREFIX):
        problems.append(
            doc.problem(
                ("name",),
                f"service names may not start with {naming.TEAM_PROJECT_PREFIX!r}: Atlantis names a team's alerts root "
                f"<env>-team-<team> and a service's root <env>-<service>, and project names must be unique "
                "(docs/atlantis.md); choose another name",
            )
        )
    if service.owner not in team_names:
        problems.append(doc.problem(("owner",), f"unknown owner {service.owner!r}{suggest(service.owner, team_names)}"))
    reason = tag_problem(service.owner)
    if reason:
        problems.append(doc.problem(("owner",), f"tag value {reason}"))
    reason = hcl.unrepresentable(service.description)
    if reason:
        problems.append(doc.problem(("description",), reason))
    # free text the roots carry: no credential, as under `variables:`
    texts: list[tuple[FieldPath, str]] = [(("description",), service.description)]
    if service.health_check_command:
        texts += [(("spec", "healthCheck", "command", i), c) for i, c in enumerate(service.health_check_command)]
    for header, values in service.ingress.headers if service.ingress else ():
        texts += [(("spec", "ingress", "headers", header, i), v) for i, v in enumerate(values)]  # the listener rule
    for path, text in texts:
        reason = secrets.text_problem(text, context.verdicts) if path in doc.values else None
        if reason:
            problems.append(doc.problem(path, reason))
    for index, env in enumerate(service.environments):
        if env not in env_names:
            hint = suggest(env, env_names) or f"; accounts are: {', '.join(env_names) or 'none'}"
            problems.append(doc.problem(("environments", index), f"unknown environment {env!r}{hint}"))
    # A job's autoscaling is refused as such (spec/workload.py); no bounds to judge.
    scaling = None if service.is_job else service.autoscaling
    problems.extend(_size_rules(doc, service.cpu, service.memory, service.desired_count, scaling))
    problems.extend(_ingress_rules(doc, service, repo, docs))
    problems.extend(_port_rules(doc, service))
    problems.extend(health_problems(doc, service, None))
    problems.extend(listener_problems(doc, service))
    problems.extend(
        _dependency_rules(doc, service, repo, context.service_names, context.broken_services, context.removed)
    )
    problems.extend(_security_group_rules(doc, service, repo))
    problems.extend(clash_problems(doc, repo, service))
    for datastore in service.datastores:
        where: FieldPath = ("resources", datastore.name)
        if not datastore.name.startswith(service.name + "-"):
            problems.append(
                doc.problem(
                    where,
                    f"resource names start with the service name: rename to '{service.name}-...'",
                    key=True,
                )
            )
        if "--" in datastore.name:
            problems.append(doc.problem(where, "resource names cannot contain '--'", key=True))
        problems.extend(_option_rules(root, docs, service, datastore))
        problems.extend(_downgrade_rules(root, docs, service, datastore))
        problems.extend(_reference_rules(doc, repo, service, datastore, context.broken_services))
    for env_file in service.env_files:
        problems.extend(_environment_rules(root, docs, service, env_file.env, env_names))
        problems.extend(_secret_rules(docs, service, env_file.env, repo, context.services, context.verdicts))
        if env_file.file and env_file.env in env_names and env_file.env in service.environments:
            account = repo.account(env_file.env)
            problems.extend(collision_problems(docs[env_file.file], repo, service, account))
            problems.extend(size_problems(docs[env_file.file], repo, service, account))
    return problems


def _removed_services(root: Path, services: set[str]) -> set[str]:
    """Folders accounts/*/services/<name>/ holding a backend.tf whose <name> has no spec: services
    being decommissioned (only folders without a spec are looked into)."""
    return {
        name
        for env, name in naming.root_folders(root)
        if name not in services and (root / naming.root_dir(env, name) / "backend.tf").is_file()
    }


def _option_rules(root: Path, docs: dict[str, Document], service: Service, datastore: Datastore) -> list[Problem]:
    """A datastore's options judged together (the kind's option_problems), in the spec and, after
    each environment's overrides, in the environment file (problems the spec already has are
    reported once, at the spec)."""
    kind = kind_of(datastore.type)
    doc = docs[service.file]
    found = kind.option_problems(datastore, root)
    problems = [doc.problem(("resources", datastore.name, *_steps(key)), message) for key, message in found]
    for env_file in service.env_files:
        if env_file.file is None or env_file.file not in docs:
            continue
        for name, resolved in env_file.datastore_overrides:
            if name != datastore.name:
                continue
            for key, message in kind.option_problems(resolved, root):
                if (key, message) not in found:
                    problems.append(
                        docs[env_file.file].problem(("overrides", "datastores", name, *_steps(key)), message)
                    )
    return problems


def _steps(key: OptionKey) -> tuple[str | int, ...]:
    """An option problem's key (an option, or the path to a value inside one) as path steps."""
    return (key,) if isinstance(key, str) else key


def _downgrade_rules(root: Path, docs: dict[str, Document], service: Service, datastore: Datastore) -> list[Problem]:
    """An engine version older than the one the environment runs (its committed root) is refused
    before any plan: ElastiCache and RDS cannot downgrade (generator/datastores/versions.py). The
    problem is at the environment file's engineVersion when it sets one, else at the spec's (or
    at the resource, when a default would be the downgrade)."""
    kind = kind_of(datastore.type)
    problems = []
    for env in service.environments:
        env_file = service.env_file(env)
        resolved = dict(env_file.datastore_overrides).get(datastore.name, datastore) if env_file else datastore
        pin = kind.engine_version(resolved)
        if pin is None:
            continue
        engine = kind.fixed_options(datastore.type).get("engine")
        running = versions.running_version(
            os.path.join(root, naming.root_dir(env, service.name)), datastore.name, kind.module, engine
        )
        if running is None or not versions.older(pin, running):
            continue
        message = (
            f"{datastore.type} {pin} is older than {running}, which {env} runs "
            f"({naming.root_dir(env, service.name)}/main.tf): AWS cannot downgrade an engine in place "
            f"({kind.version_page}); keep {running} or newer, or move to a new datastore under another name"
        )
        env_path: FieldPath = ("overrides", "datastores", datastore.name, "engineVersion")
        spec_path: FieldPath = ("resources", datastore.name, "engineVersion")
        env_doc = docs.get(env_file.file) if env_file and env_file.file else None
        if env_doc is not None and env_path in env_doc.values:
            problems.append(env_doc.problem(env_path, message))
        elif spec_path in docs[service.file].values:
            problems.append(docs[service.file].problem(spec_path, message))
        else:
            problems.append(docs[service.file].problem(("resources", datastore.name), message, key=True))
    return problems


def _reference_rules(
    doc: Document, repo: Repo, service: Service, datastore: Datastore, broken: set[str] | frozenset[str]
) -> list[Problem]:
    """A datastore that names other datastores (a queue's subscribed topics): each exists in every
    environment of this service and is of the kind that can be referred to. One of a service whose
    own files failed (``broken``) is not judged: its problem is reported there."""
    kind = kind_of(datastore.type)
    problems = []
    for inner, name in kind.references(datastore):
        path: FieldPath = ("resources", datastore.name, *inner)
        found = repo.datastore_owner(name)
        if found is None and _of_broken(name, broken):
            continue
        problem = _datastore_problem(repo, service, name, found)
        if problem:
            problems.append(doc.problem(path, problem))
        if found is None:
            continue
        _, target = found
        problems.extend(doc.problem(path, message) for message in kind.reference_problems(datastore, target))
    return problems


# Security groups per network interface: AWS's default quota. An account granted more declares it
# (account.yaml quotas.securityGroupsPerNetworkInterface); each of its roots then passes it to
# aws/ecs-service's max_security_groups, whose precondition and plan-check judge the same number.
# https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
SG_PER_ENI = 5
SG_PER_ENI_PAGE = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups"


def sg_per_eni(account: Account) -> int:
    """The security groups a task's network interface may join in ``account``."""
    declared = account.quotas.security_groups_per_eni
    return SG_PER_ENI if declared is None else declared


def network_dependencies(repo: Repo, service: Service) -> list[str]:
    """The declared services and network datastores (sorted): the -clients groups the tasks join.
    Datastores reached over AWS APIs (IAM only) add no group."""
    names = set(service.depends_on_services)
    for name in service.depends_on_datastores:
        found = repo.datastore_owner(name)
        if found is not None and kind_of(found[1].type).network_for(found[1].type) is not None:
            names.add(name)
    return sorted(names)


def _security_group_rules(doc: Document, service: Service, repo: Repo) -> list[Problem]:
    """The tasks' network interface joins the service's own group and the -clients group of each
    declared service and network datastore: more than an account of the service allows and no
    task could start there."""
    joined = network_dependencies(repo, service)
    if 1 + len(joined) <= SG_PER_ENI:
        return []  # within AWS's default: every account allows it (a declared quota only raises it)
    accounts = {a.env: a for a in repo.accounts}
    over = sorted(
        (env, sg_per_eni(accounts[env]))
        for env in set(service.environments)
        if env in accounts and 1 + len(joined) > sg_per_eni(accounts[env])
    )
    if not over:
        return []
    listed = ", ".join(f"{name}-clients" for name in joined)
    allowed = min(limit for _, limit in over)
    groups: dict[tuple[int, bool], list[str]] = {}
    for env, limit in over:
        groups.setdefault((limit, accounts[env].quotas.security_groups_per_eni is not None), []).append(env)
    where = "; ".join(
        f"{limit} per network interface in {', '.join(envs)} ({'its declared quota' if declared else 'the default'})"
        for (limit, declared), envs in sorted(groups.items())
    )
    message = (
        f"the tasks would join {1 + len(joined)} security groups ({service.name} and {listed}); AWS allows "
        f"{where}: declare at most "
        f"{allowed - 1} services and network datastores (postgres, mysql, redis), or have AWS raise the quota "
        f"and declare it in accounts/<env>/account.yaml quotas.securityGroupsPerNetworkInterface ({SG_PER_ENI_PAGE})"
    )
    return [doc.problem(("spec", "dependencies"), message, key=True)]


def _of_broken(datastore: str, broken: set[str] | frozenset[str]) -> bool:
    """Whether ``datastore`` is named under a service whose own files failed (not in the model)."""
    return any(datastore.startswith(b + "-") for b in broken)


def _datastore_problem(repo: Repo, service: Service, name: str, found: tuple[Service, Datastore] | None) -> str | None:
    """Why ``service`` cannot use datastore ``name`` (declared or referred to): unknown, or absent
    from one of its environments; None when it can."""
    if found is None:
        datastore_names = [d.name for s in repo.services for d in s.datastores]
        return f"unknown datastore {name!r}{suggest(name, datastore_names)}"
    owner = found[0]
    missing = [env for env in service.environments if env not in owner.environments]
    if missing:
        return f"datastore {name!r} (service {owner.name!r}) does not exist in {', '.join(missing)}"
    return None


def _aws_name_rules(repo: Repo, docs: dict[str, Document], env_names: list[str]) -> list[Problem]:
    """Every name that becomes an AWS name is unique across the services and datastores of an
    account: a service named like another service's datastore (``core-db`` beside ``core``'s
    postgres ``core-db``) would create the same security groups and alarms from two roots. The
    problem is reported at the later definition and names the earlier one."""
    # (where the later definition is, whose it is, whose the earlier one is) -> clashing names
    clashes: dict[tuple[str, FieldPath, bool, str, str], tuple[str, dict[str, str]]] = {}
    earlier: dict[str, tuple[str, FieldPath, bool]] = {}  # whose -> where it is defined
    origins_of: dict[str, list[_Origin]] = {}  # the same in every account: computed once per service
    for env in env_names:
        # name -> (what, whose) of its first definition in this account
        seen: dict[str, tuple[str, str]] = {}
        datastores: set[str] = set()
        for service in repo.services:
            if env not in service.environments or service.file not in docs:
                continue
            if service.name not in origins_of:
                origins_of[service.name] = _aws_name_origins(repo, service)
            for datastore, whose, names, path, key in origins_of[service.name]:
                if datastore is not None:
                    if datastore in datastores:
                        continue  # a datastore name used twice: reported by cross_check
                    datastores.add(datastore)
                earlier.setdefault(whose, (service.file, path, key))
                for what, name in names:
                    first_what, first_whose = seen.setdefault(name, (what, whose))
                    if (first_what, first_whose) != (what, whose):
                        clash = clashes.setdefault((service.file, path, key, whose, first_whose), (env, {}))
                        clash[1].setdefault(name, first_what)
    problems = []
    for (file, path, key, whose, first_whose), (env, clashing) in clashes.items():
        first_file, first_path, first_key = earlier[first_whose]
        line, column = docs[first_file].position(first_path, key=first_key)
        listed = ", ".join(f"{name!r} ({what})" for name, what in clashing.items())
        problems.append(
            docs[file].problem(
                path,
                f"AWS names of {whose} already used by {first_whose} ({first_file}:{line}:{column}) "
                f"in account {env!r}: {listed}; names that become AWS names must be unique across the "
                "services and datastores of an account: rename one",
                key=key,
            )
        )
    return problems


def _external_domain_rules(repo: Repo, docs: dict[str, Document], env_names: list[str]) -> list[Problem]:
    """An external host name is one service's in an account: every listener rule of the account's
    external load balancer matches by host header (and the lower priority wins), so a service that
    names another's domain would take its public traffic. Reported at each definition, naming the
    others: either team may be the one to move."""
    problems = []
    for env in env_names:
        claims: dict[str, list[tuple[Service, Document, FieldPath]]] = {}
        for service in repo.services:
            if env not in service.environments or service.file not in docs:
                continue
            if not (service.ingress and service.ingress.external):
                continue
            domain = service.effective_domain(env)
            if domain is None:
                continue
            env_file = service.env_file(env)
            if env_file is not None and env_file.domain is not None and env_file.file in docs:
                where: tuple[Document, FieldPath] = (docs[env_file.file], ("overrides", "ingress", "domain"))
            else:
                where = (docs[service.file], ("spec", "ingress", "domain"))
            claims.setdefault(domain, []).append((service, *where))
        for domain, claimants in claims.items():
            if len(claimants) < 2:
                continue
            for service, doc, path in claimants:
                others = []
                for other, other_doc, other_path in claimants:
                    if other is not service:
                        line, column = other_doc.position(other_path)
                        others.append(f"service {other.name!r} ({other_doc.file}:{line}:{column})")
                problems.append(
                    doc.problem(
                        path,
                        f"host name {domain!r} is also the external domain of {', '.join(others)} in account "
                        f"{env!r}: the account's external listener routes a host to one service; choose another "
                        "host name",
                    )
                )
    return problems


# "Target Groups per Application Load Balancer: 100", a quota AWS lists as not adjustable
# (Quotas for your Application Load Balancers). Every external service of an account has its own
# target group, forwarded to by its own rule of the account's one external listener, so the 101st
# fails at apply (CreateRule: TooManyTargetGroups) after its other resources were created. moto
# counts neither target groups nor rules per load balancer. The rules quota (100 by default,
# adjustable) is then no tighter, for rules of infragen's services.
ALB_TARGET_GROUPS = 100
ALB_QUOTAS_PAGE = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"


def _external_load_balancer_rules(repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    """At most ALB_TARGET_GROUPS services with external ingress per account: each one's target
    group is on the account's external load balancer. Reported at that load balancer in the
    account file, naming the services."""
    problems = []
    for account in repo.accounts:
        doc = docs.get(f"accounts/{account.env}/account.yaml")
        if account.external_lb is None or doc is None:
            continue
        served = sorted(
            service.name
            for service in repo.services
            if account.env in service.environments and service.ingress is not None and service.ingress.external
        )
        if len(served) <= ALB_TARGET_GROUPS:
            continue
        named = ", ".join(served[:3]) + f" and {len(served) - 3} more"
        problems.append(
            doc.problem(
                ("loadBalancers", "external"),
                f"{len(served)} services have external ingress in account {account.env!r} ({named}), each with its "
                f"own target group on this load balancer; an Application Load Balancer holds at most "
                f"{ALB_TARGET_GROUPS} target groups, a quota AWS does not raise ({ALB_QUOTAS_PAGE}), so the apply "
                f"of the {ALB_TARGET_GROUPS + 1}st would fail. infragen puts an account's external services on its "
                f"one external load balancer: make {len(served) - ALB_TARGET_GROUPS} of them internal "
                "(spec.ingress.external: false) or leave this account out of their environments",
                key=True,
            )
        )
    return problems


# AWS Cloud Map's "Instances per namespace: 2,000", adjustable (AWS Cloud Map service quotas). Every
# running task of a service that serves (kind: service) registers as an instance in its account's
# Service Connect namespace; a worker is a client only and registers nothing, a job no Service
# Connect at all. moto counts nothing. ("Instances per service: 1,000", not adjustable, is the
# schema's autoscaling maximum.)
CLOUD_MAP_INSTANCES = 2000
CLOUD_MAP_QUOTAS_PAGE = "https://docs.aws.amazon.com/cloud-map/latest/dg/cloud-map-limits.html"


def task_ceiling(service: Service, env: str) -> int:
    """The most tasks ``service`` runs in ``env`` outside a deployment: its autoscaling maximum,
    else its desired count (after the environment's overrides)."""
    _, _, desired, autoscaling = service.effective_size(env)
    return autoscaling.max if autoscaling is not None else desired


def _ceilings(repo: Repo, env: str) -> list[tuple[Service, int]]:
    """Each service in ``env`` with its task ceiling there (computed once for every rule that adds
    the ceilings up)."""
    return [(s, task_ceiling(s, env)) for s in repo.services if env in s.environments]


def _largest_first(counted: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return sorted(counted, key=lambda pair: (-pair[0], pair[1]))


_Ceilings = dict[str, list[tuple[Service, int]]]  # by account: each service there, its task ceiling


@dataclass(frozen=True)
class _AccountQuota:
    """An adjustable per-account quota that something of each service adds up against."""

    key: str  # under quotas: in account.yaml
    default: int  # AWS's default
    default_at: FieldPath  # where the error points when the account file declares no value
    page: str


def _over_quota(
    account: Account,
    docs: dict[str, Document],
    quota: _AccountQuota,
    declared: int | None,
    counted: list[tuple[int, str]],
    explain: Callable[[int, int, int, str, str], str],
) -> list[Problem]:
    """The account file's error when ``counted`` (amount, service) adds up past the declared quota,
    else AWS's default: at the declared quota, else at ``quota.default_at``. ``explain(services,
    total, limit, the largest three, whose quota)`` says what adds up and what fails."""
    total = sum(amount for amount, _ in counted)
    limit = quota.default if declared is None else declared
    if total <= limit:
        return []  # before asking for the account file: the one-service run's docs hold only its own
    doc = docs.get(f"accounts/{account.env}/account.yaml")
    if doc is None:
        return []
    largest = ", ".join(f"{name} ({amount})" for amount, name in _largest_first(counted)[:3])
    whose = "the quota declared here" if declared is not None else "AWS's default quota"
    return [
        doc.problem(
            ("quotas", quota.key) if declared is not None else quota.default_at,
            f"{explain(len(counted), total, limit, largest, whose)}, or have AWS raise the quota and declare it in this file as "
            f"quotas.{quota.key} ({quota.page})",
            key=True,
        )
    ]


def task_sum_rules(repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    """The per-account quotas that the services' task ceilings add up against: Cloud Map's
    instances per namespace, the external load balancer's targets and the network interfaces."""
    ceilings = {account.env: _ceilings(repo, account.env) for account in repo.accounts}
    return (
        namespace_rules(repo, docs, ceilings)
        + load_balancer_target_rules(repo, docs, ceilings)
        + network_interface_rules(repo, docs, ceilings)
    )


_NAMESPACE = _AccountQuota(
    "cloudMapInstancesPerNamespace", CLOUD_MAP_INSTANCES, ("ecs", "serviceConnectNamespaceArn"), CLOUD_MAP_QUOTAS_PAGE
)


def namespace_rules(repo: Repo, docs: dict[str, Document], ceilings: _Ceilings) -> list[Problem]:
    """The serving services' task ceilings of each account fit its Service Connect namespace's
    instance quota (account.yaml quotas.cloudMapInstancesPerNamespace, else AWS's default).
    Reported in the account file, naming the largest."""
    problems = []
    for account in repo.accounts:
        problems += _over_quota(
            account,
            docs,
            _NAMESPACE,
            account.quotas.cloud_map_instances_per_namespace,
            [(ceiling, s.name) for s, ceiling in ceilings[account.env] if s.serves_http],
            lambda n, total, limit, largest, whose: (
                f"{total:,} tasks of {n} services register in this account's Service Connect namespace "
                f"when each runs its most tasks (autoscaling max, else desiredCount; the largest {largest}); AWS "
                f"Cloud Map allows {limit:,} instances per namespace ({whose}), so the tasks over it would fail to "
                "register while the services scale out. Lower autoscaling maxima"
            ),
        )
    return problems


# Elastic Load Balancing's "Targets per Application Load Balancer: 1,000", adjustable (the ALB quotas
# page, ALB_QUOTAS_PAGE). A service with external ingress registers each running task (an IP
# target, awsvpc) in its target group on the account's one external load balancer; when they add up
# past the quota, RegisterTargets fails and ECS cannot place the tasks over it behind the load
# balancer while the services scale out. moto counts nothing. A task is counted once, the fewest
# AWS can count, so the rule never refuses what AWS would take.
ALB_TARGETS = 1000
_TARGETS = _AccountQuota(
    "targetsPerApplicationLoadBalancer", ALB_TARGETS, ("loadBalancers", "external"), ALB_QUOTAS_PAGE
)


def load_balancer_target_rules(repo: Repo, docs: dict[str, Document], ceilings: _Ceilings) -> list[Problem]:
    """The task ceilings of each account's services with external ingress fit the external load
    balancer's targets quota (account.yaml quotas.targetsPerApplicationLoadBalancer, else AWS's
    default). Reported in the account file, naming the largest."""
    problems = []
    for account in repo.accounts:
        if account.external_lb is None:
            continue
        problems += _over_quota(
            account,
            docs,
            _TARGETS,
            account.quotas.targets_per_application_load_balancer,
            [(ceiling, s.name) for s, ceiling in ceilings[account.env] if s.ingress is not None and s.ingress.external],
            lambda n, total, limit, largest, whose: (
                f"{total:,} tasks of {n} services with external ingress are targets of this account's "
                f"external load balancer when each runs its most tasks (autoscaling max, else desiredCount; the "
                f"largest {largest}); an Application Load Balancer takes {limit:,} targets ({whose}), so the tasks "
                "over it could not be registered while the services scale out. Lower autoscaling maxima"
            ),
        )
    return problems


# Amazon VPC's "Network interfaces per Region: 5,000", adjustable (VPC_QUOTAS_PAGE). On Fargate
# every task has its own network interface (awsvpc) in the account's private subnets, created when
# the task starts and deleted when it stops (AWSVPC_PAGE: the account sees them in the EC2
# console), so the tasks of every workload of an account add up: services and workers at their
# ceilings, a job's one task per run. The load balancers', databases' and caches' interfaces come
# on top and are not counted, so the rule never refuses what AWS would take. moto counts nothing.
NETWORK_INTERFACES = 5000
VPC_QUOTAS_PAGE = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
AWSVPC_PAGE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html"
_INTERFACES = _AccountQuota(
    "networkInterfacesPerRegion", NETWORK_INTERFACES, ("network", "privateSubnetIds"), VPC_QUOTAS_PAGE
)


def network_interfaces(service: Service, env: str) -> int:
    """The most network interfaces the tasks of ``service`` hold in ``env`` outside a deployment."""
    return _interfaces(service, task_ceiling(service, env))


def _interfaces(service: Service, ceiling: int) -> int:
    return 1 if service.is_job else ceiling


def network_interface_rules(repo: Repo, docs: dict[str, Document], ceilings: _Ceilings) -> list[Problem]:
    """The tasks of each account's workloads fit its network interface quota (account.yaml
    quotas.networkInterfacesPerRegion, else AWS's default). Reported in the account file."""
    problems = []
    for account in repo.accounts:
        counted = [(_interfaces(s, ceiling), s.name) for s, ceiling in ceilings[account.env]]
        problems += _over_quota(
            account,
            docs,
            _INTERFACES,
            account.quotas.network_interfaces_per_region,
            counted,
            lambda n, total, limit, largest, whose: (
                f"the tasks of {n} workloads in this account hold {total:,} network interfaces when each "
                f"runs its most tasks (autoscaling max, else desiredCount; a job's one task; the largest {largest}); "
                f"a Fargate task has its own ({AWSVPC_PAGE}) and Amazon VPC allows {limit:,} per Region ({whose}), "
                "so the tasks over it could not start while the workloads scale out. Lower autoscaling maxima"
            ),
        )
    return problems


# Amazon VPC's "VPC security groups per Region: 2,500", adjustable (VPC_QUOTAS_PAGE). Each root
# creates its groups through aws/client-access: a service its own group and <name>-clients, a worker
# or a job only its own (nothing may call it), a network datastore (database, cache) its own and
# <name>-clients; datastores reached over AWS APIs none (tests/test_aws_limits.py counts them in
# every planned root). The platform's own groups (load balancers, Atlantis) come on top and are not
# counted. moto counts nothing.
SECURITY_GROUPS = 2500
_GROUPS = _AccountQuota("securityGroupsPerRegion", SECURITY_GROUPS, ("network", "vpcId"), VPC_QUOTAS_PAGE)


def security_groups(service: Service) -> int:
    """How many security groups the roots of ``service`` create in each of its accounts."""
    own = 2 if service.serves_http else 1
    return own + sum(2 for d in service.datastores if kind_of(d.type).network_for(d.type) is not None)


def security_group_rules(repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    """The security groups infragen's roots create in each account fit its quota (account.yaml
    quotas.securityGroupsPerRegion, else AWS's default). Reported in the account file."""
    problems = []
    for account in repo.accounts:
        counted = [(security_groups(s), s.name) for s in repo.services if account.env in s.environments]
        problems += _over_quota(
            account,
            docs,
            _GROUPS,
            account.quotas.security_groups_per_region,
            counted,
            lambda n, total, limit, largest, whose: (
                f"the roots of {n} workloads in this account create {total:,} security groups (a service "
                f"2, a worker or job 1, each database and cache 2; the most {largest}); Amazon VPC allows {limit:,} "
                f"per Region ({whose}), so the applies over it would fail. Move workloads to another account"
            ),
        )
    return problems


# AWS Systems Manager Parameter Store: at most 10,000 standard parameters per account and Region,
# not adjustable (the advanced tier holds 100,000 and is charged per parameter per month; choosing
# it is the platform team's decision, not a default). Every datastore's platform module publishes
# its connection by convention as standard String parameters, one per key of its kind
# (spec/convention.py keys), so those alone may not add up to more. The parameters owners write
# for their secrets come on top; they are theirs and uncounted, so the rule never refuses what
# AWS would take. moto counts nothing.
SSM_STANDARD_PARAMETERS = 10_000
SSM_TIERS_PAGE = "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"


def connection_parameters(service: Service) -> int:
    """How many SSM parameters the roots of ``service`` create in each of its accounts."""
    return sum(len(connection_keys(datastore.type)) for datastore in service.datastores)


def parameter_rules(repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    """The connection parameters infragen's roots create in each account fit Parameter Store's
    standard tier. Reported at the account file's accountId, naming the services that publish most."""
    problems = []
    for account in repo.accounts:
        published = _largest_first(
            [(connection_parameters(s), s.name) for s in repo.services if account.env in s.environments]
        )
        total = sum(count for count, _ in published)
        if total <= SSM_STANDARD_PARAMETERS:
            continue
        doc = docs.get(f"accounts/{account.env}/account.yaml")
        if doc is None:
            continue
        largest = ", ".join(f"{name} ({count})" for count, name in published[:3])
        problems.append(
            doc.problem(
                ("accountId",),
                f"the datastores of this account's services publish {total:,} connection parameters (the most "
                f"{largest}); Parameter Store holds at most {SSM_STANDARD_PARAMETERS:,} standard parameters per "
                f"account and Region, a quota AWS does not raise ({SSM_TIERS_PAGE}), and the parameters owners "
                "write for their secrets count too, so the applies over it would fail. Move services to another "
                "account or leave this account out of their environments",
            )
        )
    return problems


# (its datastore's name or None for the service itself, whose, its AWS names (what, name), where, key)
_Origin = tuple[str | None, str, list[tuple[str, str]], FieldPath, bool]


def _aws_name_origins(repo: Repo, service: Service) -> list[_Origin]:
    """The AWS names of ``service`` and of each of its datastores, with where each is defined."""
    found: list[_Origin] = [
        (None, f"service {service.name!r}", naming.service_aws_names(service.name), ("name",), False)
    ]
    for datastore in service.datastores:
        users = list(repo.datastore_users(datastore.name))
        whose = f"{datastore.type} datastore {datastore.name!r} of service {service.name!r}"
        names = kind_of(datastore.type).aws_names(datastore, users)
        found.append((datastore.name, whose, names, ("resources", datastore.name), True))
    return found


def partial_service_rules(doc: Document, team_names: list[str], env_names: list[str]) -> list[Problem]:
    """The cross-file rules that can still be judged on a service file that failed its schema, so
    one run reports both kinds of problem (owner and environments name other files)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    problems = []
    owner = data.get("owner")
    if isinstance(owner, str) and team_names and owner not in team_names:
        problems.append(doc.problem(("owner",), f"unknown owner {owner!r}{suggest(owner, team_names)}"))
    envs = data.get("environments")
    for index, env in enumerate(envs if isinstance(envs, list) else []):
        if isinstance(env, str) and env_names and env not in env_names:
            hint = suggest(env, env_names) or f"; accounts are: {', '.join(env_names)}"
            problems.append(doc.problem(("environments", index), f"unknown environment {env!r}{hint}"))
    return problems


def reads_from(repo: Repo, service: Service) -> tuple[str, ...]:
    """Other services whose resources this service's roots read or refer to (dependency services,
    the owners of declared datastores and of datastores its own datastores name, such as topics)."""
    names = set(service.depends_on_services)
    referenced = [name for d in service.datastores for _, name in kind_of(d.type).references(d)]
    for name in [*service.depends_on_datastores, *referenced]:
        found = repo.datastore_owner(name)
        if found and found[0].name != service.name:
            names.add(found[0].name)
    return tuple(sorted(names))


def _cycle_rules(repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    """Roots read what their dependencies create, so dependencies must form no cycle."""
    graph = {service.name: reads_from(repo, service) for service in repo.services}
    state: dict[str, int] = {}
    stack: list[str] = []
    for start in sorted(graph):
        cycle = _find_cycle(start, graph, state, stack)
        if cycle:
            first = repo.service(cycle[0])
            field = "services" if cycle[1] in first.depends_on_services else "datastores"
            return [
                docs[first.file].problem(
                    ("spec", "dependencies", field),
                    f"dependency cycle: {' -> '.join(cycle)}; a root cannot apply before the roots it reads from",
                )
            ]
    return []


def _find_cycle(name: str, graph: dict[str, tuple[str, ...]], state: dict[str, int], stack: list[str]) -> list[str]:
    if state.get(name) == 2:
        return []
    if state.get(name) == 1:
        return [*stack[stack.index(name) :], name]
    state[name] = 1
    stack.append(name)
    for dep in graph.get(name, ()):
        found = _find_cycle(dep, graph, state, stack)
        if found:
            return found
    stack.pop()
    state[name] = 2
    return []


def _size_rules(doc: Document, cpu: int, memory: int, desired: int, autoscaling: Autoscaling | None) -> list[Problem]:
    problems = []
    reason = memory_problem(cpu, memory)
    if reason:
        problems.append(doc.problem(("spec", "resources", "memory"), reason))
    problems.extend(
        _autoscaling_rules(doc, autoscaling, desired, ("spec", "autoscaling", "min"), ("spec", "autoscaling"))
    )
    return problems


def _autoscaling_rules(
    doc: Document,
    autoscaling: Autoscaling | None,
    desired: int,
    min_path: FieldPath,
    range_path: FieldPath,
    suffix: str = "",
) -> list[Problem]:
    """min <= max, and min <= desiredCount <= max."""
    if autoscaling is None:
        return []
    if autoscaling.min > autoscaling.max:
        return [doc.problem(min_path, f"min {autoscaling.min} is greater than max {autoscaling.max}")]
    if not autoscaling.min <= desired <= autoscaling.max:
        return [
            doc.problem(
                range_path,
                f"desiredCount {desired} must lie between autoscaling min {autoscaling.min} "
                f"and max {autoscaling.max}{suffix}",
            )
        ]
    return []


def _port_rules(doc: Document, service: Service) -> list[Problem]:
    """previousPort is the port being left: not the new port, not the metrics port."""
    if service.previous_port is None:
        return []
    if service.previous_port == service.port:
        return [
            doc.problem(
                ("spec", "previousPort"), f"equals port {service.port}: remove previousPort once the change is deployed"
            )
        ]
    if service.previous_port == service.metrics_port:
        return [doc.problem(("spec", "previousPort"), f"equals metricsPort {service.metrics_port}")]
    return []


def _ingress_rules(doc: Document, service: Service, repo: Repo, docs: dict[str, Document]) -> list[Problem]:
    ingress = service.ingress
    if ingress is None:
        return []
    if ingress.external and not ingress.domain:
        return [doc.problem(("spec", "ingress", "external"), "external ingress needs a domain (spec.ingress.domain)")]
    if not ingress.external and ingress.domain:
        return [doc.problem(("spec", "ingress", "domain"), "domain is only used when external is true")]
    problems = []
    if ingress.external:
        envs = {account.env: account for account in repo.accounts}
        for env in service.environments:
            account = envs.get(env)
            if account and (account.external_lb is None or account.public_zone_id is None):
                problems.append(
                    doc.problem(
                        ("spec", "ingress", "external"),
                        f"account {env!r} has no external load balancer or public DNS zone for external ingress",
                    )
                )
            elif account:
                problems.extend(_domain_rules(doc, service, account, docs))
    return problems


def _domain_rules(doc: Document, service: Service, account: Account, docs: dict[str, Document]) -> list[Problem]:
    """The external domain of each environment lies within that account's public zone (dns.publicZone)."""
    env_file = service.env_file(account.env)
    domain = service.effective_domain(account.env)
    if env_file is not None and env_file.file is not None and env_file.domain is not None:
        where, path = docs.get(env_file.file, doc), ("overrides", "ingress", "domain")
    else:
        where, path = doc, ("spec", "ingress", "domain")
    zone = account.public_zone
    if zone is None:
        return [
            where.problem(
                path,
                f"account {account.env!r} does not name its public zone: add dns.publicZone (the name of "
                f"zone {account.public_zone_id}) to accounts/{account.env}/account.yaml",
            )
        ]
    if domain is None or domain == zone or domain.endswith("." + zone):
        return _certificate_rules(where, path, domain, account)
    return [
        where.problem(
            path,
            f"{domain!r} is not within the {account.env} public zone {zone!r}: use a name ending in '.{zone}'"
            + (
                ""
                if env_file and env_file.domain
                else f", or set overrides.ingress.domain in environments/{account.env}.yaml"
            ),
        )
    ]


# A wildcard stands for exactly one left-most label (RFC 6125, 6.4.3); for a host name no
# certificate of the listener covers, an ALB presents its default certificate (SNI selection,
# "SSL certificates for your Application Load Balancer"), which clients refuse.
CERTIFICATES_PAGE = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html"
)


def certificate_covers(name: str, domain: str) -> bool:
    """Whether a certificate name (``*.example.com`` or ``example.com``) covers host ``domain``."""
    if name.startswith("*."):
        head, _, rest = domain.partition(".")
        return bool(head) and rest == name[2:]
    return name == domain


def _certificate_rules(where: Document, path: FieldPath, domain: str | None, account: Account) -> list[Problem]:
    """An external domain is covered by the certificates the account says its external listener
    has (loadBalancers.external.certificateDomains), when it says."""
    lb = account.external_lb
    if domain is None or lb is None or not lb.certificate_domains:
        return []
    if any(certificate_covers(name, domain) for name in lb.certificate_domains):
        return []
    parent = domain.partition(".")[2]
    return [
        where.problem(
            path,
            f"no certificate of the {account.env} external listener covers {domain!r} (they cover "
            f"{', '.join(lb.certificate_domains)}; a wildcard stands for one label): the listener would present "
            f"its default certificate and clients would refuse it. Use a name one label below a wildcard, or have "
            f"the platform team add a certificate for {domain!r} or '*.{parent}' to the listener and to "
            f"loadBalancers.external.certificateDomains in accounts/{account.env}/account.yaml ({CERTIFICATES_PAGE})",
        )
    ]


def _removed_message(kind: str, name: str, gone: str, users: list[str]) -> str:
    return (
        f"{kind} {name!r} is being removed (services/{gone}/ is gone) but is still used by "
        f"{', '.join(users)}: remove it from their spec.dependencies first, or keep services/{gone}/"
    )


def _dependency_rules(
    doc: Document,
    service: Service,
    repo: Repo,
    service_names: list[str],
    broken: set[str] | frozenset[str],
    removed: set[str] | frozenset[str] = frozenset(),
) -> list[Problem]:
    problems = []
    for index, name in enumerate(service.depends_on_services):
        path: FieldPath = ("spec", "dependencies", "services", index)
        if name == service.name:
            problems.append(doc.problem(path, "a service cannot depend on itself"))
        elif name in broken:
            continue
        elif name in removed:
            users = sorted({s.name for s in repo.dependents(name)})
            problems.append(doc.problem(path, _removed_message("service", name, name, users)))
        elif name not in service_names:
            problems.append(doc.problem(path, f"unknown service {name!r}{known(name, service_names, 'services')}"))
        else:
            other = repo.service(name)
            missing = [env for env in service.environments if env not in other.environments]
            if missing:
                problems.append(doc.problem(path, f"service {name!r} does not run in {', '.join(missing)}"))
    for index, name in enumerate(service.depends_on_datastores):
        path = ("spec", "dependencies", "datastores", index)
        found = repo.datastore_owner(name)
        if found is None and _of_broken(name, broken):
            continue
        gone = next((r for r in sorted(removed) if name.startswith(r + "-")), None)
        if found is None and gone is not None:
            users = list(repo.datastore_users(name))
            problems.append(doc.problem(path, _removed_message("datastore", name, gone, users)))
            continue
        problem = _datastore_problem(repo, service, name, found)
        if problem:
            problems.append(doc.problem(path, problem))
    return problems


def _secret_rules(
    docs: dict[str, Document],
    service: Service,
    env: str,
    repo: Repo,
    services: frozenset[str],
    verdicts: cachedir.ByKey | None = None,
) -> list[Problem]:
    """No credential under `variables:`; secret references in the environment's account and region, of
    the service itself (not under another service's name or the platform's connection parameters)."""
    env_file = service.env_file(env)
    if env_file is None or env_file.file is None or env not in service.environments:
        return []
    doc = docs[env_file.file]
    problems: list[Problem] = []
    variables = {key for key, _ in env_file.variables}
    for key, _ in env_file.not_secrets:
        if key not in variables:
            problems.append(doc.problem(("notSecrets", key), f"{key!r} is not a variable of this file", key=True))
    opted_out = frozenset(key for key, _ in env_file.not_secrets)
    for key, reason in secrets.scan(env_file.variables, opted_out, verdicts):
        problems.append(doc.problem(("variables", key), reason, key=True))
    for override in env_file.alarm_overrides:
        path: FieldPath = ("overrides", "alarms", override.target, override.key, "reason")
        wrong = secrets.text_problem(override.reason, verdicts) if path in doc.values else None
        if wrong:
            problems.append(doc.problem(path, wrong))
    for key, secret in env_file.secrets:
        field = "secretsManager" if secret.secrets_manager_arn else "ssmParameter"
        reference = secret.secrets_manager_arn or secret.ssm_parameter or ""
        wrong = secrets.owner_problem(reference, service.name, services)
        if wrong:
            problems.append(doc.problem(("secrets", key, field), wrong))
    account = next((a for a in repo.accounts if a.env == env), None)
    if account is not None:
        for key, secret in env_file.secrets:
            if secret.secrets_manager_arn:
                wrong = secrets.arn_problem(secret.secrets_manager_arn, account.account_id, account.region, env)
                if wrong:
                    problems.append(doc.problem(("secrets", key, "secretsManager"), wrong))
            if secret.kms_key:
                wrong = secrets.kms_key_problem(secret.kms_key, account.account_id, account.region, env)
                if wrong:
                    problems.append(doc.problem(("secrets", key, "kmsKey"), wrong))
    return problems


def _environment_rules(
    root: Path, docs: dict[str, Document], service: Service, env: str, env_names: list[str]
) -> list[Problem]:
    env_file = service.env_file(env)
    assert env_file is not None and env_file.file is not None
    doc = docs[env_file.file]
    problems: list[Problem] = []
    if env not in service.environments:
        hint = suggest(env, list(service.environments))
        problems.append(doc.problem((), f"environment {env!r} is not listed in {service.file} environments{hint}"))
        return problems
    for key, value in env_file.variables:
        reason = hcl.unrepresentable(value)
        if reason:
            problems.append(doc.problem(("variables", key), reason))
    if env_file.domain is not None and not (service.ingress and service.ingress.external):
        problems.append(
            doc.problem(("overrides", "ingress", "domain"), "only used when the spec sets ingress.external: true")
        )
    secret_keys = {key for key, _ in env_file.secrets}
    for key, _ in env_file.variables:
        if key in secret_keys:
            problems.append(doc.problem(("secrets", key), "is both a variable and a secret", key=True))
    cpu, memory, desired, autoscaling = service.effective_size(env)
    if env_file.cpu is not None or env_file.memory is not None:
        reason = memory_problem(cpu, memory)
        if reason:  # at the override this file sets (memory when it sets both)
            field = "memory" if env_file.memory is not None else "cpu"
            problems.append(doc.problem(("overrides", "resources", field), reason))
    # blame the line that set the value: the environment file only when it overrides one of them
    # (otherwise the spec's own check reports the spec's values at the spec's lines)
    if env_file.autoscaling_set or env_file.desired_count is not None:
        where: FieldPath = ("overrides", "autoscaling") if env_file.autoscaling_set else ("overrides", "desiredCount")
        problems.extend(_autoscaling_rules(doc, autoscaling, desired, where, where, f" in {env}"))
    problems.extend(health_problems(doc, service, env))
    problems.extend(_alarm_rules(root, doc, service, env_file.alarm_overrides))
    return problems


def _alarm_rules(root: Path, doc: Document, service: Service, overrides: tuple[AlarmOverride, ...]) -> list[Problem]:
    """Overrides name a module of this service and one of its alarms, within the alarm's range."""
    problems: list[Problem] = []
    kinds = {"service": "service", **{d.name: d.type for d in service.datastores}}
    for o in overrides:
        path: FieldPath = ("overrides", "alarms", o.target)
        if o.target not in kinds:
            known = sorted(kinds)
            hint = suggest(o.target, known) or f"; use service or a datastore of this service: {', '.join(known)}"
            problems.append(doc.problem(path, f"not a part of this service{hint}", key=True))
            continue
        found = alarm_defaults(root, kinds[o.target])
        if found is None:
            if alarm_module(kinds[o.target]) is None:
                problems.append(doc.problem(path, f"a {kinds[o.target]} has no alarms", key=True))
            continue  # no modules/ in this repository: Terraform's variable validation judges the keys
        default = found.get(o.key)
        if default is None:
            known = sorted(found)
            hint = suggest(o.key, known) or f"; alarms of {o.target}: {', '.join(known)}"
            problems.append(doc.problem((*path, o.key), f"unknown alarm{hint}", key=True))
        elif o.threshold is not None and not default.min <= o.threshold <= default.max:
            problems.append(
                doc.problem(
                    (*path, o.key, "threshold"),
                    f"{o.threshold:g} is outside {default.min:g} to {default.max:g} ({default.unit})",
                )
            )
    # ECS rolls a bad deployment back on the service's deployment alarms; silencing all of them
    # would leave an empty alarm list, which the provider cannot send once the service had one
    # (UpdateService: missing required field AlarmNames). Reported at the last silencing line.
    if not any(o.target == "service" and o.silenced for o in overrides):
        return problems  # nothing silenced: the deployment alarms need not be read
    deploying = deployment_keys(root)
    silenced = [o for o in overrides if o.target == "service" and o.silenced and o.key in deploying]
    if deploying and {o.key for o in silenced} >= set(deploying):
        last = silenced[-1]
        problems.append(
            doc.problem(
                ("overrides", "alarms", "service", last.key, "silenced"),
                f"silences the last deployment alarm ({', '.join(deploying)} are all silenced here): ECS could no "
                "longer roll a bad deployment back; keep one and raise its threshold instead",
            )
        )
    return problems
