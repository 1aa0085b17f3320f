"""The last consistent run, kept so the next run can start from what changed (generator/delta.py).

After a run that left the tree consistent (a `gen` that wrote what it planned, or found nothing to
write), :func:`record` stores in the user's cache folder, one per repository path:

- the run's plan (generator/plan/ir.py: every validated model, the priorities, the roots);
- the stat signature of every file of the repository as the run's walk found it (None for a file
  the run wrote, or one changed within SETTLE_NS of the walk: its content is compared instead);
- the sha256 of every input file and of the generated files outside the service roots (and of
  every file the run wrote); the service roots' files are in the per-root manifest;
- the generator's digest and a digest of the package's part of the walk.

The snapshot is a pickle of the generator's own frozen models, read only when its header names the
same generator files the running one is made of (a changed package is a changed model). It lives
beside the other caches, written by the user it belongs to, and is never committed.

The plan is kept in a file of its own, written by a full run: a run that redid a few services
(generator/delta.py) stores only their models beside it (the overlay; the plan read back is the
stored one with them planned again, :func:`generator.plan.ir.replanned`), instead of pickling
the whole plan again: 30 ms of a one-file change at 1,000 x 3. Past MAX_OVERLAY services, the
plan is written whole again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator import cachedir
from generator.spec import naming
from generator.write.cache import sealed_sha256
from generator.write.stamp import SETTLE_NS, Signature, Tree, sees

if TYPE_CHECKING:
    from generator.plan.ir import Plan
    from generator.plan.roots import OutputFile
    from generator.spec.models import Service

SNAPSHOT_VERSION = 2  # 2: the plan in a file of its own, with an overlay of the services redone since
MAX_OVERLAY = 64  # services redone since the plan was written whole, past which it is written again


# What generation reads or writes: its inputs (teams.yaml, infragen.yaml, services/), the modules,
# accounts/ (account files, generated roots, allocation files) and the generated top-level files.
# Any other file of the repository (a README, CI configuration, the generator's own source when it
# lives in the repository) cannot change what a run writes.
READ_FOLDERS = ("services/", "modules/", "accounts/")
READ_FILES = frozenset({"teams.yaml", "infragen.yaml", "atlantis.yaml", "CODEOWNERS"})


def relevant(path: str) -> bool:
    """Whether generation reads or writes the repository file ``path`` (relative POSIX)."""
    return path.startswith(READ_FOLDERS) or path in READ_FILES


def snapshot_file(root: Path) -> Path:
    return cachedir.per_repository("snapshots", root, ".pickle")


def plan_file(root: Path) -> Path:
    return cachedir.per_repository("snapshots", root, ".plan.pickle")


def recorded(root: Path) -> bool:
    """Whether a snapshot of ``root`` may be there to start from: without one, a run need not import
    generator.delta (and the plan and render stages with it) before it reads the input files, which
    a cold run does on every core while this process imports those stages (generator/api.py)."""
    return cachedir.caches_enabled() and snapshot_file(root).is_file()


@dataclass(frozen=True)
class Snapshot:
    generator: str  # generator.plan.keys.generator_digest() of the run
    runtime: str  # :func:`runtime`: what renders besides the package
    files: dict[str, Signature | None]  # every :func:`relevant` file -> its signature (None: compare content)
    inputs: dict[str, str]  # every input file -> sha256 (generator/write/reasons.py's record)
    # sha256 of the modules' files, the generated files outside service roots and the files the run
    # wrote (the other files of service roots are in the per-root manifest)
    outputs: dict[str, str]
    plan: Plan
    # the stored plan ``plan`` was read from or written as ("": none yet, a full run's), and the
    # models of the services redone since, which ``plan`` holds planned again
    base: str = ""
    overlay: tuple[Service, ...] = ()


@dataclass(frozen=True)
class _Stored:
    """What the snapshot file holds: the snapshot without its plan, which is ``base``'s."""

    generator: str
    runtime: str
    files: dict[str, Signature | None]
    inputs: dict[str, str]
    outputs: dict[str, str]
    base: str
    overlay: tuple[Service, ...]


