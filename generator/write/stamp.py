"""Skip a regeneration that cannot change anything.

After a run that left the tree consistent, :func:`record` stores a stamp: a digest of the stat
signature (path, size, mtime, ctime, inode) of every file and folder in the repository and in
the generator package (code, templates, schemas). A later run whose signature is the same finds
nothing to do without loading anything: no input, output, module or generator file changed.

File times have a coarse tick, so a file changed within :data:`SETTLE_NS` of recording could
change again unseen with the same signature: no stamp is recorded then (the next run does the
full work and records). ctime cannot be set back by tools, so restoring a file's mtime after an
edit does not fool the stamp. Stamps live in the user's cache folder: CI on a fresh checkout
(the `gen --check` staleness gate) always does the full work. ``INFRAGEN_NO_STAMP=1`` turns
stamps off.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import operator
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator import cachedir
from generator.package import PACKAGE

STAMP_VERSION = 3
SETTLE_NS = 1_000_000_000
# Files Terraform and Atlantis write into a root while they plan it (`terraform init`'s lock file,
# the saved plan and Atlantis's JSON of it, <name>.tfplan beside <name>.json) and `.terraform/`
# (skipped with every dot folder). Generation reads none of them and none carries the generated
# header, so they are not part of the signature: the parallel plans of one pull request, each
# running `init` and `plan` in its own root, leave the signature of the checkout as it was.
TERRAFORM_FILES = frozenset({".terraform.lock.hcl"})
PLAN_SUFFIX = ".tfplan"


_enabled = cachedir.stamps_enabled


def _stamp_file(root: Path) -> Path:
    return cachedir.per_repository("stamps", root, ".json")


_NAME = operator.attrgetter("name")


def signature(root: Path) -> tuple[str, int]:
    """The digest of every file's and folder's stat signature, and the newest mtime/ctime seen."""
    lines = [f"v{STAMP_VERSION}\n"]
    newest = 0
    pending = [str(PACKAGE), str(root.resolve())]  # a stack: the repository is walked first
    while pending:
        top = pending.pop()
        try:
            entries = sorted(os.scandir(top), key=_NAME)
        except OSError:
            lines.append(f"?{top}\n")
            continue
        lines.append(f"D{top}\n")
        plans = {e.name[: -len(PLAN_SUFFIX)] for e in entries if e.name.endswith(PLAN_SUFFIX)}
        folders = []
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if not name.startswith(".") and name != "__pycache__":
                    folders.append(entry.path)
                continue
            if name in TERRAFORM_FILES or name.endswith(PLAN_SUFFIX) or name.removesuffix(".json") in plans:
                continue
            try:
                st = entry.stat()  # through a symlink, as the generator reads it
            except OSError:
                lines.append(f"?{entry.path}\n")
                continue
            mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
            lines.append(f"F{entry.path}\0{st.st_size}\0{mtime}\0{ctime}\0{st.st_ino}\n")
            if mtime > newest or ctime > newest:
                newest = mtime if mtime > ctime else ctime
        pending.extend(reversed(folders))  # depth first, in name order
    return hashlib.sha256("".join(lines).encode()).hexdigest(), newest


def unchanged(root: Path) -> bool:
    """True when a stamp recorded after a consistent run still matches the tree."""
    return verdict(root) == []


def verdict(root: Path) -> list[tuple[str, str, str]] | None:
    """The changes (path, action, reason) a run found when the tree had the signature it has now:
    [] after a consistent run, the pending changes after a `gen --check` that failed; None when
    no stamp matches the tree."""
    if not _enabled():
        return None
    try:
        stored = json.loads(_stamp_file(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(stored, dict) and stored.get("signature") == signature(root)[0]):
        return None
    changes = stored.get("changes", [])
    if not (isinstance(changes, list) and all(isinstance(c, list) and len(c) == 3 for c in changes)):
        return None
    return [(str(path), str(action), str(reason)) for path, action, reason in changes]


def record(root: Path, changes: Iterable[tuple[str, str, str]] = ()) -> None:
    """Record the verdict for the tree as it is now (no changes: consistent), unless a file changed
    too recently to be trusted."""
    path = _stamp_file(root)
    if not _enabled():
        return
    digest, newest = signature(root)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        if time.time_ns() - newest < SETTLE_NS:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"signature": digest, "changes": [list(c) for c in changes]}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """One `gen --check` at a time per checkout (Atlantis plans a pull request's projects in
    parallel, each running the gate on the same checkout): the first computes and records its
    verdict, the ones that waited find it and print it. Without stamps there is nothing to share,
    so no lock either."""
    if not _enabled():
        yield
        return
    path = _stamp_file(root).with_suffix(".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+b")
    except OSError:
        yield  # no cache folder to lock in: every gate computes, as without stamps
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
