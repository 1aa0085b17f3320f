"""`make bench`: infragen at platform scale, and the copier peer, in one run.

For N = 10, 100, 1000 services x 3 environments (bench/synth.py) it times, as real `infragen`
subprocesses (wall time includes interpreter start), the median of several repetitions of:
full generation from an empty output tree, no-op regeneration (asserts 0 files written), one
spec changed (asserts only that service's roots plus atlantis.yaml/CODEOWNERS are written),
`gen --check` and `validate`; and `gen --check` on the shipped example repository. Max RSS is
each subprocess's own (os.wait4). Files written are counted from the tree (inode and mtime
of every generated file before and after), not from infragen's output.

The peer renders the same five files per root with copier (bench/copier-template/, one
`copier.run_copy` per root) from values computed by infragen's planner; its output is checked
byte for byte against infragen's before the ratio is reported.

Writes docs/benchmarks.md and docs/benchmarks.png.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INFRAGEN = str(BIN / "infragen")
TEMPLATE = REPO / "bench" / "copier-template"
SIZES = (10, 100, 1000)
PEER_SIZES = (10, 100)
OPERATIONS = (
    "full generation",
    "no-op regeneration",
    "no-op regeneration, full work",
    "one spec changed",
    "gen --check",
    "validate",
)
NO_STAMP = {**os.environ, "INFRAGEN_NO_STAMP": "1"}  # the full work, as CI on a fresh checkout does it
TOP_LEVEL = ("atlantis.yaml", "CODEOWNERS")
ROOT_FILES = ("main.tf", "versions.tf", "providers.tf", "backend.tf", "outputs.tf")


@dataclasses.dataclass
class Run:
    wall: float  # seconds, interpreter start included
    cpu: float  # user + system seconds of the child
    rss_mb: float  # max resident set size of the child
    written: int  # files created, replaced or deleted
    rc: int
    output: str


@dataclasses.dataclass
class Row:
    n: int | None  # None: the shipped example repository
    operation: str
    runs: list[Run]
    ratio: float | None = None

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.rss_mb for r in self.runs)

    @property
    def written(self) -> int:
        return int(statistics.median(r.written for r in self.runs))


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file infragen may write: os.replace gives a new inode."""
    found = {}
    for name in TOP_LEVEL:
        if (root / name).exists():
            st = (root / name).stat()
            found[name] = (st.st_ino, st.st_mtime_ns)
    for dirpath, _, filenames in os.walk(root / "accounts"):
        for filename in filenames:
            path = Path(dirpath) / filename
            st = path.stat()
            found[path.relative_to(root).as_posix()] = (st.st_ino, st.st_mtime_ns)
    return found


def written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def run(
    args: list[str], cwd: Path, root: Path | None = None, env: dict[str, str] | None = None
) -> tuple[Run, set[str]]:
    """Run one command as a child process; measure its wall time, CPU time, max RSS and the files it wrote."""
    before = snapshot(root) if root else {}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    changed = written(before, snapshot(root)) if root else set()
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss / 1024, len(changed), proc.returncode, output), changed


def expect(condition: bool, message: str, result: Run) -> None:
    if not condition:
        sys.exit(f"bench: {message}\n--- output ---\n{result.output[-3000:]}")


def clear_outputs(root: Path) -> None:
    for env_dir in (root / "accounts").iterdir():
        shutil.rmtree(env_dir / "services", ignore_errors=True)
    for name in TOP_LEVEL:
        (root / name).unlink(missing_ok=True)


