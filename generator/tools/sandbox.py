"""A local AWS emulator (moto's server) on 127.0.0.1 for trying the deploy story on a laptop.

``up`` starts ``python -m moto.server`` on a free loopback port in its own process group and records
its pid and port in ``.infragen-sandbox/state.json``; ``down`` stops that process group and removes the
state directory, and does nothing when nothing is up. Only loopback addresses are ever used.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from generator.errors import InfragenError

STATE_DIR = ".infragen-sandbox"
HOST = "127.0.0.1"


class SandboxError(InfragenError):
    """The sandbox could not start or its state file is unreadable."""


@dataclass(frozen=True)
class Sandbox:
    pid: int
    port: int

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
        box = Sandbox(pid=int(data["pid"]), port=int(data["port"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise SandboxError(f"{path}: unreadable sandbox state ({exc}); remove {path.parent} and retry") from None
    return box if _alive(box.pid) else None


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((HOST, port)) == 0


def up(root: Path, *, port: int | None = None, timeout: float = 60) -> tuple[Sandbox, bool]:
    """Start the emulator unless one is up; returns it and whether it was already running."""
    running = read_state(root)
    if running is not None:
        return running, True
    chosen = port if port is not None else free_port()
    state_dir = root / STATE_DIR
    state_dir.mkdir(exist_ok=True)
    (state_dir / ".gitignore").write_text("*\n", encoding="utf-8")
    log = open(state_dir / "moto.log", "w", encoding="utf-8")  # noqa: SIM115
    with log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(chosen)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    box = Sandbox(pid=proc.pid, port=chosen)
    state_path(root).write_text(json.dumps({"pid": box.pid, "port": box.port}) + "\n", encoding="utf-8")
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


def next_commands(box: Sandbox, *, env: str, service: str) -> list[str]:
    """The deploy story against the emulator, one shell line each."""
    prefix = " ".join(f"{k}={v}" for k, v in box.env().items())
    return [
        f"export {prefix}",
        f"infragen compile {service} --env {env} --image-tag v1",
        f"infragen deploy {service} --env {env} --image-tag v1",
        f"infragen status {service} --env {env}",
        f"infragen service history {service} --env {env}",
        f"infragen rollback {service} --env {env}",
        "infragen sandbox down",
    ]
