"""aurora-postgres: an Aurora PostgreSQL cluster, a writer and optional readers (modules/platform/aurora).

PostgreSQL-compatible, so an application moves from ``postgres`` to ``aurora-postgres`` without
code changes: the same connection keys (``<DS>_HOST``, ``_PORT``, ``_DATABASE``, ``_USER``), the
same IAM database authentication (``rds-db:connect`` as the user named like the service, on the
cluster's resource id) and the same per-service users (``infragen datastore users``). It adds
``<DS>_READER_HOST``, the cluster's reader endpoint (the writer while the cluster has no readers).

Provisioned instances only (no Serverless v2): one instance class for every member, ``instances``
members of which the first is the writer. A cluster has a writer and up to 15 Aurora Replicas
(https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Replication.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from generator.datastores.base import (
    Access,
    DataSource,
    Grant,
    Kind,
    Network,
    Option,
    OptionKey,
    SqlUsers,
    arn,
    interpolate,
    options_of,
)
from generator.datastores.database import memory_table
from generator.hcl import Value
from generator.spec.models import Account, Datastore, Options

MAX_INSTANCES = 16  # the writer and 15 Aurora Replicas
# Aurora PostgreSQL releases are MAJOR.MINOR (16.4); the cluster parameter group family is
# aurora-postgresql<MAJOR>. A pinned minor: AWS does not upgrade it (modules/aws/rds-cluster).
VERSION_PATTERN = "^[1-9][0-9]\\.[0-9]+$"
# db.<family>.<size>; db.serverless (Serverless v2) has no size and is not offered
INSTANCE_CLASS_PATTERN = "^db\\.[a-z0-9]+\\.[a-z0-9]+$"


@dataclass(frozen=True)
class Aurora(Options):
    engine_version: str
    instance_class: str
    instances: int | None  # None: 2 in production (a reader to fail over to), else 1


class AuroraKind(Kind):
    types = ("aurora-postgres",)
    schema_def = "aurora"
    module = "platform/aurora"
    options_class = Aurora
    options = (
        Option(
            "engineVersion",
            "engine_version",
            {"type": "string", "pattern": VERSION_PATTERN},
            "Aurora PostgreSQL version, MAJOR.MINOR",
            "16.4",
        ),
        Option(
            "instanceClass",
            "instance_class",
            {"type": "string", "pattern": INSTANCE_CLASS_PATTERN},
            "Instance class of every member (provisioned; Serverless v2 is not offered)",
            "db.r6g.large",
        ),
        Option(
            "instances",
            "instances",
            {"type": "integer", "minimum": 1, "maximum": MAX_INSTANCES},
            "Cluster members: the writer and instances - 1 Aurora Replicas (at most 15), behind the reader endpoint",
            default_text="default: 2 in production, else 1",
        ),
    )
    derived_names = (
        *(("DB instance", f"-{n}") for n in range(1, MAX_INSTANCES + 1)),
        ("alarm", "-cpu"),
        ("alarm", "-freeable-memory"),
        ("alarm", "-connections"),
        ("alarm", "-replica-lag"),
    )
    outputs = ("endpoint", "reader_endpoint", "master_user_secret_arn")
    network = Network(port=5432, address_output="address")
    data_source = DataSource("aws_rds_cluster", "cluster_identifier", ("cluster_resource_id",))
    # the keys of postgres (generator/datastores/database.py), so a client moves without changes
    convention = (("HOST", "host"), ("PORT", "port"), ("DATABASE", "database"), ("READER_HOST", "reader_host"))
    aliases: ClassVar[Mapping[str, str]] = dict.fromkeys(("aurora-postgresql", "aurora-pg"), "aurora-postgres")
    drift_attributes: ClassVar[Mapping[tuple[str, str], str]] = {
        ("aws_rds_cluster.this", "engine_version"): "engineVersion",
        ("aws_rds_cluster_instance.this", "instance_class"): "instanceClass",
    }
    # `infragen datastore users` (generator/deploy/dbusers.py): PostgreSQL's SQL, the master of a cluster
    sql_users = SqlUsers("postgres", cluster=True)

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Aurora)
        # the Atlantis server, so its apply step can make the database users (docs/deploying.md)
        admin = (
            [("admin_security_group_id", account.atlantis_security_group_id)]
            if account.atlantis_security_group_id
            else []
        )
        return [
            ("engine_version", opts.engine_version),
            ("instance_class", opts.instance_class),
            ("instances", opts.instances if opts.instances is not None else (2 if account.production else 1)),
            ("backup_retention_days", 14 if account.production else 7),
            ("iam_users", list(users)),
            *admin,
        ]

    def option_problems(self, datastore: Datastore, root: Path) -> list[tuple[OptionKey, str]]:
        opts = options_of(datastore, Aurora)
        table = memory_table(root / "modules" / self.module / "alarms.tf")
        parts = opts.instance_class.split(".")
        if table is not None and not (len(parts) == 3 and parts[2] in table.get(parts[1][:1], ())):
            known = ", ".join(f"db.{letter}*.{{{','.join(sizes)}}}" for letter, sizes in sorted(table.items()))
            return [
                (
                    "instanceClass",
                    f"{opts.instance_class} is not in the memory table of modules/{self.module}/alarms.tf (the "
                    f"memory and connections alarms are shares of the class's memory); known: {known}",
                )
            ]
        return []

    def grants(self, access: Access) -> list[Grant]:
        # IAM database authentication as the user named like the service, on the cluster's
        # resource id (cluster-...): the statement of the postgres/mysql grants, merged by sid
        prefix = arn("rds-db", access.account, "dbuser:")
        resource = interpolate(prefix, access.output("cluster_resource_id"), f"/{access.service}")
        return [Grant("DatabaseIamAuth", ("rds-db:connect",), (resource,), "connect to RDS databases (IAM auth)")]

    def iam_user(self, datastore: str, service: str) -> str | None:
        return service
