"""`infragen plan-check`: rules over a saved plan (`terraform show -json`), before anything is applied.

Atlantis runs it right after `plan` in both server-side workflows (docs/atlantis/repos.yaml), so a
violation fails the plan and nothing can be applied. Four rules:

* ``aws-limits``: what AWS refuses and the emulator accepts (names, a target group behind two load
  balancers, security groups per network interface, listener rule priorities, fixed final snapshot
  identifiers, an empty deployment alarm list, Performance Insights on classes without it, Redis
  below 7 with IAM authentication, IAM policies over their size quotas, more than 50 tags on a
  resource, task definitions over 64 KiB). Each constant cites the AWS page it encodes.
* ``replacement``: no destroy or replacement of a stateful or serving resource unless the service's
  environment file acknowledges that address with a reason. A retired service's destroy-only root
  and a create-before-destroy swap of a stateless resource are not violations.
* ``tags``: every taggable resource the plan creates or updates carries the cost and paging tags.
* ``access``: with the spec (``--root``/``--project``), the root looks up only the ``-clients``
  groups of what the service declares, its IAM statements name only datastores it owns or
  declares, and its Consul intentions admit only the services that declare it.

The first three need no spec and also run on roots infragen did not generate.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.datastores import REGISTRY
from generator.datastores.database import PERFORMANCE_INSIGHTS_UNSUPPORTED
from generator.errors import CommandError
from generator.spec import naming, secrets
from generator.spec.convention import ECS_QUOTAS_PAGE, TASK_DEFINITION_BYTES
from generator.spec.models import ACKNOWLEDGEMENT_PLACEHOLDER, Acknowledgement, Repo, Service
from generator.spec.rules import SG_PER_ENI, SG_PER_ENI_PAGE, TAGS_PAGE, TAGS_PER_RESOURCE, user_tag_count

Plan = Mapping[str, Any]
Change = Mapping[str, Any]

RULES = ("aws-limits", "replacement", "tags", "access")
REQUIRED_TAGS = ("owner", "service", "environment", "cost-center")

# (resource type, name attribute) -> (max length, pattern, AWS page)
NAME_RULES: dict[tuple[str, str], tuple[int, str, str]] = {
    ("aws_lb_target_group", "name"): (
        32,
        r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
    ),
    ("aws_lb_target_group", "name_prefix"): (
        6,
        r"^[A-Za-z0-9][A-Za-z0-9-]*$",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html "
        "(32 characters; the provider appends 26)",
    ),
    ("aws_iam_role", "name"): (
        64,
        r"^[\w+=,.@-]+$",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
    ),
    ("aws_iam_policy", "name"): (
        128,
        r"^[\w+=,.@-]+$",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
    ),
    ("aws_sqs_queue", "name"): (
        80,
        r"^[A-Za-z0-9_-]+(\.fifo)?$",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    ),
    ("aws_sns_topic", "name"): (
        256,
        r"^[A-Za-z0-9_-]{1,251}(\.fifo)?$",
        "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    ),
    ("aws_scheduler_schedule", "name"): (
        64,
        r"^[0-9a-zA-Z._-]+$",
        "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
    ),
    ("aws_scheduler_schedule_group", "name"): (
        64,
        r"^[0-9a-zA-Z._-]+$",
        "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html",
    ),
    ("aws_cloudwatch_event_rule", "name"): (
        64,
        r"^[.\-_A-Za-z0-9]+$",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
    ),
    ("aws_elasticache_replication_group", "replication_group_id"): (
        40,
        r"^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
    ),
    ("aws_elasticache_subnet_group", "name"): (
        255,
        r"^[a-z0-9-]+$",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html",
    ),
    ("aws_elasticache_user", "user_id"): (
        40,
        r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateUser.html",
    ),
    ("aws_elasticache_user_group", "user_group_id"): (
        40,
        r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateUserGroup.html",
    ),
    ("aws_db_instance", "identifier"): (
        63,
        r"^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
    ),
    # CreateDBCluster: 1-63 letters, digits or hyphens, a letter first, no hyphen last, no two in a row
    ("aws_rds_cluster", "cluster_identifier"): (
        63,
        r"^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
    ),
    ("aws_rds_cluster_instance", "identifier"): (
        63,
        r"^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
    ),
    ("aws_db_subnet_group", "name"): (
        255,
        r"^[a-z0-9 ._-]+$",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
    ),
    ("aws_dynamodb_table", "name"): (
        255,
        r"^[A-Za-z0-9_.-]{3,}$",
        "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html",
    ),
    ("aws_s3_bucket", "bucket"): (
        63,
        r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
    ),
    ("aws_ecr_repository", "name"): (
        256,
        r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$",
        "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
    ),
    ("aws_ecs_service", "name"): (
        255,
        r"^[A-Za-z0-9_-]+$",
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
    ),
    ("aws_security_group", "name"): (
        255,
        r"^(?!sg-)[\x20-\x7e]+$",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
    ),
    ("aws_cloudwatch_log_group", "name"): (
        512,
        r"^[\w./#-]+$",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    ),
}

ONE_LB_PAGE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/register-multiple-targetgroups.html"
PRIORITY_PAGE = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html"
SNAPSHOT_PAGE = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html"
ALARMS_PAGE = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html"
PI_PAGE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html"
REDIS_IAM_PAGE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html"
SNS_FIFO_PAGE = "https://docs.aws.amazon.com/sns/latest/dg/fifo-topic-code-examples.html (FIFO topics end in .fifo) and https://docs.aws.amazon.com/sns/latest/dg/fifo-sns-subscription.html (FIFO topics deliver to FIFO queues)"
SNS_CROSS_ACCOUNT_PAGE = "https://docs.aws.amazon.com/sns/latest/dg/sns-send-message-to-sqs-cross-account.html"

# A destroy or a replacement of these loses data or serving capacity (an outage, a new endpoint,
# messages or rows gone, a key whose ciphertexts can no longer be read).
PROTECTED = frozenset(
    {
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_db_parameter_group",
        "aws_rds_cluster_parameter_group",
        "aws_elasticache_replication_group",
        "aws_elasticache_cluster",
        "aws_elasticache_parameter_group",
        "aws_elasticache_serverless_cache",
        "aws_sqs_queue",
        "aws_dynamodb_table",
        "aws_s3_bucket",
        "aws_ecs_service",
        "aws_ecs_cluster",
        "aws_lb",
        "aws_lb_target_group",
        "aws_security_group",
        "aws_kms_key",
        "aws_cloudwatch_log_group",
        "aws_efs_file_system",
        "aws_sns_topic",
    }
)
# Replaced create-before-destroy, these are no outage: the successor exists (and the modules
# attach it) before the old one goes. A plain destroy or a destroy-then-create still counts.
CREATE_BEFORE_DESTROY_SAFE = frozenset(
    {"aws_lb_target_group", "aws_security_group", "aws_db_parameter_group", "aws_elasticache_parameter_group"}
)


@dataclass(frozen=True, order=True)
class Violation:
    rule: str
    address: str
    why: str
    fix: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.address}: {self.why}; {self.fix}"

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "address": self.address, "why": self.why, "fix": self.fix}


@dataclass(frozen=True)
class Context:
    """What the spec says about the project a plan belongs to."""

    project: str
    directory: str  # repo-relative POSIX path of the root
    service: str | None = None  # None: not a service root (a team root, a hand-written one)
    env: str | None = None
    env_file: str = ""  # where acknowledgements go (repo-relative), even when the file does not exist yet
    acknowledged: tuple[Acknowledgement, ...] = ()
    retired: bool = False
    allowed_groups: frozenset[str] = frozenset()  # security group names the root may look up
    allowed_datastores: frozenset[str] = frozenset()  # owned or declared
    other_datastores: frozenset[str] = frozenset()  # every other datastore name of the repository
    allowed_callers: frozenset[str] = frozenset()  # services that declare this one
    other_services: frozenset[str] = frozenset()  # every other service of the repository (their secrets)


@dataclass(frozen=True)
class Report:
    violations: tuple[Violation, ...]
    checked: int  # resource changes judged
    acknowledged: tuple[Acknowledgement, ...] = ()  # acknowledgements a replacement in this plan used
    unused: tuple[Acknowledgement, ...] = ()  # acknowledgements that matched nothing in this plan
    notes: tuple[str, ...] = ()
    context: Context | None = field(default=None)

    @property
    def ok(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "project": self.context.project if self.context else None,
            "violations": [v.as_dict() for v in self.violations],
            "acknowledged": [{"address": a.address, "reason": a.reason} for a in self.acknowledged],
            "unused_acknowledgements": [a.address for a in self.unused],
            "notes": list(self.notes),
        }


# --- reading a plan --------------------------------------------------------------------------


def load_plan(path: Path) -> dict[str, Any]:
    """The JSON of ``terraform show -json PLANFILE``; a CommandError when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise CommandError(f"{path}: no such file (pass the output of 'terraform show -json PLANFILE')") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CommandError(f"{path}: not JSON ({err}); pass the output of 'terraform show -json PLANFILE'") from err
    if not isinstance(data, dict) or ("resource_changes" not in data and "planned_values" not in data):
        raise CommandError(f"{path}: not a plan in JSON (no resource_changes); pass 'terraform show -json PLANFILE'")
    return data


