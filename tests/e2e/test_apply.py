"""Plan and apply every Atlantis project of the e2e fixture against the moto AWS emulator, the way
Atlantis runs them, check with boto3 that what the specs asked for exists, plan again for "no
changes", destroy in reverse order and check that nothing is left.

Run it with ``make e2e`` (``pytest tests/e2e -p no:xdist -s``); ``make test`` skips it by name.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tfenv import run_terraform, terraform_binary

from generator import api
from generator.plan.alarms import topic_arn
from generator.spec.alarms import alarm_module
from generator.spec.load import load_repo
from generator.spec.models import Account, Service
from generator.tools import plancheck

from . import harness as h
from .harness import ENV, Step

TAG_KEYS = ("owner", "service", "environment", "managed-by")
COST_CENTERS = {
    name: team["costCenter"] for name, team in yaml.safe_load((h.FIXTURE / "teams.yaml").read_text())["teams"].items()
}


def e2e_requested(config: pytest.Config) -> bool:
    return any("e2e" in Path(str(arg)).parts or str(arg).startswith("tests/e2e") for arg in config.args)


class Checks:
    """Counts every assertion made against the emulator."""

    def __init__(self) -> None:
        self.count = 0
        self.failures: list[str] = []

    def eq(self, what: str, got: Any, want: Any) -> None:
        self.count += 1
        if got != want:
            self.failures.append(f"{what}: got {got!r}, want {want!r}")

    def true(self, what: str, ok: bool) -> None:
        self.eq(what, bool(ok), True)


def tags_of(pairs: list[dict[str, str]] | dict[str, str]) -> dict[str, str]:
    if isinstance(pairs, dict):
        return pairs
    return {p.get("Key", p.get("key", "")): p.get("Value", p.get("value", "")) for p in pairs}


def check_tags(checks: Checks, what: str, tags: dict[str, str], service: str, owner: str) -> None:
    want = {"owner": owner, "service": service, "environment": ENV, "managed-by": "infragen"}
    checks.eq(f"{what} tags", {k: tags.get(k) for k in TAG_KEYS}, want)
    # the owner team's cost center (teams.yaml), not the account's default tag
    checks.eq(f"{what} tag cost-center", tags.get("cost-center"), COST_CENTERS[owner])


def verify(endpoint: str, repo_root: Path, checks: Checks) -> None:
    """What the specs ask for, read back from the emulator."""
    repo = load_repo(repo_root)
    account = repo.account(ENV)
    c: Callable[[str], Any] = lambda service: h.client(endpoint, service)  # noqa: E731
    ec2, sqs, ddb, s3, r53, ecs = c("ec2"), c("sqs"), c("dynamodb"), c("s3"), c("route53"), c("ecs")
    groups = {g["GroupName"]: g for g in ec2.describe_security_groups()["SecurityGroups"]}
    kinds = {d.name: d.type for s in repo.services for d in s.datastores}

    def ingress_sources(name: str) -> set[tuple[int, str]]:
        return {
            (perm.get("FromPort", -1), pair["GroupId"])
            for perm in groups[name]["IpPermissions"]
            for pair in perm.get("UserIdGroupPairs", [])
        }

    for service in repo.services:
        name, owner = service.name, service.owner
        for group in (name,) if not service.serves_http else (name, f"{name}-clients"):
            checks.true(f"security group {group} exists", group in groups)
            if group in groups:
                check_tags(checks, f"security group {group}", tags_of(groups[group].get("Tags", [])), name, owner)
                checks.eq(f"security group {group} vpc", groups[group]["VpcId"], account.vpc_id)
        if not service.serves_http:
            # nothing may call a worker or job: no -clients group, and its tasks admit nothing
            checks.eq(f"{service.kind} {name} has no {name}-clients group", f"{name}-clients" in groups, False)
            checks.eq(
                f"{service.kind} {name} admits nothing", ingress_sources(name) if name in groups else set(), set()
            )
        elif name in groups and f"{name}-clients" in groups:
            # Service Connect: the tasks admit exactly <name>-clients, plus the external load
            # balancer for external ingress; never the internal load balancer.
            external = bool(service.ingress and service.ingress.external)
            lb = account.external_lb.security_group_id if external and account.external_lb else None
            checks.eq(
                f"{name} admits exactly {name}-clients{' and the external LB' if lb else ''} on {service.port}",
                ingress_sources(name),
                {(service.port, groups[f"{name}-clients"]["GroupId"]), *([(service.port, lb)] if lb else [])},
            )
        # The ECS service, its desired count, its groups (own + dependencies' -clients) and env vars.
        found = ecs.describe_services(cluster=account.cluster_arn, services=[name], include=["TAGS"])["services"]
        found = [s for s in found if s.get("status") != "INACTIVE"]
        if service.is_job:
            checks.eq(f"job {name} has no ECS service", found, [])
            verify_job(endpoint, service, account, groups, checks)
            continue
        checks.eq(f"ECS service {name} exists", len(found), 1)
        if found:
            svc = found[0]
            # Terraform creates the service with 0 tasks: nothing is pulled from the empty ECR
            # repository before the first deploy, which sets the spec's count.
            checks.eq(f"ECS service {name} desired count before the first deploy", svc["desiredCount"], 0)
            repos = c("ecr").describe_repositories(repositoryNames=[name])["repositories"]
            checks.eq(f"ECR repository {name} is immutable", repos[0]["imageTagMutability"], "IMMUTABLE")
            check_tags(checks, f"ECS service {name}", tags_of(svc.get("tags", [])), name, owner)
            joined = set(svc["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"])
            # Only network dependencies (databases, caches, services) put a group on the ENI.
            network = {d for d in service.depends_on_datastores if kinds.get(d) in ("postgres", "mysql", "redis")}
            wanted = {name, *service.depends_on_services, *network}
            for dep in sorted(wanted):
                group = dep if dep == name else f"{dep}-clients"
                checks.true(f"ECS service {name} joins {group}", groups.get(group, {}).get("GroupId") in joined)
            checks.eq(f"ECS service {name} joins nothing else", len(joined), len(wanted))
            task = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
            container = task["containerDefinitions"][0]
            env_file = service.env_file(ENV)
            want_env = {k: unicodedata.normalize("NFC", v) for k, v in (env_file.variables if env_file else ())}
            # Connection by convention: each service dependency's base URL (docs/deploying.md).
            for dep in service.depends_on_services:
                want_env[f"{dep.upper().replace('-', '_')}_URL"] = f"http://{dep}-internal.{ENV}.{account.dns_zone}"
            # ... and the IAM-authenticated database user, named like the service
            for dep in service.depends_on_datastores:
                found = repo.datastore_owner(dep)
                if found and found[1].type in ("postgres", "mysql"):
                    want_env[f"{dep.upper().replace('-', '_')}_USER"] = name
            got_env = {e["name"]: e["value"] for e in container.get("environment", [])}
            checks.eq(f"task definition {name} environment", got_env, want_env)
            if service.is_worker:
                verify_worker(endpoint, service, svc, container, checks)
        # DNS: no internal record (the internal name is the Service Connect client alias, which
        # the emulator does not serve), the external one for external ingress.
        internal = r53.list_resource_record_sets(HostedZoneId=account.dns_zone_id)["ResourceRecordSets"]
        checks.true(
            f"no Route 53 record {name}-internal (Service Connect alias)",
            not any(r["Name"].startswith(f"{name}-internal.") for r in internal),
        )
        zones = []
        if service.ingress and service.ingress.external:
            assert account.public_zone_id is not None and service.ingress.domain is not None
            zones.append((account.public_zone_id, f"{service.ingress.domain}."))
        for zone_id, record in zones:
            records = r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
            checks.true(f"DNS record {record}", any(r["Name"] == record and r["Type"] == "A" for r in records))
        if service.ingress and service.ingress.external:
            # the counterpart of a worker's "no target group": an exposed service's is found by its Name tag
            elbv2 = c("elbv2")
            arns = [t["TargetGroupArn"] for t in elbv2.describe_target_groups()["TargetGroups"]]
            names = [
                tags_of(d["Tags"]).get("Name")
                for i in range(0, len(arns), 20)
                for d in elbv2.describe_tags(ResourceArns=arns[i : i + 20])["TagDescriptions"]
            ]
            checks.true(f"target group {name}-external exists", f"{name}-external" in names)
        for datastore in service.datastores:
            ds = datastore.name
            # Only network datastores have a -clients group; queues, tables and buckets are IAM only.
            network_kind = datastore.type in ("postgres", "mysql", "redis")
            checks.eq(f"security group {ds}-clients exists iff network", f"{ds}-clients" in groups, network_kind)
            if datastore.type == "queue":
                url = sqs.get_queue_url(QueueName=ds)["QueueUrl"]
                attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                opts: Any = datastore.options
                checks.true(
                    f"queue {ds} encrypted",
                    attrs.get("SqsManagedSseEnabled") == "true" or "KmsMasterKeyId" in attrs,
                )
                checks.eq(
                    f"queue {ds} visibility", attrs.get("VisibilityTimeout"), str(opts.visibility_timeout_seconds)
                )
                checks.eq(
                    f"queue {ds} retention", attrs.get("MessageRetentionPeriod"), str(opts.message_retention_seconds)
                )
                redrive = yaml.safe_load(attrs.get("RedrivePolicy", "{}"))
                if opts.dead_letter_queue:
                    checks.eq(f"queue {ds} maxReceiveCount", int(redrive["maxReceiveCount"]), opts.max_receive_count)
                    checks.true(f"queue {ds} DLQ", str(redrive["deadLetterTargetArn"]).endswith(f":{ds}-dlq"))
                else:
                    checks.eq(f"queue {ds} has no redrive policy", redrive, {})
                check_tags(checks, f"queue {ds}", sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), name, owner)
            elif datastore.type == "table":
                table = ddb.describe_table(TableName=ds)["Table"]
                opts = datastore.options
                keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
                checks.eq(f"table {ds} keys", keys, {"HASH": opts.hash_key, "RANGE": opts.range_key})
                pitr = ddb.describe_continuous_backups(TableName=ds)["ContinuousBackupsDescription"]
                checks.eq(
                    f"table {ds} PITR",
                    pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
                    "ENABLED",
                )
                checks.eq(f"table {ds} SSE", table.get("SSEDescription", {}).get("Status"), "ENABLED")
                tags = ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
                check_tags(checks, f"table {ds}", tags_of(tags), name, owner)
            elif datastore.type in ("postgres", "mysql"):
                db = c("rds").describe_db_instances(DBInstanceIdentifier=ds)["DBInstances"][0]
                opts = datastore.options
                checks.eq(f"database {ds} engine", db["Engine"], opts.engine)
                checks.eq(f"database {ds} class", db["DBInstanceClass"], opts.instance_class)
                checks.eq(f"database {ds} storage", db["AllocatedStorage"], opts.storage_gb)
                checks.true(f"database {ds} encrypted", db["StorageEncrypted"])
                checks.eq(f"database {ds} public", db["PubliclyAccessible"], False)
                checks.true(f"database {ds} backups", db["BackupRetentionPeriod"] >= 7)
                db_groups = {g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]}
                checks.eq(f"database {ds} security groups", db_groups, {groups.get(ds, {}).get("GroupId")})
                if ds in groups and f"{ds}-clients" in groups:
                    checks.true(
                        f"{ds} admits {ds}-clients on {db['Endpoint']['Port']}",
                        (db["Endpoint"]["Port"], groups[f"{ds}-clients"]["GroupId"]) in ingress_sources(ds),
                    )
                check_tags(checks, f"database {ds}", tags_of(db.get("TagList", [])), name, owner)
            elif datastore.type == "bucket":
                bucket = f"{ds}-{account.account_id}"
                checks.eq(
                    f"bucket {bucket} versioning", s3.get_bucket_versioning(Bucket=bucket).get("Status"), "Enabled"
                )
                block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
                checks.eq(f"bucket {bucket} public access block", set(block.values()), {True})
                rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
                checks.true(f"bucket {bucket} encrypted", bool(rules))
                tags = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
                check_tags(checks, f"bucket {bucket}", tags_of(tags), name, owner)


def verify_job(endpoint: str, service: Service, account: Account, groups: dict[str, Any], checks: Checks) -> None:
    """A job is a schedule, not a service: EventBridge Scheduler runs one Fargate task of the job's
    family on the account's cluster, in its subnets and its own group, as its own Scheduler role,
    and two EventBridge rules count the runs that failed to start or exited non-zero (README, Jobs)."""
    name, schedule = service.name, service.schedule
    assert schedule is not None
    got = h.client(endpoint, "scheduler").get_schedule(Name=name, GroupName=name)
    target = got["Target"]
    ecs_target = target.get("EcsParameters", {})
    network = ecs_target.get("NetworkConfiguration", {}).get("awsvpcConfiguration", {})
    checks.eq(
        f"job {name} schedule",
        (got["ScheduleExpression"], got.get("ScheduleExpressionTimezone")),
        (schedule.expression, schedule.timezone),
    )
    checks.eq(f"job {name} schedule state", got.get("State"), "ENABLED")
    checks.eq(f"job {name} schedule targets the cluster", target["Arn"], account.cluster_arn)
    checks.true(
        f"job {name} schedule runs its own family",
        ecs_target.get("TaskDefinitionArn", "").split(":task-definition/")[-1].split(":")[0] == name,
    )
    checks.eq(
        f"job {name} runs one Fargate task", (ecs_target.get("TaskCount"), ecs_target.get("LaunchType")), (1, "FARGATE")
    )
    checks.eq(
        f"job {name} runs in the account's subnets", sorted(network.get("Subnets", [])), sorted(account.subnet_ids)
    )
    checks.eq(
        f"job {name} tasks join their own group", network.get("SecurityGroups"), [groups.get(name, {}).get("GroupId")]
    )
    checks.eq(f"job {name} tasks have no public IP", network.get("AssignPublicIp"), "DISABLED")
    checks.true(f"job {name} runs as its Scheduler role", target["RoleArn"].endswith(f":role/{name}-scheduler"))
    checks.eq(f"job {name} retries", target.get("RetryPolicy", {}).get("MaximumRetryAttempts"), schedule.retries)
    rules = {r["Name"]: r for r in h.client(endpoint, "events").list_rules(NamePrefix=f"{name}-")["Rules"]}
    for rule, stop_code in (
        (f"{name}-never-started", "TaskFailedToStart"),
        (f"{name}-failed-runs", "EssentialContainerExited"),
    ):
        pattern = json.loads(rules.get(rule, {}).get("EventPattern", "{}"))
        checks.eq(
            f"rule {rule} matches the family's stopped tasks",
            pattern.get("detail", {}).get("group"),
            [f"family:{name}"],
        )
        checks.eq(f"rule {rule} stop code", pattern.get("detail", {}).get("stopCode"), [stop_code])
    print(
        f"  job {name}: schedule {got['ScheduleExpression']} ({got.get('ScheduleExpressionTimezone')}) -> {target['Arn']} {ecs_target.get('TaskDefinitionArn')}",
        flush=True,
    )


def verify_worker(
    endpoint: str, service: Service, svc: dict[str, Any], container: dict[str, Any], checks: Checks
) -> None:
    """A worker serves nothing: no load balancer, no target group, no Service Connect alias, no
    HTTP port; its health is the container health check command (README, Workers)."""
    name = service.name
    checks.eq(f"worker {name} has no load balancer", svc.get("loadBalancers"), [])
    checks.eq(f"worker {name} has no service registry", svc.get("serviceRegistries", []), [])
    # moto 5.2.6 neither stores nor returns serviceConnectConfiguration (nor the deployments'), so
    # "a Service Connect client only, no alias" cannot be read back from the emulator; checked only
    # if it ever is returned.
    connect = svc.get("serviceConnectConfiguration")
    if connect is not None:
        checks.eq(f"worker {name} is a Service Connect client", connect.get("enabled"), True)
        checks.eq(f"worker {name} has no Service Connect alias", connect.get("services", []), [])
    mappings = [(p.get("name"), p.get("containerPort")) for p in container.get("portMappings", [])]
    checks.eq(f"worker {name} maps only the metrics port (no http)", mappings, [("metrics", service.metrics_port)])
    health = container.get("healthCheck", {})
    checks.eq(
        f"worker {name} health check command", health.get("command"), list(service.container_health_check() or ())
    )
    checks.eq(
        f"worker {name} health check timing",
        {k: health.get(k) for k in ("interval", "timeout", "retries", "startPeriod")},
        {"interval": 30, "timeout": 5, "retries": 3, "startPeriod": 60},
    )
    # Target groups are created with name_prefix (the name's first 6 characters) and a Name tag
    # <name>-<load balancer>; the worker has neither.
    elbv2 = h.client(endpoint, "elbv2")
    target_groups = elbv2.describe_target_groups()["TargetGroups"]
    arns = [t["TargetGroupArn"] for t in target_groups]
    tagged = [
        tags_of(d["Tags"]).get("Name", "")
        for i in range(0, len(arns), 20)
        for d in elbv2.describe_tags(ResourceArns=arns[i : i + 20])["TagDescriptions"]
    ]
    checks.eq(
        f"no target group named after worker {name}",
        [t["TargetGroupName"] for t in target_groups if t["TargetGroupName"].startswith(name[:6])]
        + [n for n in tagged if n.startswith(f"{name}-")],
        [],
    )


def verify_alerting(endpoint: str, repo_root: Path, checks: Checks) -> None:
    """Alarms of every service and datastore exist and notify the owner team's encrypted topic,
    which has the team's subscriptions; a dashboard exists per service and environment."""
    repo = load_repo(repo_root)
    account = repo.account(ENV)
    cloudwatch, sns = h.client(endpoint, "cloudwatch"), h.client(endpoint, "sns")
    alarms = cloudwatch.describe_alarms()["MetricAlarms"]
    dashboards = {d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"]}
    for service in repo.services:
        topic = topic_arn(service.owner, account)
        attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        checks.true(
            f"topic {topic} encrypted with a KMS key", attrs.get("KmsMasterKeyId", "").startswith("arn:aws:kms:")
        )
        team = repo.teams.get(service.owner)
        route = team.route(ENV) if team else None
        subscribed = {s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
        checks.eq(f"topic {topic} subscriptions", subscribed, set(route.email if route else ()))
        prefixes = [service.name, *(d.name for d in service.datastores if alarm_module(d.type))]
        mine = [a for a in alarms if any(a["AlarmName"].startswith(f"{p}-") for p in prefixes)]
        names = {a["AlarmName"] for a in mine}
        # No missing-tasks alarm: the e2e account does not declare Container Insights. Every service
        # has the Service Connect error-rate and latency alarms, exposed or not; a worker, which
        # serves nothing, has neither.
        connect = (f"{service.name}-5xx-rate-connect", f"{service.name}-p99-latency-connect")
        if service.is_job:
            runs = ("failed-invocations", "never-started", "failed-runs")
            checks.eq(f"job {service.name} alarms", sorted(names), sorted(f"{service.name}-{r}" for r in runs))
        for wanted in (
            ()
            if service.is_job
            else (f"{service.name}-cpu", f"{service.name}-memory", *(() if service.is_worker else connect))
        ):
            checks.true(f"alarm {wanted} exists", wanted in names)
        if service.is_worker:
            checks.eq(f"worker {service.name} has no Service Connect alarms", sorted(names & set(connect)), [])
        for datastore in service.datastores:
            if alarm_module(datastore.type):
                checks.true(f"alarms of {datastore.name} exist", any(n.startswith(f"{datastore.name}-") for n in names))
        for alarm in mine:
            checks.eq(f"alarm {alarm['AlarmName']} actions", alarm["AlarmActions"], [topic])
            checks.eq(f"alarm {alarm['AlarmName']} OK actions", alarm["OKActions"], [topic])
        dashboard = f"{service.name}-{ENV}"
        checks.true(f"dashboard {dashboard} exists", dashboard in dashboards)
        if dashboard in dashboards:
            body = json.loads(cloudwatch.get_dashboard(DashboardName=dashboard)["DashboardBody"])
            if service.is_job:
                titles = [w.get("properties", {}).get("title", "") for w in body.get("widgets", [])]
                checks.true(
                    f"dashboard {dashboard} has the job's widgets",
                    {f"{service.name}: scheduled runs", f"{service.name}: failed runs"} <= set(titles),
                )
            elif service.is_worker:
                # CPU and memory, tasks (and its datastores'); no Service Connect or load balancer widgets
                titles = [w.get("properties", {}).get("title", "") for w in body.get("widgets", [])]
                checks.true(
                    f"dashboard {dashboard} has the worker's widgets",
                    {f"{service.name}: CPU and memory (%)", f"{service.name}: tasks"} <= set(titles),
                )
                checks.eq(
                    f"dashboard {dashboard} has no request widgets",
                    [t for t in titles if "Service Connect" in t or "requests" in t or "targets" in t],
                    [],
                )
            else:
                checks.true(f"dashboard {dashboard} has widgets", len(body.get("widgets", [])) >= 6)
        print(f"  alerting {service.name}: {len(mine)} alarms -> {topic}", flush=True)


def leftovers(endpoint: str, infra: h.Infra) -> list[str]:
    """Everything the projects could have created that still exists (the pre-made infra excluded)."""
    c = lambda service: h.client(endpoint, service)  # noqa: E731
    found: list[str] = []
    premade = {infra.internal["securityGroupId"], infra.external["securityGroupId"]}
    for g in c("ec2").describe_security_groups()["SecurityGroups"]:
        if g["GroupName"] != "default" and g["GroupId"] not in premade:
            found.append(f"security group {g['GroupName']}")
    found += [f"queue {u}" for u in c("sqs").list_queues().get("QueueUrls", [])]
    found += [f"table {t}" for t in c("dynamodb").list_tables()["TableNames"]]
    found += [f"bucket {b['Name']}" for b in c("s3").list_buckets()["Buckets"]]
    arns = c("ecs").list_services(cluster=infra.cluster_arn)["serviceArns"]
    described = c("ecs").describe_services(cluster=infra.cluster_arn, services=arns)["services"] if arns else []
    found += [f"ECS service {s['serviceName']}" for s in described if s["status"] != "INACTIVE"]
    found += [f"DB instance {d['DBInstanceIdentifier']}" for d in c("rds").describe_db_instances()["DBInstances"]]
    found += [
        f"DB subnet group {g['DBSubnetGroupName']}" for g in c("rds").describe_db_subnet_groups()["DBSubnetGroups"]
    ]
    found += [f"task definition {a}" for a in c("ecs").list_task_definitions(status="ACTIVE")["taskDefinitionArns"]]
    found += [f"log group {g['logGroupName']}" for g in c("logs").describe_log_groups()["logGroups"]]
    found += [f"IAM role {r['RoleName']}" for r in c("iam").list_roles()["Roles"]]
    found += [f"target group {t['TargetGroupName']}" for t in c("elbv2").describe_target_groups()["TargetGroups"]]
    found += [f"schedule {s['GroupName']}/{s['Name']}" for s in c("scheduler").list_schedules()["Schedules"]]
    found += [f"event rule {r['Name']}" for r in c("events").list_rules()["Rules"]]
    for listener in (infra.internal["listenerArn"], infra.external["listenerArn"]):
        rules = c("elbv2").describe_rules(ListenerArn=listener)["Rules"]
        found += [f"listener rule {r['Priority']}" for r in rules if not r.get("IsDefault")]
    found += [f"ECR repository {r['repositoryName']}" for r in c("ecr").describe_repositories()["repositories"]]
    for zone in (infra.zone_id, infra.public_zone_id):
        records = c("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
        found += [f"DNS record {r['Name']}" for r in records if r["Type"] not in ("NS", "SOA")]
    found += [f"alarm {a['AlarmName']}" for a in c("cloudwatch").describe_alarms()["MetricAlarms"]]
    found += [f"dashboard {d['DashboardName']}" for d in c("cloudwatch").list_dashboards()["DashboardEntries"]]
    found += [f"topic {t['TopicArn']}" for t in c("sns").list_topics()["Topics"]]
    return found


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_atlantis_projects_apply_against_the_emulator(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if not e2e_requested(request.config):
        pytest.skip("the e2e apply runs only with `make e2e` (pytest tests/e2e): it takes minutes")
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: the e2e apply needs it")
    started = time.monotonic()
    steps: list[Step] = []
    checks = Checks()

    def tf(project: str, cwd: Path, *args: str, ok: tuple[int, ...] = (0,)) -> Step:
        begun = time.monotonic()
        done = run_terraform([*args, "-no-color"] if args[0] != "output" else list(args), cwd, timeout=1800)
        step = Step(project, " ".join(args), time.monotonic() - begun, done.returncode, done.stdout + done.stderr)
        steps.append(step)
        print(f"  {project}: terraform {step.command} -> {step.code} ({step.seconds:.1f}s)", flush=True)
        assert step.code in ok, f"{project}: terraform {step.command} exited {step.code}:\n{step.output[-6000:]}"
        return step

    with h.moto_server() as endpoint:
        print(f"\ne2e: moto server at {endpoint}", flush=True)
        infra = h.provision(endpoint)
        repo_root = h.make_repo(tmp_path / "repo", infra)
        result = api.generate(repo_root)
        print(f"e2e: infragen gen wrote {len(result.changes)} files", flush=True)
        generated = tree_hashes(repo_root / "accounts")
        atlantis = yaml.safe_load((repo_root / "atlantis.yaml").read_text(encoding="utf-8"))
        projects = sorted(
            (p for p in atlantis["projects"] if p["dir"].startswith(f"accounts/{ENV}/")),
            key=lambda p: (p["execution_order_group"], p["name"]),
        )
        assert projects, "the fixture has no projects in the e2e account"
        work = tmp_path / "work"
        work.mkdir()
        shutil.copytree(repo_root / "accounts", work / "accounts", symlinks=True)
        shutil.copytree(repo_root / "modules", work / "modules", symlinks=True)
        override = h.override(endpoint)
        added = destroyed = 0
        for project in projects:
            name, cwd = project["name"], work / project["dir"]
            (cwd / "zz_e2e_override.tf").write_text(override, encoding="utf-8")
            tf(name, cwd, "init", "-input=false")
            tf(name, cwd, "plan", "-input=false", "-out=tfplan")
            # the Atlantis workflow's plan guard on the real first plan of every project (team
            # roots included): infragen plan-check with the spec's context must find nothing
            shown = run_terraform(["show", "-json", "tfplan"], cwd)
            assert shown.returncode == 0, shown.stderr
            context = plancheck.context_for(repo_root, api.validate(repo_root), name)
            report = plancheck.check(json.loads(shown.stdout), context)
            checks.eq(f"{name}: plan-check on the first plan", [str(v) for v in report.violations], [])
            added += h.counted(tf(name, cwd, "apply", "-input=false", "tfplan").output, "added")
        verify(endpoint, repo_root, checks)
        verify_alerting(endpoint, repo_root, checks)
        drift: list[str] = []
        for project in projects:
            cwd = work / project["dir"]
            step = tf(project["name"], cwd, "plan", "-input=false", "-detailed-exitcode", "-out=replan", ok=(0, 2))
            if step.code == 2:
                shown = run_terraform(["show", "-json", "replan"], cwd)
                assert shown.returncode == 0, shown.stderr
                unexplained, explained = h.replan_drift(json.loads(shown.stdout))
                drift += [f"{project['name']}: {d}" for d in explained]
                checks.eq(f"{project['name']}: second plan changes nothing (beyond emulator gaps)", unexplained, [])
            else:
                checks.eq(f"{project['name']}: second plan", step.code, 0)
        for project in reversed(projects):
            step = tf(project["name"], work / project["dir"], "destroy", "-input=false", "-auto-approve")
            destroyed += h.counted(step.output, "destroyed")
        left = leftovers(endpoint, infra)
        checks.eq("resources left after destroy", left, [])
        # The generated files were never touched: same bytes, and gen --check is clean.
        for project in projects:
            (work / project["dir"] / "zz_e2e_override.tf").unlink()
        for rel, digest in generated.items():
            checks.eq(f"generated file {rel} unchanged", tree_hashes(work / "accounts").get(rel), digest)
        checks.eq("infragen gen --check after the run", api.generate(repo_root, check=True).changes, [])
    wall = time.monotonic() - started
    print(
        f"\ne2e summary: {len(projects)} projects applied, {added} resources added, {destroyed} destroyed, "
        f"{checks.count} checks ({len(checks.failures)} failed), "
        f"{len(drift)} second-plan diffs explained by emulator gaps, "
        f"{sum(1 for s in steps if s.command.startswith(('plan', 'apply', 'destroy', 'init')))} terraform runs, "
        f"wall time {wall:.0f}s"
    )
    for item in drift:
        print(f"  emulator drift (see docs/testing.md): {item}")
    assert added == destroyed, f"applied {added} resources but destroyed {destroyed}"
    assert not checks.failures, "\n".join(checks.failures)
