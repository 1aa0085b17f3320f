"""``infragen datastore users``: the database users of a postgres or mysql datastore, from the spec.

The desired state is computed from the spec in pure Python (:func:`desired`): the owner service gets
an IAM-authenticated login user named like it that can run migrations, every other service that
declares the datastore (and runs in the environment) its own IAM-authenticated user with read and
write on the owner's tables (also tables created later) and no DDL. A small driver per engine reads
the server's state and returns only the SQL that is missing (:class:`Postgres`, :class:`MySql`), so
a second run changes nothing. Users the tool manages are marked; users that are no longer declared
lose their privileges and are dropped, and an unmarked user (the master, anything made by hand) is
never dropped.

Master credentials come from the RDS-managed master secret (``manage_master_user_password`` in
``modules/aws/rds``): the DB instance's ``MasterUserSecret`` names it, Secrets Manager holds it. They
are used to connect and never printed; the SQL itself carries no password (IAM authentication).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from generator.datastores import SqlUsers, kind_of
from generator.deploy.aws import Aws, DeployError, translated
from generator.spec.models import Account, Repo

Engine = Literal["postgres", "mysql"]
MARK = "managed by infragen"

# RDS MySQL 8: the IAM authentication plugin, TLS required (AWS, "Creating a database account using
# IAM authentication": https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html).
RDS_MYSQL_IAM = "IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL"
# PostgreSQL: membership in rds_iam makes RDS authenticate the user with IAM tokens (same page).
RDS_IAM_ROLE = "rds_iam"

TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
SEQUENCE_PRIVILEGES = ("USAGE", "SELECT", "UPDATE")
# What MySQL's database-level ALL includes in both MySQL 8 and MariaDB; an owner missing any is granted ALL again
MYSQL_OWNER_PRIVILEGES = frozenset(
    {
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "REFERENCES",
        "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE", "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE",
        "ALTER ROUTINE", "EVENT", "TRIGGER",
    }
)  # fmt: skip
MYSQL_MARKS = "`infragen`.`managed_users`"  # the users this tool manages on a MySQL-compatible server


class DatabaseUsersError(DeployError):
    """The database users cannot be reconciled: unknown datastore, no master secret, SQL refused."""


def sql_users(type_name: str) -> SqlUsers | None:
    """How a datastore of ``type_name`` has database users, or None: postgres and mysql (the
    database kind, one DB instance each) and the kinds that say so (aurora-postgres: a cluster)."""
    if type_name in ("postgres", "mysql"):
        return SqlUsers("postgres" if type_name == "postgres" else "mysql", cluster=False)
    return kind_of(type_name).sql_users


@dataclass(frozen=True)
class Desired:
    """The users a datastore should have in one environment."""

    datastore: str
    engine: Engine
    env: str
    owner: str  # login user that owns the schema (postgres) / has ALL on its database (mysql)
    consumers: tuple[str, ...]  # read and write on the owner's tables, no DDL
    cluster: bool = False  # an Aurora DB cluster (its master secret: DescribeDBClusters)

    @property
    def schema(self) -> str:
        """The owner's schema (postgres) or database (mysql): named like the owner service."""
        return self.owner

    @property
    def users(self) -> tuple[str, ...]:
        return (self.owner, *self.consumers)


def desired(repo: Repo, datastore: str, env: str) -> Desired:
    """Who owns ``datastore`` and which other services running in ``env`` declare it (pure)."""
    from generator.spec.schema import known, suggest

    found = repo.datastore_owner(datastore)
    if found is None:  # the names this command takes: datastores with database users
        names = [d.name for s in repo.services for d in s.datastores if sql_users(d.type) is not None]
        raise DatabaseUsersError(f"unknown datastore {datastore!r}{known(datastore, names, 'databases')}")
    owner, store = found
    how = sql_users(store.type)
    if how is None:
        raise DatabaseUsersError(
            f"datastore {datastore!r} is a {store.type}; database users exist only for postgres, mysql and "
            "PostgreSQL-compatible kinds (aurora-postgres)"
        )
    envs = [a.env for a in repo.accounts]
    if env not in envs:
        raise DatabaseUsersError(
            f"unknown environment {env!r}{suggest(env, envs) or '; accounts are: ' + ', '.join(envs)}"
        )
    if env not in owner.environments:
        raise DatabaseUsersError(
            f"{datastore!r} does not exist in {env!r}: its owner {owner.name!r} does not run there"
        )
    consumers = sorted(
        s.name
        for s in repo.services
        if s.name != owner.name and datastore in s.depends_on_datastores and env in s.environments
    )
    return Desired(datastore, how.engine, env, owner.name, tuple(consumers), cluster=how.cluster)


