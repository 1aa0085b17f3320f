"""A synthetic platform repository: N services across 3 accounts, written as plain YAML.

The files follow schemas/*.schema.json. Services get a seeded, realistic mix of sizes,
datastores, external ingress, autoscaling, dependencies on *earlier* services and their
datastores (so the graph is acyclic), and environment files with variables, secret
references and overrides.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import yaml

ENVS = ("dev", "staging", "production")
TEAMS = ("infra", "payments", "growth", "identity", "search", "risk", "data", "mobile")
WORDS = ("billing", "ledger", "checkout", "ranker", "notify", "profile", "fraud", "quotes", "catalog", "auth")
SIZES = ((256, 512), (512, 1024), (1024, 2048), (2048, 4096))
SUFFIX = {"postgres": "db", "mysql": "mysql", "redis": "cache", "queue": "events", "table": "ledger", "bucket": "files"}
NETWORK_SUFFIXES = tuple(SUFFIX[kind] for kind in ("postgres", "mysql", "redis"))  # their own -clients group
SHARED_KINDS = ("postgres", "queue", "table", "bucket")  # what other services commonly depend on
EXTERNAL_PER_ACCOUNT = 100  # target groups per ALB, AWS's fixed quota (generator.spec.rules.ALB_TARGET_GROUPS)
# Cloud Map instances per namespace the synthetic accounts were granted (account.yaml quotas): at
# N = 1,000 the serving services' task ceilings add up to about 4,800 per account, over AWS's
# default of 2,000 (generator.spec.rules.CLOUD_MAP_INSTANCES)
CLOUD_MAP_INSTANCES = 10_000
# Security groups per Region they were granted: at N = 1,000 the roots create about 3,150 per
# account, over AWS's default of 2,500 (generator.spec.rules.SECURITY_GROUPS)
SECURITY_GROUPS = 5_000


def service_name(index: int) -> str:
    return f"{WORDS[index % len(WORDS)]}-{index:04d}"


def account(env: str, number: int) -> dict[str, Any]:
    account_id = str(number) * 12
    lb = "arn:aws:elasticloadbalancing:eu-west-1:{id}:listener/app/{env}-{kind}/0123456789abcdef/0123456789abcdef"
    data: dict[str, Any] = {
        "accountId": account_id,
        "region": "eu-west-1",
        "production": env == "production",
        "stateBackend": {"bucket": f"lemon-terraform-state-{env}", "region": "eu-west-1"},
        "network": {
            "vpcId": f"vpc-0a1b2c3d4e5f6000{number}",
            "privateSubnetIds": [f"subnet-0a1b2c3d4e5f600{number}{i}" for i in range(1, 4)],
        },
        "ecs": {
            "clusterArn": f"arn:aws:ecs:eu-west-1:{account_id}:cluster/{env}",
            "serviceConnectNamespaceArn": f"arn:aws:servicediscovery:eu-west-1:{account_id}:namespace/ns-{env}0000000000001",
        },
        "loadBalancers": {
            kind: {
                "listenerArn": lb.format(id=account_id, env=env, kind=kind),
                "dnsName": f"{env}-{kind}-123456789.eu-west-1.elb.amazonaws.com",
                "zoneId": "Z32O12XQLNTSW2",
                "securityGroupId": f"sg-0a1b2c3d4e5f600{number}{i}",
            }
            for i, kind in enumerate(("internal", "external"))
        },
        "dns": {
            "zone": "lemon.internal",
            "zoneId": f"Z0{env.upper()}INTERNAL",
            "publicZoneId": f"Z0{env.upper()}PUBLIC",
            "publicZone": "lemon.com",  # every external ingress domain lies within it (issue 12)
        },
        "atlantis": {"applyRequirements": ["approved", "mergeable"]},
        "quotas": {"cloudMapInstancesPerNamespace": CLOUD_MAP_INSTANCES, "securityGroupsPerRegion": SECURITY_GROUPS},
        "defaultTags": {"cost-center": "CC-100"},
    }
    if env == "production":
        data["stateBackend"]["lockTable"] = "terraform-locks"
        data["consul"] = {"address": "consul.production.lemon.internal:8500", "datacenter": "production"}
        data["atlantis"]["applyRequirements"] = ["approved", "mergeable", "undiverged"]
    return data


def services(n: int, seed: int = 7) -> list[tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
    """(service.yaml, {env: environments/<env>.yaml}) for N services."""
    rng = random.Random(seed)
    result: list[tuple[dict[str, Any], dict[str, dict[str, Any]]]] = []
    shared: list[str] = []  # datastores of earlier services that others may use
    external = 0  # services with external ingress (in every account)
    for index in range(n):
        name = service_name(index)
        cpu, memory = rng.choice(SIZES)
        kinds = rng.sample(list(SUFFIX), rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0])
        resources: dict[str, Any] = {}
        for kind in sorted(kinds):
            store: dict[str, Any] = {"type": kind}
            if kind == "table":
                store.update(hashKey="id", rangeKey="createdAt", rangeKeyType="N")
            if kind == "queue" and rng.random() < 0.3:
                store["maxReceiveCount"] = 3
            if kind == "bucket" and rng.random() < 0.5:
                store["expirationDays"] = 365
            resources[f"{name}-{SUFFIX[kind]}"] = store
        spec: dict[str, Any] = {"resources": {"cpu": cpu, "memory": memory}, "desiredCount": 2}
        if rng.random() < 0.3:
            spec["autoscaling"] = {"resource": "cpu", "target": 70, "min": 1, "max": 10}
        # an account's external load balancer holds 100 target groups (generator/spec/rules.py
        # ALB_TARGET_GROUPS): the 101st external service would be an error, so later ones stay internal
        if rng.random() < 0.15 and external < EXTERNAL_PER_ACCOUNT:
            spec["ingress"] = {"external": True, "domain": f"{name}.lemon.com"}
            external += 1
        dependencies: dict[str, Any] = {}
        if index:
            calls = sorted({service_name(rng.randrange(index)) for _ in range(rng.choice((0, 1, 1, 2, 2, 3)))})
            if calls:
                dependencies["services"] = calls
        used = sorted(resources)
        if shared and rng.random() < 0.3:
            used.append(rng.choice(shared))
        # A task joins its own group and one per service called and network datastore used; AWS
        # allows 5 per network interface (the generator refuses more), so calls give way first.
        network = sum(1 for d in used if d.rsplit("-", 1)[1] in NETWORK_SUFFIXES)
        if "services" in dependencies:
            dependencies["services"] = dependencies["services"][: max(0, 4 - network)]
            if not dependencies["services"]:
                del dependencies["services"]
        if used:
            dependencies["datastores"] = used
        if dependencies:
            spec["dependencies"] = dependencies
        shared.extend(d for d, r in resources.items() if r["type"] in SHARED_KINDS)
        service = {
            "name": name,
            "owner": TEAMS[index % len(TEAMS)],
            "description": f"Synthetic service {index} for the benchmark.",
            "environments": list(ENVS),
            "spec": spec,
        }
        if resources:
            service["resources"] = resources
        result.append((service, _env_files(rng, name, spec, resources)))
    return result


def _env_files(
    rng: random.Random, name: str, spec: dict[str, Any], resources: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    if rng.random() < 0.6:
        production: dict[str, Any] = {
            "variables": {"LOG_LEVEL": "info", "UPSTREAM_URL": f"https://{name}.upstream.example.com/api"},
            "secrets": {
                "API_TOKEN": {"ssmParameter": f"/{name}/api-token"},
                "SIGNING_KEY": {
                    "secretsManager": f"arn:aws:secretsmanager:eu-west-1:333333333333:secret:{name}/signing-AbCdEf",
                    "field": "private_key",
                },
            },
            "overrides": {"desiredCount": 3},
        }
        if rng.random() < 0.2:
            production["overrides"]["resources"] = {"cpu": 4096, "memory": 8192}
        databases = [d for d, r in resources.items() if r["type"] == "postgres"]
        if databases:
            production["overrides"]["datastores"] = {databases[0]: {"instanceClass": "db.r6g.large", "storageGb": 100}}
        files["production"] = production
    if rng.random() < 0.4:
        files["staging"] = {"variables": {"LOG_LEVEL": "debug", "FEATURE_FLAGS": "beta,${not-a-template}"}}
    if rng.random() < 0.1 and "autoscaling" not in spec:
        files["dev"] = {"variables": {"LOG_LEVEL": "debug"}, "overrides": {"desiredCount": 1}}
    return files


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def build(root: Path, n: int, modules: Path, seed: int = 7) -> list[str]:
    """Write the inputs of an N-service repository under ``root`` and copy ``modules``; return the service names."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    _dump(
        root / "teams.yaml",
        {
            "platformTeam": "infra",
            "teams": {t: {"github": f"@lemon/{t}", "costCenter": f"CC-{100 + i}"} for i, t in enumerate(TEAMS)},
        },
    )
    for number, env in enumerate(ENVS, start=1):
        _dump(root / "accounts" / env / "account.yaml", account(env, number))
    names = []
    for service, env_files in services(n, seed):
        folder = root / "services" / service["name"]
        _dump(folder / "service.yaml", service)
        for env, data in env_files.items():
            _dump(folder / "environments" / f"{env}.yaml", data)
        names.append(service["name"])
    shutil.copytree(modules, root / "modules", ignore=shutil.ignore_patterns(".terraform*", "tests"), symlinks=True)
    return names
