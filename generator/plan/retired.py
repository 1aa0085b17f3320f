"""Destroy-only roots, phase 1 of the two-phase decommission (phase 2, pruning: generator.tools.decommission).

A directory under ``accounts/<env>/services/<name>/`` (a service's root) or
``accounts/<env>/teams/<team>/`` (a team's alert root) that holds a generated ``backend.tf`` but is
no longer planned (the service's spec, or its environment, was removed; the team has no service
left in the account, or left teams.yaml) is a retired root of the plan: it is rewritten, not
deleted. ``backend.tf``, ``providers.tf`` and ``versions.tf`` keep their bodies byte for byte (the
state, the account and the provider versions stay where the resources were created), ``main.tf``
declares nothing, ``outputs.tf`` goes. Planning that root destroys everything in its state.
Everything needed comes from the generator's own files on disk, so the root survives the spec and
later changes to the account file.

The Terragrunt flavor's counterpart, :func:`retired_units`: a folder with a generated
``terragrunt.hcl`` that no unit plans any more becomes a destroy-only unit, whose literal state and
provider settings come from ``accounts/<env>/env.hcl`` and ``accounts/root.hcl`` as last generated
and, once written, from the unit's own text (docs/terragrunt.md, "Destroy-only units").
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from generator.errors import OwnershipError
from generator.plan.alarms import TEAM_ROOTS, team_root_dir
from generator.plan.alerts import team_roots
from generator.plan.roots import OutputFile, Root, roots
from generator.spec import naming
from generator.spec.models import Repo

KEPT_FILES = ("backend.tf", "providers.tf", "versions.tf")
MARKER = naming.DESTROY_ONLY_MARKER


class Retired(Protocol):
    """A destroy-only root (plain flavor) or unit (Terragrunt flavor): what CODEOWNERS and prune read."""

    @property
    def kind(self) -> Literal["service", "team"]: ...
    @property
    def name(self) -> str: ...
    @property
    def dir(self) -> str: ...


@dataclass(frozen=True)
class RetiredRoot:
    env: str
    name: str  # the service, or the team of an alert root
    dir: str  # repo-relative POSIX
    owner: str | None  # team name from the root's default tags, when readable
    kept: tuple[tuple[str, str], ...]  # (file name, body without header and checksum)
    kind: Literal["service", "team"] = "service"

    marker_file = "main.tf"  # the file whose second line carries the marker

    @property
    def reason(self) -> str:
        return _reason(self.kind, self.name, self.env, "root", f"environment {self.env}")


def _reason(kind: str, name: str, env: str, folder: str, planned: str) -> str:
    """Why a root or unit (``folder``) is destroy-only, and what to do: ``planned`` is what the
    service's spec no longer plans."""
    if kind == "team":
        return (
            f"team {name} has no service in environment {env} any more (or left teams.yaml); "
            f"apply this {folder} to destroy its alert topic, then run 'infragen prune --team {name}'."
        )
    return (
        f"services/{name}/service.yaml no longer plans {planned}; "
        f"apply this {folder} to destroy its resources, then run 'infragen prune {name}'."
    )


def _body(text: str) -> str:
    """A generated file's content below its header comment lines, without the checksum line."""
    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1].startswith(naming.CHECKSUM_PREFIX):
        lines.pop()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines) + "\n"


def _owner(providers_tf: str) -> str | None:
    """The `owner` default tag of the root's AWS provider (the service's team)."""
    import hcl2  # imported here: the common path (nothing retired) never pays for it

    try:
        parsed: dict[str, Any] = hcl2.loads(providers_tf)
    except Exception:  # python-hcl2 raises lark errors of several kinds; the owner is optional
        return None
    for block in parsed.get("provider", []):
        aws = block.get("aws") or block.get('"aws"')
        if not isinstance(aws, dict):
            continue
        for default_tags in aws.get("default_tags", []):
            owner = default_tags.get("tags", {}).get("owner", default_tags.get("tags", {}).get('"owner"'))
            if isinstance(owner, str):
                return owner.strip('"')
    return None


def retired_roots(root: Path, repo: Repo, all_roots: Sequence[Root] | None = None) -> list[RetiredRoot]:
    """Root directories with a generated backend.tf that no spec plans any more (services' roots,
    then teams' alert roots), sorted. ``all_roots``: the run's roots when the caller has them
    (generator.plan.ir)."""
    planned = {r.dir for r in (roots(repo) if all_roots is None else all_roots)}
    found = [
        _retired(root, naming.root_dir(env, name), env, name, "service")
        for env, name in naming.root_folders(root)
        if naming.root_dir(env, name) not in planned
    ]
    planned_teams = {r.dir for r in team_roots(repo)}
    found += [
        _retired(root, team_root_dir(env, team), env, team, "team")
        for env, team in naming.folders_under(root, TEAM_ROOTS)
        if team_root_dir(env, team) not in planned_teams
    ]
    return [item for item in found if item is not None]


