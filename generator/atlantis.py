"""atlantis.yaml and CODEOWNERS: projects, autoplan triggers, order and ownership."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from . import modules, naming
from .models import Repo
from .plan import MODULES, ROOT_FILES, OutputFile, Root, roots
from .render import render

WORKFLOW = "infragen"
ATLANTIS_INPUTS = ("accounts/*/account.yaml", "services/*/service.yaml", "services/*/environments/*.yaml")


@dataclass(frozen=True)
class Project:
    name: str
    dir: str
    workflow: str
    when_modified: tuple[str, ...]
    execution_order_group: int
    depends_on: tuple[str, ...]
    apply_requirements: tuple[str, ...]
    root: Root


def project_name(env: str, service: str) -> str:
    return f"{env}-{service}"


def module_dirs(root_path: Path, project: Root) -> list[str]:
    """Module directories (repo-relative) that a root reaches, transitively."""
    kinds = ["platform/service", *sorted({_datastore_module(d.type) for d in project.service.datastores})]
    if project.account.consul is not None:
        kinds.append("platform/discovery")
    sources = [f"{MODULES}/{kind}" for kind in kinds]
    return modules.closure(root_path, project.dir, sources)


def _datastore_module(kind: str) -> str:
    return {
        "postgres": "platform/database",
        "mysql": "platform/database",
        "redis": "platform/cache",
        "queue": "platform/queue",
        "table": "platform/table",
        "bucket": "platform/bucket",
    }[kind]


def projects(root_path: Path, repo: Repo) -> list[Project]:
    all_roots = roots(repo)
    groups = _order_groups(repo)
    result = []
    for root in all_roots:
        env = root.account.env
        triggers = ["*.tf", *(_rel(p, root.dir) for p in root.inputs)]
        triggers.extend(_rel(d, root.dir) + "/*.tf" for d in module_dirs(root_path, root))
        result.append(
            Project(
                name=project_name(env, root.service.name),
                dir=root.dir,
                workflow=WORKFLOW,
                when_modified=tuple(triggers),
                execution_order_group=groups[root.service.name],
                depends_on=tuple(project_name(env, name) for name in root.depends_on),
                apply_requirements=root.account.apply_requirements,
                root=root,
            )
        )
    return sorted(result, key=lambda p: p.name)


def _rel(path: str, start: str) -> str:
    return posixpath.relpath(path, start)


def _order_groups(repo: Repo) -> dict[str, int]:
    """Longest chain of dependencies below each service: roots apply after what they read."""
    reads = {root.service.name: root.depends_on for root in roots(repo)}
    depth: dict[str, int] = {}

    def visit(name: str) -> int:
        if name not in depth:
            depth[name] = 0  # cycles are rejected by validation; this only guards recursion
            depth[name] = 1 + max((visit(dep) for dep in reads.get(name, ())), default=-1)
        return depth[name]

    for name in sorted(reads):
        visit(name)
    return depth


def atlantis_file(root_path: Path, repo: Repo) -> OutputFile:
    items = projects(root_path, repo)
    content = render("atlantis.yaml.j2", header=naming.header(ATLANTIS_INPUTS), projects=items)
    return OutputFile("atlantis.yaml", content, ATLANTIS_INPUTS)


@dataclass(frozen=True)
class Rule:
    pattern: str
    owners: str


def codeowners_file(repo: Repo) -> OutputFile:
    platform = repo.teams.get(repo.teams.platform_team)
    assert platform is not None
    rules = [
        Rule("/modules/", platform.github),
        Rule("/schemas/", platform.github),
        Rule("/generator/", platform.github),
        Rule("/teams.yaml", platform.github),
        Rule("/accounts/*/account.yaml", platform.github),
    ]
    for service in repo.services:
        team = repo.teams.get(service.owner)
        assert team is not None
        owners = " ".join(dict.fromkeys([team.github, platform.github]))
        rules.append(Rule(f"/services/{service.name}/", owners))
        rules.extend(Rule(f"/{naming.root_dir(env, service.name)}/", owners) for env in sorted(service.environments))
    inputs = ("teams.yaml", "services/*/service.yaml")
    content = render("CODEOWNERS.j2", header=naming.header(inputs), rules=rules)
    return OutputFile("CODEOWNERS", content, inputs)


__all__ = ["ROOT_FILES", "Project", "atlantis_file", "codeowners_file", "projects"]
