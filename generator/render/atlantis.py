"""atlantis.yaml and CODEOWNERS: projects, autoplan triggers, order and ownership."""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from generator import cachedir, layout
from generator.datastores import kind_of
from generator.errors import InvariantError
from generator.plan import modules
from generator.plan.alarms import team_project_name, team_root_dir
from generator.plan.keys import generator_digest
from generator.plan.retired import Retired, RetiredRoot
from generator.plan.roots import MODULES, ROOT_FILES, OutputFile, Root, roots
from generator.render.jinja import render
from generator.spec import naming
from generator.spec.models import MAIN, Repo

WORKFLOW = "infragen"
ATLANTIS_INPUTS = ("accounts/*/account.yaml", "services/*/service.yaml", "services/*/environments/*.yaml")
# Files Terraform reads in a root or module directory (*.tf, *.tf.json, *.tfvars, *.tftpl), and
# the provider lock file when one is committed. `*` does not cross `/`: module tests/ do not count.
TERRAFORM_FILES = "*.tf*"
LOCK_FILE = ".terraform.lock.hcl"
# The apply floor lives in the server config (docs/atlantis/repos.yaml), never in atlantis.yaml:
# Atlantis replaces the server's apply_requirements with any value the repo config sets when
# `apply_requirements` is in allowed_overrides (server/core/config/valid/global_cfg.go,
# MergeProjectCfg), so the shipped server config does not allow overriding it, and a project
# cannot vary it per directory. Every project therefore needs what production needs.
SERVER_APPLY_REQUIREMENTS = ("approved", "mergeable", "undiverged")


@dataclass(frozen=True)
class Project:
    name: str
    dir: str
    workflow: str
    when_modified: tuple[str, ...]
    execution_order_group: int
    depends_on: tuple[str, ...]
    apply_requirements: tuple[str, ...]
    root: Root | None  # None for a destroy-only root (its spec is gone)
    decommissioning: str | None = None  # why the root is destroy-only
    terraform_version: str | None = None  # set where Atlantis cannot read it from .tf files
    modules: str = MAIN  # the modules its root calls: main (local) or a release tag (modules/channels.yaml)


def project_name(env: str, service: str) -> str:
    return f"{env}-{service}"


def _module_sources(project: Root) -> tuple[str, ...]:
    kinds = (
        "platform/service",
        "platform/dashboard",
        *sorted({kind_of(d.type).module for d in project.service.datastores}),
        *(("platform/discovery",) if project.account.consul is not None else ()),
    )
    return tuple(f"{MODULES}/{kind}" for kind in kinds)


def module_dirs(root_path: Path, project: Root) -> list[str]:
    """Module directories (repo-relative) that a root reaches, transitively."""
    return list(modules.closure_by_depth(root_path, project.dir, _module_sources(project)))


def when_modified(root_path: Path, root: Root) -> tuple[str, ...]:
    """Every file that can change the root's plan, relative to its dir: its own Terraform files,
    its inputs (the environment file even before it exists) and every module it reaches, when it
    calls the local modules: a root on a release tag calls code no pull request can change (its
    sources change only with modules/channels.yaml, which rewrites them, so its *.tf* plan it)."""
    env_file = posixpath.join(posixpath.dirname(root.service.file), "environments", f"{root.account.env}.yaml")
    inputs = sorted({*root.inputs, env_file})
    triggers = [TERRAFORM_FILES, LOCK_FILE, *(_rel(p, root.dir) for p in inputs)]
    if root.modules == MAIN:
        reached = modules.relative_closure(root_path, root.dir, _module_sources(root))
        triggers.extend([f"{d}/{TERRAFORM_FILES}" for d in reached])
    return tuple(triggers)


