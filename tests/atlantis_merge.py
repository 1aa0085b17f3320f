"""Atlantis's server-side/repo-side config merge, re-implemented for tests.

Read from runatlantis/atlantis at commit 078d0a82081e8a2b1645268c5f5bfec578246fa9 (2026-08-22):
- server/core/config/valid/global_cfg.go: NewGlobalCfgFromArgs (the default repo entry `.*`,
  `policies_passed` added to apply requirements when policy checks are enabled),
  getMatchingCfg (every server repo whose id matches, in order, later non-nil values win; the
  branch regex is NOT consulted there), ValidateRepoCfg (a repo-side project key that is not in
  allowed_overrides fails the whole repo config; custom workflows need allow_custom_workflows;
  a named workflow must be defined and in allowed_workflows) and MergeProjectCfg (for each key in
  allowed_overrides, a non-nil project value REPLACES the server value; `policies_passed` is
  re-appended to apply requirements when policy checks are on).
- server/core/config/raw/global_cfg.go: GlobalCfg.ToValid (the default repo is prepended to the
  repos of repos.yaml) and Repo.ToValid (the default repo's non-overridable apply requirements,
  i.e. `policies_passed`, are appended to each repo's list; Go's append keeps nil when both are
  empty, so "not set" stays "not set").
- server/core/config/raw/project.go: Project.ToValid (no default apply/import requirements; the
  YAML value is kept as is, so `apply_requirements: []` is an empty, non-nil override).

Python None stands for Go's nil slice; [] for an empty, non-nil one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PLAN, APPLY, IMPORT = "plan_requirements", "apply_requirements", "import_requirements"
WORKFLOW, POLICY_CHECK = "workflow", "policy_check"
REQUIREMENT_KEYS = (PLAN, APPLY, IMPORT)
POLICIES_PASSED = "policies_passed"
NON_OVERRIDABLE_APPLY_REQS = (POLICIES_PASSED,)
# Project keys ValidateRepoCfg checks against allowed_overrides (silence_pr_comments is checked
# only when it differs from the server value; the generated file never sets it).
GUARDED_PROJECT_KEYS = (
    WORKFLOW,
    APPLY,
    PLAN,
    IMPORT,
    "delete_source_branch_on_merge",
    "repo_locking",
    "repo_locks",
    "custom_policy_check",
)


class RepoConfigRejected(Exception):
    """ValidateRepoCfg returned an error: Atlantis runs nothing for the pull request."""


@dataclass
class ServerRepo:
    id: str
    requirements: dict[str, list[str] | None]
    allowed_overrides: list[str] | None
    allowed_workflows: list[str] | None
    allow_custom_workflows: bool | None
    workflow: str | None
    policy_check: bool | None = None

    def id_matches(self, repo_id: str) -> bool:
        if self.id.startswith("/") and self.id.endswith("/") and len(self.id) > 1:
            return re.search(self.id[1:-1], repo_id) is not None  # Go's MatchString: unanchored
        return self.id == repo_id


@dataclass
class GlobalCfg:
    repos: list[ServerRepo]
    workflows: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Merged:
    name: str
    dir: str
    plan_requirements: tuple[str, ...]
    apply_requirements: tuple[str, ...]
    import_requirements: tuple[str, ...]
    workflow: str
    policy_check: bool


def _append(first: list[str] | None, rest: list[str]) -> list[str] | None:
    """Go's ``append`` on a possibly-nil slice: nil stays nil when nothing is appended."""
    if first is None and not rest:
        return None
    return [*(first or []), *rest]


def default_cfg(*, policy_check_enabled: bool = False) -> GlobalCfg:
    """NewGlobalCfgFromArgs with AllowAllRepoSettings false (the server flag that is off by default)."""
    apply = [POLICIES_PASSED] if policy_check_enabled else []
    return GlobalCfg(
        repos=[
            ServerRepo(
                id="/.*/",
                requirements={PLAN: [], APPLY: apply, IMPORT: []},
                allowed_overrides=[],
                allowed_workflows=[],
                allow_custom_workflows=False,
                workflow="default",
                policy_check=policy_check_enabled,
            )
        ],
        workflows={"default"},
    )


def server_cfg(raw: dict[str, Any], *, policy_check_enabled: bool = False) -> GlobalCfg:
    """raw.GlobalCfg.ToValid(default): the default repo first, then each repos.yaml entry."""
    default = default_cfg(policy_check_enabled=policy_check_enabled)
    base = default.repos[0]
    global_apply = [r for r in base.requirements[APPLY] or [] if r in NON_OVERRIDABLE_APPLY_REQS]
    global_reqs = {PLAN: base.requirements[PLAN] or [], APPLY: global_apply, IMPORT: base.requirements[IMPORT] or []}
    repos = [base]
    for entry in raw.get("repos", []):
        policy_check = entry.get(POLICY_CHECK)
        reqs: dict[str, list[str] | None] = {}
        for key in REQUIREMENT_KEYS:
            own: list[str] = list(entry.get(key) or [])
            merged = _append(None, own)
            for req in global_reqs[key]:
                if req in own:
                    continue
                if req == POLICIES_PASSED and policy_check is False:
                    continue
                merged = _append(merged, [req])
            reqs[key] = merged
        repos.append(
            ServerRepo(
                id=entry["id"],
                requirements=reqs,
                allowed_overrides=entry.get("allowed_overrides"),
                allowed_workflows=entry.get("allowed_workflows"),
                allow_custom_workflows=entry.get("allow_custom_workflows"),
                workflow=entry.get("workflow"),
                policy_check=policy_check,
            )
        )
    return GlobalCfg(repos=repos, workflows={"default", *raw.get("workflows", {})})


