"""The per-root cache and the per-file input cache can never serve a stale root: after any edit of
any input file, generation with the caches warm from before the edit and generation with no cache
give byte-identical trees.

Each case starts from the example repository, generated twice with a cache folder of its own (so
the manifest of generator/write/cache.py holds every root), applies edits, then regenerates one
copy of that tree incrementally and another copy with ``INFRAGEN_NO_CACHE=1``. Both runs start from
the same files on disk (the allocation files and destroy-only roots are read back from the tree),
so any difference is the cache's fault.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import copy_inputs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import api, cachedir
from generator.errors import InfragenError
from generator.plan import ir
from generator.plan.roots import RootBody
from generator.spec import inputcache
from generator.write import cache, snapshot
from generator.write import stamp as incremental

EXAMPLES = int(os.environ.get("INFRAGEN_CACHE_EXAMPLES", "8"))
SERVICES = ("bpg", "core", "demo-service", "klausapproves")
ENVS = ("staging", "production")
Edit = Callable[[Path, int], None]


def _yaml(path: Path, change: Callable[[dict], None]) -> None:  # type: ignore[type-arg]
    if path.name == "service.yaml" and not path.is_file():
        return  # an earlier edit removed the service (remove_service): nothing left to edit
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    change(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _spec(repo: Path, n: int) -> Path:
    return repo / "services" / SERVICES[n % len(SERVICES)] / "service.yaml"


def desired_count(repo: Path, n: int) -> None:
    _yaml(_spec(repo, n), lambda d: d["spec"].__setitem__("desiredCount", 1 + n % 4))


def description(repo: Path, n: int) -> None:
    _yaml(_spec(repo, n), lambda d: d.__setitem__("description", f"Edited {n}."))


def owner(repo: Path, n: int) -> None:
    _yaml(_spec(repo, n), lambda d: d.__setitem__("owner", ("infra", "payments", "growth")[n % 3]))


def depend_on_service(repo: Path, n: int) -> None:
    """A dependency edge (consul callers, reads_from, order groups); cycles are invalid, both runs fail."""
    target = SERVICES[(n // 4 + 1 + n) % len(SERVICES)]

    def change(d: dict) -> None:  # type: ignore[type-arg]
        deps = d["spec"].setdefault("dependencies", {}).setdefault("services", [])
        deps.remove(target) if target in deps else deps.append(target)

    if target != _spec(repo, n).parent.name:
        _yaml(_spec(repo, n), change)


def use_datastore(repo: Path, n: int) -> None:
    """Declare or drop a dependency on another service's datastore (IAM users of the datastore's root)."""
    name = ("bpg-events", "core-db", "core-cache", "bpg-ledger")[n // 4 % 4]

    def change(d: dict) -> None:  # type: ignore[type-arg]
        deps = d["spec"].setdefault("dependencies", {}).setdefault("datastores", [])
        if name in (d.get("resources") or {}):
            return
        deps.remove(name) if name in deps else deps.append(name)

    _yaml(_spec(repo, n), change)


def environments(repo: Path, n: int) -> None:
    """Drop or restore an environment (a destroy-only root, a priority released)."""
    _yaml(_spec(repo, n), lambda d: d.__setitem__("environments", [["staging"], ["staging", "production"]][n // 4 % 2]))


def env_variable(repo: Path, n: int) -> None:
    path = _spec(repo, n).parent / "environments" / f"{ENVS[n % 2]}.yaml"
    _yaml(path, lambda d: d.setdefault("variables", {}).__setitem__("LOG_LEVEL", ("debug", "info", "warn")[n % 3]))


def env_file_removed(repo: Path, n: int) -> None:
    (_spec(repo, n).parent / "environments" / f"{ENVS[n % 2]}.yaml").unlink(missing_ok=True)


SIZES = ((256, 512), (512, 1024), (1024, 2048), (2048, 4096))


def size(repo: Path, n: int) -> None:
    """cpu and memory: read by the service's own roots and rules only (generator/delta.py's face)."""
    cpu, memory = SIZES[n % len(SIZES)]
    _yaml(_spec(repo, n), lambda d: d["spec"].__setitem__("resources", {"cpu": cpu, "memory": memory}))


def image(repo: Path, n: int) -> None:
    _yaml(_spec(repo, n), lambda d: d["spec"].__setitem__("image", f"registry.example.com/app:{n % 7}"))


def autoscaling(repo: Path, n: int) -> None:
    """Autoscaling set or dropped (a job's is an error in both runs)."""

    def change(d: dict) -> None:  # type: ignore[type-arg]
        if n % 3 == 0:
            d["spec"].pop("autoscaling", None)
        else:
            d["spec"]["autoscaling"] = {"resource": "cpu", "target": 40 + n % 50, "min": 1, "max": 2 + n % 5}

    _yaml(_spec(repo, n), change)


def env_overrides(repo: Path, n: int) -> None:
    """An environment's replica count and size (the spec's are overridden)."""
    path = _spec(repo, n).parent / "environments" / f"{ENVS[n % 2]}.yaml"
    cpu, memory = SIZES[n // 2 % len(SIZES)]

    def change(d: dict) -> None:  # type: ignore[type-arg]
        overrides = d.setdefault("overrides", {})
        overrides["desiredCount"] = 1 + n % 5
        overrides["resources"] = {"cpu": cpu, "memory": memory}

    _yaml(path, change)


def env_secret(repo: Path, n: int) -> None:
    path = _spec(repo, n).parent / "environments" / f"{ENVS[n % 2]}.yaml"
    name = f"TOKEN_{n % 3}"
    _yaml(path, lambda d: d.setdefault("secrets", {}).__setitem__(name, {"ssmParameter": f"/app/token-{n % 11}"}))


def account(repo: Path, n: int) -> None:
    path = repo / "accounts" / ENVS[n % 2] / "account.yaml"
    _yaml(path, lambda d: d.setdefault("defaultTags", {}).__setitem__("tier", f"t{n % 5}"))


def account_quotas(repo: Path, n: int) -> None:
    """Raised quotas: every service root of the account gains or changes max_security_groups."""
    path = repo / "accounts" / ENVS[n % 2] / "account.yaml"
    quotas = {
        "securityGroupsPerNetworkInterface": 5 + n % 4,
        "cloudMapInstancesPerNamespace": 2000 + n % 3,
        "targetsPerApplicationLoadBalancer": 1000 + n % 3,
        "networkInterfacesPerRegion": 5000 + n % 3,
        "securityGroupsPerRegion": 2500 + n % 3,
    }
    _yaml(path, lambda d: d.__setitem__("quotas", quotas))


def account_vpc(repo: Path, n: int) -> None:
    path = repo / "accounts" / ENVS[n % 2] / "account.yaml"
    _yaml(path, lambda d: d["network"].__setitem__("vpcId", f"vpc-0a1b2c3d4e5f6{n % 10:04d}"))


def cost_center(repo: Path, n: int) -> None:
    _yaml(
        repo / "teams.yaml",
        lambda d: d["teams"][("infra", "payments", "growth")[n % 3]].__setitem__("costCenter", f"CC-{n % 1000}"),
    )


def team_github(repo: Path, n: int) -> None:
    _yaml(
        repo / "teams.yaml",
        lambda d: d["teams"][("infra", "payments", "growth")[n % 3]].__setitem__("github", f"@lemon/t{n % 7}"),
    )


def priority(repo: Path, n: int) -> None:
    """Edit the committed allocation by hand: the root must follow the recorded priority."""
    path = repo / "accounts" / ENVS[n % 2] / "listener-priorities.yaml"
    if path.is_file():
        service = SERVICES[n % len(SERVICES)]
        text = re.sub(
            rf"(?m)^(  {re.escape(service)}: )\d+$", rf"\g<1>{100 + n % 900}", path.read_text(encoding="utf-8")
        )
        path.write_text(text, encoding="utf-8")


def priorities_removed(repo: Path, n: int) -> None:
    (repo / "accounts" / ENVS[n % 2] / "listener-priorities.yaml").unlink(missing_ok=True)


def add_service(repo: Path, n: int) -> None:
    folder = repo / "services" / f"added-{n % 3}"
    if folder.exists():
        shutil.rmtree(folder)
        return
    source = _spec(repo, n).parent
    shutil.copytree(source, folder)
    text = (folder / "service.yaml").read_text(encoding="utf-8")
    text = re.sub(rf"\b{re.escape(source.name)}-", f"added-{n % 3}-", text)  # its own datastores
    (folder / "service.yaml").write_text(re.sub(r"(?m)^name: .*$", f"name: added-{n % 3}", text), encoding="utf-8")


def remove_service(repo: Path, n: int) -> None:
    shutil.rmtree(_spec(repo, n).parent, ignore_errors=True)


def alarm_default(repo: Path, n: int) -> None:
    """Module alarm defaults: read by validation (overrides must lie within min/max)."""
    path = repo / "modules" / "platform" / ("service", "database", "queue")[n % 3] / "alarms.tf"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"max = (\d+)", f"max = {1 + n % 200}", text, count=1), encoding="utf-8")


