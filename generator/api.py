"""The library API: load, validate, plan, diff and write. The CLI is a thin layer over this.

One ``gen`` is one pass: spec (load_repo) -> plan (generator.plan.ir.build, once) -> render (each
service root from its module calls, or from the per-root cache; atlantis.yaml, CODEOWNERS, the
allocation files, alerts and destroy-only roots every run) -> write (diff, apply, stamp, manifest).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.spec import version
from generator.write import stamp as incremental

if TYPE_CHECKING:  # the stages are imported where they run: a `gen` with nothing to do loads none of them
    from generator import cachedir
    from generator.plan import ir
    from generator.plan.roots import OutputFile, Root
    from generator.spec.load import Unchecked
    from generator.spec.models import Repo
    from generator.write import apply as write
    from generator.write import cache


FRAGMENTS = "atlantis-fragments"  # atlantis.yaml's project blocks by key (generator.render.atlantis)


@dataclass(frozen=True)
class Result:
    changes: list[write.Change]
    interrupted: bool  # a previous run was interrupted (its journal was found)

    def report(self, *, check: bool) -> list[tuple[str, bool]]:
        """What `gen` prints of this run, (text, to stderr), before its verdict under ``--check``
        (the CLI's `gen` and the console script's, generator/entry.py)."""
        lines = []
        if self.interrupted:
            verb = "was interrupted; run 'infragen gen' to complete it" if check else "was interrupted; completed now"
            lines.append((f"note: a previous 'infragen gen' {verb}", True))
        if self.changes:  # one write: a line at a time took 50-70 ms for a first gen's 15,000 lines
            lines.append(("\n".join(f"{c.action:7} {c.path}  ({c.reason})" for c in self.changes), False))
        if not check:
            lines.append((f"{len(self.changes)} file(s) changed", False))
        return lines


def validate(root: Path) -> Repo:
    """Load and check every input file (infragen.yaml included). Raises SpecError listing all problems,
    or GeneratorVersionError alone when infragen.yaml needs another generator."""
    from generator.render import terragrunt
    from generator.spec.load import load_repo

    version.require(root)  # before any schema: a newer repository's fields are not errors here
    terragrunt.flavor(root)
    return load_repo(root)


@dataclass
class Rendered:
    """The files of one run: ``files`` to compare with the tree, ``verified`` paths the per-root cache
    or the comparison found already right on disk (not rendered), ``absent`` paths of ``files`` the
    comparison found missing (with a Staging: written ahead to it, content left out), and the cache
    entries for the manifest."""

    files: list[OutputFile]
    verified: set[str] = field(default_factory=set)
    absent: set[str] = field(default_factory=set)
    hits: dict[str, cache.Entry] = field(default_factory=dict)  # root dir -> entry, verified
    misses: dict[str, tuple[str, list[OutputFile]]] = field(default_factory=dict)  # root dir -> key, files
    # root dir -> entry of a root rendered and found on disk as rendered (by the process that rendered it)
    compared: dict[str, cache.Entry] = field(default_factory=dict)


def render(
    root: Path,
    plan: ir.Plan,
    manifest: dict[str, cache.Entry] | None = None,
    fragments: cachedir.ByKey | None = None,
    tree: incremental.Tree | None = None,
    *,
    compare: bool = False,
    meanwhile: Callable[[], object] | None = None,
    staging: write.Staging | None = None,
) -> Rendered:
    """Every file of the plain flavor. A service root whose key and files match ``manifest`` is
    neither planned nor rendered: its paths are returned as verified. ``fragments``: atlantis.yaml's
    project blocks by what they are printed from (generator.render.atlantis). ``tree``: this run's
    walk, whose stat signatures the manifest's are compared with first. ``compare``: each rendered
    root's files are compared with the disk where they were rendered (on every core), and those
    already on disk are returned as verified instead of as files; with a manifest, a root counts
    whole (every file on disk as rendered: its paths and its new manifest entry come back, else all
    its files, as without comparing).
    ``meanwhile``: other work of this process (the cross-file rules), done first while forked
    children render the roots; its exception stops them. ``staging`` (with ``compare``): each
    file not on disk is written there by the process that rendered it, and returned without its
    text, its path in ``absent`` (generator.write.apply.Staging)."""
    from generator import parallel
    from generator.plan import alerts, keys, retired
    from generator.plan.roots import priority_files
    from generator.render.atlantis import atlantis_file, codeowners_file
    from generator.render.roots import root_files
    from generator.render.workflows import drift_workflow_file
    from generator.write import apply as write
    from generator.write import cache

    result = Rendered(files=[])
    now = cache.now_ns()  # when the compared roots' entries are taken (cache.entry)
    todo: list[tuple[Root, str]] = []
    for item in plan.roots:
        key = keys.root_key(plan, item) if manifest is not None else ""
        found = manifest.get(item.dir) if manifest is not None else None
        if found is not None and found.key == key and cache.verify(root, found, tree.files if tree else None):
            result.hits[item.dir] = found
            result.verified.update(f.path for f in found.files)
            continue
        todo.append((item, key))

    def chunk(
        items: Sequence[tuple[Root, str]],
    ) -> list[tuple[list[OutputFile], list[str], list[str], cache.Entry | None]]:
        found = [root_files(plan.body(item)) for item, _ in items]
        if not compare:
            return [(files, [], [], None) for files in found]
        if manifest is not None:
            return [_compared(root, key, files, now) for (_, key), files in zip(items, found, strict=True)]
        return [(*_staged(*write.unchanged_on_disk(root, files), staging), None) for files in found]

    def shared() -> None:  # the files besides the service roots, while children render those
        if meanwhile is not None:
            meanwhile()
        result.files.extend(priority_files(plan.repo, plan.priorities))
        result.files.extend(f for body in alerts.bodies(plan.repo) for f in root_files(body))
        result.files.extend(retired.destroy_only_files(list(plan.retired)))
        result.files.append(atlantis_file(root, plan.repo, plan.retired, plan.roots, fragments))
        result.files.append(codeowners_file(plan.repo, plan.retired))
        workflow = drift_workflow_file(plan.repo)
        if workflow is not None:
            result.files.append(workflow)

    # each root is a pure function of the plan: a cold run spreads them over the cores
    rendered = parallel.map_shared(chunk, todo, minimum=64, meanwhile=shared, grain=32)
    for (item, key), (files, same, absent, entry) in zip(todo, rendered, strict=True):
        result.files.extend(files)
        result.verified.update(same)
        result.absent.update(absent)
        if entry is not None:
            result.compared[item.dir] = entry
        elif manifest is not None:
            result.misses[item.dir] = (key, files)
    result.files.sort(key=lambda f: f.path)
    return result


def _compared(
    root: Path, key: str, files: list[OutputFile], now: int
) -> tuple[list[OutputFile], list[str], list[str], cache.Entry | None]:
    """A rendered root of a run with the per-root cache, compared with the disk by the process that
    rendered it: when every file is there as rendered, only its paths and its manifest entry come
    back (the first gate of a checkout, a first `gen` after a clone or an upgrade: this process would
    otherwise read every file again to diff it, and seal it again to record it), else all its files."""
    from generator.spec import naming
    from generator.write import apply as write
    from generator.write import cache

    differ, same, absent = write.unchanged_on_disk(root, files)
    found = None if differ else cache.entry(root, key, ((f.path, naming.seal(f.content)) for f in files), now)
    # else all its files; those not on disk are created without being looked for again
    return ([], same, [], found) if found is not None else (files, [], absent, None)


def _staged(
    differ: list[OutputFile], same: list[str], absent: list[str], staging: write.Staging | None
) -> tuple[list[OutputFile], list[str], list[str]]:
    """A rendered root's comparison with the disk, its new files written to ``staging``: they come
    back without their text (only created, never compared: see write.apply.diff's ``absent``)."""
    if staging is None or not absent:
        return differ, same, absent
    from generator.plan.roots import OutputFile

    new = set(absent)
    files = []
    for item in differ:
        if item.path in new:
            staging.stage(item.path, item.content)
            item = OutputFile(item.path, "", item.inputs)
        files.append(item)
    return files, same, absent


def outputs(root: Path, repo: Repo) -> list[OutputFile]:
    """Every file the repository should contain (no cache)."""
    from generator.plan import ir
    from generator.render import terragrunt

    plan = ir.build(root, repo)
    if terragrunt.flavor(root) == "terragrunt":
        return _terragrunt_files(root, plan)
    return render(root, plan).files


def _terragrunt_files(root: Path, plan: ir.Plan) -> list[OutputFile]:
    """Every file of the Terragrunt flavor: every unit is planned (atlantis.yaml reads them all)."""
    from generator.render import terragrunt

    return terragrunt.outputs(root, plan.repo, plan.root_calls(), plan.priorities)


_walks: dict[Path, incremental.Tree] = {}  # up_to_date's walk, for this process's next generate() of that root


def up_to_date(root: Path) -> bool:
    """True when no file changed since a run that left the tree consistent (its no-op stamp
    matches): what ``generate(root)`` would find with nothing to do, answered by one walk. When
    False, that walk is the one the next ``generate(root)`` of this process starts from.
    Raises GeneratorVersionError when infragen.yaml needs another generator."""
    version.require(root)
    tree = incremental.current(root)
    if tree is None:
        return False
    if incremental.unchanged(root, tree):
        return True
    _walks[root] = tree
    return False


def generate(root: Path, *, check: bool = False) -> Result:
    """Regenerate everything under ``root``. With ``check``, only report what would change.
    Raises GeneratorVersionError first when infragen.yaml needs another generator."""
    version.require(root)
    with _collector_paused():
        return _run(root, check=check)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A run allocates millions of short-lived strings, tuples and dicts, which reference counting
    frees. The cyclic collector, triggered by those allocations, would only walk the long-lived
    models again and again: 0.3 s of a cold run's CPU at 1,000 x 3, and it dirties the pages that
    forked children share with this process. Peak memory of a full generation is unchanged
    (docs/design.md, "A cold run")."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(root: Path, *, check: bool) -> Result:
    walked = _walks.pop(root, None)
    if check:  # the staleness gate: concurrent gates of one checkout compute one verdict
        with incremental.reading(root) as waited:  # no writing run changes the tree meanwhile
            # The walk comes before the verdict's lock: a gate writes nothing in the tree, so the gates
            # that wait for the first one walk meanwhile instead of one after another behind the lock
            # (8 gates at once at 1,000 x 3 spent a walk each in that queue, a second in all).
            tree = (None if waited else walked) or incremental.current(root)
            with incremental.locked(root):
                found = incremental.verdict(root, tree)
                if found is not None:  # no file changed since a run that judged this very tree
                    from generator.write import apply as write

                    return Result(changes=[write.Change(*c) for c in found], interrupted=False)
                return _generate(root, check=True, tree=tree)
    with incremental.writing(root) as waited:  # writing runs of one repository take turns
        return _write(root, None if waited else walked)


def _write(root: Path, walked: incremental.Tree | None) -> Result:
    tree = walked or incremental.current(root)  # the run's one walk of the tree
    if incremental.unchanged(root, tree):  # no file changed since a run that left the tree consistent
        return Result(changes=[], interrupted=False)
    if tree is not None:  # stamps on (INFRAGEN_NO_STAMP: none): write.snapshot costs 15 ms of imports
        from generator.write import snapshot

        if snapshot.recorded(root):  # a run to start from (generator.delta: 55 ms of imports)
            from generator import delta

            changes = delta.run(root, tree)  # only a few services' files changed: only they are done again
            if changes is not None:
                return Result(changes=changes, interrupted=False)
    return _generate(root, check=False, tree=tree)


def _import_later_stages() -> None:
    """The modules a run needs once its input is read (jinja2 among them: 20 ms), imported while
    forked children read the input files of a cold run (spec.load.read_repo's ``spare``), so the
    children that render the roots inherit them."""
    import importlib

    from generator.render import jinja

    for name in (
        *("plan.alerts", "plan.ir", "plan.keys"),
        *("render.atlantis", "render.roots", "render.terragrunt", "render.workflows"),
        *("write.apply", "write.cache", "write.reasons"),
    ):
        importlib.import_module(f"generator.{name}")
    jinja.environment()


def _generate(root: Path, *, check: bool, tree: incremental.Tree | None) -> Result:
    from generator.spec.load import read_repo

    read: dict[str, str] = {}
    listed: list[list[str]] = []

    def spare() -> None:
        _import_later_stages()
        if tree is None:  # no walk of this run to find orphans in: accounts/ listed while children read
            from generator.write import apply as write

            listed.append(write.listed_outputs(root))

    # every file sound; its cross-file rules run while the roots render
    spec = read_repo(root, digests=read, spare=spare)

    from generator.render import terragrunt  # the later stages: a cold run imports them while children read
    from generator.write import apply as write
    from generator.write import cache

    # a first generation without caches: the renderers write each new file ahead (write.apply.Staging)
    ahead = not check and not cache.enabled() and terragrunt.flavor(root) != "terragrunt"
    staging = write.Staging.open(root) if ahead else None
    if not ahead and not check:
        write.Staging.clear(root)
    try:
        walked = tree.files.keys() if tree is not None else listed[0] if listed else None
        return _generate_read(root, spec, read, check=check, tree=tree, walked=walked, staging=staging)
    finally:
        if staging is not None:
            staging.close()


def _generate_read(
    root: Path,
    spec: Unchecked,
    read: dict[str, str],
    *,
    check: bool,
    tree: incremental.Tree | None,
    walked: Iterable[str] | None,
    staging: write.Staging | None,
) -> Result:
    """:func:`_generate` once the input is read: plan, render, rules, diff, write, record.
    ``walked``: the files of the tree as this run found them (its walk, else the listing of
    accounts/ taken while children read), for the orphan search; None: the diff lists them."""
    from generator import cachedir
    from generator.errors import SpecError
    from generator.plan import ir, keys
    from generator.render import terragrunt
    from generator.write import apply as write
    from generator.write import cache, reasons

    manifest = None
    try:
        plan = ir.build(root, spec.repo)
        if terragrunt.flavor(root) == "terragrunt":  # no per-root cache: every unit is planned anyway
            spec.check()
            rendered = Rendered(_terragrunt_files(root, plan))
        else:
            manifest = cache.load(root) if cache.enabled() else None
            fragments = cachedir.ByKey(FRAGMENTS, root) if manifest is not None else None
            rendered = render(
                root, plan, manifest, fragments, tree, compare=True, meanwhile=spec.check, staging=staging
            )
            if fragments is not None:
                fragments.save()
    except SpecError:
        raise
    except Exception:
        spec.check()  # a repository its cross-file rules reject may fail to plan: the problems, not a traceback
        raise
    spec.check()  # run by render() already (it returns at once); nothing was written before it
    inputs = reasons.Digests(root, read)  # the input files' digests, once for the reasons and the record
    changes = write.diff(
        root,
        rendered.files,
        rendered.verified,
        lambda: reasons.changed_inputs(root, keys.generator_digest(), inputs),
        walked,
        rendered.absent,
    )
    was_interrupted = write.interrupted(root)
    wrote = not check and bool(changes or was_interrupted)
    if wrote:
        if was_interrupted:
            write.recover(root)
        write.apply(root, rendered.files, changes, rendered.absent, staging)  # with a Staging: written ahead
    if manifest is not None and not was_interrupted:
        _record(root, rendered, changes if check else [])
    if not check or not (changes or was_interrupted):
        reasons.record(root, keys.generator_digest(), inputs)  # a consistent tree: the next run names what changed
        if manifest is not None and tree is not None and not was_interrupted:  # the next run can start from it
            _snapshot(root, tree, plan, rendered, changes, inputs.get())
        if wrote:
            incremental.discard(root)  # files just written are too young for a stamp
        else:
            incremental.record(root, tree=tree)
    elif not was_interrupted:  # a failed gate: the other projects' gates on this checkout print it
        incremental.record(root, [(c.path, c.action, c.reason) for c in changes], tree)
    return Result(changes=changes, interrupted=was_interrupted)


def _record(root: Path, rendered: Rendered, pending: list[write.Change]) -> None:
    """Store the manifest: verified roots (signatures refreshed), and every re-rendered root whose
    files on disk now equal what was rendered (all of them after a write; with --check, those
    without a pending change)."""
    from generator.spec import naming
    from generator.write import cache

    now = cache.now_ns()
    stale = {c.path for c in pending}
    entries = {d: cache.refreshed(root, e, now) for d, e in rendered.hits.items()}
    entries.update(rendered.compared)  # on disk as rendered when compared: no pending change
    for directory, (key, files) in rendered.misses.items():
        if any(f.path in stale for f in files):
            continue
        found = cache.entry(root, key, ((f.path, naming.seal(f.content)) for f in files), now)
        if found is not None:
            entries[directory] = found
    cache.store(root, entries)


def _snapshot(
    root: Path,
    tree: incremental.Tree,
    plan: ir.Plan,
    rendered: Rendered,
    changes: list[write.Change],
    inputs: dict[str, str],
) -> None:
    """Record this consistent run for the next one (generator/write/snapshot.py, generator/delta.py)."""
    from generator.plan import keys
    from generator.write import snapshot

    written = {c.path for c in changes if c.action != "delete"}
    deleted = [c.path for c in changes if c.action == "delete"]
    in_roots = {item.dir for item in plan.roots}
    kept = (f for f in rendered.files if f.path in written or f.path.rpartition("/")[0] not in in_roots)
    found = snapshot.Snapshot(
        generator=keys.generator_digest(),
        runtime=snapshot.runtime(),
        files=snapshot.signatures(tree, written, deleted),
        inputs=inputs,
        outputs={**snapshot.module_digests(root, tree), **snapshot.sealed_digests(kept)},
        plan=plan,
    )
    snapshot.store(root, tree, found)
