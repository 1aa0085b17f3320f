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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from generator.errors import OwnershipError
from generator.plan.alarms import TEAM_ROOTS, team_root_dir
from generator.plan.alerts import team_roots
from generator.plan.roots import OutputFile, Root, roots
from generator.spec import naming
from generator.spec.models import Repo

KEPT_FILES = ("backend.tf", "providers.tf", "versions.tf")
MARKER = naming.DESTROY_ONLY_MARKER


@dataclass(frozen=True)
class RetiredRoot:
    env: str
    name: str  # the service, or the team of an alert root
    dir: str  # repo-relative POSIX
    owner: str | None  # team name from the root's default tags, when readable
    kept: tuple[tuple[str, str], ...]  # (file name, body without header and checksum)
    kind: Literal["service", "team"] = "service"

    @property
    def reason(self) -> str:
        if self.kind == "team":
            return (
                f"team {self.name} has no service in environment {self.env} any more (or left teams.yaml); "
                f"apply this root to destroy its alert topic, then run 'infragen prune --team {self.name}'."
            )
        return (
            f"services/{self.name}/service.yaml no longer plans environment {self.env}; "
            f"apply this root to destroy its resources, then run 'infragen prune {self.name}'."
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


def is_destroy_only(root: Path, directory: str) -> bool:
    main = root / directory / "main.tf"
    if not main.is_file():
        return False
    return naming.destroy_only(main.read_text(encoding="utf-8"))