@dataclass(frozen=True)
class Master:
    """The master user's connection, from the RDS-managed secret. The password is never printed."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    database: str | None = None


def master(
    aws: Aws, account: Account, datastore: str, host: str | None, port: int | None, *, cluster: bool = False
) -> Master:
    """Read the instance's (``cluster``: the Aurora cluster's writer) endpoint and master secret
    (DescribeDBInstances or DescribeDBClusters, GetSecretValue)."""
    aws.check_account(account)
    what, module = ("DB cluster", "modules/aws/rds-cluster") if cluster else ("DB instance", "modules/aws/rds")
    if cluster:
        with translated(f"rds:DescribeDBClusters {datastore}"):
            found = aws.client("rds").describe_db_clusters(DBClusterIdentifier=datastore)["DBClusters"]
    else:
        with translated(f"rds:DescribeDBInstances {datastore}"):
            found = aws.client("rds").describe_db_instances(DBInstanceIdentifier=datastore)["DBInstances"]
    if not found:
        raise DatabaseUsersError(f"no {what} {datastore!r} in {account.env}; has its root been applied?")
    instance = found[0]
    secret_arn = (instance.get("MasterUserSecret") or {}).get("SecretArn")
    if not secret_arn:
        raise DatabaseUsersError(
            f"{what} {datastore!r} has no RDS-managed master secret (manage_master_user_password); "
            f"{module} always sets it: was it created outside infragen?"
        )
    with translated(f"secretsmanager:GetSecretValue (master secret of {datastore})"):
        text = aws.client("secretsmanager").get_secret_value(SecretId=secret_arn).get("SecretString", "")
    try:
        value = json.loads(text)
        username, password = str(value["username"]), str(value["password"])
    except (ValueError, KeyError, TypeError):
        raise DatabaseUsersError(
            f"the master secret of {datastore!r} is not RDS's JSON with username and password"
        ) from None
    # a DB instance: Endpoint {Address, Port}; a DB cluster: Endpoint (the writer's host) and Port
    endpoint = instance.get("Endpoint") or {}
    if cluster:
        endpoint = {"Address": endpoint, "Port": instance.get("Port", 0)}
    return Master(
        host=host or str(endpoint.get("Address", "")),
        port=port or int(endpoint.get("Port", 0)),
        username=username,
        password=password,
    )


class Driver(Protocol):
    def plan(self, want: Desired) -> list[str]: ...

    def apply(self, statements: Sequence[str]) -> None: ...

    def close(self) -> None: ...


def _pg_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _search_path(value: str) -> list[str]:
    return [part.strip().strip('"') for part in value.split(",") if part.strip()]


class Postgres:
    """PostgreSQL (RDS 16; tested on 15): roles, the owner's schema, grants and default privileges."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @classmethod
    def connect(cls, login: Master) -> Postgres:
        import psycopg

        try:
            conn = psycopg.connect(
                host=login.host,
                port=login.port,
                user=login.username,
                password=login.password,
                dbname=login.database or "postgres",  # the database of the connection convention
                sslmode=os.environ.get("PGSSLMODE", "require"),  # RDS sets rds.force_ssl
                connect_timeout=10,
                autocommit=True,
            )
        except psycopg.Error as exc:
            raise DatabaseUsersError(
                f"cannot connect to {login.host}:{login.port} as the master user: {_line(exc)}"
            ) from None
        return cls(conn)

    def _rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        import psycopg

        try:
            return list(self.conn.execute(sql, params).fetchall())
        except psycopg.Error as exc:
            raise DatabaseUsersError(f"reading the users and privileges: {_line(exc)}") from None

    def _one(self, sql: str, *params: object) -> Any:
        rows = self._rows(sql, *params)
        return rows[0][0] if rows else None

    def plan(self, want: Desired) -> list[str]:
        me = str(self._one("SELECT current_user"))
        if me in want.users:
            raise DatabaseUsersError(
                f"service {me!r} has the master user's name; rename the master user or the service"
            )
        roles = {
            name: (login, comment)
            for name, login, comment in self._rows(
                "SELECT rolname, rolcanlogin, shobj_description(oid, 'pg_authid') FROM pg_roles"
            )
        }
        if RDS_IAM_ROLE not in roles:
            raise DatabaseUsersError(f"role {RDS_IAM_ROLE} does not exist: is this an RDS PostgreSQL instance?")
        schema, owner = want.schema, want.owner
        schema_owner = self._one("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %s", schema)
        out: list[str] = []
        for name in want.users:
            out += self._login(name, roles)
        s, o = _pg_ident(schema), _pg_ident(owner)
        if owner not in roles or not self._one("SELECT pg_has_role(current_user, %s, 'MEMBER')", owner):
            # the master acts for the owner to create its schema and set its default privileges
            out.append(f"GRANT {o} TO CURRENT_USER")
        if schema_owner is None:
            out.append(f"CREATE SCHEMA {s} AUTHORIZATION {o}")
        elif schema_owner != owner:
            out.append(f"ALTER SCHEMA {s} OWNER TO {o}")
        for name in want.users:
            out += self._search_path(name, schema, roles)
        for name in want.consumers:
            out += self._consumer(name, want, roles, schema_owner is not None)
        for name, (_, comment) in sorted(roles.items()):
            if comment == MARK and name not in want.users:
                out += self._drop(name, want, schema_owner is not None and owner in roles)
        return out

    def _login(self, name: str, roles: dict[str, tuple[bool, str | None]]) -> list[str]:
        r = _pg_ident(name)
        if name not in roles:
            return [
                f"CREATE ROLE {r} LOGIN",
                f"COMMENT ON ROLE {r} IS {_pg_literal(MARK)}",
                f"GRANT {RDS_IAM_ROLE} TO {r}",
            ]
        login, comment = roles[name]
        out = [] if login else [f"ALTER ROLE {r} LOGIN"]
        if comment != MARK:  # a role named like the service (e.g. from the former iam_user_sql) is taken over
            out.append(f"COMMENT ON ROLE {r} IS {_pg_literal(MARK)}")
        member = self._one(
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
            "JOIN pg_roles g ON g.oid = m.roleid WHERE r.rolname = %s AND g.rolname = %s",
            name,
            RDS_IAM_ROLE,
        )
        if not member:
            out.append(f"GRANT {RDS_IAM_ROLE} TO {r}")
        return out

    def _search_path(self, name: str, schema: str, roles: dict[str, tuple[bool, str | None]]) -> list[str]:
        want = [schema, "public"]
        if name in roles:
            settings = self._one(
                "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
                "WHERE r.rolname = %s AND s.setdatabase = 0",
                name,
            )
            for item in settings or []:
                key, _, value = str(item).partition("=")
                if key == "search_path" and _search_path(value) == want:
                    return []
        return [f"ALTER ROLE {_pg_ident(name)} SET search_path = {_pg_ident(schema)}, public"]

    def _consumer(
        self, name: str, want: Desired, roles: dict[str, tuple[bool, str | None]], schema_exists: bool
    ) -> list[str]:
        r, s, o = _pg_ident(name), _pg_ident(want.schema), _pg_ident(want.owner)
        tables, sequences = ", ".join(TABLE_PRIVILEGES), ", ".join(SEQUENCE_PRIVILEGES)
        grants = {
            "usage": f"GRANT USAGE ON SCHEMA {s} TO {r}",
            "tables": f"GRANT {tables} ON ALL TABLES IN SCHEMA {s} TO {r}",
            "sequences": f"GRANT {sequences} ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
            "default_tables": f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT {tables} ON TABLES TO {r}",
            "default_sequences": f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT {sequences} ON SEQUENCES TO {r}",
        }
        if name not in roles or not schema_exists or want.owner not in roles:
            return list(grants.values())
        out = []
        if not self._one("SELECT has_schema_privilege(%s, %s, 'USAGE')", name, want.schema):
            out.append(grants["usage"])
        if self._one("SELECT has_schema_privilege(%s, %s, 'CREATE')", name, want.schema):
            out.append(f"REVOKE CREATE ON SCHEMA {s} FROM {r}")  # no DDL for consumers
        for kind, kinds, privileges, check in (
            ("tables", "'r', 'p', 'v', 'f'", TABLE_PRIVILEGES, "has_table_privilege"),
            ("sequences", "'S'", SEQUENCE_PRIVILEGES, "has_sequence_privilege"),
        ):
            missing = " OR ".join(f"NOT {check}(%s, c.oid, '{p}')" for p in privileges)
            count = self._one(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                f"WHERE n.nspname = %s AND c.relkind IN ({kinds}) AND ({missing})",
                want.schema,
                *([name] * len(privileges)),
            )
            if count:
                out.append(grants[kind])
            granted = {
                str(row[0])
                for row in self._rows(
                    "SELECT a.privilege_type FROM pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) a "
                    "WHERE d.defaclrole = %s::regrole AND d.defaclnamespace = %s::regnamespace "
                    "AND d.defaclobjtype = %s AND a.grantee = %s::regrole",
                    _pg_ident(want.owner),
                    _pg_ident(want.schema),
                    "r" if kind == "tables" else "S",
                    _pg_ident(name),
                )
            }
            if not set(privileges) <= granted:
                out.append(grants[f"default_{kind}"])
        return out

    def _drop(self, name: str, want: Desired, schema_exists: bool) -> list[str]:
        r, s, o = _pg_ident(name), _pg_ident(want.schema), _pg_ident(want.owner)
        out = []
        if schema_exists:
            out += [
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} REVOKE ALL ON TABLES FROM {r}",
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} REVOKE ALL ON SEQUENCES FROM {r}",
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
                f"REVOKE ALL ON SCHEMA {s} FROM {r}",
            ]
        return [*out, f"DROP ROLE {r}"]

    def apply(self, statements: Sequence[str]) -> None:
        import psycopg

        current = ""
        try:
            with self.conn.transaction():  # all or nothing: PostgreSQL's DDL is transactional
                for current in statements:
                    self.conn.execute(current)
        except psycopg.Error as exc:
            raise DatabaseUsersError(f"{current}: {_line(exc)} (nothing was changed)") from None

    def close(self) -> None:
        self.conn.close()


