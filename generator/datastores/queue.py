"""queue: an SQS queue with an optional dead-letter queue (modules/platform/queue)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from generator.datastores.base import Access, Grant, Kind, Option, OptionKey, arn, options_of
from generator.datastores.topic import Topic, topic_arn
from generator.hcl import JsonEncode, Value, object_list
from generator.spec.models import Account, Datastore, Options

# "Filter policy constraints in Amazon SNS": at most five keys; "the total combination of values
# in a filter policy must not exceed 150" (the product of the lengths of its arrays); attribute-
# based filtering (the default scope, which platform/queue uses) takes no nested policy. SNS
# refuses any other at Subscribe, in the middle of an apply.
FILTER_POLICY_KEYS = 5
FILTER_POLICY_COMBINATIONS = 150
FILTER_POLICY_PAGE = "https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html"


@dataclass(frozen=True)
class Subscription:
    """The queue subscribes to another datastore's SNS topic (``subscribe:`` entry)."""

    topic: str  # the topic datastore's name
    filter_policy: str | None  # canonical JSON (sorted keys), None: every message
    raw_message_delivery: bool


@dataclass(frozen=True)
class Queue(Options):
    fifo: bool
    dead_letter_queue: bool
    max_receive_count: int
    visibility_timeout_seconds: int
    message_retention_seconds: int
    subscriptions: tuple[Subscription, ...] = ()


_SUBSCRIBE_SCHEMA: Mapping[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["topic"],
        "properties": {
            "topic": {
                "type": "string",
                "pattern": "^[a-z][a-z0-9-]*[a-z0-9]$",
                "description": "Name of a topic datastore (any service's) in the environments of this queue.",
            },
            "filterPolicy": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": FILTER_POLICY_KEYS,
                "additionalProperties": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": ["string", "number", "boolean", "null", "object"]},
                },
                "description": "SNS filter policy on message attributes: only matching messages arrive (optional). "
                f"Each of at most {FILTER_POLICY_KEYS} attribute names takes a list of values or operators "
                "({prefix: ...}, {anything-but: [...]}, {numeric: [...]}, {exists: true}); attribute filtering takes "
                "no nested policy, and the lengths of the lists multiplied may not exceed "
                f"{FILTER_POLICY_COMBINATIONS} ({FILTER_POLICY_PAGE}).",
            },
            "rawMessageDelivery": {
                "type": "boolean",
                "description": "Deliver the message body as published, without the SNS envelope (default false).",
            },
        },
    },
}


def filter_policy_combinations(policy: Mapping[str, Any]) -> int:
    """The number SNS holds to 150: the lengths of the policy's value lists multiplied."""
    total = 1
    for values in policy.values():
        total *= len(values) if isinstance(values, list) else 1
    return total


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
        Option(
            "subscribe",
            "subscriptions",
            _SUBSCRIBE_SCHEMA,
            "SNS topics this queue subscribes to: each delivers here, undeliverable messages go to the "
            "dead-letter queue, and the queue policy admits exactly these topics",
            default_text="none",
            note="; the same in every environment",
            per_environment=False,
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

    def read(self, type_name: str, data: Mapping[str, Any]) -> Options:
        entries = data.get("subscribe") or ()
        subscriptions = tuple(
            Subscription(
                topic=entry["topic"],
                filter_policy=json.dumps(entry["filterPolicy"], sort_keys=True) if "filterPolicy" in entry else None,
                raw_message_delivery=entry.get("rawMessageDelivery", False),
            )
            for entry in entries
        )
        return super().read(type_name, {**data, "subscribe": subscriptions})

    def option_problems(self, datastore: Datastore, root: Path) -> list[tuple[OptionKey, str]]:
        opts = options_of(datastore, Queue)
        problems: list[tuple[OptionKey, str]] = []
        topics = [s.topic for s in opts.subscriptions]
        if opts.subscriptions and not opts.dead_letter_queue:
            problems.append(
                (
                    "subscribe",
                    "a queue that subscribes to topics needs deadLetterQueue: true (SNS redrives undeliverable messages there)",
                )
            )
        for index, subscription in enumerate(opts.subscriptions):
            if subscription.filter_policy is None:
                continue
            combinations = filter_policy_combinations(json.loads(subscription.filter_policy))
            if combinations > FILTER_POLICY_COMBINATIONS:
                problems.append(
                    (
                        ("subscribe", index, "filterPolicy"),
                        f"the filter policy combines {combinations} values (its lists' lengths multiplied); SNS "
                        f"allows {FILTER_POLICY_COMBINATIONS}: use fewer values or a prefix ({FILTER_POLICY_PAGE})",
                    )
                )
        duplicates = sorted({t for t in topics if topics.count(t) > 1})
        if duplicates:
            problems.append(
                ("subscribe", f"subscribes to {', '.join(duplicates)} more than once; list each topic once")
            )
        return problems

    def references(self, datastore: Datastore) -> tuple[tuple[tuple[str | int, ...], str], ...]:
        subscriptions = options_of(datastore, Queue).subscriptions
        return tuple((("subscribe", i, "topic"), s.topic) for i, s in enumerate(subscriptions))

    def reference_problems(self, datastore: Datastore, target: Datastore) -> list[str]:
        if not isinstance(target.options, Topic):
            return [f"{target.name!r} is a {target.type}, not a topic: a queue subscribes only to topics"]
        fifo, topic_fifo = options_of(datastore, Queue).fifo, target.options.fifo
        if fifo != topic_fifo:
            what = ("a FIFO", "standard") if topic_fifo else ("a standard", "FIFO")
            # https://docs.aws.amazon.com/sns/latest/dg/fifo-sns-subscription.html
            return [
                f"topic {target.name!r} is {what[0]} topic and this queue is {what[1]}: SNS delivers FIFO topics only to FIFO queues and standard topics only to standard queues"
            ]
        return []

    def module_args(self, datastore: Datastore, account: Account, users: list[str]) -> list[tuple[str, Value]]:
        opts = options_of(datastore, Queue)
        args: list[tuple[str, Value]] = [
            ("fifo", opts.fifo),
            ("dead_letter_queue", opts.dead_letter_queue),
            ("max_receive_count", opts.max_receive_count),
            ("visibility_timeout_seconds", opts.visibility_timeout_seconds),
            ("message_retention_seconds", opts.message_retention_seconds),
        ]
        if opts.subscriptions:  # validation: each is a topic of the same FIFO-ness as the queue
            args.append(
                ("subscriptions", object_list([_subscription(s, opts.fifo, account) for s in opts.subscriptions]))
            )
        return args

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


def _subscription(subscription: Subscription, fifo: bool, account: Account) -> Value:
    item: dict[str, Value] = {"topic_arn": topic_arn(subscription.topic, fifo, account)}
    if subscription.filter_policy is not None:
        item["filter_policy"] = JsonEncode(json.loads(subscription.filter_policy))
    if subscription.raw_message_delivery:
        item["raw_message_delivery"] = True
    return item
