"""`moved` blocks of aws/ecs-service, exercised for real: apply the previous layout (the module as of
the commit in LAYOUT_BEFORE: two aws_ecs_service variants with count, one target group shared by
both load balancers) against the emulator, switch the same root to today's module and plan.

The plan must move, not recreate: the ECS service (aws_ecs_service.this[0] stays, .autoscaled[0] -> this -> this[0]), the target
group (this -> this["internal"]) and the listener rules (internal -> this["internal"],
external[0] -> this["external"]) keep their state. What the new layout changes on purpose is
listed and allowed: the shared target group is replaced create-before-destroy by two groups with
name_prefix (ELBv2 refuses one group on two load balancers), and the new ECR repository and its
lifecycle policy are created. Then the plan is applied and a second plan must be empty.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tfenv import run_terraform, terraform_binary

from . import harness as h
from .test_apply import e2e_requested

LAYOUT_BEFORE = "2c09754"  # main before issue 10
LAYOUT_SINGLE = "c95ea49"  # main before kind: job: one aws_ecs_service.this, no count
REPO = h.REPO
ALLOWED_NEW = {"aws_ecr_repository", "aws_ecr_lifecycle_policy", "aws_lb_target_group", "aws_lb_listener_rule"}


def _old_module(dest: Path, rev: str = LAYOUT_BEFORE) -> Path:
    """modules/aws/ecs-service as of ``rev``, extracted with git."""
    target = dest / "old" / "ecs-service"
    target.mkdir(parents=True)
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", rev, "modules/aws/ecs-service/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for path in listing:
        if path.endswith(".tf"):
            text = subprocess.run(
                ["git", "show", f"{rev}:{path}"], cwd=REPO, capture_output=True, text=True, check=True
            ).stdout
            (target / Path(path).name).write_text(text, encoding="utf-8")
    return target


# Today's module reaches the service through ECS Service Connect (issue 10 finding 10); the old one
# put it behind a host-header rule on the internal load balancer.
SERVICE_CONNECT = '  service_connect = {{ namespace_arn = "{arn}", dns_name = "mover-internal.e2e.e2e.internal" }}'
OLD_INTERNAL = (
    '  listener_arn           = "{listener}"\n'
    "  listener_rule_priority = 4242\n"
    '  host_header            = "mover-internal.e2e.e2e.internal"'
)
SCALING = '  autoscaling = { resource = "cpu", target = 60, min = 1, max = 2 }'


def _root(source: str, infra: h.Infra, autoscaling: bool, *, new: bool) -> str:
    image = f"123456789012.dkr.ecr.{h.REGION}.amazonaws.com/mover:bootstrap"
    # The region comes from a root's providers.tf in generated roots; this hand-written root says
    # it itself (without it the provider signs for region "" and moto answers 500 forever).
    return f"""
provider "aws" {{
  region = "{h.REGION}"
}}

