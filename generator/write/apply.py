"""Compare planned files with the tree and apply the difference safely.

The generator owns exactly the files whose first line is its header. Every written file ends
with a checksum line over the rest of its content, so a hand edit is told apart from a stale
input. A journal is written first, then temporary files, then each file is moved
into place; an interrupted run leaves the journal behind and the next run reports it.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
from collections.abc import Callable, Collection, Container, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import OwnershipError
from generator.spec.naming import HEADER_PREFIX, checksum_line, destroy_only, hand_edited, is_generated, seal
from generator.write import reasons
from generator.write.reasons import Changed

if TYPE_CHECKING:  # only annotations: a gate that prints a recorded verdict imports no plan stage
    from generator.plan.roots import OutputFile

JOURNAL = ".infragen-journal"
TMP_SUFFIX = ".infragen-tmp"
STAGING = ".infragen-staging"  # new files written ahead by the processes that render them (Staging)
TOP_LEVEL_OUTPUTS = ("atlantis.yaml", "CODEOWNERS", ".github/workflows/drift.yml")  # besides accounts/


@dataclass(frozen=True)
class Change:
    path: str
    action: str  # "create", "update" or "delete"
    reason: str


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        return "\ufffd"  # not ours: it cannot carry the header


def existing_generated(root: Path, known: Container[str] = (), walked: Iterable[str] | None = None) -> list[str]:
    """Generated files present in the tree (by header), relative POSIX paths, sorted. Paths in
    ``known`` (files the caller already read) are not opened again. ``walked``: the files this
    run's walk found (generator/write/stamp.py), listed instead of walking accounts/ again."""
    found = []
    candidates: list[str] = list(TOP_LEVEL_OUTPUTS)
    listed = listed_outputs(root) if walked is None else walked
    candidates.extend(p for p in listed if p.startswith("accounts/") and not p.endswith(TMP_SUFFIX))
    for rel in candidates:
        if rel in known or ((root / rel).is_file() and _first_line_is_header(root / rel)):
            found.append(rel)
    return sorted(found)


def listed_outputs(root: Path) -> list[str]:
    """The files under accounts/ (relative POSIX paths, dot folders left out), where generated roots
    live: :func:`existing_generated`'s candidates when no walk of the run lists them (stamps off, as
    in CI). A cold run lists them while children read the input files (generator/api.py)."""
    accounts = root / "accounts"
    listed: list[str] = []
    if not accounts.is_dir():
        return listed
    top = os.fspath(accounts)  # the walk's folders start with it: "accounts" + the rest, relative to root
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel = "accounts" + dirpath[len(top) :].replace(os.sep, "/")
        listed.extend([f"{rel}/{f}" for f in filenames])
    return listed


def _first_line_is_header(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(HEADER_PREFIX)) == HEADER_PREFIX.encode()


def unchanged_on_disk(root: Path, files: list[OutputFile]) -> tuple[list[OutputFile], list[str], list[str]]:
    """``files`` split into those that differ from the disk (or are not there), the paths of those
    already on disk exactly as they would be written (for :func:`diff`'s ``verified``) and the paths
    of those not on disk at all (for its ``absent``)."""
    differ, same, absent = [], [], []
    base = os.fspath(root)
    for item in files:
        found = _sealed_on_disk(f"{base}/{item.path}", item.content)
        if found:
            same.append(item.path)
        else:
            differ.append(item)
            if found is None:
                absent.append(item.path)
    return differ, same, absent


