"""What every datastore kind owns, and the values kinds build for the planner.

A kind is one class (``Kind``) with class attributes for what is fixed (type names, module,
options, outputs, network port, convention keys, scaffold lines) and methods for what depends on
a datastore or account (module arguments, IAM grants, conventional ARNs). The planner, the
renderers and the tools call these; none of them lists kinds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from generator import hcl
from generator.hcl import Raw, Value
from generator.spec import naming
from generator.spec.models import Account, Datastore, Options

OptionKey = str | tuple[str | int, ...]  # an option, or the path to a value inside one

_REQUIRED: Any = object()  # an option without a default
_O = TypeVar("_O", bound=Options)


@dataclass(frozen=True)
class Option:
    """One key of a kind's options: YAML key, dataclass field, JSON schema, default (stated once)."""

    key: str  # the YAML key (camelCase)
    attr: str  # the options dataclass field
    schema: Mapping[str, Any]  # JSON Schema of the value, without description
    doc: str  # what it is, without the default
    default: Any = None  # _REQUIRED for a required key; None for optional without a default
    default_text: str | None = None  # how the description states a computed default
    note: str = ""  # appended after the default in the description
    per_environment: bool = True  # False: set in service.yaml only (not under an environment's overrides)

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def description(self) -> str:
        if self.required:
            return f"{self.doc}."
        if self.default_text is not None:
            return f"{self.doc} ({self.default_text}{self.note})."
        if self.default is None:
            return f"{self.doc} (optional)."
        return f"{self.doc} (default {_text(self.default)}{self.note})."

    def json_schema(self) -> dict[str, Any]:
        return {**self.schema, "description": self.description()}


def required(key: str, attr: str, schema: Mapping[str, Any], doc: str) -> Option:
    return Option(key, attr, schema, doc, _REQUIRED)


def _text(value: object) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class Network:
    """How a network datastore is reached: its port and the module output holding its address."""

    port: int
    address_output: str


@dataclass(frozen=True)
class SqlUsers:
    """A kind with per-service database users: the SQL it speaks and where RDS keeps its master."""

    engine: Literal["postgres", "mysql"]  # the SQL of `infragen datastore users` (PostgreSQL-compatible: postgres)
    cluster: bool  # an Aurora DB cluster (DescribeDBClusters), else a DB instance (DescribeDBInstances)


@dataclass(frozen=True)
class Grant:
    """One IAM statement of a declaring service's task role (statements of one sid are merged)."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[Value, ...]
    summary: str | None = None  # what `infragen explain` says about it; None: not shown


@dataclass(frozen=True)
class Interpolation(Raw):
    """A string with one reference inside (``"${module.x.arn}/index/*"``); ``value`` keeps the
    reference so the Terragrunt flavor can point it at a dependency."""

    value: Raw
    prefix: str
    suffix: str


def interpolate(prefix: str, value: Value, suffix: str = "") -> Value:
    """``prefix + value + suffix``: a plain string when ``value`` is known now, else an Interpolation."""
    if isinstance(value, str):
        return prefix + value + suffix
    if not isinstance(value, Raw):
        raise TypeError(f"cannot interpolate {value!r}")
    expr = hcl.string(prefix)[:-1] + "${" + value.expr + "}" + hcl.string(suffix)[1:]
    return Interpolation(expr, value, prefix, suffix)


@dataclass(frozen=True)
class Access:
    """A service's declared dependency on one datastore, as a kind sees it."""

    datastore: Datastore
    service: str  # the declaring service
    account: Account
    output: Callable[[str], Value]  # a module output of the datastore (a reference, or known by convention)


@dataclass(frozen=True)
class DataSource:
    """How a root reads a datastore owned by another root (a Terraform data source)."""

    type: str  # e.g. aws_db_instance
    key: str  # the argument naming it, e.g. db_instance_identifier
    attrs: tuple[str, ...] = field(default=())  # outputs read through it


