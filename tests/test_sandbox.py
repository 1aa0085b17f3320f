"""The sandbox's state file and `down` idempotency; the emulator is moto's server on loopback, no terraform."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_inputs, run_cli

from generator.tools import moto_serial, sandbox


def test_down_without_up_is_a_no_op(tmp_path: Path) -> None:
    assert sandbox.down(tmp_path) is False
    assert sandbox.down(tmp_path) is False
    assert not (tmp_path / sandbox.STATE_DIR).exists()


def test_stale_state_counts_as_down(tmp_path: Path) -> None:
    path = sandbox.state_path(tmp_path)
    path.parent.mkdir()
    path.write_text(json.dumps({"pid": 2**22 + 12345, "port": 1}), encoding="utf-8")
    assert sandbox.read_state(tmp_path) is None
    assert sandbox.down(tmp_path) is True  # removes the stale directory
    assert not path.parent.exists()


def test_unreadable_state_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = sandbox.state_path(tmp_path)
    path.parent.mkdir()
    path.write_text("{", encoding="utf-8")
    with pytest.raises(sandbox.SandboxError, match=r"state\.json"):
        sandbox.read_state(tmp_path)


def test_up_records_state_and_down_stops_everything(tmp_path: Path) -> None:
    box, already = sandbox.up(tmp_path)
    try:
        assert not already
        assert json.loads(sandbox.state_path(tmp_path).read_text()) == {"pid": box.pid, "port": box.port}
        assert box.endpoint.startswith("http://127.0.0.1:")
        assert sandbox.port_open(box.port)
        again, already = sandbox.up(tmp_path)
        assert already and again == box
    finally:
        assert sandbox.down(tmp_path) is True
    assert not sandbox.port_open(box.port)
    with pytest.raises(ProcessLookupError):
        os.kill(box.pid, 0)
    assert not (tmp_path / sandbox.STATE_DIR).exists()
    assert sandbox.down(tmp_path) is False


def test_next_commands_only_name_loopback() -> None:
    lines = sandbox.next_commands(sandbox.Sandbox(pid=1, port=4566), env="staging", service="bpg")
    assert lines[0].startswith("export AWS_ENDPOINT_URL=http://127.0.0.1:4566 ")
    assert "infragen service history bpg --env staging" in lines
    assert lines[-1] == "infragen sandbox down"


def test_the_emulator_handles_one_request_at_a_time() -> None:
    """moto_serial's lock: requests on several threads never run moto's application at once (moto's
    threaded server changed its state from several threads: the module's docstring), and each
    request's whole body is made before the next starts."""
    inside, most, bodies = 0, 0, []
    guard = threading.Lock()

    def app(environ: dict[str, object], start_response: object) -> Iterator[bytes]:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.01)
        yield str(environ["n"]).encode()
        time.sleep(0.01)  # a lazily made body: still under the lock
        with guard:
            inside -= 1

    wrapped = moto_serial.serial(app)
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda n: wrapped({"n": n}, lambda *a: None), range(24)))
    assert most == 1
    assert bodies == [[str(n).encode()] for n in range(24)]


def test_the_sandbox_runs_the_serial_emulator(tmp_path: Path) -> None:
    box, _ = sandbox.up(tmp_path)
    try:
        command = Path(f"/proc/{box.pid}/cmdline").read_bytes().split(b"\0")
        assert command[1:5] == [b"-m", b"generator.tools.moto_serial", b"127.0.0.1", str(box.port).encode()]
        with urllib.request.urlopen(f"{box.endpoint}/moto-api/", timeout=5) as answer:
            assert answer.status == 200
    finally:
        sandbox.down(tmp_path)


