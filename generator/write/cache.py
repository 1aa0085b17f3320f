"""The per-root cache: which roots' files on disk are already what their inputs produce.

For every service root, the manifest records the root's key (generator/plan/keys.py: a digest of
exactly what planning that root reads, the generator included) and, for each of its files, the
sha256 of the sealed content written and the file's stat signature (size, mtime, ctime, inode).
A later run whose key for the root is unchanged, and whose files still carry the recorded
signatures, neither plans, renders nor reads that root: its files are known to be right.

A file changed within :data:`SETTLE_NS` of recording could change again unseen with the same
signature (coarse file-time ticks), so its signature is not recorded; the next run reads it and
compares its sha256 instead (as git treats "racily clean" index entries). A missing file, another
signature or another key sends the root through planning, rendering and the diff as if there were
no cache. The manifest lives in the user's cache folder, next to the no-op stamps, one per
repository path; ``INFRAGEN_NO_CACHE=1`` (or ``INFRAGEN_NO_STAMP=1``, the full work) turns it off.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator import cachedir
from generator.write.stamp import SETTLE_NS

MANIFEST_VERSION = 2  # 2: marshal (a third of JSON's time at 3,000 roots)
Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode: as generator/write/stamp.py walks


enabled = cachedir.caches_enabled


def manifest_file(root: Path) -> Path:
    return cachedir.per_repository("roots", root, ".marshal")


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str  # of the sealed content
    stat: Signature | None  # None: written too recently to trust; compare the content


@dataclass(frozen=True)
class Entry:
    key: str
    files: tuple[FileEntry, ...]


def _signature(st: os.stat_result) -> Signature:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def sealed_sha256(sealed: str) -> str:
    return hashlib.sha256(sealed.encode("utf-8")).hexdigest()


def load(root: Path) -> dict[str, Entry]:
    """root dir -> entry, as recorded by the last run ({} when disabled, absent or unreadable)."""
    if not enabled():
        return {}
    try:
        data = marshal.loads(manifest_file(root).read_bytes())
        if data.get("version") != MANIFEST_VERSION:
            return {}
        return {
            directory: Entry(key, tuple(FileEntry(p, sha, sig) for p, sha, sig in files))
            for directory, (key, files) in data["roots"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError, EOFError):
        return {}


def verify(root: Path, entry: Entry, walked: Mapping[str, Signature] | None = None) -> bool:
    """True when every file of ``entry`` is on disk exactly as recorded. ``walked``: the stat
    signatures this run's walk found (generator/write/stamp.py), asked before the disk."""
    for item in entry.files:
        found = walked.get(item.path) if walked is not None else None
        if found is not None and found == item.stat:
            continue
        path = root / item.path
        try:
            st = os.stat(path)
        except OSError:
            return False
        if item.stat is not None and _signature(st) == item.stat:
            continue
        try:
            if hashlib.sha256(path.read_bytes()).hexdigest() != item.sha256:
                return False
        except OSError:
            return False
    return True


def entry(root: Path, key: str, contents: Iterable[tuple[str, str]], now: int) -> Entry | None:
    """The entry for a root whose files on disk were just found or written equal to ``contents``
    (path, sealed content); None when a file is not there any more."""
    files = []
    for path, sealed in contents:
        try:
            st = os.stat(root / path)
        except OSError:
            return None
        settled = now - max(st.st_mtime_ns, st.st_ctime_ns) >= SETTLE_NS
        files.append(FileEntry(path, sealed_sha256(sealed), _signature(st) if settled else None))
    return Entry(key, tuple(files))


def refreshed(root: Path, old: Entry, now: int) -> Entry:
    """A verified entry with the signatures of files that have settled since they were recorded."""
    if all(f.stat is not None for f in old.files):
        return old
    files = []
    for item in old.files:
        if item.stat is None:
            try:
                st = os.stat(root / item.path)
            except OSError:
                return old
            if now - max(st.st_mtime_ns, st.st_ctime_ns) >= SETTLE_NS:
                item = FileEntry(item.path, item.sha256, _signature(st))
        files.append(item)
    return Entry(old.key, tuple(files))


def store(root: Path, entries: Mapping[str, Entry]) -> None:
    """Replace the manifest atomically; a cache that cannot be written is skipped."""
    if not enabled():
        return
    roots = {d: (e.key, tuple((f.path, f.sha256, f.stat) for f in e.files)) for d, e in entries.items()}
    cachedir.write_atomic(manifest_file(root), marshal.dumps({"version": MANIFEST_VERSION, "roots": roots}))


def now_ns() -> int:
    return time.time_ns()
