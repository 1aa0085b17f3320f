"""postgres and mysql: one RDS instance per datastore (modules/platform/database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, assert_never, cast

from generator.datastores.base import Access, DataSource, Grant, Kind, Network, Option, arn, interpolate, options_of
from generator.render.hcl import Value
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


@dataclass(frozen=True)
class Database(Options):
    engine: Engine
    engine_version: str | None
    instance_class: str
    storage_gb: int
    multi_az: bool | None


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
                return (("HOST", "host"), ("PORT", "port"))
            case _:
                assert_never(engine)

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Database)
        return [
            ("engine", opts.engine),
            ("engine_version", opts.engine_version or default_engine_version(opts.engine)),
            ("instance_class", opts.instance_class),
            ("storage_gb", opts.storage_gb),
            ("multi_az", account.production if opts.multi_az is None else opts.multi_az),
            ("backup_retention_days", 14 if account.production else 7),
            ("iam_users", list(users)),
        ]

    def grants(self, access: Access) -> list[Grant]:
        # IAM database authentication as the database user named like the service: no master secret
        prefix = arn("rds-db", access.account, "dbuser:")
        resource = interpolate(prefix, access.output("resource_id"), f"/{access.service}")
        return [Grant("DatabaseIamAuth", ("rds-db:connect",), (resource,), "connect to RDS databases (IAM auth)")]

    def iam_user(self, datastore: str, service: str) -> str | None:
        return service
