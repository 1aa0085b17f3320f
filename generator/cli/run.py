"""``infragen run SERVICE --env ENV -- COMMAND...``: a one-off task of the service (migrations)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.cli.options import root_option


@click.command("run")
@click.argument("service")
@click.option("--env", "env", required=True, help="Environment (an accounts/<env> folder).")
@click.option("--timeout", type=click.IntRange(min=1), default=3600, show_default=True, help="Seconds to wait.")
@root_option
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def run_cmd(service: str, env: str, timeout: int, root: Path | None, command: tuple[str, ...]) -> None:
    """Run COMMAND in a one-off task of SERVICE and exit with its exit code.

    The task is the service's current task definition (image, environment, secrets, roles) in the
    service's subnets and security groups, with the container's command replaced; its logs are
    streamed while it runs. Put the command after --:  infragen run ledger --env staging -- ./migrate up

    A job (kind: job) runs the revision its schedule names, in the schedule's subnets and security
    groups; without a COMMAND it runs the container's own command, as a scheduled run would."""
    from generator.cli import _root
    from generator.deploy.aws import Aws, resolve
    from generator.deploy.run import run

    target = resolve(_root(root), service, env)
    if not command and not target.service.is_job:
        # only a job has a command of its own worth running as is (what its schedule runs)
        raise click.UsageError(
            "Missing argument 'COMMAND...' (only a job runs without one: its own command, as its schedule does)",
            click.get_current_context(),
        )
    code = run(
        Aws(region=target.account.region),
        target,
        command,
        timeout=timeout,
        echo=click.echo,
        note=lambda line: click.echo(line, err=True),
    )
    sys.exit(code)


def register(group: click.Group) -> None:
    group.add_command(run_cmd)
