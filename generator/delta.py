"""A run that starts from what changed: one service's spec edited, only that service re-done.

After a consistent run, the snapshot (generator/write/snapshot.py) holds its plan and every file's
signature. A later `gen` compares this run's walk with it:

- files whose signature differs are read: an input whose sha256 equals the recorded one, or a
  generated file whose content is what was written, did not change;
- when every changed file is a spec or environment file of a few existing services
  (services/<name>/service.yaml, services/<name>/environments/<env>.yaml), each such service is
  read alone, checked against its schemas and made a model;
- when the parts of each model other services, the shared files and the cross-file rules read
  (its :func:`face`) are unchanged, nothing outside that service's roots can change: the
  service's own cross-file rules are judged against the snapshot's repository, its roots are
  planned and rendered, and the difference is written.

Anything else (another file changed, a file appeared or went, a problem found, the face changed,
another generator) returns None: the caller does the full run, which reports problems with every
other problem of the repository. tests/test_incremental_equals_scratch.py checks the claim behind
:func:`face` against generation from scratch for random edits of every kind of input.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from generator import cachedir
from generator.plan import ir
from generator.plan.roots import OutputFile
from generator.render.roots import root_files
from generator.spec.document import Document
from generator.spec.load import load_service
from generator.spec.models import EnvironmentFile, Service
from generator.write import apply as write
from generator.write import cache, reasons, snapshot
from generator.write import stamp as incremental

MAX_SERVICES = 8  # more changed services than this: the full run (a rebase, a bulk edit)


class _Elsewhere(Exception):
    """A rule asked for a document of another file: the full run judges it."""


class _TheirDocs(dict[str, Document]):
    """The documents of the changed services' files; asking for any other raises _Elsewhere."""

    def __missing__(self, key: str) -> Document:
        raise _Elsewhere(key)

    def get(self, key: str | None, default: Document | None = None) -> Document | None:  # type: ignore[override]
        return default if key is None else self[key]


def face(service: Service) -> Service:
    """``service`` without the parts only its own roots and its own rules read: its image, size,
    replica count, autoscaling, variables and secrets (the spec's and each environment's). The
    task ceilings also count toward their accounts' Cloud Map, load balancer target and network
    interface quotas: :func:`run` judges those rules again with the edited models."""
    return dataclasses.replace(
        service,
        image="",
        cpu=0,
        memory=0,
        desired_count=0,
        autoscaling=None,
        env_files=tuple(_env_face(f) for f in service.env_files),
    )


def _env_face(env_file: EnvironmentFile) -> EnvironmentFile:
    return dataclasses.replace(
        env_file,
        variables=(),
        secrets=(),
        not_secrets=(),
        desired_count=None,
        cpu=None,
        memory=None,
        autoscaling=None,
        autoscaling_set=False,
    )


def _changed_services(
    root: Path, snap: snapshot.Snapshot, tree: incremental.Tree
) -> tuple[set[str], dict[str, str], list[str]] | None:
    """The services whose files changed, the new sha256 of changed inputs, and the files read (their
    signatures are refreshed); None when anything else changed."""
    walked = tree.files
    known = snap.files
    if not known.keys() <= walked.keys():
        return None  # a file generation reads went
    relevant = snapshot.relevant
    touched = [p for p, sig in walked.items() if known.get(p, ()) != sig and relevant(p)]
    services: set[str] = set()
    digests: dict[str, str] = {}
    manifest: dict[str, str] | None = None
    for path in touched:
        if path not in known:
            return None  # a new file
        try:
            found = snapshot.sha256((root / path).read_bytes())
        except OSError:
            return None
        recorded = snap.inputs.get(path)
        if recorded is not None:
            if found == recorded:
                continue
            parts = path.split("/")
            own = (len(parts) == 3 and parts[2] == "service.yaml") or (
                len(parts) == 4 and parts[2] == "environments" and parts[3].endswith(".yaml")
            )
            if parts[0] != "services" or not own:
                return None
            services.add(parts[1])
            digests[path] = found
            continue
        expected = snap.outputs.get(path)
        if expected is None:
            if manifest is None:
                manifest = {f.path: f.sha256 for e in cache.load(root).values() for f in e.files}
            expected = manifest.get(path)
        if expected != found:
            return None  # a generated file changed by hand, or one nothing recorded
    return services, digests, touched


