"""The Terragrunt flavor: the same module calls as plain roots, emitted as Terragrunt units.

Selected by ``flavor: terragrunt`` in ``infragen.yaml``. Every plain root's module call (the
service, each datastore, discovery) becomes one unit; references between calls become
``dependency`` blocks. The arguments come from :func:`generator.plan.root_calls`, shared with
the plain flavor. A unit no longer planned becomes a destroy-only unit (generator/plan/retired.py).
Layout and reasons: docs/terragrunt.md.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from generator import hcl
from generator.datastores import Interpolation, kind_of
from generator.datastores.base import interpolate
from generator.errors import InvariantError, SpecError
from generator.hcl import ObjectList, Raw, Value, object_list
from generator.plan import modules
from generator.plan.alarms import team_project_name
from generator.plan.alerts import TeamRoot, team_roots
from generator.plan.alerts import module_args as alert_args
from generator.plan.allocation import Allocation
from generator.plan.retired import RetiredUnit, UnitSettings, retired_units
from generator.plan.roots import (
    AWS_PROVIDER_VERSION,
    CONSUL_PROVIDER_VERSION,
    MODULES,
    TERRAFORM_VERSION,
    ModuleCall,
    OutputFile,
    Ref,
    Root,
    priority_files,
    references_files,
    root_calls,
)
from generator.render.atlantis import (
    SERVER_APPLY_REQUIREMENTS,
    Project,
    atlantis_inputs,
    atlantis_text,
    codeowners_file,
    project_fragment,
)
from generator.render.jinja import render
from generator.spec import naming
from generator.spec.document import load as load_yaml
from generator.spec.models import MAIN, Account, Repo
from generator.spec.schema import check, schema_text

SETTINGS_FILE = "infragen.yaml"
# The root config is not named terragrunt.hcl: Terragrunt treats every terragrunt.hcl as a unit
# (run-all would try to run the root), and its docs recommend root.hcl.
ROOT_CONFIG = naming.TERRAGRUNT_ROOT_CONFIG
WORKFLOW = "infragen-terragrunt"
UNIT_FILE = naming.TERRAGRUNT_UNIT_FILE
Flavor = Literal["terraform", "terragrunt"]
ATLANTIS_INPUTS = ("infragen.yaml", "accounts/*/account.yaml", "services/*/service.yaml")


def flavor(root: Path) -> Flavor:
    """The repository's flavor from ``infragen.yaml`` (terraform when the file is absent)."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return "terraform"
    doc = load_yaml(path, root)
    data = doc.data if doc.data is not None else {}
    problems = check(doc, "service", sub=json.loads(schema_text("infragen")))  # kind is unused with sub
    if problems:
        raise SpecError(problems)
    return "terragrunt" if data.get("flavor") == "terragrunt" else "terraform"


@dataclass(frozen=True)
class Unit:
    root: Root
    call: ModuleCall
    dir: str  # repo-relative

    @property
    def project(self) -> str:
        name = f"{self.root.account.env}-{self.root.service.name}"
        return name if self.call.unit == "service" else f"{name}.{self.call.unit}"


@dataclass(frozen=True)
class Dependency:
    label: str
    path: str
    mocks: str
    project: str


def unit_dir(env: str, service: str, unit: str) -> str:
    base = naming.root_dir(env, service)
    return base if unit == "service" else f"{base}/{unit}"


def _dependency_label(ref: Ref) -> str:
    return naming.label(ref.unit) if ref.unit != "service" else naming.label(ref.service) + "_service"


def _refs(value: Value) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, Interpolation):
        return _refs(value.value)
    if isinstance(value, ObjectList):
        return [r for item in value.items for r in _refs(item)]
    if isinstance(value, (Raw, hcl.Document, hcl.JsonEncode)) or value is None or isinstance(value, (str, int, bool)):
        return []
    if isinstance(value, Mapping):
        return [r for v in value.values() for r in _refs(v)]
    return [r for v in value for r in _refs(v)]


