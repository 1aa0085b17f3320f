"""`infragen adopt`: resources made by hand under the conventional names, taken into a root's state
with Terraform's root-level ``import`` blocks (Terraform >= 1.5) instead of failing the first apply.

The addresses come from Terraform itself: a plan of the service's root lists every resource the
spec would create (``resource_changes`` with action ``create``), at its exact module address
(``module.service.module.ecs_service.aws_iam_role.task``) and with its planned arguments (the
conventional name). For each create whose type is in :data:`ADOPTERS`, a read-only AWS call asks
whether that name already exists and returns the import ID in the format the AWS provider
documents for the type. The found ones are written as ``import`` blocks into ``adopt.tf`` beside
the root's generated files, and the root is planned again: an object whose identifier is only
known once its parent is imported (an inline role policy names its role's ``id``, a bucket's
settings the bucket's ``id``) is found in the next round. The last plan is the verdict: the
command refuses (:class:`AdoptError`, every address named) while it would destroy or replace
anything, or still create an object that exists; updates in place are listed for review.

A run that finds nothing to import removes ``adopt.tf`` and says so: after the apply every
adopted resource is in the state, and the file has done its work.

``adopt.tf`` is not written by ``infragen gen``: its header is not the generator's
(``naming.HEADER_PREFIX``), so ``gen`` neither owns, rewrites nor deletes it, and ``gen --check``
does not count it. Atlantis plans it with the root (``*.tf*`` in every project's
``when_modified``).

What is not looked up, and why, is :data:`NOT_ADOPTED`: task definitions (a deploy registers
revisions anyway), security group rules (no name: an identical rule already in an adopted group
fails the apply with ``InvalidPermission.Duplicate``; delete it by hand), KMS keys (a new key is
made; an adopted alias is updated to point at it), SNS subscriptions and topic policies,
``terraform_data`` and Consul objects.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from generator import hcl
from generator.errors import InfragenError, InvariantError
from generator.render.jinja import render

ADOPT_FILE = "adopt.tf"
TEMPLATE = "adopt.tf.j2"
# Imports unlock the ids of dependents: a parent and what names it by id (role -> inline policy,
# bucket -> its settings, queue -> its policy) take two rounds; the rest is headroom.
MAX_ROUNDS = 4
PROVIDER_DOCS = "https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/{}#import"
# A resource address as Terraform prints it in a plan: module calls and the resource, each with an
# optional index ([0] or ["key"]).
_INDEX = r'(\[(\d+|"[^"\\]*")\])?'
ADDRESS = re.compile(rf"^(module\.[A-Za-z_][A-Za-z0-9_-]*{_INDEX}\.)*[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*{_INDEX}$")


class AdoptError(InfragenError):
    """Adoption cannot finish: the plan still destroys or creates what exists, or AWS/Terraform failed."""


class Clients(Protocol):
    """What the lookups need of :class:`generator.deploy.aws.Aws`: a boto3 client per service."""

    def client(self, name: str) -> Any: ...


Values = Mapping[str, Any]
Lookup = Callable[[Clients, Values], str | None]  # the import ID of the existing object, or None


@dataclass(frozen=True)
class Adopter:
    """How one resource type is found by its planned arguments and imported."""

    type: str
    name: str  # the planned argument that holds the conventional name (shown in messages)
    import_id: str  # the import ID format the provider documents (PROVIDER_DOCS)
    lookup: Lookup

    @property
    def docs(self) -> str:
        return PROVIDER_DOCS.format(self.type.removeprefix("aws_"))


@dataclass(frozen=True)
class Create:
    """A create in a plan: where, what type, the planned arguments (unknown ones absent)."""

    address: str
    type: str
    values: Values


@dataclass(frozen=True)
class Import:
    """One ``import`` block: the resource address and the ID of the object that exists."""

    address: str
    id: str
    type: str
    name: str  # the conventional name it was found under

    def block(self) -> dict[str, str]:
        if not ADDRESS.match(self.address):
            raise InvariantError(f"not a resource address: {self.address!r}")
        comment = " ".join(f"{self.type} {self.name}".split())  # one comment line whatever the name holds
        return {"to": self.address, "id": hcl.string(self.id), "comment": comment}


@dataclass(frozen=True)
class Outcome:
    """What one run did and what the last plan says."""

    path: str  # adopt.tf, relative to the repository root
    imports: tuple[Import, ...]
    written: bool
    removed: bool
    updates: tuple[str, ...]  # addresses updated in place (an adopted object brought to the spec)
    creates: tuple[str, ...]  # addresses still created (nothing exists under their names)
    problems: tuple[str, ...]  # destroys, replaces, creates of what exists: adoption refused
    notes: tuple[str, ...] = ()  # what the import leaves as it is: rules made by hand in adopted groups

    def text(self) -> str:
        lines: list[str] = []
        if self.written:
            lines.append(f"wrote {self.path}: {len(self.imports)} import block(s)")
            lines.extend(f"  import {i.address}  (id {i.id})" for i in self.imports)
        elif self.removed:
            lines.append(f"removed {self.path}: every resource it imported is in the state")
        else:
            lines.append("nothing to adopt: no resource the spec creates exists under its name")
        if self.updates:
            lines.append(f"updated in place by the apply ({len(self.updates)}):")
            lines.extend(f"  ~ {a}" for a in self.updates)
        if self.creates:
            lines.append(f"created by the apply ({len(self.creates)}); nothing exists under their names")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def _get(values: Values, *path: str) -> str | None:
    value: Any = values
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value if isinstance(value, str) and value else None


def _missing(exc: BaseException, codes: Iterable[str]) -> bool:
    from generator.deploy.aws import error_code

    return error_code(exc) in set(codes)


def _probe(call: Callable[[], Any], codes: Sequence[str], action: str) -> Any | None:
    """``call()``'s answer, or None when AWS answers with one of the not-found ``codes``."""
    from botocore.exceptions import ClientError

    from generator.deploy.aws import translated

    with translated(action):
        try:
            return call()
        except ClientError as exc:
            if _missing(exc, codes):
                return None
            raise


