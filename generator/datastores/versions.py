"""Engine versions and node types a datastore may use: the committed catalogue of a module, and
the version an environment runs (read from its committed root), which a spec may not go below.

ElastiCache and RDS cannot downgrade an engine in place
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/VersionManagement.html,
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html):
the provider would try, and the apply fails after the review. The "running" version is the
``engine_version`` the committed root passes to the datastore's module before this run rewrites
it: that is what Atlantis applied (or will, for a root whose PR is open), it is known offline and
it is what a reviewer sees in the diff.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Catalogue:
    """What a module supports (``modules/platform/<kind>/catalogue.yaml``)."""

    path: str  # relative to the repository, for messages
    versions: dict[str, tuple[str, ...]]  # engine -> versions
    node_types: tuple[str, ...]


@functools.cache
def _read_catalogue(path: Path, shown: str) -> Catalogue:
    import yaml  # only validation reads it

    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle) or {}
    engines = data.get("engines") or {}
    return Catalogue(
        path=shown,
        versions={str(e): tuple(str(v) for v in (d or {}).get("versions") or ()) for e, d in engines.items()},
        node_types=tuple(str(t) for t in data.get("nodeTypes") or ()),
    )


def catalogue(root: Path, module: str) -> Catalogue | None:
    """The catalogue of ``modules/<module>``, or None when the repository has none."""
    shown = f"modules/{module}/catalogue.yaml"
    path = root / shown
    return _read_catalogue(path, shown) if path.is_file() else None


def close(value: str, known: tuple[str, ...], limit: int = 4) -> str:
    """The closest supported values (``did you mean a, b?``), or all of them when none is close."""
    near = difflib.get_close_matches(value, known, n=limit, cutoff=0.6)
    return f"did you mean {' or '.join(near)}?" if near else f"supported: {', '.join(known)}"


def parts(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def older(pin: str, running: str) -> bool:
    """``pin`` names an older release than ``running``, compared on the parts both state: "16" is
    the 16 line and so not older than "16.4" (RDS applies the minor versions of a line), "15" is;
    "7.0" is older than "7.1"."""
    a, b = parts(pin), parts(running)
    n = min(len(a), len(b))
    return a[:n] < b[:n]


_MODULE = re.compile(r'^module "[A-Za-z0-9_-]+" \{\n(.*?)^\}', re.MULTILINE | re.DOTALL)
_ARG = re.compile(r'^\s+([a-z_]+)\s*=\s*"([^"\\]*)"\s*$', re.MULTILINE)


def running_version(root_dir: str | Path, datastore: str, module: str, engine: str | None = None) -> str | None:
    """``engine_version`` of the module block of ``datastore`` (``name = "<datastore>"``) in the
    committed ``<root_dir>/main.tf``, or None (no root yet, a Terragrunt unit, no such datastore).
    Only a block of the same ``module`` and, where the block states one, the same ``engine`` runs a
    version this one could downgrade: another engine under the same name (postgres to mysql) is a
    replacement, judged by plan-check's acknowledgements, not a downgrade."""
    path = os.path.join(root_dir, "main.tf")  # strings: pathlib's parsing was a third of this rule at 1,000 x 3
    try:
        st = os.stat(path)
    except OSError:
        return None
    args = _versioned_blocks(path, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)).get(datastore)
    if args is None:
        return None
    if f"modules/{module}" not in args.get("source", "") or args.get("engine", engine) != engine:
        return None
    return args["engine_version"]


@functools.lru_cache(maxsize=256)
def _versioned_blocks(path: str, signature: tuple[int, int, int, int]) -> dict[str, dict[str, str]]:
    """name -> the string arguments of each module block of ``path`` that sets an engine_version
    (read once per file content: a root's datastores share its main.tf; ``signature`` is the
    file's size, times and inode, so a rewritten file is read again)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return {}
    found: dict[str, dict[str, str]] = {}
    at = text.find("engine_version")
    while at != -1:  # only the blocks that mention it, found from each mention (a regex over every block was slow)
        start = text.rfind('\nmodule "', 0, at) + 1
        end = text.find("\n}", at)
        end = len(text) if end == -1 else end + 2
        block = _MODULE.match(text, start, end + 1)
        if block is not None:
            args: dict[str, str] = dict(_ARG.findall(block.group(1)))
            if "name" in args and "engine_version" in args:
                found.setdefault(args["name"], args)
        at = text.find("engine_version", end)
    return found
