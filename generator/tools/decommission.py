"""Two-phase decommission: a root whose spec is gone becomes destroy-only, then is pruned.

Phase 1 (``infragen gen``, generator/plan/retired.py): a service's root, or a team's alert root,
that holds a generated ``backend.tf`` but is no longer planned is rewritten as a destroy-only root
instead of being deleted; planning it destroys everything in its state. In the Terragrunt flavor
a unit with a generated ``terragrunt.hcl`` that is no longer planned becomes a destroy-only unit
(generator/plan/retired.py, retired_units; docs/terragrunt.md, "Destroy-only units").

Phase 2 (``infragen prune <service>``, ``infragen prune --team <team>``): once the destroy was
applied, remove the roots; the next generation drops their Atlantis projects and CODEOWNERS lines.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path

from generator.api import generate
from generator.errors import CommandError
from generator.plan.alerts import team_roots
from generator.plan.retired import RetiredRoot, RetiredUnit, is_destroy_only, retired_roots, retired_units
from generator.plan.roots import roots
from generator.render.terragrunt import flavor, units
from generator.spec.load import load_repo
from generator.spec.models import Repo
from generator.spec.naming import destroy_only, is_generated


def not_on_base(root: Path, directories: list[str], base: str, marker_file: str = "main.tf") -> list[str]:
    """The directories whose ``marker_file`` (main.tf; terragrunt.hcl for a Terragrunt unit) on
    ``base`` is not destroy-only (or absent): Atlantis has not planned their destroy from the base
    branch yet, so deleting them now would orphan resources."""
    from generator.tools.affected import _commit, open_repository  # GitPython: imported only when pruning

    git_repo, prefix = open_repository(root)
    commit = _commit(git_repo, base)
    missing = []
    for directory in directories:
        path = posixpath.join(prefix, directory, marker_file) if prefix else posixpath.join(directory, marker_file)
        try:
            text = (commit.tree / path).data_stream.read().decode("utf-8", errors="replace")
        except KeyError:
            missing.append(directory)
            continue
        if not destroy_only(text):
            missing.append(directory)
    return missing


def prune(
    root: Path,
    repo: Repo,
    name: str,
    base: str = "origin/main",
    confirm: Callable[[], object] = lambda: None,
    *,
    team: bool = False,
) -> list[str]:
    """Delete the destroy-only roots of service ``name`` (with ``team``: team ``name``'s alert roots;
    in the Terragrunt flavor, the destroy-only units); return the deleted files. The caller regenerates.

    Refuses until every destroy-only root is on ``base`` (the branch Atlantis applies from): the
    pull request that turned the roots destroy-only must be merged, and their destroy applied,
    before a second pull request removes them. ``confirm`` (the CLI's question whether the destroy
    was applied) is asked once nothing else refuses, before anything is deleted; it raises to stop."""
    kind = "team" if team else "service"
    found: list[RetiredRoot] | list[RetiredUnit]
    if flavor(root) == "terragrunt":  # every generated unit no longer planned, live units excluded
        planned = {u.dir for u in units(repo)} | {t.dir for t in team_roots(repo)}
        found = retired_units(root, planned)
    else:
        found = retired_roots(root, repo)
    retired = [r for r in found if r.kind == kind and r.name == name]
    pending = [r.dir for r in retired if not is_destroy_only(root, r.dir, r.marker_file)]
    if pending:
        raise CommandError("run 'infragen gen' first and apply the destroy of: " + ", ".join(pending))
    marker = retired[0].marker_file if retired else "main.tf"
    unmerged = not_on_base(root, [r.dir for r in retired], base, marker) if retired else []
    if unmerged:
        raise CommandError(
            f"the destroy-only roots of {name} are not on {base} yet: "
            + ", ".join(unmerged)
            + ". Merge the pull request that made them destroy-only, apply their destroy through Atlantis, "
            f"then prune in a second pull request (fetch {base} first if it is stale)"
        )
    if not retired:
        if team:
            active = [r.dir for r in team_roots(repo) if r.team.name == name]
            undo = f"team {name} still has alert roots ({', '.join(active)}): it still owns a service there"
        else:
            active = [r.dir for r in roots(repo) if r.service.name == name]
            undo = (
                f"{name} still has a spec and active roots ({', '.join(active)}); remove "
                f"services/{name}/ (or the environment), run 'infragen gen', apply the destroy, then prune"
            )
        if active:
            raise CommandError(undo)
        raise CommandError(f"no destroy-only roots of {kind} {name!r} under accounts/*/{kind}s/")
    confirm()
    deleted = []
    for item in sorted(retired, key=lambda r: r.dir, reverse=True):  # a unit's folder before its service's
        directory = root / item.dir
        for path in sorted(directory.iterdir()):
            if path.is_file() and is_generated(path.read_text(encoding="utf-8", errors="replace")):
                path.unlink()
                deleted.append(posixpath.join(item.dir, path.name))
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    return sorted(deleted)


def prune_and_generate(
    root: Path,
    name: str,
    base: str = "origin/main",
    confirm: Callable[[], object] = lambda: None,
    *,
    team: bool = False,
) -> list[str]:
    """Remove the destroy-only roots of service (or ``team``) ``name`` and regenerate; return the
    deleted root files. Refuses until the destroy-only roots are on the ``base`` branch; ``confirm``
    as for :func:`prune`."""
    deleted = prune(root, load_repo(root), name, base, confirm, team=team)
    generate(root)
    return deleted