def test_the_emulator_log_names_slow_failed_and_security_group_requests(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto_serial's log: a request that held the lock long, a failed answer, and a security-group
    change with its parameters (a retried request shows twice); the application still reads the
    whole form body; nothing else is logged."""
    monkeypatch.setattr(moto_serial, "SLOW", 0.05)
    seen: list[bytes] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        seen.append(body)
        time.sleep(0.1 if environ.get("HTTP_X_AMZ_TARGET") == "slow" else 0)
        start_response("400 Bad Request" if b"Duplicate" in body else "200 OK", [])
        yield b"<ok/>"

    wrapped = moto_serial.serial(app)
    base = {"REQUEST_METHOD": "POST", "HTTP_HOST": "127.0.0.1:4566", "PATH_INFO": "/"}

    def form(text: str) -> dict[str, Any]:
        data = text.encode()
        return {
            **base,
            "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
        }

    assert wrapped(form("Action=DescribeVpcs&Version=2016-11-15"), lambda *a: None) == [b"<ok/>"]
    assert capsys.readouterr().err == ""
    authorize = "Action=AuthorizeSecurityGroupIngress&GroupId=sg-1&IpPermissions.1.FromPort=8080&Version=2016-11-15"
    wrapped(form(authorize), lambda *a: None)
    assert seen[-1] == authorize.encode()  # the body read ahead is the application's to read again
    # how long it held the lock is the machine's (a busy CI took 0.01 s), not the log's format
    assert re.fullmatch(
        r"moto_serial: 200 \d+\.\d\d s POST 127\.0\.0\.1:4566/ AuthorizeSecurityGroupIngress GroupId=sg-1 "
        r"IpPermissions\.1\.FromPort=8080\n",
        capsys.readouterr().err,
    )
    wrapped(form("Action=CreateTags&Note=Duplicate"), lambda *a: None)
    assert capsys.readouterr().err.startswith("moto_serial: 400 ")
    wrapped({**base, "HTTP_X_AMZ_TARGET": "slow", "wsgi.input": io.BytesIO()}, lambda *a: None)
    assert capsys.readouterr().err.endswith(" s POST 127.0.0.1:4566/ slow\n")


def test_a_resent_call_is_answered_once_not_applied_twice(capsys: pytest.CaptureFixture[str]) -> None:
    """A request whose SDK call (amz-sdk-invocation-id) was already answered with success is a resend
    after a lost answer: it gets the first answer and never reaches the application, so a create is
    not applied twice (InvalidPermission.Duplicate) and a delete does not answer 404. A retry after
    a failed answer, and a request of another call, reach the application; each is logged."""
    applied: list[str] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        applied.append(environ["HTTP_AMZ_SDK_INVOCATION_ID"])
        ok = environ["HTTP_AMZ_SDK_INVOCATION_ID"] != "busy" or applied.count("busy") > 1
        start_response("200 OK" if ok else "500 Internal Server Error", [("x-amzn-RequestId", str(len(applied)))])
        yield f"<answer n='{len(applied)}'/>".encode()

    wrapped = moto_serial.serial(app)
    heard: list[tuple[str, list[tuple[str, str]]]] = []

    def request(call: str, attempt: int) -> list[bytes]:
        environ = {
            "REQUEST_METHOD": "POST",
            "HTTP_HOST": "127.0.0.1:4566",
            "PATH_INFO": "/",
            "HTTP_X_AMZ_TARGET": "DeleteDashboards",
            "HTTP_AMZ_SDK_INVOCATION_ID": call,
            "HTTP_AMZ_SDK_REQUEST": f"attempt={attempt}; max=25",
        }
        return wrapped(environ, lambda code, headers: heard.append((code, headers)))

    assert request("a", 1) == [b"<answer n='1'/>"]
    assert capsys.readouterr().err == ""
    assert request("a", 2) == [b"<answer n='1'/>"]
    assert heard[-1] == ("200 OK", [("x-amzn-RequestId", "1")])
    assert applied == ["a"]
    assert re.match(r"moto_serial: 200 replayed \(waited \d+\.\d\d s, attempt 2 of a\) POST ", capsys.readouterr().err)
    assert request("busy", 1) == [b"<answer n='2'/>"] and heard[-1][0].startswith("500")
    assert request("busy", 2) == [b"<answer n='3'/>"] and heard[-1][0] == "200 OK"
    assert request("b", 1) == [b"<answer n='4'/>"]
    assert applied == ["a", "busy", "busy", "b"]
    log = capsys.readouterr().err.splitlines()
    assert [line.split(" ", 2)[:2] for line in log] == [["moto_serial:", "500"], ["moto_serial:", "200"]]
    assert all(re.fullmatch(r"\d+\.\d\d", line.split(" ", 3)[2]) for line in log)  # the time taken
    assert "attempt 2 of busy" in log[1]


def test_the_kept_answers_are_bounded_in_bytes_oldest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """The answers kept for resends stay under REPLAY_TOTAL bytes together: the oldest is dropped
    first (its resend is applied again), and an answer over REPLAY_BYTES is never kept."""
    monkeypatch.setattr(moto_serial, "REPLAY_TOTAL", 8)
    monkeypatch.setattr(moto_serial, "REPLAY_BYTES", 4)
    applied: list[str] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        applied.append(environ["HTTP_AMZ_SDK_INVOCATION_ID"])
        start_response("200 OK", [])
        yield b"12345" if environ["HTTP_AMZ_SDK_INVOCATION_ID"] == "big" else b"1234"

    wrapped = moto_serial.serial(app)

    def request(call: str) -> None:
        wrapped({"REQUEST_METHOD": "POST", "HTTP_AMZ_SDK_INVOCATION_ID": call}, lambda *a: None)

    for call in ("a", "b", "c", "b", "c", "a", "big", "big"):
        request(call)
    assert applied == ["a", "b", "c", "a", "big", "big"]


def test_up_without_moto_names_the_extra_and_starts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed from the wheel without the sandbox extra: one line naming what to install, not the
    emulator's traceback from a child process."""
    found = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "moto" else found(name, *a))
    with pytest.raises(sandbox.SandboxError, match=r"pip install 'infragen\[sandbox\]'"):
        sandbox.up(tmp_path)
    assert not (tmp_path / sandbox.STATE_DIR).exists()


