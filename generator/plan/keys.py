"""Cache keys of service roots: a digest of exactly what planning and rendering one root read.

Planning a service root is a pure function of the validated model (no file is read while planning:
module sources and alarm defaults only feed atlantis.yaml and validation, which run every time).
So a root's key is a digest of the model parts it reads, with their values, not file names:

- the generator itself: every file of the package (code, templates, schemas), the Python minor
  version and the Jinja version;
- the root's directory, its declared inputs (its header), the services it reads (depends_on) and
  its cost center;
- its service (the whole spec with every environment file), its account, its owner team;
- for each dependency it declares (services and datastores): the owner service's name and the
  datastore as declared there, or None;
- for each of its datastores (after environment overrides): the services that use it (IAM users);
- the services that call it (Consul ``allowed_sources``);
- its external listener rule priority (allocated every run from the allocation file
  and every service of the account);
- its module release channel, the repository's git source when on a tag, and whether
  modules/channels.yaml exists (a header input of main.tf).

A value that is not here cannot change the root's files; tests/test_incremental_equals_scratch.py
checks that claim against generation from scratch for random edits of every input file.
"""

from __future__ import annotations

import hashlib
from functools import cache

from generator.fingerprint import package_digest
from generator.plan.ir import Plan
from generator.plan.roots import Root, references
from generator.spec.models import MAIN

KEY_VERSION = 2  # 2: models printed once per run (the same text)


@cache
def generator_digest() -> str:
    """The generator's own version: its package's digest, with the Jinja version it renders with."""
    import jinja2

    return hashlib.sha256(f"v{KEY_VERSION} jinja{jinja2.__version__} {package_digest()}".encode()).hexdigest()


def root_key(plan: Plan, root: Root) -> str:
    repo, service, env = plan.repo, root.service, root.account.env
    declared = sorted({*service.depends_on_datastores, *service.depends_on_services})
    owners = []
    for name in declared:
        found = repo.datastore_owner(name)
        owners.append((name, (found[0].name, found[1]) if found else None))
    own = sorted(
        {d.name for d in service.datastores} | {n for f in service.env_files for n, _ in f.datastore_overrides}
    )
    given = plan.priorities[env]
    parts = (
        generator_digest(),
        root.dir,
        root.inputs,
        root.depends_on,
        root.cost_center,
        plan.model_text(service),
        plan.model_text(root.account),
        repo.teams.get(service.owner),
        tuple(owners),
        tuple((name, plan.datastore_users.get(name, ())) for name in own),
        tuple(s.name for s in repo.dependents(service.name)),
        given["external"].get(service.name),
        tuple(references(repo, service)),  # references-<team>.tf names the owners and their teams
        root.modules,  # the release channel: its module sources (modules/channels.yaml)
        (repo.channels.source, repo.channels.modules_path) if root.modules != MAIN else None,
        root.channels_file,
    )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