def flavor(repo: Path, n: int) -> None:
    (repo / "infragen.yaml").write_text(f"flavor: {('terraform', 'terragrunt')[n % 2]}\n", encoding="utf-8")


def channel_file(repo: Path, n: int) -> None:
    """modules/channels.yaml added or removed (every environment on main: no git for tags here):
    an input of every main.tf header, through the cache key."""
    path = repo / "modules" / "channels.yaml"
    if n % 2:
        path.unlink(missing_ok=True)
    else:
        path.write_text(f"environments:\n  {ENVS[n // 2 % 2]}: main\n", encoding="utf-8")


EDITS: tuple[Edit, ...] = (
    desired_count,
    description,
    owner,
    depend_on_service,
    use_datastore,
    environments,
    env_variable,
    env_file_removed,
    size,
    image,
    autoscaling,
    env_overrides,
    env_secret,
    account,
    account_quotas,
    account_vpc,
    cost_center,
    team_github,
    priority,
    priorities_removed,
    add_service,
    remove_service,
    alarm_default,
    flavor,
    channel_file,
)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".infragen-journal" not in p.name
    }


def _generate(root: Path) -> str:
    try:
        api.generate(root)
    except InfragenError as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


@pytest.fixture
def warm(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], Path]]:
    """A factory of generated example repositories, each with a warm cache of its own."""
    monkeypatch.delenv("INFRAGEN_NO_STAMP", raising=False)
    monkeypatch.delenv("INFRAGEN_NO_CACHE", raising=False)
    base = tmp_path_factory.mktemp("warm")
    template = copy_inputs(base / "template")
    # one cache folder: manifests are per repository path, module sources per content
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    assert _generate(template) == "ok"
    manifest = cache.load(template)
    assert len(manifest) == len(list(template.glob("accounts/*/services/*/backend.tf")))
    count = 0

    def make() -> Path:
        nonlocal count
        count += 1
        repo = base / f"repo-{count}"
        shutil.copytree(template, repo, symlinks=True)
        # warm: the template's entries (other inodes, so every file is verified by its sha256)
        cache.store(repo, manifest)
        # and the template's parsed inputs (the per-file cache is per repository path too)
        inputs = inputcache.cache_file(repo)
        inputs.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(inputcache.cache_file(template), inputs)
        # and atlantis.yaml's project blocks (by key: nothing in them names the repository's path)
        fragments = cachedir.ByKey(api.FRAGMENTS, repo).file
        shutil.copyfile(cachedir.ByKey(api.FRAGMENTS, template).file, fragments)
        # and the snapshot of the last run (relative paths; every signature differs, so every
        # file is compared by content): a run after a few services' edits starts from it
        shutil.copyfile(snapshot.snapshot_file(template), snapshot.snapshot_file(repo))
        shutil.copyfile(snapshot.plan_file(template), snapshot.plan_file(repo))
        return repo

    yield make