def test_up_for_another_target_while_up_refuses_instead_of_printing_commands_that_fail(tmp_path: Path) -> None:
    """A sandbox already up holds one service's roots (and answers as its account): `up --service`
    of another one (or of one on an emulator started without --service) applied nothing and printed
    deploy commands that then failed on a missing ECR repository and ECS service."""
    root = copy_inputs(tmp_path / "repo", outputs=True)
    box, _ = sandbox.up(root)
    try:
        refused = run_cli("sandbox", "up", "--service", "bpg", "--env", "staging", "--root", str(root))
        assert refused.code == 1
        assert refused.stderr.strip() == (
            f"a sandbox is already up (moto on {box.endpoint}, pid {box.pid}) without a service's roots; "
            "run 'infragen sandbox down', then 'infragen sandbox up --service bpg --env staging'"
        )
        assert "next:" not in refused.stdout
        state = {"pid": box.pid, "port": box.port, "service": "demo-service", "env": "staging"}
        sandbox.state_path(root).write_text(json.dumps(state), encoding="utf-8")
        other = run_cli("sandbox", "up", "--service", "bpg", "--env", "staging", "--root", str(root))
        assert other.code == 1
        assert "without a service" not in other.stderr
        assert f"pid {box.pid}) for demo-service in staging; run 'infragen sandbox down'" in other.stderr
        same = run_cli("sandbox", "up", "--service", "demo-service", "--env", "staging", "--root", str(root))
        assert same.code == 0, same.stderr  # the same target again: the next commands, nothing redone
        assert f"sandbox already up: moto on {box.endpoint}" in same.stdout
        assert "infragen deploy demo-service --env staging --image-tag sandbox-1" in same.stdout
        assert sandbox.read_state(root) == sandbox.Sandbox(box.pid, box.port, "demo-service", "staging"), (
            "left as it was"
        )
    finally:
        assert sandbox.down(root) is True


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["--service", "bgp"],
            "unknown service 'bgp'; did you mean 'bpg'? (known services: bpg, core, demo-service, klausapproves)",
        ),
        (["--service", "bpg", "--env", "stagin"], "unknown environment 'stagin'; did you mean 'staging'?"),
    ],
)
def test_up_refuses_an_unknown_target_before_starting_anything(tmp_path: Path, args: list[str], says: str) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    result = run_cli("sandbox", "up", *args, "--root", str(root))
    assert result.code == 1
    assert says in result.stderr
    assert "moto on" not in result.stdout  # the emulator never started
    assert not (root / sandbox.STATE_DIR).exists()
