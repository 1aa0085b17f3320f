"""modules/platform/topic applied against the emulator with pytest-terraform's ``terraform``
fixture (init, apply, destroy around the test; tests/e2e/terraform/platform_topic): a FIFO topic
on its own rotated key, its delivery-failure alarm and its connection parameter exist as the
module says.

Why the subscriber side is not a pytest-terraform test (tests/e2e/test_fanout.py instead): the
fixture applies a whole configuration, and moto 5.2.6 never returns a queue's RedriveAllowPolicy,
so a queue with its dead-letter queue (which a subscribing queue requires) cannot be applied in
full here; test_fanout applies the generated roots with ``-target`` instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_terraform import terraform
from tfenv import cli_config, terraform_binary

from . import harness as h
from .test_apply import e2e_requested


@pytest.fixture(scope="session")
def worker_id() -> str:
    """pytest-terraform's fixture takes xdist's ``worker_id`` only to accept it; this one lets the
    test run without xdist too (``pytest tests/e2e -p no:xdist``)."""
    return "master"


@pytest.fixture(scope="module")
def emulator(request: pytest.FixtureRequest) -> Iterator[str]:
    """The emulator on loopback, and the environment pytest-terraform's terraform runs with."""
    if not e2e_requested(request.config):
        pytest.skip("module apply tests run only with `make e2e` (pytest tests/e2e)")
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH")
    saved = {k: os.environ.get(k) for k in ("TF_VAR_endpoint", "TF_CLI_CONFIG_FILE")}
    with h.moto_server() as endpoint:
        os.environ["TF_VAR_endpoint"] = endpoint  # noqa: SIM112 (Terraform's variable is named `endpoint`)
        os.environ["TF_CLI_CONFIG_FILE"] = str(cli_config())  # the local provider mirror
        try:
            yield endpoint
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@terraform("platform_topic", scope="function")
def test_the_topic_module_applies_a_fifo_topic_on_its_own_key(emulator: str, platform_topic: Any) -> None:
    arn = platform_topic.outputs["arn"]["value"]
    assert arn == "arn:aws:sns:eu-west-1:123456789012:ledger-news.fifo"
    sns, kms = h.client(emulator, "sns"), h.client(emulator, "kms")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    key_arn = platform_topic.outputs["kms_key_arn"]["value"]
    assert attributes["KmsMasterKeyId"] == key_arn
    key_id = key_arn.rsplit("/", 1)[-1]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    use = next(s for s in policy["Statement"] if s["Sid"] == "AccountUsesThroughSns")
    assert use["Condition"]["StringEquals"] == {
        "kms:CallerAccount": "123456789012",
        "kms:ViaService": "sns.eu-west-1.amazonaws.com",
    }
    alarms = h.client(emulator, "cloudwatch").describe_alarms(AlarmNames=["ledger-news-delivery-failures"])
    (alarm,) = alarms["MetricAlarms"]
    assert alarm["MetricName"] == "NumberOfNotificationsFailed"
    assert alarm["Dimensions"] == [{"Name": "TopicName", "Value": "ledger-news.fifo"}]
    assert alarm["AlarmActions"] == ["arn:aws:sns:eu-west-1:123456789012:payments-alerts"]
    parameter = platform_topic.outputs["connection_parameters"]["value"]["arn"]
    assert h.client(emulator, "ssm").get_parameter(Name=parameter)["Parameter"]["Value"] == arn
