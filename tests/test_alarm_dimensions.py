"""Alarms that can fire: every alarm (and every dashboard metric) in the plan of the example roots watches a metric whose
namespace and dimensions name a resource of the same root, and notifies the owner team's topic.

An alarm whose dimensions match nothing never fires and never says so. Each example service root
is planned with Terraform (offline: fake credentials, no refresh; the `-clients` group lookups of
other roots become literal ids). Target group ARNs exist only after an apply, so the second plan
runs with a state in which the root's target groups already exist (distinct ARNs per target
group): the alarms then carry the real ARN suffixes, as on any day-2 plan. Every dimension is
then resolved against the planned resources (load balancer of a listener the root has a rule on,
target group that rule forwards to, ECS cluster and service, DB instance identifier, cache
member cluster, queue, table). Each resolved dimension is also corrupted in turn to prove the
resolver reports it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ORG, REPO
from tfenv import run_terraform, terraform_binary

from generator import validate
from generator.plan.alarms import topic_arn
from generator.plan.roots import roots

ROOTS = [(root.dir, root.service.owner, root.account.env) for root in roots(validate(ORG))]
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'


def resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from resources(child)


def _arn_suffix(arn: str) -> str:
    """app/<lb>/<id> of a listener ARN, targetgroup/<name>/<id> of a target group ARN."""
    resource = arn.split(":", 5)[5]
    if resource.startswith("listener/"):
        return "/".join(resource.split("/")[1:4])
    return resource


def _metrics(alarm: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """(namespace, dimensions) of every metric the alarm reads."""
    if alarm.get("namespace"):
        return [(alarm["namespace"], alarm.get("dimensions") or {})]
    return [
        (metric["namespace"], metric.get("dimensions") or {})
        for query in alarm.get("metric_query") or []
        for metric in query.get("metric") or []
    ]


def _dashboard_metrics(dashboard: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """(namespace, dimensions) of every metric line of a dashboard body: [ns, name, k, v, ..., {opts}]."""
    body = json.loads(dashboard.get("dashboard_body") or "{}")
    found = []
    for widget in body.get("widgets", []):
        for line in widget.get("properties", {}).get("metrics", []):
            plain = [item for item in line if isinstance(item, str)]
            found.append((plain[0], dict(zip(plain[2::2], plain[3::2], strict=True))))
    return found


def resolve(plan: dict[str, Any], prefix: str = "") -> list[str]:
    """Every alarm dimension that points at nothing in the same root (the resources whose address
    starts with ``prefix``), as readable problems."""
    found = [r for r in resources(plan["planned_values"]["root_module"]) if r["address"].startswith(prefix)]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in found:
        by_type.setdefault(r["type"], []).append(r.get("values", {}))
    # ALB: a (LoadBalancer, TargetGroup) pair exists when a listener rule on a listener of that
    # load balancer forwards to that target group.
    tg_suffix = {
        tg.get("arn"): _arn_suffix(tg["arn"]) for tg in by_type.get("aws_lb_target_group", []) if tg.get("arn")
    }
    alb_pairs = {
        (_arn_suffix(rule["listener_arn"]), tg_suffix[action["target_group_arn"]])
        for rule in by_type.get("aws_lb_listener_rule", [])
        for action in rule.get("action", [])
        if action.get("target_group_arn") in tg_suffix
    }
    ecs = {
        (svc["cluster"].rsplit("/", 1)[-1], svc["name"])
        for kind in ("aws_ecs_service",)
        for svc in by_type.get(kind, [])
    }
    # Service Connect metrics of a called service carry its discovery name (TargetDiscoveryName).
    discovery_names = {
        sc_service["discovery_name"]
        for svc in by_type.get("aws_ecs_service", [])
        for sc in svc.get("service_connect_configuration") or []
        for sc_service in sc.get("service") or []
    }
    db_ids = {db["identifier"] for db in by_type.get("aws_db_instance", [])}
    cache_ids = {
        f"{rg['replication_group_id']}-{i:03d}"
        for rg in by_type.get("aws_elasticache_replication_group", [])
        for i in range(1, int(rg.get("num_cache_clusters") or 0) + 1)
    }
    groups = {rg["replication_group_id"] for rg in by_type.get("aws_elasticache_replication_group", [])}
    queues = {q["name"] for q in by_type.get("aws_sqs_queue", [])}
    tables = {t["name"] for t in by_type.get("aws_dynamodb_table", [])}

    problems = []
    for r in found:
        if r["type"] == "aws_cloudwatch_metric_alarm":
            metrics = _metrics(r["values"])
        elif r["type"] == "aws_cloudwatch_dashboard":
            metrics = _dashboard_metrics(r["values"])
            if not metrics:
                problems.append(f"{r['address']}: dashboard without metrics (or its body is unknown)")
        else:
            continue
        for namespace, dims in metrics:
            where = f"{r['address']} {namespace} {dims}"
            keys = set(dims)
            if namespace == "AWS/ApplicationELB" and keys == {"LoadBalancer", "TargetGroup"}:
                ok = (dims["LoadBalancer"], dims["TargetGroup"]) in alb_pairs
            elif namespace in ("AWS/ECS", "ECS/ContainerInsights") and keys == {"ClusterName", "ServiceName"}:
                ok = (dims["ClusterName"], dims["ServiceName"]) in ecs
            elif namespace == "AWS/ECS" and keys == {"TargetDiscoveryName"}:
                ok = dims["TargetDiscoveryName"] in discovery_names
            elif namespace == "AWS/RDS" and keys == {"DBInstanceIdentifier"}:
                ok = dims["DBInstanceIdentifier"] in db_ids
            elif namespace == "AWS/ElastiCache" and keys == {"CacheClusterId"}:
                ok = dims["CacheClusterId"] in cache_ids
            elif namespace == "AWS/ElastiCache" and keys == {"ReplicationGroupId"}:
                ok = dims["ReplicationGroupId"] in groups
            elif namespace == "AWS/SQS" and keys == {"QueueName"}:
                ok = dims["QueueName"] in queues
            elif namespace == "AWS/DynamoDB" and keys == {"TableName"}:
                ok = dims["TableName"] in tables
            else:
                problems.append(
                    f"{where}: namespace/dimension set not resolvable (unknown at plan time or unsupported)"
                )
                continue
            if not ok:
                problems.append(f"{where}: points at no resource of this root")
    return problems


def _main_tf(root: Path, prefix: str) -> str:
    """The root's main.tf for offline planning inside the combined root: no Consul part, literal
    ids for the other roots' -clients groups, module labels prefixed."""
    text = (root / "main.tf").read_text()
    text = re.sub(r'\nmodule "discovery" \{\n.*?\n\}\n', "\n", text, flags=re.S)
    text = re.sub(r'\ndata "aws_security_group" "[a-z0-9_]+" \{\n.*?\n\}\n', "\n", text, flags=re.S)
    text = re.sub(r"data\.aws_security_group\.[a-z0-9_]+\.id", '"sg-0123456789abcdef0"', text)
    text = re.sub(r'^module "([a-z0-9_]+)"', rf'module "{prefix}\1"', text, flags=re.M)
    # locals (the task definition document) are per root too: prefix their names and references
    text = re.sub(
        r"^locals \{\n.*?^\}$",
        lambda block: re.sub(r"^  ([a-z0-9_]+)(\s*=)", rf"  {prefix}\1\2", block.group(0), flags=re.M),
        text,
        flags=re.M | re.S,
    )
    text = re.sub(r"\blocal\.([a-z0-9_]+)", rf"local.{prefix}\1", text)
    return re.sub(r"\bmodule\.([a-z0-9_]+)\.", rf"module.{prefix}\1.", text)


