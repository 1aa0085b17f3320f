"""The `infragen` command: parse options, call the library, report. Nothing else."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import InfragenError

root_option = click.option(
    "--root",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Repository root (default: the repository containing the current directory).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


def _root(root: Path | None) -> Path:
    from .load import find_root

    return find_root(root if root is not None else Path.cwd())


@click.group()
@click.version_option(package_name="infragen")
def cli() -> None:
    """Generate Terraform roots and atlantis.yaml from service specs."""


@cli.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@root_option
def gen(check: bool, root: Path | None) -> None:
    """Regenerate every root, atlantis.yaml and CODEOWNERS."""
    from .api import generate

    result = generate(_root(root), check=check)
    if result.interrupted:
        verb = "was interrupted; run 'infragen gen' to complete it" if check else "was interrupted; completed now"
        click.echo(f"note: a previous 'infragen gen' {verb}", err=True)
    for change in result.changes:
        click.echo(f"{change.action:7} {change.path}  ({change.reason})")
    if check:
        if result.changes or result.interrupted:
            click.secho(f"{len(result.changes)} generated file(s) are stale; run 'make gen'", fg="red", err=True)
            sys.exit(1)
        click.echo("generated files are up to date")
    else:
        click.echo(f"{len(result.changes)} file(s) changed")


@cli.command()
@root_option
@json_option
def validate(root: Path | None, as_json: bool) -> None:
    """Check every input file; write nothing."""
    from .api import validate as run

    repo = run(_root(root))
    if as_json:
        click.echo(json.dumps({"valid": True, "problems": []}))
    else:
        click.echo(f"ok: {len(repo.services)} service(s), {len(repo.accounts)} account(s)")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except InfragenError as exc:
        if "--json" in sys.argv and exc.problems:
            click.echo(json.dumps({"valid": False, "problems": [p.as_dict() for p in exc.problems]}))
        else:
            click.secho(str(exc), fg="red", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
