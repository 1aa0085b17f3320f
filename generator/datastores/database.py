"""postgres and mysql: one RDS instance per datastore (modules/platform/database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, assert_never, cast

from generator import hclcache
from generator.datastores.base import (
    Access,
    DataSource,
    Grant,
    Kind,
    Network,
    Option,
    OptionKey,
    arn,
    interpolate,
    options_of,
)
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


# Read replicas: RDS allows 15 per instance (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html);
# the platform caps them at 5 (modules/aws/rds replicas.tf, the same bound).
MAX_READ_REPLICAS = 5


def read_replicas(opts: Database, account: Account) -> int:
    """The replicas a root renders: the spec's readReplicas, else the platform default, 1 in a
    production account (reads scale out, and a reader exists before it is needed) and 0 elsewhere."""
    return opts.read_replicas if opts.read_replicas is not None else (1 if account.production else 0)


def replica_id(name: str, number: int) -> str:
    """``<name>-replica-<number>``, 1-based, as modules/aws/rds names them."""
    return f"{name}-replica-{number}"


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
    backup_retention_days: int | None = None
    backup_window: str | None = None
    maintenance_window: str | None = None
    read_replicas: int | None = None


# Automated backups and the windows RDS uses for them and for maintenance, as CreateDBInstance
# states them (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html):
# BackupRetentionPeriod 0-35 (0 turns automated backups off), PreferredBackupWindow hh24:mi-hh24:mi
# in UTC, at least 30 minutes, "must not conflict with the preferred maintenance window";
# PreferredMaintenanceWindow ddd:hh24:mi-ddd:hh24:mi, at least 30 minutes. The platform keeps at
# least 7 days of backups everywhere, production or not (docs/security.md: backups of 7 days or
# more; 0 would also take point-in-time restore and read replicas away): the schema states AWS's
# range and option_problems refuses less than 7 with the reason, like modules/aws/rds.
CREATE_DB_INSTANCE = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"
MIN_BACKUP_RETENTION_DAYS = 7
MAX_BACKUP_RETENTION_DAYS = 35
MIN_WINDOW_MINUTES = 30
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]"
_DAY = "(" + "|".join(_DAYS) + ")"
BACKUP_WINDOW_PATTERN = f"^{_TIME}-{_TIME}$"
MAINTENANCE_WINDOW_PATTERN = f"^{_DAY}:{_TIME}-{_DAY}:{_TIME}$"
_DAY_MINUTES = 24 * 60
_WEEK_MINUTES = 7 * _DAY_MINUTES


def backup_retention_default(production: bool) -> int:
    """Days of automated backups when the spec sets no backupRetentionDays (the one place)."""
    return 14 if production else 7


def _minute_of_day(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def backup_window_minutes(window: str) -> tuple[int, int]:
    """(start minute of the day, length in minutes) of a schema-checked ``hh24:mi-hh24:mi``; it
    may run past midnight (23:45-00:15)."""
    start, end = (_minute_of_day(t) for t in window.split("-"))
    return start, (end - start) % _DAY_MINUTES


def maintenance_window_minutes(window: str) -> tuple[int, int]:
    """(start minute of the week from Monday 00:00, length in minutes) of a schema-checked
    ``ddd:hh24:mi-ddd:hh24:mi``; it may run past Sunday midnight (sun:23:00-mon:01:00)."""
    start, end = (_DAYS.index(t[:3]) * _DAY_MINUTES + _minute_of_day(t[4:]) for t in window.split("-"))
    return start, (end - start) % _WEEK_MINUTES


def windows_overlap(backup_window: str, maintenance_window: str) -> bool:
    """Whether the daily backup window meets the weekly maintenance window on any day."""
    b_start, b_length = backup_window_minutes(backup_window)
    m_start, m_length = maintenance_window_minutes(maintenance_window)

    def overlaps(a: int, a_length: int, b: int, b_length: int) -> bool:
        # intervals on a circle of _WEEK_MINUTES: a meets b when b starts inside a or a inside b
        return (b - a) % _WEEK_MINUTES < a_length or (a - b) % _WEEK_MINUTES < b_length

    return any(overlaps(day * _DAY_MINUTES + b_start, b_length, m_start, m_length) for day in range(7))


def _read_memory_table(path: Path) -> dict[str, tuple[str, ...]]:
    table = hclcache.local_value(path, "instance_memory_gib")
    if not isinstance(table, dict):
        return {}
    return {str(k).strip('"'): tuple(str(size).strip('"') for size in v) for k, v in table.items()}


def memory_table(path: Path) -> dict[str, tuple[str, ...]] | None:
    """The instance classes (class letter -> sizes) whose max_connections platform/database's
    connections alarm knows (``local.instance_memory_gib`` of its alarms.tf, the one place), or
    None when the repository has no such module."""
    return _read_memory_table(path) if path.is_file() else None


def _window_problems(opts: Database) -> list[tuple[str, str]]:
    """The CreateDBInstance rules the schema's patterns cannot state (length, no overlap) and the
    platform's floor of backup retention."""
    problems = []
    if opts.backup_retention_days is not None and opts.backup_retention_days < MIN_BACKUP_RETENTION_DAYS:
        problems.append(
            (
                "backupRetentionDays",
                f"{opts.backup_retention_days} days is below the platform's {MIN_BACKUP_RETENTION_DAYS}: RDS allows "
                f"0-35 ({CREATE_DB_INSTANCE}, BackupRetentionPeriod), but fewer days shorten point-in-time restore "
                "and 0 turns automated backups off; every environment keeps at least "
                f"{MIN_BACKUP_RETENTION_DAYS} (docs/security.md)",
            )
        )
    if opts.backup_window is not None and backup_window_minutes(opts.backup_window)[1] < MIN_WINDOW_MINUTES:
        problems.append(
            (
                "backupWindow",
                f"{opts.backup_window} is shorter than {MIN_WINDOW_MINUTES} minutes, the least RDS accepts "
                f"({CREATE_DB_INSTANCE}, PreferredBackupWindow)",
            )
        )
    if (
        opts.maintenance_window is not None
        and maintenance_window_minutes(opts.maintenance_window)[1] < MIN_WINDOW_MINUTES
    ):
        problems.append(
            (
                "maintenanceWindow",
                f"{opts.maintenance_window} is shorter than {MIN_WINDOW_MINUTES} minutes, the least RDS accepts "
                f"({CREATE_DB_INSTANCE}, PreferredMaintenanceWindow)",
            )
        )
    if (
        not any(key.endswith("Window") for key, _ in problems)
        and opts.backup_window is not None
        and opts.maintenance_window is not None
        and windows_overlap(opts.backup_window, opts.maintenance_window)
    ):
        problems.append(
            (
                "maintenanceWindow",
                f"{opts.maintenance_window} overlaps the daily backupWindow {opts.backup_window}; RDS requires "
                f"them not to conflict ({CREATE_DB_INSTANCE}, PreferredBackupWindow): move one of them",
            )
        )
    return problems


