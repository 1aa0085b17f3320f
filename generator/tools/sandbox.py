"""A local AWS emulator (moto's server) on 127.0.0.1 for trying the deploy story on a laptop.

``up`` starts moto's server on a free loopback port in its own process group, one request at a time
(generator/tools/moto_serial.py: moto's threaded server races on its own state), and records
its pid and port in ``.infragen-sandbox/state.json``; ``down`` stops that process group and removes the
state directory, and does nothing when nothing is up. Only loopback addresses are ever used.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from generator.errors import InfragenError
from generator.tools import emulator

STATE_DIR = ".infragen-sandbox"
HOST = "127.0.0.1"


class SandboxError(InfragenError):
    """The sandbox could not start or its state file is unreadable."""


@dataclass(frozen=True)
class Sandbox:
    pid: int
    port: int
    service: str | None = None  # whose roots `up --service` applied (None: the emulator only)
    environment: str | None = None  # ... in which environment

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment every AWS client needs to talk to the emulator and nothing else."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-1",
        }


def state_path(root: Path) -> Path:
    return root / STATE_DIR / "state.json"


def write_state(root: Path, box: Sandbox) -> None:
    """What :func:`read_state` reads back: the emulator's process and port, and the target applied."""
    state: dict[str, object] = {"pid": box.pid, "port": box.port}
    if box.service is not None:
        state.update(service=box.service, env=box.environment)
    state_path(root).write_text(json.dumps(state) + "\n", encoding="utf-8")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_state(root: Path) -> Sandbox | None:
    """The running sandbox, or None when there is none (a stale state file counts as none)."""
    path = state_path(root)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        box = Sandbox(
            pid=int(data["pid"]), port=int(data["port"]), service=data.get("service"), environment=data.get("env")
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise SandboxError(f"{path}: unreadable sandbox state ({exc}); remove {path.parent} and retry") from None
    return box if _alive(box.pid) else None


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((HOST, port)) == 0


def up(
    root: Path, *, port: int | None = None, timeout: float = 60, account_id: str | None = None
) -> tuple[Sandbox, bool]:
    """Start the emulator unless one is up; returns it and whether it was already running.
    ``account_id``: the account the emulator answers as (STS GetCallerIdentity, every ARN)."""
    running = read_state(root)
    if running is not None:
        return running, True
    if importlib.util.find_spec("moto") is None:  # the sandbox extra's, not a runtime dependency
        raise SandboxError(
            "the sandbox runs moto's AWS emulator, which is not installed here: "
            "pip install 'infragen[sandbox]' (or 'moto[server]') into infragen's environment"
        )
    chosen = port if port is not None else free_port()
    state_dir = root / STATE_DIR
    state_dir.mkdir(exist_ok=True)
    (state_dir / ".gitignore").write_text("*\n", encoding="utf-8")
    log = open(state_dir / "moto.log", "w", encoding="utf-8")  # noqa: SIM115
    with log:
        env = {**os.environ, **({"MOTO_ACCOUNT_ID": account_id} if account_id else {})}
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator.tools.moto_serial", HOST, str(chosen)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
    box = Sandbox(pid=proc.pid, port=chosen)
    write_state(root, box)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{box.endpoint}/moto-api/", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (state_dir / "moto.log").read_text(encoding="utf-8", errors="replace")[-2000:]
                down(root)
                raise SandboxError(f"moto server did not start on {box.endpoint}; its log ends:\n{tail}") from None
            time.sleep(0.2)
    return box, False


def down(root: Path, *, timeout: float = 10) -> bool:
    """Stop what ``up`` started and remove its state; False when nothing was up. Idempotent."""
    state_dir = root / STATE_DIR
    box = None
    with contextlib.suppress(SandboxError):
        box = read_state(root)
    if box is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(box.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(box.pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(box.pid, os.WNOHANG)
            time.sleep(0.1)
        if _alive(box.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(box.pid, signal.SIGKILL)
    existed = state_dir.exists()
    shutil.rmtree(state_dir, ignore_errors=True)
    return box is not None or existed


IMAGE_TAGS = ("sandbox-1", "sandbox-2")  # pushed to the service's ECR repository by `up`


def next_commands(box: Sandbox, *, env: str, service: str) -> list[str]:
    """The deploy story against the emulator, one shell line each."""
    prefix = " ".join(f"{k}={v}" for k, v in box.env().items())
    first, second = IMAGE_TAGS
    # The sandbox is no account: what you try here need not be reviewed yet.
    return [
        f"export {prefix}",
        f"infragen compile {service} --env {env} --image-tag {first}",
        f"infragen deploy {service} --env {env} --image-tag {first} --allow-unreviewed --no-wait",
        f"infragen deploy {service} --env {env} --image-tag {second} --allow-unreviewed --no-wait",
        f"infragen status {service} --env {env}",
        f"infragen service history {service} --env {env}",
        f"infragen rollback {service} --env {env} --no-wait",
        "infragen sandbox down",
    ]


INPUTS = ("services", "accounts", "teams.yaml", "infragen.yaml", "modules")


def _terraform(args: list[str], cwd: Path) -> tuple[int, str]:
    binary = shutil.which(os.environ.get("INFRAGEN_TERRAFORM", "terraform"))
    if binary is None:
        raise SandboxError("terraform not found: install it (or set INFRAGEN_TERRAFORM) to apply the roots")
    try:
        done = subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, timeout=1800, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxError(f"terraform {args[0]} in {cwd}: {exc}") from None
    return done.returncode, done.stdout + done.stderr


def _push_images(box: Sandbox, service: str, region: str) -> None:
    """Stand-in images (a manifest, no layers) so `deploy` finds its tags in ECR."""
    ecr = emulator.client(box.endpoint, "ecr", region)
    for i, tag in enumerate(IMAGE_TAGS, start=1):
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"digest": f"sha256:{str(i) * 64}"},
                "layers": [],
            }
        )
        ecr.put_image(repositoryName=service, imageManifest=manifest, imageTag=tag)


def apply_service(
    root: Path, box: Sandbox, *, env: str, service: str, report: Callable[[str], None] = lambda _: None
) -> list[str]:
    """Create the account's infrastructure in the emulator, then apply the roots ``service`` needs in
    ``env`` (its own and those it depends on, in Atlantis's order) from a copy of the repository
    under .infragen-sandbox/repo whose account file points at the emulator. Returns the projects.

    The emulator answers as the account file's account id and names the cluster like the account's
    cluster ARN, so the deploy commands run from the repository itself reach what was applied."""
    from generator.api import generate
    from generator.deploy.aws import resolve

    account = resolve(root, service, env).account  # the deploy commands' refusals, before anything starts
    infra = emulator.provision(
        box.endpoint,
        region=account.region,
        name=f"sandbox-{env}"[:20],
        cluster=account.cluster_arn.rsplit("/", 1)[-1],
        zone=account.dns_zone,
        public_zone=account.public_zone or f"{env}.sandbox.invalid",
    )
    copy = root / STATE_DIR / "repo"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    for name in INPUTS:
        source = root / name
        if source.is_dir():
            ignore = shutil.ignore_patterns(".terraform*", "*.tfstate*", "zz_*.tf")
            shutil.copytree(source, copy / name, symlinks=True, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, copy / name)
    emulator.rewrite_account(copy / "accounts" / env / "account.yaml", infra)
    generate(copy)
    atlantis = yaml.safe_load((copy / "atlantis.yaml").read_text(encoding="utf-8"))
    projects = emulator.needed_projects(atlantis, env, service)
    emulator.apply_projects(copy, projects, box.endpoint, _terraform, report)
    _push_images(box, service, account.region)
    write_state(root, replace(box, service=service, environment=env))
    return [str(p["name"]) for p in projects]


def check_target(box: Sandbox, *, service: str, env: str) -> None:
    """Refuse ``up --service`` on a running sandbox that holds another target: its emulator answers
    as that account and its repository copy holds that state, so nothing would be applied."""
    if (box.service, box.environment) == (service, env):
        return
    holds = f"for {box.service} in {box.environment}" if box.service else "without a service's roots"
    raise SandboxError(
        f"a sandbox is already up (moto on {box.endpoint}, pid {box.pid}) {holds}; "
        f"run 'infragen sandbox down', then 'infragen sandbox up --service {service} --env {env}'"
    )