def toggle_desired_count(root: Path, service: str, rep: int) -> None:
    path = root / "services" / service / "service.yaml"
    text = path.read_text(encoding="utf-8")
    old, new = ("desiredCount: 2", "desiredCount: 1") if rep % 2 == 0 else ("desiredCount: 1", "desiredCount: 2")
    assert old in text, path
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def measure_size(root: Path, n: int, reps: int) -> list[Row]:
    names = synth.build(root, n, REPO / "modules")
    gen, rows = [INFRAGEN, "gen", "--root", str(root)], []

    full = []
    for _ in range(reps):
        clear_outputs(root)
        result, _ = run(gen, REPO, root)
        expect(result.rc == 0, f"N={n}: full generation failed", result)
        expect(result.written == 15 * n + 2, f"N={n}: full generation wrote {result.written} files", result)
        full.append(result)
    rows.append(Row(n, "full generation", full))

    time.sleep(1.1)  # let the files settle, then one untimed run records the no-op stamp
    run(gen, REPO, root)
    for operation, env in (("no-op regeneration", None), ("no-op regeneration, full work", NO_STAMP)):
        noop = []
        for _ in range(reps):
            result, _ = run(gen, REPO, root, env)
            expect(result.rc == 0 and result.written == 0, f"N={n}: no-op wrote {result.written} files", result)
            noop.append(result)
        rows.append(Row(n, operation, noop))

    # A service with no autoscaling, so desiredCount may change freely; dependents exist for most.
    target = next(s for s, _ in synth.services(n) if "autoscaling" not in s["spec"])["name"]
    assert target in names
    allowed = {*TOP_LEVEL, *(f"accounts/{env}/services/{target}/" for env in synth.ENVS)}
    changed_runs = []
    for rep in range(reps):
        toggle_desired_count(root, target, rep)
        result, changed = run(gen, REPO, root)
        stray = sorted(p for p in changed if not any(p == a or p.startswith(a) for a in allowed if a))
        expect(result.rc == 0 and changed and not stray, f"N={n}: one spec changed wrote {sorted(changed)}", result)
        changed_runs.append(result)
    rows.append(Row(n, "one spec changed", changed_runs))

    for operation, args in (
        ("gen --check", [*gen, "--check"]),
        ("validate", [INFRAGEN, "validate", "--root", str(root)]),
    ):
        results = []
        for _ in range(reps):
            result, _ = run(args, REPO, root, NO_STAMP)
            expect(result.rc == 0 and result.written == 0, f"N={n}: {operation} failed", result)
            results.append(result)
        rows.append(Row(n, operation, results))
    return rows


def measure_examples(work: Path, reps: int) -> list[Row]:
    """`gen --check` on a copy of the shipped example repository (regenerated once, so concurrent
    edits to the checkout cannot make it stale), with the module-source cache warm (every run after
    the first on a machine) and cold (a fresh CI container without a cached ~/.cache/infragen)."""
    root = work / "examples"
    root.mkdir(parents=True, exist_ok=True)
    for name in ("teams.yaml", *TOP_LEVEL, "infragen.yaml"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, root / name)
    for name in ("accounts", "services", "modules"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".terraform*"), symlinks=True)
    result, _ = run([INFRAGEN, "gen", "--root", str(root)], REPO, root)
    expect(result.rc == 0, "examples: gen failed", result)
    runs, cold = [], []
    for rep in range(reps):
        result, _ = run([INFRAGEN, "gen", "--check"], root, root, NO_STAMP)
        expect(result.rc == 0, "examples: gen --check failed", result)
        runs.append(result)
        env = {**NO_STAMP, "XDG_CACHE_HOME": str(work / f"empty-cache-{rep}")}
        result, _ = run([INFRAGEN, "gen", "--check"], root, root, env)
        expect(result.rc == 0, "examples: gen --check failed", result)
        cold.append(result)
    return [Row(None, "gen --check (examples)", runs), Row(None, "gen --check (examples, cold module cache)", cold)]


