"""Terragrunt flavor details from Terragrunt's and Atlantis's source (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from conftest import ORG, REPO, copy_inputs, run_cli

from generator.api import generate
from generator.plan.roots import TERRAFORM_VERSION
from generator.render.terragrunt import plan_differences


@pytest.fixture(scope="module")
def tg_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_inputs(tmp_path_factory.mktemp("tg") / "repo")
    (root / "infragen.yaml").write_text("flavor: terragrunt\n")
    generate(root, check=False)
    return root


def test_the_workflow_sets_tg_tf_path_not_the_deprecated_alias() -> None:
    text = (REPO / "docs/atlantis/repos.yaml").read_text()
    assert "TERRAGRUNT_TFPATH" not in text
    workflow = yaml.safe_load(text)["workflows"]["infragen-terragrunt"]
    for stage in ("plan", "apply"):
        envs = [s["env"]["name"] for s in workflow[stage]["steps"] if isinstance(s, dict) and "env" in s]
        assert envs == ["TG_TF_PATH"], stage


def test_every_terragrunt_project_pins_the_terraform_version(tg_repo: Path) -> None:
    config = yaml.safe_load((tg_repo / "atlantis.yaml").read_text())
    assert config["projects"]
    for project in config["projects"]:
        assert project["terraform_version"] == f"v{TERRAFORM_VERSION}", project["name"]
        assert not list((tg_repo / project["dir"]).glob("*.tf")), "a unit has no .tf files to read it from"
    plain = yaml.safe_load((ORG / "atlantis.yaml").read_text())
    assert all("terraform_version" not in p for p in plain["projects"])  # read from versions.tf


def test_the_root_config_is_root_hcl(tg_repo: Path) -> None:
    assert (tg_repo / "accounts/root.hcl").is_file()
    assert not (tg_repo / "accounts/terragrunt.hcl").exists()
    unit = (tg_repo / "accounts/staging/services/bpg/terragrunt.hcl").read_text()
    assert '"${get_terragrunt_dir()}/../../../root.hcl"' in unit


def test_remote_state_is_one_object_shape_per_account(tg_repo: Path) -> None:
    root = (tg_repo / "accounts/root.hcl").read_text()
    assert " ? " not in root, "no conditional between object shapes"
    assert "merge(local.env.remote_state, {" in root

    def state(env: str) -> dict[str, Any]:
        with (tg_repo / f"accounts/{env}/env.hcl").open() as handle:
            block: dict[str, Any] = hcl2.load(handle)["locals"][0]["remote_state"]
        return {k: v.strip('"') if isinstance(v, str) else v for k, v in block.items()}

    assert state("production") == {
        "bucket": "lemon-terraform-state-production",
        "region": "eu-west-1",
        "encrypt": True,
        "dynamodb_table": "terraform-locks",
    }
    assert state("staging") == {
        "bucket": "lemon-terraform-state-staging",
        "region": "eu-west-1",
        "encrypt": True,
        "use_lockfile": True,
    }


def test_a_failed_execution_order_group_stops_the_later_ones(tg_repo: Path) -> None:
    for path in (tg_repo / "atlantis.yaml", ORG / "atlantis.yaml"):
        assert yaml.safe_load(path.read_text())["abort_on_execution_order_fail"] is True


def _plan(after: dict[str, Any], output: str = "sg-1") -> dict[str, Any]:
    """The parts of Terraform's JSON plan format (`terraform show -json`) that are compared."""
    return {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_ecs_service.this",
                "change": {"actions": ["update"], "before": {}, "after": after, "after_unknown": {}},
            }
        ],
        "output_changes": {"client_security_group_id": {"actions": ["no-op"], "after": output}},
    }


def test_a_stale_saved_plan_is_refused_before_apply(tmp_path: Path) -> None:
    saved, fresh = tmp_path / "saved.json", tmp_path / "fresh.json"
    saved.write_text(json.dumps(_plan({"security_groups": ["sg-old"]})))
    fresh.write_text(json.dumps(_plan({"security_groups": ["sg-new"]})))
    assert plan_differences(_plan({"a": 1}), _plan({"a": 1})) == []
    assert plan_differences(_plan({"a": 1}), _plan({"a": 1}, "sg-2")) == ["output.client_security_group_id"]
    result = run_cli("plan-unchanged", str(saved), str(fresh), env={"PROJECT_NAME": "staging-bpg"})
    assert result.code == 1
    assert "the saved plan is stale" in result.stderr and "aws_ecs_service.this" in result.stderr
    assert "atlantis plan -p staging-bpg" in result.stderr
    same = run_cli("plan-unchanged", str(saved), str(saved))
    assert same.code == 0 and "still current" in same.stdout
    steps = yaml.safe_load((REPO / "docs/atlantis/repos.yaml").read_text())["workflows"]["infragen-terragrunt"]
    apply = [s["run"] for s in steps["apply"]["steps"] if isinstance(s, dict) and "run" in s]
    assert "infragen plan-unchanged" in apply[0] and apply[1].startswith("terragrunt apply")


def test_units_tag_the_owner_teams_cost_center(tg_repo: Path) -> None:
    with (tg_repo / "accounts/production/services/bpg/bpg-events/terragrunt.hcl").open() as handle:
        inputs = hcl2.load(handle)["inputs"]
    assert inputs["tags"] == {'"cost-center"': '"CC-210"'} or inputs["tags"] == {"cost-center": "CC-210"}
    with (tg_repo / "accounts/production/services/core/terragrunt.hcl").open() as handle:
        tags = hcl2.load(handle)["inputs"]["tags"]
    assert "CC-320" in json.dumps(tags)