def _call(call: Callable[[], Any], action: str) -> Any:
    """``call()``'s answer; an AWS failure is a one-line DeployError naming ``action``."""
    from generator.deploy.aws import translated

    with translated(action):
        return call()


def _account(clients: Clients) -> tuple[str, str, str]:
    """(partition, region, account id) of the caller."""
    sts = clients.client("sts")
    arn = _call(lambda: sts.get_caller_identity(), "sts:GetCallerIdentity")["Arn"]
    parts = str(arn).split(":")
    return parts[1], str(sts.meta.region_name), parts[4]


# -- the lookups, one per resource type -----------------------------------------------------------


def _by_name(
    service: str, call: str, arg: str, codes: Sequence[str], attr: str = "name", *, listed: bool = False
) -> Lookup:
    """A type whose import ID is its name, found by a describe call that fails when it is absent."""

    def lookup(clients: Clients, values: Values) -> str | None:
        name = _get(values, attr)
        if name is None:
            return None
        method = getattr(clients.client(service), call)
        value: str | list[str] = [name] if listed else name
        found = _probe(lambda: method(**{arg: value}), codes, f"{service}:{call} {name}")
        return name if found is not None else None

    return lookup


def _log_group(clients: Clients, values: Values) -> str | None:
    name = _get(values, "name")
    if name is None:
        return None
    logs = clients.client("logs")
    found = _call(lambda: logs.describe_log_groups(logGroupNamePrefix=name), f"logs:DescribeLogGroups {name}")
    return name if any(g.get("logGroupName") == name for g in found.get("logGroups", [])) else None


def _iam_role_policy(clients: Clients, values: Values) -> str | None:
    role, name = _get(values, "role"), _get(values, "name")
    if role is None or name is None:
        return None  # the role is created in this plan: its id is known once it is imported
    iam = clients.client("iam")
    found = _probe(
        lambda: iam.get_role_policy(RoleName=role, PolicyName=name), ("NoSuchEntity",), f"iam:GetRolePolicy {name}"
    )
    return f"{role}:{name}" if found is not None else None


