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

import _thread
import fcntl
import hashlib
import json
import operator
import os
import time
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from generator import cachedir
from generator.package import PACKAGE

STAMP_VERSION = 4
SETTLE_NS = 1_000_000_000
# Files Terraform and Atlantis write into a root while they plan it (`terraform init`'s lock file,
# the saved plan and Atlantis's JSON of it, <name>.tfplan beside <name>.json) and `.terraform/`
# (skipped with every dot folder). Generation reads none of them and none carries the generated
# header, so they are not part of the signature: the parallel plans of one pull request, each
# running `init` and `plan` in its own root, leave the signature of the checkout as it was.
TERRAFORM_FILES = frozenset({".terraform.lock.hcl"})
PLAN_SUFFIX = ".tfplan"


enabled = cachedir.stamps_enabled


def _stamp_file(root: Path) -> Path:
    return cachedir.per_repository("stamps", root, ".json")


_NAME = operator.attrgetter("name")
Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


class Tree:
    """One walk of the repository and the generator package, taken when a run starts: the digest
    the stamps compare and every file's stat signature, so the rest of the run (the per-root
    cache, the orphan search, the stamp it records) asks the walk instead of the disk.
    ``taken``: when the walk began; ``newest``: the newest mtime/ctime seen."""

    def __init__(
        self,
        repo: str,
        names: list[str],
        numbers: list[int],
        inodes: list[int],
        newest: int,
        taken: int,
        split: tuple[int, int] = (0, 0),
    ):
        self._repo = repo
        self._split = split  # where the package's walk starts: (names, files)
        self._names = names  # "D<folder>", "?<path>" (unreadable) or a file's absolute path
        self._numbers = numbers  # size, mtime_ns, ctime_ns of each file, in the order of names
        self._inodes = inodes
        self.newest = newest
        self.taken = taken
        self._digest: str | None = None
        self._files: dict[str, Signature] | None = None

    @property
    def digest(self) -> str:
        if self._digest is None:
            digest = hashlib.sha256(f"v{STAMP_VERSION}\0".encode())
            digest.update("\0".join(self._names).encode("utf-8", "surrogateescape"))
            digest.update(array("q", self._numbers).tobytes())
            digest.update(array("Q", self._inodes).tobytes())
            self._digest = digest.hexdigest()
        return self._digest

    @property
    def files(self) -> dict[str, Signature]:
        """The repository's files (relative POSIX path) -> (size, mtime_ns, ctime_ns, inode)."""
        if self._files is None:
            prefix = self._repo + "/"
            cut = len(prefix)
            files: dict[str, Signature] = {}
            numbers, inodes, at = self._numbers, self._inodes, 0
            for name in self._names:
                if name.startswith("/"):  # a file (folders and unreadable entries carry a letter)
                    if name.startswith(prefix):
                        files[name[cut:]] = (numbers[3 * at], numbers[3 * at + 1], numbers[3 * at + 2], inodes[at])
                    at += 1
            self._files = files
        return self._files

    @property
    def outside(self) -> str:
        """A digest of the generator package's part of the walk (walked after the repository)."""
        names, files = self._split
        digest = hashlib.sha256(f"v{STAMP_VERSION}\0".encode())
        digest.update("\0".join(self._names[names:]).encode("utf-8", "surrogateescape"))
        digest.update(array("q", self._numbers[3 * files :]).tobytes())
        digest.update(array("Q", self._inodes[files:]).tobytes())
        return digest.hexdigest()

    def settled(self) -> bool:
        """No file was changed within SETTLE_NS of the walk (one could change again unseen)."""
        return self.taken - self.newest >= SETTLE_NS


def sees(path: str) -> bool:
    """Whether :func:`walk` lists the repository file ``path`` (relative POSIX): not in a dot folder
    or __pycache__, not a file Terraform writes while planning."""
    *folders, name = path.split("/")
    if any(f.startswith(".") or f == "__pycache__" for f in folders):
        return False
    return name not in TERRAFORM_FILES and not name.endswith(PLAN_SUFFIX)


