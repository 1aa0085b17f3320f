"""An account's external services share its one external Application Load Balancer, each with its
own target group, and AWS caps an ALB at 100 target groups without exception: the 101st external
service of an account is a validation error at the account's load balancer, not an apply that
fails halfway (moto counts no target groups per load balancer)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from conftest import gen_refuses

from generator import SpecError, validate
from generator.spec.rules import ALB_QUOTAS_PAGE, ALB_TARGET_GROUPS

ORG = Path(__file__).parent / "fixtures" / "org"
ACCOUNT = "accounts/staging/account.yaml"


def _external_services(root: Path) -> list[str]:
    return sorted(
        p.parent.name
        for p in (root / "services").glob("*/service.yaml")
        if "external: true" in p.read_text(encoding="utf-8") and "staging" in p.read_text(encoding="utf-8")
    )


def _repo(tmp_path: Path, total: int) -> Path:
    """The fixture organization with web services added until ``total`` are external in staging."""
    root = tmp_path / "repo"
    shutil.copytree(ORG, root)
    existing = len(_external_services(root))
    for i in range(total - existing):
        spec = root / "services" / f"web{i:03d}" / "service.yaml"
        spec.parent.mkdir(parents=True)
        spec.write_text(
            f"name: web{i:03d}\nowner: payments\nenvironments: [staging]\n"
            "spec:\n  resources: {cpu: 256, memory: 512}\n  desiredCount: 1\n"
            f"  ingress: {{external: true, domain: web{i:03d}.staging.lemon.com}}\n",
            encoding="utf-8",
        )
    assert len(_external_services(root)) == total
    return root


def test_a_full_external_load_balancer_validates(tmp_path: Path) -> None:
    validate(_repo(tmp_path, ALB_TARGET_GROUPS))


def test_the_101st_external_service_is_an_error_at_the_load_balancer(tmp_path: Path) -> None:
    root = _repo(tmp_path, ALB_TARGET_GROUPS + 1)
    with pytest.raises(SpecError) as caught:
        validate(root)
    problems = caught.value.problems
    assert len(problems) == 1, caught.value
    line = (root / ACCOUNT).read_text(encoding="utf-8").splitlines().index("  external:") + 1
    problem = problems[0]
    assert (problem.file, problem.line, problem.field) == (ACCOUNT, line, "loadBalancers.external")
    assert "101 services have external ingress in account 'staging'" in problem.message
    assert "klausapproves, web000, web001 and 98 more" in problem.message
    assert "at most 100 target groups" in problem.message and ALB_QUOTAS_PAGE in problem.message
    assert "make 1 of them internal" in problem.message


def test_only_the_account_over_the_quota_is_named(tmp_path: Path) -> None:
    # production's external load balancer serves only klausapproves: staging alone is reported
    root = _repo(tmp_path, ALB_TARGET_GROUPS + 2)
    with pytest.raises(SpecError) as caught:
        validate(root)
    assert [p.file for p in caught.value.problems] == [ACCOUNT]


def test_gen_writes_nothing_when_over_the_quota(tmp_path: Path) -> None:
    gen_refuses(_repo(tmp_path, ALB_TARGET_GROUPS + 1), f"{ACCOUNT}:", "loadBalancers.external")


def test_the_benchmark_organization_fits_its_load_balancers() -> None:
    # bench/synth.py puts every service in every account: at N = 1,000 about 150 would be external
    found = importlib.util.spec_from_file_location("synth", Path(__file__).parent.parent / "bench" / "synth.py")
    assert found is not None and found.loader is not None
    synth = importlib.util.module_from_spec(found)
    found.loader.exec_module(synth)
    external = [s["name"] for s, _ in synth.services(1000) if s["spec"].get("ingress", {}).get("external")]
    assert len(external) == synth.EXTERNAL_PER_ACCOUNT == ALB_TARGET_GROUPS