def _rewrite(value: Value) -> Value:
    """Module references become dependency outputs."""
    if isinstance(value, Ref):
        index = "" if value.index is None else f"[{value.index}]"
        return Raw(f"dependency.{_dependency_label(value)}.outputs.{value.attr}{index}")
    if isinstance(value, Interpolation):
        return interpolate(value.prefix, _rewrite(value.value), value.suffix)
    if isinstance(value, ObjectList):
        return object_list([_rewrite(item) for item in value.items])
    if isinstance(value, (Raw, hcl.Document, hcl.JsonEncode)) or value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, Mapping):
        return {k: _rewrite(v) for k, v in value.items()}
    return [_rewrite(v) for v in value]


def _mock(ref: Ref, repo: Repo, account: Account) -> Value:
    """A stand-in of the right type and shape for ``terraform validate`` before the dependency exists."""
    if ref.attr == "dashboard_widgets":
        return [json.dumps({"title": f"{ref.unit} (mock)", "metrics": []}, separators=(",", ":"))]
    if ref.attr.endswith("security_group_id"):
        return "sg-00000000000000000"
    if ref.attr == "resource_id":
        return "db-MOCK0000000000000000000000"
    if ref.attr == "replica_resource_ids":
        return [f"db-MOCKREPLICA{n}00000000000000000" for n in range(1, 6)]
    found = repo.datastore_owner(ref.unit)
    known = kind_of(found[1].type).conventional(ref.attr, found[1], account) if found else None
    if known is not None:
        return known
    if ref.attr == "arn":
        return f"arn:aws:iam::{account.account_id}:mock"
    return f"{ref.unit}.mock.invalid"


def _module_source(call: ModuleCall, directory: str) -> str:
    """``<relative path to modules>//<group>/<name>``: Terragrunt copies all of modules/, so the
    platform modules' own relative sources (../../aws/...) keep working."""
    prefix = MODULES + "/"
    if call.source.startswith("git::"):  # a release tag (modules/channels.yaml): the same // layout
        return call.source
    if not call.source.startswith(prefix):
        raise InvariantError(f"module call {call.label}: unexpected source {call.source}")
    return f"{posixpath.relpath('modules', directory)}//{call.source[len(prefix) :]}"


def units(repo: Repo, planned: Sequence[tuple[Root, Sequence[ModuleCall]]] | None = None) -> list[Unit]:
    """One unit per module call; ``planned``: the run's root calls (generator.plan.ir) when the caller has them."""
    result = []
    for root, calls in root_calls(repo) if planned is None else planned:
        for call in calls:
            result.append(Unit(root, call, unit_dir(root.account.env, root.service.name, call.unit)))
    return sorted(result, key=lambda u: u.dir)


def _dependencies(unit: Unit, repo: Repo) -> list[Dependency]:
    found: dict[str, Dependency] = {}
    mocks: dict[str, dict[str, Value]] = {}
    env = unit.root.account.env
    for _, value in unit.call.args:
        for ref in _refs(value):
            label = _dependency_label(ref)
            mocks.setdefault(label, {})[ref.attr] = _mock(ref, repo, unit.root.account)
            target = unit_dir(env, ref.service, ref.unit)
            name = f"{env}-{ref.service}" if ref.unit == "service" else f"{env}-{ref.service}.{ref.unit}"
            path = posixpath.relpath(target, unit.dir)
            found[label] = Dependency(label, path if path.startswith("..") else f"./{path}", "", name)
    return [
        Dependency(hcl.label(d.label), hcl.string(d.path), hcl.body(sorted(mocks[d.label].items()), 2), d.project)
        for _, d in sorted(found.items())
    ]


