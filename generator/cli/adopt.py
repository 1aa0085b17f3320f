"""`infragen adopt`: import blocks for what already exists under the conventional names.

Exit 0 when the plan with the written (or removed) adopt.tf destroys and creates nothing that
exists, 1 otherwise (every address named) or on an error."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.options import root_option


@click.command("adopt")
@click.argument("service")
@click.option("--env", "env", required=True, help="Environment (an accounts/<env> folder).")
@root_option
def adopt(service: str, env: str, root: Path | None) -> None:
    """Write accounts/ENV/services/SERVICE/adopt.tf: an import block for each resource the root
    would create that already exists under its conventional name (read-only AWS calls), then plan
    the root and refuse while the plan destroys, replaces or creates anything that exists. Run it
    again after the apply: it removes the file."""
    from generator.cli import _root
    from generator.deploy.aws import Aws, resolve
    from generator.spec import naming
    from generator.tools import adopt as lib
    from generator.tools.terraform import plan

    target = resolve(_root(root), service, env)
    outcome = lib.adopt(
        target.root,
        naming.root_dir(env, service),
        service,
        env,
        Aws(region=target.account.region),
        lambda directory: plan(directory, lib.AdoptError),
    )
    click.echo(outcome.text())
    if outcome.problems:
        raise lib.refusal(outcome)


def register(cli: click.Group) -> None:
    cli.add_command(adopt)
