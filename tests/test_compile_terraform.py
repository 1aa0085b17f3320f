"""compile == Terraform: `infragen compile` and the task definition in the generated root's plan
(`terraform plan` + `show -json`, offline: the root needs no AWS read) may differ only in the image.

The role ARNs are unknown until apply; the plan's role names are checked instead, and
tests/e2e/test_deploy.py compares the full request with the applied state against moto."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_inputs
from tfenv import run_terraform, terraform_binary

from generator import api
from generator.plan import taskdef

pytestmark = pytest.mark.terraform

ENV_FILE = """variables:
  LOG_LEVEL: info
  GREETING: "hello ${not-a-template} \\"quoted\\""
secrets:
  STRIPE_KEY:
    secretsManager: arn:aws:secretsmanager:eu-west-1:111111111111:secret:bpg/stripe-AbCdEf
    field: api_key
  FEATURE_TOKEN:
    ssmParameter: /bpg/feature-token
overrides:
  resources: {cpu: 1024, memory: 3072}
"""

OFFLINE = """terraform {
  backend "local" {}
}

provider "aws" {
  access_key                  = "plan-only"
  secret_key                  = "plan-only"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  allowed_account_ids         = null
}
"""

PREFIX = "module.service.module.ecs_service."


def planned(root: Path) -> dict[str, dict[str, Any]]:
    """address -> planned values of every resource in the plan."""
    for args in (["init", "-input=false", "-no-color"], ["plan", "-input=false", "-no-color", "-out=tfplan"]):
        done = run_terraform(args, root, timeout=600)
        assert done.returncode == 0, f"terraform {args[0]}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    shown = run_terraform(["show", "-json", "tfplan"], root)
    assert shown.returncode == 0, shown.stderr
    return {r["address"]: r["change"]["after"] for r in json.loads(shown.stdout)["resource_changes"]}


def test_compile_equals_the_task_definition_in_the_plan(tmp_path: Path) -> None:
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: compile == Terraform needs a plan")
    repo_root = copy_inputs(tmp_path / "repo")
    (repo_root / "services" / "bpg" / "environments" / "staging.yaml").write_text(ENV_FILE, encoding="utf-8")
    api.generate(repo_root)
    repo = api.validate(repo_root)
    service, account = repo.service("bpg"), repo.account("staging")
    compiled = taskdef.task_definition(repo, service, account, "v1")

    root = repo_root / "accounts" / "staging" / "services" / "bpg"
    (root / "zz_offline_override.tf").write_text(OFFLINE, encoding="utf-8")
    resources = planned(root)
    after = resources[PREFIX + "aws_ecs_task_definition.this"]

    containers = json.loads(after["container_definitions"])
    images = [c.pop("image") for c in containers]
    want = json.loads(json.dumps(compiled["containerDefinitions"]))
    want_images = [c.pop("image") for c in want]
    assert containers == want  # the whole container definition, environment and secrets included
    assert images == ["111111111111.dkr.ecr.eu-west-1.amazonaws.com/bpg:bootstrap"] and want_images == [
        "111111111111.dkr.ecr.eu-west-1.amazonaws.com/bpg:v1"
    ]

    assert after["family"] == compiled["family"]
    assert (after["cpu"], after["memory"]) == (compiled["cpu"], compiled["memory"]) == ("1024", "3072")
    assert after["network_mode"] == compiled["networkMode"]
    assert after["requires_compatibilities"] == compiled["requiresCompatibilities"]
    assert [v["name"] for v in after["volume"]] == [v["name"] for v in compiled["volumes"]]
    assert after["tags_all"] == {t["key"]: t["value"] for t in compiled["tags"]}
    for kind, key in (("execution", "executionRoleArn"), ("task", "taskRoleArn")):
        name = resources[PREFIX + f"aws_iam_role.{kind}"]["name"]
        assert compiled[key] == f"arn:aws:iam::111111111111:role/{name}"

    secrets = {s["name"]: s["valueFrom"] for s in containers[0]["secrets"]}
    assert secrets["STRIPE_KEY"].endswith(":secret:bpg/stripe-AbCdEf:api_key::")
    assert secrets["BPG_EVENTS_QUEUE_URL"].endswith(":parameter/infragen/staging/bpg-events/url")
    env = {e["name"]: e["value"] for e in containers[0]["environment"]}
    assert env["GREETING"] == 'hello ${not-a-template} "quoted"'
    shutil.rmtree(root / ".terraform", ignore_errors=True)