def _referenced(unit: Unit, repo: Repo) -> list[str]:
    """The projects of the datastores a datastore unit names (a queue's subscribed topics): its
    arguments carry their ARNs by convention, not dependency outputs, so only the order follows."""
    own = {d.name: d for d in unit.root.service.datastores}
    datastore = own.get(unit.call.unit)
    if datastore is None:
        return []
    env = unit.root.account.env
    projects = []
    for _, name in kind_of(datastore.type).references(datastore):
        found = repo.datastore_owner(name)
        if found is not None:
            projects.append(f"{env}-{found[0].name}.{name}")
    return projects


# units whose module has no `tags` input: Consul registrations and CloudWatch dashboards carry no tags
UNTAGGED_UNITS = ("discovery", "dashboard")


def _with_channels(inputs: tuple[str, ...], channels_file: str | None) -> tuple[str, ...]:
    """A unit's inputs, with modules/channels.yaml (its module source) when the repository has one."""
    return inputs if channels_file is None else tuple(sorted({*inputs, channels_file}))


def _unit_file(unit: Unit, repo: Repo) -> OutputFile:
    inputs = _with_channels(unit.root.inputs, unit.root.channels_file)
    header = naming.header(inputs)
    args = [(key, _rewrite(value)) for key, value in unit.call.args]
    if unit.root.cost_center is not None and unit.call.unit not in UNTAGGED_UNITS:
        # the provider's default tags are per account here (env.hcl); the owner team's cost center
        # goes through the platform modules' `tags` input, which resource tags take over
        args.append(("tags", {"cost-center": unit.root.cost_center}))
    content = render(
        "terragrunt-unit.hcl.j2",
        header=header,
        root_config=posixpath.relpath(ROOT_CONFIG, unit.dir),
        source=hcl.string(_module_source(unit.call, unit.dir)),
        dependencies=_dependencies(unit, repo),
        locals=hcl.body(list(unit.call.locals)) if unit.call.locals else None,
        inputs=hcl.body(args),
    )
    return OutputFile(f"{unit.dir}/terragrunt.hcl", content, inputs)


def _references_files(unit: Unit, repo: Repo) -> list[OutputFile]:
    """references-<team>.hcl beside a datastore unit that names another team's datastores: its
    owner team reviews the reference (CODEOWNERS), as references-<team>.tf does in a root."""
    if unit.call.unit == "service":
        return []
    return [
        OutputFile(
            f"{unit.dir}/{item.name}",
            render("references.tf.j2", header=naming.header(item.inputs), item=item, unit=True),
            item.inputs,
        )
        for item in references_files(repo, unit.root.service, datastore=unit.call.unit, suffix=".hcl")
    ]


def _env_file(account: Account) -> OutputFile:
    inputs = (f"accounts/{account.env}/account.yaml",)
    tags: dict[str, Value] = {k: v for k, v in account.default_tags}
    tags.update({"environment": account.env, "managed-by": "infragen"})
    consul: Value = None
    if account.consul is not None:
        consul = {"address": account.consul.address, "datacenter": account.consul.datacenter}
    body: list[tuple[str, Value]] = [
        ("env", account.env),
        ("account_id", account.account_id),
        ("region", account.region),
        ("production", account.production),
        ("state_bucket", account.state.bucket),
        ("state_key_prefix", account.state.key_prefix),
        ("state_region", account.state.region),
        ("state_lock_table", account.state.lock_table),
        # the S3 backend settings as ONE object of one shape per account, computed here: the root
        # merges the key in, no HCL conditional between two object types (fragile in Terragrunt)
        ("remote_state", _backend(account)),
        ("default_tags", tags),
        ("consul", consul),
    ]
    content = render("terragrunt-env.hcl.j2", header=naming.header(inputs), env=account.env, body=hcl.body(body))
    return OutputFile(f"accounts/{account.env}/env.hcl", content, inputs)


def _backend(account: Account) -> dict[str, Value]:
    config: dict[str, Value] = {"bucket": account.state.bucket, "region": account.state.region, "encrypt": True}
    if account.state.lock_table:
        config["dynamodb_table"] = account.state.lock_table
    else:
        config["use_lockfile"] = True
    return config