def run(root: Path, tree: incremental.Tree | None) -> list[write.Change] | None:
    """Regenerate after edits of a few services' files only; None when the full run is needed."""
    from generator.spec.rules import Context, service_rules, task_ceiling, task_sum_rules
    from generator.spec.workload import service_workload_problems

    if tree is None or write.interrupted(root):
        return None
    snap = snapshot.load(root, tree)
    if snap is None or snap.runtime != snapshot.runtime():
        return None
    found = _changed_services(root, snap, tree)
    if found is None:
        return None
    names, digests, touched = found
    if len(names) > MAX_SERVICES:
        return None
    repo = snap.plan.repo
    models: dict[str, Service] = {}
    docs = _TheirDocs()
    grew = False  # a task ceiling rose: the accounts' task sums (spec.rules.task_sum_rules) are judged again
    for name in sorted(names):
        loaded = load_service(root, name)
        old = repo.find_service(name)
        if loaded is None or old is None or face(loaded[0]) != face(old):
            return None
        models[name], their_docs, _ = loaded
        docs.update(their_docs)
        grew = grew or any(task_ceiling(models[name], env) > task_ceiling(old, env) for env in old.environments)
    repo = ir.with_services(repo, models)
    verdicts = cachedir.ByKey("secret-verdicts", root)  # each variable scanned once (spec/secrets.py)
    context = Context.of(root, repo, verdicts)
    try:
        for service in models.values():
            if service_rules(root, repo, service, docs, context):
                return None
            if service_workload_problems(repo, service, docs[service.file], docs):
                return None
        # task ceilings are not part of a face, but the accounts' Cloud Map, load balancer target and
        # network interface quotas add them up; the snapshot's repository fitted them, so only a
        # ceiling that rose can break one
        if grew and task_sum_rules(repo, docs):
            return None
    except _Elsewhere:
        return None
    verdicts.save()
    plan = ir.replanned(snap.plan, models)
    redone = [r for r in plan.roots if r.service.name in models]
    files: list[OutputFile] = [f for r in redone for f in root_files(plan.body(r))]
    inputs = reasons.Digests(root, {**snap.inputs, **digests}, complete=True)
    dirs = tuple(r.dir + "/" for r in redone)
    changes = write.diff(
        root,
        files,
        write.TOP_LEVEL_OUTPUTS,
        lambda: reasons.changed_inputs(root, snap.generator, inputs),
        [p for p in tree.files if p.startswith(dirs)],
    )
    if changes:
        write.apply(root, files, changes)
        incremental.discard(root)
    else:
        incremental.record(root, tree=tree)
    reasons.record(root, snap.generator, inputs)
    written = {c.path for c in changes if c.action != "delete"}
    deleted = {c.path for c in changes if c.action == "delete"}
    outputs = {p: sha for p, sha in snap.outputs.items() if p not in deleted}
    outputs.update(snapshot.sealed_digests(f for f in files if f.path in written))
    snapshot.store(
        root,
        tree,
        snapshot.Snapshot(
            generator=snap.generator,
            runtime=snap.runtime,
            files=snapshot.signatures(tree, written, deleted, snap.files, touched),
            inputs=inputs.get(),
            outputs=outputs,
            plan=plan,
            base=snap.base,  # the stored plan, with the services redone since it was written
            overlay=tuple(sorted({**{s.name: s for s in snap.overlay}, **models}.values(), key=lambda s: s.name)),
        ),
    )
    return changes
