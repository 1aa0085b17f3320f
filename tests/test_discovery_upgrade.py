"""The Consul registrations of a service survive the module change that lets a worker or job skip
them (platform/discovery's `moved` blocks), proven with Terraform itself: apply the module as it
was at commit 60c5d11 (tests/fixtures/discovery-before/), switch the same root to today's module
and plan. With consul_* as terraform_data (tests/consul_mock.py), a missing `moved` block shows as a destroy and
a create of the same registration. Then the service becomes a worker: exactly its node, service
and intentions are destroyed, its datastore stays registered.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import consul_mock
import pytest
from tfenv import run_terraform, terraform_binary

REPO = Path(__file__).resolve().parent.parent
# platform/discovery as of 60c5d11, before a worker or job could skip its registration (single
# module calls); the consul/* modules it calls have not changed since
BEFORE = REPO / "tests/fixtures/discovery-before"
DISCOVERY = "modules/platform/discovery"
CONSUL_MODULES = ("modules/consul/node", "modules/consul/service", "modules/consul/intentions")

HTTP_SERVICE = """{
    name    = "orders"
    address = "orders-internal.qa.acme.internal"
    port    = 80
    tags    = ["infragen", "qa", "ecs-service-connect"]
  }"""


def _modules(dest: Path, discovery: Path) -> Path:
    """modules/consul/* as today and ``discovery`` as modules/platform/discovery, consul_* mocked."""
    for module in CONSUL_MODULES:
        shutil.copytree(REPO / module, dest / module, ignore=shutil.ignore_patterns("tests", "*.md", ".terraform*"))
    shutil.copytree(discovery, dest / DISCOVERY, ignore=shutil.ignore_patterns("tests", "*.md", ".terraform*"))
    consul_mock.mock_tree(dest / "modules")
    return dest / "modules"


def _root(modules: Path, service: str, allowed_sources: str) -> str:
    # a relative source: Terraform reads an absolute one as a package of its own, which the
    # modules' ../../consul/* calls may not leave
    modules = Path("..") / modules.relative_to(modules.parent.parent)
    return f"""
module "discovery" {{
  source     = "{modules}/platform/discovery"
  datacenter = "qa"
  service    = {service}
  datastores = [{{ name = "orders-db", type = "postgres", address = "orders-db.example.com", port = 5432 }}]
  {allowed_sources}
}}
"""


def _terraform(workdir: Path, *args: str) -> str:
    proc = run_terraform([*args, "-no-color"], workdir)
    assert proc.returncode == 0, f"terraform {' '.join(args)}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _plan(workdir: Path) -> dict[str, list[str]]:
    """address -> actions of every resource change that is not a no-op; moves under "moved"."""
    _terraform(workdir, "init", "-input=false")
    _terraform(workdir, "plan", "-input=false", "-out=plan.bin")
    plan = json.loads(_terraform(workdir, "show", "-json", "plan.bin"))
    changes: dict[str, list[str]] = {}
    for rc in plan.get("resource_changes", []):
        actions = rc["change"]["actions"]
        if actions != ["no-op"]:
            changes[rc["address"]] = actions
        if rc.get("previous_address"):
            changes.setdefault("moved", []).append(f"{rc['previous_address']} -> {rc['address']}")
    return changes


@pytest.mark.terraform
def test_registrations_move_instead_of_registering_again(tmp_path: Path) -> None:
    if terraform_binary() is None:
        pytest.skip("terraform not run: the terraform CLI is not on PATH")
    old, new = _modules(tmp_path / "before", BEFORE), _modules(tmp_path / "today", REPO / DISCOVERY)
    root = tmp_path / "root"
    root.mkdir()
    sources = 'allowed_sources = ["billing"]'
    (root / "main.tf").write_text(_root(old, HTTP_SERVICE, sources), encoding="utf-8")
    _terraform(root, "init", "-input=false")
    _terraform(root, "apply", "-input=false", "-auto-approve")

    (root / "main.tf").write_text(_root(new, HTTP_SERVICE, sources), encoding="utf-8")
    changes = _plan(root)
    moved = sorted(changes.pop("moved", []))
    assert changes == {}, f"the upgrade must register nothing again: {changes}"
    prefix = "module.discovery.module"
    assert moved == [
        f"{prefix}.intentions.terraform_data.consul_config_entry__this -> "
        f"{prefix}.intentions[0].terraform_data.consul_config_entry__this",
        f"{prefix}.service.terraform_data.consul_service__this -> {prefix}.service[0].terraform_data.consul_service__this",
        f"{prefix}.service_node.terraform_data.consul_node__this -> "
        f"{prefix}.service_node[0].terraform_data.consul_node__this",
    ]
    _terraform(root, "apply", "-input=false", "-auto-approve")

    # The same service becomes a worker: its own registrations go, its datastore's stay.
    (root / "main.tf").write_text(_root(new, '{ name = "orders" }', ""), encoding="utf-8")
    changes = _plan(root)
    assert changes == {
        f"{prefix}.intentions[0].terraform_data.consul_config_entry__this": ["delete"],
        f"{prefix}.service[0].terraform_data.consul_service__this": ["delete"],
        f"{prefix}.service_node[0].terraform_data.consul_node__this": ["delete"],
    }