def _state_with_target_groups(path: Path, planned: dict[str, dict[str, Any]]) -> None:
    """A state in which the planned target groups exist as planned, each with its own ARN."""
    entries: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for address, values in sorted(planned.items()):
        match = re.fullmatch(r"(.*)\.aws_lb_target_group\.([a-z0-9_]+)(?:\[(.+)\])?", address)
        assert match, address
        module, name, index = match.groups()
        digest = hashlib.sha256(address.encode()).hexdigest()[:16]
        arn = f"arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/tg-{digest[:8]}/{digest}"
        attributes = {**values, "id": arn, "arn": arn, "arn_suffix": arn.split(":", 5)[5]}
        instance: dict[str, Any] = {"schema_version": 0, "attributes": attributes, "sensitive_attributes": []}
        if index is not None:
            instance["index_key"] = json.loads(index)
        entries.setdefault((module, name), []).append(instance)
    state = {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 1,
        "lineage": "00000000-0000-4000-8000-000000000000",
        "outputs": {},
        "resources": [
            {
                "module": m,
                "mode": "managed",
                "type": "aws_lb_target_group",
                "name": n,
                "provider": PROVIDER,
                "instances": i,
            }
            for (m, n), i in sorted(entries.items())
        ],
    }
    path.write_text(json.dumps(state))


def _plan(root: Path, name: str) -> dict[str, Any]:
    planned = run_terraform(["plan", "-refresh=false", "-input=false", "-no-color", f"-out={name}"], cwd=root)
    assert planned.returncode == 0, planned.stdout[-4000:] + planned.stderr
    shown = run_terraform(["show", "-json", name], cwd=root)
    assert shown.returncode == 0, shown.stderr
    result: dict[str, Any] = json.loads(shown.stdout)
    return result


