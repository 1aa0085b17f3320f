"""`infragen datastore users` against real servers: PostgreSQL 15 and MariaDB (Debian's packages),
started on 127.0.0.1 by tests/servers.py; the RDS instance and its managed master secret come from
moto's in-process emulator, the secret holding the real server's master credentials.

Stand-ins, by name:
- PostgreSQL has no ``rds_iam`` role outside RDS: the test creates one (it only carries membership
  here, RDS turns it into IAM authentication). The master is a CREATEROLE, non-superuser role like
  RDS's master (member of rds_superuser, not a superuser).
- MariaDB has no ``AWSAuthenticationPlugin``: ``CREATE USER ... IDENTIFIED WITH AWSAuthenticationPlugin
  AS 'RDS' REQUIRE SSL`` fails there ("Plugin 'AWSAuthenticationPlugin' is not loaded"), which
  ``test_mariadb_cannot_run_the_rds_iam_clause`` shows through the real CLI. Everything else runs
  with the IAM clause swapped for an empty one (``iam_clause=""``); the rest of the SQL is the same.
- IAM tokens cannot exist here, so to log in as the created users each test sets a test-only
  password on them (as the superuser), after the tool ran.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import servers

from generator.deploy import dbusers

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dbusers"
REGION = "eu-west-1"
MASTER_PASSWORD = "test-only-master-password"  # pragma: allowlist secret
USER_PASSWORD = "test-only-user-password"  # pragma: allowlist secret


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the fixture repository, so a test can drop a dependency from a spec."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "repo"))


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("PGSSLMODE", "disable")  # the test server has no TLS; RDS forces it (default: require)


@contextlib.contextmanager
def rds(identifier: str, engine: str, username: str, password: str) -> Iterator[None]:
    """moto's RDS instance with an RDS-managed master secret, the secret set to the real credentials."""
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("rds", region_name=REGION)
        instance = client.create_db_instance(
            DBInstanceIdentifier=identifier,
            Engine=engine,
            DBInstanceClass="db.t4g.micro",
            AllocatedStorage=20,
            MasterUsername=username,
            ManageMasterUserPassword=True,
        )["DBInstance"]
        arn = instance["MasterUserSecret"]["SecretArn"]
        boto3.client("secretsmanager", region_name=REGION).put_secret_value(
            SecretId=arn, SecretString=json.dumps({"username": username, "password": password})
        )
        yield


