"""Cold runs spread the roots over the cores by fork (generator/parallel.py): the results come
back in order and byte for byte as one process makes them, and a child's failure is raised in the
parent (a user error as itself, a bug with the child's traceback)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import ORG, copy_inputs

from generator import api, parallel
from generator.errors import SpecError
from generator.plan import ir
from generator.spec import load
from generator.spec.load import load_repo
from generator.write import apply as write


def _squares(chunk: Sequence[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in chunk]


def test_results_come_back_in_order_from_several_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", "3")
    found = parallel.map_chunks(_squares, list(range(100)), minimum=10)
    assert [square for square, _ in found] == [n * n for n in range(100)]
    assert len({pid for _, pid in found}) == 3  # this process and two children
    assert found[0][1] == os.getpid()


def test_below_the_minimum_or_with_one_job_nothing_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", "4")
    assert {pid for _, pid in parallel.map_chunks(_squares, list(range(30)), minimum=16)} == {os.getpid()}
    monkeypatch.setenv("INFRAGEN_JOBS", "1")
    assert {pid for _, pid in parallel.map_chunks(_squares, list(range(300)), minimum=1)} == {os.getpid()}


def _fails_in_a_child(error: Callable[[], BaseException]) -> Callable[[Sequence[int]], list[int]]:
    parent = os.getpid()

    def compute(chunk: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            raise error()
        return list(chunk)

    return compute


def test_a_childs_user_error_is_raised_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", "2")
    with pytest.raises(SpecError) as raised:
        parallel.map_chunks(_fails_in_a_child(lambda: SpecError([])), list(range(10)), minimum=1)
    assert isinstance(raised.value.__cause__, parallel.ChildFailed)
    assert "Traceback" in str(raised.value.__cause__)


class _Unpicklable(Exception):
    def __reduce__(self) -> Any:
        raise TypeError("not picklable")


def test_a_childs_bug_that_cannot_travel_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", "2")
    with pytest.raises(parallel.ChildFailed, match=r"(?s)Traceback.*_Unpicklable"):
        parallel.map_chunks(_fails_in_a_child(_Unpicklable), list(range(10)), minimum=1)


def test_roots_rendered_in_forked_children_equal_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """api.render forks only for 64 roots or more; the fixture organization is forced through the
    children (every root in a child but the first chunk's) and compared with one process."""
    repo = load_repo(ORG)
    plan = ir.build(ORG, repo)
    monkeypatch.setenv("INFRAGEN_JOBS", "1")
    alone = api.render(ORG, plan).files
    real = parallel.map_shared
    forked: list[int] = []

    def forced(compute: Any, items: Sequence[Any], *, minimum: int, **options: Any) -> Any:
        assert minimum > 1
        forked.append(len(items))
        return real(compute, items, minimum=1, **{**options, "grain": 1})

    monkeypatch.setenv("INFRAGEN_JOBS", "4")
    monkeypatch.setattr(parallel, "map_shared", forced)
    spread = api.render(ORG, plan).files
    assert forked and forked[0] >= 4
    assert [(f.path, f.content, f.inputs) for f in spread] == [(f.path, f.content, f.inputs) for f in alone]


def test_a_cold_run_compares_each_root_where_it_was_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``compare`` the children read the disk: a root's files already there come back as
    verified paths, not as files; a changed or missing file comes back to be written."""
    repo_root = copy_inputs(tmp_path / "repo")
    monkeypatch.setenv("INFRAGEN_NO_STAMP", "1")
    api.generate(repo_root)
    staging = "accounts/staging/services/core/main.tf"
    (repo_root / staging).write_text("# hand-made\n", encoding="utf-8")
    (repo_root / "accounts/production/services/core/main.tf").unlink()
    plan = ir.build(repo_root, load_repo(repo_root))
    every = {f.path for f in api.render(repo_root, plan).files}
    _forced(monkeypatch)
    compared = api.render(repo_root, plan, compare=True)
    returned = {f.path for f in compared.files}
    assert staging in returned and "accounts/production/services/core/main.tf" in returned
    assert "accounts/staging/services/bpg/main.tf" in compared.verified
    assert returned | compared.verified == every
    assert not returned & compared.verified
    # the missing file is named as such, and the diff creates it without opening it again
    missing = "accounts/production/services/core/main.tf"
    assert compared.absent == {missing}
    opened: list[Path] = []
    real = write._read
    monkeypatch.setattr(write, "_read", lambda path: opened.append(path) or real(path))
    ours = [f for f in compared.files if f.path != staging]  # the hand-made file is not ours to judge
    changes = {c.path: c.action for c in write.diff(repo_root, ours, compared.verified, absent=compared.absent)}
    assert changes == {missing: "create"} and repo_root / missing not in opened and opened
    # compared as bytes: a file with CRLF line ends goes back to the diff, which reads it as text
    crlf = repo_root / "accounts/staging/services/bpg/outputs.tf"
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    again = api.render(repo_root, plan, compare=True)
    assert crlf.relative_to(repo_root).as_posix() in {f.path for f in again.files}
    monkeypatch.setenv("INFRAGEN_JOBS", "1")
    (repo_root / staging).unlink()  # the hand-made file: not ours to judge
    pending = {c.path for c in api.generate(repo_root, check=True).changes}
    assert crlf.relative_to(repo_root).as_posix() not in pending and staging in pending


def test_meanwhile_runs_here_while_every_chunk_is_computed_in_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", "3")
    here = os.getpid()
    ran: list[int] = []
    found = parallel.map_chunks(
        lambda chunk: [(x * 2, os.getpid()) for x in chunk], list(range(30)), minimum=1, meanwhile=lambda: ran.append(1)
    )
    assert [x for x, _ in found] == [x * 2 for x in range(30)]
    assert here not in {pid for _, pid in found} and len({pid for _, pid in found}) == 3
    assert ran == [1]


def test_meanwhile_without_forking_runs_after_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", "1")
    order: list[str] = []
    found = parallel.map_chunks(
        lambda chunk: order.append("compute") or list(chunk),
        [1, 2],
        minimum=1,
        meanwhile=lambda: order.append("meanwhile"),
    )
    assert found == [1, 2] and order == ["compute", "meanwhile"]


@pytest.mark.parametrize(("jobs", "spared"), [("3", ["meanwhile", "spare"]), ("1", ["meanwhile"])])
def test_spare_work_runs_only_while_children_compute(
    monkeypatch: pytest.MonkeyPatch, jobs: str, spared: list[str]
) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", jobs)
    order: list[str] = []
    found = parallel.map_chunks(
        lambda chunk: list(chunk),
        list(range(30)),
        minimum=1,
        meanwhile=lambda: order.append("meanwhile"),
        spare=lambda: order.append("spare"),
    )
    assert found == list(range(30)) and order == spared


def test_a_cold_read_imports_what_comes_next_while_children_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """spec.load.read_repo's ``spare`` (the detectors of the secrets rule, the caller's imports)
    runs while children read a cold repository's files, and not when one process reads them (a
    small repository, or the input cache warm): there it would only delay the run."""
    repo_root = copy_inputs(tmp_path / "repo")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ran: list[str] = []
    _forced(monkeypatch)
    load.read_repo(repo_root, spare=lambda: ran.append("cold")).check()
    load.read_repo(repo_root, spare=lambda: ran.append("warm")).check()  # the input cache answers
    monkeypatch.setenv("INFRAGEN_JOBS", "1")
    monkeypatch.setenv("INFRAGEN_NO_CACHE", "1")
    load.read_repo(repo_root, spare=lambda: ran.append("one process")).check()
    assert ran == ["cold"]


def test_a_failure_meanwhile_stops_the_children(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", "2")

    def fail() -> None:
        raise SpecError([])

    with pytest.raises(SpecError):
        parallel.map_chunks(lambda chunk: list(chunk), list(range(10)), minimum=1, meanwhile=fail)


def _forced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork for any number of items (the fixture organization is far below the minimums)."""
    chunks, shared = parallel.map_chunks, parallel.map_shared
    monkeypatch.setenv("INFRAGEN_JOBS", "3")
    monkeypatch.setattr(
        parallel,
        "map_chunks",
        lambda compute, items, *, minimum, **options: chunks(compute, items, minimum=1, **options),
    )
    monkeypatch.setattr(
        parallel,
        "map_shared",
        lambda compute, items, *, minimum, **options: shared(compute, items, minimum=1, **{**options, "grain": 1}),
    )


