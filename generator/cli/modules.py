"""``infragen modules ...``: release the shared modules and see which release each environment runs."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.options import root_option


@click.group("modules")
def modules_group() -> None:
    """Module releases: tag modules/ and see which release each environment runs (modules/channels.yaml)."""


@modules_group.command("release")
@click.argument("version")
@root_option
def release_cmd(version: str, root: Path | None) -> None:
    """Tag the committed modules/ as release VERSION (modules-vMAJOR.MINOR.PATCH, e.g. modules-v1.4.0).

    Makes an annotated git tag on HEAD; refuses uncommitted changes under modules/ (the channel
    file aside) and a tag that exists. Environments move to the release by a one-line change of
    modules/channels.yaml (docs/design.md, "Release channels")."""
    from generator.cli import _root
    from generator.tools.release import release

    made = release(_root(root), version)
    click.echo(f"tagged {made.tag} at {made.commit[:12]} (modules/ as committed)")
    click.echo("next:")
    for step in made.next_steps:
        click.echo(f"  {step}")


@modules_group.command("status")
@root_option
def status_cmd(root: Path | None) -> None:
    """List the modules each environment runs (main or a release tag) and the release tags."""
    from generator.cli import _root
    from generator.tools.release import status, status_text

    click.echo(status_text(status(_root(root))), nl=False)


def register(cli: click.Group) -> None:
    cli.add_command(modules_group)