def _root_file() -> OutputFile:
    inputs = (SETTINGS_FILE,)
    content = render(
        "terragrunt-root.hcl.j2",
        header=naming.header(inputs),
        terraform_version=hcl.string(TERRAFORM_VERSION),
        aws_version=hcl.string(AWS_PROVIDER_VERSION),
        consul_version=hcl.string(CONSUL_PROVIDER_VERSION),
    )
    return OutputFile(ROOT_CONFIG, content, inputs)


def projects(root_path: Path, repo: Repo, all_units: Sequence[Unit] | None = None) -> list[Project]:
    """One Atlantis project per unit, ordered by the dependency blocks."""
    if all_units is None:
        all_units = units(repo)
    deps = {
        u.project: tuple(sorted({*(d.project for d in _dependencies(u, repo)), *_referenced(u, repo)}))
        for u in all_units
    }
    depth: dict[str, int] = {}

    def visit(name: str) -> int:
        if name not in depth:
            depth[name] = 0  # validation rejects cycles; this only guards recursion
            depth[name] = 1 + max((visit(d) for d in deps[name]), default=-1)
        return depth[name]

    result = []
    for unit in all_units:
        reached: list[str] = []
        if unit.root.modules == MAIN:  # a unit on a release tag reaches no local module
            module_dir = posixpath.normpath(posixpath.join(unit.root.dir, unit.call.source))
            reached = modules.closure(root_path, unit.dir, [posixpath.relpath(module_dir, unit.dir)])
        env_file = posixpath.join(
            posixpath.dirname(unit.root.service.file), "environments", f"{unit.root.account.env}.yaml"
        )
        inputs = sorted({*unit.root.inputs, env_file, SETTINGS_FILE})
        triggers = [
            "terragrunt.hcl",
            posixpath.relpath(f"accounts/{unit.root.account.env}/env.hcl", unit.dir),
            posixpath.relpath(ROOT_CONFIG, unit.dir),
            *(posixpath.relpath(p, unit.dir) for p in inputs),
            *(f"{posixpath.relpath(d, unit.dir)}/*.tf*" for d in reached),
        ]
        result.append(
            Project(
                name=unit.project,
                dir=unit.dir,
                workflow=WORKFLOW,
                when_modified=tuple(triggers),
                execution_order_group=visit(unit.project),
                depends_on=deps[unit.project],
                apply_requirements=SERVER_APPLY_REQUIREMENTS,
                root=unit.root,
                modules=unit.root.modules,
                # Atlantis reads the version from .tf files in the project dir; units have none
                terraform_version=f"v{TERRAFORM_VERSION}",
            )
        )
    return sorted(result, key=lambda p: p.name)


def _team_unit_file(team_root: TeamRoot) -> OutputFile:
    """The alerts root of a team in an account, as a unit (the same module call as the plain root)."""
    (_, source), *args = alert_args(team_root)
    assert isinstance(source, str)
    call = ModuleCall("alerts", "alerts", source, tuple(args))
    inputs = _with_channels(team_root.inputs, team_root.channels_file)
    content = render(
        "terragrunt-unit.hcl.j2",
        header=naming.header(inputs),
        root_config=posixpath.relpath(ROOT_CONFIG, team_root.dir),
        source=hcl.string(_module_source(call, team_root.dir)),
        dependencies=[],
        locals=None,
        inputs=hcl.body(list(call.args)),
    )
    return OutputFile(f"{team_root.dir}/terragrunt.hcl", content, inputs)


def _team_projects(root_path: Path, repo: Repo) -> list[Project]:
    result = []
    for team_root in team_roots(repo):
        reached = (
            modules.closure(root_path, team_root.dir, [posixpath.relpath("modules/platform/alerts", team_root.dir)])
            if team_root.modules == MAIN
            else []
        )
        triggers = [
            "terragrunt.hcl",
            posixpath.relpath(f"accounts/{team_root.account.env}/env.hcl", team_root.dir),
            posixpath.relpath(ROOT_CONFIG, team_root.dir),
            *(posixpath.relpath(p, team_root.dir) for p in sorted({*team_root.inputs, SETTINGS_FILE})),
            *(f"{posixpath.relpath(d, team_root.dir)}/*.tf*" for d in reached),
        ]
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
                terraform_version=f"v{TERRAFORM_VERSION}",  # a unit has no .tf file to read it from
                modules=team_root.modules,
            )
        )
    return result


