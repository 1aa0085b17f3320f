"""`infragen plan-check` over plan JSON: every rule with a plan that breaks it and one that does not,
the acknowledgement in an environment file, the two destroys that are not violations, the CLI's
exit codes, and the server-side step as Atlantis runs it.

The plans are small `terraform show -json` documents written here (only the keys the rules read);
tests/test_aws_limits.py runs the same rules over the real plans of every fixture and golden root,
and tests/e2e/test_plan_check.py over a plan that really replaces a database."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, copy_inputs, run_cli

from generator.api import generate, validate
from generator.errors import CommandError
from generator.spec.models import Acknowledgement
from generator.tools import plancheck
from generator.tools.plancheck import Context, check

TAGS = {"owner": "payments", "service": "shop", "environment": "staging", "cost-center": "CC-1"}
LISTENER_A = "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/lb-a/aaaa/1111"
LISTENER_B = "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/lb-b/bbbb/2222"


def change(
    rtype: str,
    name: str = "this",
    after: dict[str, Any] | None = None,
    *,
    actions: tuple[str, ...] = ("create",),
    module: str = "",
    unknown: dict[str, Any] | None = None,
    index: object = None,
) -> dict[str, Any]:
    address = f"{rtype}.{name}" + (f"[{json.dumps(index)}]" if index is not None else "")
    rc: dict[str, Any] = {
        "address": f"{module}.{address}" if module else address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "change": {"actions": list(actions), "after": after, "after_unknown": unknown or {}},
    }
    if module:
        rc["module_address"] = module
    if index is not None:
        rc["index"] = index
    return rc


def plan(*changes: dict[str, Any], configuration: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "resource_changes": list(changes),
        "configuration": configuration or {"root_module": {}},
    }


def rules(report: plancheck.Report) -> list[tuple[str, str]]:
    return [(v.rule, v.address) for v in report.violations]


# --- aws-limits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rtype", "attr", "good", "bad"),
    [
        ("aws_lb_target_group", "name", "a" * 32, "a" * 33),
        ("aws_sqs_queue", "name", "shop-jobs.fifo", "shop jobs"),
        ("aws_elasticache_replication_group", "replication_group_id", "shop-cache", "shop--cache"),
        ("aws_db_instance", "identifier", "shop-db", "1shop-db"),
        ("aws_rds_cluster", "cluster_identifier", "shop-aurora", "shop-aurora-"),
        ("aws_rds_cluster_instance", "identifier", "shop-aurora-16", "shop--aurora-1"),
        ("aws_s3_bucket", "bucket", "shop-assets", "Shop_Assets"),
        ("aws_iam_role", "name", "r" * 64, "r" * 65),
        ("aws_sns_topic", "name", "ledger-events", "ledger.events"),
        ("aws_scheduler_schedule", "name", "s" * 64, "s" * 65),
        ("aws_scheduler_schedule_group", "name", "reconcile.v2_x", "reconcile/nightly"),
        ("aws_cloudwatch_event_rule", "name", "reconcile-failed-runs", "reconcile failed runs"),
    ],
)
def test_names_follow_aws_rules(rtype: str, attr: str, good: str, bad: str) -> None:
    assert check(plan(change(rtype, after={attr: good, "tags_all": TAGS}))).ok
    report = check(plan(change(rtype, after={attr: bad, "tags_all": TAGS})))
    assert rules(report) == [("aws-limits", f"{rtype}.this")]
    assert f"{attr} {bad!r}" in str(report.violations[0]) and "https://docs.aws.amazon.com/" in report.violations[0].fix


def _rules_forwarding_to_one_group(listeners: list[str]) -> dict[str, Any]:
    config = {
        "root_module": {
            "resources": [
                {
                    "address": "aws_lb_listener_rule.this",
                    "mode": "managed",
                    "expressions": {"action": [{"target_group_arn": {"references": ["aws_lb_target_group.this.arn"]}}]},
                }
            ]
        }
    }
    changes = [
        change("aws_lb_listener_rule", after={"listener_arn": arn, "priority": 10 + i, "tags_all": TAGS}, index=i)
        for i, arn in enumerate(listeners)
    ]
    return plan(*changes, configuration=config)


def test_a_target_group_behind_two_load_balancers_is_refused() -> None:
    assert check(_rules_forwarding_to_one_group([LISTENER_A, LISTENER_A.replace("1111", "3333")])).ok
    report = check(_rules_forwarding_to_one_group([LISTENER_A, LISTENER_B]))
    assert rules(report) == [("aws-limits", "aws_lb_target_group.this")]
    assert "2 load balancers (app/lb-a/aaaa, app/lb-b/bbbb)" in report.violations[0].why


def _ecs(groups: int) -> dict[str, Any]:
    after = {
        "name": "shop",
        "network_configuration": [{"security_groups": [f"sg-{i}" for i in range(groups)]}],
        "tags_all": TAGS,
    }
    return plan(change("aws_ecs_service", after=after))


def test_security_groups_per_network_interface() -> None:
    assert check(_ecs(5)).ok
    report = check(_ecs(6))
    assert rules(report) == [("aws-limits", "aws_ecs_service.this")]
    assert "join 6 security groups; AWS allows 5" in report.violations[0].why


def test_listener_rule_priorities_are_unique_per_listener() -> None:
    one = change("aws_lb_listener_rule", "a", {"listener_arn": LISTENER_A, "priority": 7, "tags_all": TAGS})
    other_listener = change("aws_lb_listener_rule", "b", {"listener_arn": LISTENER_B, "priority": 7, "tags_all": TAGS})
    assert check(plan(one, other_listener)).ok
    same = change("aws_lb_listener_rule", "c", {"listener_arn": LISTENER_A, "priority": 7, "tags_all": TAGS})
    report = check(plan(one, same))
    assert rules(report) == [("aws-limits", "aws_lb_listener_rule.c")]
    assert "PriorityInUse" in report.violations[0].why


def test_a_fixed_final_snapshot_identifier_is_refused() -> None:
    random = change(
        "aws_db_instance",
        after={"identifier": "shop-db", "tags_all": TAGS},
        unknown={"final_snapshot_identifier": True},
    )
    assert check(plan(random)).ok
    fixed = change(
        "aws_db_instance", after={"identifier": "shop-db", "final_snapshot_identifier": "x", "tags_all": TAGS}
    )
    assert rules(check(plan(fixed))) == [("aws-limits", "aws_db_instance.this")]
    cluster = change(
        "aws_rds_cluster",
        after={"cluster_identifier": "shop-aurora", "final_snapshot_identifier": "x", "tags_all": TAGS},
    )
    assert rules(check(plan(cluster))) == [("aws-limits", "aws_rds_cluster.this")]


def test_an_empty_deployment_alarm_list_is_refused() -> None:
    def service(names: list[str]) -> dict[str, Any]:
        alarms = [{"alarm_names": names, "enable": True, "rollback": True}]
        return plan(change("aws_ecs_service", after={"name": "shop", "alarms": alarms, "tags_all": TAGS}))

    assert check(service(["shop-missing-tasks"])).ok
    report = check(service([]))
    assert rules(report) == [("aws-limits", "aws_ecs_service.this")]
    assert "AlarmNames" in report.violations[0].why


@pytest.mark.parametrize(
    ("engine", "klass", "refused"),
    [("mysql", "db.t4g.micro", True), ("mysql", "db.t4g.medium", False), ("postgres", "db.t4g.micro", False)],
)
def test_performance_insights_on_a_class_without_it(engine: str, klass: str, refused: bool) -> None:
    after = {"identifier": "shop-db", "engine": engine, "instance_class": klass, "tags_all": TAGS}
    on = check(plan(change("aws_db_instance", after={**after, "performance_insights_enabled": True})))
    assert rules(on) == ([("aws-limits", "aws_db_instance.this")] if refused else [])
    assert check(plan(change("aws_db_instance", after={**after, "performance_insights_enabled": False}))).ok


@pytest.mark.parametrize(("version", "refused"), [("6.2", True), ("7.0", False), ("7.1", False)])
def test_redis_below_7_with_iam_authentication(version: str, refused: bool) -> None:
    after = {"replication_group_id": "shop-cache", "engine": "redis", "engine_version": version, "tags_all": TAGS}
    with_users = check(plan(change("aws_elasticache_replication_group", after={**after, "user_group_ids": ["g"]})))
    assert rules(with_users) == ([("aws-limits", "aws_elasticache_replication_group.this")] if refused else [])
    assert check(plan(change("aws_elasticache_replication_group", after={**after, "user_group_ids": []}))).ok


@pytest.mark.parametrize(
    ("name", "fifo", "refused"),
    [("t", False, False), ("t.fifo", True, False), ("t", True, True), ("t.fifo", False, True)],
)
def test_a_fifo_topic_name_ends_in_fifo(name: str, fifo: bool, refused: bool) -> None:
    report = check(plan(change("aws_sns_topic", after={"name": name, "fifo_topic": fifo, "tags_all": TAGS})))
    assert rules(report) == ([("aws-limits", "aws_sns_topic.this")] if refused else [])


SQS = "arn:aws:sqs:eu-west-1:111122223333:"
SNS = "arn:aws:sns:eu-west-1:"


@pytest.mark.parametrize(
    ("topic", "queue", "why"),
    [
        (SNS + "111122223333:ledger-events", SQS + "shop-invoices", None),
        (SNS + "111122223333:ledger-events.fifo", SQS + "shop-invoices.fifo", None),
        (SNS + "444455556666:ledger-events", SQS + "shop-invoices", "of account 444455556666"),
        (SNS + "111122223333:ledger-events.fifo", SQS + "shop-invoices", "not both FIFO or both standard"),
    ],
)
def test_a_queue_subscribes_to_a_topic_of_its_account_and_kind(topic: str, queue: str, why: str | None) -> None:
    after = {"topic_arn": topic, "endpoint": queue, "protocol": "sqs"}
    report = check(plan(change("aws_sns_topic_subscription", after=after)))
    if why is None:
        assert report.ok, report.violations
    else:
        assert rules(report) == [("aws-limits", "aws_sns_topic_subscription.this")]
        assert why in str(report.violations[0]) and "docs.aws.amazon.com/sns" in report.violations[0].fix
    # before the queue exists its ARN is unknown: nothing to judge yet
    unknown = {"topic_arn": topic, "endpoint": None, "protocol": "sqs"}
    assert check(plan(change("aws_sns_topic_subscription", after=unknown, unknown={"endpoint": True}))).ok


# --- replacement -----------------------------------------------------------------------------

DB = "module.shop_db.module.rds.aws_db_instance.this"


def _replace_db(actions: tuple[str, ...] = ("delete", "create")) -> dict[str, Any]:
    return plan(
        change(
            "aws_db_instance",
            after={"identifier": "shop-db", "tags_all": TAGS},
            actions=actions,
            module="module.shop_db.module.rds",
            unknown={"final_snapshot_identifier": True},
        )
    )


def _context(**kwargs: Any) -> Context:
    base: dict[str, Any] = {
        "project": "staging-shop",
        "directory": "accounts/staging/services/shop",
        "service": "shop",
        "env": "staging",
        "env_file": "services/shop/environments/staging.yaml",
    }
    return Context(**{**base, **kwargs})


@pytest.mark.parametrize("actions", [("delete", "create"), ("create", "delete"), ("delete",)])
def test_destroying_or_replacing_a_database_is_refused(actions: tuple[str, ...]) -> None:
    report = check(_replace_db(actions), _context())
    assert rules(report) == [("replacement", DB)]
    line = str(report.violations[0])
    assert line.startswith(f"replacement: {DB}: this plan ")
    assert "services/shop/environments/staging.yaml" in line and "acknowledge.replace" in line
    (note,) = report.notes
    assert "to acknowledge, add to services/shop/environments/staging.yaml:" in note
    assert yaml.safe_load(note.split(":\n", 1)[1])["acknowledge"]["replace"][0]["address"] == DB


def test_without_the_spec_the_violation_says_where_acknowledgements_live() -> None:
    report = check(_replace_db())
    assert rules(report) == [("replacement", DB)]
    assert "--root and --project" in report.violations[0].fix


def test_an_acknowledged_replacement_passes_and_is_reported() -> None:
    ack = Acknowledgement(DB, "staging data is reseeded nightly")
    report = check(_replace_db(), _context(acknowledged=(ack,)))
    assert report.ok and report.acknowledged == (ack,)
    assert "acknowledged: " + DB in plancheck.render(report)


def test_an_acknowledgement_of_another_address_does_not_count() -> None:
    ack = Acknowledgement(DB.replace("shop_db", "shop_other"), "not this one")
    report = check(_replace_db(), _context(acknowledged=(ack,)))
    assert rules(report) == [("replacement", DB)]
    assert report.unused == (ack,)
    assert any("matched nothing in this plan" in n for n in report.notes)


def test_a_retired_services_destroy_only_root_is_not_a_violation() -> None:
    destroy_all = plan(
        change("aws_db_instance", actions=("delete",), after=None),
        change("aws_ecs_service", actions=("delete",), after=None),
        change("aws_sqs_queue", actions=("delete",), after=None),
    )
    assert len(check(destroy_all, _context()).violations) == 3
    report = check(destroy_all, _context(retired=True))
    assert report.ok
    assert "destroy-only root" in report.notes[0] and "3 destroy(s)" in report.notes[0]


@pytest.mark.parametrize("rtype", ["aws_lb_target_group", "aws_security_group"])
def test_create_before_destroy_of_a_stateless_resource_is_not_a_violation(rtype: str) -> None:
    after = {"name": "shop-x", "tags_all": TAGS}
    assert check(plan(change(rtype, after=after, actions=("create", "delete")))).ok
    assert rules(check(plan(change(rtype, after=after, actions=("delete", "create"))))) == [
        ("replacement", f"{rtype}.this")
    ]


@pytest.mark.parametrize(
    "rtype",
    [
        "aws_sqs_queue",
        "aws_dynamodb_table",
        "aws_s3_bucket",
        "aws_ecs_service",
        "aws_kms_key",
        "aws_cloudwatch_log_group",
        "aws_elasticache_replication_group",
    ],
)
def test_a_destroy_of_each_stateful_kind_is_refused(rtype: str) -> None:
    assert rules(check(plan(change(rtype, actions=("delete",), after=None)))) == [("replacement", f"{rtype}.this")]


def test_a_target_group_destroyed_with_its_listener_rule_is_not_a_violation() -> None:
    """External ingress turned off: the rule and its group go together; the group was serving nothing."""
    group = change("aws_lb_target_group", actions=("delete",), after=None, module="module.service", index="external")
    rule = change("aws_lb_listener_rule", actions=("delete",), after=None, module="module.service", index="external")
    assert check(plan(group, rule)).ok
    assert rules(check(plan(group))) == [("replacement", 'module.service.aws_lb_target_group.this["external"]')]


def test_destroying_a_stateless_resource_is_not_a_violation() -> None:
    assert check(plan(change("aws_iam_role_policy", actions=("delete",), after=None))).ok


# --- tags ------------------------------------------------------------------------------------


def test_taggable_resources_carry_the_four_tags() -> None:
    assert check(plan(change("aws_sqs_queue", after={"name": "q", "tags_all": TAGS}))).ok
    partial = {k: v for k, v in TAGS.items() if k != "cost-center"}
    report = check(plan(change("aws_sqs_queue", after={"name": "q", "tags": partial, "tags_all": partial})))
    assert rules(report) == [("tags", "aws_sqs_queue.this")]
    assert "missing tag(s) cost-center" in report.violations[0].why
    assert check(plan(change("aws_iam_role_policy", after={"policy": "{}"}))).ok  # not taggable
    assert check(plan(change("aws_sqs_queue", after={"name": "q"}, unknown={"tags_all": True}))).ok


# --- access ----------------------------------------------------------------------------------


def test_only_declared_groups_may_be_looked_up() -> None:
    def lookup(name: str) -> dict[str, Any]:
        resource = {
            "address": "data.aws_security_group.x",
            "mode": "data",
            "type": "aws_security_group",
            "expressions": {"name": {"constant_value": name}},
        }
        return plan(configuration={"root_module": {"resources": [resource]}})

    context = _context(allowed_groups=frozenset({"bpg-clients", "shop", "shop-clients"}))
    assert check(lookup("bpg-clients"), context).ok
    report = check(lookup("core-db-clients"), context)
    assert rules(report) == [("access", "data.aws_security_group.x")]
    assert "'core-db-clients', which shop does not declare" in report.violations[0].why
    assert check(lookup("core-db-clients")).ok  # no spec, no access rule


def test_iam_statements_name_only_declared_datastores() -> None:
    def policy(resource: str) -> dict[str, Any]:
        document = {"Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [resource]}]}
        return plan(change("aws_iam_role_policy", "task", {"policy": json.dumps(document)}))

    context = _context(allowed_datastores=frozenset({"shop-jobs"}), other_datastores=frozenset({"core-jobs"}))
    assert check(policy("arn:aws:sqs:eu-west-1:1:shop-jobs"), context).ok
    assert check(policy("arn:aws:sqs:eu-west-1:1:core-jobs-extra"), context).ok  # another name
    report = check(policy("arn:aws:sqs:eu-west-1:1:core-jobs"), context)
    assert rules(report) == [("access", "aws_iam_role_policy.task")]
    assert "datastore 'core-jobs' that shop neither owns nor declares" in report.violations[0].why


def test_consul_intentions_admit_only_declared_callers() -> None:
    def discovery(sources: list[str]) -> dict[str, Any]:
        call = {"discovery": {"expressions": {"allowed_sources": {"constant_value": sources}}}}
        return plan(configuration={"root_module": {"module_calls": call}})

    context = _context(allowed_callers=frozenset({"web"}))
    assert check(discovery(["web"]), context).ok
    assert rules(check(discovery(["web", "batch"]), context)) == [("access", "module.discovery")]


# --- the spec's context ----------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_inputs(tmp_path / "repo")
    generate(root, check=False)
    return root


def test_context_of_a_service_project(repo: Path) -> None:
    context = plancheck.context_for(repo, validate(repo), "staging-klausapproves")
    assert (context.service, context.env, context.directory) == (
        "klausapproves",
        "staging",
        "accounts/staging/services/klausapproves",
    )
    assert context.env_file == "services/klausapproves/environments/staging.yaml"
    assert "bpg-clients" in context.allowed_groups and "core-clients" not in context.allowed_groups
    assert not context.retired
    same = plancheck.context_for(repo, validate(repo), "accounts/staging/services/klausapproves")
    assert same.service == "klausapproves"


def test_only_the_header_makes_a_root_destroy_only(repo: Path) -> None:
    """A value in main.tf that reads like the destroy-only marker does not turn the plan's
    replacement and access rules off: only the generated header line does."""
    env_file = repo / "services/klausapproves/environments/staging.yaml"
    text = env_file.read_text(encoding="utf-8")
    env_file.write_text(
        text.replace("  LOG_LEVEL: debug\n", '  LOG_LEVEL: "# Destroy-only root: not really"\n'), encoding="utf-8"
    )
    generate(repo, check=False)
    main = repo / "accounts/staging/services/klausapproves/main.tf"
    assert "# Destroy-only root: not really" in main.read_text(encoding="utf-8")
    context = plancheck.context_for(repo, validate(repo), "staging-klausapproves")
    assert not context.retired and context.service == "klausapproves"
    assert rules(check(_replace_db(), context)) == [("replacement", DB)]


def test_an_unknown_project_lists_the_known_ones(repo: Path) -> None:
    with pytest.raises(CommandError, match=r"no Atlantis project 'staging-nope' .*staging-bpg"):
        plancheck.context_for(repo, validate(repo), "staging-nope")


def test_acknowledgements_come_from_the_environment_file(repo: Path) -> None:
    env_file = repo / "services/klausapproves/environments/staging.yaml"
    with env_file.open("a", encoding="utf-8") as handle:
        handle.write(f"acknowledge:\n  replace:\n    - address: {DB}\n      reason: staging data is reseeded\n")
    context = plancheck.context_for(repo, validate(repo), "staging-klausapproves")
    lines = env_file.read_text(encoding="utf-8").splitlines()
    assert context.acknowledged == (
        Acknowledgement(DB, "staging data is reseeded", lines.index("    - address: " + DB) + 1),
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("    - address: not an address\n      reason: because it is fine\n", "acknowledge.replace[0].address"),
        ("    - address: aws_db_instance.this\n      reason: short\n", "acknowledge.replace[0].reason"),
        ("    - address: aws_db_instance.this\n", "acknowledge.replace[0]"),
        (
            "    - address: aws_db_instance.this\n      reason: because it is fine\n"
            "    - address: aws_db_instance.this\n      reason: because it is fine\n",
            "aws_db_instance.this is already acknowledged at line",
        ),
    ],
)
def test_a_bad_acknowledgement_is_an_error_at_its_line(repo: Path, entry: str, message: str) -> None:
    env_file = repo / "services/klausapproves/environments/staging.yaml"
    before = env_file.read_text(encoding="utf-8")
    env_file.write_text(before + "acknowledge:\n  replace:\n" + entry, encoding="utf-8")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    assert "services/klausapproves/environments/staging.yaml:" in result.stderr and message in result.stderr


def test_the_printed_placeholder_is_not_a_reason(repo: Path) -> None:
    """The lines plan-check prints to paste are refused until a person writes the reason: pasted
    as they are, they would excuse a database replacement with 'TODO: ...'."""
    env_file = repo / "services/klausapproves/environments/staging.yaml"
    pasted = plancheck.acknowledgement_lines([(DB, "aws_db_instance")])
    env_file.write_text(env_file.read_text(encoding="utf-8") + pasted, encoding="utf-8")
    result = run_cli("validate", "--root", str(repo))
    assert result.code == 1
    line = env_file.read_text(encoding="utf-8").splitlines().index(f"  - address: {DB}") + 2
    assert f"services/klausapproves/environments/staging.yaml:{line}:" in result.stderr
    assert "acknowledge.replace[0].reason: still plan-check's placeholder" in result.stderr

    env_file.write_text(
        env_file.read_text(encoding="utf-8").replace(pasted.split("reason: ", 1)[1], "staging data is reseeded\n"),
        encoding="utf-8",
    )
    assert run_cli("validate", "--root", str(repo)).code == 0


# --- the command -----------------------------------------------------------------------------


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_cli_exit_codes_and_lines(tmp_path: Path) -> None:
    clean = _write(tmp_path / "clean.json", plan(change("aws_sqs_queue", after={"name": "q", "tags_all": TAGS})))
    ok = run_cli("plan-check", str(clean))
    assert ok.code == 0, ok.stderr
    assert "every rule holds" in ok.stdout

    bad = _write(
        tmp_path / "bad.json",
        plan(
            change("aws_sqs_queue", actions=("delete",), after=None),
            change("aws_s3_bucket", after={"bucket": "B_B", "tags_all": {}}),
        ),
    )
    refused = run_cli("plan-check", str(bad))
    assert refused.code == 1
    lines = [line for line in refused.stdout.splitlines() if not line.startswith(("note:", "plan-check"))]
    assert lines == [
        "aws-limits: aws_s3_bucket.this: bucket 'B_B' (3 characters) breaks AWS's rule: at most 63, matching "
        "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$; shorten or rename it "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)",
        "replacement: aws_sqs_queue.this: this plan destroys this aws_sqs_queue; if it is intended, acknowledge it in "
        "the service's environment file (acknowledge.replace), or run with --root and --project to be told which file",
        "tags: aws_s3_bucket.this: missing tag(s) owner, service, environment, cost-center; set them through the "
        "provider's default_tags (generated roots do) or the resource's tags",
    ]
    assert "3 violation(s)" in refused.stdout

    as_json = run_cli("plan-check", str(bad), "--json")
    assert as_json.code == 1
    data = json.loads(as_json.stdout)
    assert [v["rule"] for v in data["violations"]] == ["aws-limits", "replacement", "tags"]

    assert run_cli("plan-check").code == 2  # usage: no PLAN_JSON
    assert run_cli("plan-check", str(clean), "--bogus").code == 2
    missing = run_cli("plan-check", str(tmp_path / "nope.json"))
    assert missing.code == 1 and "no such file" in missing.stderr
    not_a_plan = run_cli("plan-check", str(_write(tmp_path / "x.json", {"values": {}})))
    assert not_a_plan.code == 1 and "not a plan" in not_a_plan.stderr


def test_cli_with_the_spec_acknowledges_from_the_environment_file(repo: Path, tmp_path: Path) -> None:
    saved = _write(tmp_path / "plan.json", _replace_db())
    refused = run_cli("plan-check", str(saved), "--root", str(repo), "--project", "staging-klausapproves")
    assert refused.code == 1
    assert (
        "add {address: 'module.shop_db.module.rds.aws_db_instance.this', reason: ...} under acknowledge.replace "
        "in services/klausapproves/environments/staging.yaml" in refused.stdout
    )
    env_file = repo / "services/klausapproves/environments/staging.yaml"
    snippet = refused.stdout.split("to acknowledge, add to services/klausapproves/environments/staging.yaml:\n")[1]
    snippet = snippet.split("\nplan-check")[0].replace(
        "TODO: why destroying this aws_db_instance is safe (data moved, backup taken, ...)",
        "the data was copied to shop-db2",
    )
    with env_file.open("a", encoding="utf-8") as handle:
        handle.write(snippet + "\n")
    passed = run_cli("plan-check", str(saved), "--root", str(repo), "--project", "staging-klausapproves")
    assert passed.code == 0, passed.stdout + passed.stderr
    assert f"acknowledged: {DB}: the data was copied to shop-db2" in passed.stdout


def _step(workflow: str) -> str:
    steps = yaml.safe_load((REPO / "docs/atlantis/repos.yaml").read_text())["workflows"][workflow]["plan"]["steps"]
    runs = [s for s in steps if isinstance(s, dict) and "infragen plan-check" in s.get("run", "")]
    assert len(runs) == 1, steps
    index = steps.index(runs[0])
    if workflow == "infragen":  # right after Atlantis's own plan and show steps
        assert steps[index - 2 : index] == ["plan", "show"]
    else:
        assert "show -json" in steps[index - 1]["run"]
    command: str = runs[0]["run"]
    return command


@pytest.mark.parametrize("workflow", ["infragen", "infragen-terragrunt"])
def test_the_server_side_step_refuses_a_replacing_plan_in_the_project_dir(
    repo: Path, tmp_path: Path, workflow: str
) -> None:
    """The step as Atlantis runs it: `sh -c` in the project directory with DIR, REPO_REL_DIR,
    PROJECT_NAME and SHOWFILE (the JSON of the saved plan)."""
    project_dir = "accounts/staging/services/klausapproves"
    step = _step(workflow).replace("infragen ", f"{shlex.quote(sys.executable)} -m generator.cli ", 1)

    def run(saved: Path) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "DIR": str(repo / project_dir),
            "REPO_REL_DIR": project_dir,
            "PROJECT_NAME": "staging-klausapproves",
            "SHOWFILE": str(saved),
            "NO_COLOR": "1",
        }
        return subprocess.run(["sh", "-c", step], cwd=repo / project_dir, env=env, capture_output=True, text=True)

    refused = run(_write(tmp_path / "replace.json", _replace_db()))
    assert refused.returncode == 1, refused.stderr
    assert (
        f"replacement: {DB}" in refused.stdout and "services/klausapproves/environments/staging.yaml" in refused.stdout
    )
    clean = plan(change("aws_sqs_queue", after={"name": "klausapproves-q", "tags_all": TAGS}))
    passed = run(_write(tmp_path / "clean.json", clean))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "(staging-klausapproves)" in passed.stdout


def test_explain_lists_what_plan_check_enforces(repo: Path) -> None:
    env_file = repo / "services/klausapproves/environments/staging.yaml"
    with env_file.open("a", encoding="utf-8") as handle:
        handle.write(f"acknowledge:\n  replace:\n    - address: {DB}\n      reason: staging data is reseeded\n")
    result = run_cli("explain", "klausapproves", "--root", str(repo))
    assert result.code == 0, result.stderr
    section = result.stdout.split("### What plan-check enforces on its plans")[1].split("###")[0]
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in section.splitlines() if " | " in line}
    production, staging = rows["destroys/replacements acknowledged"]
    assert production == "none" and staging.startswith(f"`{DB}` (staging data is reseeded)")
    assert "`bpg-clients`" in rows["security groups its roots may use"][0]
    assert "`core-clients`" not in section


def test_iam_statements_on_another_datastores_account_named_bucket_or_derived_names_are_refused() -> None:
    # a bucket is named <name>-<account id>, a queue has its <name>-dlq: the datastore's all the same
    def policy(resource: str) -> dict[str, Any]:
        document = {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": resource}]}
        return plan(change("aws_iam_role_policy", "task", {"policy": json.dumps(document)}))

    context = _context(
        allowed_datastores=frozenset({"shop-files"}), other_datastores=frozenset({"core-files", "core-jobs"})
    )
    assert check(policy("arn:aws:s3:::shop-files-111111111111/*"), context).ok
    assert check(policy("arn:aws:s3:::core-files-archive"), context).ok  # another name
    for resource, name in [
        ("arn:aws:s3:::core-files-111111111111", "core-files"),
        ("arn:aws:s3:::core-files-111111111111/*", "core-files"),
        ("arn:aws:sqs:eu-west-1:111111111111:core-jobs-dlq", "core-jobs"),
    ]:
        report = check(policy(resource), context)
        assert rules(report) == [("access", "aws_iam_role_policy.task")], resource
        assert f"datastore {name!r} that shop neither owns nor declares" in report.violations[0].why


def test_iam_statements_on_another_services_secrets_are_refused() -> None:
    def policy(resource: str) -> dict[str, Any]:
        document = {"Statement": [{"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [resource]}]}
        return plan(change("aws_iam_role_policy", "execution", {"policy": json.dumps(document)}))

    context = _context(other_services=frozenset({"core", "core-api"}))
    ssm = "arn:aws:ssm:eu-west-1:111111111111:parameter"
    sm = "arn:aws:secretsmanager:eu-west-1:111111111111:secret"
    for ok in (f"{ssm}/shop/token", f"{ssm}/shared/key", f"{sm}:shop/signing-AbCdEf", f"{sm}:corebank/x-AbCdEf"):
        assert check(policy(ok), context).ok, ok
    for resource, owner in [
        (f"{ssm}/core/token", "core"),
        (f"{ssm}//core/token", "core"),
        (f"{ssm}/core-api/token", "core-api"),
        (f"{sm}:core/signing-AbCdEf", "core"),
        (f"{sm}:core-api-signing-AbCdEf", "core-api"),
    ]:
        report = check(policy(resource), context)
        assert rules(report) == [("access", "aws_iam_role_policy.execution")], resource
        assert f"a secret of service {owner!r}" in report.violations[0].why


def _policy(chars: int) -> str:
    """A policy document of exactly ``chars`` characters as IAM counts them, padded with white
    space that does not count."""
    head = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "'
    tail = '"}]}'
    counted = plancheck.policy_chars(head + tail)
    return head + "x" * (chars - counted) + tail


ROLE_POLICY = plancheck.ROLE_INLINE_POLICY_CHARS


@pytest.mark.parametrize(
    ("sizes", "refused"),
    [((ROLE_POLICY,), False), ((ROLE_POLICY + 1,), True), ((6000, ROLE_POLICY - 6000), False), ((6000, 4241), True)],
)
def test_the_inline_policies_of_a_role_total_at_most_10240_characters(sizes: tuple[int, ...], refused: bool) -> None:
    changes = [
        change("aws_iam_role_policy", f"p{i}", {"role": "shop-task", "policy": _policy(size)})
        for i, size in enumerate(sizes)
    ]
    found = [v for v in check(plan(*changes)).violations if "IAM allows" in v.why]
    assert bool(found) == refused
    if refused:
        assert f"role shop-task would total {sum(sizes)} characters" in found[0].why
        assert found[0].address == f"aws_iam_role_policy.p{sizes.index(max(sizes))}"


def test_white_space_does_not_count_toward_a_policy_size() -> None:
    policy = _policy(ROLE_POLICY).replace(", ", ",\n        ")
    assert len(policy) > ROLE_POLICY
    assert not check(plan(change("aws_iam_role_policy", after={"role": "r", "policy": policy}))).violations


def test_a_kept_inline_policy_counts_but_alone_is_not_judged() -> None:
    kept = change("aws_iam_role_policy", "kept", {"role": "r", "policy": _policy(8000)}, actions=("no-op",))
    new = change("aws_iam_role_policy", "new", {"role": "r", "policy": _policy(3000)})
    other = change("aws_iam_role_policy", "other", {"role": "q", "policy": _policy(3000)})
    assert rules(check(plan(kept, new))) == [("aws-limits", "aws_iam_role_policy.kept")]
    assert not check(plan(kept)).violations  # AWS accepted it once: nothing of it is written now
    assert not check(plan(kept, other)).violations  # another role
    gone = change("aws_iam_role_policy", "kept", {"role": "r", "policy": _policy(8000)}, actions=("delete",))
    assert not check(plan(gone, new)).violations


def test_an_inline_policy_of_a_role_created_with_it_is_grouped_by_its_reference() -> None:
    configuration = {
        "root_module": {
            "resources": [
                {
                    "address": f"aws_iam_role_policy.{n}",
                    "mode": "managed",
                    "expressions": {"role": {"references": ["aws_iam_role.task.id", "aws_iam_role.task"]}},
                }
                for n in ("a", "b")
            ]
        }
    }
    a = change("aws_iam_role_policy", "a", {"policy": _policy(6000)}, unknown={"role": True})
    b = change("aws_iam_role_policy", "b", {"policy": _policy(6000)}, unknown={"role": True})
    found = check(plan(a, b, configuration=configuration)).violations
    assert len(found) == 1 and "role aws_iam_role.task would total 12000 characters" in found[0].why


def test_a_policy_known_only_after_apply_is_not_judged() -> None:
    unknown = change("aws_iam_role_policy", after={"role": "r"}, unknown={"policy": True})
    assert not check(plan(unknown)).violations


@pytest.mark.parametrize(
    ("size", "refused"), [(plancheck.MANAGED_POLICY_CHARS, False), (plancheck.MANAGED_POLICY_CHARS + 1, True)]
)
def test_a_managed_policy_holds_at_most_6144_characters(size: int, refused: bool) -> None:
    found = check(plan(change("aws_iam_policy", after={"name": "p", "policy": _policy(size)}))).violations
    assert [v.why for v in found if "IAM allows" in v.why] == (
        [f"the managed policy would hold {size} characters (white space not counted); IAM allows 6144"]
        if refused
        else []
    )
