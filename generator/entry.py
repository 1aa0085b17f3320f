"""The `infragen` console script. `infragen gen` (with `--root DIR` at most) runs without the
command-line library: it is the command run before every pull request, and importing click and
registering every command took about 30 ms (3.4% of the instructions of a one-file change at
1,000 x 3). With nothing to do (the no-op stamp matches the tree) it answers before the stages are
imported. Any other command and any other option go to the CLI (generator/cli), which parses, runs
and reports as it always does; so does a problem of the fast path (the CLI's own report)."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from generator import compiled


def console() -> None:
    """The console script: :func:`main`, and a `gen` that ran leaves without tearing the interpreter
    down. A run at 1,000 services x 3 ends holding millions of objects (the models, the caches of
    its stages, every module it imported); freeing them one by one at exit took 50-60 ms of a full
    generation, for nothing: the process is ending. Its output is flushed first, and nothing of
    `gen` relies on an exit handler (it writes files whole, with `with` blocks). A bug keeps its
    traceback: only SystemExit, the CLI's own way to finish, is turned into the quick exit.

    For the same reason the cyclic collector stays off from the start: api.generate pauses it for
    its run, and turning it back on made the next allocation collect the young generation, which
    by then held every object the run kept (the models, the snapshot's plan): 1.1% of the
    instructions of a one-file change at 1,000 x 3, for a process about to end."""
    if sys.argv[1:2] != ["gen"]:
        main()
        return
    gc.disable()
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as the interpreter prints a non-integer exit code
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = 120  # the interpreter's own code when flushing its streams at exit fails
    compiled.save()  # os._exit runs no exit handler (generator/compiled.py)
    os._exit(code or 0)


def main() -> None:
    if not _gen(sys.argv[1:]):
        from generator.cli import main as cli

        cli()


def _gen(args: list[str]) -> bool:
    """True, with gen's own output printed, when ``args`` are `gen` or `gen --root DIR` and it ran.
    A tree that is up to date is answered from the walk alone; the generation that follows otherwise
    takes the same walk."""
    if args == ["gen"]:
        start, explicit = Path.cwd(), False
    elif len(args) == 3 and args[:2] == ["gen", "--root"] and _a_folder_or_nothing(args[2]):
        start, explicit = Path(args[2]), True
    else:
        return False
    from generator import api
    from generator.errors import InfragenError
    from generator.spec.root import find_root

    root = None
    try:
        root = find_root(start, explicit=explicit)
        try:
            done = api.up_to_date(root)
        except OSError:
            done = False  # the generation meets it again, and shows it as the CLI would
        result = api.Result(changes=[], interrupted=False) if done else api.generate(root)
    except InfragenError as exc:
        from generator.cli import report_error, use_color

        report_error(exc, root, use_color(sys.stdout) and use_color(sys.stderr))
    except KeyboardInterrupt:
        print("\naborted", file=sys.stderr)  # as the CLI answers Ctrl-C
        sys.exit(1)
    for text, err in result.report(check=False):
        print(text, file=sys.stderr if err else sys.stdout)
    return True


def _a_folder_or_nothing(path: str) -> bool:
    """What the CLI's --root accepts without an error of its own (not a file; not an option)."""
    return bool(path) and not path.startswith("-") and (os.path.isdir(path) or not os.path.exists(path))