def _iam_policy(clients: Clients, values: Values) -> str | None:
    name = _get(values, "name")
    if name is None:
        return None
    partition, _, account = _account(clients)
    path = _get(values, "path") or "/"
    arn = f"arn:{partition}:iam::{account}:policy{path}{name}"
    iam = clients.client("iam")
    found = _probe(lambda: iam.get_policy(PolicyArn=arn), ("NoSuchEntity",), f"iam:GetPolicy {name}")
    return arn if found is not None else None


def _ecs_service(clients: Clients, values: Values) -> str | None:
    name, cluster = _get(values, "name"), _get(values, "cluster")
    if name is None or cluster is None:
        return None
    ecs = clients.client("ecs")
    found = _call(lambda: ecs.describe_services(cluster=cluster, services=[name]), f"ecs:DescribeServices {name}")
    live = [s for s in found.get("services", []) if s.get("serviceName") == name and s.get("status") != "INACTIVE"]
    return f"{cluster.rsplit('/', 1)[-1]}/{name}" if live else None


def _target_group(clients: Clients, values: Values) -> str | None:
    """Target groups are named by prefix (name_prefix): found by their ``Name`` tag in the VPC."""
    tag, vpc = _get(values, "tags", "Name"), _get(values, "vpc_id")
    if tag is None:
        return None
    elbv2 = clients.client("elbv2")
    groups = _call(lambda: elbv2.describe_target_groups(), "elbv2:DescribeTargetGroups")["TargetGroups"]
    arns = [g["TargetGroupArn"] for g in groups if vpc is None or g.get("VpcId") == vpc]
    for start in range(0, len(arns), 20):
        chunk = arns[start : start + 20]
        described = _call(functools.partial(elbv2.describe_tags, ResourceArns=chunk), "elbv2:DescribeTags")
        for item in described.get("TagDescriptions", []):
            if any(t.get("Key") == "Name" and t.get("Value") == tag for t in item.get("Tags", [])):
                return str(item["ResourceArn"])
    return None


def _listener_rule(clients: Clients, values: Values) -> str | None:
    listener, priority = _get(values, "listener_arn"), values.get("priority")
    if listener is None or priority is None:
        return None
    elbv2 = clients.client("elbv2")
    rules = _call(lambda: elbv2.describe_rules(ListenerArn=listener), "elbv2:DescribeRules")["Rules"]
    return next((str(r["RuleArn"]) for r in rules if r.get("Priority") == str(priority)), None)


def _security_group(clients: Clients, values: Values) -> str | None:
    name, vpc = _get(values, "name"), _get(values, "vpc_id")
    if name is None:
        return None
    filters = [{"Name": "group-name", "Values": [name]}]
    if vpc is not None:
        filters.append({"Name": "vpc-id", "Values": [vpc]})
    ec2 = clients.client("ec2")
    found = _call(lambda: ec2.describe_security_groups(Filters=filters), f"ec2:DescribeSecurityGroups {name}")
    groups = found.get("SecurityGroups", [])
    return str(groups[0]["GroupId"]) if groups else None


def _rule_text(rule: Mapping[str, Any]) -> str:
    direction, peer_word = ("egress", "to") if rule.get("IsEgress") else ("ingress", "from")
    protocol = str(rule.get("IpProtocol", "-1"))
    low, high = rule.get("FromPort"), rule.get("ToPort")
    ports = "" if protocol == "-1" or low is None else f" {low}" if low == high else f" {low}-{high}"
    referenced = rule.get("ReferencedGroupInfo") or {}
    peer = rule.get("CidrIpv4") or rule.get("CidrIpv6") or referenced.get("GroupId") or rule.get("PrefixListId")
    return f"{direction} {'all' if protocol == '-1' else protocol}{ports} {peer_word} {peer}"


