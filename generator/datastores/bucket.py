"""bucket: an S3 bucket named ``<name>-<account id>`` (modules/platform/bucket)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from generator.datastores.base import Access, Grant, Kind, Option, interpolate, options_of
from generator.hcl import Value
from generator.spec import naming
from generator.spec.models import Account, Datastore, Options


@dataclass(frozen=True)
class Bucket(Options):
    versioning: bool
    expiration_days: int | None


def bucket_name(datastore: Datastore, account: Account) -> str:
    return f"{datastore.name}-{account.account_id}"


class BucketKind(Kind):
    types = ("bucket",)
    schema_def = "bucket"
    module = "platform/bucket"
    options_class = Bucket
    options = (
        Option("versioning", "versioning", {"type": "boolean"}, "Object versioning", True),
        Option(
            "expirationDays",
            "expiration_days",
            {"type": "integer", "minimum": 1, "maximum": 36500},
            "Expire current objects after this many days",
        ),
    )
    outputs = ("bucket", "arn")
    has_alarms = False
    convention = (("BUCKET_NAME", "name"),)
    aliases: ClassVar[Mapping[str, str]] = {"s3": "bucket"}
    drift_attributes: ClassVar[Mapping[tuple[str, str], str]] = {
        ("aws_s3_bucket_versioning.this", "versioning_configuration"): "versioning",
    }

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Bucket)
        return [
            ("bucket_name", bucket_name(datastore, account)),
            ("versioning", opts.versioning),
            ("expiration_days", opts.expiration_days),
        ]

    def conventional(self, attr: str, datastore: Datastore, account: Account) -> str | None:
        if attr != "arn":
            return None
        return f"arn:{naming.partition(account.region)}:s3:::{bucket_name(datastore, account)}"

    def grants(self, access: Access) -> list[Grant]:
        bucket = access.output("arn")
        return [
            Grant("BucketList", ("s3:ListBucket",), (bucket,), "read/write S3 buckets"),
            Grant(
                "BucketObjects", ("s3:DeleteObject", "s3:GetObject", "s3:PutObject"), (interpolate("", bucket, "/*"),)
            ),
        ]
