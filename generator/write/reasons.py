"""Why a generated file changes: which of its inputs changed since the tree was last consistent.

After a run that left the tree consistent, :func:`record` stores the sha256 of every input file
(teams.yaml, infragen.yaml, account files, service specs, environment files,
modules/channels.yaml and the modules' *.tf files) and the
generator's digest (generator/plan/keys.py: every file of the package, Python and Jinja versions)
in the user's cache folder, next to the no-op stamps. A later run names, for each file it must
update, the inputs of that file (its header's list, globs expanded) whose content differs from
that record, or that appeared or disappeared since; when none did, it says the generator changed
if the recorded digest differs from the running generator's. With no record (a fresh clone,
another machine), the inputs that git reports as changed against HEAD (modified, added, deleted,
untracked) are named instead, and an update none of whose inputs has an uncommitted change names
no input: it was caused by the generator or by an input committed without regenerating. File
times are never trusted: a checkout writes files in any order.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator import cachedir
from generator.layout import MODULE_FILES

RECORD_VERSION = 2  # 2: the module files (atlantis.yaml's triggers follow their sources)
# Inputs the spec loader does not read, so not among the digests it returns (Digests): read here.
NOT_LOADED = (
    "infragen.yaml",
    "modules/channels.yaml",  # module release channels: the module sources of roots
    MODULE_FILES,
)
INPUT_PATTERNS = (
    "teams.yaml",
    "accounts/*/account.yaml",
    "services/*/service.yaml",
    "services/*/environments/*.yaml",
    *NOT_LOADED,
)


def _record_file(root: Path) -> Path:
    return cachedir.per_repository("inputs", root, ".json")


def digests(root: Path, patterns: Iterable[str] = INPUT_PATTERNS) -> dict[str, str]:
    """Every input file of the repository (relative POSIX path) -> sha256 of its bytes."""
    found: dict[str, str] = {}
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                try:
                    found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    continue
    return found


class Digests:
    """:func:`digests` of one run, computed on first use: the input files do not change while a run
    writes its outputs, and both the reasons and the record need them. ``read``: the digests of the
    spec files the loader read this run (generator/spec/load.py: teams.yaml, the account, service
    and environment files), used as they are; the other inputs are read here."""

    def __init__(self, root: Path, read: Mapping[str, str] | None = None, *, complete: bool = False) -> None:
        self.root = root
        self._read = read
        self._found: dict[str, str] | None = dict(sorted(read.items())) if complete and read is not None else None

    def get(self) -> dict[str, str]:
        """Every input file -> sha256 (``complete``: ``read`` is all of them already)."""
        if self._found is None:
            if self._read is None:
                self._found = digests(self.root)
            else:
                self._found = dict(sorted({**self._read, **digests(self.root, NOT_LOADED)}.items()))
        return self._found


def record(root: Path, generator: str, inputs: Digests | None = None) -> None:
    """Remember the inputs of a consistent tree and the ``generator`` digest that wrote it (skipped
    silently when the cache cannot be written)."""
    if not cachedir.stamps_enabled():
        return
    now = (inputs or Digests(root)).get()
    content = {"version": RECORD_VERSION, "inputs": now, "generator": generator}
    cachedir.write_atomic(_record_file(root), json.dumps(content).encode("utf-8"))


@dataclass(frozen=True)
class Changed:
    """Input files changed since the tree was last consistent. ``complete``: from this machine's
    record, so an input not listed did not change; from git, only uncommitted changes are known.
    ``generator``: whether the generator's digest differs from the recorded one (None: unknown,
    from git or from a record written before digests were recorded)."""

    files: frozenset[str]
    complete: bool
    generator: bool | None = None


def changed_inputs(root: Path, generator: str, inputs: Digests | None = None) -> Changed | None:
    """Input files changed since the last consistent run (by the record, else by git), and whether
    the running ``generator`` digest differs from the recorded one; None when neither can tell."""
    if cachedir.stamps_enabled():
        try:
            data = json.loads(_record_file(root).read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("version") == RECORD_VERSION:
                before = data["inputs"]
                if isinstance(before, dict):
                    now = (inputs or Digests(root)).get()
                    recorded = data.get("generator")
                    return Changed(
                        frozenset(p for p in before.keys() | now.keys() if before.get(p) != now.get(p)),
                        True,
                        recorded != generator if isinstance(recorded, str) else None,
                    )
        except (OSError, ValueError, KeyError):
            pass
    return _git_changed(root)


def _git_changed(root: Path) -> Changed | None:
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", "."],
            cwd=root,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    prefix = subprocess.run(
        ["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True, text=True, check=False
    ).stdout.strip()
    names = set()
    for entry in done.stdout.decode("utf-8", "replace").split("\0"):
        if len(entry) > 3:
            path = entry[3:]
            if prefix and path.startswith(prefix):
                path = path[len(prefix) :]
            if matches_any(path, INPUT_PATTERNS):
                names.add(path)
    return Changed(frozenset(names), False)


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, p) and path.count("/") == p.count("/") for p in patterns)


def reason(inputs: Iterable[str], changed: Changed | None) -> str:
    """The reason printed for updating a file generated from ``inputs`` (paths or globs)."""
    listed = list(inputs)
    named = sorted(p for p in changed.files if matches_any(p, listed)) if changed else []
    if named:
        return f"input changed: {', '.join(named)}"
    if changed is None:  # neither a record nor git: nothing is known
        return f"stale: {', '.join(listed)} or the generator changed since it was written"
    if not changed.complete:  # git: no input of this file has an uncommitted change
        return (
            "stale: none of its inputs has an uncommitted change; the generator changed, or an input was "
            "committed without 'make gen'"
        )
    if changed.generator is False:
        return (
            "stale: neither its inputs nor the generator changed since the tree was last consistent; "
            "the file was replaced since (a checkout or a copy)"
        )
    return "generator changed: none of its inputs changed since it was last written"