def _my_user(name: str) -> str:
    return "'" + name.replace("\\", "\\\\").replace("'", "''") + "'@'%'"


def _my_ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _my_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


class MySql:
    """RDS MySQL 8 (tested on MariaDB): users, the owner's database, database-level grants.

    Database-level grants (``db``.*) cover tables created later, so consumers need no default
    privileges. Managed users are recorded in ``infragen.managed_users``, a table only the master
    can read; MariaDB has no user attributes and MySQL's ``ATTRIBUTE`` is not in MariaDB, so one
    convention works on both. ``iam_clause`` is how a user authenticates: the RDS plugin; tests on
    MariaDB, which has no AWSAuthenticationPlugin, pass a stand-in.
    """

    def __init__(self, conn: Any, iam_clause: str = RDS_MYSQL_IAM) -> None:
        self.conn = conn
        self.iam_clause = iam_clause

    @classmethod
    def connect(cls, login: Master, iam_clause: str = RDS_MYSQL_IAM) -> MySql:
        import pymysql

        try:
            conn = pymysql.connect(
                host=login.host,
                port=login.port,
                user=login.username,
                password=login.password,
                database=login.database,
                connect_timeout=10,
                autocommit=True,
                ssl_verify_cert=False,  # TLS whenever the server offers it; RDS requires it (require_secure_transport)
            )
        except pymysql.MySQLError as exc:
            raise DatabaseUsersError(
                f"cannot connect to {login.host}:{login.port} as the master user: {_line(exc)}"
            ) from None
        return cls(conn, iam_clause)

    def _rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        import pymysql

        try:
            with self.conn.cursor() as cur:
                cur.execute(sql, params or None)
                return list(cur.fetchall())
        except pymysql.MySQLError as exc:
            raise DatabaseUsersError(f"reading the users and privileges: {_line(exc)}") from None

    def plan(self, want: Desired) -> list[str]:
        me = str(self._rows("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)")[0][0])
        if me in want.users:
            raise DatabaseUsersError(
                f"service {me!r} has the master user's name; rename the master user or the service"
            )
        users = {str(r[0]) for r in self._rows("SELECT User FROM mysql.user WHERE Host = '%'")}
        marks_exist = bool(
            self._rows(
                "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'infragen' AND TABLE_NAME = 'managed_users'"
            )
        )
        marked = {str(r[0]) for r in self._rows(f"SELECT user FROM {MYSQL_MARKS}")} if marks_exist else set()
        databases = {str(r[0]) for r in self._rows("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")}
        privileges: dict[tuple[str, str], set[str]] = {}
        for grantee, schema, privilege in self._rows(
            "SELECT GRANTEE, TABLE_SCHEMA, PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES"
        ):
            user, _, host = str(grantee).rpartition("@")
            if host == "'%'":
                privileges.setdefault((user.strip("'"), str(schema)), set()).add(str(privilege))
        out: list[str] = []
        if not marks_exist:
            out += [
                "CREATE DATABASE IF NOT EXISTS `infragen`",
                f"CREATE TABLE IF NOT EXISTS {MYSQL_MARKS} (user VARCHAR(80) NOT NULL PRIMARY KEY)",
            ]
        for name in want.users:
            if name not in users:
                out.append(f"CREATE USER {_my_user(name)} {self.iam_clause}".rstrip())
            if name not in marked:  # a user named like the service is taken over
                out.append(f"INSERT INTO {MYSQL_MARKS} (user) VALUES ({_my_literal(name)})")
        db = _my_ident(want.schema)
        if want.schema not in databases:
            out.append(f"CREATE DATABASE {db}")
        if not privileges.get((want.owner, want.schema), set()) >= MYSQL_OWNER_PRIVILEGES:
            out.append(f"GRANT ALL PRIVILEGES ON {db}.* TO {_my_user(want.owner)}")
        for name in want.consumers:
            have = privileges.get((name, want.schema), set())
            if not set(TABLE_PRIVILEGES) <= have:
                out.append(f"GRANT {', '.join(TABLE_PRIVILEGES)} ON {db}.* TO {_my_user(name)}")
            extra = sorted(have - set(TABLE_PRIVILEGES))
            if extra:  # no DDL for consumers
                out.append(f"REVOKE {', '.join(extra)} ON {db}.* FROM {_my_user(name)}")
        for name in sorted(marked - set(want.users)):
            if name in users:
                out += [f"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {_my_user(name)}", f"DROP USER {_my_user(name)}"]
            out.append(f"DELETE FROM {MYSQL_MARKS} WHERE user = {_my_literal(name)}")
        return out

    def apply(self, statements: Sequence[str]) -> None:
        import pymysql

        done = 0
        try:
            with self.conn.cursor() as cur:
                for statement in statements:
                    cur.execute(statement)  # no parameters: the statement text is final (no % formatting)
                    done += 1
        except pymysql.MySQLError as exc:
            # MySQL commits DDL implicitly: say what was applied before the failure
            raise DatabaseUsersError(
                f"{statements[done]}: {_line(exc)} ({done} earlier statement(s) were applied; run again after fixing)"
            ) from None

    def close(self) -> None:
        self.conn.close()