def _with_team_projects(root_path: Path, repo: Repo, all_units: Sequence[Unit]) -> list[Project]:
    """Unit projects after the alerts projects of their owner team (whose topic they notify)."""
    teams = _team_projects(root_path, repo)
    names = {p.name for p in teams}
    result = list(teams)
    for p in projects(root_path, repo, all_units):
        if p.root is None:
            raise InvariantError(f"unit project {p.name} has no root")
        team = team_project_name(p.root.account.env, p.root.service.owner)
        result.append(
            replace(
                p,
                execution_order_group=p.execution_order_group + (1 if teams else 0),
                depends_on=(*p.depends_on, team) if team in names else p.depends_on,
            )
        )
    return sorted(result, key=lambda p: p.name)


def _heredoc(text: str) -> str:
    """Lines of a generated file as the body of a heredoc template: its `${`/`%{` stay literal."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _destroy_only_body(unit: RetiredUnit) -> str:
    """The unit's text below its header: kept byte for byte once written, else from its settings."""
    if unit.kept is not None:
        return unit.kept
    settings: UnitSettings | None = unit.settings
    if settings is None:
        raise InvariantError(f"retired unit {unit.dir} has neither a kept body nor settings")
    aws: list[tuple[str, Value]] = [
        ("region", settings.region),
        ("allowed_account_ids", [settings.account_id]),
    ]
    tags: list[tuple[str, Value]] = list(settings.default_tags)
    consul: list[tuple[str, Value]] = []
    if settings.consul is not None:
        consul = [("address", settings.consul[0]), ("datacenter", settings.consul[1])]
    return "\n" + render(
        "terragrunt-destroy-only.hcl.j2",
        env=unit.env,
        backend=hcl.body(list(settings.backend), 2),
        terraform_version=hcl.string(settings.terraform_version),
        aws_version=hcl.string(settings.aws_version),
        consul_version=hcl.string(settings.consul_version),
        aws=_heredoc(hcl.body(aws, 3)),
        tags=_heredoc(hcl.body(tags, 5, quote_keys=True)),
        consul=_heredoc(hcl.body(consul, 3)) if consul else None,
    )


def _destroy_only_file(unit: RetiredUnit) -> OutputFile:
    """A destroy-only unit: its own literal remote_state and generate blocks, no resources."""
    inputs = (f"{unit.dir}/{UNIT_FILE}",)
    header = f"{naming.header(inputs)}\n{naming.DESTROY_ONLY_MARKER} {unit.reason}"
    return OutputFile(f"{unit.dir}/{UNIT_FILE}", f"{header}\n{_destroy_only_body(unit)}", inputs)


def retired_project_group(unit: RetiredUnit, live: Mapping[str, int]) -> int:
    """A retired service unit first (its tasks are members of its datastores' client groups), then
    the service's other units (after the live service unit, when only a datastore went), teams last."""
    if unit.kind == "team":
        return 2
    if unit.unit == "service":
        return 0
    return 1 + live.get(f"{unit.env}-{unit.name}", 0)


def retired_project_name(unit: RetiredUnit) -> str:
    if unit.kind == "team":
        return team_project_name(unit.env, unit.name)
    name = f"{unit.env}-{unit.name}"
    return name if unit.unit == "service" else f"{name}.{unit.unit}"


