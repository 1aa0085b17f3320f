"""Thin click layer of ``infragen sandbox``; ``generator.cli`` registers it with :func:`register`."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.options import root_option


@click.group()
def sandbox() -> None:
    """A local AWS emulator (moto) on 127.0.0.1 to try the deploy story."""


def _repo_root(root: Path | None) -> Path:
    from generator.cli import _root

    return _root(root)


@sandbox.command("up")
@click.option("--env", "env", default="staging", show_default=True, help="Environment whose roots to apply.")
@click.option("--service", "service", default=None, help="Apply the roots this service needs (and push test images).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Loopback port (default: a free one).")
@root_option
def sandbox_up(env: str, service: str | None, port: int | None, root: Path | None) -> None:
    """Start the emulator, apply the roots SERVICE needs in ENV, push two test images, and print the
    next commands. Everything runs on 127.0.0.1; `infragen sandbox down` stops it."""
    from generator.deploy.aws import resolve
    from generator.tools import sandbox as lib

    found = _repo_root(root)
    account_id = None
    if service is not None:  # an unknown service or environment is refused before the emulator starts
        account_id = resolve(found, service, env).account.account_id
    box, already = lib.up(found, port=port, account_id=account_id)
    if already and service is not None:
        lib.check_target(box, service=service, env=env)
    click.echo(f"sandbox {'already up' if already else 'up'}: moto on {box.endpoint} (pid {box.pid})")
    if service is not None and not already:
        click.echo(f"applying the roots {service} needs in {env} (terraform, a few minutes)")
        try:
            applied = lib.apply_service(
                found, box, env=env, service=service, report=lambda line: click.echo(f"  {line}")
            )
        except BaseException:
            lib.down(found)
            click.echo("sandbox stopped (the apply failed)", err=True)
            raise
        click.echo(f"applied {len(applied)} root(s); pushed images {', '.join(lib.IMAGE_TAGS)} to ECR {service}")
    click.echo("next:")
    for line in lib.next_commands(box, env=env, service=service or "SERVICE"):
        click.echo(f"  {line}")


@sandbox.command("down")
@root_option
def sandbox_down(root: Path | None) -> None:
    """Stop what `sandbox up` started; nothing to do is fine."""
    from generator.tools import sandbox as lib

    click.echo("sandbox stopped" if lib.down(_repo_root(root)) else "sandbox was not running")


def register(cli: click.Group) -> None:
    cli.add_command(sandbox)
