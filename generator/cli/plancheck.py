"""`infragen plan-check PLAN_JSON`: the rules over a saved plan that Atlantis runs after `plan`.

Exit 0 when every rule holds, 1 with one line per violation, 2 on a usage error."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command("plan-check")
@click.argument("plan_json", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--root",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Repository root; with --project, the spec's rules (acknowledgements, declared access) apply too.",
)
@click.option(
    "--project",
    "project",
    default=None,
    help="Atlantis project name (or its directory) the plan belongs to (Atlantis: $PROJECT_NAME).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plan_check(plan_json: Path, root: Path | None, project: str | None, as_json: bool) -> None:
    """Check a plan (`terraform show -json PLANFILE`) before it can be applied.

    Rules: aws-limits (what AWS refuses and the emulator accepts), replacement (no destroy or
    replacement of a stateful or serving resource unless the environment file acknowledges it),
    tags (owner, service, environment, cost-center) and, with --root/--project, access (only what
    the spec declares). Exit 0: every rule holds; 1: violations, one per line; 2: usage error."""
    from generator.cli import _root
    from generator.tools import plancheck

    plan = plancheck.load_plan(plan_json)
    context = None
    if project or root is not None:
        from generator.api import validate

        found = _root(root)
        name = project or plancheck.project_of(found, Path.cwd())
        if name:
            context = plancheck.context_for(found, validate(found), name)
    report = plancheck.check(plan, context)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for line in plancheck.render(report).splitlines():
            click.echo(line, err=False)
    if not report.ok:
        sys.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(plan_check)