def _managed(plan: Plan) -> Iterator[Change]:
    for rc in plan.get("resource_changes") or []:
        if rc.get("mode", "managed") == "managed":
            yield rc


def _actions(rc: Change) -> list[str]:
    return list(rc.get("change", {}).get("actions") or [])


def _changing(plan: Plan) -> Iterator[Change]:
    """Resources this plan creates or updates (replacements included): what AWS will be asked to accept."""
    for rc in _managed(plan):
        actions = _actions(rc)
        if "create" in actions or "update" in actions:
            yield rc


def _after(rc: Change) -> Mapping[str, Any]:
    after = rc.get("change", {}).get("after")
    return after if isinstance(after, Mapping) else {}


def _unknown(rc: Change, key: str) -> bool:
    unknown = rc.get("change", {}).get("after_unknown") or {}
    return bool(unknown.get(key)) if isinstance(unknown, Mapping) else False


def _module_config(plan: Plan, module_address: str) -> Mapping[str, Any] | None:
    module: Mapping[str, Any] = (plan.get("configuration") or {}).get("root_module") or {}
    for call in re.findall(r"module\.([\w-]+)", module_address):
        module = ((module.get("module_calls") or {}).get(call) or {}).get("module") or {}
    return module or None


def _config_resource(plan: Plan, rc: Change) -> Mapping[str, Any] | None:
    module = _module_config(plan, rc.get("module_address", ""))
    for res in (module or {}).get("resources") or []:
        if res.get("address") == f"{rc['type']}.{rc['name']}" and res.get("mode", "managed") == rc.get("mode"):
            found: Mapping[str, Any] = res
            return found
    return None