def hand_made_rules(clients: Clients, imported: Import) -> str | None:
    """A note on the rules an adopted security group already has. The group's import takes none
    of them into a resource of the root (they are separate ``aws_security_group_rule`` objects):
    a rule the root also declares fails the apply (``InvalidPermission.Duplicate``), any other
    stays open. None when the group has no rule."""
    ec2 = clients.client("ec2")
    found = _call(
        lambda: ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [imported.id]}]),
        f"ec2:DescribeSecurityGroupRules {imported.name}",
    )
    rules = sorted(_rule_text(r) for r in found.get("SecurityGroupRules", []))
    if not rules:
        return None
    return (
        f"security group {imported.name} ({imported.id}) has {len(rules)} rule(s) made by hand that the root "
        f"does not manage: {'; '.join(rules)}. Revoke them before the apply: one the root also declares fails "
        "it (InvalidPermission.Duplicate), any other stays open"
    )


def _queue(clients: Clients, values: Values) -> str | None:
    name = _get(values, "name")
    if name is None:
        return None
    sqs = clients.client("sqs")
    codes = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
    found = _probe(lambda: sqs.get_queue_url(QueueName=name), codes, f"sqs:GetQueueUrl {name}")
    return str(found["QueueUrl"]) if found is not None else None


def _queue_attribute(attribute: str) -> Lookup:
    """A queue's policy or redrive setting: imported by the queue URL when the queue has it."""

    def lookup(clients: Clients, values: Values) -> str | None:
        url = _get(values, "queue_url")
        if url is None:
            return None
        sqs = clients.client("sqs")
        codes = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
        found = _probe(
            lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[attribute]), codes, f"sqs:{attribute}"
        )
        return url if found is not None and found.get("Attributes", {}).get(attribute) else None

    return lookup


def _bucket(clients: Clients, values: Values) -> str | None:
    name = _get(values, "bucket")
    if name is None:
        return None
    s3 = clients.client("s3")
    found = _probe(lambda: s3.head_bucket(Bucket=name), ("404", "NoSuchBucket", "NotFound"), f"s3:HeadBucket {name}")
    return name if found is not None else None


def _bucket_setting(call: str, codes: Sequence[str], present: Callable[[Any], bool] = lambda _: True) -> Lookup:
    """A bucket's setting (versioning, encryption, ...): imported by the bucket name when it is set."""

    def lookup(clients: Clients, values: Values) -> str | None:
        name = _get(values, "bucket")
        if name is None:
            return None  # the bucket is created in this plan: known once it is imported
        method = getattr(clients.client("s3"), call)
        found = _probe(lambda: method(Bucket=name), ("NoSuchBucket", *codes), f"s3:{call} {name}")
        return name if found is not None and present(found) else None

    return lookup


def _ssm_parameter(clients: Clients, values: Values) -> str | None:
    name = _get(values, "name")
    if name is None:
        return None
    ssm = clients.client("ssm")
    found = _probe(lambda: ssm.get_parameter(Name=name), ("ParameterNotFound",), f"ssm:GetParameter {name}")
    return name if found is not None else None


def _sns_topic(clients: Clients, values: Values) -> str | None:
    name = _get(values, "name")
    if name is None:
        return None
    partition, region, account = _account(clients)
    arn = f"arn:{partition}:sns:{region}:{account}:{name}"
    sns = clients.client("sns")
    found = _probe(lambda: sns.get_topic_attributes(TopicArn=arn), ("NotFound",), f"sns:GetTopicAttributes {name}")
    return arn if found is not None else None


def _kms_alias(clients: Clients, values: Values) -> str | None:
    name = _get(values, "name")
    if name is None:
        return None
    kms = clients.client("kms")
    aliases = _call(lambda: kms.list_aliases(), "kms:ListAliases").get("Aliases", [])
    return name if any(a.get("AliasName") == name for a in aliases) else None


def _alarm(clients: Clients, values: Values) -> str | None:
    name = _get(values, "alarm_name")
    if name is None:
        return None
    cloudwatch = clients.client("cloudwatch")
    found = _call(lambda: cloudwatch.describe_alarms(AlarmNames=[name]), f"cloudwatch:DescribeAlarms {name}")
    return name if found.get("MetricAlarms") else None


def _event_rule(clients: Clients, values: Values) -> str | None:
    name = _get(values, "name")
    if name is None:
        return None
    bus = _get(values, "event_bus_name") or "default"
    events = clients.client("events")
    found = _probe(
        lambda: events.describe_rule(Name=name, EventBusName=bus),
        ("ResourceNotFoundException",),
        f"events:DescribeRule {name}",
    )
    if found is None:
        return None
    return name if bus == "default" else f"{bus}/{name}"


