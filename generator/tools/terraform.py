"""The Terraform seam of `infragen drift` and `infragen adopt`: a plan of one root, as plan JSON.

``terraform plan -refresh-only -out=PLAN`` then ``terraform show -json PLAN`` in the root's
directory (``init`` first when the directory has no ``.terraform``). The plan is written to a
temporary directory and removed; nothing is applied and the state is not locked (a refresh-only
plan writes no state). `adopt` reads an ordinary plan the same way (:func:`plan`: with its
import blocks, which Terraform reads from AWS while planning). ``INFRAGEN_TERRAFORM`` names the binary (default ``terraform`` on PATH).
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

from generator.errors import InfragenError
from generator.tools.drift import DriftError, check_plan

TIMEOUT = 1800  # seconds per terraform command: a refresh reads every resource of the root


def binary(error: type[InfragenError] = DriftError) -> str:
    name = os.environ.get("INFRAGEN_TERRAFORM", "terraform")
    found = shutil.which(name)
    if found is None:
        raise error(f"terraform not found ({name!r}): install it or set INFRAGEN_TERRAFORM")
    return found


def _run(args: list[str], cwd: Path, ok: tuple[int, ...] = (0,), error: type[InfragenError] = DriftError) -> str:
    try:
        done = subprocess.run(
            [binary(error), *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise error(f"terraform {args[0]} in {cwd}: {exc}") from None
    if done.returncode not in ok:
        tail = (done.stderr or done.stdout).strip().splitlines()[-12:]
        raise error(f"terraform {args[0]} in {cwd} exited {done.returncode}:\n" + "\n".join(tail))
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


def plan(directory: Path, error: type[InfragenError]) -> Mapping[str, Any]:
    """The plan JSON of the root in ``directory`` (``init`` first when it has none); nothing is
    applied or locked. ``error`` is the class of the calling command's failures."""
    if not directory.is_dir():
        raise error(f"{directory}: no such root; run `infragen gen`")
    if not (directory / ".terraform").is_dir():
        _run(["init", "-input=false", "-no-color"], directory, error=error)
    with tempfile.TemporaryDirectory(prefix="infragen-plan-") as scratch:
        planfile = str(Path(scratch) / "root.tfplan")
        _run(
            ["plan", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode", f"-out={planfile}"],
            directory,
            ok=(0, 2),
            error=error,
        )
        text = _run(["show", "-json", planfile], directory, error=error)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise error(f"terraform show -json in {directory}: not JSON ({exc})") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise error(f"terraform show -json in {directory}: not a plan JSON")
    return data
