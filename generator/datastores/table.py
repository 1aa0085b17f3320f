"""table: a DynamoDB table (modules/platform/table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from generator.datastores.base import Access, Grant, Kind, Option, arn, interpolate, options_of, required
from generator.hcl import Value
from generator.spec.models import Account, Datastore, Options

_KEY = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_.-]{0,254}$"}
_KEY_TYPE = {"enum": ["S", "N", "B"]}


@dataclass(frozen=True)
class Table(Options):
    hash_key: str
    hash_key_type: str
    range_key: str | None
    range_key_type: str


class TableKind(Kind):
    types = ("table",)
    schema_def = "table"
    module = "platform/table"
    options_class = Table
    options = (
        required("hashKey", "hash_key", _KEY, "Partition key attribute"),
        Option("hashKeyType", "hash_key_type", _KEY_TYPE, "Partition key type", "S"),
        Option("rangeKey", "range_key", _KEY, "Sort key attribute"),
        Option("rangeKeyType", "range_key_type", _KEY_TYPE, "Sort key type", "S"),
    )
    derived_names = (("alarm", "-throttles"),)
    outputs = ("table_name", "arn")
    convention = (("TABLE_NAME", "name"),)
    aliases: ClassVar[Mapping[str, str]] = dict.fromkeys(("dynamodb", "dynamo", "ddb"), "table")
    scaffold = ("hashKey: id",)  # a table needs a partition key

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Table)
        return [
            ("hash_key", opts.hash_key),
            ("hash_key_type", opts.hash_key_type),
            ("range_key", opts.range_key),
            ("range_key_type", opts.range_key_type),
        ]

    def conventional(self, attr: str, datastore: Datastore, account: Account) -> str | None:
        return arn("dynamodb", account, f"table/{datastore.name}") if attr == "arn" else None

    def grants(self, access: Access) -> list[Grant]:
        actions = (
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem",
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
        )
        table = access.output("arn")
        return [Grant("Tables", actions, (table, interpolate("", table, "/index/*")), "read/write DynamoDB tables")]