def walk(root: Path) -> Tree:
    """Every file's and folder's stat signature under ``root`` and the generator package."""
    taken = time.time_ns()
    names: list[str] = []
    numbers: list[int] = []
    inodes: list[int] = []
    name_of, number, inode_of = names.append, numbers.extend, inodes.append
    newest = 0
    repo, package = str(root.resolve()), str(PACKAGE)
    pending = [package, repo]  # a stack: the repository is walked first, then the package
    split = (0, 0)
    while pending:
        top = pending.pop()
        if not pending and top is package:
            split = (len(names), len(inodes))
        try:
            entries = sorted(os.scandir(top), key=_NAME)
        except OSError:
            name_of(f"?{top}")
            continue
        name_of(f"D{top}")
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
                name_of(f"?{entry.path}")
                continue
            mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
            name_of(entry.path)
            number((st.st_size, mtime, ctime))
            inode_of(st.st_ino)
            if mtime > newest or ctime > newest:
                newest = mtime if mtime > ctime else ctime
        pending.extend(reversed(folders))  # depth first, in name order
    return Tree(repo, names, numbers, inodes, newest, taken, split)


def current(root: Path) -> Tree | None:
    """This run's walk of ``root``, or None when stamps are off (nothing is compared or recorded)."""
    return walk(root) if enabled() else None


def unchanged(root: Path, tree: Tree | None = None) -> bool:
    """True when a stamp recorded after a consistent run still matches the tree."""
    return verdict(root, tree) == []


def verdict(root: Path, tree: Tree | None = None) -> list[tuple[str, str, str]] | None:
    """The changes (path, action, reason) a run found when the tree had the signature it has now
    (``tree``: the walk of this run, else a new one): [] after a consistent run, the pending
    changes after a `gen --check` that failed; None when no stamp matches the tree."""
    if not enabled():
        return None
    try:
        stored = json.loads(_stamp_file(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(stored, dict) and stored.get("signature") == (tree or walk(root)).digest):
        return None
    changes = stored.get("changes", [])
    if not (isinstance(changes, list) and all(isinstance(c, list) and len(c) == 3 for c in changes)):
        return None
    return [(str(path), str(action), str(reason)) for path, action, reason in changes]


def record(root: Path, changes: Iterable[tuple[str, str, str]] = (), tree: Tree | None = None) -> None:
    """Record the verdict for the tree as ``tree`` found it (a run that wrote nothing passes the walk
    it started from: a file edited while it ran then differs from the stamp, and the next run does
    the work), else as it is now; unless a file changed too recently to be trusted."""
    path = _stamp_file(root)
    if not enabled():
        return
    found = tree or walk(root)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        if not found.settled():
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"signature": found.digest, "changes": [list(c) for c in changes]}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def discard(root: Path) -> None:
    """Drop the stamp: a run that wrote files leaves a tree younger than SETTLE_NS, which no stamp
    may vouch for (the next run does the work and records), so it does not walk the tree again."""
    if enabled():
        with suppress(OSError):
            _stamp_file(root).unlink(missing_ok=True)


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """One `gen --check` at a time per checkout (Atlantis plans a pull request's projects in
    parallel, each running the gate on the same checkout): the first computes and records its
    verdict, the ones that waited find it and print it. Without stamps there is nothing to share,
    so no lock either."""
    if not enabled():
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


_HELD: set[tuple[str, int]] = set()  # the repositories this process holds (either mode), by thread


@contextmanager
def writing(root: Path) -> Iterator[bool]:
    """One writing run at a time per repository, whatever the stamps: two `gen` started together
    (a save hook and a terminal) would clear each other's staging folder and journal and share
    temp names. The lock is on the repository folder itself (flock on its descriptor): no file is
    added to the tree, and the kernel drops it when the process ends, however it ends. A second
    writer waits for the first; yields whether it waited, as its walk of the tree is then stale.
    Re-entered by the thread that holds it, it does not lock again."""
    with _repository(root, fcntl.LOCK_EX) as waited:
        yield waited


@contextmanager
def reading(root: Path) -> Iterator[bool]:
    """A `gen --check` judges the tree no writing run is changing: it shares the repository's lock
    with other checks (Atlantis's parallel gates do not wait for each other here) and waits for a
    writer that holds it, as a writer waits for the checks. Without it a check that ran beside a
    `gen` compared half-written roots and recorded that verdict. Yields whether it waited (its walk
    of the tree is then stale). Inside a writing or reading run of the same thread, no second lock."""
    with _repository(root, fcntl.LOCK_SH) as waited:
        yield waited


@contextmanager
def _repository(root: Path, mode: int) -> Iterator[bool]:
    key = (os.path.realpath(root), _thread.get_ident())
    if key in _HELD:
        yield False
        return
    try:
        descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield False  # no repository folder: the run itself reports what is wrong
        return
    try:
        waited = False
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(descriptor, mode)
            waited = True
        except OSError:
            pass  # a file system without locks (some network mounts): the run goes on unlocked, as before
        _HELD.add(key)
        try:
            yield waited
        finally:
            _HELD.discard(key)
    finally:
        os.close(descriptor)  # and with it the lock