def _sealed_on_disk(path: str, content: str) -> bool | None:
    """Whether ``path`` holds exactly ``seal(content)``, compared as bytes (a file that is not, for
    example one with CRLF line ends, goes to :func:`diff`, which reads it as text); None when there
    is no such file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    body = content.encode("utf-8")
    size = len(body)
    return data[:size] == body and data[size:] == checksum_line(body).encode("ascii")


def diff(
    root: Path,
    planned: Iterable[OutputFile],
    verified: Collection[str] = (),
    changed: Callable[[], Changed | None] | None = None,
    walked: Iterable[str] | None = None,
    absent: Container[str] = (),
) -> list[Change]:
    """What must change on disk. Raises OwnershipError for files the generator does not own.
    ``verified``: files the per-root cache found already right (generator/write/cache.py); they
    are wanted, so never orphans, and are not read again. ``changed``: the input files changed since
    the last consistent run (generator/write/reasons.py), asked once if a file needs an update and
    named in its reason. ``walked``: the files this run's walk found, for the orphan search.
    ``absent``: planned files this run already found missing (:func:`unchanged_on_disk`), created
    without being looked for again (15,000 failed opens in a first generation at 1,000 services)."""
    inputs_changed = functools.cache(changed) if changed is not None else lambda: None
    changes: list[Change] = []
    foreign: list[str] = []
    wanted: dict[str, OutputFile] = {}
    for item in planned:
        wanted[item.path] = item
        current = None if item.path in absent else _read(root / item.path)
        if current is None:
            changes.append(Change(item.path, "create", "new"))
        elif not is_generated(current):
            foreign.append(item.path)
        elif current != seal(item.content):
            changes.append(Change(item.path, "update", _cause(item, current, inputs_changed())))
    if foreign:
        listed = "\n".join(f"  {p}" for p in foreign)
        raise OwnershipError(
            "refusing to overwrite files that do not carry the infragen header "
            f"(move them away or delete them):\n{listed}"
        )
    known = wanted.keys() | set(verified)
    for path in existing_generated(root, known, walked):
        if path not in known:
            changes.append(Change(path, "delete", _orphan(path)))
    return sorted(changes, key=lambda c: c.path)


def _cause(item: OutputFile, current: str, changed: Changed | None) -> str:
    if hand_edited(current):
        return "hand edit: the file was changed after infragen wrote it"
    if destroy_only(item.content) and not destroy_only(current):
        what = "unit" if item.path.endswith("/terragrunt.hcl") else "root"
        return f"destroy-only now: what planned this {what} is gone; Atlantis plans its destroy (docs/decommission.md)"
    return reasons.reason(item.inputs, changed)


def _orphan(path: str) -> str:
    if path.startswith("accounts/") and path.endswith("/terragrunt.hcl"):  # a Terragrunt unit: it has a state
        return (
            "orphan: nothing generates it any more; its state and resources stay (a flavor switch keeps no destroy-only "
            "units): move them to their new root ('terraform state mv'/'import'), or destroy them ('terragrunt "
            "destroy' in the unit as committed), before merging (docs/terragrunt.md, Limits)"
        )
    return "orphan: nothing generates it any more (its inputs are gone, or this generator writes other files)"


def interrupted(root: Path) -> bool:
    return (root / JOURNAL).exists()


class Staging:
    """A folder of the repository (``.infragen-staging``, hidden from every walk) where the forked
    processes that render a cold run's roots write each new file as they render it, at its own
    path under the folder, ahead of :func:`apply`, which then only moves it into place. A first
    generation at 1,000 services x 3 writes 15,000 files: written by the renderers, on every core
    and beside the other work, instead of after it by one process, and the files' text is not sent
    back to that process at all. A folder of the tree that does not exist yet (a new root, every
    root of a first generation) is moved whole: one rename instead of a mkdir and a rename a file.

    Nothing is in the tree until :func:`apply` moves it: the folder goes whatever happens (a
    rejected repository, a bug), by :meth:`close` and, after a killed run, by the next writing
    run, which starts with :meth:`open` or :meth:`clear`. Only files not on disk at all are staged:
    a file to update goes through :func:`diff`, which reads the one on disk first."""

    def __init__(self, root: Path) -> None:
        self.folder = f"{os.fspath(root)}/{STAGING}"
        self._made: set[str] = set()

    @classmethod
    def open(cls, root: Path) -> Staging:
        staging = cls(root)
        staging.close()  # a killed run's
        os.mkdir(staging.folder)
        return staging

    @classmethod
    def clear(cls, root: Path) -> None:
        """Remove a killed run's folder (a writing run that stages nothing ahead)."""
        if os.path.isdir(f"{os.fspath(root)}/{STAGING}"):
            cls(root).close()

    def stage(self, path: str, content: str) -> None:
        """``content`` sealed, written as ``path`` (repository-relative) under the folder. Any
        process may call it, a forked one included (each root's files are rendered by one)."""
        target = f"{self.folder}/{path}"
        folder = target.rpartition("/")[0]
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        _write_new(target, sealed(content))

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)  # empty after apply moved every file

    def moves(self, base: str, staged: Collection[str], others: Iterable[str]) -> tuple[list[str], list[str]]:
        """How to move ``staged`` (paths written ahead) into the tree at ``base``, where ``others``
        (paths this run writes itself) are written too: the folders to move whole (the highest
        folder of a staged file that is not in the tree, unless another file goes below it) and
        the files to move one by one."""
        busy: set[str] = set()  # the folders above the files written in place: they must exist
        for path in others:
            folder = path.rpartition("/")[0]
            while folder and folder not in busy:
                busy.add(folder)
                folder = folder.rpartition("/")[0]
        absent: dict[str, bool] = {}
        tops: set[str] = set()
        files: list[str] = []
        for path in staged:
            parts = path.split("/")
            top, below_the_tree = None, False
            for depth in range(1, len(parts)):
                folder = "/".join(parts[:depth])
                if folder in tops:
                    top = folder
                    break
                if not below_the_tree:  # the first folder not in the tree: it and those below it are new
                    missing = absent.get(folder)
                    if missing is None:
                        missing = absent[folder] = not os.path.lexists(f"{base}/{folder}")
                    below_the_tree = missing
                if below_the_tree and folder not in busy:
                    top = folder
                    break
            if top is not None:
                tops.add(top)
            else:
                files.append(path)
        return sorted(tops), sorted(files)