def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """The real entry point (error display and exit codes included), in-process so moto applies."""
    from generator.cli import main

    capsys.readouterr()
    monkeypatch.setattr(sys, "argv", ["infragen", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="module")
def pg_server() -> Iterator[servers.Postgres]:
    with servers.postgres() as server:
        yield server


@pytest.fixture
def pg(pg_server: servers.Postgres) -> Iterator[servers.Postgres]:
    conn: Any = pg_server.connect()
    with conn:
        conn.execute("CREATE ROLE rds_iam")  # stand-in: RDS's role for IAM authentication
        conn.execute(f"CREATE ROLE master LOGIN CREATEROLE PASSWORD '{MASTER_PASSWORD}'")
        conn.execute("GRANT CREATE ON DATABASE postgres TO master")
        conn.execute("CREATE ROLE handmade LOGIN")  # made by hand: the tool must never drop it
    try:
        yield pg_server
    finally:
        conn = pg_server.connect()
        with conn:
            for (name,) in conn.execute(
                "SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' AND rolname <> 'postgres'"
            ).fetchall():
                conn.execute(f'DROP OWNED BY "{name}" CASCADE')
                conn.execute(f'DROP ROLE "{name}"')


def pg_roles(server: servers.Postgres) -> set[str]:
    conn: Any = server.connect()
    with conn:
        return {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'").fetchall()}


def pg_login(server: servers.Postgres, user: str) -> Any:
    """Log in as a created user with the test-only password (no IAM tokens here)."""
    admin: Any = server.connect()
    with admin:
        admin.execute(f"ALTER ROLE \"{user}\" PASSWORD '{USER_PASSWORD}'")
    return server.connect(user, USER_PASSWORD)


def pg_users(capsys: Any, monkeypatch: Any, repo: Path, server: servers.Postgres, *extra: str) -> tuple[int, str, str]:
    return cli(
        capsys, monkeypatch, "datastore", "users", "ledger-db", "--env", "staging", "--root", str(repo),
        "--host", server.host, "--port", str(server.port), *extra,
    )  # fmt: skip


def test_postgres_users_from_declared_dependencies(
    pg: servers.Postgres, repo: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    with rds("ledger-db", "postgres", "master", MASTER_PASSWORD):
        before = pg_roles(pg)
        code, out, err = pg_users(capsys, monkeypatch, repo, pg, "--dry-run")
        assert code == 0, err
        assert 'CREATE ROLE "ledger" LOGIN;' in out and 'CREATE SCHEMA "ledger" AUTHORIZATION "ledger";' in out
        assert "would run" in out
        assert pg_roles(pg) == before, "--dry-run changed the server"
        assert MASTER_PASSWORD not in out + err

        code, out, err = pg_users(capsys, monkeypatch, repo, pg)
        assert code == 0, err
        assert MASTER_PASSWORD not in out + err
        roles = pg_roles(pg)
        assert {"ledger", "shop", "reports"} <= roles
        assert "web" not in roles, "a service that does not declare the database got a user"

        owner = pg_login(pg, "ledger")
        with owner:
            # the migration that failed with the old iam_user_sql: create in its own schema
            owner.execute("CREATE TABLE invoices (id serial PRIMARY KEY, amount int)")
            assert owner.execute("SELECT schemaname FROM pg_tables WHERE tablename = 'invoices'").fetchone() == (
                "ledger",
            )
        shop = pg_login(pg, "shop")
        with shop:
            shop.execute("INSERT INTO invoices (amount) VALUES (5)")  # unqualified: search_path, and the sequence
            shop.execute("UPDATE invoices SET amount = 6")
            assert shop.execute("SELECT amount FROM invoices").fetchall() == [(6,)]
            shop.execute("DELETE FROM invoices")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                shop.execute("DROP TABLE invoices")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                shop.execute("CREATE TABLE shop_own (id int)")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                shop.execute("ALTER TABLE invoices ADD COLUMN x int")
        owner = pg_login(pg, "ledger")
        with owner:
            owner.execute("CREATE TABLE payments (id bigserial PRIMARY KEY, note text)")  # created after the run
        reports = pg_login(pg, "reports")
        with reports:
            reports.execute("INSERT INTO payments (note) VALUES ('later')")
            assert reports.execute("SELECT note FROM ledger.payments").fetchall() == [("later",)]

        code, out, err = pg_users(capsys, monkeypatch, repo, pg)
        assert code == 0, err
        assert out.strip().splitlines() == [
            "ledger-db in staging: nothing changed, the users match the spec (owner ledger, consumers: reports, shop)"
        ], out


def test_postgres_removed_dependency_loses_its_user(
    pg: servers.Postgres, repo: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with rds("ledger-db", "postgres", "master", MASTER_PASSWORD):
        assert pg_users(capsys, monkeypatch, repo, pg)[0] == 0
        owner = pg_login(pg, "ledger")
        with owner:
            owner.execute("CREATE TABLE invoices (id serial PRIMARY KEY)")
        assert "reports" in pg_roles(pg)

        spec = repo / "services" / "reports" / "service.yaml"
        spec.write_text(spec.read_text().replace("datastores: [ledger-db]", "datastores: []"))
        code, out, err = pg_users(capsys, monkeypatch, repo, pg, "--dry-run")
        assert code == 0, err
        assert 'DROP ROLE "reports";' in out and "reports" in pg_roles(pg)
        code, out, err = pg_users(capsys, monkeypatch, repo, pg)
        assert code == 0, err
        assert 'REVOKE ALL ON ALL TABLES IN SCHEMA "ledger" FROM "reports";' in out
        roles = pg_roles(pg)
        assert "reports" not in roles
        assert {"ledger", "shop", "master", "handmade"} <= roles, "dropped a user it does not manage"
        assert "nothing changed" in pg_users(capsys, monkeypatch, repo, pg)[1]


@contextlib.contextmanager
def aurora_cluster(identifier: str, username: str, password: str) -> Iterator[None]:
    """moto's Aurora PostgreSQL cluster with an RDS-managed master secret set to the real credentials."""
    from moto import mock_aws

    with mock_aws():
        cluster = boto3.client("rds", region_name=REGION).create_db_cluster(
            DBClusterIdentifier=identifier,
            Engine="aurora-postgresql",
            MasterUsername=username,
            ManageMasterUserPassword=True,
        )["DBCluster"]
        boto3.client("secretsmanager", region_name=REGION).put_secret_value(
            SecretId=cluster["MasterUserSecret"]["SecretArn"],
            SecretString=json.dumps({"username": username, "password": password}),
        )
        yield


def test_aurora_postgres_users_like_postgres(
    pg: servers.Postgres, repo: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aurora-postgres is PostgreSQL-compatible: the same users and grants as postgres, the master
    secret read from the cluster (DescribeDBClusters) instead of an instance."""
    ledger = repo / "services" / "ledger" / "service.yaml"
    ledger.write_text(
        ledger.read_text()
        .replace("datastores: [ledger-db, ledger-my]", "datastores: [ledger-db, ledger-my, ledger-aurora]")
        .replace(
            "  ledger-my:\n    type: mysql\n",
            "  ledger-my:\n    type: mysql\n  ledger-aurora:\n    type: aurora-postgres\n",
        )
    )
    shop = repo / "services" / "shop" / "service.yaml"
    shop.write_text(shop.read_text().replace("[ledger-db, ledger-my]", "[ledger-db, ledger-my, ledger-aurora]"))
    with aurora_cluster("ledger-aurora", "master", MASTER_PASSWORD):
        code, out, err = cli(
            capsys, monkeypatch, "datastore", "users", "ledger-aurora", "--env", "staging", "--root", str(repo),
            "--host", pg.host, "--port", str(pg.port),
        )  # fmt: skip
        assert code == 0, err
        assert 'CREATE SCHEMA "ledger" AUTHORIZATION "ledger";' in out and MASTER_PASSWORD not in out + err
        roles = pg_roles(pg)
        assert {"ledger", "shop"} <= roles
        assert "reports" not in roles, "reports declares only ledger-db, not ledger-aurora"
        owner = pg_login(pg, "ledger")
        with owner:
            owner.execute("CREATE TABLE invoices (id serial PRIMARY KEY, amount int)")
        consumer = pg_login(pg, "shop")
        with consumer:
            consumer.execute("INSERT INTO invoices (amount) VALUES (5)")
            assert consumer.execute("SELECT amount FROM invoices").fetchall() == [(5,)]

    from generator.api import validate

    assert dbusers.databases_of_root(validate(repo), "accounts/staging/services/ledger") == [
        ("ledger-aurora", "staging"),
        ("ledger-db", "staging"),
        ("ledger-my", "staging"),
    ]


def test_one_line_errors(pg: servers.Postgres, repo: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with rds("ledger-db", "postgres", "master", MASTER_PASSWORD):
        code, _, err = cli(
            capsys, monkeypatch, "datastore", "users", "ledger-dv", "--env", "staging", "--root", str(repo)
        )
        assert code == 1 and err.strip() == (
            "unknown datastore 'ledger-dv'; did you mean 'ledger-db'? (known databases: ledger-db, ledger-my)"
        ), err
        code, _, err = cli(
            capsys, monkeypatch, "datastore", "users", "ledger-db", "--env", "staging", "--root", str(repo),
            "--host", "127.0.0.1", "--port", str(servers.free_port()),
        )  # fmt: skip
        assert code == 1 and len(err.strip().splitlines()) == 1 and "cannot connect to 127.0.0.1:" in err, err
        assert MASTER_PASSWORD not in err
        # a wrong master password in the secret: refused by the real server, one line
    with rds("ledger-db", "postgres", "master", "wrong-password"):
        code, _, err = pg_users(capsys, monkeypatch, repo, pg)
        assert code == 1 and "password authentication failed" in err and len(err.strip().splitlines()) == 1, err
    # not an RDS instance (no rds_iam role): refused before any change
    admin: Any = pg.connect()
    with admin:
        admin.execute("DROP ROLE rds_iam")
    with rds("ledger-db", "postgres", "master", MASTER_PASSWORD):
        code, _, err = pg_users(capsys, monkeypatch, repo, pg)
    assert code == 1 and err.strip() == "role rds_iam does not exist: is this an RDS PostgreSQL instance?", err
    assert "ledger" not in pg_roles(pg)


# ---------------------------------------------------------------- MariaDB (MySQL-compatible)

STANDIN = ""  # MariaDB has no AWSAuthenticationPlugin: the IAM clause is left out (see the module docstring)


@pytest.fixture(scope="module")
def maria_server() -> Iterator[servers.MariaDB]:
    with servers.mariadb() as server:
        yield server


@pytest.fixture
def maria(maria_server: servers.MariaDB) -> Iterator[servers.MariaDB]:
    conn: Any = maria_server.connect()
    with conn.cursor() as cur:
        cur.execute("CREATE USER 'handmade'@'%'")
    conn.close()
    try:
        yield maria_server
    finally:
        conn = maria_server.connect()
        with conn.cursor() as cur:
            cur.execute("SELECT User FROM mysql.user WHERE Host = '%' AND User <> 'master'")
            for (name,) in cur.fetchall():
                cur.execute(f"DROP USER '{name}'@'%'")
            for db in ("ledger", "infragen"):
                cur.execute(f"DROP DATABASE IF EXISTS `{db}`")
        conn.close()


def maria_users(server: servers.MariaDB) -> set[str]:
    conn: Any = server.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT User FROM mysql.user WHERE Host = '%'")
        found = {r[0] for r in cur.fetchall()}
    conn.close()
    return found


def maria_login(server: servers.MariaDB, user: str) -> Any:
    """Log in as a created user with the test-only password (no IAM tokens here)."""
    admin: Any = server.connect()
    with admin.cursor() as cur:
        cur.execute(f"ALTER USER '{user}'@'%' IDENTIFIED BY '{USER_PASSWORD}'")
    admin.close()
    return server.connect(user, USER_PASSWORD, database="ledger")


def maria_run(repo: Path, server: servers.MariaDB, *, dry_run: bool = False) -> tuple[dbusers.Result, list[str]]:
    """The library entry point the CLI calls, with MariaDB's stand-in IAM clause."""
    lines: list[str] = []
    result = dbusers.users(
        repo, "ledger-my", "staging", host=server.host, port=server.port, dry_run=dry_run,
        echo=lines.append, mysql_iam_clause=STANDIN,
    )  # fmt: skip
    return result, lines


def test_mariadb_users_from_declared_dependencies(maria: servers.MariaDB, repo: Path) -> None:
    import pymysql

    with rds("ledger-my", "mysql", maria.superuser, maria.password):
        before = maria_users(maria)
        result, lines = maria_run(repo, maria, dry_run=True)
        assert "CREATE USER 'ledger'@'%';" in lines and "GRANT ALL PRIVILEGES ON `ledger`.* TO 'ledger'@'%';" in lines
        assert "GRANT SELECT, INSERT, UPDATE, DELETE ON `ledger`.* TO 'shop'@'%';" in lines
        assert maria_users(maria) == before, "--dry-run changed the server"

        result, lines = maria_run(repo, maria)
        assert result.applied and result.statements
        users = maria_users(maria)
        assert {"ledger", "shop"} <= users
        assert "reports" not in users, "reports declares only the postgres database"
        assert "web" not in users, "a service that does not declare the database got a user"

        owner = maria_login(maria, "ledger")
        with owner.cursor() as cur:
            cur.execute("CREATE TABLE invoices (id INT AUTO_INCREMENT PRIMARY KEY, amount INT)")
        shop = maria_login(maria, "shop")
        with shop.cursor() as cur:
            cur.execute("INSERT INTO invoices (amount) VALUES (5)")
            cur.execute("UPDATE invoices SET amount = 6")
            cur.execute("SELECT amount FROM invoices")
            assert cur.fetchall() == ((6,),)
            cur.execute("DELETE FROM invoices")
            for ddl in ("DROP TABLE invoices", "CREATE TABLE shop_own (id INT)", "ALTER TABLE invoices ADD x INT"):
                with pytest.raises(pymysql.err.OperationalError) as denied:
                    cur.execute(ddl)
                assert denied.value.args[0] in (1142, 1044), denied.value  # command denied to user
        with owner.cursor() as cur:
            cur.execute("CREATE TABLE payments (id INT AUTO_INCREMENT PRIMARY KEY, note TEXT)")
        with shop.cursor() as cur:
            cur.execute("INSERT INTO payments (note) VALUES ('later')")
            cur.execute("SELECT note FROM payments")
            assert cur.fetchall() == (("later",),)

        result, lines = maria_run(repo, maria)
        assert result.statements == () and lines == []
        assert "nothing changed" in result.summary()


def test_mariadb_removed_dependency_loses_its_user(maria: servers.MariaDB, repo: Path) -> None:
    with rds("ledger-my", "mysql", maria.superuser, maria.password):
        maria_run(repo, maria)
        assert "shop" in maria_users(maria)
        spec = repo / "services" / "shop" / "service.yaml"
        spec.write_text(spec.read_text().replace("datastores: [ledger-db, ledger-my]", "datastores: [ledger-db]"))
        _, lines = maria_run(repo, maria)
        assert "DROP USER 'shop'@'%';" in lines
        users = maria_users(maria)
        assert "shop" not in users
        assert {"ledger", "master", "handmade"} <= users, "dropped a user it does not manage"
        assert maria_run(repo, maria)[0].statements == ()


def test_mariadb_cannot_run_the_rds_iam_clause(
    maria: servers.MariaDB, repo: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What MariaDB cannot run, precisely: RDS MySQL's IAM clause. Through the real CLI: one line, exit 1."""
    with rds("ledger-my", "mysql", maria.superuser, maria.password):
        code, out, err = cli(
            capsys, monkeypatch, "datastore", "users", "ledger-my", "--env", "staging", "--root", str(repo),
            "--host", maria.host, "--port", str(maria.port),
        )  # fmt: skip
    assert "CREATE USER 'ledger'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL;" in out
    assert code == 1, out + err
    assert len(err.strip().splitlines()) == 1 and "AWSAuthenticationPlugin" in err and "not loaded" in err, err


# ---------------------------------------------------------------- the Atlantis apply step


def test_apply_step_finds_the_databases_a_root_owns() -> None:
    """`datastore users-after-apply $REPO_REL_DIR` (docs/atlantis/repos.yaml): which datastores each root reconciles."""
    from generator.api import validate

    found = validate(FIXTURE)
    assert dbusers.databases_of_root(found, "accounts/staging/services/ledger") == [
        ("ledger-db", "staging"),
        ("ledger-my", "staging"),
    ]
    # a Terragrunt unit: only its own datastore
    assert dbusers.databases_of_root(found, "accounts/staging/services/ledger/ledger-my") == [("ledger-my", "staging")]
    assert dbusers.databases_of_root(found, "accounts/staging/services/ledger/dashboard") == []
    for other in (
        "accounts/staging/services/shop",
        "accounts/staging/teams/payments",
        "accounts/production/services/ledger",
    ):
        assert dbusers.databases_of_root(found, other) == [], other


def test_apply_step_is_a_no_op_for_other_roots(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = cli(
        capsys, monkeypatch, "datastore", "users-after-apply", "accounts/staging/teams/payments", "--root", str(FIXTURE)
    )
    assert code == 0, err
    assert (
        out.strip() == "accounts/staging/teams/payments: no postgres or mysql datastore; no database users to reconcile"
    )


@pytest.mark.terraform
def test_databases_admit_the_atlantis_server_when_the_account_names_it(tmp_path: Path) -> None:
    """account.yaml atlantis.securityGroupId reaches every database module (and nothing when unset)."""
    from conftest import REPO, run_cli
    from tfenv import run_terraform, terraform_binary

    root = Path(shutil.copytree(FIXTURE, tmp_path / "repo"))
    shutil.copytree(REPO / "modules", root / "modules", ignore=shutil.ignore_patterns(".terraform*", "tests"))
    assert run_cli("gen", "--root", str(root)).code == 0
    main = root / "accounts" / "staging" / "services" / "ledger" / "main.tf"
    assert "admin_security_group_id" not in main.read_text()
    account = root / "accounts" / "staging" / "account.yaml"
    account.write_text(
        account.read_text().replace("atlantis:\n", "atlantis:\n  securityGroupId: sg-0a1b2c3d4e5f60099\n")
    )
    result = run_cli("gen", "--root", str(root))
    assert result.code == 0, result.stderr
    assert main.read_text().count('admin_security_group_id = "sg-0a1b2c3d4e5f60099"') == 2  # postgres and mysql
    assert "admin_security_group_id" not in (main.parent.parent / "shop" / "main.tf").read_text()
    if terraform_binary() is None:
        pytest.skip("terraform not installed: the generated root is not validated")
    init = run_terraform(["init", "-backend=false", "-input=false", "-no-color"], cwd=main.parent)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = run_terraform(["validate", "-no-color"], cwd=main.parent)
    assert validate.returncode == 0, validate.stdout + validate.stderr
