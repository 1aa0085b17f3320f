"""redis: an ElastiCache replication group with IAM-authenticated users (modules/platform/cache)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from generator.datastores import versions
from generator.datastores.base import Access, Grant, Kind, Network, Option, OptionKey, options_of
from generator.hcl import Value
from generator.spec import naming
from generator.spec.models import Account, Datastore, Options

REDIS_VERSION = "^([7-9]|[1-9][0-9]+)(\\.[0-9]+){0,2}$"
_MEMBER_NAMES = (
    ("cache cluster", ""),
    ("alarm", "-cpu"),
    ("alarm", "-memory"),
    ("alarm", "-evictions"),
    ("alarm", "-latency"),
)


@dataclass(frozen=True)
class Cache(Options):
    engine_version: str
    node_type: str
    nodes: int | None


class CacheKind(Kind):
    types = ("redis",)
    schema_def = "cache"
    module = "platform/cache"
    options_class = Cache
    options = (
        Option(
            "engineVersion",
            "engine_version",
            # 7 or later: the users authenticate with IAM, which ElastiCache supports from Redis OSS 7.0
            # (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html, "Limitations")
            {"type": "string", "pattern": REDIS_VERSION},
            "Redis version, 7 or later (IAM authentication needs Redis 7), one of "
            "modules/platform/cache/catalogue.yaml; never older than the version the environment runs",
            "7.1",
        ),
        Option(
            "nodeType",
            "node_type",
            {"type": "string", "pattern": "^cache\\.[a-z0-9]+\\.[a-z0-9]+$"},
            "Node type, one of modules/platform/cache/catalogue.yaml",
            "cache.t4g.micro",
        ),
        Option(
            "nodes",
            "nodes",
            {"type": "integer", "minimum": 1, "maximum": 6},
            "Number of nodes; more than one enables automatic failover",
            default_text="default: 2 in production, else 1",
        ),
    )
    # the RBAC user switched off, the replication group's members (up to the schema's 6 nodes)
    # and each member's alarms
    derived_names = (
        ("ElastiCache user", "-default"),
        *((what, f"-{node:03d}{suffix}") for node in range(1, 7) for what, suffix in _MEMBER_NAMES),
    )
    version_page = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/VersionManagement.html"
    outputs = ("primary_endpoint",)
    network = Network(port=6379, address_output="primary_endpoint")
    convention = (("ENDPOINT", "endpoint"), ("PORT", "port"))
    aliases: ClassVar[Mapping[str, str]] = dict.fromkeys(("elasticache", "valkey", "cache"), "redis")
    drift_attributes: ClassVar[Mapping[tuple[str, str], str]] = {
        ("aws_elasticache_replication_group.this", "node_type"): "nodeType",
        ("aws_elasticache_replication_group.this", "num_cache_clusters"): "nodes",
    }

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Cache)
        nodes = opts.nodes if opts.nodes is not None else (2 if account.production else 1)
        return [
            ("engine_version", opts.engine_version),
            ("node_type", opts.node_type),
            ("num_cache_nodes", nodes),
            ("snapshot_retention_days", 7 if account.production else 1),
            ("iam_users", list(users)),
        ]

    def engine_version(self, datastore: Datastore) -> str | None:
        return options_of(datastore, Cache).engine_version

    def option_problems(self, datastore: Datastore, root: Path) -> list[tuple[OptionKey, str]]:
        opts = options_of(datastore, Cache)
        found = versions.catalogue(root, self.module)
        if found is None:
            return []
        problems: list[tuple[OptionKey, str]] = []
        supported = found.versions.get("redis", ())
        if opts.engine_version not in supported:
            problems.append(
                (
                    "engineVersion",
                    f"Redis {opts.engine_version} is not in {found.path}; {versions.close(opts.engine_version, supported)}",
                )
            )
        if opts.node_type not in found.node_types:
            problems.append(
                (
                    "nodeType",
                    f"{opts.node_type} is not in {found.path}; {versions.close(opts.node_type, found.node_types)}",
                )
            )
        return problems

    def grants(self, access: Access) -> list[Grant]:
        # ElastiCache IAM authentication: the replication group and this service's user in it
        arns = naming.cache_arns(access.datastore.name, access.service, access.account)
        return [Grant("CacheIamAuth", ("elasticache:Connect",), tuple(arns), "connect to ElastiCache (IAM auth)")]

    def iam_user(self, datastore: str, service: str) -> str | None:
        return naming.cache_user(datastore, service)
