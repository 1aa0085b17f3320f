"""The library API: load, validate, plan, diff and write. The CLI is a thin layer over this."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import terragrunt, write
from .atlantis import atlantis_file, codeowners_file
from .load import load_repo
from .models import Repo
from .plan import OutputFile, plan


@dataclass(frozen=True)
class Result:
    changes: list[write.Change]
    interrupted: bool  # a previous run was interrupted (its journal was found)


def validate(root: Path) -> Repo:
    """Load and check every input file. Raises SpecError listing all problems."""
    return load_repo(root)


def outputs(root: Path, repo: Repo) -> list[OutputFile]:
    """Every file the repository should contain."""
    if terragrunt.flavor(root) == "terragrunt":
        return terragrunt.outputs(root, repo)
    files = plan(repo)
    files.append(atlantis_file(root, repo))
    files.append(codeowners_file(repo))
    return sorted(files, key=lambda f: f.path)


def generate(root: Path, *, check: bool = False) -> Result:
    """Regenerate everything under ``root``. With ``check``, only report what would change."""
    repo = load_repo(root)
    files = outputs(root, repo)
    changes = write.diff(root, files)
    was_interrupted = write.interrupted(root)
    if not check:
        if was_interrupted:
            write.recover(root)
        if changes or was_interrupted:
            write.apply(root, files, changes)
    return Result(changes=changes, interrupted=was_interrupted)