def runtime() -> str:
    """The Python and Jinja versions (the package's own files are compared through the walk)."""
    import jinja2

    return f"py{sys.version_info[:2]} jinja{jinja2.__version__}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load(root: Path, tree: Tree) -> Snapshot | None:
    """The snapshot of ``root`` when the running generator is the one that recorded it (the
    package's files as ``tree`` walked them), else None."""
    if not cachedir.caches_enabled():
        return None
    found = _read(snapshot_file(root), tree)
    if not isinstance(found, _Stored):
        return None
    kept = _read(plan_file(root), tree)
    if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == found.base):
        return None
    from generator.plan import ir

    plan = kept[1]
    if not isinstance(plan, ir.Plan):
        return None
    if found.overlay:
        plan = ir.replanned(plan, {s.name: s for s in found.overlay})
    return Snapshot(
        generator=found.generator,
        runtime=found.runtime,
        files=found.files,
        inputs=found.inputs,
        outputs=found.outputs,
        plan=plan,
        base=found.base,
        overlay=found.overlay,
    )


def _read(path: Path, tree: Tree) -> object:
    """The payload of a file :func:`_write` wrote for the running generator, else None."""
    try:
        version, outside, payload = pickle.loads(path.read_bytes())
        if version != SNAPSHOT_VERSION or outside != tree.outside:
            return None
        return pickle.loads(payload)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        # a file that cannot be read is a cache miss
        return None


def _write(path: Path, tree: Tree, value: object) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    cachedir.write_atomic(
        path, pickle.dumps((SNAPSHOT_VERSION, tree.outside, payload), protocol=pickle.HIGHEST_PROTOCOL)
    )


def store(root: Path, tree: Tree, snapshot: Snapshot) -> None:
    """Record ``snapshot``: its plan whole when it has no stored plan or too many services were
    redone since (then first, so that a snapshot file never names a plan not written yet), else
    only its overlay beside the stored plan."""
    if not cachedir.caches_enabled():
        return
    base, overlay = snapshot.base, snapshot.overlay
    if not base or len(overlay) > MAX_OVERLAY:
        # a plan without what it computed on demand (its model texts are keyed by object id, which
        # means nothing in another process)
        base, overlay = os.urandom(16).hex(), ()  # names this very file: the snapshot file refers to it
        _write(plan_file(root), tree, (base, dataclasses.replace(snapshot.plan)))
    stored = _Stored(
        snapshot.generator, snapshot.runtime, snapshot.files, snapshot.inputs, snapshot.outputs, base, overlay
    )
    _write(snapshot_file(root), tree, stored)


def signatures(
    tree: Tree,
    written: Iterable[str],
    deleted: Iterable[str],
    base: Mapping[str, Signature | None] | None = None,
    touched: Iterable[str] = (),
) -> dict[str, Signature | None]:
    """The files' signatures after a run: ``base`` (else the walk) with the walk's signature of each
    ``touched`` file, None for files written (or too young to trust), deleted files gone."""
    limit = tree.taken - SETTLE_NS

    def trusted(sig: Signature) -> Signature | None:
        return sig if sig[1] < limit and sig[2] < limit else None

    walked = tree.files
    if base is None:
        files: dict[str, Signature | None] = {p: trusted(s) for p, s in walked.items() if relevant(p)}
    else:
        files = dict(base)
        for path in touched:
            sig = walked.get(path)
            files[path] = trusted(sig) if sig is not None else None
    for path in written:  # not .github/workflows/drift.yml: the walk skips dot folders, as the stamp does
        if sees(path) and relevant(path):
            files[path] = None
    for path in deleted:
        files.pop(path, None)
    return files


def module_digests(root: Path, tree: Tree) -> dict[str, str]:
    """sha256 of every file under modules/ as the walk listed them."""
    found = {}
    for path in tree.files:
        if path.startswith("modules/"):
            with contextlib.suppress(OSError):
                found[path] = sha256((root / path).read_bytes())
    return found


def sealed_digests(files: Iterable[OutputFile]) -> dict[str, str]:
    """sha256 of each file as it is written (sealed)."""
    return {f.path: sealed_sha256(naming.seal(f.content)) for f in files}
