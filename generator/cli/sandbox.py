"""Thin click layer of ``infragen sandbox``; ``generator.cli`` registers it with :func:`register`."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def sandbox() -> None:
    """A local AWS emulator (moto) on 127.0.0.1 to try the deploy story."""


@sandbox.command("up")
@click.option("--env", "env", default="staging", show_default=True, help="Environment whose roots to try.")
@click.option("--service", "service", default="SERVICE", help="Service the printed commands name.")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Loopback port (default: a free one).")
def sandbox_up(env: str, service: str, port: int | None) -> None:
    """Start the emulator (or say it is up) and print the next commands."""
    from generator.tools import sandbox as lib

    box, already = lib.up(Path.cwd(), port=port)
    state = "already up" if already else "up"
    click.echo(f"sandbox {state}: moto on {box.endpoint} (pid {box.pid})")
    click.echo("next:")
    for line in lib.next_commands(box, env=env, service=service):
        click.echo(f"  {line}")


@sandbox.command("down")
def sandbox_down() -> None:
    """Stop what `sandbox up` started; nothing to do is fine."""
    from generator.tools import sandbox as lib

    click.echo("sandbox stopped" if lib.down(Path.cwd()) else "sandbox was not running")


def register(cli: click.Group) -> None:
    cli.add_command(sandbox)