# --- aws-limits ------------------------------------------------------------------------------


def _limits(plan: Plan) -> Iterator[Violation]:
    yield from _names(plan)
    yield from _one_load_balancer_per_target_group(plan)
    yield from _security_groups_per_eni(plan)
    yield from _listener_priorities(plan)
    yield from _final_snapshots(plan)
    yield from _deployment_alarms(plan)
    yield from _performance_insights(plan)
    yield from _redis_iam(plan)
    yield from _sns(plan)
    yield from _policy_sizes(plan)
    yield from _tag_counts(plan)
    yield from _task_definition_sizes(plan)


# IAM and AWS STS character limits (IAM quotas page): the inline policies of one role total at
# most 10,240 characters, a managed policy holds at most 6,144, and "IAM doesn't count white space
# when calculating the size of a policy against these quotas". A service's task role grows with
# each declared datastore and its execution role with each secret and connection parameter; moto
# accepts any size (PutRolePolicy, CreatePolicy), AWS refuses with LimitExceeded at apply.
ROLE_INLINE_POLICY_CHARS = 10_240
MANAGED_POLICY_CHARS = 6_144
IAM_QUOTAS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
_WHITE_SPACE = re.compile(r"\s+")


def policy_chars(policy: str) -> int:
    """A policy document's size as IAM counts it against its quotas: white space left out."""
    return len(_WHITE_SPACE.sub("", policy))


def _inline_role(plan: Plan, rc: Change) -> str | None:
    """The role an inline policy belongs to: its name when the plan knows it, else the role
    resource its configuration refers to (a role this plan creates)."""
    role = _after(rc).get("role")
    if isinstance(role, str):
        return role
    refs = ((_config_resource(plan, rc) or {}).get("expressions", {}).get("role") or {}).get("references") or []
    return _referenced(rc, refs, "aws_iam_role")


def _referenced(rc: Change, refs: list[str], kind: str) -> str | None:
    """The address of the one resource instance of type ``kind`` that a configuration expression of
    ``rc`` refers to (``refs``, the plan's references, which list ``aws_iam_role.x[0].id``,
    ``aws_iam_role.x[0]`` and ``aws_iam_role.x`` for one reference), in ``rc``'s module; None when
    it names none or several. Under for_each, ``each.key`` picks ``rc``'s own key."""
    names = {r.split(".")[1].split("[")[0] for r in refs if r.startswith(kind + ".")}
    if len(names) != 1:
        return None
    (name,) = names
    instances = {r.split(".")[1] for r in refs if r.startswith(f"{kind}.{name}[")}
    if "each.key" in refs:
        instance = f"{name}[{json.dumps(rc['index'])}]"
    elif len(instances) == 1:
        (instance,) = instances
    elif not instances:
        instance = name
    else:
        return None
    prefix = rc.get("module_address", "")
    return f"{prefix}.{kind}.{instance}" if prefix else f"{kind}.{instance}"


def _policy_sizes(plan: Plan) -> Iterator[Violation]:
    """Managed policies this plan writes within 6,144 characters; the inline policies of each role
    one of them is written to within 10,240 together (those the plan keeps count too). A policy
    the plan cannot know yet (it names an ARN known after apply) is not judged."""
    roles: dict[str, list[tuple[str, int]]] = defaultdict(list)
    written: set[str] = set()
    for rc in _managed(plan):
        actions = _actions(rc)
        policy = _after(rc).get("policy")
        if rc["type"] not in ("aws_iam_policy", "aws_iam_role_policy") or actions == ["delete"]:
            continue
        if not isinstance(policy, str):
            continue
        size = policy_chars(policy)
        changes = "create" in actions or "update" in actions
        if rc["type"] == "aws_iam_policy":
            if changes and size > MANAGED_POLICY_CHARS:
                yield Violation(
                    "aws-limits",
                    rc["address"],
                    f"the managed policy would hold {size} characters (white space not counted); IAM allows "
                    f"{MANAGED_POLICY_CHARS}",
                    f"split it into several policies ({IAM_QUOTAS_PAGE})",
                )
            continue
        role = _inline_role(plan, rc)
        if role is None:
            continue
        roles[role].append((rc["address"], size))
        if changes:
            written.add(role)
    for role in sorted(written):
        parts = roles[role]
        total = sum(size for _, size in parts)
        if total <= ROLE_INLINE_POLICY_CHARS:
            continue
        listed = ", ".join(f"{address} {size}" for address, size in sorted(parts))
        yield Violation(
            "aws-limits",
            max(parts, key=lambda part: part[1])[0],
            f"the inline policies of role {role} would total {total} characters (white space not counted: "
            f"{listed}); IAM allows {ROLE_INLINE_POLICY_CHARS} per role",
            "a task role grows with each declared datastore and an execution role with each secret and "
            f"datastore connection parameter: declare fewer, or split the service ({IAM_QUOTAS_PAGE})",
        )


