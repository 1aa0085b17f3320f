"""The e2e harness: the moto server, the account's pre-existing infrastructure, and Atlantis' steps.

Nothing here changes a generated file: each project runs in a copy of the generated tree with one
extra test-time file, ``zz_e2e_override.tf``, that points the AWS provider at the emulator and
replaces the S3 backend with a local one.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import yaml

ACCOUNT_ID = "123456789012"  # moto's default account: STS GetCallerIdentity returns it
REGION = "eu-west-1"
ENV = "e2e"
FIXTURE = Path(__file__).resolve().parent / "fixture"
REPO = Path(__file__).resolve().parents[2]

# Every service the provider may call for the fixture's resources.
ENDPOINT_SERVICES = (
    "acm", "applicationautoscaling", "cloudwatch", "cloudwatchlogs", "dynamodb", "ec2", "ecr", "ecs",
    "elasticache", "elbv2", "iam", "kms", "rds", "route53", "s3", "secretsmanager", "sns", "sqs", "ssm", "sts",
)  # fmt: skip


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run ``python -m moto.server`` on 127.0.0.1 in its own process group; always stop it."""
    port = free_port()
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"moto-e2e-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop() -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()

    atexit.register(stop)  # also on an interpreter exit that skips the finally below

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")  # unwinds through the finally below

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start (see {log.name})") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        stop()
        atexit.unregister(stop)
        signal.signal(signal.SIGTERM, previous)


def client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@dataclass(frozen=True)
class Infra:
    """Ids of what the account file refers to, created in the emulator before any apply."""

    vpc_id: str
    subnet_ids: tuple[str, str]
    cluster_arn: str
    namespace_arn: str  # the Cloud Map HTTP namespace of ECS Service Connect
    internal: dict[str, str]  # listenerArn, dnsName, zoneId, securityGroupId
    external: dict[str, str]
    zone_id: str
    public_zone_id: str


def provision(endpoint: str) -> Infra:
    ec2 = client(endpoint, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = tuple(
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    )
    elbv2 = client(endpoint, "elbv2")
    lbs = {}
    for scheme in ("internal", "external"):
        group = ec2.create_security_group(GroupName=f"e2e-{scheme}-lb", Description=f"{scheme} ALB", VpcId=vpc)
        lb = elbv2.create_load_balancer(
            Name=f"e2e-{scheme}",
            Subnets=list(subnets),
            SecurityGroups=[group["GroupId"]],
            Scheme="internal" if scheme == "internal" else "internet-facing",
            Type="application",
        )["LoadBalancers"][0]
        listener = elbv2.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80,
            DefaultActions=[
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}
            ],
        )["Listeners"][0]
        lbs[scheme] = {
            "listenerArn": listener["ListenerArn"],
            "dnsName": lb["DNSName"],
            "zoneId": lb["CanonicalHostedZoneId"],
            "securityGroupId": group["GroupId"],
        }
    route53 = client(endpoint, "route53")
    private = _zone(route53, Name="e2e.internal", VPC={"VPCRegion": REGION, "VPCId": vpc})
    public = _zone(route53, Name="e2e-example.com")
    cluster = client(endpoint, "ecs").create_cluster(clusterName="e2e")["cluster"]["clusterArn"]
    cloudmap = client(endpoint, "servicediscovery")
    cloudmap.create_http_namespace(Name="e2e", Description="ECS Service Connect namespace of the e2e account")
    namespace = next(n["Arn"] for n in cloudmap.list_namespaces()["Namespaces"] if n["Name"] == "e2e")
    return Infra(
        vpc_id=vpc,
        subnet_ids=(subnets[0], subnets[1]),
        cluster_arn=cluster,
        namespace_arn=namespace,
        internal=lbs["internal"],
        external=lbs["external"],
        zone_id=private,
        public_zone_id=public,
    )


def _zone(route53: Any, **args: Any) -> str:
    """A hosted zone whose id has AWS's shape (``Z...``): moto draws random ids, so redraw."""
    for attempt in range(500):
        zone = route53.create_hosted_zone(CallerReference=f"{args['Name']}-{attempt}", **args)["HostedZone"]["Id"]
        zone_id: str = zone.rsplit("/", 1)[-1]
        if zone_id.startswith("Z"):
            return zone_id
        route53.delete_hosted_zone(Id=zone_id)
    raise RuntimeError("moto never drew a hosted zone id starting with Z")


def make_repo(dest: Path, infra: Infra, fixture: Path = FIXTURE) -> Path:
    """Copy the fixture repo and write the emulator's real ids into its account file."""
    shutil.copytree(fixture, dest, symlinks=True)
    shutil.copytree(
        REPO / "modules", dest / "modules", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"), symlinks=True
    )
    path = dest / "accounts" / ENV / "account.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["network"] = {"vpcId": infra.vpc_id, "privateSubnetIds": list(infra.subnet_ids)}
    data["ecs"] = {"clusterArn": infra.cluster_arn, "serviceConnectNamespaceArn": infra.namespace_arn}
    data["loadBalancers"] = {"internal": infra.internal, "external": infra.external}
    data["dns"] = {**data["dns"], "zoneId": infra.zone_id, "publicZoneId": infra.public_zone_id}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return dest


def override(endpoint: str) -> str:
    endpoints = "\n".join(f'    {name} = "{endpoint}"' for name in ENDPOINT_SERVICES)
    return f"""# Test-time override written by tests/e2e (never committed): the emulator and a local backend.
terraform {{
  backend "local" {{}}
}}

provider "aws" {{
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {{
{endpoints}
  }}
}}
"""


@dataclass
class Step:
    project: str
    command: str
    seconds: float
    code: int
    output: str


def counted(output: str, verb: str) -> int:
    """N from terraform's 'Resources: N added, ...' / '... N destroyed' summary line."""
    match = re.search(rf"Resources: .*?(\d+) {verb}", output)
    return int(match.group(1)) if match else 0


# Attributes moto 5.2.5 does not store, so the provider reads back a default and plans the spec's
# value again. Only these may differ in the second plan; docs/testing.md lists them as gaps.
EMULATOR_DRIFT = {
    "aws_ecs_service": {
        "enable_ecs_managed_tags",
        "health_check_grace_period_seconds",
        "availability_zone_rebalancing",
    },
    "aws_db_instance": {"performance_insights_enabled", "performance_insights_retention_period"},
    "aws_db_parameter_group": {"parameter"},
}


def replan_drift(plan: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Split the second plan's changes into (unexplained, explained by a known emulator gap)."""
    unexplained: list[str] = []
    explained: list[str] = []
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        before = change["change"].get("before") or {}
        after = change["change"].get("after") or {}
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        allowed = EMULATOR_DRIFT.get(change["type"], set())
        entry = f"{change['address']} {'/'.join(actions)}: {', '.join(changed)}"
        if actions == ["update"] and changed and set(changed) <= allowed:
            explained.append(entry)
        else:
            unexplained.append(entry)
    return unexplained, explained
