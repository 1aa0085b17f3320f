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

import json
import unicodedata
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


def environment(repo: Repo, service: Service, account: Account) -> dict[str, str]:
    """The container's plain environment (generator/plan/taskdef.py): the owner's variables plus
    the service-dependency URLs and other known convention values."""
    env_file = service.env_file(account.env)
    # NFC, as Terraform delivers every string (and the escaping oracle checks): compile, the root
    # and a deploy must send the same bytes.
    values = {k: unicodedata.normalize("NFC", v) for k, v in (env_file.variables if env_file else ())}
    for item in injected(repo, service, account):
        if item.value is not None:
            values.setdefault(item.name, item.value)
    return dict(sorted(values.items()))


def secrets(repo: Repo, service: Service, account: Account) -> dict[str, str]:
    """The container's secrets, name -> valueFrom: the owner's secret references plus the
    datastore connection parameters."""
    values: dict[str, str] = {}
    env_file = service.env_file(account.env)
    for key, secret in env_file.secrets if env_file else ():
        if secret.secrets_manager_arn is not None:
            values[key] = secret.secrets_manager_arn + (f":{secret.field}::" if secret.field else "")
        else:
            assert secret.ssm_parameter is not None
            values[key] = naming.ssm_parameter_arn(secret.ssm_parameter, account)
    for item in injected(repo, service, account):
        if item.parameter is not None:
            values.setdefault(item.name, naming.ssm_parameter_arn(item.parameter, account))
    return dict(sorted(values.items()))


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


# "Task definition size: 64 KiB", not adjustable (Amazon ECS service quotas). moto registers any size.
TASK_DEFINITION_BYTES = 64 * 1024
ECS_QUOTAS_PAGE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html"
# JSON writes no character in more than 6 bytes (\u00XX), and an entry's keys and punctuation
# ({"name":"","value":""},) take fewer than 32: a bound checked before encoding anything.
_JSON_BYTES_PER_CHAR = 6
_ENTRY_OVERHEAD = 32


def entries_bytes(environment: dict[str, str], secrets: dict[str, str]) -> int:
    """The container's environment and secrets lists as compact JSON in UTF-8, the least any
    encoding of the task definition spends on them: a lower bound of its size."""
    document = {
        "environment": [{"name": k, "value": v} for k, v in environment.items()],
        "secrets": [{"name": k, "valueFrom": v} for k, v in secrets.items()],
    }
    return len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def size_problems(doc: Document, repo: Repo, service: Service, account: Account) -> list[Problem]:
    """The environment and secrets an environment file gives the container fit in a task
    definition: over 64 KiB, compile, deploy and the root's apply would all be refused."""
    env_file = service.env_file(account.env)
    if env_file is None:
        return []
    plain, referenced = environment(repo, service, account), secrets(repo, service, account)
    chars = sum(len(k) + len(v) for values in (plain, referenced) for k, v in values.items())
    if chars * _JSON_BYTES_PER_CHAR + (len(plain) + len(referenced) + 1) * _ENTRY_OVERHEAD <= TASK_DEFINITION_BYTES:
        return []  # the common case: not even the worst encoding could reach the quota
    size = entries_bytes(plain, referenced)
    if size <= TASK_DEFINITION_BYTES:
        return []
    largest = sorted(plain.items(), key=lambda item: (-len(item[1].encode("utf-8")), item[0]))[:3]
    named = ", ".join(f"{k} ({len(v.encode('utf-8')):,} bytes)" for k, v in largest)
    field = "variables" if env_file.variables else "secrets"
    return [
        doc.problem(
            (field,),
            f"the container's environment and secrets in {account.env} take {size:,} bytes of its task definition "
            f"(the largest variables: {named}); ECS allows a task definition of at most {TASK_DEFINITION_BYTES:,} "
            f"bytes, a quota it does not raise ({ECS_QUOTAS_PAGE}), so `infragen compile`, `deploy` and the root's "
            "apply would all be refused: keep large values out of the environment (an SSM parameter under secrets "
            "costs a reference of a few dozen bytes, a file in the image or in S3 costs none)",
            key=True,
        )
    ]
