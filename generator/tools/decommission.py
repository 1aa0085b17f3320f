"""Two-phase decommission: a root whose spec is gone becomes destroy-only, then is pruned.

Phase 1 (``infragen gen``): a directory under ``accounts/<env>/services/<name>/`` that holds a
generated ``backend.tf`` but is no longer planned (the service's spec, or its environment, was
removed) is rewritten, not deleted: ``backend.tf``, ``providers.tf`` and ``versions.tf`` keep
their bodies byte for byte (the state, the account and the provider versions stay where the
resources were created), ``main.tf`` declares nothing, ``outputs.tf`` goes. Planning that root
destroys everything in its state. Everything needed comes from the generator's own files on
disk, so the root survives the spec and later changes to the account file.

Phase 2 (``infragen prune <service>``): once the destroy was applied, remove the roots; the
next generation drops their Atlantis projects and CODEOWNERS lines.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import CommandError, OwnershipError
from generator.plan.roots import OutputFile, Root, roots
from generator.spec import naming
from generator.spec.models import Repo
from generator.write import apply as write

KEPT_FILES = ("backend.tf", "providers.tf", "versions.tf")
MARKER = "# Destroy-only root:"


@dataclass(frozen=True)
class RetiredRoot:
    env: str
    service: str
    dir: str  # repo-relative POSIX
    owner: str | None  # team name from the root's default tags, when readable
    kept: tuple[tuple[str, str], ...]  # (file name, body without header and checksum)

    @property
    def reason(self) -> str:
        return (
            f"services/{self.service}/service.yaml no longer plans environment {self.env}; "
            f"apply this root to destroy its resources, then run 'infragen prune {self.service}'."
        )


def _body(text: str) -> str:
    """A generated file's content below its header comment lines, without the checksum line."""
    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1].startswith(write.CHECKSUM_PREFIX):
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
    """Root directories with a generated backend.tf that no spec plans any more, sorted.
    ``all_roots``: the run's roots when the caller has them (generator.plan.ir)."""
    planned = {r.dir for r in (roots(repo) if all_roots is None else all_roots)}
    found = []
    accounts = root / "accounts"
    for backend in sorted(accounts.glob("*/services/*/backend.tf")) if accounts.is_dir() else []:
        directory = backend.parent.relative_to(root).as_posix()
        if directory in planned:
            continue
        kept = []
        for name in KEPT_FILES:
            path = backend.parent / name
            if not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            if not write.is_generated(text):
                continue
            if write.hand_edited(text):
                raise OwnershipError(
                    f"{directory}/{name} was edited by hand, so its destroy-only root cannot be derived "
                    "from it; restore it (git checkout) and run 'infragen gen' again"
                )
            kept.append((name, _body(text)))
        if not any(name == "backend.tf" for name, _ in kept):
            continue  # not generated: not ours to keep or delete
        providers = dict(kept).get("providers.tf", "")
        env, _, service = directory.split("/")[1:4]
        found.append(RetiredRoot(env, service, directory, _owner(providers), tuple(kept)))
    return found


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
    lines = main.read_text(encoding="utf-8").split("\n", 2)
    return len(lines) > 1 and lines[1].startswith(MARKER)


def not_on_base(root: Path, directories: list[str], base: str) -> list[str]:
    """The directories whose main.tf on ``base`` is not destroy-only (or absent): Atlantis has not
    planned their destroy from the base branch yet, so deleting them now would orphan resources."""
    from generator.tools.affected import _commit, _open  # GitPython: imported only when pruning

    git_repo, prefix = _open(root)
    commit = _commit(git_repo, base)
    missing = []
    for directory in directories:
        path = posixpath.join(prefix, directory, "main.tf") if prefix else posixpath.join(directory, "main.tf")
        try:
            text = (commit.tree / path).data_stream.read().decode("utf-8", errors="replace")
        except KeyError:
            missing.append(directory)
            continue
        lines = text.split("\n", 2)
        if not (len(lines) > 1 and lines[1].startswith(MARKER)):
            missing.append(directory)
    return missing


def prune(root: Path, repo: Repo, service: str, base: str = "origin/main") -> list[str]:
    """Delete the destroy-only roots of ``service``; return the deleted files. The caller regenerates.

    Refuses until every destroy-only root is on ``base`` (the branch Atlantis applies from): the
    pull request that turned the roots destroy-only must be merged, and their destroy applied,
    before a second pull request removes them."""
    retired = [r for r in retired_roots(root, repo) if r.service == service]
    pending = [r.dir for r in retired if not is_destroy_only(root, r.dir)]
    if pending:
        raise CommandError("run 'infragen gen' first and apply the destroy of: " + ", ".join(pending))
    unmerged = not_on_base(root, [r.dir for r in retired], base) if retired else []
    if unmerged:
        raise CommandError(
            f"the destroy-only roots of {service} are not on {base} yet: "
            + ", ".join(unmerged)
            + ". Merge the pull request that made them destroy-only, apply their destroy through Atlantis, "
            f"then prune in a second pull request (fetch {base} first if it is stale)"
        )
    if not retired:
        active = [r.dir for r in roots(repo) if r.service.name == service]
        if active:
            raise CommandError(
                f"{service} still has a spec and active roots ({', '.join(active)}); remove "
                f"services/{service}/ (or the environment), run 'infragen gen', apply the destroy, then prune"
            )
        raise CommandError(f"no destroy-only roots of service {service!r} under accounts/*/services/")
    deleted = []
    for item in retired:
        directory = root / item.dir
        for path in sorted(directory.iterdir()):
            if path.is_file() and write.is_generated(path.read_text(encoding="utf-8", errors="replace")):
                path.unlink()
                deleted.append(posixpath.join(item.dir, path.name))
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    return sorted(deleted)
