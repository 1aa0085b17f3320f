"""The README's deploy story on a laptop: `infragen sandbox up` starts the emulator on 127.0.0.1,
applies the roots a service needs and pushes two test images; the printed commands (compile,
deploy twice, status, service history, rollback) run from the repository itself; `sandbox down`
stops everything. Each command runs as a service owner runs it (the installed CLI in a subprocess,
in the repository). The session is printed and saved to ``$SANDBOX_TRANSCRIPT`` (default
``$TMPDIR/infragen-sandbox-transcript.txt``)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tfenv import terraform_binary, terraform_env

from generator.tools import sandbox

from . import harness as h
from .test_apply import e2e_requested

SERVICE = "ledger"


def test_the_sandbox_runs_the_deploy_story(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if not e2e_requested(request.config):
        pytest.skip("the sandbox story runs only with `make e2e` (pytest tests/e2e): it applies a root")
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: `sandbox up` applies roots with it")
    started = time.monotonic()
    repo = tmp_path / "repo"
    shutil.copytree(h.FIXTURE, repo, symlinks=True)
    shutil.copytree(h.REPO / "modules", repo / "modules", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    base_env = {
        **{k: v for k, v in terraform_env().items() if not k.startswith("AWS_")},
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "NO_COLOR": "1",
    }
    lines: list[str] = []

    def run(command: str, env: dict[str, str], code: int = 0) -> str:
        args = shlex.split(command)
        assert args[0] == "infragen"
        proc = subprocess.run(
            [sys.executable, "-m", "generator.cli", *args[1:]],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        output = proc.stdout + proc.stderr
        lines.append(f"$ {command}")
        lines.extend(output.rstrip("\n").splitlines())
        lines.append(f"[exit {proc.returncode}]")
        assert proc.returncode == code, f"{command} exited {proc.returncode}:\n{output}"
        assert "Traceback" not in output, output
        return output

    box = None
    try:
        out = run(f"infragen sandbox up --service {SERVICE} --env {h.ENV}", base_env)
        box = sandbox.read_state(repo)
        assert box is not None and sandbox.port_open(box.port)
        assert f"applied {h.ENV}-{SERVICE}" in out and "pushed images sandbox-1, sandbox-2" in out
        printed = [line.strip() for line in out.split("next:\n", 1)[1].splitlines() if line.strip()]
        assert printed == sandbox.next_commands(box, env=h.ENV, service=SERVICE)
        exports = dict(item.split("=", 1) for item in shlex.split(printed[0])[1:])
        assert exports["AWS_ENDPOINT_URL"] == box.endpoint and box.endpoint.startswith("http://127.0.0.1:")
        env = {**base_env, **exports}
        outputs = [run(command, env) for command in printed[1:-1]]
        compiled, first, second, status, history, rollback = outputs
        assert f'"image": "{h.ACCOUNT_ID}.dkr.ecr.{h.REGION}.amazonaws.com/{SERVICE}:sandbox-1"' in compiled
        assert "deployment started (not waiting)" in first and "warning: deploying an unreviewed tree" in first
        assert "deployment started (not waiting)" in second
        assert "image tag sandbox-2" in status
        rows = [row.split() for row in history.splitlines()[1:]]
        assert [row[:3] for row in rows] == [["*", "3", "sandbox-2"], ["2", "sandbox-1", rows[1][2]], ["1", "-", "-"]]
        assert f"rollback to {SERVICE}:2 started" in rollback
        out = run("infragen sandbox down", base_env)
        assert out.strip() == "sandbox stopped"
    finally:
        if box is not None and sandbox.read_state(repo) is not None:
            sandbox.down(repo)
    assert box is not None and not sandbox.port_open(box.port)
    with pytest.raises(ProcessLookupError):
        os.kill(box.pid, 0)
    assert not (repo / sandbox.STATE_DIR).exists()
    assert run("infragen sandbox down", base_env).strip() == "sandbox was not running"

    transcript = "\n".join(lines) + "\n"
    path = Path(
        os.environ.get("SANDBOX_TRANSCRIPT")
        or Path(os.environ.get("TMPDIR", "/tmp")) / "infragen-sandbox-transcript.txt"
    )
    path.write_text(transcript, encoding="utf-8")
    print(f"\n--- sandbox transcript ({path}, {time.monotonic() - started:.0f}s) ---\n{transcript}", flush=True)
