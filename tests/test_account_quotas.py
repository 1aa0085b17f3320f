"""Adjustable AWS quotas an account was granted (account.yaml ``quotas``) and the account-wide
quotas that the services' task ceilings add up against.

- ``securityGroupsPerNetworkInterface``: the spec rule, the root's ``max_security_groups`` (what
  aws/ecs-service's precondition judges) and plan-check follow the declared number; undeclared,
  AWS's default of 5.
- ``cloudMapInstancesPerNamespace``: every task of a serving service registers in its account's
  namespace, so the services' task ceilings (autoscaling max, else desiredCount) may not add up
  to more than the quota (AWS's default 2,000).
- ``targetsPerApplicationLoadBalancer``: every task of a service with external ingress is a target
  of its account's external load balancer (AWS's default 1,000).
- ``networkInterfacesPerRegion``: every Fargate task of any workload has its own (AWS's default
  5,000); ``securityGroupsPerRegion``: the groups the roots create (AWS's default 2,500).

moto counts none of them.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import gen_refuses, snapshot

from generator import Problem, SpecError, api, validate
from generator.spec.rules import (
    ALB_QUOTAS_PAGE,
    ALB_TARGETS,
    CLOUD_MAP_INSTANCES,
    CLOUD_MAP_QUOTAS_PAGE,
    NETWORK_INTERFACES,
    SECURITY_GROUPS,
    SG_PER_ENI,
    VPC_QUOTAS_PAGE,
    network_interfaces,
    security_groups,
    task_ceiling,
)
from generator.tools import plancheck

ORG = Path(__file__).parent / "fixtures" / "org"
STAGING = "accounts/staging/account.yaml"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ORG, root, ignore=shutil.ignore_patterns(".terraform*"))
    return root


def _declare(root: Path, env: str, **quotas: int) -> None:
    """Add a quotas block to the account file (before defaultTags, where the schema lists it)."""
    path = root / "accounts" / env / "account.yaml"
    text = path.read_text(encoding="utf-8")
    block = "quotas:\n" + "".join(f"  {key}: {value}\n" for key, value in quotas.items())
    assert "\ndefaultTags:" in text
    path.write_text(text.replace("\ndefaultTags:", "\n" + block + "defaultTags:", 1), encoding="utf-8")


def _line(root: Path, rel: str, text: str) -> int:
    return (root / rel).read_text(encoding="utf-8").splitlines().index(text) + 1


def _the_problem(root: Path) -> Problem:
    """The one problem validate finds in ``root``."""
    with pytest.raises(SpecError) as caught:
        validate(root)
    (problem,) = caught.value.problems
    return problem


def _at_the_declared_quota(root: Path, key: str, value: int, total: str) -> None:
    """validate refuses ``root`` once, at the declared ``quotas.<key>: <value>``, for ``total``."""
    problem = _the_problem(root)
    assert (problem.file, problem.field) == (STAGING, f"quotas.{key}")
    assert problem.line == _line(root, STAGING, f"  {key}: {value}")
    assert total in problem.message and "(the quota declared here)" in problem.message


# --- security groups per network interface ---------------------------------------------------


def _callees(root: Path, count: int, envs: str) -> None:
    """``count`` services in ``envs`` that bpg declares (each adds its -clients group to bpg's tasks)."""
    names = []
    for i in range(count):
        name = f"callee{i}"
        names.append(name)
        spec = root / "services" / name / "service.yaml"
        spec.parent.mkdir(parents=True)
        spec.write_text(
            f"name: {name}\nowner: payments\nenvironments: [{envs}]\n"
            "spec:\n  resources: {cpu: 256, memory: 512}\n  desiredCount: 1\n",
            encoding="utf-8",
        )
    bpg = root / "services" / "bpg" / "service.yaml"
    text = bpg.read_text(encoding="utf-8")
    assert "  dependencies:\n    datastores:" in text, text
    bpg.write_text(
        text.replace("  dependencies:\n", f"  dependencies:\n    services: [{', '.join(names)}]\n", 1), encoding="utf-8"
    )


def _bpg_groups(root: Path) -> int:
    repo = validate(root)
    from generator.spec.rules import network_dependencies

    return 1 + len(network_dependencies(repo, repo.service("bpg")))


def test_security_groups_over_the_default_are_an_error_naming_each_account(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    base = _bpg_groups(root)
    _callees(root, SG_PER_ENI + 1 - base, "staging, production")
    problem = _the_problem(root)
    assert (problem.file, problem.field) == ("services/bpg/service.yaml", "spec.dependencies")
    assert f"would join {SG_PER_ENI + 1} security groups" in problem.message
    assert "AWS allows 5 per network interface in production, staging (the default)" in problem.message
    assert "quotas.securityGroupsPerNetworkInterface" in problem.message


def test_a_declared_quota_admits_more_groups_and_reaches_the_root(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _callees(root, SG_PER_ENI + 1 - _bpg_groups(root), "staging, production")
    for env in ("staging", "production"):
        _declare(root, env, securityGroupsPerNetworkInterface=SG_PER_ENI + 1)
    validate(root)
    assert api.generate(root).changes
    for env in ("staging", "production"):
        main = (root / "accounts" / env / "services" / "bpg" / "main.tf").read_text(encoding="utf-8")
        assert [line.split() for line in main.splitlines() if "max_security_groups" in line] == [
            ["max_security_groups", "=", str(SG_PER_ENI + 1)]
        ]


def test_only_the_account_without_the_quota_is_named(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _callees(root, SG_PER_ENI + 1 - _bpg_groups(root), "staging, production")
    _declare(root, "production", securityGroupsPerNetworkInterface=8)
    problem = _the_problem(root)
    assert "5 per network interface in staging (the default)" in problem.message
    assert "production" not in problem.message


def test_declaring_the_quota_changes_one_line_of_each_service_root(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    api.generate(root)
    before = {p: p.read_text(encoding="utf-8") for p in (root / "accounts" / "staging" / "services").glob("*/main.tf")}
    _declare(root, "staging", securityGroupsPerNetworkInterface=7)
    api.generate(root)
    for path, old in before.items():
        new = path.read_text(encoding="utf-8").splitlines()
        # the header's digest of the inputs changes with the account file, besides the one setting
        added = [line for line in new if line not in old.splitlines() and not line.startswith("# infragen:sha256:")]
        assert [line.split() for line in added] == [["max_security_groups", "=", "7"]], path
        assert len(new) == len(old.splitlines()) + 1, path
    production = root / "accounts" / "production" / "services" / "bpg" / "main.tf"
    assert "max_security_groups" not in production.read_text(encoding="utf-8")


def test_the_quota_has_aws_bounds(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _declare(root, "staging", securityGroupsPerNetworkInterface=17)
    problem = _the_problem(root)
    assert (problem.file, problem.field) == (STAGING, "quotas.securityGroupsPerNetworkInterface")
    assert problem.line == _line(root, STAGING, "  securityGroupsPerNetworkInterface: 17")


def _ecs_plan(groups: int, declared: int | None) -> dict[str, Any]:
    """A generated root's plan, reduced to what the rule reads: the ECS service's planned groups and
    module "service"'s max_security_groups argument."""
    expressions: dict[str, Any] = {"source": {"constant_value": "../../../../modules/platform/service"}}
    if declared is not None:
        expressions["max_security_groups"] = {"constant_value": declared}
    return {
        "resource_changes": [
            {
                "address": "module.service.module.ecs_service.aws_ecs_service.this",
                "module_address": "module.service.module.ecs_service",
                "mode": "managed",
                "type": "aws_ecs_service",
                "name": "this",
                "change": {
                    "actions": ["update"],
                    "after": {
                        "network_configuration": [{"security_groups": [f"sg-{i:08x}" for i in range(groups)]}],
                        "tags_all": {},
                    },
                    "after_unknown": {},
                },
            }
        ],
        "configuration": {"root_module": {"module_calls": {"service": {"expressions": expressions}}}},
    }


@pytest.mark.parametrize(
    ("groups", "declared", "violation"),
    [(5, None, False), (6, None, True), (8, 8, False), (9, 8, True)],
)
def test_plan_check_judges_the_roots_declared_quota(groups: int, declared: int | None, violation: bool) -> None:
    report = plancheck.check(json.loads(json.dumps(_ecs_plan(groups, declared))))
    found = [v for v in report.violations if v.rule == "aws-limits" and "security groups" in v.why]
    assert bool(found) is violation, report.violations
    if violation:
        limit = declared or SG_PER_ENI
        assert f"join {groups} security groups; AWS allows {limit}" in found[0].why
        assert ("declared quota" in found[0].why) is (declared is not None)


# --- Cloud Map instances per namespace -------------------------------------------------------


def _scaled(root: Path, name: str, ceiling: int, envs: str = "staging", kind: str = "service") -> None:
    spec = root / "services" / name / "service.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(
        f"name: {name}\nowner: payments\nkind: {kind}\nenvironments: [{envs}]\n"
        "spec:\n  resources: {cpu: 256, memory: 512}\n  desiredCount: 1\n"
        f"  autoscaling: {{resource: cpu, target: 70, min: 1, max: {ceiling}}}\n",
        encoding="utf-8",
    )


def _staging_total(root: Path) -> int:
    repo = validate(root)
    return sum(task_ceiling(s, "staging") for s in repo.services if s.serves_http and "staging" in s.environments)


def _fill(root: Path, total: int) -> None:
    """Add serving services to staging until the ceilings add up to ``total``."""
    rest = total - _staging_total(root)
    i = 0
    while rest > 0:
        _scaled(root, f"big{i}", min(rest, 1000))
        rest -= min(rest, 1000)
        i += 1


def test_ceilings_that_fill_the_namespace_validate(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _fill(root, CLOUD_MAP_INSTANCES)
    assert _staging_total(root) == CLOUD_MAP_INSTANCES


def test_one_task_over_the_namespace_is_an_error_at_the_namespace(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _fill(root, CLOUD_MAP_INSTANCES + 1)
    problem = _the_problem(root)
    assert (problem.file, problem.field) == (STAGING, "ecs.serviceConnectNamespaceArn")
    assert problem.line == _line(
        root,
        STAGING,
        next(line for line in (root / STAGING).read_text().splitlines() if "serviceConnectNamespaceArn" in line),
    )
    assert "2,001 tasks of" in problem.message and "allows 2,000 instances per namespace" in problem.message
    assert "the largest big0 (1000), big1 (995)" in problem.message, problem.message
    assert "AWS's default quota" in problem.message and CLOUD_MAP_QUOTAS_PAGE in problem.message


def test_workers_register_nothing(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _fill(root, CLOUD_MAP_INSTANCES)
    _scaled(root, "consumer", 1000, kind="worker")  # a Service Connect client only
    validate(root)


def test_a_declared_quota_admits_more_and_is_where_the_error_points(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _fill(root, 2500)
    _declare(root, "staging", cloudMapInstancesPerNamespace=2500)
    validate(root)
    _scaled(root, "onemore", 1)
    _at_the_declared_quota(root, "cloudMapInstancesPerNamespace", 2500, "2,501 tasks")


def test_an_environment_override_counts_in_its_account_only(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _fill(root, CLOUD_MAP_INSTANCES)
    _scaled(root, "grows", 1, envs="staging, production")
    env_file = root / "services" / "grows" / "environments" / "production.yaml"
    env_file.parent.mkdir()
    env_file.write_text("overrides:\n  autoscaling: {resource: cpu, target: 70, min: 1, max: 900}\n", encoding="utf-8")
    (root / "services" / "grows" / "environments" / "staging.yaml").write_text("{}\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        validate(root)  # staging: 2,001 (grows counts 1 there); production: far below
    assert [p.file for p in caught.value.problems] == [STAGING]


def _one_service_run_refuses(stamped: Path, quota: str, rel: str, edit: tuple[str, str]) -> None:
    """With ``quota`` declared at exactly what the stamped repository uses, the edit ``edit`` (old,
    new text) of ``rel`` raises a task ceiling: the one-service run refuses it and writes nothing.
    Task ceilings are not part of a service's face, so it must add them up itself."""
    api.generate(stamped)
    api.generate(stamped)  # consistent: the next edit takes the one-service path
    before = snapshot(stamped)
    spec = stamped / rel
    text = spec.read_text(encoding="utf-8")
    assert edit[0] in text
    spec.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    with pytest.raises(SpecError, match=quota):
        api.generate(stamped)
    after = snapshot(stamped)
    assert {p: v for p, v in after.items() if p != rel} == {p: v for p, v in before.items() if p != rel}


def test_an_incremental_gen_judges_a_raised_ceiling(stamped: Path) -> None:
    _declare(stamped, "staging", cloudMapInstancesPerNamespace=_staging_total(stamped))
    _one_service_run_refuses(
        stamped, "cloudMapInstancesPerNamespace", "services/core/service.yaml", ("desiredCount: 1", "desiredCount: 2")
    )


def test_gen_writes_nothing_over_the_namespace(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _fill(root, CLOUD_MAP_INSTANCES + 1)
    gen_refuses(root, f"{STAGING}:", "ecs.serviceConnectNamespaceArn")


def test_the_benchmark_organization_declares_the_quota_it_needs(tmp_path: Path) -> None:
    # bench/synth.py's 1,000 serving services exceed AWS's default in every account; `make bench`
    # generates that organization, so its accounts declare a raised quota it fits
    found = importlib.util.spec_from_file_location("synth", Path(__file__).parent.parent / "bench" / "synth.py")
    assert found is not None and found.loader is not None
    synth = importlib.util.module_from_spec(found)
    found.loader.exec_module(synth)
    synth.build(tmp_path / "org", 1000, Path(__file__).parent.parent / "modules")
    repo = validate(tmp_path / "org")
    for account in repo.accounts:
        total = sum(task_ceiling(s, account.env) for s in repo.services if s.serves_http)
        assert CLOUD_MAP_INSTANCES < total <= synth.CLOUD_MAP_INSTANCES, (account.env, total)
        assert account.quotas.cloud_map_instances_per_namespace == synth.CLOUD_MAP_INSTANCES
        groups = sum(security_groups(s) for s in repo.services if account.env in s.environments)
        assert SECURITY_GROUPS < groups <= synth.SECURITY_GROUPS, (account.env, groups)
        assert account.quotas.security_groups_per_region == synth.SECURITY_GROUPS


# --- targets per Application Load Balancer ----------------------------------------------------


def _exposed(root: Path, name: str, ceiling: int) -> None:
    """A service with external ingress in staging running at most ``ceiling`` tasks."""
    _scaled(root, name, ceiling)
    spec = root / "services" / name / "service.yaml"
    ingress = f"  ingress: {{external: true, domain: {name}.staging.lemon.com}}\n"
    spec.write_text(spec.read_text(encoding="utf-8") + ingress, encoding="utf-8")


def _targets(root: Path) -> int:
    repo = validate(root)
    return sum(
        task_ceiling(s, "staging")
        for s in repo.services
        if "staging" in s.environments and s.ingress is not None and s.ingress.external
    )


def _expose(root: Path, total: int) -> None:
    """Add external services to staging until their ceilings add up to ``total`` targets."""
    rest = total - _targets(root)
    assert rest > 0
    i = 0
    while rest > 0:
        _exposed(root, f"web{i}", min(rest, 600))
        rest -= min(rest, 600)
        i += 1


def _line_of(root: Path, rel: str, needle: str) -> int:
    return next(n for n, line in enumerate((root / rel).read_text().splitlines(), 1) if needle in line)


def test_external_ceilings_that_fill_the_load_balancer_validate(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _expose(root, ALB_TARGETS)
    assert _targets(root) == ALB_TARGETS


def test_one_target_over_the_load_balancer_is_an_error_at_the_load_balancer(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _expose(root, ALB_TARGETS + 1)
    problem = _the_problem(root)
    assert (problem.file, problem.field) == (STAGING, "loadBalancers.external")
    assert problem.line == _line_of(root, STAGING, "  external:")
    assert "1,001 tasks of" in problem.message and "takes 1,000 targets (AWS's default quota)" in problem.message
    assert "the largest web0 (600), web1 (399), klausapproves (2)" in problem.message, problem.message
    assert ALB_QUOTAS_PAGE in problem.message and "quotas.targetsPerApplicationLoadBalancer" in problem.message


def test_internal_services_are_no_targets(tmp_path: Path) -> None:
    # Service Connect carries internal traffic: only external ingress registers with the load balancer
    root = _copy(tmp_path)
    _expose(root, ALB_TARGETS)
    _scaled(root, "inside", 900)
    validate(root)


def test_a_declared_target_quota_admits_more_and_is_where_the_error_points(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _expose(root, 1500)
    _declare(root, "staging", targetsPerApplicationLoadBalancer=1500)
    validate(root)
    _exposed(root, "onemore", 1)
    _at_the_declared_quota(root, "targetsPerApplicationLoadBalancer", 1500, "1,501 tasks")


def test_an_incremental_gen_judges_a_raised_external_ceiling(stamped: Path) -> None:
    _declare(stamped, "staging", targetsPerApplicationLoadBalancer=_targets(stamped))
    rel = "services/klausapproves/environments/staging.yaml"  # staging's autoscaling override
    _one_service_run_refuses(stamped, "targetsPerApplicationLoadBalancer", rel, ("    max: 2\n", "    max: 3\n"))


def test_gen_writes_nothing_over_the_load_balancer(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _expose(root, ALB_TARGETS + 1)
    gen_refuses(root, f"{STAGING}:", "loadBalancers.external")


# --- network interfaces and security groups per Region ---------------------------------------


def test_every_workloads_tasks_hold_network_interfaces(tmp_path: Path) -> None:
    # services and workers at their ceilings, a job one task: 5,000 validate, one more does not
    root = _copy(tmp_path)
    base = sum(network_interfaces(s, "staging") for s in validate(root).services if "staging" in s.environments)
    _scaled(root, "nightly", 1, kind="job")
    (root / "services" / "nightly" / "service.yaml").write_text(
        "name: nightly\nowner: payments\nkind: job\nenvironments: [staging]\n"
        "spec:\n  resources: {cpu: 256, memory: 512}\n  schedule: {expression: 'rate(1 hour)'}\n",
        encoding="utf-8",
    )
    rest = NETWORK_INTERFACES - base - 1
    i = 0
    while rest > 0:
        _scaled(root, f"eni{i}", min(rest, 1000), kind="worker")
        rest -= min(rest, 1000)
        i += 1
    validate(root)
    _scaled(root, "onemore", 1, kind="worker")
    problem = _the_problem(root)
    assert (problem.file, problem.field) == (STAGING, "network.privateSubnetIds")
    assert problem.line == _line(root, STAGING, "  privateSubnetIds:")
    assert "hold 5,001 network interfaces" in problem.message, problem.message
    assert "the largest eni0 (1000), eni1 (1000), eni2 (1000)" in problem.message
    assert "allows 5,000 per Region (AWS's default quota)" in problem.message and VPC_QUOTAS_PAGE in problem.message
    _declare(root, "staging", networkInterfacesPerRegion=5001)
    validate(root)


def test_the_roots_security_groups_fit_the_region(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    base = sum(security_groups(s) for s in validate(root).services if "staging" in s.environments)
    rest = SECURITY_GROUPS - base
    if rest % 2:  # a worker has 1 group; a service 2, and 2 per postgres
        _scaled(root, "lone", 1, kind="worker")
        rest -= 1
    i = 0
    while rest > 0:
        spec = root / "services" / f"sg{i}" / "service.yaml"
        spec.parent.mkdir(parents=True)
        stores = min(rest // 2 - 1, 40)  # the service's 2 groups, then 2 per postgres
        spec.write_text(
            f"name: sg{i}\nowner: payments\nenvironments: [staging]\n"
            "spec:\n  resources: {cpu: 256, memory: 512}\n  desiredCount: 1\nresources:\n"
            + "".join(f"  sg{i}-db{j}:\n    type: postgres\n" for j in range(stores)),
            encoding="utf-8",
        )
        rest -= 2 + 2 * stores
        i += 1
    assert rest == 0
    validate(root)
    _scaled(root, "onemore", 1, kind="worker")
    problem = _the_problem(root)
    assert (problem.file, problem.field) == (STAGING, "network.vpcId")
    assert problem.line == _line(root, STAGING, "  vpcId: vpc-0a1b2c3d4e5f60001")
    assert "create 2,501 security groups" in problem.message and "the most sg0 (82)" in problem.message
    assert "allows 2,500 per Region (AWS's default quota)" in problem.message
    _declare(root, "staging", securityGroupsPerRegion=2501)
    validate(root)
    gen_refuses(_with(root, "twomore"), f"{STAGING}:", "quotas.securityGroupsPerRegion")


def _with(root: Path, name: str) -> Path:
    _scaled(root, name, 1, kind="worker")
    return root