def _check(repo: Path, edits: list[tuple[int, int]]) -> None:
    for index, n in edits:
        EDITS[index % len(EDITS)](repo, n)
    scratch = repo.with_name(repo.name + "-scratch")
    shutil.copytree(repo, scratch, symlinks=True)
    incremental = _generate(repo)
    os.environ["INFRAGEN_NO_CACHE"] = "1"
    try:
        from_scratch = _generate(scratch)
    finally:
        del os.environ["INFRAGEN_NO_CACHE"]
    assert incremental == from_scratch.replace(str(scratch), str(repo))
    assert _tree(repo) == _tree(scratch)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, len(EDITS) - 1), st.integers(0, 10_000)), min_size=1, max_size=3))
def test_random_edits(warm: Callable[[], Path], edits: list[tuple[int, int]]) -> None:
    _check(warm(), edits)


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param([(EDITS.index(use_datastore), 1)], id="dependency-datastore-users"),
        pytest.param([(EDITS.index(desired_count), 0)], id="dependency-spec"),  # bpg: read by its callers
        pytest.param([(EDITS.index(cost_center), 2)], id="teams-cost-center"),
        pytest.param([(EDITS.index(account_vpc), 0)], id="account-file"),
        pytest.param([(EDITS.index(add_service), 1)], id="add-service"),
        pytest.param([(EDITS.index(remove_service), 0)], id="remove-service"),
        pytest.param([(EDITS.index(alarm_default), 0)], id="module-alarm-defaults"),
        pytest.param([(EDITS.index(priority), 3)], id="allocation-file"),
        pytest.param([(EDITS.index(flavor), 1)], id="flavor"),
        pytest.param([(EDITS.index(channel_file), 0)], id="channel-file"),
    ],
)
def test_hand_picked(warm: Callable[[], Path], edits: list[tuple[int, int]]) -> None:
    _check(warm(), edits)


