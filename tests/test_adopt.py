"""`infragen adopt`: the address and import ID of each resource type that exists under its
conventional name (moto in-process on plan fixtures), the verdict on the last plan, the rounds of
the run, the file itself, and `gen` leaving it alone. tests/e2e/test_adopt.py runs it for real."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from tfenv import run_terraform, terraform_binary

from generator import api
from generator.deploy.aws import Aws
from generator.tools import adopt as lib
from generator.tools.patterns import when_modified_match

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "adopt"
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's account
INLINE_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:GetQueueUrl", "Resource": "*"}]}
)
ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}
        ],
    }
)


def change(
    address: str, kind: str, after: Mapping[str, Any], actions: tuple[str, ...] = ("create",), **unknown: Any
) -> dict[str, Any]:
    """One entry of a plan's resource_changes, as `terraform show -json` writes it."""
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "change": {"actions": list(actions), "after": dict(after), "after_unknown": unknown},
    }


def plan(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1.2", "resource_changes": list(changes)}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    from moto import mock_aws

    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield Aws(region=REGION)


SVC = "module.service.module.ecs_service"


def test_each_existing_resource_is_imported_at_its_address_with_the_documented_id(aws: Aws) -> None:
    c = aws.client
    vpc = c("ec2").create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    group = c("ec2").create_security_group(GroupName="lemon", Description="tasks", VpcId=vpc)["GroupId"]
    c("logs").create_log_group(logGroupName="/ecs/lemon")
    c("ecr").create_repository(repositoryName="lemon")
    c("iam").create_role(RoleName="lemon-task", AssumeRolePolicyDocument=ROLE_POLICY)
    c("iam").put_role_policy(RoleName="lemon-task", PolicyName="lemon-task", PolicyDocument=INLINE_POLICY)
    policy = c("iam").create_policy(
        PolicyName="lemon-execute-command",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:ListTasks", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    cluster = c("ecs").create_cluster(clusterName="e2e")["cluster"]["clusterArn"]
    family = c("ecs").register_task_definition(
        family="lemon", containerDefinitions=[{"name": "lemon", "image": "x", "memory": 512}]
    )
    c("ecs").create_service(
        cluster="e2e", serviceName="lemon", taskDefinition=family["taskDefinition"]["taskDefinitionArn"], desiredCount=0
    )
    target_group = c("elbv2").create_target_group(
        Name="lemon-abc",
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc,
        TargetType="ip",
        Tags=[{"Key": "Name", "Value": "lemon-external"}],
    )["TargetGroups"][0]["TargetGroupArn"]
    url = c("sqs").create_queue(QueueName="lemon-jobs")["QueueUrl"]
    statement = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sqs:SendMessage", "Resource": "*"}
    queue_policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    c("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy})
    c("dynamodb").create_table(
        TableName="lemon-orders",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    bucket = f"lemon-files-{ACCOUNT}"
    c("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    c("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    c("s3").put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        },
    )
    c("ssm").put_parameter(Name="/infragen/e2e/lemon-jobs/url", Value=url, Type="String")
    topic = c("sns").create_topic(Name="lemon-events")["TopicArn"]
    c("cloudwatch").put_metric_alarm(
        AlarmName="lemon-cpu",
        MetricName="CPUUtilization",
        Namespace="AWS/ECS",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=80,
        ComparisonOperator="GreaterThanThreshold",
    )
    c("events").put_rule(Name="lemon-failed-runs", EventPattern=json.dumps({"source": ["aws.ecs"]}))
    c("scheduler").create_schedule_group(Name="lemon")
    c("rds").create_db_subnet_group(
        DBSubnetGroupName="lemon-db",
        DBSubnetGroupDescription="db",
        SubnetIds=[c("ec2").create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]],
    )
    found = lib.find(
        plan(
            change(f"{SVC}.aws_cloudwatch_log_group.this", "aws_cloudwatch_log_group", {"name": "/ecs/lemon"}),
            change(f"{SVC}.aws_ecr_repository.this", "aws_ecr_repository", {"name": "lemon"}),
            change(f"{SVC}.aws_iam_role.task", "aws_iam_role", {"name": "lemon-task"}),
            change(f"{SVC}.aws_iam_role.execution", "aws_iam_role", {"name": "lemon-execution"}),  # absent
            change(
                f"{SVC}.aws_iam_role_policy.task[0]",
                "aws_iam_role_policy",
                {"name": "lemon-task", "role": "lemon-task"},
            ),
            change(
                f"{SVC}.aws_iam_policy.execute_command[0]",
                "aws_iam_policy",
                {"name": "lemon-execute-command", "path": "/"},
            ),
            change(f"{SVC}.aws_ecs_service.this[0]", "aws_ecs_service", {"name": "lemon", "cluster": cluster}),
            change(
                f'{SVC}.aws_lb_target_group.this["external"]',
                "aws_lb_target_group",
                {"tags": {"Name": "lemon-external"}, "vpc_id": vpc},
            ),
            change(
                "module.service.module.client_access.aws_security_group.this[0]",
                "aws_security_group",
                {"name": "lemon", "vpc_id": vpc},
            ),
            change("module.lemon_jobs.module.sqs.aws_sqs_queue.this", "aws_sqs_queue", {"name": "lemon-jobs"}),
            change(
                "module.lemon_jobs.module.sqs.aws_sqs_queue_policy.this", "aws_sqs_queue_policy", {"queue_url": url}
            ),
            change(
                "module.lemon_orders.module.dynamodb.aws_dynamodb_table.this",
                "aws_dynamodb_table",
                {"name": "lemon-orders"},
            ),
            change("module.lemon_files.module.s3.aws_s3_bucket.this", "aws_s3_bucket", {"bucket": bucket}),
            change(
                "module.lemon_files.module.s3.aws_s3_bucket_versioning.this",
                "aws_s3_bucket_versioning",
                {"bucket": bucket},
            ),
            change(
                "module.lemon_files.module.s3.aws_s3_bucket_public_access_block.this",
                "aws_s3_bucket_public_access_block",
                {"bucket": bucket},
            ),
            change(
                "module.lemon_files.module.s3.aws_s3_bucket_policy.this", "aws_s3_bucket_policy", {"bucket": bucket}
            ),  # none set
            change(
                'module.lemon_jobs.aws_ssm_parameter.connection["url"]',
                "aws_ssm_parameter",
                {"name": "/infragen/e2e/lemon-jobs/url"},
            ),
            change("module.lemon_events.module.topic.aws_sns_topic.this", "aws_sns_topic", {"name": "lemon-events"}),
            change(
                'module.service.aws_cloudwatch_metric_alarm.this["cpu"]',
                "aws_cloudwatch_metric_alarm",
                {"alarm_name": "lemon-cpu"},
            ),
            change(
                'module.service.aws_cloudwatch_event_rule.runs["failed-runs"]',
                "aws_cloudwatch_event_rule",
                {"name": "lemon-failed-runs", "event_bus_name": "default"},
            ),
            change(f"{SVC}.aws_scheduler_schedule_group.this[0]", "aws_scheduler_schedule_group", {"name": "lemon"}),
            change("module.lemon_db.module.rds.aws_db_subnet_group.this", "aws_db_subnet_group", {"name": "lemon-db"}),
            change(
                f"{SVC}.aws_ecs_task_definition.this", "aws_ecs_task_definition", {"family": "lemon"}
            ),  # never imported
        ),
        aws,
    )
    assert {i.address: i.id for i in found} == {
        f"{SVC}.aws_cloudwatch_log_group.this": "/ecs/lemon",
        f"{SVC}.aws_ecr_repository.this": "lemon",
        f"{SVC}.aws_iam_role.task": "lemon-task",
        f"{SVC}.aws_iam_role_policy.task[0]": "lemon-task:lemon-task",
        f"{SVC}.aws_iam_policy.execute_command[0]": policy,
        f"{SVC}.aws_ecs_service.this[0]": "e2e/lemon",
        f'{SVC}.aws_lb_target_group.this["external"]': target_group,
        "module.service.module.client_access.aws_security_group.this[0]": group,
        "module.lemon_jobs.module.sqs.aws_sqs_queue.this": url,
        "module.lemon_jobs.module.sqs.aws_sqs_queue_policy.this": url,
        "module.lemon_orders.module.dynamodb.aws_dynamodb_table.this": "lemon-orders",
        "module.lemon_files.module.s3.aws_s3_bucket.this": bucket,
        "module.lemon_files.module.s3.aws_s3_bucket_versioning.this": bucket,
        "module.lemon_files.module.s3.aws_s3_bucket_public_access_block.this": bucket,
        'module.lemon_jobs.aws_ssm_parameter.connection["url"]': "/infragen/e2e/lemon-jobs/url",
        "module.lemon_events.module.topic.aws_sns_topic.this": topic,
        'module.service.aws_cloudwatch_metric_alarm.this["cpu"]': "lemon-cpu",
        'module.service.aws_cloudwatch_event_rule.runs["failed-runs"]': "lemon-failed-runs",
        f"{SVC}.aws_scheduler_schedule_group.this[0]": "lemon",
        "module.lemon_db.module.rds.aws_db_subnet_group.this": "lemon-db",
    }


def test_a_name_known_only_after_the_apply_is_looked_up_in_a_later_round(aws: Aws) -> None:
    aws.client("iam").create_role(RoleName="lemon-task", AssumeRolePolicyDocument=ROLE_POLICY)
    aws.client("iam").put_role_policy(RoleName="lemon-task", PolicyName="lemon-task", PolicyDocument=INLINE_POLICY)
    unknown_role = change(
        f"{SVC}.aws_iam_role_policy.task[0]", "aws_iam_role_policy", {"name": "lemon-task"}, role=True
    )
    assert lib.find(plan(unknown_role), aws) == []


def test_only_creates_are_looked_up(aws: Aws) -> None:
    aws.client("logs").create_log_group(logGroupName="/ecs/lemon")
    updated = change(
        f"{SVC}.aws_cloudwatch_log_group.this", "aws_cloudwatch_log_group", {"name": "/ecs/lemon"}, actions=("update",)
    )
    assert lib.find(plan(updated), aws) == []


def test_every_resource_type_of_the_modules_is_adopted_or_says_why_not() -> None:
    types = set()
    for path in (REPO / "modules").rglob("*.tf"):
        if ".terraform" not in path.parts and "tests" not in path.parts:
            types |= set(re.findall(r'^resource "([a-z0-9_]+)"', path.read_text(encoding="utf-8"), re.M))
    assert types - lib.ADOPTERS.keys() - lib.NOT_ADOPTED.keys() == set()
    assert not lib.ADOPTERS.keys() & lib.NOT_ADOPTED.keys()
    for adopter in lib.ADOPTERS.values():
        assert (
            adopter.docs
            == f"https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/{adopter.type[4:]}#import"
        )


# -- the verdict and the rounds -------------------------------------------------------------------


def test_the_verdict_refuses_destroys_replacements_and_creates_of_what_exists() -> None:
    last = plan(
        change("module.a.aws_db_instance.this", "aws_db_instance", {}, actions=("delete", "create")),
        change("module.b.aws_sqs_queue.this", "aws_sqs_queue", {}, actions=("delete",)),
        change("module.c.aws_iam_role.task", "aws_iam_role", {}, actions=("update",)),
        change("module.d.aws_iam_role.x", "aws_iam_role", {}, actions=("no-op",)),
    )
    existing = [lib.Import("module.e.aws_ssm_parameter.p", "/p", "aws_ssm_parameter", "/p")]
    problems, updates = lib.verdict(last, existing)
    assert problems == [
        "module.a.aws_db_instance.this: would be replaced (destroyed and created again)",
        "module.b.aws_sqs_queue.this: would be destroyed",
        "module.e.aws_ssm_parameter.p: would be created, but aws_ssm_parameter /p exists (import id /p)",
    ]
    assert updates == ["module.c.aws_iam_role.task"]


class Planner:
    """A fake Terraform: the next plan each time it is asked, and the adopt.tf it saw then."""

    def __init__(self, *plans: dict[str, Any]) -> None:
        self.plans = list(plans)
        self.seen: list[str | None] = []

    def __call__(self, directory: Path) -> Mapping[str, Any]:
        path = directory / lib.ADOPT_FILE
        self.seen.append(path.read_text(encoding="utf-8") if path.exists() else None)
        return self.plans.pop(0)


def test_a_run_writes_imports_in_rounds_and_the_next_run_removes_the_file(tmp_path: Path, aws: Aws) -> None:
    aws.client("iam").create_role(RoleName="lemon-task", AssumeRolePolicyDocument=ROLE_POLICY)
    aws.client("iam").put_role_policy(RoleName="lemon-task", PolicyName="lemon-task", PolicyDocument=INLINE_POLICY)
    (tmp_path / "root").mkdir()
    role = change(f"{SVC}.aws_iam_role.task", "aws_iam_role", {"name": "lemon-task"})
    inline = {"name": "lemon-task"}
    imported_role = change(f"{SVC}.aws_iam_role.task", "aws_iam_role", {"name": "lemon-task"}, actions=("update",))
    planner = Planner(
        plan(role, change(f"{SVC}.aws_iam_role_policy.task[0]", "aws_iam_role_policy", inline, role=True)),
        plan(
            imported_role,
            change(f"{SVC}.aws_iam_role_policy.task[0]", "aws_iam_role_policy", {**inline, "role": "lemon-task"}),
        ),
        plan(
            imported_role,
            change(
                f"{SVC}.aws_iam_role_policy.task[0]",
                "aws_iam_role_policy",
                {**inline, "role": "lemon-task"},
                actions=("update",),
            ),
        ),
    )
    outcome = lib.adopt(tmp_path, "root", "lemon", "e2e", aws, planner)
    assert [i.address for i in outcome.imports] == [f"{SVC}.aws_iam_role.task", f"{SVC}.aws_iam_role_policy.task[0]"]
    assert outcome.written and not outcome.removed and not outcome.problems
    assert planner.seen[0] is None and "aws_iam_role.task\n" in str(planner.seen[1])
    assert "aws_iam_role_policy.task[0]" in str(planner.seen[2])
    assert outcome.updates == (f"{SVC}.aws_iam_role.task", f"{SVC}.aws_iam_role_policy.task[0]")
    text = (tmp_path / "root" / lib.ADOPT_FILE).read_text(encoding="utf-8")
    assert 'id = "lemon-task:lemon-task"' in text

    # after the apply: nothing is created any more, the file goes
    again = Planner(
        plan(change(f"{SVC}.aws_iam_role.task", "aws_iam_role", {"name": "lemon-task"}, actions=("no-op",)))
    )
    outcome = lib.adopt(tmp_path, "root", "lemon", "e2e", aws, again)
    assert again.seen == [None]
    assert outcome.removed and not outcome.imports and not (tmp_path / "root" / lib.ADOPT_FILE).exists()
    assert outcome.text() == "removed root/adopt.tf: every resource it imported is in the state"


def test_a_run_whose_plan_replaces_an_adopted_object_is_refused(tmp_path: Path, aws: Aws) -> None:
    aws.client("ecr").create_repository(repositoryName="lemon")
    (tmp_path / "root").mkdir()
    address = f"{SVC}.aws_ecr_repository.this"
    planner = Planner(
        plan(change(address, "aws_ecr_repository", {"name": "lemon"})),
        plan(change(address, "aws_ecr_repository", {"name": "lemon"}, actions=("delete", "create"))),
    )
    outcome = lib.adopt(tmp_path, "root", "lemon", "e2e", aws, planner)
    assert outcome.problems == (f"{address}: would be replaced (destroyed and created again)",)
    error = lib.refusal(outcome)
    assert isinstance(error, lib.AdoptError)
    assert f"{address}: would be replaced" in str(error) and "root/adopt.tf" in str(error)


# -- the file ------------------------------------------------------------------------------------


def test_the_file_is_headed_escaped_and_fmt_clean(tmp_path: Path) -> None:
    imports = [
        lib.Import('module.b.aws_ssm_parameter.connection["url"]', "/x/${y}", "aws_ssm_parameter", "/x/${y}\nz"),
        lib.Import("module.a.aws_iam_role.task", "lemon-task", "aws_iam_role", "lemon-task"),
    ]
    text = lib.content("lemon", "e2e", imports)
    assert text.startswith("# Written by `infragen adopt lemon --env e2e`; DO NOT EDIT.\n")
    assert text.index("module.a.aws_iam_role.task") < text.index("module.b.")  # sorted by address
    assert 'id = "/x/$${y}"' in text and "# aws_ssm_parameter /x/${y} z\n" in text
    with pytest.raises(Exception, match="not a resource address"):
        lib.content("lemon", "e2e", [lib.Import("module.a.x\n}", "i", "t", "n")])
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: fmt is its judge")
    (tmp_path / "adopt.tf").write_text(text, encoding="utf-8")
    done = run_terraform(["fmt", "-check", "-diff", "adopt.tf"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_gen_neither_deletes_nor_counts_the_adopt_file(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    shutil.copytree(REPO / "modules", root / "modules", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    api.generate(root)
    path = root / "accounts" / "e2e" / "services" / "lemon" / lib.ADOPT_FILE
    text = lib.content(
        "lemon", "e2e", [lib.Import("module.a.aws_iam_role.task", "lemon-task", "aws_iam_role", "lemon-task")]
    )
    path.write_text(text, encoding="utf-8")
    assert api.generate(root, check=True).changes == []
    api.generate(root)
    assert path.read_text(encoding="utf-8") == text
    # Atlantis plans the root when the file is added or removed (its when_modified, as Atlantis matches it)
    (project,) = [
        p for p in yaml.safe_load((root / "atlantis.yaml").read_text())["projects"] if p["name"] == "e2e-lemon"
    ]
    assert when_modified_match(project["dir"], project["autoplan"]["when_modified"], f"{project['dir']}/adopt.tf")


def test_a_failed_first_plan_leaves_the_file_as_it_was(tmp_path: Path, aws: Aws) -> None:
    (tmp_path / "root").mkdir()
    path = tmp_path / "root" / lib.ADOPT_FILE
    path.write_text("# the reviewed file\n", encoding="utf-8")

    def failing(directory: Path) -> Mapping[str, Any]:
        raise lib.AdoptError("terraform plan exited 1")

    with pytest.raises(lib.AdoptError, match="exited 1"):
        lib.adopt(tmp_path, "root", "lemon", "e2e", aws, failing)
    assert path.read_text(encoding="utf-8") == "# the reviewed file\n"


def test_a_database_a_listener_rule_a_record_an_alias_and_a_scaling_target_by_their_documented_ids(aws: Aws) -> None:
    c = aws.client
    c("rds").create_db_instance(
        DBInstanceIdentifier="lemon-db",
        DBInstanceClass="db.t4g.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="lemon",
        MasterUserPassword="not-a-secret-1",
    )
    vpc = c("ec2").create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        c("ec2").create_subnet(VpcId=vpc, CidrBlock=f"10.2.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    lb = c("elbv2").create_load_balancer(Name="e2e-external", Subnets=subnets, Type="application")["LoadBalancers"][0]
    fixed = {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}
    listener = c("elbv2").create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[fixed]
    )
    listener_arn = listener["Listeners"][0]["ListenerArn"]
    condition = {"Field": "host-header", "Values": ["lemon.example.com"]}
    rule = c("elbv2").create_rule(ListenerArn=listener_arn, Priority=17, Conditions=[condition], Actions=[fixed])
    zone = (
        c("route53")
        .create_hosted_zone(Name="example.com", CallerReference="adopt")["HostedZone"]["Id"]
        .rsplit("/", 1)[-1]
    )
    record = {"Name": "lemon.example.com", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.0.0.1"}]}
    c("route53").change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": record}]}
    )
    key = c("kms").create_key()["KeyMetadata"]["KeyId"]
    c("kms").create_alias(AliasName="alias/lemon-cache", TargetKeyId=key)
    c("ecs").create_cluster(clusterName="e2e")
    container = {"name": "lemon", "image": "x", "memory": 512}
    revision = c("ecs").register_task_definition(family="lemon", containerDefinitions=[container])
    arn = revision["taskDefinition"]["taskDefinitionArn"]
    c("ecs").create_service(cluster="e2e", serviceName="lemon", taskDefinition=arn, desiredCount=0)
    c("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/e2e/lemon",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=4,
    )
    scaling = {
        "service_namespace": "ecs",
        "resource_id": "service/e2e/lemon",
        "scalable_dimension": "ecs:service:DesiredCount",
    }
    found = lib.find(
        plan(
            change("module.lemon_db.module.rds.aws_db_instance.this", "aws_db_instance", {"identifier": "lemon-db"}),
            change(
                f'{SVC}.aws_lb_listener_rule.this["external"]',
                "aws_lb_listener_rule",
                {"listener_arn": listener_arn, "priority": 17},
            ),
            change(
                "module.service.module.external_record[0].aws_route53_record.this",
                "aws_route53_record",
                {"zone_id": zone, "name": "lemon.example.com", "type": "A"},
            ),
            change("module.lemon_cache.aws_kms_alias.this", "aws_kms_alias", {"name": "alias/lemon-cache"}),
            change(f"{SVC}.aws_appautoscaling_target.this[0]", "aws_appautoscaling_target", scaling),
            change(
                f"{SVC}.aws_appautoscaling_policy.this[0]",
                "aws_appautoscaling_policy",
                {**scaling, "name": "lemon-cpu"},
            ),  # absent
        ),
        aws,
    )
    assert {i.address: i.id for i in found} == {
        "module.lemon_db.module.rds.aws_db_instance.this": "lemon-db",
        f'{SVC}.aws_lb_listener_rule.this["external"]': rule["Rules"][0]["RuleArn"],
        "module.service.module.external_record[0].aws_route53_record.this": f"{zone}_lemon.example.com_A",
        "module.lemon_cache.aws_kms_alias.this": "alias/lemon-cache",
        f"{SVC}.aws_appautoscaling_target.this[0]": "ecs/service/e2e/lemon/ecs:service:DesiredCount",
    }


def test_a_redis_replication_group_by_its_id(aws: Aws) -> None:
    try:
        aws.client("elasticache").create_replication_group(
            ReplicationGroupId="lemon-cache",
            ReplicationGroupDescription="cache",
            Engine="redis",
            CacheNodeType="cache.t4g.micro",
        )
    except Exception as exc:  # moto 5.2.6 may not implement it in-process
        pytest.skip(f"aws_elasticache_replication_group: moto cannot create a replication group ({exc})")
    address = "module.lemon_cache.module.elasticache.aws_elasticache_replication_group.this"
    created = change(address, "aws_elasticache_replication_group", {"replication_group_id": "lemon-cache"})
    assert [(i.address, i.id) for i in lib.find(plan(created), aws)] == [(address, "lemon-cache")]


def test_rules_made_by_hand_in_an_adopted_group_are_named(tmp_path: Path, aws: Aws) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="lemon", Description="tasks", VpcId=vpc)["GroupId"]
    permission = {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[permission])
    (tmp_path / "root").mkdir()
    address = "module.service.module.client_access.aws_security_group.this[0]"
    created = change(address, "aws_security_group", {"name": "lemon", "vpc_id": vpc})
    imported = change(address, "aws_security_group", {"name": "lemon", "vpc_id": vpc}, actions=("update",))
    outcome = lib.adopt(tmp_path, "root", "lemon", "e2e", aws, Planner(plan(created), plan(imported)))
    (note,) = outcome.notes
    # AWS gives every new group an egress rule to everywhere; the import keeps it
    assert f"security group lemon ({group}) has 2 rule(s) made by hand" in note
    assert "egress all to 0.0.0.0/0; ingress tcp 8080 from 10.0.0.0/8. Revoke them before the apply" in note
    assert f"note: {note}" in outcome.text()