def apply(
    root: Path,
    planned: Iterable[OutputFile],
    changes: list[Change],
    ahead: Collection[str] = (),
    staging: Staging | None = None,
) -> None:
    """Write ``changes``: journal, stage temp files, move into place, delete orphans, drop journal.
    ``ahead``: the paths of files written ahead to ``staging`` (:class:`Staging`), only moved."""
    planned_by_path = {item.path: item for item in planned}  # sealed one at a time: no second copy of every file
    base = os.fspath(root)
    writes = [c.path for c in changes if c.action != "delete"]
    staged_ahead = [p for p in writes if p in ahead] if staging is not None else []
    tops, singles = staging.moves(base, staged_ahead, (p for p in writes if p not in ahead)) if staging else ([], [])
    moving = set(staged_ahead)
    staged: list[tuple[str, str]] = []
    folders: set[str] = set()  # one mkdir per root folder, not per file (15,000 calls at 1,000 services)
    # The journal comes first, so a run killed even while staging is detected (and its temp files
    # removed) by the next run; an exception while staging leaves no trace at all.
    journal = root / JOURNAL
    resumed = journal.exists()  # a previous interrupted run's journal must survive our own failure
    _write_durably(journal, "".join(f"{c.action} {c.path}\n" for c in changes))
    try:
        for path in writes:
            if path in moving:
                continue
            target = f"{base}/{path}"  # strings, not Path objects: 15,000 files at 1,000 services
            folder = target.rpartition("/")[0]
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            tmp = target + TMP_SUFFIX
            staged.append((tmp, target))  # before writing: a half-written temp file is cleaned up too
            _write_new(tmp, sealed(planned_by_path[path].content))
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if not resumed:
            journal.unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    if staging is not None:
        for folder in tops:
            _move_folder(f"{staging.folder}/{folder}", f"{base}/{folder}")
        for single in singles:
            target = f"{base}/{single}"
            os.makedirs(target.rpartition("/")[0], exist_ok=True)
            _move(f"{staging.folder}/{single}", target)
    for change in changes:
        if change.action == "delete":
            orphan = root / change.path
            orphan.unlink(missing_ok=True)
            _prune_empty(orphan.parent, root)
    journal.unlink()


def _move(source: str, target: str) -> None:
    """A staged file into place: renamed, or, where the tree's folder is on another file system
    than the staging folder (a symlinked accounts/, say), copied beside its target and renamed."""
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.copyfile(source, target + TMP_SUFFIX)
        os.replace(target + TMP_SUFFIX, target)


def _move_folder(source: str, target: str) -> None:
    """A staged folder that is not in the tree into place whole, or file by file across file systems."""
    try:
        os.rename(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        for folder, _, names in os.walk(source):
            into = target + folder[len(source) :]
            os.makedirs(into, exist_ok=True)
            for name in names:
                _move(f"{folder}/{name}", f"{into}/{name}")


def sealed(content: str) -> bytes:
    """``seal(content)`` as the UTF-8 bytes written: the body is encoded once, for its checksum and
    for the file (a text-mode file would encode it a second time)."""
    body = content.encode("utf-8")
    return body + checksum_line(body).encode("ascii")


def _write_new(path: str, data: bytes) -> None:
    """``data`` as the whole of ``path`` (created, or truncated if a stale temp file is there)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:  # os.write may write less than asked
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def _write_durably(path: Path, text: str) -> None:
    """Write ``path`` and fsync it: the journal is the one file whose durability matters.

    Staged files are not synced. Renames make each of them "as before or as after" for a killed
    process (the crash-safety tests prove it). After a power cut a renamed file may still be torn,
    but every generated file ends with its own checksum line, so a torn file is reported by
    ``gen --check`` as changed and rewritten by the next ``gen``; and the synced journal makes that
    next run treat the interrupted one as such. A machine-wide ``os.sync()`` cost more than all the
    writing at 1,000 services (docs/benchmarks.md) and bought nothing the checksum does not give.
    """
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def recover(root: Path) -> None:
    """Clean up after an interrupted run: remove staged temp files (its staging folder went when
    this run started: Staging.open, Staging.clear). The caller regenerates."""
    accounts = root / "accounts"
    for tmp in list(accounts.rglob("*" + TMP_SUFFIX)) if accounts.is_dir() else []:
        tmp.unlink()
    for name in TOP_LEVEL_OUTPUTS:
        (root / (name + TMP_SUFFIX)).unlink(missing_ok=True)


def _prune_empty(directory: Path, root: Path) -> None:
    stop = (root / "accounts").resolve()
    current = directory.resolve()
    while current != stop and current != root.resolve() and current.is_dir() and not any(current.iterdir()):
        current.rmdir()
        current = current.parent