def _schedule(clients: Clients, values: Values) -> str | None:
    name, group = _get(values, "name"), _get(values, "group_name") or "default"
    if name is None:
        return None
    scheduler = clients.client("scheduler")
    found = _probe(
        lambda: scheduler.get_schedule(Name=name, GroupName=group),
        ("ResourceNotFoundException",),
        f"scheduler:GetSchedule {name}",
    )
    return f"{group}/{name}" if found is not None else None


def _record(clients: Clients, values: Values) -> str | None:
    zone, name, kind = _get(values, "zone_id"), _get(values, "name"), _get(values, "type")
    if zone is None or name is None or kind is None:
        return None
    route53 = clients.client("route53")
    found = _probe(
        lambda: route53.list_resource_record_sets(
            HostedZoneId=zone, StartRecordName=name, StartRecordType=kind, MaxItems="1"
        ),
        ("NoSuchHostedZone",),
        f"route53:ListResourceRecordSets {name}",
    )
    wanted = name.lower().rstrip(".")
    for record in (found or {}).get("ResourceRecordSets", []):
        if str(record.get("Name", "")).lower().rstrip(".") == wanted and record.get("Type") == kind:
            return f"{zone}_{name}_{kind}"
    return None


def _scalable_target(clients: Clients, values: Values) -> str | None:
    space, rid, dim = (_get(values, k) for k in ("service_namespace", "resource_id", "scalable_dimension"))
    if space is None or rid is None or dim is None:
        return None
    scaling = clients.client("application-autoscaling")
    found = _call(
        lambda: scaling.describe_scalable_targets(ServiceNamespace=space, ResourceIds=[rid], ScalableDimension=dim),
        f"application-autoscaling:DescribeScalableTargets {rid}",
    )
    return f"{space}/{rid}/{dim}" if found.get("ScalableTargets") else None


def _scaling_policy(clients: Clients, values: Values) -> str | None:
    keys = ("service_namespace", "resource_id", "scalable_dimension", "name")
    space, rid, dim, name = (_get(values, k) for k in keys)
    if space is None or rid is None or dim is None or name is None:
        return None
    scaling = clients.client("application-autoscaling")
    found = _call(
        lambda: scaling.describe_scaling_policies(
            ServiceNamespace=space, ResourceId=rid, ScalableDimension=dim, PolicyNames=[name]
        ),
        f"application-autoscaling:DescribeScalingPolicies {name}",
    )
    return f"{space}/{rid}/{dim}/{name}" if found.get("ScalingPolicies") else None


def _adopters(*items: Adopter) -> dict[str, Adopter]:
    return {a.type: a for a in items}


