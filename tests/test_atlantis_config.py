"""The generated atlantis.yaml against the shipped server config and the repo-config JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator.render.atlantis import PLATFORM_PATHS

REPO = Path(__file__).resolve().parent.parent
ORG = REPO / "tests" / "fixtures" / "org"
SCHEMA = json.loads((REPO / "schemas/atlantis-repo-config.schema.json").read_text())
SERVER = yaml.safe_load((REPO / "docs/atlantis/repos.yaml").read_text())
# Keys of a repo-level project that Atlantis always accepts; everything else needs allowed_overrides.
UNRESTRICTED_PROJECT_KEYS = {
    "name",
    "branch",
    "dir",
    "workspace",
    "execution_order_group",
    "depends_on",
    "autoplan",
    "terraform_version",
    "terraform_distribution",
    "silence_pr_comments",
}
TOP_LEVEL_KEYS = {
    "version",
    "automerge",
    "parallel_plan",
    "parallel_apply",
    "abort_on_execution_order_fail",
    "projects",
}


def _generated() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ORG / "atlantis.yaml").read_text())
    return data


def _server_repo() -> dict[str, Any]:
    (entry,) = SERVER["repos"]
    assert isinstance(entry, dict)
    return entry


def test_schema_is_valid_draft_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_generated_atlantis_yaml_validates_against_the_schema() -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(_generated())


@pytest.mark.parametrize(
    "bad",
    [
        {"version": 2},
        {"version": 3, "projects": [{"name": "x"}]},  # dir is required
        {"version": 3, "projects": [{"dir": ".", "apply_requirements": ["approvd"]}]},
        {"version": 3, "projects": [{"dir": ".", "autoplan": {"when_modifed": ["*.tf"]}}]},
        {"version": 3, "projects": [{"dir": ".", "execution_order_group": -1}]},
        {"version": 3, "workflows": {"w": {"plan": {"steps": [{"run": "x", "init": {}}]}}}},
        {"version": 3, "unknown": True},
    ],
)
def test_schema_rejects_malformed_configs(bad: dict[str, Any]) -> None:
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(bad))


def test_schema_accepts_the_documented_shapes() -> None:
    config = {
        "version": 3,
        "automerge": True,
        "projects": [
            {
                "name": "p",
                "dir": ".",
                "workspace": "default",
                "autoplan": {"enabled": True, "when_modified": ["*.tf", "../modules/**/*.tf"]},
                "apply_requirements": ["mergeable", "approved"],
                "workflow": "w",
            }
        ],
        "workflows": {
            "w": {
                "plan": {"steps": ["init", {"plan": {"extra_args": ["-lock", "false"]}}, {"run": "echo hi"}]},
                "apply": {"steps": [{"env": {"name": "A", "value": "b"}}, "apply"]},
            }
        },
    }
    jsonschema.Draft202012Validator(SCHEMA).validate(config)


def test_generated_config_overrides_only_what_the_server_allows() -> None:
    allowed = set(_server_repo()["allowed_overrides"])
    assert allowed == {"workflow"}
    generated = _generated()
    assert set(generated) <= TOP_LEVEL_KEYS
    for project in generated["projects"]:
        restricted = set(project) - UNRESTRICTED_PROJECT_KEYS
        assert restricted <= allowed, f"{project['name']} sets {restricted - allowed}"


def test_generated_config_names_only_server_workflows_and_defines_none() -> None:
    server = _server_repo()
    defined = set(SERVER["workflows"])
    assert set(server["allowed_workflows"]) == defined == {"infragen", "infragen-terragrunt"}
    generated = _generated()
    assert "workflows" not in generated
    assert "run:" not in (ORG / "atlantis.yaml").read_text()
    for project in generated["projects"]:
        assert project["workflow"] in defined


def test_server_config_is_locked_down() -> None:
    server = _server_repo()
    assert server["allow_custom_workflows"] is False
    assert server["apply_requirements"] == ["approved", "mergeable", "undiverged"]
    assert set(server["allowed_overrides"]) <= {
        "apply_requirements",
        "workflow",
        "delete_source_branch_on_merge",
        "repo_locking",
        "repo_locks",
        "custom_policy_check",
    }
    for name, workflow in SERVER["workflows"].items():
        first = workflow["plan"]["steps"][0]
        assert first == {"run": 'infragen gen --check --root "${DIR%/"$REPO_REL_DIR"}"'}, (
            f"{name} must check the whole repository before planning"
        )
    assert "plan" in SERVER["workflows"]["infragen"]["plan"]["steps"]
    users = {"run": 'infragen datastore users-after-apply "$REPO_REL_DIR" --root "${DIR%/"$REPO_REL_DIR"}"'}
    assert SERVER["workflows"]["infragen"]["apply"]["steps"] == ["apply", users]  # database users after apply
    assert SERVER["workflows"]["infragen-terragrunt"]["apply"]["steps"][-1] == users
    tg_plan = json.dumps(SERVER["workflows"]["infragen-terragrunt"])
    assert "terragrunt plan" in tg_plan and "terragrunt apply" in tg_plan


def test_generated_projects_leave_apply_requirements_to_the_server() -> None:
    # tests/test_apply_floor.py merges them with the server config the way Atlantis does
    for project in _generated()["projects"]:
        assert "apply_requirements" not in project, project["name"]


def test_account_files_and_atlantis_yaml_belong_to_the_platform_team() -> None:
    # so a PR cannot weaken apply requirements without the platform team's review
    assert {"/accounts/*/account.yaml", "/atlantis.yaml"} <= set(PLATFORM_PATHS)
