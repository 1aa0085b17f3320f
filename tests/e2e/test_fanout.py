"""Topic fan-out against the emulator: the topic owner's and both subscribers' roots apply in
Atlantis's order; a message published with boto3 arrives on each subscribed queue (the filter
policy and raw delivery as the spec says), and a queue that subscribes to nothing receives nothing.

Emulator gap, by name: moto 5.2.6 never returns a queue's RedriveAllowPolicy, so the dead-letter
queue's allow policy (modules/aws/sqs ``aws_sqs_queue_redrive_allow_policy``) cannot be applied
here; the subscriber roots are applied with ``-target`` on the subscriptions and their queue
policies (which pulls in the queues and dead-letter queues they use) and on the unsubscribed queue.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from tfenv import run_terraform, terraform_binary

from generator import api
from generator.tools import emulator

from . import harness as h
from .test_apply import e2e_requested

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "fanout"

# project -> what to apply of it (None: everything)
TARGETS: dict[str, list[str] | None] = {
    "e2e-ledger": ["module.ledger_news"],
    "e2e-shop": [
        "module.shop_invoices.aws_sns_topic_subscription.this",
        "module.shop_invoices.aws_sqs_queue_policy.subscribed",
        "module.shop_other.module.sqs.aws_sqs_queue.this",
    ],
    "e2e-reports": [
        "module.reports_feed.aws_sns_topic_subscription.this",
        "module.reports_feed.aws_sqs_queue_policy.subscribed",
    ],
}


def tf(cwd: Path, *args: str) -> str:
    done = run_terraform([*args, "-no-color"], cwd, timeout=900)
    assert done.returncode == 0, f"terraform {' '.join(args)} in {cwd}:\n{(done.stdout + done.stderr)[-6000:]}"
    return done.stdout


def receive(sqs: Any, url: str, want: int) -> list[dict[str, Any]]:
    """Messages on the queue: wait until ``want`` arrived (or 10 s), then drain what else is there."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        got.extend(batch)
        if len(got) >= want and not batch:
            break
    return got


def test_a_published_message_reaches_exactly_the_subscribed_queues(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if not e2e_requested(request.config):
        pytest.skip("the fan-out story runs only with `make e2e` (pytest tests/e2e): it applies roots")
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH")
    started = time.monotonic()
    with h.moto_server() as endpoint:
        infra = h.provision(endpoint)
        repo = h.make_repo(tmp_path / "repo", infra, fixture=FIXTURE)
        api.generate(repo)
        atlantis = yaml.safe_load((repo / "atlantis.yaml").read_text(encoding="utf-8"))
        projects = emulator.needed_projects(atlantis, h.ENV, None)
        order = [str(p["name"]) for p in projects if str(p["name"]) in TARGETS]
        # Atlantis applies the topic owner's root before its subscribers'.
        assert order.index("e2e-ledger") < order.index("e2e-shop")
        assert order.index("e2e-ledger") < order.index("e2e-reports")
        assert "e2e-ledger" in next(p for p in projects if p["name"] == "e2e-shop")["depends_on"]
        for project in projects:
            name = str(project["name"])
            if name not in TARGETS:
                continue  # the team alert roots: applied by test_apply
            cwd = repo / str(project["dir"])
            (cwd / emulator.OVERRIDE_FILE).write_text(emulator.override(endpoint), encoding="utf-8")
            tf(cwd, "init", "-input=false")
            targets = [f"-target={t}" for t in TARGETS[name] or []]
            out = tf(cwd, "apply", "-input=false", "-auto-approve", *targets)
            print(f"applied {name}: {out.strip().splitlines()[-1]}")

        sns, sqs = h.client(endpoint, "sns"), h.client(endpoint, "sqs")
        topic_arn = f"arn:aws:sns:{h.REGION}:{h.ACCOUNT_ID}:ledger-news"
        subscribed = {s["Endpoint"]: s for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]}
        queue_arn = f"arn:aws:sqs:{h.REGION}:{h.ACCOUNT_ID}:"
        assert set(subscribed) == {queue_arn + "shop-invoices", queue_arn + "reports-feed"}
        shop_sub = sns.get_subscription_attributes(
            SubscriptionArn=subscribed[queue_arn + "shop-invoices"]["SubscriptionArn"]
        )
        attrs = shop_sub["Attributes"]
        assert attrs["RawMessageDelivery"] == "true"
        assert json.loads(attrs["FilterPolicy"]) == {"type": ["invoice.paid"]}
        assert json.loads(attrs["RedrivePolicy"]) == {"deadLetterTargetArn": queue_arn + "shop-invoices-dlq"}
        policy = json.loads(
            sqs.get_queue_attributes(
                QueueUrl=sqs.get_queue_url(QueueName="shop-invoices")["QueueUrl"], AttributeNames=["Policy"]
            )["Attributes"]["Policy"]
        )
        assert policy["Statement"][0]["Condition"] == {"ArnEquals": {"aws:SourceArn": [topic_arn]}}

        for kind in ("invoice.paid", "invoice.voided"):
            sns.publish(
                TopicArn=topic_arn,
                Message=json.dumps({"invoice": 42, "type": kind}),
                MessageAttributes={"type": {"DataType": "String", "StringValue": kind}},
            )
        url = {
            name: sqs.get_queue_url(QueueName=name)["QueueUrl"]
            for name in ("shop-invoices", "reports-feed", "shop-other")
        }
        shop = receive(sqs, url["shop-invoices"], 1)
        reports = receive(sqs, url["reports-feed"], 2)
        other = receive(sqs, url["shop-other"], 0)
        # shop: only the paid invoice (filter policy), the body as published (raw delivery)
        assert [json.loads(m["Body"]) for m in shop] == [{"invoice": 42, "type": "invoice.paid"}]
        # reports: both, in the SNS envelope
        envelopes = [json.loads(m["Body"]) for m in reports]
        assert sorted(json.loads(e["Message"])["type"] for e in envelopes) == ["invoice.paid", "invoice.voided"]
        assert {e["TopicArn"] for e in envelopes} == {topic_arn}
        # the queue that subscribes to nothing receives nothing
        assert other == []
        print(
            f"fan-out: published 2 to ledger-news; shop-invoices got {len(shop)} (filtered, raw), "
            f"reports-feed got {len(reports)} (enveloped), shop-other got {len(other)}; "
            f"{time.monotonic() - started:.0f} s"
        )
