"""In-process timings and the profile, run by bench/run.py as a child process with the environment
of the operation (stamp and cache on or off), so that the harness never shares generator state or
environment variables between operations.

Only the public library API is used: ``generator.api.generate(root, check=...)``, which returns
``Result(changes=..., interrupted=...)``. Usage:

    python bench/inproc.py full ROOT                      # one generation from an empty output tree
    python bench/inproc.py noop ROOT REPS                 # REPS generations with nothing changed
    python bench/inproc.py change ROOT SERVICE REPS START # REPS edits of SERVICE's desiredCount
    python bench/inproc.py check ROOT REPS                # REPS `gen --check`
    python bench/inproc.py profile OUT OP ROOT [SERVICE VALUE]  # cProfile of one CLI run, top 25 by cumulative time
                                                          # (INFRAGEN_JOBS=1: all the work in the profiled process)

Timings print as one JSON object: {"seconds": [...], "files": [...]}. The profile runs the console
script's `generator.entry.main` (imports included: what a CLI run pays after the interpreter's
start; `gen` without click, `gen --check` through the CLI).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any

DESIRED = re.compile(r"^(\s*desiredCount:) \d+$", re.MULTILINE)


def set_desired_count(root: Path, service: str, value: int) -> None:
    """Edit one service.yaml the way a developer would: a new desiredCount (a value not seen before
    in this run, so no cache keyed by content can have served it)."""
    path = root / "services" / service / "service.yaml"
    text = path.read_text(encoding="utf-8")
    new, count = DESIRED.subn(rf"\g<1> {value}", text, count=1)
    if not count:
        raise SystemExit(f"inproc: no desiredCount in {path}")
    path.write_text(new, encoding="utf-8")


def _generate(root: Path, check: bool = False) -> int:
    from generator.api import generate

    return len(generate(root, check=check).changes)


def _timed(root: Path, reps: int, check: bool = False, edit: Any = None) -> dict[str, list[float]]:
    seconds, files = [], []
    for rep in range(reps):
        if edit:
            edit(rep)
        start = time.perf_counter()
        files.append(_generate(root, check))
        seconds.append(time.perf_counter() - start)
    return {"seconds": seconds, "files": files}


def _cli(root: Path, check: bool) -> None:
    """`infragen gen [--check] --root ROOT` through the console script's main, imports included
    (its `console` would leave the process with os._exit)."""
    sys.argv = ["infragen", "gen", "--root", str(root), *(["--check"] if check else [])]
    from generator.entry import main

    try:
        main()
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise


def profile(out: Path, op: str, root: Path, args: list[str]) -> None:
    """cProfile of one `infragen gen` (after the edit, for ``change``) from the import of the CLI on:
    what a user waits for, but for the interpreter's own start."""
    if op == "change":
        set_desired_count(root, args[0], int(args[1]))
    elif op not in ("full", "noop", "check"):
        raise SystemExit(f"inproc: unknown operation {op}")
    os.environ["INFRAGEN_JOBS"] = "1"  # cProfile sees one process: a cold run's roots are rendered in it
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    _cli(root, check=op == "check")
    profiler.disable()
    wall = time.perf_counter() - start
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(25)
    text.write("\n--- and the top 15 by own time (tottime), where the time is spent ---\n")
    stats.sort_stats("tottime").print_stats(15)
    body = text.getvalue()
    # shorter paths: the repository and the site-packages prefixes say nothing
    repo = str(Path(__file__).resolve().parent.parent) + "/"
    body = body.replace(repo, "")
    body = re.sub(r"\S*/site-packages/", "", body)
    body = re.sub(r"\S*/lib/python3\.\d+/", "", body)
    lines = [line.rstrip() for line in body.splitlines()]
    header = f"`infragen gen{' --check' if op == 'check' else ''}` ({op}): {wall:.3f} s under cProfile (profiler overhead included)"
    out.write_text(header + "\n" + "\n".join(lines).strip("\n") + "\n", encoding="utf-8")


def main() -> None:
    op, rest = sys.argv[1], sys.argv[2:]
    if op == "profile":
        profile(Path(rest[0]), rest[1], Path(rest[2]), rest[3:])
        return
    root = Path(rest[0])
    if op == "full":
        result = _timed(root, 1)
    elif op == "noop":
        _generate(root)  # imports and any in-process warm-up outside the timing
        result = _timed(root, int(rest[1]))
    elif op == "check":
        result = _timed(root, int(rest[1]), check=True)
    elif op == "change":
        service, reps, start = rest[1], int(rest[2]), int(rest[3])
        _generate(root)
        result = _timed(root, reps, edit=lambda rep: set_desired_count(root, service, start + rep))
    else:
        raise SystemExit(f"inproc: unknown operation {op}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