def retired_project(repo: Repo, item: RetiredRoot) -> Project:
    """A destroy-only root keeps its project name and dir, so Atlantis plans the destroy."""
    if item.kind == "team":  # the spec edits that retired it rewrite its *.tf files, which plans it
        name = team_project_name(item.env, item.name)
        inputs: tuple[str, ...] = ("teams.yaml",)
    else:  # the spec files are gone, but their deletion still plans the destroy
        name = project_name(item.env, item.name)
        inputs = (f"services/{item.name}/environments/{item.env}.yaml", f"services/{item.name}/service.yaml")
    return Project(
        name=name,
        dir=item.dir,
        workflow=WORKFLOW,
        when_modified=(TERRAFORM_FILES, LOCK_FILE, *(_rel(path, item.dir) for path in inputs)),
        # a team's topic goes after the retired services' roots of the same pull request (their alarms notify it)
        execution_order_group=1 if item.kind == "team" else 0,
        depends_on=(),
        apply_requirements=SERVER_APPLY_REQUIREMENTS,
        root=None,
        decommissioning=item.reason,
    )


def team_projects(root_path: Path, repo: Repo) -> list[Project]:
    """The alerts roots: group 0, before every service (whose alarms notify the team topic)."""
    from generator.plan.alerts import team_roots

    result = []
    for team_root in team_roots(repo):
        triggers = [TERRAFORM_FILES, LOCK_FILE, *(_rel(p, team_root.dir) for p in team_root.inputs)]
        if team_root.modules == MAIN:
            modules_reached = modules.closure(root_path, team_root.dir, [f"{MODULES}/platform/alerts"])
            triggers.extend(f"{_rel(d, team_root.dir)}/{TERRAFORM_FILES}" for d in modules_reached)
        result.append(
            Project(
                name=team_project_name(team_root.account.env, team_root.team.name),
                dir=team_root.dir,
                workflow=WORKFLOW,
                when_modified=tuple(triggers),
                execution_order_group=0,
                depends_on=(),
                apply_requirements=SERVER_APPLY_REQUIREMENTS,
                root=None,
                modules=team_root.modules,
            )
        )
    return result


def projects(
    root_path: Path, repo: Repo, retired: Sequence[RetiredRoot] = (), all_roots: Sequence[Root] | None = None
) -> list[Project]:
    """One project per root, destroy-only root and alerts root. ``all_roots``: the run's roots
    when the caller has them (generator.plan.ir); derived from ``repo`` otherwise."""
    if all_roots is None:
        all_roots = roots(repo)
    order = _Order(root_path, repo, all_roots)
    result = [retired_project(repo, item) for item in retired]
    result.extend(order.teams)
    result.extend(order.project(root) for root in all_roots)
    return sorted(result, key=lambda p: p.name)


class _Order:
    """What a service root's project needs besides the root: its execution order group and the
    projects it depends on (the services it reads, its owner team's alerts root)."""

    def __init__(self, root_path: Path, repo: Repo, all_roots: Sequence[Root]) -> None:
        self.root_path = root_path
        self.groups = order_groups(all_roots)
        self.teams = team_projects(root_path, repo)
        self.team_dirs = {p.dir for p in self.teams}

    def group(self, root: Root) -> int:
        return self.groups[root.service.name] + (1 if self.teams else 0)

    def depends_on(self, root: Root) -> tuple[str, ...]:
        env = root.account.env
        owner_team = (
            [team_project_name(env, root.service.owner)]
            if team_root_dir(env, root.service.owner) in self.team_dirs
            else []
        )
        return tuple([project_name(env, name) for name in root.depends_on] + owner_team)

    def project(self, root: Root) -> Project:
        return Project(
            name=project_name(root.account.env, root.service.name),
            dir=root.dir,
            workflow=WORKFLOW,
            when_modified=when_modified(self.root_path, root),
            execution_order_group=self.group(root),
            depends_on=self.depends_on(root),
            apply_requirements=SERVER_APPLY_REQUIREMENTS,
            root=root,
            modules=root.modules,
        )

    def fragment_key(self, root: Root) -> str:
        """Everything a service root's block of atlantis.yaml is printed from, the generator included:
        the text for a key is always the same (generator/cachedir.py ByKey)."""
        reached = tuple(module_dirs(self.root_path, root)) if root.modules == MAIN else ()
        parts = (
            generator_digest(),
            root.service.name,
            root.account.env,
            root.dir,
            root.service.file,
            root.inputs,
            root.modules,
            self.group(root),
            self.depends_on(root),
            reached,
        )
        return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def project_fragment(project: Project) -> str:
    """One project's block of atlantis.yaml (both flavors)."""
    return render("atlantis-project.yaml.j2", p=project)