def _sns(plan: Plan) -> Iterator[Violation]:
    """A FIFO topic's name ends in .fifo; a queue subscribes to a topic of its own FIFO-ness and,
    without a cross-account topic policy (platform/topic grants none), of its own account."""
    for rc in _changing(plan):
        after = _after(rc)
        if rc["type"] == "aws_sns_topic":
            name, fifo = after.get("name"), bool(after.get("fifo_topic"))
            if isinstance(name, str) and name.endswith(".fifo") != fifo:
                what = "a FIFO topic's name must end in .fifo" if fifo else "only a FIFO topic's name may end in .fifo"
                yield Violation("aws-limits", rc["address"], f"topic {name!r}: {what}", f"rename it ({SNS_FIFO_PAGE})")
        if rc["type"] != "aws_sns_topic_subscription" or after.get("protocol") != "sqs":
            continue
        topic, queue = after.get("topic_arn"), after.get("endpoint")
        if not isinstance(topic, str) or not isinstance(queue, str):
            continue  # the queue's ARN is unknown until it exists: the module's precondition judges FIFO
        topic_parts, queue_parts = topic.split(":"), queue.split(":")
        if len(topic_parts) < 6 or len(queue_parts) < 6:
            continue
        if topic_parts[4] != queue_parts[4]:
            yield Violation(
                "aws-limits",
                rc["address"],
                f"queue {queue_parts[5]!r} (account {queue_parts[4]}) subscribes to topic {topic_parts[5]!r} "
                f"of account {topic_parts[4]}, whose policy admits only its own account",
                f"subscribe to a topic of the queue's account ({SNS_CROSS_ACCOUNT_PAGE})",
            )
        if topic_parts[5].endswith(".fifo") != queue_parts[5].endswith(".fifo"):
            yield Violation(
                "aws-limits",
                rc["address"],
                f"topic {topic_parts[5]!r} and queue {queue_parts[5]!r} are not both FIFO or both standard",
                f"subscribe a queue of the topic's kind ({SNS_FIFO_PAGE})",
            )


def _names(plan: Plan) -> Iterator[Violation]:
    for rc in _changing(plan):
        after = _after(rc)
        for (rtype, attr), (limit, pattern, page) in NAME_RULES.items():
            value = after.get(attr)
            if rc["type"] != rtype or not isinstance(value, str):
                continue
            if len(value) > limit or not re.match(pattern, value):
                yield Violation(
                    "aws-limits",
                    rc["address"],
                    f"{attr} {value!r} ({len(value)} characters) breaks AWS's rule: at most {limit}, matching {pattern}",
                    f"shorten or rename it ({page})",
                )


def target_group_of_rule(plan: Plan, rc: Change) -> str | None:
    """The target group instance a listener rule forwards to, from the configuration references
    (None when the rule does not forward to exactly one group of the same module)."""
    res = _config_resource(plan, rc)
    actions = (res or {}).get("expressions", {}).get("action") or []
    if not actions or "target_group_arn" not in actions[0]:
        return None
    return _referenced(rc, actions[0]["target_group_arn"].get("references", []), "aws_lb_target_group")


def _one_load_balancer_per_target_group(plan: Plan) -> Iterator[Violation]:
    """A target group can be associated with one load balancer only (TargetGroupAssociationLimit)."""
    lbs: dict[str, set[str]] = defaultdict(set)
    for rc in _changing(plan):
        listener = _after(rc).get("listener_arn")
        if rc["type"] != "aws_lb_listener_rule" or not isinstance(listener, str) or ":listener/" not in listener:
            continue
        group = target_group_of_rule(plan, rc)
        if group:
            lbs[group].add("/".join(listener.split(":listener/")[1].split("/")[:3]))
    for group, found in sorted(lbs.items()):
        if len(found) > 1:
            yield Violation(
                "aws-limits",
                group,
                f"the target group is forwarded to from {len(found)} load balancers ({', '.join(sorted(found))})",
                f"give each load balancer its own target group ({ONE_LB_PAGE})",
            )


def _service_arguments(plan: Plan) -> Mapping[str, Any]:
    """The argument expressions of a generated root's module "service" ({} in any other root)."""
    root = (plan.get("configuration") or {}).get("root_module") or {}
    found: Mapping[str, Any] = ((root.get("module_calls") or {}).get("service") or {}).get("expressions") or {}
    return found


def eni_group_count(plan: Plan, rc: Change) -> int | None:
    """How many security groups an ECS service's tasks join, when the plan says."""
    network = _after(rc).get("network_configuration")
    if isinstance(network, list) and network and isinstance(network[0].get("security_groups"), list):
        groups = network[0]["security_groups"]
        if not (_unknown(rc, "network_configuration")):
            return len(groups)
    # generated roots: the tasks' own group plus what module "service" passes as client groups
    call = _service_arguments(plan)
    if rc.get("module_address", "").startswith("module.service") and "client_security_group_ids" in call:
        expr = call["client_security_group_ids"]
        refs = expr.get("references", [])
        literal = expr.get("constant_value") or []
        groups = {r for r in refs if r.endswith((".client_security_group_id", ".id", ".output"))} | set(literal)
        return 1 + len(groups)
    return None


