"""Deploy only what was reviewed: a committed tree whose HEAD is on the base branch.

The one place deploy reads git: the revision's infra-commit and reviewed tags come from here too.

`infragen deploy` compiles the task definition from the working tree's spec, so a deploy from an
edited or unmerged tree ships configuration nobody approved. It refuses that unless
``--allow-unreviewed`` is given; the revision is then tagged as unreviewed.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from generator.deploy.aws import DeployError
from generator.spec.document import load as load_yaml

SETTINGS_FILE = "infragen.yaml"
DEFAULT_BASE = "main"
# What deploy reads: the spec, the account files and the teams (alarm routes, tags).
INPUTS = ("services", "accounts", "teams.yaml")


class UnreviewedError(DeployError):
    """The tree to deploy from is not what was reviewed (uncommitted, or not on the base branch)."""


@dataclass(frozen=True)
class Review:
    commit: str  # HEAD, or "unknown" outside git
    reviewed: bool
    why: str  # empty when reviewed
    dirty: bool = False  # uncommitted changes to what deploy reads

    @property
    def infra_commit(self) -> str:
        """The value of the revision's infragen:infra-commit tag: HEAD, ``-dirty`` when uncommitted."""
        return self.commit + ("-dirty" if self.dirty else "")

    @property
    def tag(self) -> str:
        """The value of the revision's infragen:reviewed tag."""
        return "yes" if self.reviewed else f"no: {self.why}"[:256]


def base_branch(root: Path) -> str:
    path = root / SETTINGS_FILE
    if not path.is_file():
        return DEFAULT_BASE
    data = load_yaml(path, root).data or {}
    value = data.get("baseBranch") if isinstance(data, dict) else None
    return str(value) if value else DEFAULT_BASE


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30, check=False)


def review(root: Path) -> Review:
    """Whether the inputs deploy reads are committed and HEAD is on the base branch."""
    try:
        head = _git(root, "rev-parse", "--verify", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return Review("unknown", False, "git is not available, so what is deployed cannot be traced to a review")
    if head.returncode != 0:
        return Review("unknown", False, f"{root} is not a git work tree with a commit")
    commit = head.stdout.strip()
    inputs = [p for p in INPUTS if (root / p).exists()]
    status = _git(root, "status", "--porcelain", "--", *inputs)
    changed = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        return Review(commit, False, f"uncommitted changes to {shown}", dirty=True)
    base = base_branch(root)
    refs = [
        ref for ref in (f"origin/{base}", base) if _git(root, "rev-parse", "--verify", "--quiet", ref).returncode == 0
    ]
    if not refs:
        return Review(
            commit, False, f"no branch {base!r} (nor origin/{base}) to check HEAD against (infragen.yaml baseBranch)"
        )
    if _git(root, "merge-base", "--is-ancestor", "HEAD", refs[0]).returncode != 0:
        return Review(commit, False, f"HEAD {commit[:12]} is not on {refs[0]} (not merged after review)")
    return Review(commit, True, "")


def require_review(root: Path, allow_unreviewed: bool) -> Review:
    """:func:`review`, refusing an unreviewed tree unless allowed."""
    found = review(root)
    if not found.reviewed and not allow_unreviewed:
        raise UnreviewedError(
            f"refusing to deploy an unreviewed tree: {found.why}. Deploy from a clean checkout of "
            f"{base_branch(root)} (what the infra team approved), or pass --allow-unreviewed to deploy it "
            "anyway (the revision is tagged infragen:reviewed=no)"
        )
    return found
