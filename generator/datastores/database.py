"""postgres and mysql: one RDS instance per datastore (modules/platform/database)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, assert_never, cast

from generator.datastores.base import Access, DataSource, Grant, Kind, Network, Option, arn, interpolate, options_of
from generator.hcl import Value
from generator.spec.models import Account, Datastore, Options

Engine = Literal["postgres", "mysql"]
_VERSION = {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+){0,2}$"}


def default_engine_version(engine: Engine) -> str:
    match engine:
        case "postgres":
            return "16"
        case "mysql":
            return "8.0"
        case _:
            assert_never(engine)


def port(engine: Engine) -> int:
    match engine:
        case "postgres":
            return 5432
        case "mysql":
            return 3306
        case _:
            assert_never(engine)


# Performance Insights (Database Insights) is not available for RDS for MySQL on these classes
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html);
# modules/aws/rds turns it off there by default (the same list, compared by tests/test_datastores.py).
PERFORMANCE_INSIGHTS_UNSUPPORTED: dict[Engine, tuple[str, ...]] = {
    "postgres": (),
    "mysql": ("db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"),
}


@dataclass(frozen=True)
class Database(Options):
    engine: Engine
    engine_version: str | None
    instance_class: str
    storage_gb: int
    multi_az: bool | None
    max_storage_gb: int | None = None
    performance_insights: bool | None = None
    apply_immediately: bool | None = None


@functools.cache
def _read_memory_table(path: Path) -> dict[str, tuple[str, ...]]:
    import hcl2  # only validation reads the module

    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = hcl2.load(handle)
    for block in parsed.get("locals", []):
        table = block.get("instance_memory_gib")
        if isinstance(table, dict):
            return {str(k).strip('"'): tuple(str(size).strip('"') for size in v) for k, v in table.items()}
    return {}


def memory_table(path: Path) -> dict[str, tuple[str, ...]] | None:
    """The instance classes (class letter -> sizes) whose max_connections platform/database's
    connections alarm knows (``local.instance_memory_gib`` of its alarms.tf, the one place), or
    None when the repository has no such module."""
    return _read_memory_table(path) if path.is_file() else None


class DatabaseKind(Kind):
    types = ("postgres", "mysql")
    schema_def = "database"
    module = "platform/database"
    options_class = Database
    options = (
        Option(
            "engineVersion",
            "engine_version",
            _VERSION,
            "Engine version",
            default_text="default: " + ", ".join(f"{default_engine_version(e)} for {e}" for e in ("postgres", "mysql")),
        ),
        Option(
            "instanceClass",
            "instance_class",
            {"type": "string", "pattern": "^db\\.[a-z0-9]+\\.[a-z0-9]+$"},
            "Instance class",
            "db.t4g.micro",
        ),
        Option(
            "storageGb",
            "storage_gb",
            {"type": "integer", "minimum": 20, "maximum": 65536},
            "Allocated storage in GiB",
            20,
        ),
        Option(
            "multiAz",
            "multi_az",
            {"type": "boolean"},
            "Multi-AZ standby",
            default_text="default: true in production accounts",
        ),
        Option(
            "maxStorageGb",
            "max_storage_gb",
            {"type": "integer", "minimum": 0, "maximum": 65536},
            "Storage autoscaling limit in GiB: RDS adds storage when less than 10% is free, up to this",
            default_text="default: twice storageGb, at least 100; 0 turns storage autoscaling off",
        ),
        Option(
            "performanceInsights",
            "performance_insights",
            {"type": "boolean"},
            "Performance Insights",
            default_text="default: on where AWS supports it; not for mysql on db.t2/db.t3/db.t4g micro and small",
        ),
        Option(
            "applyImmediately",
            "apply_immediately",
            {"type": "boolean"},
            "Apply instance class, engine version and parameter changes in the apply instead of the next "
            "maintenance window (which restarts the instance now)",
            default_text="default: true outside production accounts; in production false, and until the window "
            "every plan shows the pending change",
        ),
    )
    derived_names = (("alarm", "-cpu"), ("alarm", "-free-storage"), ("alarm", "-connections"))
    outputs = ("endpoint", "master_user_secret_arn")
    # both engines publish their address as `address`; the port depends on the engine
    network = Network(port=5432, address_output="address")
    data_source = DataSource("aws_db_instance", "db_instance_identifier", ("resource_id",))
    aliases: ClassVar[Mapping[str, str]] = {
        "rds": "postgres",
        "pg": "postgres",
        "postgresql": "postgres",
        "aurora": "postgres",
        "mariadb": "mysql",
    }
    drift_attributes: ClassVar[Mapping[tuple[str, str], str]] = {
        ("aws_db_instance.this", "instance_class"): "instanceClass",
        ("aws_db_instance.this", "allocated_storage"): "storageGb",
        ("aws_db_instance.this", "multi_az"): "multiAz",
    }

    def fixed_options(self, type_name: str) -> dict[str, Any]:
        return {"engine": type_name}

    def network_for(self, type_name: str) -> Network:
        return Network(port(cast(Engine, type_name)), "address")

    def connection(self, type_name: str) -> tuple[tuple[str, str], ...]:
        engine = cast(Engine, type_name)
        match engine:
            case "postgres":
                return (("HOST", "host"), ("PORT", "port"), ("DATABASE", "database"))
            case "mysql":
                # the database named like the owner service (infragen datastore users makes it)
                return (("HOST", "host"), ("PORT", "port"), ("DATABASE", "database"))
            case _:
                assert_never(engine)

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Database)
        # the Atlantis server, so its apply step can make the database users (docs/deploying.md)
        admin = (
            [("admin_security_group_id", account.atlantis_security_group_id)]
            if account.atlantis_security_group_id
            else []
        )
        return [
            ("engine", opts.engine),
            ("engine_version", opts.engine_version or default_engine_version(opts.engine)),
            ("instance_class", opts.instance_class),
            ("storage_gb", opts.storage_gb),
            ("multi_az", account.production if opts.multi_az is None else opts.multi_az),
            ("backup_retention_days", 14 if account.production else 7),
            ("iam_users", list(users)),
            *admin,
            # unset: the module's defaults (autoscaling up to twice the storage, Performance
            # Insights where supported, immediate changes outside production)
            *(
                (arg, value)
                for arg, value in (
                    ("max_storage_gb", opts.max_storage_gb),
                    ("performance_insights", opts.performance_insights),
                    ("apply_immediately", opts.apply_immediately),
                )
                if value is not None
            ),
        ]

    def option_problems(self, datastore: Datastore, root: Path) -> list[tuple[str, str]]:
        opts = options_of(datastore, Database)
        problems = []
        table = memory_table(root / "modules" / self.module / "alarms.tf")
        parts = opts.instance_class.split(".")
        if table is not None and not (len(parts) == 3 and parts[2] in table.get(parts[1][:1], ())):
            known = ", ".join(f"db.{letter}*.{{{','.join(sizes)}}}" for letter, sizes in sorted(table.items()))
            problems.append(
                (
                    "instanceClass",
                    f"{opts.instance_class} is not in the memory table of modules/{self.module}/alarms.tf (the "
                    f"connections alarm is a share of the class's max_connections); known: {known}",
                )
            )
        if opts.performance_insights and opts.instance_class in PERFORMANCE_INSIGHTS_UNSUPPORTED[opts.engine]:
            problems.append(
                (
                    "performanceInsights",
                    f"Performance Insights is not supported for {opts.engine} on {opts.instance_class} "
                    "(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html): "
                    "remove performanceInsights or choose a medium or larger class",
                )
            )
        if opts.max_storage_gb is not None and 0 < opts.max_storage_gb <= opts.storage_gb:
            problems.append(
                (
                    "maxStorageGb",
                    f"must be greater than storageGb ({opts.storage_gb}), or 0 to turn storage autoscaling off",
                )
            )
        return problems

    def grants(self, access: Access) -> list[Grant]:
        # IAM database authentication as the database user named like the service: no master secret
        prefix = arn("rds-db", access.account, "dbuser:")
        resource = interpolate(prefix, access.output("resource_id"), f"/{access.service}")
        return [Grant("DatabaseIamAuth", ("rds-db:connect",), (resource,), "connect to RDS databases (IAM auth)")]

    def iam_user(self, datastore: str, service: str) -> str | None:
        return service
