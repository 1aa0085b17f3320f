"""The sandbox's state file and `down` idempotency; the emulator is moto's server on loopback, no terraform."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.tools import sandbox


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