# Every resource type of modules/{aws,platform} with a conventional name, how it is found and the
# import ID format of the AWS provider's documentation (Adopter.docs: the "Import" section of the
# resource's page, hashicorp/aws 5.100.0).
ADOPTERS: dict[str, Adopter] = _adopters(
    Adopter("aws_cloudwatch_log_group", "name", "name", _log_group),
    Adopter(
        "aws_ecr_repository",
        "name",
        "name",
        _by_name("ecr", "describe_repositories", "repositoryNames", ("RepositoryNotFoundException",), listed=True),
    ),
    Adopter(
        "aws_ecr_lifecycle_policy",
        "repository",
        "repository name",
        _by_name(
            "ecr",
            "get_lifecycle_policy",
            "repositoryName",
            ("LifecyclePolicyNotFoundException", "RepositoryNotFoundException"),
            attr="repository",
        ),
    ),
    Adopter("aws_iam_role", "name", "name", _by_name("iam", "get_role", "RoleName", ("NoSuchEntity",))),
    Adopter("aws_iam_role_policy", "name", "role_name:policy_name", _iam_role_policy),
    Adopter("aws_iam_policy", "name", "policy ARN", _iam_policy),
    Adopter("aws_ecs_service", "name", "cluster_name/service_name", _ecs_service),
    Adopter("aws_lb_target_group", "tags.Name", "target group ARN", _target_group),
    Adopter("aws_lb_listener_rule", "priority", "rule ARN", _listener_rule),
    Adopter("aws_security_group", "name", "security group ID (sg-...)", _security_group),
    Adopter(
        "aws_db_instance",
        "identifier",
        "identifier",
        _by_name("rds", "describe_db_instances", "DBInstanceIdentifier", ("DBInstanceNotFound",), "identifier"),
    ),
    Adopter(
        "aws_rds_cluster",
        "cluster_identifier",
        "cluster identifier",
        _by_name(
            "rds", "describe_db_clusters", "DBClusterIdentifier", ("DBClusterNotFoundFault",), "cluster_identifier"
        ),
    ),
    Adopter(
        "aws_rds_cluster_instance",
        "identifier",
        "identifier",
        _by_name("rds", "describe_db_instances", "DBInstanceIdentifier", ("DBInstanceNotFound",), "identifier"),
    ),
    Adopter(
        "aws_rds_cluster_parameter_group",
        "name",
        "name",
        _by_name(
            "rds", "describe_db_cluster_parameter_groups", "DBClusterParameterGroupName", ("DBParameterGroupNotFound",)
        ),
    ),
    Adopter(
        "aws_db_subnet_group",
        "name",
        "name",
        _by_name("rds", "describe_db_subnet_groups", "DBSubnetGroupName", ("DBSubnetGroupNotFoundFault",)),
    ),
    Adopter(
        "aws_db_parameter_group",
        "name",
        "name",
        _by_name("rds", "describe_db_parameter_groups", "DBParameterGroupName", ("DBParameterGroupNotFound",)),
    ),
    Adopter(
        "aws_elasticache_replication_group",
        "replication_group_id",
        "replication group ID",
        _by_name(
            "elasticache",
            "describe_replication_groups",
            "ReplicationGroupId",
            ("ReplicationGroupNotFoundFault",),
            "replication_group_id",
        ),
    ),
    Adopter(
        "aws_elasticache_subnet_group",
        "name",
        "name",
        _by_name(
            "elasticache", "describe_cache_subnet_groups", "CacheSubnetGroupName", ("CacheSubnetGroupNotFoundFault",)
        ),
    ),
    Adopter(
        "aws_elasticache_user",
        "user_id",
        "user ID",
        _by_name("elasticache", "describe_users", "UserId", ("UserNotFound", "UserNotFoundFault"), "user_id"),
    ),
    Adopter(
        "aws_elasticache_user_group",
        "user_group_id",
        "user group ID",
        _by_name(
            "elasticache",
            "describe_user_groups",
            "UserGroupId",
            ("UserGroupNotFound", "UserGroupNotFoundFault"),
            "user_group_id",
        ),
    ),
    Adopter("aws_sqs_queue", "name", "queue URL", _queue),
    Adopter("aws_sqs_queue_policy", "queue_url", "queue URL", _queue_attribute("Policy")),
    Adopter("aws_sqs_queue_redrive_policy", "queue_url", "queue URL", _queue_attribute("RedrivePolicy")),
    Adopter("aws_sqs_queue_redrive_allow_policy", "queue_url", "queue URL", _queue_attribute("RedriveAllowPolicy")),
    Adopter(
        "aws_dynamodb_table",
        "name",
        "name",
        _by_name("dynamodb", "describe_table", "TableName", ("ResourceNotFoundException",)),
    ),
    Adopter("aws_s3_bucket", "bucket", "bucket name", _bucket),
    Adopter(
        "aws_s3_bucket_versioning",
        "bucket",
        "bucket name",
        _bucket_setting("get_bucket_versioning", (), lambda r: bool(r.get("Status"))),
    ),
    Adopter(
        "aws_s3_bucket_server_side_encryption_configuration",
        "bucket",
        "bucket name",
        _bucket_setting("get_bucket_encryption", ("ServerSideEncryptionConfigurationNotFoundError",)),
    ),
    Adopter(
        "aws_s3_bucket_public_access_block",
        "bucket",
        "bucket name",
        _bucket_setting("get_public_access_block", ("NoSuchPublicAccessBlockConfiguration",)),
    ),
    Adopter(
        "aws_s3_bucket_ownership_controls",
        "bucket",
        "bucket name",
        _bucket_setting("get_bucket_ownership_controls", ("OwnershipControlsNotFoundError",)),
    ),
    Adopter(
        "aws_s3_bucket_policy", "bucket", "bucket name", _bucket_setting("get_bucket_policy", ("NoSuchBucketPolicy",))
    ),
    Adopter(
        "aws_s3_bucket_lifecycle_configuration",
        "bucket",
        "bucket name",
        _bucket_setting("get_bucket_lifecycle_configuration", ("NoSuchLifecycleConfiguration",)),
    ),
    Adopter(
        "aws_s3_bucket_logging",
        "bucket",
        "bucket name",
        _bucket_setting("get_bucket_logging", (), lambda r: bool(r.get("LoggingEnabled"))),
    ),
    Adopter("aws_ssm_parameter", "name", "name", _ssm_parameter),
    Adopter("aws_sns_topic", "name", "topic ARN", _sns_topic),
    Adopter("aws_kms_alias", "name", "alias name (alias/...)", _kms_alias),
    Adopter("aws_cloudwatch_metric_alarm", "alarm_name", "alarm name", _alarm),
    Adopter("aws_cloudwatch_event_rule", "name", "name (event_bus_name/name on another bus)", _event_rule),
    Adopter(
        "aws_cloudwatch_dashboard",
        "dashboard_name",
        "dashboard name",
        _by_name("cloudwatch", "get_dashboard", "DashboardName", ("ResourceNotFound",), "dashboard_name"),
    ),
    Adopter(
        "aws_scheduler_schedule_group",
        "name",
        "name",
        _by_name("scheduler", "get_schedule_group", "Name", ("ResourceNotFoundException",)),
    ),
    Adopter("aws_scheduler_schedule", "name", "group_name/name", _schedule),
    Adopter("aws_route53_record", "name", "zoneid_name_type", _record),
    Adopter(
        "aws_appautoscaling_target",
        "resource_id",
        "service-namespace/resource-id/scalable-dimension",
        _scalable_target,
    ),
    Adopter(
        "aws_appautoscaling_policy",
        "name",
        "service-namespace/resource-id/scalable-dimension/policy-name",
        _scaling_policy,
    ),
)