class Kind:
    """One datastore kind. Subclasses set the class attributes and override what differs."""

    types: ClassVar[tuple[str, ...]]  # the ``type:`` values of this kind
    schema_def: ClassVar[str]  # its ``$defs`` name in the service and environment schemas
    module: ClassVar[str]  # platform module, relative to modules/ (``platform/queue``)
    options_class: ClassVar[type[Options]]
    options: ClassVar[tuple[Option, ...]]
    outputs: ClassVar[tuple[str, ...]]  # module outputs a root re-exports
    network: ClassVar[Network | None] = None  # None: reached over AWS APIs, IAM only
    data_source: ClassVar[DataSource | None] = None  # lookup of a foreign one
    has_alarms: ClassVar[bool] = True  # the module has alarms.tf, alarm inputs and dashboard widgets
    convention: ClassVar[tuple[tuple[str, str], ...]] = ()  # (env suffix, SSM parameter key)
    aliases: ClassVar[Mapping[str, str]] = {}  # what people type on `new service --datastore` -> type
    scaffold: ClassVar[tuple[str, ...]] = ()  # extra YAML lines `new service` writes to make it valid
    # ("<resource type>.<name>", attribute) -> the option key whose value sets it, so that
    # `infragen drift` traces a changed attribute back to the spec line (generator/tools/drift.py)
    drift_attributes: ClassVar[Mapping[tuple[str, str], str]] = {}
    # The AWS names the module derives from the datastore's name besides the name itself:
    # (what, suffix) for "<name><suffix>". Checked against the modules by tests/test_aws_names.py.
    derived_names: ClassVar[tuple[tuple[str, str], ...]] = ()
    # Where AWS says an engine version cannot be downgraded (the downgrade error cites it)
    version_page: ClassVar[str] = ""
    # How `infragen datastore users` (generator/deploy/dbusers.py) reaches a datastore of a kind
    # other than the database kind (postgres, mysql) that has database users; None: it has none.
    sql_users: ClassVar[SqlUsers | None] = None

    # -- options -------------------------------------------------------------------------
    def read(self, type_name: str, data: Mapping[str, Any]) -> Options:
        """Typed options from a resource's YAML mapping (schema-checked), defaults filled in."""
        values = {o.attr: data[o.key] if o.required else data.get(o.key, o.default) for o in self.options}
        return self.options_class(**self.fixed_options(type_name), **values)

    def fixed_options(self, type_name: str) -> dict[str, Any]:
        """Options that follow from the type name (a database's engine)."""
        return {}

    def network_for(self, type_name: str) -> Network | None:
        """Port and address output of a datastore of ``type_name``; None: IAM only."""
        return self.network

    def connection(self, type_name: str) -> tuple[tuple[str, str], ...]:
        """Connection by convention: (environment suffix, SSM parameter key) pairs."""
        return self.convention

    # -- schema --------------------------------------------------------------------------
    def type_schema(self) -> dict[str, Any]:
        return {"enum": list(self.types)} if len(self.types) > 1 else {"const": self.types[0]}

    def schema_fragment(self, *, in_environment: bool = False) -> dict[str, Any]:
        """The ``$defs`` entry: with ``type`` and required keys in service.yaml, without them in
        an environment file's overrides."""
        properties = {o.key: o.json_schema() for o in self.options if o.per_environment or not in_environment}
        if in_environment:
            return {"type": "object", "additionalProperties": False, "properties": properties}
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {"type": self.type_schema(), **properties},
            "required": ["type", *(o.key for o in self.options if o.required)],
        }

    def option_problems(self, datastore: Datastore, root: Path) -> list[tuple[OptionKey, str]]:
        """(option key, message) for option values that pass the schema but not together or not
        with the kind's module in the repository at ``root`` (the spec stage positions them in
        the spec or the environment file that sets them). A key is an option's name, or the path
        to a value inside it (``("subscribe", 0, "filterPolicy")``)."""
        return []

    def engine_version(self, datastore: Datastore) -> str | None:
        """The ``engine_version`` the root passes to the module (after defaults), which may not be
        older than the one the environment runs (generator/datastores/versions.py); None: the
        kind has no engine version."""
        return None

    def replica_ids(self, datastore: Datastore, account: Account) -> tuple[str, ...]:
        """Identifiers of the read replicas the module creates for ``datastore`` in ``account``
        (a root that does not own the datastore looks each up like the datastore itself)."""
        return ()

    # -- references to other datastores ---------------------------------------------------
    def references(self, datastore: Datastore) -> tuple[tuple[tuple[str | int, ...], str], ...]:
        """Other datastores this one names (a queue's subscribed topics): (path of the name inside
        the resource's YAML mapping, datastore name). Validation requires each to exist where this
        one does; the root is planned and applied after the referenced datastore's owner's."""
        return ()

    def reference_problems(self, datastore: Datastore, target: Datastore) -> list[str]:
        """Why ``datastore`` cannot refer to ``target`` (a wrong kind, FIFO against standard)."""
        return []

    # -- module --------------------------------------------------------------------------
    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        """The module inputs after the common ones (name, service, owner, environment, ...).
        ``users``: services that declare the datastore."""
        raise NotImplementedError

    def conventional(self, attr: str, datastore: Datastore, account: Account) -> str | None:
        """A module output known before apply from names alone (an ARN), else None."""
        return None

    # -- access --------------------------------------------------------------------------
    def grants(self, access: Access) -> list[Grant]:
        """The IAM statements a declaring service's task role gets."""
        return []

    def iam_user(self, datastore: str, service: str) -> str | None:
        """The IAM-authenticated user ``service`` connects as, when the kind has users."""
        return None

    # -- names ---------------------------------------------------------------------------
    def aws_names(self, datastore: Datastore, users: list[str]) -> list[tuple[str, str]]:
        """(what, name) of every AWS name the module creates from the datastore's name
        (``users``: the services that declare it). Two of them may not be equal in one account."""
        names = [("name", datastore.name)]
        if self.network_for(datastore.type) is not None:
            names.append(("security group", naming.clients_group(datastore.name)))
        names += [(what, datastore.name + suffix) for what, suffix in self.derived_names]
        for service in users:
            user = self.iam_user(datastore.name, service)
            if user is not None and user != service:
                names.append((f"user of service {service!r}", user))
        return names


def options_of(datastore: Datastore, cls: type[_O]) -> _O:
    """The datastore's options as ``cls`` (a kind reading another kind's options is a bug)."""
    if not isinstance(datastore.options, cls):
        raise TypeError(f"{datastore.name}: options {type(datastore.options).__name__} are not {cls.__name__}")
    return datastore.options


def arn(service: str, account: Account, resource: str) -> str:
    """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
    return f"arn:{naming.partition(account.region)}:{service}:{account.region}:{account.account_id}:{resource}"
