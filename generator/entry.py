"""The `infragen` console script. `infragen gen` with nothing to do (its no-op stamp matches the
tree) is answered before the command-line library is imported: it is the command run before every
pull request, and importing click is a tenth of its time. Any other command, any other option, and
any problem go to the CLI (generator/cli), which parses, runs and reports as it always does."""

from __future__ import annotations

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
    traceback: only SystemExit, the CLI's own way to finish, is turned into the quick exit."""
    if sys.argv[1:2] != ["gen"]:
        main()
        return
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
    if not _nothing_to_do(sys.argv[1:]):
        from generator.cli import main as cli

        cli()


def _nothing_to_do(args: list[str]) -> bool:
    """True, with gen's own output printed, when ``args`` are `gen` or `gen --root DIR` and the
    tree is up to date. A walk taken for nothing is not lost: the run the CLI starts uses it."""
    if args == ["gen"]:
        start, explicit = Path.cwd(), False
    elif len(args) == 3 and args[:2] == ["gen", "--root"] and args[2]:
        start, explicit = Path(args[2]), True
    else:
        return False
    from generator import api
    from generator.errors import InfragenError
    from generator.spec.root import find_root

    try:
        if not api.up_to_date(find_root(start, explicit=explicit)):
            return False
    except (InfragenError, OSError):
        return False  # the CLI finds it again and reports it
    print("0 file(s) changed")
    return True