def eni_group_quota(plan: Plan) -> tuple[int, bool]:
    """The security groups per network interface the plan's account allows, and whether the root
    declares it: a generated root passes the account's raised quota (account.yaml quotas) to module
    "service" as max_security_groups; any other root is judged by AWS's default."""
    declared = (_service_arguments(plan).get("max_security_groups") or {}).get("constant_value")
    if isinstance(declared, int) and not isinstance(declared, bool):
        return declared, True
    return SG_PER_ENI, False


def _security_groups_per_eni(plan: Plan) -> Iterator[Violation]:
    quota, declared = eni_group_quota(plan)
    for rc in _changing(plan):
        if rc["type"] != "aws_ecs_service":
            continue
        count = eni_group_count(plan, rc)
        if count is not None and count > quota:
            yield Violation(
                "aws-limits",
                rc["address"],
                f"the tasks' network interface would join {count} security groups; AWS allows {quota}"
                + (" (the account's declared quota)" if declared else ""),
                "declare fewer dependencies with a -clients group, or have AWS raise the VPC quota and declare it "
                f"in account.yaml quotas.securityGroupsPerNetworkInterface ({SG_PER_ENI_PAGE})",
            )


def _listener_priorities(plan: Plan) -> Iterator[Violation]:
    seen: dict[tuple[str, int], list[str]] = defaultdict(list)
    for rc in _changing(plan):
        after = _after(rc)
        if rc["type"] == "aws_lb_listener_rule" and isinstance(after.get("priority"), int):
            seen[(str(after.get("listener_arn")), after["priority"])].append(rc["address"])
    for (_, priority), addresses in sorted(seen.items()):
        for address in addresses[1:]:
            yield Violation(
                "aws-limits",
                address,
                f"priority {priority} is already used on this listener by {addresses[0]} (PriorityInUse)",
                f"give each rule of a listener its own priority ({PRIORITY_PAGE})",
            )


def _final_snapshots(plan: Plan) -> Iterator[Violation]:
    for rc in _changing(plan):
        if rc["type"] not in ("aws_db_instance", "aws_rds_cluster", "aws_elasticache_replication_group"):
            continue
        value = _after(rc).get("final_snapshot_identifier")
        if (
            value is not None
            and not _unknown(rc, "final_snapshot_identifier")
            and not _after(rc).get("skip_final_snapshot")
        ):
            yield Violation(
                "aws-limits",
                rc["address"],
                f"the final snapshot identifier {value!r} is fixed, so the second destroy of this name fails "
                "(DBSnapshotAlreadyExists)",
                f"derive it from a per-instance random part ({SNAPSHOT_PAGE})",
            )


def _deployment_alarms(plan: Plan) -> Iterator[Violation]:
    for rc in _changing(plan):
        if rc["type"] != "aws_ecs_service":
            continue
        for block in _after(rc).get("alarms") or []:
            if isinstance(block, Mapping) and block.get("alarm_names") == [] and not _unknown(rc, "alarms"):
                yield Violation(
                    "aws-limits",
                    rc["address"],
                    "the deployment alarm list is empty, which ECS refuses (AlarmNames is required)",
                    f"keep at least one deployment alarm or drop the alarms block ({ALARMS_PAGE})",
                )


def _performance_insights(plan: Plan) -> Iterator[Violation]:
    for rc in _changing(plan):
        after = _after(rc)
        if rc["type"] != "aws_db_instance" or not after.get("performance_insights_enabled"):
            continue
        engine = str(after.get("engine") or "")
        unsupported = PERFORMANCE_INSIGHTS_UNSUPPORTED.get("mysql" if engine == "mysql" else "postgres", ())
        if engine in ("mysql", "postgres") and after.get("instance_class") in unsupported:
            yield Violation(
                "aws-limits",
                rc["address"],
                f"Performance Insights is not available for {engine} on {after.get('instance_class')}",
                f"turn performanceInsights off or choose a larger class ({PI_PAGE})",
            )


def _version(text: object) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", str(text))[:2])


def _redis_iam(plan: Plan) -> Iterator[Violation]:
    for rc in _changing(plan):
        after = _after(rc)
        if rc["type"] != "aws_elasticache_replication_group" or not after.get("user_group_ids"):
            continue
        version = after.get("engine_version")
        if after.get("engine", "redis") == "redis" and version and _version(version) < (7,):
            yield Violation(
                "aws-limits",
                rc["address"],
                f"IAM authentication (its user group) needs Redis 7 or later, the plan has {version}",
                f"set engineVersion to 7.0 or later ({REDIS_IAM_PAGE})",
            )


# --- replacement -----------------------------------------------------------------------------


def _verb(actions: list[str]) -> str:
    if actions == ["delete"]:
        return "destroys"
    if actions == ["create", "delete"]:
        return "replaces (create before destroy)"
    return "replaces (destroy, then create)"


