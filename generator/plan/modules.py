"""Local Terraform modules: which module directories a root reaches through `source`."""

from __future__ import annotations

import os
import posixpath
from functools import cache, partial
from pathlib import Path
from typing import Any

from generator import cachedir, hclscan

# generator/hclscan.py reads the sources (a few milliseconds per file); a file it cannot read goes to
# python-hcl2 (about 45 ms per file, plus 0.2 s to import it). Either answer is cached on disk by
# the sha256 of the file's content (the result depends on nothing else): a warm run reads no HCL.
CACHE_VERSION = 2  # 2: read by hclscan first
_SOURCES = cachedir.ByContent(f"module-sources-v{CACHE_VERSION}.json")


@cache
def _local_sources(directory: Path) -> tuple[str, ...]:
    """Local `source` values of the module blocks in one directory's *.tf files."""
    sources: set[str] = set()
    for tf in _listing(directory)[0]:
        raw = tf.read_bytes()
        if b"module" not in raw or (b'"./' not in raw and b'"../' not in raw):
            # no module block can be written without the keyword, and `source` is a literal string:
            # a local one starts with ./ or ../ (https://developer.hashicorp.com/terraform/language/modules/sources#local-paths)
            continue
        sources.update(_SOURCES.get(raw, partial(_parse_sources, tf, raw)))
    return tuple(sorted(sources))


@cache
def _listing(directory: Path) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """One directory's *.tf files (sorted) and the targets of those that are symlinks, listed once
    per process: the module sets of many roots walk the same directories."""
    files: list[Path] = []
    links: list[str] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.endswith(".tf") and not entry.is_dir():
                files.append(Path(entry.path))
                if entry.is_symlink():
                    links.append(os.readlink(entry.path))
    return tuple(sorted(files)), tuple(links)


def _parse_sources(tf: Path, raw: bytes) -> list[str]:
    try:
        found = hclscan.module_sources(raw.decode("utf-8"))
    except (hclscan.Unsupported, UnicodeDecodeError):
        found = _parse_with_hcl2(tf, raw)
    return sorted({s for s in found if s.startswith(("./", "../"))})


def _parse_with_hcl2(tf: Path, raw: bytes) -> list[str]:
    import hcl2

    try:
        parsed: dict[str, Any] = hcl2.loads(raw.decode("utf-8"))
    except Exception as exc:  # python-hcl2 raises lark errors of several kinds
        raise ValueError(f"cannot parse {tf}: {exc}") from exc
    sources = []
    for block in parsed.get("module", []):
        for body in block.values():
            source = hclscan.unquoted(body.get("source"))
            if isinstance(source, str):
                sources.append(source)
    return sources


def closure(root: Path, start: str, sources: list[str]) -> list[str]:
    """Every module directory (repo-relative) reached from ``sources`` as written in ``start``."""
    from generator.errors import MissingModuleError

    try:
        return list(_closure(root, tuple(sorted({posixpath.normpath(posixpath.join(start, s)) for s in sources}))))
    except MissingModuleError as exc:
        if exc.caller:
            raise
        raise MissingModuleError(exc.module, start, exc.detail) from None  # a source of ``start`` itself


@cache
def _closure(root: Path, starts: tuple[str, ...]) -> tuple[str, ...]:
    """Roots share a few module sets: walk each set once per process."""
    seen: set[str] = set()
    pending = [(start, "") for start in starts]
    while pending:
        current, caller = pending.pop()
        if current in seen or current.startswith(".."):
            continue
        seen.add(current)
        directory = root / current
        if directory.is_dir():
            pending.extend((posixpath.normpath(posixpath.join(current, s)), current) for s in _local_sources(directory))
            pending.extend((linked, current) for linked in _linked_dirs(directory, current))
        else:
            _missing(root, current, caller)
    return tuple(sorted(seen))


def _missing(root: Path, current: str, caller: str) -> None:
    """Refuse a call of a folder under ``modules/`` that is not there (a kind registered before its
    module was written, a typo in a module's ``source``, a copy that broke the ``modules`` link): Terraform
    would only fail at ``init``, on the pull request. A repository without ``modules/`` (its roots call
    modules published elsewhere) is not checked."""
    from generator.errors import MissingModuleError

    if current.partition("/")[0] != "modules":
        return
    top = root / "modules"
    if top.is_symlink() and not top.exists():
        detail = (
            f"modules is a symbolic link to {os.readlink(top)}, which does not exist, so {current}/ is missing: "
            "copy the repository with its modules (cp -rL, or a git clone)"
        )
        raise MissingModuleError(current, caller, detail)
    if top.is_dir():
        raise MissingModuleError(current, caller)


def _linked_dirs(directory: Path, current: str) -> list[str]:
    """Folders that symlinked ``*.tf`` files point into (shared variable files): inputs too."""
    return sorted(
        {posixpath.normpath(posixpath.join(current, posixpath.dirname(link))) for link in _listing(directory)[1]}
    )


_BY_DEPTH: dict[tuple[Path, int, tuple[str, ...]], tuple[str, ...]] = {}


def closure_by_depth(root: Path, start: str, sources: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`closure` for sources that climb to the repository's top (``../../modules/x``): the
    same for every ``start`` as deep as this one (the result is repository-relative), so computed
    once per depth and sources (3,000 roots call a few dozen module sets)."""
    depth = start.count("/") + 1
    if ".." in start.split("/") or not all(s.startswith("../" * depth) for s in sources):
        return tuple(closure(root, start, list(sources)))
    key = (root, depth, sources)
    found = _BY_DEPTH.get(key)
    if found is None:
        found = _BY_DEPTH[key] = tuple(closure(root, start, list(sources)))
    return found


_RELATIVE: dict[tuple[Path, str, int, tuple[str, ...]], tuple[str, ...]] = {}


def relative_closure(root: Path, start: str, sources: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`closure_by_depth`, each directory relative to ``start`` (``../../../../modules/x``).
    When no directory shares ``start``'s first folder, that is ``../`` per level of ``start`` and
    the directory: the same for every start as deep under the same folder, so computed once per
    depth and sources (atlantis.yaml's triggers: 45,000 paths at 1,000 services x 3)."""
    top, depth = start.partition("/")[0], start.count("/") + 1
    key = (root, top, depth, sources)
    found = _RELATIVE.get(key)
    if found is None:
        reached = closure_by_depth(root, start, sources)
        if (
            start in ("", ".")
            or ".." in start.split("/")
            or any(d.startswith("..") or d.partition("/")[0] == top for d in reached)
        ):
            return tuple(posixpath.relpath(d, start) for d in reached)  # not shared: computed for this start
        found = _RELATIVE[key] = tuple("../" * depth + d for d in reached)
    return found


def clear_cache() -> None:
    _RELATIVE.clear()
    _BY_DEPTH.clear()
    _local_sources.cache_clear()
    _listing.cache_clear()
    _closure.cache_clear()
    _SOURCES.clear()