def _where(chunk: Sequence[int]) -> list[tuple[int, int]]:
    return [(n * 3, os.getpid()) for n in chunk]


def _arrived(folder: Path, count: int) -> None:
    """A barrier between processes: mark this one in ``folder``, wait until ``count`` have."""
    (folder / str(os.getpid())).touch()
    deadline = time.monotonic() + 60
    while len(list(folder.iterdir())) < count:
        assert time.monotonic() < deadline, f"only {len(list(folder.iterdir()))} of {count} processes arrived"
        time.sleep(0.001)


def test_shared_work_comes_back_in_order_and_everyone_takes_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """parallel.map_shared: children take pieces from the queue while this process does its own
    work, then this process takes pieces too; the results are in the items' order."""
    monkeypatch.setenv("INFRAGEN_JOBS", "2")
    here = os.getpid()

    def slow(chunk: Sequence[int]) -> list[tuple[int, int]]:
        if os.getpid() != here and not (tmp_path / str(os.getpid())).exists():
            _arrived(tmp_path, 2)  # each child holds its first piece until the other has one too
        time.sleep(0.002)  # a piece takes a while: nobody drains the queue alone
        return _where(chunk)

    ran: list[str] = []

    def meanwhile() -> None:  # however slowly the children start, this process waits for both
        _arrived(tmp_path, 3)
        ran.append("here")

    found = parallel.map_shared(slow, list(range(200)), minimum=1, meanwhile=meanwhile, grain=1)
    assert [n for n, _ in found] == [n * 3 for n in range(200)] and ran == ["here"]
    assert {pid for _, pid in found} >= {here} and len({pid for _, pid in found}) == 3


