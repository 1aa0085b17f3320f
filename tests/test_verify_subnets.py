"""`infragen verify`'s subnets check: the subnets a workload's tasks start in have a free address for
every task it may add (a Fargate task holds one address of its subnet; a rolling deployment runs up
to maximumPercent of the desired count at once, 200 unless the service sets it). The addresses are
EC2's own count (DescribeSubnets AvailableIpAddressCount) from moto 5.2.6, in-process: a /28 has 11
(16 less the 5 AWS reserves), a /24 251. Fixture: the golden job case's inputs, api given autoscaling
(2 to 8 tasks)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from generator.deploy import inspect
from generator.deploy.aws import Aws, Target, resolve
from generator.plan.policy import deploy_policy

JOB_INPUT = Path(__file__).resolve().parent / "golden" / "job" / "input"
ACCOUNT = "333333333333"
REGION = "us-east-1"


@pytest.fixture
def ec2(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from moto import mock_aws

    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


@pytest.fixture
def api(tmp_path: Path) -> Target:
    root = tmp_path / "repo"
    shutil.copytree(JOB_INPUT, root)
    spec = root / "services" / "api" / "service.yaml"
    text = spec.read_text(encoding="utf-8").replace(
        "  desiredCount: 1\n", "  desiredCount: 2\n  autoscaling: {resource: cpu, target: 60, min: 2, max: 8}\n"
    )
    spec.write_text(text, encoding="utf-8")
    return resolve(root, "api", "dev")


def _subnets(ec2: Any, *cidrs: str) -> list[str]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"] for cidr in cidrs]


def _check(target: Target, subnets: list[str], service: dict[str, Any] | None) -> inspect.Check:
    return inspect._subnet_check(Aws(region=REGION), target, subnets, service)


def test_a_deployment_at_the_ceiling_fits_two_small_subnets(ec2: Any, api: Target) -> None:
    a, b = _subnets(ec2, "10.0.1.0/28", "10.0.2.0/28")
    check = _check(api, [a, b], None)
    assert check.ok
    assert check.line() == (
        f"ok   subnets: 22 free address(es) ({a} 11, {b} 11); a deployment at the ceiling of 8 task(s) runs up "
        "to 16 (maximumPercent 200), 0 run now: 16 more needed"
    )


def test_one_small_subnet_is_too_small_for_a_deployment_at_the_ceiling(ec2: Any, api: Target) -> None:
    (a,) = _subnets(ec2, "10.0.1.0/28")
    check = _check(api, [a], None)
    assert not check.ok
    assert check.detail.startswith(f"11 free address(es) ({a} 11); a deployment at the ceiling of 8 task(s)")
    assert "16 more needed; a task past the free addresses cannot start" in check.detail


def test_the_running_service_counts_its_tasks_and_its_own_maximum_percent(ec2: Any, api: Target) -> None:
    (a,) = _subnets(ec2, "10.0.1.0/28")
    running = {"runningCount": 4, "pendingCount": 1, "deploymentConfiguration": {"maximumPercent": 150}}
    check = _check(api, [a], running)
    # 8 x 150% = 12 at once, 5 of them already hold an address: 7 more, and 11 are free
    assert check.ok, check.detail
    assert check.detail.endswith("runs up to 12 (maximumPercent 150), 5 run now: 7 more needed")
    busier = {**running, "deploymentConfiguration": {"maximumPercent": 200}, "runningCount": 2, "pendingCount": 0}
    assert not _check(api, [a], busier).ok  # 16 - 2 = 14 more, 11 free


def test_verify_reads_the_subnets_of_the_running_service_else_the_accounts() -> None:
    service = {"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1", "subnet-2"]}}}
    target = resolve(JOB_INPUT, "api", "dev")
    assert inspect._subnets(service["networkConfiguration"], target) == ["subnet-1", "subnet-2"]
    assert inspect._subnets(None, target) == ["subnet-0123456789abcdef0"]  # accounts/dev/account.yaml


def test_a_subnet_that_does_not_exist_fails_the_check_in_one_line(ec2: Any, api: Target) -> None:
    check = _check(api, ["subnet-0123456789abcdef0"], None)
    assert not check.ok
    assert check.detail.startswith("ec2:DescribeSubnets: InvalidSubnetID.NotFound: ")
    assert "\n" not in check.detail


def test_the_deploy_role_may_describe_subnets(api: Target) -> None:
    statements = deploy_policy(api.service, api.account)["Statement"]
    found = [s for s in statements if "ec2:DescribeSubnets" in s["Action"]]
    # DescribeSubnets has no resource-level permissions: the statement cannot be scoped
    assert found == [{"Sid": "DescribeSubnets", "Effect": "Allow", "Action": ["ec2:DescribeSubnets"], "Resource": "*"}]


@pytest.mark.parametrize("code", ["UnauthorizedOperation", "AccessDenied"])
def test_a_role_that_may_not_describe_subnets_skips_the_check(ec2: Any, api: Target, code: str) -> None:
    """A root applied before the check existed has a deploy role without the statement: verify, which
    the deploy workflow runs first, skips the check and says how the role gets it (EC2 answers
    UnauthorizedOperation; the real API's shape, fed by a botocore Stubber since moto enforces no IAM)."""
    from botocore.stub import Stubber

    aws = Aws(region=REGION)
    with Stubber(aws.client("ec2")) as stub:
        stub.add_client_error("describe_subnets", service_error_code=code, http_status_code=403)
        check = inspect._subnet_check(aws, api, ["subnet-0123456789abcdef0"], None)
    assert check.ok and check.skipped
    assert check.line() == (
        "skip subnets: this role may not call ec2:DescribeSubnets; the deploy role gets it when the service's root "
        f"is applied again (its deploy_policy_json, statement DescribeSubnets) ({code})"
    )
    with Stubber(aws.client("ec2")) as stub:  # any other error still fails the check
        stub.add_client_error("describe_subnets", service_error_code="RequestLimitExceeded", http_status_code=503)
        other = inspect._subnet_check(aws, api, ["subnet-0123456789abcdef0"], None)
    assert not other.ok and other.detail.startswith("ec2:DescribeSubnets: RequestLimitExceeded")