# The modules' other resource types, and why `adopt` does not look for them.
NOT_ADOPTED: dict[str, str] = {
    "aws_ecs_task_definition": "a revision is registered, never a name taken; deploys register their own",
    "aws_security_group_rule": "no name: an identical rule already in an adopted group fails the apply "
    "(InvalidPermission.Duplicate); delete it by hand",
    "aws_kms_key": "no name: a new key is created, and an adopted alias is updated to point at it",
    "aws_sns_topic_subscription": "Subscribe is idempotent: an identical subscription is returned, not refused",
    "aws_sns_topic_policy": "SetTopicAttributes overwrites the policy of an adopted topic in place",
    "terraform_data": "exists only in the state",
    "consul_service": "Consul, not AWS",
    "consul_node": "Consul, not AWS",
    "consul_config_entry": "Consul, not AWS",
}


# -- reading plans -------------------------------------------------------------------------------


def _known(after: Any, unknown: Any) -> Any:
    """The planned values without those Terraform knows only after the apply."""
    if unknown is True:
        return None
    if isinstance(after, Mapping):
        marks = unknown if isinstance(unknown, Mapping) else {}
        return {k: _known(v, marks.get(k)) for k, v in after.items() if marks.get(k) is not True}
    if isinstance(after, list):
        marks_list = unknown if isinstance(unknown, list) else []
        return [_known(v, marks_list[i] if i < len(marks_list) else None) for i, v in enumerate(after)]
    return after


def _changes(plan: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in plan.get("resource_changes") or [] if c.get("mode", "managed") == "managed"]


