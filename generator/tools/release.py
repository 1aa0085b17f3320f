"""Module releases: ``infragen modules release VERSION`` and ``infragen modules status``.

A release is an annotated git tag ``modules-vMAJOR.MINOR.PATCH`` on the commit the working tree
is at (HEAD), made only when nothing under modules/ differs from it: the tag is exactly the module
code that was reviewed and merged. Environments move to it by a one-line change of
modules/channels.yaml (generator/spec/channels.py; docs/design.md, "Release channels").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import git

from generator.errors import CommandError
from generator.spec.channels import CHANNELS_FILE, TAG, tag_problem
from generator.spec.load import load_repo
from generator.spec.models import MAIN
from generator.tools.affected import open_repository

MODULES_DIR = "modules"


@dataclass(frozen=True)
class Release:
    tag: str
    commit: str
    next_steps: tuple[str, ...]  # what to do now: push the tag, promote an environment


@dataclass(frozen=True)
class EnvironmentChannel:
    env: str
    modules: str  # main or a release tag
    listed: bool  # False: not in modules/channels.yaml, so main by default


@dataclass(frozen=True)
class Status:
    environments: tuple[EnvironmentChannel, ...]
    releases: tuple[str, ...]  # the repository's module release tags, oldest first


def _open(root: Path) -> tuple[git.Repo, str]:
    """The git repository holding ``root`` and the path of root's modules/ inside it."""
    repo, prefix = open_repository(root, ": a module release is a git tag")
    return repo, f"{prefix}/{MODULES_DIR}" if prefix else MODULES_DIR


def _dirty(repo: git.Repo, modules: str) -> list[str]:
    """Paths under modules/ that differ from HEAD (staged, unstaged or untracked), the channel file aside:
    it says which release runs where and is no part of any release."""
    channels = str(PurePosixPath(modules).parent / CHANNELS_FILE)
    changed = {d.a_path or d.b_path for d in repo.index.diff(None, paths=modules)}
    changed.update(d.a_path or d.b_path for d in repo.index.diff("HEAD", paths=modules))
    changed.update(p for p in repo.untracked_files if PurePosixPath(p).is_relative_to(modules))
    return sorted(p for p in changed if p and p != channels)


def release_tags(repo: git.Repo) -> list[str]:
    """The module release tags, by version."""
    found = [t.name for t in repo.tags if TAG.match(t.name)]
    return sorted(found, key=lambda name: tuple(int(part) for part in name.removeprefix("modules-v").split(".")))


def release(root: Path, version: str) -> Release:
    """Tag HEAD as module release ``version`` (annotated). Refuses a bad name, an existing tag, a
    repository without commits and uncommitted changes under modules/."""
    problem = tag_problem(version)
    if problem is not None:
        raise CommandError(problem)
    repo, modules = _open(root)
    if any(t.name == version for t in repo.tags):
        raise CommandError(f"tag {version} already exists: a release is never moved; release a new version")
    try:
        head = repo.head.commit
    except ValueError as exc:
        raise CommandError("the repository has no commit to tag yet") from exc
    dirty = _dirty(repo, modules)
    if dirty:
        shown = ", ".join(dirty[:10]) + (f" and {len(dirty) - 10} more" if len(dirty) > 10 else "")
        raise CommandError(
            f"uncommitted changes under {modules}/: {shown}; a release tags the committed modules only: "
            "commit (through review) or stash them first"
        )
    repo.create_tag(version, ref=head, message=f"infragen modules release {version}")
    remote = repo.remotes[0].name if repo.remotes else "origin"
    steps = (
        f"git push {remote} {version}   # Terraform fetches the tag from the repository's source",
        f"promote an environment: in {CHANNELS_FILE} set environments.<env>: {version} (staging first), "
        "run 'infragen gen' and open a pull request: Atlantis plans exactly that environment's roots",
    )
    return Release(version, head.hexsha, steps)


def status(root: Path) -> Status:
    """Which modules every environment runs, and the release tags there are."""
    repo_model = load_repo(root)
    listed = dict(repo_model.channels.environments)
    environments = tuple(
        EnvironmentChannel(a.env, listed.get(a.env, MAIN), a.env in listed)
        for a in sorted(repo_model.accounts, key=lambda a: a.env)
    )
    repo, _ = _open(root)
    return Status(environments, tuple(release_tags(repo)))


def status_text(found: Status) -> str:
    lines = [f"{e.env}: {e.modules}{'' if e.listed else ' (default)'}" for e in found.environments]
    lines.append("releases: " + (", ".join(found.releases) if found.releases else "none"))
    return "\n".join(lines) + "\n"