def test_unchanged_roots_are_not_planned(warm: Callable[[], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The caches are used: after one spec edit, only that service's roots are planned and rendered,
    and no project block of atlantis.yaml is computed again (a replica count is not in it)."""
    from generator.render import atlantis

    repo = warm()
    planned: list[str] = []
    fragments: list[str] = []
    real = ir.Plan.body
    real_fragment = atlantis._fragment_of

    def spy(self: ir.Plan, root: ir.Root) -> RootBody:
        planned.append(root.dir)
        return real(self, root)

    def spy_fragment(order: Any, root: ir.Root) -> str:
        fragments.append(root.dir)
        return real_fragment(order, root)

    monkeypatch.setattr(ir.Plan, "body", spy)
    monkeypatch.setattr(atlantis, "_fragment_of", spy_fragment)
    desired_count(repo, 1)  # core: no other service reads it
    assert _generate(repo) == "ok"
    assert sorted(planned) == ["accounts/production/services/core", "accounts/staging/services/core"]
    assert fragments == []


@pytest.fixture
def delta_runs(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What each generator.delta.run of the test returned (None: the full run was taken)."""
    from generator import delta

    results: list[object] = []
    real = delta.run

    def spy(root: Path, tree: Any) -> Any:
        results.append(real(root, tree))
        return results[-1]

    monkeypatch.setattr(delta, "run", spy)
    return results


@pytest.mark.parametrize(
    ("edit", "n"),
    [
        (desired_count, 1),
        (size, 1),
        (image, 1),
        (autoscaling, 1),
        (env_variable, 3),  # klausapproves/environments/production.yaml
        (env_overrides, 3),
        (env_secret, 3),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_a_service_s_own_edit_starts_from_the_snapshot(
    warm: Callable[[], Path], delta_runs: list[object], edit: Edit, n: int
) -> None:
    """An edit only the service's own roots read is done from the last run's snapshot
    (generator/delta.py), and the tree equals generation from scratch."""
    _check(warm(), [(EDITS.index(edit), n)])
    assert delta_runs[0] is not None, "the full run was taken"
    if edit is not image:  # the image is the deploy's (outside Terraform): no root changes
        assert delta_runs[0] != [], "the edit changed nothing"


@pytest.mark.parametrize(("edit", "n"), [(owner, 1), (use_datastore, 1), (environments, 1), (add_service, 1)])
def test_an_edit_others_read_takes_the_full_run(
    warm: Callable[[], Path], delta_runs: list[object], edit: Edit, n: int
) -> None:
    _check(warm(), [(EDITS.index(edit), n)])
    assert delta_runs[0] is None


def test_successive_own_edits_each_start_from_the_last_run(warm: Callable[[], Path], delta_runs: list[object]) -> None:
    """Each run after an edit starts from the snapshot the run before it left (files it wrote are
    compared by content), and the tree still equals generation from scratch."""
    repo = warm()
    plan = snapshot.plan_file(repo)
    written = plan.stat()
    for edit, n in ((desired_count, 1), (size, 5), (env_overrides, 3), (env_variable, 7)):
        edit(repo, n)
        assert _generate(repo) == "ok"
    assert all(r is not None for r in delta_runs), delta_runs
    # the plan was not written again: each run stored its services' models beside it
    assert (plan.stat().st_ino, plan.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    tree = incremental.walk(repo)
    loaded = snapshot.load(repo, tree)
    assert loaded is not None
    assert [s.name for s in loaded.overlay] == ["core", "klausapproves"]
    _check(repo, [(EDITS.index(env_secret), 3)])
    assert delta_runs[-2] is not None


def test_past_the_overlay_bound_the_plan_is_written_whole(
    warm: Callable[[], Path], delta_runs: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """More services redone since the plan was written than MAX_OVERLAY: the next run writes the
    plan whole again (its overlay empty), and later runs still start from it."""
    monkeypatch.setattr(snapshot, "MAX_OVERLAY", 1)
    repo = warm()
    plan = snapshot.plan_file(repo)
    first = plan.read_bytes()
    desired_count(repo, 1)  # core
    assert _generate(repo) == "ok"
    assert plan.read_bytes() == first  # one service redone: beside the plan
    size(repo, 3)  # klausapproves: two services, past the bound
    assert _generate(repo) == "ok"
    assert plan.read_bytes() != first
    loaded = snapshot.load(repo, incremental.walk(repo))
    assert loaded is not None and loaded.overlay == ()
    _check(repo, [(EDITS.index(env_variable), 7)])
    assert all(r is not None for r in delta_runs), delta_runs


def test_a_first_run_with_the_cache_compares_where_it_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder with nothing of this repository (the first gate of a checkout, a first `gen`
    after a clone or an upgrade): each root is compared with the disk by the process that rendered
    it, and one found there as rendered comes back as its manifest entry, not as files to diff. The
    verdict is the same, every such root is recorded, and the next run plans none of them."""
    from generator.write import apply as write

    monkeypatch.delenv("INFRAGEN_NO_STAMP", raising=False)
    monkeypatch.setenv("INFRAGEN_NO_CACHE", "1")
    repo = copy_inputs(tmp_path / "repo")
    assert _generate(repo) == "ok"
    edited = repo / "accounts/staging/services/core/main.tf"
    edited.write_text(edited.read_text(encoding="utf-8") + "# by hand\n", encoding="utf-8")
    monkeypatch.delenv("INFRAGEN_NO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    roots = sorted(str(p.parent.relative_to(repo)) for p in repo.glob("accounts/*/services/*/backend.tf"))
    diffed: list[str] = []
    real_diff = write.diff

    def spy_diff(root: Path, planned: Any, *args: Any, **kwargs: Any) -> Any:
        planned = list(planned)
        diffed.extend(f.path for f in planned)
        return real_diff(root, planned, *args, **kwargs)

    monkeypatch.setattr(write, "diff", spy_diff)
    changes = api.generate(repo, check=True).changes
    assert [(c.path, c.action) for c in changes] == [("accounts/staging/services/core/main.tf", "update")]
    in_roots = {p.rpartition("/")[0] for p in diffed} & set(roots)
    assert in_roots == {"accounts/staging/services/core"}  # only the edited root's files were diffed here
    assert sorted(cache.load(repo)) == [r for r in roots if r != "accounts/staging/services/core"]

    planned: list[str] = []
    real_body = ir.Plan.body

    def spy_body(self: ir.Plan, root: ir.Root) -> RootBody:
        planned.append(root.dir)
        return real_body(self, root)

    monkeypatch.setattr(ir.Plan, "body", spy_body)
    assert [c.path for c in api.generate(repo, check=True).changes] == ["accounts/staging/services/core/main.tf"]
    assert planned == ["accounts/staging/services/core"]