def _retired_projects(retired: Sequence[RetiredUnit], live: Sequence[Project]) -> list[Project]:
    groups = {p.name: p.execution_order_group for p in live}
    result = []
    for unit in retired:
        if unit.kind == "team":
            inputs: tuple[str, ...] = ("teams.yaml",)
        else:  # the spec files are gone (or edited), and their change still plans the destroy
            inputs = (f"services/{unit.name}/environments/{unit.env}.yaml", f"services/{unit.name}/service.yaml")
        result.append(
            Project(
                name=retired_project_name(unit),
                dir=unit.dir,
                workflow=WORKFLOW,
                when_modified=(UNIT_FILE, *(posixpath.relpath(p, unit.dir) for p in inputs)),
                execution_order_group=retired_project_group(unit, groups),
                depends_on=(),
                apply_requirements=SERVER_APPLY_REQUIREMENTS,
                root=None,
                decommissioning=unit.reason,
                terraform_version=f"v{unit.terraform_version}",
            )
        )
    return result


def _every_project(
    root_path: Path, repo: Repo, all_units: Sequence[Unit], retired: Sequence[RetiredUnit]
) -> list[Project]:
    live = _with_team_projects(root_path, repo, all_units)
    return sorted([*live, *_retired_projects(retired, live)], key=lambda p: p.name)


def all_projects(root_path: Path, repo: Repo) -> tuple[list[Project], list[RetiredUnit]]:
    """Every Atlantis project of the flavor (units, alerts units, destroy-only units), and the
    destroy-only units: for the repo tools (explain, affected, prune)."""
    all_units = units(repo)
    retired = retired_units(root_path, {u.dir for u in all_units} | {t.dir for t in team_roots(repo)})
    return _every_project(root_path, repo, all_units, retired), retired


def outputs(
    root_path: Path,
    repo: Repo,
    planned: Sequence[tuple[Root, Sequence[ModuleCall]]] | None = None,
    priorities: Allocation | None = None,
) -> list[OutputFile]:
    """Every file of the Terragrunt flavor, sorted by path. ``planned`` and ``priorities``: the
    run's plan (generator.plan.ir), so planning happens once; derived from ``repo`` otherwise."""
    all_units = units(repo, planned)
    teams = team_roots(repo)
    retired = retired_units(root_path, {u.dir for u in all_units} | {t.dir for t in teams})
    files = [_root_file(), *(_env_file(a) for a in repo.accounts)]
    files.extend(_unit_file(u, repo) for u in all_units)
    files.extend(file for u in all_units for file in _references_files(u, repo))
    files.extend(_team_unit_file(t) for t in teams)
    files.extend(_destroy_only_file(u) for u in retired)
    inputs = atlantis_inputs(ATLANTIS_INPUTS, repo)
    every = _every_project(root_path, repo, all_units, retired)
    files.append(
        OutputFile("atlantis.yaml", atlantis_text(naming.header(inputs), [project_fragment(p) for p in every]), inputs)
    )
    files.append(codeowners_file(repo, retired, units=True))
    files.extend(priority_files(repo, priorities))
    return sorted(files, key=lambda f: f.path)


def plan_differences(saved: Mapping[str, object], fresh: Mapping[str, object]) -> list[str]:
    """Resource and output addresses whose planned change differs between two `terraform show -json`
    plans of the same unit. A Terragrunt unit reads its dependencies' outputs at plan time, so a
    saved plan made before a dependency was applied can carry stale values; Terraform itself only
    detects a change of the unit's own state."""

    def changes(plan: Mapping[str, object]) -> dict[str, object]:
        found: dict[str, object] = {}
        for item in plan.get("resource_changes") or []:  # type: ignore[attr-defined]
            if isinstance(item, dict):
                change = item.get("change") or {}
                found[str(item.get("address"))] = [
                    change.get("actions"),
                    change.get("after"),
                    change.get("after_unknown"),
                ]
        for name, change in (plan.get("output_changes") or {}).items():  # type: ignore[attr-defined]
            if isinstance(change, dict):
                found[f"output.{name}"] = [change.get("actions"), change.get("after"), change.get("after_unknown")]
        return found

    before, after = changes(saved), changes(fresh)
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
