"""Local Terraform modules: which module directories a root reaches through `source`."""

from __future__ import annotations

import posixpath
from functools import cache
from pathlib import Path
from typing import Any

import hcl2


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
        with tf.open(encoding="utf-8") as handle:
            try:
                parsed: dict[str, Any] = hcl2.load(handle)
            except Exception as exc:  # python-hcl2 raises lark errors of several kinds
                raise ValueError(f"cannot parse {tf}: {exc}") from exc
        for block in parsed.get("module", []):
            for body in block.values():
                source = unquote(body.get("source"))
                if isinstance(source, str) and source.startswith(("./", "../")):
                    sources.add(source)
    return tuple(sorted(sources))


def closure(root: Path, start: str, sources: list[str]) -> list[str]:
    """Every module directory (repo-relative) reached from ``sources`` as written in ``start``."""
    seen: set[str] = set()
    pending = [posixpath.normpath(posixpath.join(start, s)) for s in sources]
    while pending:
        current = pending.pop()
        if current in seen or current.startswith(".."):
            continue
        seen.add(current)
        directory = root / current
        if directory.is_dir():
            pending.extend(posixpath.normpath(posixpath.join(current, s)) for s in _local_sources(directory))
    return sorted(seen)


def clear_cache() -> None:
    _local_sources.cache_clear()