def _retired(root: Path, directory: str, env: str, name: str, kind: Literal["service", "team"]) -> RetiredRoot | None:
    """The retired root in ``directory``, or None when it holds no generated backend.tf (no state of ours)."""
    backend = root / directory / "backend.tf"
    if not backend.is_file():
        return None
    kept = []
    for file in KEPT_FILES:
        path = backend.parent / file
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if not naming.is_generated(text):
            continue
        if naming.hand_edited(text):
            raise OwnershipError(
                f"{directory}/{file} was edited by hand, so its destroy-only root cannot be derived "
                "from it; restore it (git checkout) and run 'infragen gen' again"
            )
        kept.append((file, _body(text)))
    if not any(file == "backend.tf" for file, _ in kept):
        return None  # not generated: not ours to keep or delete
    providers = dict(kept).get("providers.tf", "")
    return RetiredRoot(env, name, directory, _owner(providers), tuple(kept), kind)


def destroy_only_files(retired: list[RetiredRoot]) -> list[OutputFile]:
    """main.tf with no resources, and the kept files with their bodies unchanged."""
    files = []
    for item in retired:
        inputs = tuple(f"{item.dir}/{name}" for name, _ in item.kept)
        header = f"{naming.header(inputs)}\n{MARKER} {item.reason}"
        files.append(OutputFile(f"{item.dir}/main.tf", f"{header}\n", inputs))
        for name, body in item.kept:
            files.append(OutputFile(f"{item.dir}/{name}", f"{header}\n\n{body}", inputs))
    return sorted(files, key=lambda f: f.path)


def is_destroy_only(root: Path, directory: str, marker_file: str = "main.tf") -> bool:
    """Whether ``marker_file`` (main.tf of a root; terragrunt.hcl of a Terragrunt unit) is destroy-only."""
    main = root / directory / marker_file
    if not main.is_file():
        return False
    return naming.destroy_only(main.read_text(encoding="utf-8"))


# --- The Terragrunt flavor: destroy-only units (docs/terragrunt.md, "Destroy-only units") ---

UNIT_FILE = naming.TERRAGRUNT_UNIT_FILE
ENV_FILE = "env.hcl"
ROOT_CONFIG = naming.TERRAGRUNT_ROOT_CONFIG
# what accounts/root.hcl must say for the literal state key computed here to be the one its units used
ROOT_KEY = 'key = "${local.env.state_key_prefix}${path_relative_to_include()}/terraform.tfstate"'
ROOT_STATE = "config = merge(local.env.remote_state, {"


@dataclass(frozen=True)
class UnitSettings:
    """A unit's effective state and provider settings as they were when it was retired: the
    account's values from accounts/<env>/env.hcl and the pins of accounts/root.hcl, as last generated."""

    backend: tuple[tuple[str, str | bool], ...]  # the S3 backend config, key included
    region: str
    account_id: str
    default_tags: tuple[tuple[str, str], ...]
    consul: tuple[str, str] | None  # (address, datacenter)
    terraform_version: str
    aws_version: str
    consul_version: str


@dataclass(frozen=True)
class RetiredUnit:
    """A Terragrunt unit with a generated terragrunt.hcl that no spec plans any more."""

    env: str
    name: str  # the service, or the team of an alerts unit
    unit: str  # "service", a datastore, "discovery", "dashboard"; "alerts" for a team's unit
    dir: str  # repo-relative POSIX
    kind: Literal["service", "team"]
    settings: UnitSettings | None  # derived at retirement; None once the unit on disk is destroy-only
    kept: str | None  # that destroy-only unit's body (below its header), kept byte for byte

    marker_file = UNIT_FILE

    @property
    def reason(self) -> str:
        what = "this service" if self.unit == "service" else f"unit {self.unit} of {self.name}"
        return _reason(self.kind, self.name, self.env, "unit", f"{what} in environment {self.env}")

    @property
    def terraform_version(self) -> str:
        """The Terraform version the unit pins (Atlantis cannot read it from a .tf file)."""
        if self.settings is not None:
            return self.settings.terraform_version
        found = re.search(r'required_version\s*=\s*"([^"]+)"', self.kept or "")
        if found is None:
            raise OwnershipError(f"{self.dir}/{UNIT_FILE} pins no Terraform version; restore it (git checkout)")
        return found[1]