def atlantis_text(header: str, fragments: Sequence[str]) -> str:
    return render("atlantis.yaml.j2", header=header, fragments=fragments)


def _rel(path: str, start: str) -> str:
    """posixpath.relpath for normalized repo-relative paths, without its two abspath calls
    (which dominated atlantis.yaml at 1,000 services)."""
    if ".." in path.split("/") or ".." in start.split("/"):
        return posixpath.relpath(path, start)
    if start not in ("", ".") and path.partition("/")[0] != start.partition("/")[0]:  # no common prefix
        return "../" * (start.count("/") + 1) + path
    parts, base = path.split("/"), start.split("/")
    common = 0
    while common < min(len(parts), len(base)) and parts[common] == base[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:]) or "."


def order_groups(all_roots: Sequence[Root]) -> dict[str, int]:
    """Longest chain of dependencies below each service: roots apply after what they read."""
    reads = {root.service.name: root.depends_on for root in all_roots}
    depth: dict[str, int] = {}

    def visit(name: str) -> int:
        if name not in depth:
            depth[name] = 0  # cycles are rejected by validation; this only guards recursion
            depth[name] = 1 + max((visit(dep) for dep in reads.get(name, ())), default=-1)
        return depth[name]

    for name in sorted(reads):
        visit(name)
    return depth


def atlantis_file(
    root_path: Path,
    repo: Repo,
    retired: Sequence[RetiredRoot] = (),
    all_roots: Sequence[Root] | None = None,
    fragments: cachedir.ByKey | None = None,
) -> OutputFile:
    """atlantis.yaml. With ``fragments`` (the cache of project blocks by what they are printed
    from), a service root whose block is there is neither computed nor rendered: a change
    re-renders the blocks it touches."""
    if all_roots is None:
        all_roots = roots(repo)
    order = _Order(root_path, repo, all_roots)
    texts = [(p.name, project_fragment(p)) for p in (*(retired_project(repo, r) for r in retired), *order.teams)]
    for root in all_roots:
        compute = partial(_fragment_of, order, root)
        text = compute() if fragments is None else fragments.get(order.fragment_key(root), compute)
        texts.append((project_name(root.account.env, root.service.name), text))
    inputs = atlantis_inputs(ATLANTIS_INPUTS, repo)
    content = atlantis_text(naming.header(inputs), [text for _, text in sorted(texts)])
    return OutputFile("atlantis.yaml", content, inputs)


def atlantis_inputs(inputs: tuple[str, ...], repo: Repo) -> tuple[str, ...]:
    """atlantis.yaml's inputs: the projects' triggers follow the modules' own `source` values
    (:data:`layout.MODULE_FILES`), and modules/channels.yaml when the repository has one (moving
    an environment between main and a tag changes its triggers: a root on a tag lists no module
    files). `gen` names a changed one as the reason atlantis.yaml changed."""
    channels = () if repo.channels.file is None else (repo.channels.file,)
    return (*inputs, *channels, layout.MODULE_FILES)


def _fragment_of(order: _Order, root: Root) -> str:
    return project_fragment(order.project(root))


@dataclass(frozen=True)
class Rule:
    pattern: str
    owners: str


