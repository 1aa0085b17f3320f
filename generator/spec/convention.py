"""Connection by convention: what each declared dependency puts into the container's environment.

A datastore ``klausapproves-rds`` of kind postgres reaches the container as
``KLAUSAPPROVES_RDS_HOST``, ``_PORT``, ``_DATABASE`` and ``_USER``. ``_USER`` (the IAM-authenticated
user, named like the connecting service) is known now; the others exist only after the datastore's
root is applied, so the platform module writes them to SSM parameters under
``/infragen/<env>/<datastore>/<key>`` and the task definition reads them with ``valueFrom``: the
parameter ARNs are computed here from the account id and region, which keeps ``compile`` pure.
A service dependency ``bpg`` becomes ``BPG_URL=http://bpg-internal.<env>.<zone>`` (plain value).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.datastores import kind_of
from generator.errors import Problem
from generator.spec import naming
from generator.spec.document import Document
from generator.spec.models import Account, Repo, Service

PARAMETER_PREFIX = "/infragen"


def keys(kind: str) -> tuple[tuple[str, str], ...]:
    """(environment suffix, SSM parameter key): values the platform module publishes after apply."""
    return kind_of(kind).connection(kind)


def iam_user(kind: str, datastore: str, service: str) -> str | None:
    """The IAM-authenticated user ``service`` connects as (modules: rds-db:connect as the user named
    like the service; an ElastiCache user ``<cache>-<service>``), known before apply."""
    return kind_of(kind).iam_user(datastore, service)


@dataclass(frozen=True)
class Injected:
    """One environment entry added by convention: a plain value or an SSM parameter reference."""

    name: str
    source: str  # "services: <dep>" or "datastores: <name>", for error messages
    value: str | None = None
    parameter: str | None = None  # SSM parameter name, read with valueFrom


def env_prefix(name: str) -> str:
    return name.upper().replace("-", "_")


def parameter_name(env: str, datastore: str, key: str) -> str:
    return f"{PARAMETER_PREFIX}/{env}/{datastore}/{key}"


def service_url(name: str, account: Account) -> str:
    return f"http://{naming.internal_hostname(name, account)}"


def injected(repo: Repo, service: Service, account: Account) -> tuple[Injected, ...]:
    """Every entry the declared dependencies add, sorted by name. A root's environment, secrets and
    module arguments each ask, one after the other: the last answer is kept (with its models, so
    it is never another model's)."""
    if _last_injected:
        last_repo, last_service, last_account, found = _last_injected[0]
        if last_repo is repo and last_service is service and last_account is account:
            return found
    found = _injected(repo, service, account)
    _last_injected[:] = [(repo, service, account, found)]
    return found


_last_injected: list[tuple[Repo, Service, Account, tuple[Injected, ...]]] = []


def _injected(repo: Repo, service: Service, account: Account) -> tuple[Injected, ...]:
    result: list[Injected] = []
    for dep in dict.fromkeys(service.depends_on_services):
        result.append(Injected(f"{env_prefix(dep)}_URL", f"services: {dep}", value=service_url(dep, account)))
    for name in dict.fromkeys(service.depends_on_datastores):
        found = repo.datastore_owner(name)
        if found is None:
            continue  # reported by the dependency rules
        kind = found[1].type
        user = iam_user(kind, name, service.name)
        if user is not None:
            result.append(Injected(f"{env_prefix(name)}_USER", f"datastores: {name}", value=user))
        for suffix, key in keys(kind):
            result.append(
                Injected(
                    f"{env_prefix(name)}_{suffix}",
                    f"datastores: {name}",
                    parameter=parameter_name(account.env, name, key),
                )
            )
    return tuple(sorted(result, key=lambda i: i.name))


def collisions(repo: Repo, service: Service, account: Account) -> list[tuple[str, str, str]]:
    """(field, name, source) for each owner variable or secret that a convention name takes."""
    env_file = service.env_file(account.env)
    if env_file is None:
        return []
    taken = {i.name: i.source for i in injected(repo, service, account)}
    found = []
    for field, keys in (
        ("variables", [k for k, _ in env_file.variables]),
        ("secrets", [k for k, _ in env_file.secrets]),
    ):
        for key in keys:
            if key in taken:
                found.append((field, key, taken[key]))
    return found


def collision_problems(doc: Document, repo: Repo, service: Service, account: Account) -> list[Problem]:
    """A cross-file rule: the owner's variables and secrets must not use a convention name."""
    return [
        doc.problem(
            (field, name),
            f"{name} is set by connection by convention from dependency {source}; rename the {field[:-1]}",
            key=True,
        )
        for field, name, source in collisions(repo, service, account)
    ]


def clash_problems(doc: Document, repo: Repo, service: Service) -> list[Problem]:
    """Two dependencies whose convention names coincide (service ``x-queue`` and queue ``x`` both
    give ``X_QUEUE_URL``): a cross-file rule on the service file."""
    seen: dict[str, str] = {}
    problems = []
    for field, names in (
        ("services", list(dict.fromkeys(service.depends_on_services))),
        ("datastores", list(dict.fromkeys(service.depends_on_datastores))),
    ):
        for name in names:
            if field == "services":
                suffixes = ["URL"]
            else:
                found = repo.datastore_owner(name)
                if found is None:
                    continue
                kind = found[1].type
                suffixes = [s for s, _ in keys(kind)] + (["USER"] if iam_user(kind, name, service.name) else [])
            for suffix in suffixes:
                env_name = f"{env_prefix(name)}_{suffix}"
                source = f"{field}: {name}"
                if env_name in seen and seen[env_name] != source:
                    problems.append(
                        doc.problem(
                            ("spec", "dependencies", field),
                            f"{source} and {seen[env_name]} both set {env_name} by connection by convention; "
                            "rename one of them",
                        )
                    )
                seen.setdefault(env_name, source)
    return problems