def retired_units(root: Path, planned: set[str]) -> list[RetiredUnit]:
    """Unit directories (services' units, then teams' alerts units) with a generated terragrunt.hcl
    that are not in ``planned`` (the run's unit directories), sorted by directory."""
    found: list[RetiredUnit] = []
    for env, name in naming.root_folders(root):
        base = naming.root_dir(env, name)
        candidates = [(base, "service")]
        candidates += [(f"{base}/{sub}", sub) for sub in sorted(_subfolders(root / base))]
        for directory, unit in candidates:
            if directory not in planned:
                item = _retired_unit(root, directory, env, name, unit, "service")
                if item is not None:
                    found.append(item)
    for env, team in naming.folders_under(root, TEAM_ROOTS):
        directory = team_root_dir(env, team)
        if directory not in planned:
            item = _retired_unit(root, directory, env, team, "alerts", "team")
            if item is not None:
                found.append(item)
    return sorted(found, key=lambda item: item.dir)


def _subfolders(path: Path) -> list[str]:
    try:
        return [p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []


def _generated_text(root: Path, path: str, purpose: str) -> str | None:
    """A generated file's text (None when absent or not generated); a hand edit is an error."""
    file = root / path
    if not file.is_file():
        return None
    text = file.read_text(encoding="utf-8")
    if not naming.is_generated(text):
        return None
    if naming.hand_edited(text):
        raise OwnershipError(
            f"{path} was edited by hand, so {purpose}; restore it (git checkout) and run 'infragen gen' again"
        )
    return text


def _retired_unit(
    root: Path, directory: str, env: str, name: str, unit: str, kind: Literal["service", "team"]
) -> RetiredUnit | None:
    text = _generated_text(root, f"{directory}/{UNIT_FILE}", "its destroy-only unit cannot be derived from it")
    if text is None:
        return None  # no generated unit: no state of ours
    if naming.destroy_only(text):
        body = text.split("\n", 2)[2]  # below the header and the marker line
        lines = body.rstrip("\n").split("\n")
        if lines and lines[-1].startswith(naming.CHECKSUM_PREFIX):
            lines.pop()
        return RetiredUnit(env, name, unit, directory, kind, None, "\n".join(lines) + "\n")
    return RetiredUnit(env, name, unit, directory, kind, _settings(root, env, directory), None)


def _settings(root: Path, env: str, directory: str) -> UnitSettings:
    """What the live unit in ``directory`` ran with: accounts/<env>/env.hcl and accounts/root.hcl on disk."""
    import hcl2  # imported here: the common path (nothing retired) never pays for it

    purpose = f"the state location of {directory} cannot be derived from it"
    env_path = f"accounts/{env}/{ENV_FILE}"
    env_text = _generated_text(root, env_path, purpose)
    root_text = _generated_text(root, ROOT_CONFIG, purpose)
    if env_text is None or root_text is None:
        missing = env_path if env_text is None else ROOT_CONFIG
        raise OwnershipError(
            f"{directory}/{UNIT_FILE} is no longer planned but {missing} (generated) is missing, so the unit's "
            f"state location and providers are unknown; restore it (git checkout) and run 'infragen gen' again"
        )
    if ROOT_KEY not in root_text or ROOT_STATE not in root_text:
        raise OwnershipError(f"{ROOT_CONFIG} does not compute the state key as this infragen does; {purpose}")
    values: dict[str, Any] = _decoded(hcl2.loads(env_text)["locals"][0])
    pins = {}
    for provider in ("aws", "consul"):
        found = re.search(
            provider + r' = \{\s*source\s*= "hashicorp/' + provider + r'"\s*version\s*= "([^"]+)"', root_text
        )
        pins[provider] = found[1] if found else ""
    required = re.search(r'required_version = "([^"]+)"', root_text)
    if required is None or not pins["aws"]:
        raise OwnershipError(f"{ROOT_CONFIG} pins no Terraform or AWS provider version; {purpose}")
    backend = dict(values["remote_state"])
    # path_relative_to_include(): the unit's path below accounts/, where root.hcl is
    backend["key"] = f"{values['state_key_prefix']}{posixpath.relpath(directory, 'accounts')}/terraform.tfstate"
    consul = values.get("consul")
    return UnitSettings(
        backend=tuple(sorted(backend.items())),
        region=values["region"],
        account_id=values["account_id"],
        default_tags=tuple(sorted(values["default_tags"].items())),
        consul=(consul["address"], consul["datacenter"]) if consul else None,
        terraform_version=required[1],
        aws_version=pins["aws"],
        consul_version=pins["consul"],
    )


def _decoded(value: Any) -> Any:
    """python-hcl2's literal values as Python: strings unquoted and unescaped, keys unquoted."""
    if isinstance(value, str):
        if not (value.startswith('"') and value.endswith('"')):
            raise OwnershipError(f"not a literal value in an env.hcl: {value}")
        text: str = json.loads(value)
        return text.replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    if isinstance(value, dict):
        return {k.strip('"'): _decoded(v) for k, v in value.items() if k != "__is_block__"}
    return value
