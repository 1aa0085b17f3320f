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

import hashlib
import json
import os
import time
from pathlib import Path

from generator.package import PACKAGE

STAMP_VERSION = 1
SETTLE_NS = 1_000_000_000


def _enabled() -> bool:
    return os.environ.get("INFRAGEN_NO_STAMP", "") in ("", "0")


def _stamp_file(root: Path) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    key = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:32]
    return Path(base) / "infragen" / "stamps" / f"{key}.json"


def signature(root: Path) -> tuple[str, int]:
    """The digest of every file's and folder's stat signature, and the newest mtime/ctime seen."""
    digest = hashlib.sha256(f"v{STAMP_VERSION}".encode())
    newest = 0
    for base in (root.resolve(), PACKAGE):
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
            digest.update(f"D{dirpath}\n".encode())
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    digest.update(f"?{path}\n".encode())
                    continue
                digest.update(f"F{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n".encode())
                newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    return digest.hexdigest(), newest


def unchanged(root: Path) -> bool:
    """True when a stamp recorded after a consistent run still matches the tree."""
    if not _enabled():
        return False
    try:
        stored = json.loads(_stamp_file(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stored, dict) and stored.get("signature") == signature(root)[0]


def record(root: Path) -> None:
    """Record that the tree is consistent now, unless a file changed too recently to be trusted."""
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
        tmp.write_text(json.dumps({"signature": digest}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