PLATFORM_PATHS = (
    "/modules/",
    "/schemas",  # a symlink to generator/spec/schemas for editors
    "/generator/",
    "/teams.yaml",
    "/accounts/*/account.yaml",
    "/atlantis.yaml",
    "/CODEOWNERS",
)


def codeowners_rules(repo: Repo, retired: Sequence[Retired] = (), *, units: bool = False) -> list[Rule]:
    """GitHub applies the LAST matching line: a catch-all first, service folders and roots next,
    the teams' references files (``references_rules``), platform-only paths last so that no service
    line can ever take them over. ``units``: the Terragrunt flavor's references files."""
    platform = repo.teams.get(repo.teams.platform_team)
    if platform is None:  # validation requires platformTeam to be a team
        raise InvariantError(f"platformTeam {repo.teams.platform_team!r} is not a team in teams.yaml")

    # Specs belong to the owner team, generated roots to the platform team only: a spec change
    # regenerates roots, so it needs both reviews, and an owner team cannot approve its own
    # infrastructure change alone (GitHub accepts any ONE owner listed on a line).
    service_rules: list[tuple[str, Rule]] = []  # grouped by service: one block per service
    for service in repo.services:
        team = repo.teams.get(service.owner)
        service_rules.append(
            (service.name, Rule(f"/services/{service.name}/", team.github if team else platform.github))
        )
        service_rules.extend(
            (service.name, Rule(f"/{naming.root_dir(env, service.name)}/", platform.github))
            for env in sorted(service.environments)
        )
    # a retired service's roots keep their line; a team's alert root never had one (`*` covers it).
    # A retired Terragrunt unit below a folder that has a line (its service's, live or retired) needs none.
    covered = {rule.pattern for _, rule in service_rules}
    for item in sorted(retired, key=lambda r: r.dir):
        pattern = f"/{item.dir}/"
        if item.kind == "service" and not any(pattern.startswith(p) for p in covered if p.endswith("/")):
            service_rules.append((item.name, Rule(pattern, platform.github)))
            covered.add(pattern)
    return [
        Rule("*", platform.github),
        *(rule for _, rule in sorted(service_rules, key=lambda pair: (pair[0], pair[1].pattern))),
        *references_rules(repo, units=units),
        *(Rule(path, platform.github) for path in PLATFORM_PATHS),
    ]


def references_rules(repo: Repo, *, units: bool = False) -> list[Rule]:
    """A reference to another service's datastore (a subscription to its topic) needs the approval
    of that datastore's owner team too. GitHub requires one owner of EACH changed file, so main.tf
    (platform) changes with references-<team>.tf (that team). GitHub reads CODEOWNERS from the pull
    request's BASE branch, so a line made for the subscriber would come too late for the pull request
    that subscribes first: every team's line exists from the moment the team does, for any root of
    any environment (the platform team's file is its own through the root's folder line already).
    After the service lines (the last match wins), before the platform paths (which never match
    these files). ``units``: the Terragrunt flavor's, one folder down (a datastore's unit), ``.hcl``."""
    pattern, suffix = (naming.root_dir("*", "*") + "/*", ".hcl") if units else (naming.root_dir("*", "*"), ".tf")
    return [
        Rule(f"/{pattern}/{naming.references_file(team.name, suffix)}", team.github)
        for team in sorted(repo.teams.teams, key=lambda t: t.name)
        if team.name != repo.teams.platform_team
    ]


def codeowners_file(repo: Repo, retired: Sequence[Retired] = (), *, units: bool = False) -> OutputFile:
    inputs = ("teams.yaml", "services/*/service.yaml")
    rules = codeowners_rules(repo, retired, units=units)
    content = render("CODEOWNERS.j2", header=naming.header(inputs), rules=rules)
    return OutputFile("CODEOWNERS", content, inputs)


__all__ = [
    "ROOT_FILES",
    "Project",
    "atlantis_file",
    "atlantis_inputs",
    "atlantis_text",
    "codeowners_file",
    "codeowners_rules",
    "project_fragment",
    "projects",
]