def creates(plan: Mapping[str, Any]) -> list[Create]:
    """Every managed resource the plan creates (a replacement is judged separately)."""
    found = []
    for change in _changes(plan):
        body = change.get("change") or {}
        if body.get("actions") == ["create"]:
            values = _known(body.get("after") or {}, body.get("after_unknown") or {})
            found.append(Create(str(change["address"]), str(change["type"]), values))
    return found


def find(plan: Mapping[str, Any], clients: Clients) -> list[Import]:
    """Imports for the plan's creates whose objects exist under their planned names."""
    imports = []
    for create in creates(plan):
        adopter = ADOPTERS.get(create.type)
        if adopter is None:
            continue
        found = adopter.lookup(clients, create.values)
        if found is not None:
            shown = _get(create.values, *adopter.name.split(".")) or str(create.values.get(adopter.name, ""))
            imports.append(Import(create.address, found, create.type, shown or found))
    return imports


def verdict(plan: Mapping[str, Any], existing: Sequence[Import]) -> tuple[list[str], list[str]]:
    """(problems, updates) of the last plan: what it destroys or replaces, what it still creates
    although it exists (``existing``: found by :func:`find` in that plan); the addresses it
    updates in place."""
    problems: list[str] = []
    updates: list[str] = []
    for change in _changes(plan):
        actions = (change.get("change") or {}).get("actions") or []
        address = str(change["address"])
        if "delete" in actions:
            what = "replaced (destroyed and created again)" if "create" in actions else "destroyed"
            problems.append(f"{address}: would be {what}")
        elif actions == ["update"]:
            updates.append(address)
    for item in existing:
        problems.append(f"{item.address}: would be created, but {item.type} {item.name} exists (import id {item.id})")
    return problems, updates


# -- the file ----------------------------------------------------------------------------------


def content(service: str, env: str, imports: Sequence[Import]) -> str:
    blocks = [i.block() for i in sorted(imports, key=lambda i: i.address)]
    return render(TEMPLATE, service=service, env=env, imports=blocks)


class Terraform(Protocol):
    """The Terraform seam: the plan JSON of the root in a directory (generator/tools/terraform.py)."""

    def __call__(self, directory: Path) -> Mapping[str, Any]: ...


def adopt(root: Path, directory: str, service: str, env: str, clients: Clients, plan_of: Terraform) -> Outcome:
    """Write (or remove) ``<directory>/adopt.tf`` for the root at ``root/directory`` and judge its plan."""
    path = root / directory / ADOPT_FILE
    relative = f"{directory}/{ADOPT_FILE}"
    previous = path.read_text(encoding="utf-8") if path.exists() else None
    had = previous is not None
    if had:
        path.unlink()  # the first plan shows every create, imported before or not
    try:
        plan = plan_of(root / directory)
    except BaseException:
        if previous is not None:
            _write(path, previous)  # terraform failed: leave the file as it was
        raise
    imports: dict[str, Import] = {}
    rounds = 0
    while True:
        new = [i for i in find(plan, clients) if i.address not in imports]
        if not new or rounds == MAX_ROUNDS:
            break  # ``new`` is what the last plan still creates although it exists
        rounds += 1
        imports.update((i.address, i) for i in new)
        _write(path, content(service, env, list(imports.values())))
        plan = plan_of(root / directory)
    problems, updates = verdict(plan, new)
    still = tuple(c.address for c in creates(plan))
    ordered = tuple(sorted(imports.values(), key=lambda i: i.address))
    groups = [i for i in ordered if i.type == "aws_security_group"]
    notes = tuple(n for n in (hand_made_rules(clients, g) for g in groups) if n is not None)
    return Outcome(
        relative, ordered, bool(imports), had and not imports, tuple(sorted(updates)), still, tuple(problems), notes
    )


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def refusal(outcome: Outcome) -> AdoptError:
    listed = "\n".join(f"  {p}" for p in outcome.problems)
    return AdoptError(
        f"refusing to finish: the plan with {outcome.path} still destroys or creates what exists "
        f"({len(outcome.problems)}):\n{listed}\n"
        "A replacement would lose what the object holds: change it by hand to what the spec says (or "
        "move its data and delete it), then run `infragen adopt` again."
    )