def test_shared_work_below_the_minimum_stays_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", "4")
    order: list[str] = []
    found = parallel.map_shared(
        lambda chunk: order.append("compute") or _where(chunk),
        list(range(30)),
        minimum=64,
        meanwhile=lambda: order.append("meanwhile"),
        grain=8,
    )
    assert {pid for _, pid in found} == {os.getpid()} and order == ["compute", "meanwhile"]


def test_shared_work_a_childs_error_or_a_failure_meanwhile_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFRAGEN_JOBS", "2")
    here = os.getpid()
    fails = _fails_in_a_child(lambda: SpecError([]))

    def failing(chunk: Sequence[int]) -> list[int]:
        if os.getpid() != here:
            _arrived(tmp_path, 1)  # a child took a piece, and fails on it
        return fails(chunk)

    with pytest.raises(SpecError) as raised:
        # this process takes pieces only once a child has one: it could drain them all
        parallel.map_shared(failing, list(range(100)), minimum=1, meanwhile=lambda: _arrived(tmp_path, 2), grain=1)
    assert isinstance(raised.value.__cause__, parallel.ChildFailed)

    def fail() -> None:
        raise SpecError([])

    with pytest.raises(SpecError):
        parallel.map_shared(lambda chunk: list(chunk), list(range(100)), minimum=1, meanwhile=fail, grain=1)


def test_a_cold_run_lists_accounts_while_children_read_and_finds_the_orphans_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a walk of the run (stamps off: CI's gate) the orphan search needs the files under
    accounts/: a cold run lists them in the time it waits for the children reading the input files
    (read_repo's ``spare``), and the diff finds the orphans in that listing, as it does listing
    them itself when one process reads."""
    monkeypatch.setenv("INFRAGEN_NO_STAMP", "1")
    repo_root = copy_inputs(tmp_path / "repo", outputs=True)
    orphan = repo_root / "accounts/staging/services/gone/main.tf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes((repo_root / "accounts/staging/services/core/main.tf").read_bytes())
    listed: list[str] = []
    searched: list[object] = []
    real_list, real_search = write.listed_outputs, write.existing_generated
    monkeypatch.setattr(write, "listed_outputs", lambda root: listed.append("listed") or real_list(root))

    def search(root: Path, known: object = (), walked: object = None) -> list[str]:
        searched.append(walked)
        return real_search(root, known, walked)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "existing_generated", search)
    _forced(monkeypatch)
    spread = [(c.path, c.action) for c in api.generate(repo_root, check=True).changes]
    assert spread == [("accounts/staging/services/gone/main.tf", "delete")]
    assert listed == ["listed"] and searched[0] is not None  # listed while the children read, once
    monkeypatch.setenv("INFRAGEN_JOBS", "1")  # one process: no spare time, the diff lists accounts/ itself
    listed.clear()
    searched.clear()
    assert [(c.path, c.action) for c in api.generate(repo_root, check=True).changes] == spread
    assert listed == ["listed"] and searched == [None]


def test_a_cold_load_reads_the_spec_files_in_children_as_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing cached the service and environment files are read, parsed and checked in
    forked children (spec.load's prefetch): the models, the digests and every problem (a YAML
    error, a schema error, an unreadable file) are what one process finds."""
    monkeypatch.setenv("INFRAGEN_NO_CACHE", "1")
    repo_root = copy_inputs(tmp_path / "repo")
    alone_digests: dict[str, str] = {}
    monkeypatch.setenv("INFRAGEN_JOBS", "1")
    alone = load_repo(repo_root, digests=alone_digests)
    spread_digests: dict[str, str] = {}
    _forced(monkeypatch)
    assert load_repo(repo_root, digests=spread_digests) == alone
    assert spread_digests == alone_digests

    (repo_root / "services/core/service.yaml").write_text("name: core\nowner: [unclosed\n", encoding="utf-8")
    spec = repo_root / "services/bpg/service.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("desiredCount: 2", "desiredCount: two"), encoding="utf-8")
    (repo_root / "services/klausapproves/environments/staging.yaml").write_bytes(b"variables:\n  A: \xff\n")
    with pytest.raises(SpecError) as spread:
        load_repo(repo_root)
    monkeypatch.setenv("INFRAGEN_JOBS", "1")  # one process: the reference
    with pytest.raises(SpecError) as one:
        load_repo(repo_root)
    assert spread.value.problems == one.value.problems
    assert {p.file for p in one.value.problems} >= {
        "services/core/service.yaml",
        "services/bpg/service.yaml",
        "services/klausapproves/environments/staging.yaml",
    }


def _repo_with(tmp_path: Path, path: str, old: str, new: str) -> Path:
    repo_root = copy_inputs(tmp_path / "repo", outputs=True)
    spec = repo_root / path
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new), encoding="utf-8")
    return repo_root


