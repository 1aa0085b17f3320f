"""`make bench`: issue 14's targets table, a plot against repository size and a profile, in one run.

For N = 10, 100, 1000 services x 3 environments (bench/synth.py) it measures, as the median of
several repetitions in this run:

- full generation: `infragen gen` (a child process: interpreter start included) on a fresh copy of
  the inputs, with the stamp and any cache off (empty XDG_CACHE_HOME and HOME), so every root is
  planned, rendered and written; in-process (``generator.api.generate``) alongside;
- the write floor: plain Python (open/write, no temp files) writing the same files, same paths and
  same bytes, into a fresh folder, in this process;
- no-op: a second `infragen gen` with nothing changed, default settings (stamp and cache on);
- one spec changed: one service.yaml gets a new desiredCount, then `infragen gen` with default
  settings; the files rewritten are counted from the tree;
- `gen --check` with no cache: INFRAGEN_NO_STAMP=1 and an empty XDG_CACHE_HOME and HOME per run, as
  CI on a fresh clone;
- peak memory: the max RSS of the full generation children (os.wait4);
- copier / infragen at N = 10 and 100: the same five files per root rendered by copier from the
  values infragen's templates received (bench/capture.py, bench/peer.py), checked byte for byte;
- first `make gen` on a fresh `git clone` of this repository (venv, pip install, gen);
- a speed check at the start and at the end (SPEED_PROBE: a fixed pure-Python workload's CPU
  time), since the same work's CPU time on a shared VM drifts by as much as half between runs.

Then it profiles (cProfile, bench/inproc.py) the operation furthest over its target at the largest N.
Files written are counted from the tree (inode and mtime of every file before and after), never
from infragen's output. Only the CLI and ``generator.api.generate(root, check=...)`` are used.

Nothing a measurement made is deleted before the run ends (the temporary folder goes at exit).
On ext4 without a journal, as on the machine these figures come from, the kernel will not reuse
an inode freed in the last 60 s (360 s while its inode-table block is still dirty): every new
file's allocation walks past each recently deleted inode (``recently_deleted()`` in
fs/ext4/ialloc.c). Here, 1,626 files took 0.05 s to create with nothing deleted nearby and 0.9 to
1.4 s after a few `rm -rf` of earlier trees, and perf put 60% of that time in
``recently_deleted``. Deleting each repetition's tree before the next one made every row that
creates files (full generation, the write floor, copier) measure the harness's own deletions.
Run it a few minutes after any large delete on such a machine.

Writes benchmarks.md, benchmarks.png and benchmarks-profile.txt to docs/ (bench/out/ in quick mode).
Environment: BENCH_QUICK=1 (N = 10 and 100, 3 repetitions, output to bench/out/),
BENCH_SKIP_CLONE=1 (skip the fresh-clone `make gen`), BENCH_REPS, BENCH_OUT.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth
from inproc import set_desired_count

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
BIN = Path(sys.executable).parent
INFRAGEN = str(BIN / "infragen")
TEMPLATE = BENCH / "copier-template"
TOP_LEVEL = ("atlantis.yaml", "CODEOWNERS")
ROOT_FILES = ("main.tf", "versions.tf", "providers.tf", "backend.tf", "outputs.tf")
PEER_SIZES = (10, 100)
SETTLE = 1.1  # seconds: the stamp ignores a tree with a file younger than 1 s

FULL = "full generation"
FULL_IN = "full generation, in-process"
FLOOR = "write floor (plain Python)"
FLOOR_RENAME = "write floor, temp file + rename"
NOOP = "no-op"
NOOP_IN = "no-op, in-process"
CHANGE = "one spec changed"
CHANGE_IN = "one spec changed, in-process"
CHECK = "gen --check, no cache"
GATE_FIRST = "gate, first project of a PR"
GATE_LATER = "gate, each later project (11)"
GATE_CONCURRENT = "gate, 8 concurrent cold (total wall)"
GATE_PROJECTS = 12
PEER = "copier peer (5 files per root)"
EXAMPLES = "gen --check, no cache (shipped examples)"
EXAMPLES_WARM = "gen --check, no stamp, warm cache (shipped examples)"


def base_env() -> dict[str, str]:
    """The caller's environment without infragen's switches (a developer's defaults), and with
    Python's default of caching bytecode: a sandbox or CI image may export PYTHONDONTWRITEBYTECODE,
    which makes every run of an editable install compile the generator's modules again (about 60 ms
    a run here), a cost no user's machine pays after the first run."""
    return {k: v for k, v in os.environ.items() if not k.startswith("INFRAGEN_") and k != "PYTHONDONTWRITEBYTECODE"}