module "svc" {{
  source                 = "{source}"
  name                   = "mover"
  cluster_arn            = "{infra.cluster_arn}"
  image                  = "{image}"
  cpu                    = 256
  memory_mb              = 512
  desired_count          = {1 if autoscaling else 0}
{SCALING if autoscaling else ""}
  vpc_id                 = "{infra.vpc_id}"
  subnet_ids             = {json.dumps(list(infra.subnet_ids))}
  security_group_ids     = ["{infra.internal["securityGroupId"]}"]
{SERVICE_CONNECT.format(arn=infra.namespace_arn) if new else OLD_INTERNAL.format(listener=infra.internal["listenerArn"])}
  external_listener = {{
    listener_arn = "{infra.external["listenerArn"]}"
    host_header  = "mover.e2e-example.com"
    priority     = 4243
  }}
}}
"""


# Both variants of the old layout: aws_ecs_service.this[0] (fixed count) and .autoscaled[0].
@pytest.mark.parametrize("autoscaling", [False, True], ids=["fixed-count", "autoscaled"])
def test_moved_blocks_keep_state(tmp_path: Path, request: pytest.FixtureRequest, autoscaling: bool) -> None:
    if not e2e_requested(request.config):
        pytest.skip("the moved-blocks apply runs only with `make e2e`")
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH")
    if autoscaling:
        pytest.skip(
            "moved blocks of the AUTOSCALED old layout NOT exercised: applying it needs an "
            "aws_appautoscaling_target, whose tags moto cannot list (ListTagsForResource: HTTP 500, retried by "
            "the provider forever; docs/testing.md, emulator gaps); the chain autoscaled[0] -> this -> this[0] "
            "is the same moved.tf that the fixed-count case exercises"
        )
    if subprocess.run(["git", "cat-file", "-e", LAYOUT_BEFORE], cwd=REPO, capture_output=True).returncode != 0:
        pytest.skip(f"moved blocks NOT exercised: commit {LAYOUT_BEFORE} (the previous layout) is not in this clone")

    def tf(cwd: Path, *args: str, ok: tuple[int, ...] = (0,)) -> Any:
        done = run_terraform([*args, "-no-color"], cwd, timeout=1800)
        assert done.returncode in ok, (
            f"terraform {' '.join(args)} exited {done.returncode}:\n{(done.stdout + done.stderr)[-6000:]}"
        )
        return done

    old = _old_module(tmp_path)
    root = tmp_path / "root"
    root.mkdir()
    with h.moto_server() as endpoint:
        infra = h.provision(endpoint)
        (root / "zz_e2e_override.tf").write_text(h.override(endpoint), encoding="utf-8")
        (root / "main.tf").write_text(_root(str(old), infra, autoscaling, new=False), encoding="utf-8")
        tf(root, "init", "-input=false")
        tf(root, "apply", "-input=false", "-auto-approve")

        (root / "main.tf").write_text(
            _root(str(REPO / "modules" / "aws" / "ecs-service"), infra, autoscaling, new=True), encoding="utf-8"
        )
        tf(root, "init", "-input=false")
        tf(root, "plan", "-input=false", "-out=moved.tfplan")
        plan = json.loads(tf(root, "show", "-json", "moved.tfplan").stdout)
        changes = {rc["address"]: rc for rc in plan["resource_changes"]}
        moved = {rc["previous_address"]: a for a, rc in changes.items() if rc.get("previous_address")}
        for line in sorted(
            f"{a} <- {rc.get('previous_address', '')} {rc['change']['actions']}" for a, rc in changes.items()
        ):
            print("   ", line)
        # Today's address is this[0] again (count: a scheduled job has no service), so the first
        # layout's this[0] stays where it is and autoscaled[0] moves there through this.
        new_address = "module.svc.aws_ecs_service.this[0]"
        if autoscaling:
            assert moved.get("module.svc.aws_ecs_service.autoscaled[0]") == new_address
        else:
            assert "previous_address" not in changes[new_address], changes[new_address].get("previous_address")
        service = changes[new_address]["change"]["actions"]
        assert "create" not in service and "delete" not in service, f"the ECS service is recreated: {service}"
        assert (
            moved.get("module.svc.aws_lb_listener_rule.external[0]")
            == 'module.svc.aws_lb_listener_rule.this["external"]'
        )
        external_rule = changes['module.svc.aws_lb_listener_rule.this["external"]']["change"]["actions"]
        assert "delete" not in external_rule, f"the external listener rule is recreated: {external_rule}"
        # Going away on purpose: the shared target group (ELBv2 refuses one group on two load
        # balancers; the external one gets its own, name_prefix) and the internal listener rule
        # (Service Connect replaces the internal load balancer's path).
        assert moved.get("module.svc.aws_lb_target_group.this") == 'module.svc.aws_lb_target_group.this["external"]'
        internal_rule = "module.svc.aws_lb_listener_rule.internal"
        bad = [
            f"{a} {rc['change']['actions']}"
            for a, rc in changes.items()
            if "delete" in rc["change"]["actions"]
            and rc["type"] not in {"aws_lb_target_group", "aws_ecs_task_definition"}
            and a != internal_rule
        ]
        assert not bad, "the new layout must not destroy what the moved blocks carry over:\n" + "\n".join(bad)
        created = {rc["type"] for rc in changes.values() if rc["change"]["actions"] == ["create"]}
        assert created <= ALLOWED_NEW, f"unexpected new resources: {sorted(created - ALLOWED_NEW)}"
        tf(root, "apply", "-input=false", "moved.tfplan")
        second = tf(root, "plan", "-input=false", "-detailed-exitcode", "-out=again.tfplan", ok=(0, 2))
        if second.returncode == 2:
            shown = json.loads(tf(root, "show", "-json", "again.tfplan").stdout)
            unexplained, explained = h.replan_drift(shown)
            for item in explained:
                print(f"    emulator drift (docs/testing.md): {item}")
            assert not unexplained, f"second plan after the move is not empty: {unexplained}"
        tf(root, "destroy", "-input=false", "-auto-approve")


def test_the_single_service_layout_moves_to_the_counted_one(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Every root applied before kind: job has aws_ecs_service.this; today's module counts it (a job
    has none), and moved.tf moves this -> this[0]: the plan updates the service in place, creates
    and destroys nothing, and after the apply a second plan creates and destroys nothing either."""
    if not e2e_requested(request.config):
        pytest.skip("the moved-blocks apply runs only with `make e2e`")
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH")
    if subprocess.run(["git", "cat-file", "-e", LAYOUT_SINGLE], cwd=REPO, capture_output=True).returncode != 0:
        pytest.skip(f"moved blocks NOT exercised: commit {LAYOUT_SINGLE} (the previous layout) is not in this clone")
    old = _old_module(tmp_path, LAYOUT_SINGLE)
    root = tmp_path / "root"
    root.mkdir()
    with h.moto_server() as endpoint:
        infra = h.provision(endpoint)
        (root / "zz_e2e_override.tf").write_text(h.override(endpoint), encoding="utf-8")
        (root / "main.tf").write_text(_root(str(old), infra, False, new=True), encoding="utf-8")
        for args in (("init", "-input=false"), ("apply", "-input=false", "-auto-approve")):
            done = run_terraform([*args, "-no-color"], root, timeout=1800)
            assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
        (root / "main.tf").write_text(
            _root(str(REPO / "modules" / "aws" / "ecs-service"), infra, False, new=True), encoding="utf-8"
        )
        for args in (("init", "-input=false"), ("plan", "-input=false", "-out=moved.tfplan")):
            done = run_terraform([*args, "-no-color"], root, timeout=1800)
            assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
        shown = run_terraform(["show", "-json", "moved.tfplan"], root, timeout=600)
        changes = {rc["address"]: rc for rc in json.loads(shown.stdout)["resource_changes"]}
        service = changes["module.svc.aws_ecs_service.this[0]"]
        print("    aws_ecs_service.this[0] <-", service.get("previous_address"), service["change"]["actions"])
        assert service.get("previous_address") == "module.svc.aws_ecs_service.this"
        churn = [
            f"{a} {rc['change']['actions']}"
            for a, rc in changes.items()
            if "create" in rc["change"]["actions"] or "delete" in rc["change"]["actions"]
        ]
        assert not churn, f"moving to the counted layout creates or destroys: {churn}"
        done = run_terraform(["apply", "-input=false", "moved.tfplan", "-no-color"], root, timeout=1800)
        assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
        # moto returns some ECS service attributes it was never sent (docs/testing.md, emulator
        # drift), so the second plan may update in place; it must create and destroy nothing.
        again = run_terraform(["plan", "-input=false", "-out=again.tfplan", "-no-color"], root, timeout=1800)
        assert again.returncode == 0, (again.stdout + again.stderr)[-6000:]
        shown = run_terraform(["show", "-json", "again.tfplan"], root, timeout=600)
        after = [
            f"{rc['address']} {rc['change']['actions']}"
            for rc in json.loads(shown.stdout).get("resource_changes", [])
            if "create" in rc["change"]["actions"] or "delete" in rc["change"]["actions"]
        ]
        assert not after, f"the plan after the move creates or destroys: {after}"