@pytest.mark.parametrize(
    ("edit", "says", "forked"),
    [
        (
            ("services/klausapproves/service.yaml", "services: [bpg]", "services: [nope]"),
            "unknown service 'nope'",
            False,
        ),
        (("services/core/service.yaml", "owner: growth", "owner: nobody"), "unknown owner 'nobody'", True),
    ],
    ids=["the plan fails", "children render"],
)
def test_cross_file_rules_run_while_the_roots_render_and_their_problems_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: tuple[str, str, str], says: str, forked: bool
) -> None:
    """A cold `gen` plans and renders a repository whose files are each sound while its cross-file
    rules run (spec.load.Unchecked, api.render's meanwhile). A problem of those rules is what the
    run reports, even when planning that repository fails (a dependency on a service that does not
    exist: a KeyError in the plan), and nothing is written. With children rendering, the rules run
    in this process while they do, and their problem stops them."""
    monkeypatch.setenv("INFRAGEN_NO_STAMP", "1")
    monkeypatch.setenv("INFRAGEN_NO_CACHE", "1")
    repo_root = _repo_with(tmp_path, *edit)
    if forked:
        _forced(monkeypatch)
    where: list[str] = []
    real_check, real_render = load.Unchecked.check, api.render

    def check(self: load.Unchecked) -> Any:
        where.append("check")
        return real_check(self)

    def render(*args: Any, **options: Any) -> Any:
        where.append("render")
        return real_render(*args, **options)

    monkeypatch.setattr(load.Unchecked, "check", check)
    monkeypatch.setattr(api, "render", render)
    before = {p: p.read_bytes() for p in repo_root.rglob("*") if p.is_file()}
    with pytest.raises(SpecError) as raised:
        api.generate(repo_root)
    assert any(p.file == edit[0] and says in p.message for p in raised.value.problems), raised.value.problems
    assert where == (["render", "check"] if forked else ["check"])  # the plan failed before rendering
    assert {p: p.read_bytes() for p in repo_root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("services", "environments", "count"), [(1000, 1071, 2), (100, 212, 2), (10, 0, 2), (7, 30, 3)]
)
def test_a_cold_load_gives_each_child_files_of_about_equal_cost(services: int, environments: int, count: int) -> None:
    """spec.load's prefetch cuts the files by reading cost (a service.yaml about twice an
    environment file), every file in one group, each group of one kind or two where it straddles
    them (so a child compiles at most two validators)."""
    from generator.spec import load

    files = [(Path(f"services/s{i}/service.yaml"), "service") for i in range(services)]
    files += [(Path(f"services/s{i}/environments/dev.yaml"), "environment") for i in range(environments)]
    groups = load._balanced(files, count)  # type: ignore[arg-type]
    assert sorted(f for g in groups for f in g) == sorted(files) and len(groups) <= count
    costs = [sum(load._READ_COST[kind] for _, kind in group) for group in groups]
    assert max(costs) - min(costs) <= 2 * max(load._READ_COST.values())
    assert all(len({kind for _, kind in group}) <= 2 for group in groups)
    assert sum(len({kind for _, kind in group}) == 2 for group in groups) <= 1