def plan_json(work: Path, prefixes: dict[str, str]) -> dict[str, Any]:
    """One plan of every root's module calls side by side (one Terraform init and two plans instead
    of that per root): the combined root sits at the same depth, so module sources resolve."""
    shutil.copytree(
        REPO / "modules", work / "modules", ignore=shutil.ignore_patterns(".terraform*", "tests"), symlinks=True
    )
    root = work / "accounts" / "all" / "services" / "all"
    root.mkdir(parents=True)
    (root / "main.tf").write_text("\n".join(_main_tf(ORG / d, prefix) for d, prefix in prefixes.items()))
    (root / "versions.tf").write_text(
        re.sub(r"\n    consul = \{\n.*?\n    \}", "", (ORG / ROOTS[0][0] / "versions.tf").read_text(), flags=re.S)
    )
    (root / "providers.tf").write_text(
        'provider "aws" {\n  region                      = "eu-west-1"\n  access_key                  = "testing"\n'
        '  secret_key                  = "testing"\n  skip_credentials_validation = true\n'
        "  skip_metadata_api_check     = true\n  skip_requesting_account_id  = true\n}\n"
    )
    init = run_terraform(["init", "-input=false", "-no-color"], cwd=root)
    assert init.returncode == 0, init.stdout + init.stderr
    first = _plan(root, "first.tfplan")
    target_groups = {
        r["address"]: r["values"]
        for r in resources(first["planned_values"]["root_module"])
        if r["type"] == "aws_lb_target_group"
    }
    assert target_groups, "no target group planned"
    _state_with_target_groups(root / "terraform.tfstate", target_groups)
    return _plan(root, "second.tfplan")


def _corruptions(plan: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Copies of the plan with one alarm dimension value changed to point nowhere."""
    alarms = [r for r in resources(plan["planned_values"]["root_module"]) if r["type"] == "aws_cloudwatch_metric_alarm"]
    for alarm in alarms:
        values = alarm["values"]
        targets = (
            [values.get("dimensions") or {}]
            if values.get("namespace")
            else [m.get("dimensions") or {} for q in values.get("metric_query") or [] for m in q.get("metric") or []]
        )
        for t_index, dims in enumerate(targets):
            for key in sorted(dims):
                broken = copy.deepcopy(plan)
                for other in resources(broken["planned_values"]["root_module"]):
                    if other["address"] != alarm["address"]:
                        continue
                    v = other["values"]
                    ts = (
                        [v["dimensions"]]
                        if v.get("namespace")
                        else [m["dimensions"] for q in v["metric_query"] for m in q.get("metric") or []]
                    )
                    ts[t_index][key] = ts[t_index][key] + "-nowhere"
                yield f"{alarm['address']} {key}", broken


@pytest.mark.terraform
def test_every_alarm_resolves_to_a_resource_of_its_root(tmp_path: Path) -> None:
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: the alarm dimensions test plans the example roots with it")
    repo = validate(ORG)
    prefixes = {root_dir: f"r{i}_" for i, (root_dir, _, _) in enumerate(ROOTS)}
    plan = plan_json(tmp_path, prefixes)
    everything = list(resources(plan["planned_values"]["root_module"]))
    counts = {}
    for root_dir, owner, env in ROOTS:
        prefix = f"module.{prefixes[root_dir]}"
        alarms = [
            r for r in everything if r["type"] == "aws_cloudwatch_metric_alarm" and r["address"].startswith(prefix)
        ]
        assert alarms, f"{root_dir}: no alarms planned"
        # Every service, exposed or not, has error-rate and latency alarms on its Service Connect
        # traffic (review finding 3), and an exposed one a healthy-target alarm (finding 12).
        names = {a["values"]["alarm_name"] for a in alarms}
        services = {
            r["values"]["name"]
            for r in everything
            if r["type"] == "aws_ecs_service" and r["address"].startswith(prefix)
        }
        for name in services:
            assert {f"{name}-5xx-rate-connect", f"{name}-p99-latency-connect"} <= names, root_dir
            if f"{name}-5xx-rate-external" in names:
                assert f"{name}-healthy-targets-external" in names, root_dir
        assert resolve(plan, prefix) == [], root_dir
        # Routed to the owner team's topic in this account, on ALARM and OK.
        topic = topic_arn(owner, repo.account(env))
        for alarm in alarms:
            assert alarm["values"]["alarm_actions"] == [topic], alarm["address"]
            assert alarm["values"]["ok_actions"] == [topic], alarm["address"]
        counts[root_dir] = len(alarms)
    # The resolver is not vacuous: every single corrupted dimension is reported, and resources of
    # another root never satisfy an alarm (each root resolves alone).
    corrupted = 0
    for what, broken in _corruptions(plan):
        corrupted += 1
        match = re.match(r"module\.r[0-9]+_", what)
        assert match, what
        prefix = match.group(0)
        assert resolve(broken, prefix), f"corrupting {what} went unnoticed"
    assert corrupted >= sum(counts.values())
    print("alarms per root:", counts)