def _line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


@dataclass(frozen=True)
class Result:
    desired: Desired
    statements: tuple[str, ...]
    applied: bool  # False for --dry-run

    def summary(self) -> str:
        where = f"{self.desired.datastore} in {self.desired.env}"
        if not self.statements:
            return f"{where}: nothing changed, the users match the spec (owner {self.desired.owner}, consumers: {', '.join(self.desired.consumers) or 'none'})"
        verb = "would run" if not self.applied else "applied"
        return f"{where}: {verb} {len(self.statements)} statement(s)"


def reconcile(driver: Driver, want: Desired, *, dry_run: bool, echo: Callable[[str], None]) -> Result:
    """Plan against the server, print the SQL, apply it unless ``dry_run``."""
    statements = tuple(driver.plan(want))
    for statement in statements:
        echo(statement + ";")
    if statements and not dry_run:
        driver.apply(statements)
    return Result(want, statements, applied=not dry_run)


def connect(engine: Engine, login: Master, mysql_iam_clause: str = RDS_MYSQL_IAM) -> Driver:
    return Postgres.connect(login) if engine == "postgres" else MySql.connect(login, mysql_iam_clause)


def users(
    root: Path,
    datastore: str,
    env: str,
    *,
    host: str | None = None,
    port: int | None = None,
    dry_run: bool = False,
    echo: Callable[[str], None] = print,
    aws: Aws | None = None,
    mysql_iam_clause: str = RDS_MYSQL_IAM,
) -> Result:
    """What ``infragen datastore users`` does: spec -> desired users -> master secret -> reconcile."""
    from generator.api import validate

    repo = validate(root)
    want = desired(repo, datastore, env)
    account = repo.account(env)
    login = master(aws or Aws(region=account.region), account, datastore, host, port, cluster=want.cluster)
    driver = connect(want.engine, login, mysql_iam_clause)
    try:
        return reconcile(driver, want, dry_run=dry_run, echo=echo)
    finally:
        driver.close()


def databases_of_root(repo: Repo, project_dir: str) -> list[tuple[str, str]]:
    """(datastore, env) of every postgres/mysql datastore a root owns, for the Atlantis apply step.

    ``project_dir`` is the root's directory relative to the repository: ``accounts/<env>/services/<name>``
    (a plain root: all its databases) or ``accounts/<env>/services/<name>/<datastore>`` (a Terragrunt
    unit: that datastore). Other roots (teams' alert roots, retired services, other units) own none."""
    parts = Path(project_dir).parts
    if len(parts) not in (4, 5) or parts[0] != "accounts" or parts[2] != "services":
        return []
    env, name = parts[1], parts[3]
    service = next((s for s in repo.services if s.name == name), None)
    if service is None or env not in service.environments:
        return []
    found = [d.name for d in service.datastores if sql_users(d.type) is not None]
    if len(parts) == 5:
        found = [d for d in found if d == parts[4]]
    return [(d, env) for d in found]
