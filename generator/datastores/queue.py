"""queue: an SQS queue with an optional dead-letter queue (modules/platform/queue)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from generator.datastores.base import Access, Grant, Kind, Option, arn, options_of
from generator.render.hcl import Value
from generator.spec.models import Account, Datastore, Options


@dataclass(frozen=True)
class Queue(Options):
    fifo: bool
    dead_letter_queue: bool
    max_receive_count: int
    visibility_timeout_seconds: int
    message_retention_seconds: int


def queue_name(datastore: Datastore) -> str:
    return f"{datastore.name}.fifo" if options_of(datastore, Queue).fifo else datastore.name


class QueueKind(Kind):
    types = ("queue",)
    schema_def = "queue"
    module = "platform/queue"
    options_class = Queue
    options = (
        Option("fifo", "fifo", {"type": "boolean"}, "FIFO queue", False),
        Option("deadLetterQueue", "dead_letter_queue", {"type": "boolean"}, "Create a dead-letter queue", True),
        Option(
            "maxReceiveCount",
            "max_receive_count",
            {"type": "integer", "minimum": 1, "maximum": 1000},
            "Receives before a message moves to the DLQ",
            5,
        ),
        Option(
            "visibilityTimeoutSeconds",
            "visibility_timeout_seconds",
            {"type": "integer", "minimum": 0, "maximum": 43200},
            "Visibility timeout",
            30,
        ),
        Option(
            "messageRetentionSeconds",
            "message_retention_seconds",
            {"type": "integer", "minimum": 60, "maximum": 1209600},
            "Retention",
            345600,
            note=", 4 days",
        ),
    )
    derived_names = (("SQS queue", "-dlq"), ("alarm", "-oldest-message"), ("alarm", "-dead-letters"))
    outputs = ("url", "arn")
    convention = (("QUEUE_URL", "url"),)
    aliases: ClassVar[Mapping[str, str]] = dict.fromkeys(("sqs", "fifo"), "queue")
    drift_attributes: ClassVar[Mapping[tuple[str, str], str]] = {
        ("aws_sqs_queue.this", "visibility_timeout_seconds"): "visibilityTimeoutSeconds",
        ("aws_sqs_queue.this", "message_retention_seconds"): "messageRetentionSeconds",
    }

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Queue)
        return [
            ("fifo", opts.fifo),
            ("dead_letter_queue", opts.dead_letter_queue),
            ("max_receive_count", opts.max_receive_count),
            ("visibility_timeout_seconds", opts.visibility_timeout_seconds),
            ("message_retention_seconds", opts.message_retention_seconds),
        ]

    def conventional(self, attr: str, datastore: Datastore, account: Account) -> str | None:
        return arn("sqs", account, queue_name(datastore)) if attr == "arn" else None

    def grants(self, access: Access) -> list[Grant]:
        actions = (
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
            "sqs:SendMessage",
        )
        return [Grant("Queues", actions, (access.output("arn"),), "send/receive SQS queues")]
