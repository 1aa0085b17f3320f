"""The real-server fixtures' rule: a missing server skips by name locally and fails under CI=true."""

from __future__ import annotations

from pathlib import Path

import pytest
import servers


def test_missing_server_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="/nonexistent/redis-server not found: install Debian's redis"):
        servers.require(Path("/nonexistent/redis-server"), "redis-server (7)")


def test_missing_server_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: a missing server is a failure"):
        servers.require(Path("/nonexistent/mariadbd"), "mariadb-server")
