"""No content of a pull request can bring a project below the apply floor.

Every generated project is merged with the shipped server config (docs/atlantis/repos.yaml) the
way Atlantis merges them (tests/atlantis_merge.py re-implements MergeProjectCfg and
ValidateRepoCfg, commit cited there), for the example repo, for a tampered account file and for
hand-edited atlantis.yaml files.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from atlantis_merge import RepoConfigRejected, merge_all
from conftest import ORG, REPO, copy_inputs

from generator.api import generate
from generator.render.atlantis import SERVER_APPLY_REQUIREMENTS

SERVER = yaml.safe_load((REPO / "docs/atlantis/repos.yaml").read_text())
REPO_ID = "github.com/lemon/infrastructure"
FLOOR = {"approved", "mergeable"}
PRODUCTION_FLOOR = {"approved", "mergeable", "undiverged"}
# The server config shipped before issue 12: it let any project replace its apply requirements.
OLD_SERVER = {
    "repos": [
        {
            "id": "/.*/",
            "branch": "/^main$/",
            "apply_requirements": ["approved", "mergeable"],
            "allowed_overrides": ["apply_requirements", "workflow"],
            "allowed_workflows": ["infragen", "infragen-terragrunt"],
            "allow_custom_workflows": False,
            "workflow": "infragen",
        }
    ],
    "workflows": SERVER["workflows"],
}


def _below_floor(server: dict[str, Any], repo_cfg: dict[str, Any], **kwargs: Any) -> list[str]:
    """Projects Atlantis would let apply below the floor ([] when it refuses the config)."""
    try:
        merged = merge_all(server, repo_cfg, REPO_ID, **kwargs)
    except RepoConfigRejected:
        return []  # Atlantis plans and applies nothing for this pull request
    low = []
    for project in merged:
        floor = PRODUCTION_FLOOR if project.dir.startswith("accounts/production/") else FLOOR
        for kind, reqs in (("apply", project.apply_requirements), ("import", project.import_requirements)):
            if not floor <= set(reqs):
                low.append(f"{project.name} {kind}: {sorted(reqs)}")
    return low


def _atlantis(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / "atlantis.yaml").read_text())
    return data


def test_shipped_server_floor_matches_the_generator() -> None:
    (entry,) = SERVER["repos"]
    assert tuple(entry["apply_requirements"]) == SERVER_APPLY_REQUIREMENTS
    assert tuple(entry["import_requirements"]) == SERVER_APPLY_REQUIREMENTS
    assert "apply_requirements" not in entry["allowed_overrides"]
    assert "import_requirements" not in entry["allowed_overrides"]


def test_every_generated_project_merges_to_the_floor() -> None:
    generated = _atlantis(ORG)
    merged = merge_all(SERVER, generated, REPO_ID)
    assert len(merged) == len(generated["projects"]) > 0
    assert _below_floor(SERVER, generated) == []
    for project in merged:
        assert set(project.apply_requirements) == PRODUCTION_FLOOR, project.name
        assert project.workflow in {"infragen", "infragen-terragrunt"}


def test_with_policy_checks_enabled_the_floor_keeps_policies_passed() -> None:
    merged = merge_all(SERVER, _atlantis(ORG), REPO_ID, policy_check_enabled=True)
    for project in merged:
        assert PRODUCTION_FLOOR | {"policies_passed"} <= set(project.apply_requirements), project.name


def test_a_tampered_account_file_cannot_lower_the_floor(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    for account in ("production", "staging"):
        path = root / "accounts" / account / "account.yaml"
        data = yaml.safe_load(path.read_text())
        data["atlantis"] = {"applyRequirements": []}
        path.write_text(yaml.safe_dump(data))
    generate(root, check=False)
    tampered = _atlantis(root)
    assert all("apply_requirements" not in p for p in tampered["projects"])
    assert _below_floor(SERVER, tampered) == []
    # the pre-issue-12 generator copied the account value into every project; that file loses
    # its floor under the old server config and is refused under the shipped one
    old_style = copy.deepcopy(tampered)
    for project in old_style["projects"]:
        project["apply_requirements"] = []
    assert _below_floor(OLD_SERVER, old_style), "the old server config must fail this test"
    assert _below_floor(SERVER, old_style) == []


HAND_EDITS: dict[str, Any] = {
    "empty apply_requirements": {"apply_requirements": []},
    "approved only": {"apply_requirements": ["approved"]},
    "empty import_requirements": {"import_requirements": []},
    "plan_requirements": {"plan_requirements": []},
    "default workflow": {"workflow": "default"},
    "custom workflow": {"workflow": "yolo"},
    "repo_locks off": {"repo_locks": {"mode": "disabled"}},
    "policy_check off": {"policy_check": False},
}


@pytest.mark.parametrize("edit", HAND_EDITS, ids=list(HAND_EDITS))
def test_a_hand_edited_atlantis_yaml_cannot_lower_the_floor(edit: str) -> None:
    edited = _atlantis(ORG)
    for project in edited["projects"]:
        project.update(HAND_EDITS[edit])
    if edit == "custom workflow":
        edited["workflows"] = {"yolo": {"apply": {"steps": ["apply"]}}}
    assert _below_floor(SERVER, edited) == []
    if edit in {"empty apply_requirements", "approved only"}:
        assert _below_floor(OLD_SERVER, edited), "the old server config must fail this test"


def test_the_shipped_server_refuses_a_repo_config_that_sets_apply_requirements() -> None:
    edited = _atlantis(ORG)
    edited["projects"][0]["apply_requirements"] = []
    with pytest.raises(RepoConfigRejected, match="not allowed to set 'apply_requirements'"):
        merge_all(SERVER, edited, REPO_ID)
