"""The Terraform seam of `infragen drift`: a refresh-only plan of one root, as plan JSON.

``terraform plan -refresh-only -out=PLAN`` then ``terraform show -json PLAN`` in the root's
directory (``init`` first when the directory has no ``.terraform``). The plan is written to a
temporary directory and removed; nothing is applied and the state is not locked (a refresh-only
plan writes no state). ``INFRAGEN_TERRAFORM`` names the binary (default ``terraform`` on PATH).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.tools.drift import DriftError, check_plan

TIMEOUT = 1800  # seconds per terraform command: a refresh reads every resource of the root


def binary() -> str:
    name = os.environ.get("INFRAGEN_TERRAFORM", "terraform")
    found = shutil.which(name)
    if found is None:
        raise DriftError(f"terraform not found ({name!r}): install it or set INFRAGEN_TERRAFORM")
    return found


def _run(args: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> str:
    try:
        done = subprocess.run([binary(), *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DriftError(f"terraform {args[0]} in {cwd}: {exc}") from None
    if done.returncode not in ok:
        tail = (done.stderr or done.stdout).strip().splitlines()[-12:]
        raise DriftError(f"terraform {args[0]} in {cwd} exited {done.returncode}:\n" + "\n".join(tail))
    return done.stdout


def refresh_only_plan(directory: Path) -> Mapping[str, Any]:
    """The refresh-only plan JSON of the root in ``directory``."""
    if not directory.is_dir():
        raise DriftError(f"{directory}: no such root; run `infragen gen` (and let Atlantis apply it)")
    if not (directory / ".terraform").is_dir():
        _run(["init", "-input=false", "-no-color"], directory)
    with tempfile.TemporaryDirectory(prefix="infragen-drift-") as scratch:
        planfile = str(Path(scratch) / "refresh.tfplan")
        # -detailed-exitcode: 0 nothing changed, 2 the refresh found changes; both are a plan
        _run(
            [
                "plan",
                "-refresh-only",
                "-input=false",
                "-lock=false",
                "-no-color",
                "-detailed-exitcode",
                f"-out={planfile}",
            ],
            directory,
            ok=(0, 2),
        )
        text = _run(["show", "-json", planfile], directory)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DriftError(f"terraform show -json in {directory}: not JSON ({exc})") from None
    return check_plan(data, str(directory))
