"""Real database servers for tests: PostgreSQL 15, MariaDB and Redis 7 from Debian's packages,
each started on 127.0.0.1 on a free port with its data in a temporary directory, and stopped (and
the directory removed) whatever happens.

A missing binary skips the test by name locally and FAILS it under ``CI=true`` (``make servers``
installs the packages; ``.ci/run`` calls it). Never anything but loopback.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def _pg_bin() -> Path:
    """Debian's PostgreSQL 15 (bookworm's `postgresql`), else the newest installed major."""
    if os.environ.get("INFRAGEN_PG_BIN"):
        return Path(os.environ["INFRAGEN_PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0
    )
    preferred = Path("/usr/lib/postgresql/15/bin")
    return preferred if (preferred / "initdb").exists() or not found else found[-1].parent


PG_BIN = _pg_bin()
MARIADBD = Path(os.environ.get("INFRAGEN_MARIADBD", "/usr/sbin/mariadbd"))
MARIADB_INSTALL_DB = Path(os.environ.get("INFRAGEN_MARIADB_INSTALL_DB", "/usr/bin/mariadb-install-db"))
REDIS_SERVER = Path(os.environ.get("INFRAGEN_REDIS_SERVER", "/usr/bin/redis-server"))


def require(path: Path, package: str) -> None:
    """Skip naming the missing server locally; fail under CI=true (the server must be there)."""
    if path.is_file() and os.access(path, os.X_OK):
        return
    message = f"{path} not found: install Debian's {package} (make servers)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " -- CI=true: a missing server is a failure, not a skip", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(ready: Callable[[], bool], what: str, proc: subprocess.Popen[bytes] | None, log: Path | None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.2)
    text = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
    raise RuntimeError(f"{what} did not start: {text}")


def _tempdir(prefix: str, owner: str | None) -> Path:
    """A directory the server's user can write (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def _as(user: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    superuser: str  # the OS user initdb ran as: trust authentication over TCP on loopback

    def connect(self, user: str | None = None, password: str | None = None, dbname: str = "postgres") -> object:
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=user or self.superuser,
            password=password,
            dbname=dbname,
            autocommit=True,
        )


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    require(PG_BIN / "initdb", "postgresql (15)")
    user = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root
    base = _tempdir("infragen-pg-", user)
    data, log = base / "data", base / "server.log"
    port = free_port()
    proc = None
    try:
        subprocess.run(
            _as(user, [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
            check=True,
            capture_output=True,
        )
        # password authentication for everyone but the superuser, so the users the tests log in as
        # must present the password the test set (trust would let any name in)
        (data / "pg_hba.conf").write_text(
            "host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\nlocal all postgres trust\n"
        )
        with log.open("wb") as out:
            proc = subprocess.Popen(
                _as(
                    user,
                    [
                        str(PG_BIN / "postgres"),
                        "-D",
                        str(data),
                        "-p",
                        str(port),
                        "-h",
                        "127.0.0.1",
                        "-k",
                        str(base),
                        "-c",
                        "fsync=off",
                        "-c",
                        "full_page_writes=off",
                    ],
                ),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = Postgres("127.0.0.1", port, "postgres")
        wait_until(lambda: bool(server.connect()), "postgres", proc, log)
        yield server
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class MariaDB:
    host: str
    port: int
    superuser: str
    password: str

    def connect(self, user: str | None = None, password: str | None = None, database: str | None = None) -> object:
        import pymysql

        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=user or self.superuser,
            password=self.password if user is None else (password or ""),
            database=database,
            autocommit=True,
        )


@contextlib.contextmanager
def mariadb() -> Iterator[MariaDB]:
    require(MARIADBD, "mariadb-server")
    require(MARIADB_INSTALL_DB, "mariadb-server")
    user = "mysql" if os.geteuid() == 0 else None
    base = _tempdir("infragen-mariadb-", user)
    data, log = base / "data", base / "server.log"
    port = free_port()
    proc = None
    password = "test-only-master-password"  # the stand-in of RDS's managed master password  # pragma: allowlist secret
    try:
        subprocess.run(
            [
                str(MARIADB_INSTALL_DB),
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *([f"--user={user}"] if user else []),
            ],
            check=True,
            capture_output=True,
        )
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [
                    str(MARIADBD),
                    "--no-defaults",
                    f"--datadir={data}",
                    f"--port={port}",
                    "--bind-address=127.0.0.1",
                    f"--socket={base / 'mysqld.sock'}",
                    f"--pid-file={base / 'mysqld.pid'}",
                    "--skip-log-bin",
                    "--innodb-flush-log-at-trx-commit=0",
                    *([f"--user={user}"] if user else []),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        import pymysql

        def root_ready() -> bool:
            pymysql.connect(host="127.0.0.1", port=port, user="root", password="").close()
            return True

        wait_until(root_ready, "mariadb", proc, log)
        root = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
        with contextlib.closing(root) as conn, conn.cursor() as cur:
            # an RDS-like master: a TCP user with a password (root@localhost stays for nothing else)
            cur.execute("CREATE USER 'master'@'%%' IDENTIFIED BY %s", (password,))
            cur.execute("GRANT ALL PRIVILEGES ON *.* TO 'master'@'%' WITH GRANT OPTION")
        yield MariaDB("127.0.0.1", port, "master", password)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class Redis:
    host: str
    port: int


@contextlib.contextmanager
def redis() -> Iterator[Redis]:
    require(REDIS_SERVER, "redis-server (7)")
    base = Path(tempfile.mkdtemp(prefix="infragen-redis-"))
    port = free_port()
    log = base / "server.log"
    proc = None
    try:
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [
                    str(REDIS_SERVER),
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(base),
                    "--protected-mode",
                    "yes",
                    # so that the ACL, not the server configuration, is what refuses DEBUG and MODULE
                    "--enable-debug-command",
                    "yes",
                    "--enable-module-command",
                    "yes",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        import redis as redis_py

        wait_until(
            lambda: bool(redis_py.Redis(host="127.0.0.1", port=port, socket_timeout=2).ping()), "redis", proc, log
        )
        yield Redis("127.0.0.1", port)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(base, ignore_errors=True)
