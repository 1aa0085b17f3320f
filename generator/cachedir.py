"""Where infragen keeps what it can always compute again: the user's cache folder, never the
repository (``$XDG_CACHE_HOME/infragen``, else ``~/.cache/infragen``).

Every cache and record there is written whole through a temporary file and a rename, and one
that cannot be written is skipped: a read-only or full cache folder costs time, never correctness.
``INFRAGEN_NO_STAMP=1`` turns off everything that could skip work (stamps, records and caches:
the full work, as CI on a fresh clone does); ``INFRAGEN_NO_CACHE=1`` the caches alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "infragen"


def per_repository(kind: str, root: Path, suffix: str) -> Path:
    """The file of ``kind`` for the repository at ``root`` (one per repository path)."""
    key = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:32]
    return folder() / kind / f"{key}{suffix}"


def _off(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def stamps_enabled() -> bool:
    return not _off("INFRAGEN_NO_STAMP")


def caches_enabled() -> bool:
    return not (_off("INFRAGEN_NO_CACHE") or _off("INFRAGEN_NO_STAMP"))


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` whole and return True, or leave it as it was and return False
    when the folder is not writable."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):  # not there, or no folder to be in (a file in its place)
            tmp.unlink()
        return False
    return True


class ByContent:
    """One JSON file in the cache folder holding what was computed from file contents, by the
    sha256 of those contents (module sources, module locals): the value depends on nothing else,
    so it is computed once per content and machine. Loaded on first use, rewritten on each new
    entry (new contents are rare: module files change by pull request)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, Any] | None = None

    def path(self) -> Path:
        return folder() / self.name

    def get(self, raw: bytes, compute: Callable[[], T]) -> T | Any:
        """The value stored for ``raw``, else ``compute()``, stored (JSON: lists and dicts of
        strings and numbers, which is what the callers compute)."""
        entries = self._load()
        digest = hashlib.sha256(raw).hexdigest()
        if digest in entries:
            return entries[digest]
        value = compute()
        entries[digest] = value
        write_atomic(self.path(), json.dumps(entries, sort_keys=True).encode("utf-8"))
        return value

    def clear(self) -> None:
        """Forget what this process loaded (the next use reads the file again)."""
        self._entries = None

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = _read_object(self.path())
        return self._entries


class ByKey:
    """Texts computed from a key that names everything they are computed from (the generator
    included), one JSON file per repository: the value of a key never changes, so any entry found
    is right. Only the keys used by the last run are kept; the file is rewritten only when a key
    was missing or went unused. A key asked again in the same run is answered from that run's
    entries (2,069 variables of 1,000 x 3 services hold 589 distinct ones, each scanned once), with
    caches off too: then nothing is read or written."""

    def __init__(self, kind: str, root: Path) -> None:
        self.enabled = caches_enabled()
        self.file = per_repository(kind, root, ".json")
        self._previous: dict[str, str] | None = None
        self._used: dict[str, str] = {}

    def get(self, key: str, compute: Callable[[], str]) -> str:
        found = self._used.get(key)
        if found is None:
            found = self._load().get(key) if self.enabled else None
            if found is None:
                found = compute()
            self._used[key] = found
        return found

    def save(self) -> None:
        """Keep exactly this run's entries (nothing written when they are the file's)."""
        if not self.enabled or self._previous is None:
            return
        if self._used.keys() != self._previous.keys():
            write_atomic(self.file, json.dumps(self._used, sort_keys=True).encode("utf-8"))

    def _load(self) -> dict[str, str]:
        if self._previous is None:
            loaded = _read_object(self.file)
            self._previous = loaded if all(isinstance(v, str) for v in loaded.values()) else {}
        return self._previous


def _read_object(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; {} when it is missing, unreadable or not an object."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}
