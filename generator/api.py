"""The library API: load, validate, plan, diff and write. The CLI is a thin layer over this."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from generator.plan import alerts, allocation
from generator.plan.roots import OutputFile, plan
from generator.render import terragrunt
from generator.render.atlantis import atlantis_file, codeowners_file
from generator.spec.load import load_repo
from generator.spec.models import Repo
from generator.tools import decommission
from generator.write import apply as write
from generator.write import stamp as incremental


@dataclass(frozen=True)
class Result:
    changes: list[write.Change]
    interrupted: bool  # a previous run was interrupted (its journal was found)


def validate(root: Path) -> Repo:
    """Load and check every input file (infragen.yaml included). Raises SpecError listing all problems."""
    terragrunt.flavor(root)
    return load_repo(root)


def outputs(root: Path, repo: Repo) -> list[OutputFile]:
    """Every file the repository should contain."""
    repo = dataclasses.replace(repo, previous_priorities=allocation.read(root, repo))
    if terragrunt.flavor(root) == "terragrunt":
        return terragrunt.outputs(root, repo)
    retired = decommission.retired_roots(root, repo)
    files = plan(repo)
    files.extend(alerts.files(repo))
    files.extend(decommission.destroy_only_files(retired))
    files.append(atlantis_file(root, repo, retired))
    files.append(codeowners_file(repo, retired))
    return sorted(files, key=lambda f: f.path)


def generate(root: Path, *, check: bool = False) -> Result:
    """Regenerate everything under ``root``. With ``check``, only report what would change."""
    if incremental.unchanged(root):  # no file changed since a run that left the tree consistent
        return Result(changes=[], interrupted=False)
    repo = load_repo(root)
    files = outputs(root, repo)
    changes = write.diff(root, files)
    was_interrupted = write.interrupted(root)
    if not check:
        if was_interrupted:
            write.recover(root)
        if changes or was_interrupted:
            write.apply(root, files, changes)
    if not check or not (changes or was_interrupted):
        incremental.record(root)
    return Result(changes=changes, interrupted=was_interrupted)


def prune(root: Path, service: str, base: str = "origin/main") -> list[str]:
    """Remove the destroy-only roots of ``service`` and regenerate; return the deleted root files.
    Refuses until the destroy-only roots are on the ``base`` branch."""
    repo = load_repo(root)
    deleted = decommission.prune(root, repo, service, base)
    generate(root)
    return deleted
