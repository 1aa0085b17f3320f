"""Roots applied against an AWS emulator (moto's server on 127.0.0.1): the sandbox and the e2e tests.

An account file names infrastructure the platform team created outside these roots (the VPC and
subnets, the ECS cluster and its Service Connect namespace, the load balancers' listeners, the DNS
zones). :func:`provision` creates their stand-ins in the emulator, :func:`emulated_account` points
a copy of the account file at them, and :func:`override` is the one extra file each root gets
(``zz_emulator_override.tf``: the provider's endpoints on loopback, a local backend). Nothing here
changes a generated file of the repository; roots run in a copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import InfragenError

OVERRIDE_FILE = "zz_emulator_override.tf"
# Every service the provider may call for the modules' resources.
ENDPOINT_SERVICES = (
    "acm", "applicationautoscaling", "cloudwatch", "cloudwatchlogs", "dynamodb", "ec2", "ecr", "ecs", "events",
    "elasticache", "elbv2", "iam", "kms", "rds", "route53", "s3", "scheduler", "secretsmanager", "sns", "sqs", "ssm",
    "sts",
)  # fmt: skip


class EmulatorError(InfragenError):
    """The emulator could not be prepared, or a root did not apply against it."""


def client(endpoint: str, service: str, region: str) -> Any:
    import boto3

    if not endpoint.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise EmulatorError(f"{endpoint}: the emulator must listen on loopback")
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@dataclass(frozen=True)
class Infra:
    """Ids of what an account file refers to, created in the emulator before any apply."""

    vpc_id: str
    subnet_ids: tuple[str, str]
    cluster_arn: str
    namespace_arn: str  # the Cloud Map HTTP namespace of ECS Service Connect
    internal: dict[str, str]  # listenerArn, dnsName, zoneId, securityGroupId
    external: dict[str, str]
    zone_id: str
    public_zone_id: str


def provision(
    endpoint: str, *, region: str, name: str, cluster: str, zone: str, public_zone: str, cidr: str = "10.40"
) -> Infra:
    """The account's pre-existing infrastructure, in the emulator: a VPC with two subnets, an
    internal and an external ALB with an HTTP listener each, a private and a public hosted zone,
    the ECS cluster and its Service Connect namespace. ``name`` prefixes the load balancers."""
    ec2 = client(endpoint, "ec2", region)
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnets = tuple(
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.{i}.0/24", AvailabilityZone=f"{region}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    )
    elbv2 = client(endpoint, "elbv2", region)
    lbs = {}
    for scheme in ("internal", "external"):
        group = ec2.create_security_group(GroupName=f"{name}-{scheme}-lb", Description=f"{scheme} ALB", VpcId=vpc)
        lb = elbv2.create_load_balancer(
            Name=f"{name}-{scheme}",
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
    route53 = client(endpoint, "route53", region)
    private = _zone(route53, Name=zone, VPC={"VPCRegion": region, "VPCId": vpc})
    public = _zone(route53, Name=public_zone)
    cluster_arn = client(endpoint, "ecs", region).create_cluster(clusterName=cluster)["cluster"]["clusterArn"]
    cloudmap = client(endpoint, "servicediscovery", region)
    cloudmap.create_http_namespace(Name=name, Description=f"ECS Service Connect namespace of {name}")
    namespace = next(n["Arn"] for n in cloudmap.list_namespaces()["Namespaces"] if n["Name"] == name)
    return Infra(
        vpc_id=vpc,
        subnet_ids=(subnets[0], subnets[1]),
        cluster_arn=cluster_arn,
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
    raise EmulatorError("moto never drew a hosted zone id starting with Z")


def emulated_account(data: Mapping[str, Any], infra: Infra) -> dict[str, Any]:
    """A copy of an account file's data pointing at the emulator's infrastructure. Consul is
    dropped: its provider cannot be installed here and no Consul runs (docs/testing.md)."""
    account = {k: v for k, v in data.items() if k != "consul"}
    account["network"] = {
        **(data.get("network") or {}),
        "vpcId": infra.vpc_id,
        "privateSubnetIds": list(infra.subnet_ids),
    }
    account["ecs"] = {
        **(data.get("ecs") or {}),
        "clusterArn": infra.cluster_arn,
        "serviceConnectNamespaceArn": infra.namespace_arn,
    }
    account["loadBalancers"] = {"internal": infra.internal, "external": infra.external}
    account["dns"] = {**(data.get("dns") or {}), "zoneId": infra.zone_id, "publicZoneId": infra.public_zone_id}
    return account


def rewrite_account(path: Path, infra: Infra) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(emulated_account(data, infra), sort_keys=False), encoding="utf-8")


def override(endpoint: str) -> str:
    """The extra file of a root applied against the emulator: loopback endpoints, local state."""
    endpoints = "\n".join(f'    {name} = "{endpoint}"' for name in ENDPOINT_SERVICES)
    return f"""# Written by infragen for the AWS emulator (never committed): loopback endpoints, a local backend.
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


def needed_projects(atlantis: Mapping[str, Any], env: str, service: str | None) -> list[dict[str, Any]]:
    """The Atlantis projects of ``env`` that ``service``'s root needs (itself and what it depends
    on, transitively), or every project of ``env``; in apply order."""
    projects = [p for p in atlantis.get("projects") or [] if str(p["dir"]).startswith(f"accounts/{env}/")]
    by_name = {str(p["name"]): p for p in projects}
    if service is not None:
        wanted: set[str] = set()
        todo = [f"{env}-{service}"]
        if todo[0] not in by_name:
            raise EmulatorError(f"no Atlantis project {todo[0]!r}: is {service!r} planned in {env!r}?")
        while todo:
            name = todo.pop()
            if name in wanted or name not in by_name:
                continue
            wanted.add(name)
            todo.extend(str(d) for d in by_name[name].get("depends_on") or [])
        projects = [p for p in projects if p["name"] in wanted]
    return sorted(projects, key=lambda p: (int(p.get("execution_order_group") or 0), str(p["name"])))


def apply_projects(
    work: Path,
    projects: list[dict[str, Any]],
    endpoint: str,
    terraform: Callable[[list[str], Path], tuple[int, str]],
    report: Callable[[str], None] = lambda _: None,
) -> None:
    """``terraform init`` and ``apply`` each project's directory under ``work`` (a copy of the
    generated tree with ``modules/``), with the override file; stops at the first failure."""
    text = override(endpoint)
    for project in projects:
        cwd = work / str(project["dir"])
        (cwd / OVERRIDE_FILE).write_text(text, encoding="utf-8")
        for args in (["init", "-input=false", "-no-color"], ["apply", "-input=false", "-auto-approve", "-no-color"]):
            code, output = terraform(args, cwd)
            if code != 0:
                tail = "\n".join(output.strip().splitlines()[-15:])
                raise EmulatorError(f"{project['dir']}: terraform {args[0]} failed ({code}):\n{tail}")
        summary = re.search(r"Resources: .*", output)
        report(f"applied {project['name']}" + (f": {summary.group(0)}" if summary else ""))