_CONNECTION = (("HOST", "host"), ("PORT", "port"), ("DATABASE", "database"))
# reads that may lag: the first read replica and all of them, the instance itself without replicas
_READERS = (("READER_HOST", "reader_host"), ("READER_HOSTS", "reader_hosts"))


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
        Option(
            "backupRetentionDays",
            "backup_retention_days",
            {"type": "integer", "minimum": 0, "maximum": MAX_BACKUP_RETENTION_DAYS},
            "Days RDS keeps automated backups (point-in-time restore). AWS allows 0-35 and 0 turns backups "
            f"off; the platform keeps at least {MIN_BACKUP_RETENTION_DAYS} everywhere",
            default_text=f"default: {backup_retention_default(True)} in production accounts, "
            f"{backup_retention_default(False)} elsewhere",
        ),
        Option(
            "backupWindow",
            "backup_window",
            {"type": "string", "pattern": BACKUP_WINDOW_PATTERN},
            "Daily window for automated backups, hh24:mi-hh24:mi in UTC, at least 30 minutes, not overlapping "
            "maintenanceWindow",
            default_text="default: a 30-minute window AWS picks from the region's 8-hour block",
        ),
        Option(
            "maintenanceWindow",
            "maintenance_window",
            {"type": "string", "pattern": MAINTENANCE_WINDOW_PATTERN},
            "Weekly maintenance window, ddd:hh24:mi-ddd:hh24:mi in UTC with lower-case days (sun:03:00-sun:04:00), "
            "at least 30 minutes, not overlapping backupWindow",
            default_text="default: a 30-minute window AWS picks at random from the region's 8-hour block",
        ),
        Option(
            "readReplicas",
            "read_replicas",
            {"type": "integer", "minimum": 0, "maximum": MAX_READ_REPLICAS},
            "Read replicas <name>-replica-1 .. -N (RDS allows 15, the platform 5): clients read "
            "<DATASTORE>_READER_HOST (the first) or _READER_HOSTS (all, comma-separated), which name the instance "
            "itself without replicas; each replica has a replica_lag alarm",
            default_text="platform default: 1 in production accounts, 0 elsewhere, written into the root",
            per_environment=False,
        ),
    )
    derived_names = (
        ("alarm", "-cpu"),
        ("alarm", "-free-storage"),
        ("alarm", "-connections"),
        *(("read replica", f"-replica-{n}") for n in range(1, MAX_READ_REPLICAS + 1)),
        *(("alarm", f"-replica-{n}-lag") for n in range(1, MAX_READ_REPLICAS + 1)),
    )
    version_page = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html"
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
        ("aws_db_instance.this", "backup_retention_period"): "backupRetentionDays",
        ("aws_db_instance.this", "backup_window"): "backupWindow",
        ("aws_db_instance.this", "maintenance_window"): "maintenanceWindow",
    }

    def fixed_options(self, type_name: str) -> dict[str, Any]:
        return {"engine": type_name}

    def network_for(self, type_name: str) -> Network:
        return Network(port(cast(Engine, type_name)), "address")

    def connection(self, type_name: str) -> tuple[tuple[str, str], ...]:
        engine = cast(Engine, type_name)
        match engine:
            case "postgres":
                return (*_CONNECTION, *_READERS)
            case "mysql":
                # the database named like the owner service (infragen datastore users makes it)
                return (*_CONNECTION, *_READERS)
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
            ("read_replicas", read_replicas(opts, account)),
            (
                "backup_retention_days",
                backup_retention_default(account.production)
                if opts.backup_retention_days is None
                else opts.backup_retention_days,
            ),
            ("iam_users", list(users)),
            *admin,
            # unset: the module's defaults (autoscaling up to twice the storage, Performance
            # Insights where supported, immediate changes outside production, windows AWS picks)
            *(
                (arg, value)
                for arg, value in (
                    ("max_storage_gb", opts.max_storage_gb),
                    ("performance_insights", opts.performance_insights),
                    ("apply_immediately", opts.apply_immediately),
                    ("backup_window", opts.backup_window),
                    ("maintenance_window", opts.maintenance_window),
                )
                if value is not None
            ),
        ]

    def replica_ids(self, datastore: Datastore, account: Account) -> tuple[str, ...]:
        count = read_replicas(options_of(datastore, Database), account)
        return tuple(replica_id(datastore.name, n) for n in range(1, count + 1))

    def engine_version(self, datastore: Datastore) -> str | None:
        opts = options_of(datastore, Database)
        return opts.engine_version or default_engine_version(opts.engine)

    def option_problems(self, datastore: Datastore, root: Path) -> list[tuple[OptionKey, str]]:
        opts = options_of(datastore, Database)
        problems: list[tuple[OptionKey, str]] = []
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
        problems += _window_problems(opts)
        return problems

    def grants(self, access: Access) -> list[Grant]:
        # IAM database authentication as the database user named like the service: no master secret
        prefix = arn("rds-db", access.account, "dbuser:")
        attrs = ["resource_id"]
        attrs += [f"replica_resource_ids[{i}]" for i in range(len(self.replica_ids(access.datastore, access.account)))]
        resources = tuple(interpolate(prefix, access.output(attr), f"/{access.service}") for attr in attrs)
        return [Grant("DatabaseIamAuth", ("rds-db:connect",), resources, "connect to RDS databases (IAM auth)")]

    def iam_user(self, datastore: str, service: str) -> str | None:
        return service