def acknowledgement_lines(addresses: list[tuple[str, str]]) -> str:
    """The YAML an environment file gains to acknowledge these (address, resource type) pairs."""
    entries = [
        {
            "address": address,
            "reason": f"{ACKNOWLEDGEMENT_PLACEHOLDER} why destroying this {rtype} is safe (data moved, backup taken, ...)",
        }
        for address, rtype in addresses
    ]
    return yaml.safe_dump({"acknowledge": {"replace": entries}}, sort_keys=False, width=200)


def _replacements(
    plan: Plan, context: Context | None, notes: list[str]
) -> tuple[list[Violation], list[Acknowledgement], list[tuple[str, str]]]:
    acknowledged = {a.address: a for a in context.acknowledged} if context else {}
    violations: list[Violation] = []
    used: list[Acknowledgement] = []
    missing: list[tuple[str, str]] = []
    destroys = 0
    # A target group destroyed in the same plan as the listener rule that forwarded to it is no
    # longer in use (its load balancer was dropped from the spec): removing it is the intent.
    dropped_rules = {
        (rc.get("module_address"), json.dumps(rc.get("index")))
        for rc in _managed(plan)
        if rc["type"] == "aws_lb_listener_rule" and _actions(rc) == ["delete"]
    }
    for rc in _managed(plan):
        actions = _actions(rc)
        if "delete" not in actions:
            continue
        destroys += 1
        if rc["type"] not in PROTECTED:
            continue
        if actions == ["create", "delete"] and rc["type"] in CREATE_BEFORE_DESTROY_SAFE:
            continue
        if context is not None and context.retired:
            continue
        unused_group = (rc.get("module_address"), json.dumps(rc.get("index"))) in dropped_rules
        if rc["type"] == "aws_lb_target_group" and actions == ["delete"] and unused_group:
            continue
        if rc["address"] in acknowledged:
            used.append(acknowledged[rc["address"]])
            continue
        missing.append((rc["address"], rc["type"]))
        where = context.env_file if context and context.env_file else None
        fix = (
            f"if it is intended, add {{address: {rc['address']!r}, reason: ...}} under acknowledge.replace in {where}"
            if where
            else "if it is intended, acknowledge it in the service's environment file (acknowledge.replace), "
            "or run with --root and --project to be told which file"
        )
        violations.append(Violation("replacement", rc["address"], f"this plan {_verb(actions)} this {rc['type']}", fix))
    if context is not None and context.retired and destroys:
        notes.append(
            f"{context.directory} is a destroy-only root (a retired service or team alert root): its {destroys} destroy(s) are the "
            "decommission itself (docs/decommission.md)"
        )
    return violations, used, missing


def _task_definition_sizes(plan: Plan) -> Iterator[Violation]:
    """A task definition's container definitions (JSON, as the provider sends them) within ECS's
    64 KiB per task definition: the rest of the request only adds to them."""
    for rc in _changing(plan):
        if rc["type"] != "aws_ecs_task_definition" or _unknown(rc, "container_definitions"):
            continue
        containers = _after(rc).get("container_definitions")
        if not isinstance(containers, str):
            continue
        size = len(containers.encode("utf-8"))
        if size > TASK_DEFINITION_BYTES:
            yield Violation(
                "aws-limits",
                rc["address"],
                f"its container definitions alone take {size:,} bytes; ECS allows {TASK_DEFINITION_BYTES:,} per task "
                "definition",
                f"keep large values out of the containers' environment ({ECS_QUOTAS_PAGE})",
            )


def _tag_counts(plan: Plan) -> Iterator[Violation]:
    """A resource's tags (its own and the provider's default_tags: tags_all) within AWS's 50."""
    for rc in _changing(plan):
        tags = _planned_tags(rc)
        if tags is None:
            continue
        count = user_tag_count(frozenset(tags))
        if count > TAGS_PER_RESOURCE:
            yield Violation(
                "aws-limits",
                rc["address"],
                f"the resource would carry {count} tags; AWS allows {TAGS_PER_RESOURCE} per resource",
                f"drop tags from the provider's default_tags (account.yaml defaultTags) or the resource ({TAGS_PAGE})",
            )


# --- tags ------------------------------------------------------------------------------------


def _planned_tags(rc: Change) -> Mapping[str, Any] | None:
    """The tags a resource will carry (``tags_all``: its own and the provider's default_tags, else
    ``tags``); None for a resource without tags or whose tags are known only after apply."""
    after = _after(rc)
    key = "tags_all" if "tags_all" in after else "tags" if "tags" in after else None
    if key is None or _unknown(rc, key):
        return None
    tags = after.get(key) or {}
    return tags if isinstance(tags, Mapping) else None


def _tags(plan: Plan) -> Iterator[Violation]:
    for rc in _changing(plan):
        tags = _planned_tags(rc)
        if tags is None:
            continue  # not a taggable resource, or not known yet
        missing = [t for t in REQUIRED_TAGS if not str(tags.get(t) or "").strip()]
        if missing:
            yield Violation(
                "tags",
                rc["address"],
                f"missing tag(s) {', '.join(missing)}",
                "set them through the provider's default_tags (generated roots do) or the resource's tags",
            )