def validate_repo_cfg(g: GlobalCfg, repo_cfg: dict[str, Any], repo_id: str) -> None:
    """ValidateRepoCfg: raises RepoConfigRejected with Atlantis's message."""
    allowed_overrides: list[str] = []
    allow_custom = False
    allowed_workflows: list[str] = []
    for repo in g.repos:
        if repo.id_matches(repo_id):
            if repo.allowed_overrides is not None:
                allowed_overrides = repo.allowed_overrides
            if repo.allow_custom_workflows is not None:
                allow_custom = repo.allow_custom_workflows
            if repo.allowed_workflows is not None:
                allowed_workflows = repo.allowed_workflows
    projects = repo_cfg.get("projects") or []
    for project in projects:
        for key in GUARDED_PROJECT_KEYS:
            if project.get(key) is not None and key not in allowed_overrides:
                raise RepoConfigRejected(
                    f"repo config not allowed to set '{key}' key: server-side config needs 'allowed_overrides: [{key}]'"
                )
    repo_workflows = set(repo_cfg.get("workflows") or {})
    if repo_workflows and not allow_custom:
        raise RepoConfigRejected(
            "repo config not allowed to define custom workflows: server-side config needs 'allow_custom_workflows: true'"
        )
    for project in projects:
        name = project.get(WORKFLOW)
        if name is not None and name not in repo_workflows and name not in g.workflows:
            raise RepoConfigRejected(f"workflow {name!r} is not defined anywhere")
    for project in projects:
        name = project.get(WORKFLOW)
        if name is not None and allowed_workflows:
            if allow_custom and name in repo_workflows:
                break  # Atlantis's loop breaks here, skipping the remaining projects
            if name not in allowed_workflows:
                raise RepoConfigRejected(f"workflow '{name}' is not allowed for this repo")


def _matching(g: GlobalCfg, repo_id: str) -> tuple[dict[str, list[str]], str, list[str], bool]:
    """getMatchingCfg: later matching repos win for every non-nil value."""
    reqs: dict[str, list[str]] = {key: [] for key in REQUIREMENT_KEYS}
    workflow = "default"
    allowed_overrides: list[str] = []
    policy_check = False
    for repo in g.repos:
        if not repo.id_matches(repo_id):
            continue
        for key in REQUIREMENT_KEYS:
            value = repo.requirements.get(key)
            if value is not None:
                reqs[key] = value
        if repo.workflow is not None:
            workflow = repo.workflow
        if repo.allowed_overrides is not None:
            allowed_overrides = repo.allowed_overrides
        if repo.policy_check is not None:
            policy_check = repo.policy_check
    return reqs, workflow, allowed_overrides, policy_check


def merge_project_cfg(g: GlobalCfg, repo_id: str, project: dict[str, Any]) -> Merged:
    """MergeProjectCfg for the keys that decide who may apply."""
    reqs, workflow, allowed_overrides, policy_check = _matching(g, repo_id)
    plan, apply, imp = list(reqs[PLAN]), list(reqs[APPLY]), list(reqs[IMPORT])
    for key in allowed_overrides:
        if key == PLAN and project.get(PLAN) is not None:
            plan = list(project[PLAN])
        elif key == APPLY and project.get(APPLY) is not None:
            apply = list(project[APPLY])
            if policy_check:
                apply.append(POLICIES_PASSED)
        elif key == IMPORT and project.get(IMPORT) is not None:
            imp = list(project[IMPORT])
        elif key == WORKFLOW and project.get(WORKFLOW) is not None:
            workflow = project[WORKFLOW]
        elif key == POLICY_CHECK and project.get(POLICY_CHECK) is not None:
            policy_check = bool(project[POLICY_CHECK])
    return Merged(
        name=project.get("name") or project["dir"],
        dir=project["dir"],
        plan_requirements=tuple(plan),
        apply_requirements=tuple(apply),
        import_requirements=tuple(imp),
        workflow=workflow,
        policy_check=policy_check,
    )


def merge_all(server: dict[str, Any], repo_cfg: dict[str, Any], repo_id: str, **kwargs: Any) -> list[Merged]:
    """What Atlantis runs each project with, or RepoConfigRejected."""
    g = server_cfg(server, **kwargs)
    validate_repo_cfg(g, repo_cfg, repo_id)
    return [merge_project_cfg(g, repo_id, p) for p in repo_cfg.get("projects") or []]
