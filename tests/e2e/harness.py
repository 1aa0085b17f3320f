"""The e2e harness: the moto server, the account's pre-existing infrastructure, and Atlantis' steps.

Nothing here changes a generated file: each project runs in a copy of the generated tree with one
extra test-time file, ``zz_e2e_override.tf``, that points the AWS provider at the emulator and
replaces the S3 backend with a local one.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.tools import emulator, sandbox

ACCOUNT_ID = "123456789012"  # moto's default account: STS GetCallerIdentity returns it
REGION = "eu-west-1"
ENV = "e2e"
FIXTURE = Path(__file__).resolve().parent / "fixture"
REPO = Path(__file__).resolve().parents[2]

ENDPOINT_SERVICES = emulator.ENDPOINT_SERVICES
Infra = emulator.Infra
override = emulator.override  # the one extra file of every root applied here (its provider endpoints, local state)


free_port = sandbox.free_port  # a free loopback port, as `infragen sandbox up` picks one


STARTED: list[Path] = []  # the emulators' logs, for the current test (tests/e2e/conftest.py)


def emulator_log(lines: int = 80) -> str:
    """The end of what moto_serial logged for this test's emulators (security-group changes, failed
    answers, slow requests): shown with a failed e2e test."""
    found = []
    for path in STARTED:
        with contextlib.suppress(OSError):
            logged = [line for line in path.read_text(errors="replace").splitlines() if line.startswith("moto_serial:")]
            found.append(f"{path}:\n" + "\n".join(logged[-lines:]))
    return "\n".join(found)


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run moto's server as the sandbox does (generator/tools/moto_serial.py: one request at a
    time) on 127.0.0.1 in its own process group; always stop it."""
    port = free_port()
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"moto-e2e-{port}.log"
    STARTED.append(path)
    log = open(path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.tools.moto_serial", "127.0.0.1", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop() -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()

    atexit.register(stop)  # also on an interpreter exit that skips the finally below

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")  # unwinds through the finally below

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start (see {log.name})") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        stop()
        atexit.unregister(stop)
        signal.signal(signal.SIGTERM, previous)


def client(endpoint: str, service: str) -> Any:
    return emulator.client(endpoint, service, REGION)


def provision(endpoint: str) -> Infra:
    """The e2e account's pre-existing infrastructure (generator/tools/emulator.py, as the sandbox makes it)."""
    return emulator.provision(
        endpoint, region=REGION, name=ENV, cluster=ENV, zone="e2e.internal", public_zone="e2e-example.com"
    )


def make_repo(dest: Path, infra: Infra, fixture: Path = FIXTURE) -> Path:
    """Copy the fixture repo and write the emulator's real ids into its account file."""
    shutil.copytree(fixture, dest, symlinks=True)
    shutil.copytree(
        REPO / "modules", dest / "modules", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"), symlinks=True
    )
    emulator.rewrite_account(dest / "accounts" / ENV / "account.yaml", infra)
    return dest


@dataclass
class Step:
    project: str
    command: str
    seconds: float
    code: int
    output: str


def counted(output: str, verb: str) -> int:
    """N from terraform's 'Resources: N added, ...' / '... N destroyed' summary line."""
    match = re.search(rf"Resources: .*?(\d+) {verb}", output)
    return int(match.group(1)) if match else 0


# Attributes moto 5.2.6 does not store, so the provider reads back a default and plans the spec's
# value again. Only these may differ in the second plan; docs/testing.md lists them as gaps.
EMULATOR_DRIFT = {
    "aws_ecs_service": {
        "enable_ecs_managed_tags",
        "health_check_grace_period_seconds",
        "availability_zone_rebalancing",
    },
    "aws_db_instance": {"performance_insights_enabled", "performance_insights_retention_period"},
    "aws_db_parameter_group": {"parameter"},
}


def replan_drift(plan: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Split the second plan's changes into (unexplained, explained by a known emulator gap)."""
    unexplained: list[str] = []
    explained: list[str] = []
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        before = change["change"].get("before") or {}
        after = change["change"].get("after") or {}
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        allowed = EMULATOR_DRIFT.get(change["type"], set())
        entry = f"{change['address']} {'/'.join(actions)}: {', '.join(changed)}"
        if actions == ["update"] and changed and set(changed) <= allowed:
            explained.append(entry)
        else:
            unexplained.append(entry)
    return unexplained, explained