def peer_values(root: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Per root: the values infragen's planner passes to its five templates, and the expected files."""
    import generator.plan as plan
    from generator.spec.load import load_repo

    repo = load_repo(root)
    captured: list[tuple[str, dict[str, Any]]] = []
    real = plan.render

    def capture(template: str, **values: Any) -> str:
        captured.append((template, values))
        return real(template, **values)

    plan.render = capture
    try:
        expected = {f.path: f.content for f in plan.plan(repo)}
    finally:
        plan.render = real
    all_roots = plan.roots(repo)
    per_root = len(captured) // len(all_roots)
    assert per_root == 5 and len(captured) == 5 * len(all_roots)
    items = []
    for index, item in enumerate(all_roots):
        data: dict[str, Any] = {}
        for _, values in captured[index * 5 : index * 5 + 5]:
            data.update({k: _plain(v) for k, v in values.items()})
        items.append({"dir": item.dir, "data": data})
    return items, expected


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def measure_peer(work: Path, n: int, reps: int) -> Row:
    root = work / f"n{n}"
    items, expected = peer_values(root)
    values = work / f"peer-values-{n}.json"
    values.write_text(json.dumps(items), encoding="utf-8")
    template = work / "copier-template"  # outside any git checkout: copier renders the folder as is
    if not template.exists():
        shutil.copytree(TEMPLATE, template, symlinks=True)
        for name in ROOT_FILES:  # the generator's current templates, should they have changed since
            shutil.copy2(REPO / "generator" / "templates" / f"{name}.j2", template / f"{name}.jinja")
    runs = []
    for _ in range(reps):
        dest = work / f"peer-out-{n}"
        shutil.rmtree(dest, ignore_errors=True)
        result, _ = run([sys.executable, str(REPO / "bench" / "peer.py"), str(values), str(template), str(dest)], REPO)
        expect(result.rc == 0, f"N={n}: copier failed", result)
        rendered = {p.relative_to(dest).as_posix(): p.read_text(encoding="utf-8") for p in dest.rglob("*.tf")}
        expect(rendered == expected, f"N={n}: copier output differs from infragen's", result)
        result.written = len(rendered)
        runs.append(result)
    return Row(n, "copier peer (5 files per root)", runs)


def machine() -> dict[str, str]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return {
        "cpus": str(os.cpu_count()),
        "model": model,
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
        "load": load,
    }


def slope(rows: list[Row], operation: str) -> float | None:
    """Growth exponent from N=100 to N=1000: 1.0 is linear (start-up cost pulls it below)."""
    times = {r.n: r.wall for r in rows if r.operation == operation}
    if 100 not in times or 1000 not in times:
        return None
    import math

    return math.log(times[1000] / times[100]) / math.log(10)


def marginal_ratio(rows: list[Row]) -> tuple[float, float] | None:
    """Seconds per root of copier and of infragen's full generation between N = 10 and N = 100."""
    peer = {r.n: r.wall for r in rows if r.operation.startswith("copier")}
    ours = {r.n: r.wall for r in rows if r.operation == "full generation"}
    if not all(n in d for n in PEER_SIZES for d in (peer, ours)):
        return None
    roots = 3 * (PEER_SIZES[1] - PEER_SIZES[0])
    return (peer[100] - peer[10]) / roots, (ours[100] - ours[10]) / roots


def targets(rows: list[Row]) -> list[tuple[str, str, bool]]:
    def get(n: int | None, op: str) -> Row | None:
        return next((r for r in rows if r.n == n and r.operation == op), None)

    checks = []
    big = max((r.n for r in rows if r.n), default=0)
    if big == 1000:
        full, noop, one = get(1000, "full generation"), get(1000, "no-op regeneration"), get(1000, "one spec changed")
        work = get(1000, "no-op regeneration, full work")
        assert full and noop and one and work
        checks.append(("1,000 services x 3 envs, full generation <= 3 s", f"{full.wall:.2f} s", full.wall <= 3))
        checks.append(
            (
                "no-op <= 1 s and 0 files written",
                f"{noop.wall:.2f} s, {noop.written} files (full work without the stamp: {work.wall:.2f} s)",
                noop.wall <= 1 and noop.written == 0,
            )
        )
        checks.append(("one spec changed <= 1 s", f"{one.wall:.2f} s", one.wall <= 1))
        peak = max(r.rss_mb for r in rows if r.n == 1000)
        checks.append(("peak memory at 1,000 services <= 300 MB", f"{peak:.0f} MB", peak <= 300))
        exponents = [s for op in OPERATIONS if (s := slope(rows, op)) is not None]
        checks.append(
            (
                "linear growth (exponent 100 -> 1,000 services <= 1.1)",
                ", ".join(f"{s:.2f}" for s in exponents),
                max(exponents) <= 1.1,
            )
        )
    examples = get(None, "gen --check (examples)")
    if examples:
        checks.append(("gen --check on the examples <= 0.5 s", f"{examples.wall:.2f} s", examples.wall <= 0.5))
    ratios = [r.ratio for r in rows if r.ratio is not None]
    if ratios:
        checks.append((">= 50x faster than copier", ", ".join(f"{x:.0f}x" for x in ratios), min(ratios) >= 50))
    return checks


def write_markdown(rows: list[Row], info: dict[str, str], reps: int, peer_reps: int, path: Path) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (bench/run.py); do not edit by hand.",
        "",
        f"Machine: {info['cpus']} CPUs, {info['model']}, Python {info['python']}; run on {info['date']} "
        f"(load average at the end: {info['load']}).",
        "",
        "Each infragen operation is a real `infragen` subprocess on a synthetic repository of N services x 3 "
        "environments (bench/synth.py: 15 files per service, a realistic mix of datastores, dependencies, "
        f"ingress and environment files). Wall time is the median of {reps} runs and includes interpreter "
        "start; CPU is user + system time of the same runs (wall above CPU means the machine was busy); max "
        "RSS is the largest of the runs. Files written are counted from the tree (inode and mtime of every "
        "generated file), not from infragen's output.",
        "",
        "`no-op regeneration` is a second `infragen gen` with nothing changed: after a run that left the tree "
        "consistent, infragen records a stamp (generator/write/stamp.py: the stat signature of every file) and "
        "a matching run loads nothing. `no-op regeneration, full work` and `gen --check` run with "
        "`INFRAGEN_NO_STAMP=1`, as CI on a fresh checkout does: load, validate, plan, render and compare "
        "everything. `one spec changed` edits one service.yaml per run, so it always does the full work. "
        "`examples` is the shipped example repository; `cold module cache` is its first run on a machine "
        "(module sources not yet cached in ~/.cache/infragen, so python-hcl2 parses them).",
        "",
        f"The peer renders the same five files per root with copier (`copier.run_copy` once per root, "
        f"bench/copier-template/) from values computed by infragen's planner; its output is checked byte for "
        f"byte against infragen's. Median of {peer_reps} runs. The ratio is copier's wall time / infragen's "
        "full generation at the same N (which also loads, validates and writes atlantis.yaml and CODEOWNERS).",
        "",
        "| N | operation | median wall (s) | median CPU (s) | max RSS (MB) | files written | copier / ours |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        n = "examples" if r.n is None else str(r.n)
        ratio = f"{r.ratio:.0f}x" if r.ratio is not None else ""
        lines.append(f"| {n} | {r.operation} | {r.wall:.3f} | {r.cpu:.3f} | {r.rss_mb:.0f} | {r.written} | {ratio} |")
    marginal = marginal_ratio(rows)
    if marginal:
        lines += [
            "",
            f"Per root, without start-up costs (slope between N = 10 and N = 100): copier {marginal[0] * 1000:.1f} ms, "
            f"infragen {marginal[1] * 1000:.2f} ms: {marginal[0] / marginal[1]:.0f}x.",
        ]
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for name, measured, met in targets(rows):
        lines.append(f"| {name} | {measured} | {'yes' if met else 'NO'} |")
    lines += ["", "![time against N](benchmarks.png)", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for operation in (*OPERATIONS, "copier peer (5 files per root)"):
        points = sorted((r.n, r.wall) for r in rows if r.operation == operation and r.n)
        if points:
            style = "--" if operation.startswith("copier") else "-"
            ax.plot([p[0] for p in points], [p[1] for p in points], style, marker="o", label=operation)
    full = {r.n: r.wall for r in rows if r.operation == "full generation" and r.n}
    if 1000 in full:
        ns = sorted(full)
        ax.plot(ns, [full[1000] * n / 1000 for n in ns], ":", color="grey", label="linear (through full @ 1000)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("services (x 3 environments)")
    ax.set_ylabel("median wall time (s), interpreter start included")
    ax.set_title("infragen: time against repository size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--reps", type=int, default=5, help="repetitions per infragen operation")
    parser.add_argument("--peer-reps", type=int, default=3, help="repetitions of the copier peer")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    args = parser.parse_args()

    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="infragen-bench-") as tmp:
        work = Path(tmp)
        rows.extend(measure_examples(work, max(args.reps, 9)))
        print(f"examples: gen --check {rows[-2].wall:.3f} s, cold module cache {rows[-1].wall:.3f} s", flush=True)
        for n in args.sizes:
            size_rows = measure_size(work / f"n{n}", n, args.reps)
            for r in size_rows:
                print(
                    f"N={n:5} {r.operation:20} {r.wall:7.3f} s  cpu {r.cpu:6.3f} s  {r.rss_mb:5.0f} MB  {r.written} files",
                    flush=True,
                )
            rows.extend(size_rows)
            if n in PEER_SIZES and not args.no_peer:
                peer = measure_peer(work, n, args.peer_reps)
                ours = next(r for r in size_rows if r.operation == "full generation")
                ours.ratio = peer.wall / ours.wall
                print(f"N={n:5} copier {peer.wall:7.3f} s  ratio {ours.ratio:.0f}x", flush=True)
                rows.append(peer)
    info = machine()
    args.out.mkdir(parents=True, exist_ok=True)
    write_markdown(rows, info, args.reps, args.peer_reps, args.out / "benchmarks.md")
    plot(rows, args.out / "benchmarks.png")
    for name, measured, met in targets(rows):
        print(f"{'met   ' if met else 'MISSED'} {name}: {measured}")
    print(
        f"wrote {args.out / 'benchmarks.md'} and {args.out / 'benchmarks.png'} in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
