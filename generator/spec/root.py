"""Where a repository is: the directory holding teams.yaml. Every command finds it first, so this
module imports nothing heavier than the error tree (a `gen` with nothing to do stops soon after)."""

from __future__ import annotations

from pathlib import Path

from generator.errors import RepoNotFoundError

TEAMS_FILE = "teams.yaml"

# Folders of a repository that hold specs or generated roots: a teams.yaml inside them is never a
# repository root (a pull request could add one to make `gen --check` look at one folder only).
NESTED_ROOT_FOLDERS = ("accounts", "services", "modules")


def find_root(start: Path, *, explicit: bool = False) -> Path:
    """The repository root: ``start`` itself when given with ``--root`` (``explicit``), else the
    nearest directory at or above ``start`` that holds ``teams.yaml``. Either way a root nested in
    the spec or generated folders of a git work tree is refused."""
    start = start.resolve()
    if explicit:
        if not (start / TEAMS_FILE).is_file():
            raise RepoNotFoundError(f"--root {start}: no {TEAMS_FILE} there; pass the repository's top directory")
        found = start
    else:
        for candidate in (start, *start.parents):
            if (candidate / TEAMS_FILE).is_file():
                found = candidate
                break
        else:
            raise RepoNotFoundError(f"no {TEAMS_FILE} found in {start} or any parent; pass --root DIR")
    _refuse_nested(found)
    return found


def _refuse_nested(root: Path) -> None:
    top = next((d for d in (root, *root.parents) if (d / ".git").exists()), None)
    if top is None or top == root:
        return
    parts = root.relative_to(top).parts
    if parts[0] in NESTED_ROOT_FOLDERS:
        raise RepoNotFoundError(
            f"{root / TEAMS_FILE} is inside {parts[0]}/ of the git work tree {top}: a repository root cannot be "
            f"nested in its spec or generated folders. Run infragen from the repository (or pass --root {top}) "
            f"and remove the stray {TEAMS_FILE}."
        )
