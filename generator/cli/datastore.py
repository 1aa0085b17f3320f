"""``infragen datastore ...``: operate a datastore from the spec (its database users)."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.options import root_option


@click.group("datastore")
def datastore_group() -> None:
    """Operate a datastore: its database users."""


@datastore_group.command("users")
@click.argument("datastore")
@click.option("--env", "env", required=True, help="Environment (an accounts/<env> folder).")
@click.option(
    "--host", default=None, help="Connect here instead of the instance's endpoint (a port forward, a bastion)."
)
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port to connect to with --host.")
@click.option("--dry-run", is_flag=True, help="Print the SQL that would run; change nothing.")
@root_option
def users_cmd(datastore: str, env: str, host: str | None, port: int | None, dry_run: bool, root: Path | None) -> None:
    """Make DATASTORE's database users match the spec (postgres and mysql).

    The owner gets an IAM-authenticated user that owns its schema (postgres) or database (mysql);
    every service that declares DATASTORE gets read and write on the owner's tables, no DDL; a
    service that no longer declares it loses its user. Connects as the master user, with the
    password RDS keeps in its managed secret (never printed)."""
    from generator.cli import _root
    from generator.deploy.dbusers import users

    result = users(_root(root), datastore, env, host=host, port=port, dry_run=dry_run, echo=click.echo)
    click.echo(result.summary())


@datastore_group.command("users-after-apply")
@click.argument("project_dir")
@root_option
def users_after_apply(project_dir: str, root: Path | None) -> None:
    """Run `datastore users` for every database the root in PROJECT_DIR owns (the Atlantis apply step).

    PROJECT_DIR is the root's directory relative to the repository (Atlantis's $REPO_REL_DIR);
    a root that owns no postgres or mysql datastore is a no-op."""
    from generator.api import validate
    from generator.cli import _root
    from generator.deploy.dbusers import databases_of_root, users

    base = _root(root)
    found = databases_of_root(validate(base), project_dir.strip("/"))
    if not found:
        click.echo(f"{project_dir}: no postgres or mysql datastore; no database users to reconcile")
        return
    for datastore, env in found:
        result = users(base, datastore, env, echo=click.echo)
        click.echo(result.summary())


def register(group: click.Group) -> None:
    group.add_command(datastore_group)
