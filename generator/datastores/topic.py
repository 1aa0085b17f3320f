"""topic: an SNS topic other services publish to and subscribe their queues to (modules/platform/topic).

Publishers declare the topic as a datastore dependency (``sns:Publish`` on exactly that topic and
``<TOPIC>_TOPIC_ARN`` by convention); subscribers name it in a queue's ``subscribe`` list
(generator/datastores/queue.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from generator.datastores.base import Access, Grant, Kind, Option, OptionKey, arn, options_of
from generator.hcl import Value
from generator.spec.models import Account, Datastore, Options


@dataclass(frozen=True)
class Topic(Options):
    fifo: bool
    content_based_deduplication: bool
    encryption: str  # "account" (alias/aws/sns) or "own" (a customer managed key of the topic)


def topic_name(name: str, fifo: bool) -> str:
    """The AWS name of topic ``name``: FIFO topics end in ``.fifo`` (an SNS rule)."""
    return f"{name}.fifo" if fifo else name


def topic_arn(name: str, fifo: bool, account: Account) -> str:
    """The ARN of topic ``name`` in ``account``, known from its name alone."""
    return arn("sns", account, topic_name(name, fifo))


class TopicKind(Kind):
    types = ("topic",)
    schema_def = "topic"
    module = "platform/topic"
    options_class = Topic
    options = (
        Option(
            "fifo", "fifo", {"type": "boolean"}, "FIFO topic (ordered, exactly-once; only FIFO queues subscribe)", False
        ),
        Option(
            "contentBasedDeduplication",
            "content_based_deduplication",
            {"type": "boolean"},
            "FIFO only: deduplicate by a hash of the message body instead of a MessageDeduplicationId",
            False,
        ),
        Option(
            "encryption",
            "encryption",
            {"enum": ["account", "own"]},
            'Encryption key: "account" (the AWS managed alias/aws/sns key) or "own" (a key of this topic)',
            "account",
        ),
    )
    derived_names = (("alarm", "-delivery-failures"), ("KMS alias", "-topic"))
    outputs = ("arn", "name")
    convention = (("TOPIC_ARN", "arn"),)
    aliases: ClassVar[Mapping[str, str]] = dict.fromkeys(("sns", "events"), "topic")
    drift_attributes: ClassVar[Mapping[tuple[str, str], str]] = {
        ("aws_sns_topic.this", "kms_master_key_id"): "encryption",
        ("aws_sns_topic.this", "content_based_deduplication"): "contentBasedDeduplication",
    }

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Topic)
        return [
            ("account_id", account.account_id),
            ("fifo", opts.fifo),
            ("content_based_deduplication", opts.content_based_deduplication),
            ("encryption", opts.encryption),
        ]

    def option_problems(self, datastore: Datastore, root: Path) -> list[tuple[OptionKey, str]]:
        opts = options_of(datastore, Topic)
        if opts.content_based_deduplication and not opts.fifo:
            return [
                (
                    "contentBasedDeduplication",
                    "contentBasedDeduplication needs fifo: true (SNS deduplicates FIFO topics only)",
                )
            ]
        return []

    def conventional(self, attr: str, datastore: Datastore, account: Account) -> str | None:
        fifo = options_of(datastore, Topic).fifo
        if attr == "arn":
            return topic_arn(datastore.name, fifo, account)
        return topic_name(datastore.name, fifo) if attr == "name" else None

    def grants(self, access: Access) -> list[Grant]:
        return [Grant("Topics", ("sns:Publish",), (access.output("arn"),), "publish to SNS topics")]