# --- access ----------------------------------------------------------------------------------


@functools.cache
def _derived_suffixes() -> str:
    """What may follow a datastore's name in a name of its own: a bucket's ``-<account id>``
    (datastores/bucket.py) and each kind's derived names (``-dlq``, ...). Validation keeps these
    names unique in an account, so none of them is another datastore's name."""
    suffixes = sorted({suffix for kind in REGISTRY.kinds for _, suffix in kind.derived_names}, key=len, reverse=True)
    return "|".join([r"-[0-9]{12}", *(re.escape(s) for s in suffixes)])


def _names_in(text: str, names: frozenset[str]) -> set[str]:
    """Which of ``names`` appear in ``text`` as whole names (bounded by anything but [a-z0-9-]),
    alone or with a suffix of the datastore's own names (a bucket's account id, a queue's -dlq)."""
    own = _derived_suffixes()
    return {n for n in names if re.search(rf"(?<![a-z0-9-]){re.escape(n)}(?:{own})?(?![a-z0-9-])", text)}


def _looked_up_groups(plan: Plan) -> Iterator[tuple[str, str]]:
    """(address, name) of every security group the root reads by name, in any module."""

    def walk(module: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str]]:
        for res in module.get("resources") or []:
            if res.get("mode") == "data" and res.get("type") == "aws_security_group":
                name = ((res.get("expressions") or {}).get("name") or {}).get("constant_value")
                if isinstance(name, str):
                    yield f"{prefix}{res['address']}", name
        for call, body in (module.get("module_calls") or {}).items():
            yield from walk(body.get("module") or {}, f"{prefix}module.{call}.")

    yield from walk((plan.get("configuration") or {}).get("root_module") or {}, "")


def _statements(policy: object) -> Iterator[Mapping[str, Any]]:
    if not isinstance(policy, str):
        return
    try:
        document = json.loads(policy)
    except json.JSONDecodeError:
        return
    statements = document.get("Statement") if isinstance(document, dict) else None
    for statement in statements if isinstance(statements, list) else [statements] if statements else []:
        if isinstance(statement, Mapping):
            yield statement


_SECRET_ARN = re.compile(r"^arn:[a-z-]+:(?:ssm:[^:]*:[^:]*:parameter/|secretsmanager:[^:]*:[^:]*:secret:)(?P<name>.+)$")


def _secret_owner(resource: str, context: Context) -> str | None:
    """The other service whose secret (SSM parameter or Secrets Manager secret) ``resource`` is,
    by the naming the spec's rule holds references to (generator/spec/secrets.py)."""
    found = _SECRET_ARN.match(resource)
    if found is None or context.service is None:
        return None
    owner = secrets.secret_owner(found["name"].lstrip("/"), context.other_services, also=context.service)
    return owner if owner != context.service else None


def _access(plan: Plan, context: Context) -> Iterator[Violation]:
    if context.service is None or context.retired:
        return
    declare = f"services/{context.service}/service.yaml (dependencies)"
    for address, name in _looked_up_groups(plan):
        if name not in context.allowed_groups:
            yield Violation(
                "access",
                address,
                f"the root reads security group {name!r}, which {context.service} does not declare",
                f"declare the service or datastore it guards in {declare}, or remove the lookup",
            )
    for rc in _changing(plan):
        policy = _after(rc).get("policy")
        for statement in _statements(policy):
            if statement.get("Effect", "Allow") != "Allow":
                continue
            resources = statement.get("Resource")
            for resource in resources if isinstance(resources, list) else [resources]:
                if not isinstance(resource, str):
                    continue
                owner = _secret_owner(resource, context)
                if owner is not None:
                    yield Violation(
                        "access",
                        rc["address"],
                        f"an IAM statement allows {resource!r}, a secret of service {owner!r} (named under its name)",
                        f"reference only {context.service}'s own or shared secrets in {context.env_file or 'its environment file'}",
                    )
                for name in sorted(_names_in(resource, context.other_datastores)):
                    yield Violation(
                        "access",
                        rc["address"],
                        f"an IAM statement allows {resource!r}, datastore {name!r} that {context.service} "
                        "neither owns nor declares",
                        f"declare {name} in {declare}, or remove the statement",
                    )
    root = (plan.get("configuration") or {}).get("root_module") or {}
    discovery = ((root.get("module_calls") or {}).get("discovery") or {}).get("expressions") or {}
    sources = (discovery.get("allowed_sources") or {}).get("constant_value") or []
    for source in sources:
        if isinstance(source, str) and source not in context.allowed_callers:
            yield Violation(
                "access",
                "module.discovery",
                f"a Consul intention admits {source!r}, which does not declare {context.service}",
                f"declare {context.service} in services/{source}/service.yaml, or remove the intention",
            )


# --- the check -------------------------------------------------------------------------------


