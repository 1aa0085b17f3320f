"""Local Terraform modules: which module directories a root reaches through `source`."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from functools import cache
from pathlib import Path
from typing import Any

from generator import cachedir

# Parsing with python-hcl2 costs about 20 ms per file (plus 0.2 s to import it), more than the rest
# of a small repository's generation; module files rarely change. So the sources found in a file are
# cached on disk by the sha256 of its content: the result depends on nothing else.
CACHE_VERSION = 1


def unquote(value: object) -> object:
    """python-hcl2 8 keeps the quotes of string literals and labels; drop them."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@cache
def _local_sources(directory: Path) -> tuple[str, ...]:
    """Local `source` values of the module blocks in one directory's *.tf files."""
    sources: set[str] = set()
    for tf in sorted(directory.glob("*.tf")):
        raw = tf.read_bytes()
        if b"module" not in raw:
            continue  # no module block can be written without the keyword
        digest = hashlib.sha256(raw).hexdigest()
        found = _disk_cache().get(digest)
        if found is None:
            found = _parse_sources(tf, raw.decode("utf-8"))
            _store(digest, found)
        sources.update(found)
    return tuple(sorted(sources))


def _parse_sources(tf: Path, text: str) -> list[str]:
    import hcl2

    try:
        parsed: dict[str, Any] = hcl2.loads(text)
    except Exception as exc:  # python-hcl2 raises lark errors of several kinds
        raise ValueError(f"cannot parse {tf}: {exc}") from exc
    sources = []
    for block in parsed.get("module", []):
        for body in block.values():
            source = unquote(body.get("source"))
            if isinstance(source, str) and source.startswith(("./", "../")):
                sources.append(source)
    return sorted(set(sources))


def cache_file() -> Path:
    return cachedir.folder() / f"module-sources-v{CACHE_VERSION}.json"


@cache
def _disk_cache() -> dict[str, list[str]]:
    try:
        loaded = json.loads(cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _store(digest: str, sources: list[str]) -> None:
    """Add one entry and rewrite the cache atomically; a cache that cannot be written is skipped."""
    entries = _disk_cache()
    entries[digest] = sources
    cachedir.write_atomic(cache_file(), json.dumps(entries, sort_keys=True).encode("utf-8"))


def closure(root: Path, start: str, sources: list[str]) -> list[str]:
    """Every module directory (repo-relative) reached from ``sources`` as written in ``start``."""
    return list(_closure(root, tuple(sorted({posixpath.normpath(posixpath.join(start, s)) for s in sources}))))


@cache
def _closure(root: Path, starts: tuple[str, ...]) -> tuple[str, ...]:
    """Roots share a few module sets: walk each set once per process."""
    seen: set[str] = set()
    pending = list(starts)
    while pending:
        current = pending.pop()
        if current in seen or current.startswith(".."):
            continue
        seen.add(current)
        directory = root / current
        if directory.is_dir():
            pending.extend(posixpath.normpath(posixpath.join(current, s)) for s in _local_sources(directory))
            pending.extend(_linked_dirs(directory, current))
    return tuple(sorted(seen))


def _linked_dirs(directory: Path, current: str) -> list[str]:
    """Folders that symlinked ``*.tf`` files point into (shared variable files): inputs too."""
    return sorted(
        {
            posixpath.normpath(posixpath.join(current, posixpath.dirname(os.readlink(tf))))
            for tf in directory.glob("*.tf")
            if tf.is_symlink()
        }
    )


def clear_cache() -> None:
    _local_sources.cache_clear()
    _closure.cache_clear()
    _disk_cache.cache_clear()