@dataclasses.dataclass
class Run:
    wall: float  # seconds
    cpu: float | None = None  # user + system seconds of the child
    rss_mb: float | None = None  # max resident set size of the child
    written: int = 0  # files created, replaced or deleted (from the tree)
    rc: int = 0
    output: str = ""
    changed: tuple[str, ...] = ()


@dataclasses.dataclass
class Row:
    n: int | None  # None: the shipped example repository
    operation: str
    runs: list[Run]
    note: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float | None:
        cpus = [r.cpu for r in self.runs if r.cpu is not None]
        return statistics.median(cpus) if cpus else None

    @property
    def rss_mb(self) -> float | None:
        rss = [r.rss_mb for r in self.runs if r.rss_mb is not None]
        return max(rss) if rss else None

    @property
    def written(self) -> int:
        return max(r.written for r in self.runs)


class Bench:
    def __init__(self, work: Path, reps: int, peer_reps: int) -> None:
        self.work = work
        self.reps = reps
        self.peer_reps = peer_reps
        self.rows: list[Row] = []
        self.stray: dict[int, list[str]] = {}  # per N: files the one-spec edit rewrote outside its service
        self.trees: dict[int, tuple[Path, str]] = {}  # per N: the generated tree and the edited service
        self.counter = 0
        self.desired = 10  # desiredCount values used by the edits: a new one every time

    def fresh_dir(self, name: str) -> Path:
        self.counter += 1
        path = self.work / "tmp" / f"{name}-{self.counter}"
        path.mkdir(parents=True)
        return path

    def cold_env(self) -> dict[str, str]:
        """CI on a fresh clone: no stamp, and empty cache and home folders (whatever cache the
        generator keeps under ~/.cache/infragen or XDG_CACHE_HOME starts empty)."""
        home = self.fresh_dir("home")
        return {**base_env(), "INFRAGEN_NO_STAMP": "1", "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}

    def machine_env(self) -> dict[str, str]:
        """A machine that ran infragen before, on other roots: no stamp, and a fresh copy of a cache
        folder warmed only by the shipped examples (same modules, other accounts and services), so
        caches keyed by module content are warm and nothing of this repository's roots is cached."""
        home = self.fresh_dir("home")
        shutil.copytree(self.work / "machine-cache", home / ".cache", symlinks=True)
        return {**base_env(), "INFRAGEN_NO_STAMP": "1", "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}

    def dev_env(self, n: int | None) -> dict[str, str]:
        """A developer's defaults (stamp and cache on), with the cache in a folder of this run."""
        return {**base_env(), "XDG_CACHE_HOME": str(self.work / f"cache-{n}")}

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        r = row
        extra = f"  cpu {r.cpu:6.3f} s" if r.cpu is not None else ""
        extra += f"  {r.rss_mb:5.0f} MB" if r.rss_mb is not None else ""
        print(f"N={r.n!s:>5} {r.operation:38} {r.wall:8.3f} s{extra}  {r.written} files {r.note}", flush=True)
        return row

    def get(self, n: int | None, operation: str) -> Row | None:
        return next((r for r in self.rows if r.n == n and r.operation == operation), None)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file under root: os.replace gives a new inode."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for filename in filenames:
            path = os.path.join(dirpath, filename)
            st = os.stat(path)
            found[os.path.relpath(path, root)] = (st.st_ino, st.st_mtime_ns)
    return found


def written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def run(args: list[str], cwd: Path, env: dict[str, str], root: Path | None = None) -> Run:
    """Run one command as a child process: wall time, CPU time, max RSS and the files it wrote."""
    before = snapshot(root) if root else {}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    changed = tuple(sorted(written(before, snapshot(root)))) if root else ()
    return Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        len(changed),
        os.waitstatus_to_exitcode(status),
        output,
        changed,
    )


def expect(condition: bool, message: str, result: Run | None = None) -> None:
    if not condition:
        sys.exit(f"bench: {message}" + (f"\n--- output ---\n{result.output[-3000:]}" if result else ""))


def inproc(args: list[str], env: dict[str, str]) -> list[Run]:
    """Timings taken inside a child process by bench/inproc.py (imports excluded)."""
    proc = subprocess.run(
        [sys.executable, str(BENCH / "inproc.py"), *args], env=env, capture_output=True, text=True, check=False
    )
    expect(proc.returncode == 0, f"inproc {args[0]} failed:\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return [Run(s, written=f) for s, f in zip(data["seconds"], data["files"], strict=True)]


def copy_inputs(inputs: Path, dest: Path) -> Path:
    shutil.copytree(inputs, dest, symlinks=True)
    return dest


def write_floor(files: dict[str, bytes], dest: Path, rename: bool) -> Run:
    """Plain Python writing the same files into a fresh folder: wall and CPU seconds of this process."""
    made: set[str] = set()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    for rel, data in files.items():
        path = os.path.join(dest, rel)
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        if rename:
            tmp = f"{path}.tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        else:
            with open(path, "wb") as f:
                f.write(data)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
    return Run(wall, cpu, written=len(files))


def pick_service(n: int) -> str:
    """A service without autoscaling (its desiredCount may change freely) that others depend on."""
    specs = [s for s, _ in synth.services(n)]
    called = {c for s in specs for c in s["spec"].get("dependencies", {}).get("services", [])}
    plain = [s["name"] for s in specs if "autoscaling" not in s["spec"]]
    return next((name for name in plain if name in called), plain[0])


def measure_size(bench: Bench, n: int) -> None:
    reps, base = bench.reps, bench.work / f"n{n}"
    inputs = base / "inputs"
    synth.build(inputs, n, REPO / "modules")
    gen = [INFRAGEN, "gen"]

    # full generation: a fresh copy of the inputs, nothing cached; the last tree stays for the rest
    full, tree = [], None
    for _ in range(reps):  # every repetition in a folder of its own: nothing deleted (module docstring)
        tree = copy_inputs(inputs, bench.fresh_dir("tree") / "repo")
        result = run([*gen, "--root", str(tree)], REPO, bench.machine_env(), tree)
        expect(result.rc == 0, f"N={n}: full generation failed", result)
        full.append(result)
    assert tree is not None
    bench.add(Row(n, FULL, full))
    generated = {p: (tree / p).read_bytes() for p in full[-1].changed if (tree / p).is_file()}

    runs = []
    for _ in range(min(reps, 3)):
        copy = copy_inputs(inputs, bench.fresh_dir("inproc") / "repo")
        runs += inproc(["full", str(copy)], bench.machine_env())
    bench.add(Row(n, FULL_IN, runs, f"({len(runs)} runs)"))

    for operation, rename in ((FLOOR, False), (FLOOR_RENAME, True)):
        runs = []
        for _ in range(reps):
            runs.append(write_floor(generated, bench.fresh_dir("floor"), rename))
        bench.add(Row(n, operation, runs))

    # no-op, default settings: one untimed run (settled files) records the stamp and fills any cache
    dev = bench.dev_env(n)
    time.sleep(SETTLE)
    warm = run([*gen, "--root", str(tree)], REPO, dev, tree)
    expect(warm.rc == 0 and warm.written == 0, f"N={n}: the tree after a full generation is not consistent", warm)
    time.sleep(SETTLE)
    run([*gen, "--root", str(tree)], REPO, dev, tree)
    runs = []
    for _ in range(reps):
        result = run([*gen, "--root", str(tree)], REPO, dev, tree)
        expect(result.rc == 0, f"N={n}: no-op failed", result)
        runs.append(result)
    bench.add(Row(n, NOOP, runs))
    bench.add(Row(n, NOOP_IN, inproc(["noop", str(tree), str(reps)], dev)))

    # one spec changed, default settings: a desiredCount never seen before in this run
    service = pick_service(n)
    allowed = (*TOP_LEVEL, *(f"accounts/{env}/services/{service}/" for env in synth.ENVS))
    runs = []
    for _ in range(reps):
        bench.desired += 1
        set_desired_count(tree, service, bench.desired)
        before = snapshot(tree)
        result = run([*gen, "--root", str(tree)], REPO, dev, tree)
        expect(result.rc == 0, f"N={n}: one spec changed failed", result)
        # the edited spec is an input, not a write: count from the tree after the edit
        result.changed = tuple(sorted(written(before, snapshot(tree))))
        result.written = len(result.changed)
        runs.append(result)
    stray = sorted({p for r in runs for p in r.changed if not p.startswith(allowed)})
    note = f"(services/{service})" + (f"; OTHER FILES: {', '.join(stray[:5])}" if stray else "")
    bench.add(Row(n, CHANGE, runs, note))
    bench.stray[n] = stray
    bench.desired += reps
    runs = inproc(["change", str(tree), service, str(reps), str(bench.desired)], dev)
    bench.desired += reps
    bench.add(Row(n, CHANGE_IN, runs))

    runs = []
    for _ in range(reps):
        result = run([*gen, "--check", "--root", str(tree)], REPO, bench.cold_env(), tree)
        expect(result.rc == 0 and result.written == 0, f"N={n}: gen --check failed", result)
        runs.append(result)
    bench.add(Row(n, CHECK, runs))

    measure_gate(bench, n, tree)
    if n in PEER_SIZES and bench.peer_reps:
        measure_peer(bench, n, tree)
    bench.trees[n] = (tree, service)


def terraform_init_artifacts(project: Path) -> None:
    """What `terraform init` and Atlantis's `plan` leave in a project directory before the next
    project's gate runs (the providers folder, the lock file, the saved plan and its JSON)."""
    (project / ".terraform" / "providers" / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    (project / ".terraform" / "modules").mkdir(parents=True, exist_ok=True)
    (project / ".terraform" / "modules" / "modules.json").write_text('{"Modules":[]}', encoding="utf-8")
    (project / ".terraform.lock.hcl").write_text(
        'provider "registry.terraform.io/hashicorp/aws" {}\n', encoding="utf-8"
    )
    name = project.parent.parent.name + "-" + project.name + "-default"
    (project / f"{name}.tfplan").write_bytes(b"PK\x03\x04 plan")
    (project / f"{name}.json").write_text("{}", encoding="utf-8")


def gate_env(bench: Bench) -> dict[str, str]:
    """An Atlantis server's gate on a new checkout: stamps on, nothing of this checkout cached."""
    home = bench.fresh_dir("gate-home")
    return {**base_env(), "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}


def measure_gate(bench: Bench, n: int, tree: Path) -> None:
    """The staleness gate as Atlantis runs it: `infragen gen --check --root <checkout>` in each
    project directory of a pull request, after the previous projects' `init` and `plan` wrote their
    working files. Sequential: 12 projects, the first cold. Concurrent: 8 cold gates started at once
    on a fresh checkout (parallel_plan), their total wall time beside one cold gate's."""
    checkout = tree.parent / "checkout"
    shutil.copytree(tree, checkout, symlinks=True)
    projects = sorted(checkout.glob("accounts/*/services/*"))[:GATE_PROJECTS]
    gate = [INFRAGEN, "gen", "--check", "--root", str(checkout)]
    first, later = [], []
    for _ in range(bench.reps):
        env = gate_env(bench)
        time.sleep(SETTLE)  # a checkout is older than the settle delay by the time Atlantis plans it
        for index, project in enumerate(projects):
            result = run(gate, project, env)
            expect(result.rc == 0, f"N={n}: the gate failed in {project}", result)
            (first if index == 0 else later).append(result)
            terraform_init_artifacts(project)
        for project in projects:
            for leftover in (
                *project.glob("*.tfplan"),
                *project.glob("*-default.json"),
                project / ".terraform.lock.hcl",
            ):
                leftover.unlink()
            shutil.rmtree(project / ".terraform")
    bench.add(Row(n, GATE_FIRST, first))
    bench.add(Row(n, GATE_LATER, later, f"({len(later)} runs)"))
    runs = []
    for _ in range(bench.reps):
        env = gate_env(bench)
        time.sleep(SETTLE)
        start = time.perf_counter()
        procs = [
            subprocess.Popen(gate, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            for project in projects[:8]
        ]
        codes = [proc.wait() for proc in procs]
        expect(codes == [0] * 8, f"N={n}: concurrent gates failed: {codes}")
        runs.append(Run(time.perf_counter() - start))
    bench.add(Row(n, GATE_CONCURRENT, runs))


def measure_examples(bench: Bench) -> None:
    """`gen --check` on a copy of the shipped example repository (regenerated once, so concurrent
    edits to the checkout cannot make it stale), cold (CI on a fresh clone) and with a warm cache.
    The first `gen` there warms the machine cache that full generations start from (machine_env)."""
    root = bench.work / "examples"
    root.mkdir(parents=True)
    for name in ("teams.yaml", *TOP_LEVEL, "infragen.yaml"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, root / name)
    for name in ("accounts", "services", "modules"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".terraform*"), symlinks=True)
    warm_env = {**base_env(), "INFRAGEN_NO_STAMP": "1", "XDG_CACHE_HOME": str(bench.work / "machine-cache")}
    result = run([INFRAGEN, "gen", "--root", str(root)], REPO, warm_env, root)
    expect(result.rc == 0, "examples: gen failed", result)
    (bench.work / "machine-cache").mkdir(exist_ok=True)
    cold, warm = [], []
    for _ in range(bench.reps):
        result = run([INFRAGEN, "gen", "--check"], root, bench.cold_env(), root)
        expect(result.rc == 0, "examples: gen --check failed", result)
        cold.append(result)
        result = run([INFRAGEN, "gen", "--check"], root, warm_env, root)
        expect(result.rc == 0, "examples: gen --check failed", result)
        warm.append(result)
    bench.add(Row(None, EXAMPLES, cold))
    bench.add(Row(None, EXAMPLES_WARM, warm))


def measure_peer(bench: Bench, n: int, tree: Path) -> None:
    """copier renders each root's five files from the values infragen's templates received."""
    values = bench.work / f"peer-values-{n}.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "capture.py"), str(tree), str(values)],
        env=bench.cold_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    expect(proc.returncode == 0, f"N={n}: capture failed:\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}")
    items = json.loads(values.read_text(encoding="utf-8"))
    expected = {f"{item['dir']}/{name}": text for item in items for name, text in item["expected"].items()}
    template = bench.work / "copier-template"  # outside any git checkout: copier renders the folder as is
    if not template.exists():
        shutil.copytree(TEMPLATE, template, symlinks=True)
        sources = {p.name: p for p in REPO.glob("generator/**/templates/*.tf.j2")}
        for name in ROOT_FILES:  # the generator's current templates, should they have changed since
            text = sources[f"{name}.j2"].read_text(encoding="utf-8")
            own_header = "{{ header_" + name.split(".")[0] + " }}"  # bench/capture.py: one header per file
            (template / f"{name}.jinja").write_text(text.replace("{{ header }}", own_header), encoding="utf-8")
    runs = []
    for _ in range(bench.peer_reps):
        dest = bench.fresh_dir("peer")
        result = run([sys.executable, str(BENCH / "peer.py"), str(values), str(template), str(dest)], REPO, base_env())
        expect(result.rc == 0, f"N={n}: copier failed", result)
        rendered = {p.relative_to(dest).as_posix(): p.read_text(encoding="utf-8") for p in dest.rglob("*.tf")}
        expect(rendered == expected, f"N={n}: copier output differs from infragen's", result)
        result.written = len(rendered)
        runs.append(result)
    bench.add(Row(n, PEER, runs, f"({len(items)} roots)"))


def measure_clone(bench: Bench) -> Row | None:
    """First `make gen` on a fresh `git clone`: venv, pip install of the runtime dependencies, gen.
    pip's download cache stays as it is on this machine; infragen's cache folders start empty."""
    if os.environ.get("BENCH_SKIP_CLONE", "") not in ("", "0"):
        print("fresh clone: SKIPPED (BENCH_SKIP_CLONE is set)", flush=True)
        return None
    clone = bench.fresh_dir("clone") / "infragen"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    commit = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    env = bench.cold_env()
    del env["INFRAGEN_NO_STAMP"]
    pip_cache = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if pip_cache:
        env["PIP_CACHE_DIR"] = pip_cache
    for name in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "VIRTUAL_ENV"):
        env.pop(name, None)
    result = run(["make", "gen"], clone, env)
    expect(result.rc == 0, "fresh clone: make gen failed", result)
    gen = run(["make", "gen"], clone, env)  # the second run: what of the first was infragen itself
    note = f"(clone of {commit}; the second `make gen` there: {gen.wall:.2f} s)"
    row = bench.add(Row(None, "first `make gen` on a fresh clone", [result], note))
    return row


def terraform_version() -> str:
    try:
        proc = subprocess.run(
            ["terraform", "version", "-json"],
            env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return json.loads(proc.stdout)["terraform_version"]
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired):
        return "not installed"


def machine() -> dict[str, str]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "cpus": str(os.cpu_count()),
        "usable": str(len(os.sched_getaffinity(0))),
        "model": model,
        "python": platform.python_version(),
        "terraform": terraform_version(),
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "load": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


@dataclasses.dataclass
class Target:
    operation: str
    median: str
    target: str
    met: bool | None  # None: no target
    over: float = 0.0  # measured / target, for the profile choice
    profile: list[str] | None = None  # inproc.py profile arguments


def targets(bench: Bench, n: int, clone: Row | None) -> list[Target]:
    def row(op: str) -> Row:
        found = bench.get(n, op)
        assert found, op
        return found

    full, full_in, floor = row(FULL), row(FULL_IN), row(FLOOR)
    noop, noop_in, change, change_in, check = row(NOOP), row(NOOP_IN), row(CHANGE), row(CHANGE_IN), row(CHECK)
    tree, service = bench.trees[n]
    ratio, ratio_in = full.wall / floor.wall, full_in.wall / floor.wall
    stray = bench.stray[n]
    result = [
        Target(
            f"full generation vs the write floor ({full.written} files)",
            f"{full.wall:.2f} s vs {floor.wall:.2f} s: {ratio:.1f}x (in-process {full_in.wall:.2f} s: {ratio_in:.1f}x; "
            f"CPU {full.cpu:.2f} s vs {floor.cpu:.2f} s)",
            "<= 1.5x",
            ratio <= 1.5,
            ratio / 1.5,
            ["full", "__fresh__"],
        ),
        Target(
            "one spec changed (`infragen gen`, stamp and cache on)",
            f"{change.wall:.3f} s (CPU {change.cpu:.3f} s; in-process {change_in.wall:.3f} s); "
            f"{change.written} files rewritten"
            + (f", {len(stray)} outside the service: {', '.join(stray[:3])}" if stray else ", all the service's"),
            "<= 0.5 s, only the service's files + atlantis.yaml/CODEOWNERS",
            change.wall <= 0.5 and not stray,
            change.wall / 0.5,
            ["change", str(tree), service, str(bench.desired + 1)],
        ),
        Target(
            "no-op (second `infragen gen`, defaults)",
            f"{noop.wall:.3f} s (CPU {noop.cpu:.3f} s; in-process {noop_in.wall:.3f} s); {noop.written} files written",
            "<= 0.2 s, 0 files",
            noop.wall <= 0.2 and noop.written == 0,
            noop.wall / 0.2,
            ["noop", str(tree)],
        ),
        Target(
            "`gen --check`, no stamp, no cache (CI on a fresh clone)",
            f"{check.wall:.2f} s (CPU {check.cpu:.2f} s)",
            "<= 2 s",
            check.wall <= 2,
            check.wall / 2,
            ["check", "__cold__"],
        ),
    ]
    first, later, concurrent = row(GATE_FIRST), row(GATE_LATER), row(GATE_CONCURRENT)
    result += [
        Target(
            f"the gate for {GATE_PROJECTS} projects of one PR, after the first",
            f"{later.wall:.3f} s each (CPU {later.cpu:.3f} s; the first {first.wall:.2f} s)",
            "<= 0.3 s each",
            later.wall <= 0.3,
            later.wall / 0.3,
        ),
        Target(
            "8 concurrent cold gates on one checkout vs one cold gate",
            f"{concurrent.wall:.2f} s vs {first.wall:.2f} s: {concurrent.wall / first.wall:.2f}x",
            "<= 1.5x",
            concurrent.wall <= 1.5 * first.wall,
        ),
    ]
    peak = full.rss_mb or 0.0
    result.append(Target("peak memory (max RSS of full generation)", f"{peak:.0f} MB", "<= 150 MB", peak <= 150))
    peer, ours = bench.get(100, PEER), bench.get(100, FULL)
    if peer and ours:
        r = peer.wall / ours.wall
        result.append(
            Target(
                "copier / infragen at N = 100 (full generation)",
                f"{peer.wall:.1f} s / {ours.wall:.2f} s = {r:.0f}x",
                ">= 50x",
                r >= 50,
            )
        )
    else:
        result.append(Target("copier / infragen at N = 100", "not measured", ">= 50x", None))
    if clone:
        result.append(Target("first `make gen` on a fresh clone", f"{clone.wall:.1f} s {clone.note}", "measured", None))
    else:
        result.append(Target("first `make gen` on a fresh clone", "skipped (BENCH_SKIP_CLONE)", "measured", None))
    return result


def profile(bench: Bench, n: int, goals: list[Target], path: Path) -> Target:
    """cProfile of the operation furthest over its target (or closest to it, when all are met)."""
    worst = max((t for t in goals if t.profile), key=lambda t: t.over)
    assert worst.profile
    args = list(worst.profile)
    tree, _ = bench.trees[n]
    env = bench.dev_env(n)
    if args[1] == "__fresh__":
        copy = copy_inputs(bench.work / f"n{n}" / "inputs", bench.fresh_dir("profile") / "repo")
        args[1], env = str(copy), bench.machine_env()
    elif args[1] == "__cold__":
        args[1], env = str(tree), bench.cold_env()
    elif args[0] == "noop":
        time.sleep(SETTLE)
        run([INFRAGEN, "gen", "--root", str(tree)], REPO, env, tree)  # record the stamp after the edits
    proc = subprocess.run(
        [sys.executable, str(BENCH / "inproc.py"), "profile", str(path), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    expect(proc.returncode == 0, f"profile failed:\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}")
    return worst


DESCRIPTIONS = f"""\
What each row measures (N services x 3 environments from bench/synth.py: 15 files per service, a
realistic mix of datastores, dependencies, ingress and environment files):

- **{FULL}**: `infragen gen` as a child process (interpreter start included) on a fresh copy of the
  inputs (no generated file yet), with `INFRAGEN_NO_STAMP=1` and `HOME` and `XDG_CACHE_HOME` pointing
  to a fresh copy of a cache folder that only a `gen` of the shipped examples filled: a machine that
  ran infragen before (module sources parsed), but nothing of this repository's roots cached, so
  every root is loaded, planned, rendered and written.
  `{FULL_IN}` is `generator.api.generate(root)` timed inside a process (imports excluded).
- **{FLOOR}**: this process writing the same files (same paths, same bytes, from memory) into a fresh
  folder with `open`/`write`; the target compares full generation with it. `{FLOOR_RENAME}` writes
  each through a temporary file and `os.replace`, as a crash-safe writer must.
- **{NOOP}**: a second `infragen gen` with nothing changed and default settings (stamp and any cache
  on, in a cache folder of the run), after one untimed run that recorded the stamp. `{NOOP_IN}` is
  `generate(root)` in a process that already ran it once.
- **{CHANGE}**: one service.yaml gets a desiredCount never used before in the run, then
  `infragen gen` with default settings (what a developer runs after an edit); the files rewritten
  are counted from the tree, and any file outside that service's roots and
  atlantis.yaml/CODEOWNERS is named. `{CHANGE_IN}` is the same edit and `generate(root)` in-process.
- **{CHECK}**: `infragen gen --check` with `INFRAGEN_NO_STAMP=1` and an empty `HOME` and
  `XDG_CACHE_HOME` for every run: the CI staleness gate on a fresh clone.
- **gate rows**: `infragen gen --check --root <checkout>` as Atlantis's `infragen` workflow runs it,
  in a project directory, with stamps on and a cache folder new to the checkout: {GATE_PROJECTS} projects one
  after the other ({GATE_FIRST}: cold; {GATE_LATER}: after the earlier projects' `terraform init` and
  `plan` left `.terraform/`, the lock file, the saved plan and its JSON in their directories, written
  by the bench as those commands would), and {GATE_CONCURRENT}: 8 gates started at once on a fresh
  checkout, the wall time until the last one finished.
- **peak memory**: the largest max RSS (`os.wait4`) of the full generation children.
- **{PEER}**: copier renders the same five files per root (`copier.run_copy` once per root,
  bench/copier-template/ with the generator's own `*.tf.j2` templates) from the values infragen's
  templates received (bench/capture.py records every Jinja render during a `gen --check`); its output
  is checked byte for byte against infragen's (without the checksum line infragen appends). The
  ratio is copier's wall time over infragen's full generation at the same N, which also loads,
  validates, and writes atlantis.yaml and CODEOWNERS.
- **first `make gen` on a fresh clone**: `git clone` of this repository's committed HEAD into a
  temporary folder, then `make gen` there (creates .venv, pip-installs the runtime dependencies
  from PyPI, runs `infragen gen`), with empty infragen cache folders and pip's download cache as it
  is on the machine. Skipped with `BENCH_SKIP_CLONE=1`.
- **examples**: `gen --check` on a copy of the shipped example repository, with no cache and with a
  warm cache (stamp off).

Files written are counted from the tree (inode and mtime of every file before and after a run), not
from infragen's output. Every repetition writes into a folder of its own, and nothing is deleted
until the run ends: on ext4 without a journal the kernel passes over every inode freed in the last
60-360 s each time it allocates one (`recently_deleted()` in fs/ext4/ialloc.c), so a file created
after a large delete costs many times more (bench/run.py's docstring has the figures).
"""


# A fixed piece of pure-Python work (dicts, string formatting, joins: what generation is made of),
# run in a fresh interpreter. Its CPU time says how fast this machine runs Python right now: on a
# shared VM the same binary's CPU time for the same work has differed by half between two runs an
# hour apart (docs/benchmarks.md of stop 46), so the figures of two runs compare only beside it.
SPEED_PROBE = """
import time
start = time.process_time()
for round in range(6):
    table = {}
    for i in range(200_000):
        key = f"service-{i % 4000:04d}"
        table[key] = table.get(key, 0) + len(key)
    text = "\\n".join(f"{k} = {v}" for k, v in sorted(table.items()))
print(time.process_time() - start)
"""


def speed_check() -> float:
    """Median CPU seconds of three runs of SPEED_PROBE (lower is a faster machine right now)."""
    runs = []
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", SPEED_PROBE], capture_output=True, text=True, check=True)
        runs.append(float(proc.stdout.strip()))
    return statistics.median(runs)


def write_markdown(
    bench: Bench, info: dict[str, str], n: int, goals: list[Target], worst: Target, args: argparse.Namespace
) -> None:
    quick = " (QUICK MODE: targets are for N = 1,000)" if n != 1000 else ""
    elapsed = time.perf_counter() - args.started
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (bench/run.py); do not edit by hand.",
        "",
        f"Machine: {info['model']}, {info['cpus']} CPUs ({info['usable']} usable), Python {info['python']}, "
        f"Terraform {info['terraform']}; run on {info['date']} (load average at the start: {args.load_start}, "
        f"at the end: {info['load']}). "
        f"The run took {elapsed / 60:.1f} min. Speed check (bench/run.py SPEED_PROBE, a fixed pure-Python "
        f"workload, CPU seconds, lower is faster): {args.speed_start:.3f} s at the start, "
        f"{args.speed_end:.3f} s at the end; compare runs beside it.",
        "",
        "Run it with `make bench` (creates .venv with the `bench` extra: copier, matplotlib; about 10 min on "
        "2 cores). `BENCH_QUICK=1 make bench` measures N = 10 and 100 with 3 repetitions and writes to "
        "bench/out/ instead of docs/; `BENCH_SKIP_CLONE=1` skips the fresh-clone row; `BENCH_REPS=k` sets "
        "the repetitions.",
        "",
        f"## Targets (issue 14) at {n:,} services x 3 environments{quick}",
        "",
        f"Medians of {bench.reps} repetitions in this run ({min(bench.reps, 3)} for in-process full generation, "
        f"{args.peer_reps} for copier). Times are wall clock, what a user waits for; the CPU time (user + system) "
        "of the same child processes is given too: wall well above CPU means the machine was busy.",
        "",
        "| operation | median | target | met? |",
        "|---|---|---|---|",
    ]
    for t in goals:
        met = "-" if t.met is None else ("yes" if t.met else "**NO**")
        lines.append(f"| {t.operation} | {t.median} | {t.target} | {met} |")
    lines += [
        "",
        f"![time against N]({args.png.name})",
        "",
        f"Profile of the operation furthest over its target ({worst.operation}, {worst.over:.1f}x its "
        f"target): [{args.profile.name}]({args.profile.name}), the top 25 functions by cumulative time and "
        "the top 15 by own time (cProfile of one `infragen gen` through the console script's entry point "
        "`generator.entry.main`, in one process with the same environment: imports included, interpreter start "
        "not).",
        "",
        "```",
        *args.profile.read_text(encoding="utf-8").splitlines(),
        "```",
        "",
        "## All measurements",
        "",
        DESCRIPTIONS,
        "| N | operation | median wall (s) | median CPU (s) | max RSS (MB) | files written | |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in bench.rows:
        cpu = f"{r.cpu:.3f}" if r.cpu is not None else ""
        rss = f"{r.rss_mb:.0f}" if r.rss_mb is not None else ""
        label = "" if r.n is None else str(r.n)
        lines.append(f"| {label} | {r.operation} | {r.wall:.3f} | {cpu} | {rss} | {r.written} | {r.note} |")
    lines.append("")
    args.md.write_text("\n".join(lines), encoding="utf-8")


def plot(bench: Bench, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    for operation, style in (
        (FULL, "-"),
        (FLOOR, "-"),
        (CHECK, "-"),
        (CHANGE, "-"),
        (NOOP, "-"),
        (PEER, "--"),
    ):
        points = sorted((r.n, r.wall) for r in bench.rows if r.operation == operation and r.n)
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], style, marker="o", label=operation)
    for seconds, label in ((0.5, "one change target 0.5 s"), (0.3, "no-op target 0.3 s"), (2.0, "check target 2 s")):
        ax.axhline(seconds, color="grey", linestyle=":", linewidth=0.8)
        ax.annotate(label, (0.01, seconds), xycoords=("axes fraction", "data"), fontsize=7, color="grey", va="bottom")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("services (x 3 environments)")
    ax.set_ylabel("median wall time (s)")
    ax.set_title("infragen: time against repository size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100] if quick else [10, 100, 1000])
    parser.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", 3 if quick else 5)))
    parser.add_argument("--peer-reps", type=int, default=1 if quick else 3, help="0: no copier peer")
    default_out = os.environ.get("BENCH_OUT") or str(BENCH / "out" if quick else REPO / "docs")
    parser.add_argument("--out", type=Path, default=Path(default_out))
    args = parser.parse_args()
    args.started = time.perf_counter()
    args.load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    args.speed_start = speed_check()
    args.out.mkdir(parents=True, exist_ok=True)
    args.md, args.png = args.out / "benchmarks.md", args.out / "benchmarks.png"
    args.profile = args.out / "benchmarks-profile.txt"
    print(
        f"bench: {'QUICK mode, ' if quick else ''}N = {args.sizes}, {args.reps} repetitions -> {args.out}", flush=True
    )

    with tempfile.TemporaryDirectory(prefix="infragen-bench-") as tmp:
        bench = Bench(Path(tmp), args.reps, args.peer_reps)
        measure_examples(bench)
        for n in args.sizes:
            measure_size(bench, n)
        clone = measure_clone(bench)
        n = max(args.sizes)
        goals = targets(bench, n, clone)
        worst = profile(bench, n, goals, args.profile)
        info = machine()
        args.speed_end = speed_check()
        write_markdown(bench, info, n, goals, worst, args)
        plot(bench, args.png)
    print()
    print(args.md.read_text(encoding="utf-8").split("## All measurements")[0])
    print(f"bench: wrote {args.md}, {args.png} and {args.profile} in {time.perf_counter() - args.started:.0f} s")


if __name__ == "__main__":
    main()