def check(plan: Plan, context: Context | None = None) -> Report:
    """Every rule over one plan. With a context (the spec), acknowledgements and access too."""
    notes: list[str] = []
    violations = list(_limits(plan))
    replaced, used, missing = _replacements(plan, context, notes)
    violations += replaced
    violations += _tags(plan)
    if context is not None:
        violations += _access(plan, context)
    unused: tuple[Acknowledgement, ...] = ()
    if context is not None:
        unused = tuple(a for a in context.acknowledged if a not in used)
    if missing and context is not None and context.env_file:
        notes.append(f"to acknowledge, add to {context.env_file}:\n{acknowledgement_lines(missing).rstrip()}")
    for ack in unused:
        notes.append(
            f"{context.env_file if context else ''}: the acknowledgement of {ack.address} matched nothing in this "
            "plan; remove it once the change is applied"
        )
    return Report(
        violations=tuple(sorted(set(violations))),
        checked=sum(1 for _ in _managed(plan)),
        acknowledged=tuple(used),
        unused=unused,
        notes=tuple(notes),
        context=context,
    )


def _projects(root: Path) -> dict[str, str]:
    """Atlantis project name -> directory, from the repository's atlantis.yaml."""
    path = root / "atlantis.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, str] = {}
    for p in data.get("projects") or []:
        if "dir" not in p:
            continue
        name = str(p.get("name") or p["dir"])
        if name in found:  # Atlantis refuses it too; never judge one root's plan with another's spec
            raise CommandError(
                f"{path}: project name {name!r} names 2 projects ({found[name]} and {p['dir']}): project names must "
                "be unique; regenerate atlantis.yaml with 'infragen gen'"
            )
        found[name] = str(p["dir"])
    return found


def context_for(root: Path, repo: Repo, project: str) -> Context:
    """What the spec says about one Atlantis project (by name, or by its directory)."""
    projects = _projects(root)
    directory = projects.get(project) or (project if project in projects.values() else None)
    if directory is None:
        known = ", ".join(sorted(projects)[:20]) or "none"
        raise CommandError(f"no Atlantis project {project!r} in {root / 'atlantis.yaml'} (projects: {known})")
    directory = posixpath.normpath(directory)
    # main.tf of a plain root, terragrunt.hcl of a Terragrunt unit (a datastore's unit retires alone
    # when only the datastore leaves the spec: its service is still there). The generated header's
    # second line, not the marker anywhere: a value in the file (a variable, a description) may read
    # like it, and must not turn the replacement and access rules off
    marked = [root / directory / name for name in ("main.tf", "terragrunt.hcl")]
    retired = any(path.is_file() and naming.destroy_only(path.read_text(encoding="utf-8")) for path in marked)
    parts = directory.split("/")  # accounts/<env>/services/<name>[/<terragrunt unit>]
    if len(parts) < 4 or parts[0] != "accounts" or parts[2] != "services":
        return Context(project=project, directory=directory, retired=retired)
    env, name = parts[1], parts[3]
    env_file = f"services/{name}/environments/{env}.yaml"
    if retired or name not in {s.name for s in repo.services}:
        return Context(project=project, directory=directory, service=name, env=env, env_file=env_file, retired=True)
    service = repo.service(name)
    found = service.env_file(env)
    access = declared_access(repo, service)
    return Context(
        project=project,
        directory=directory,
        service=name,
        env=env,
        env_file=found.file if found and found.file else env_file,
        acknowledged=found.acknowledged if found else (),
        allowed_groups=access.groups,
        allowed_datastores=access.datastores,
        other_datastores=frozenset({d.name for s in repo.services for d in s.datastores} - access.datastores),
        allowed_callers=access.callers,
        other_services=frozenset(s.name for s in repo.services) - {name},
    )


@dataclass(frozen=True)
class Access:
    """What the access rule allows a service's roots, from its declared dependencies."""

    groups: frozenset[str]  # security groups its roots may look up
    datastores: frozenset[str]  # owned or declared
    callers: frozenset[str]  # services that declare it (its Consul intentions)


def declared_access(repo: Repo, service: Service) -> Access:
    owned = {d.name for d in service.datastores}
    datastores = owned | set(service.depends_on_datastores)
    groups = (
        {service.name, *([f"{service.name}-clients"] if service.serves_http else [])}  # a worker/job has none
        | owned
        | {f"{d}-clients" for d in datastores}
        | {f"{s}-clients" for s in service.depends_on_services}
    )
    callers = frozenset(s.name for s in repo.dependents(service.name))
    return Access(frozenset(groups), frozenset(datastores), callers)


def render(report: Report) -> str:
    """The text report: one line per violation, then the notes."""
    lines = [str(v) for v in report.violations]
    lines += [f"acknowledged: {a.address}: {a.reason}" for a in report.acknowledged]
    lines += [f"note: {n}" for n in report.notes]
    where = f" ({report.context.project})" if report.context else ""
    if report.ok:
        lines.append(
            f"plan-check{where}: {report.checked} resource(s) in the plan, every rule holds ({', '.join(RULES)})"
        )
    else:
        lines.append(
            f"plan-check{where}: {len(report.violations)} violation(s) in {report.checked} resource(s) in the plan; "
            "nothing may be applied until the plan passes"
        )
    return "\n".join(lines)


def project_of(root: Path, cwd: Path) -> str | None:
    """The Atlantis project whose directory is ``cwd`` (Atlantis runs steps there), if any."""
    try:
        relative = cwd.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
    return next(
        (name for name, directory in _projects(root).items() if posixpath.normpath(directory) == relative), None
    )
