"""`infragen drift`: what runs, compared with the spec, each difference at its spec line.

Exit 0 when nothing drifted, 2 when something did, 1 on an error (InfragenError)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.cli.options import root_option

if TYPE_CHECKING:
    from generator.deploy.aws import Target
    from generator.spec.models import Repo
    from generator.tools.drift import Report

EXIT_DRIFTED = 2


@click.command("drift")
@click.argument("service", required=False)
@click.option("--env", "env", required=True, help="Environment (an accounts/<env> folder).")
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="`terraform show -json` of a refresh-only plan of SERVICE's root, instead of running terraform.",
)
@click.option("--static-only", is_flag=True, help="Skip the dynamic half (the running task definition; AWS calls).")
@root_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def drift(
    service: str | None, env: str, plan_file: Path | None, static_only: bool, root: Path | None, as_json: bool
) -> None:
    """Compare what runs in ENV with the spec of SERVICE (default: every service in ENV).

    Static half: a refresh-only plan of each root, every drifted attribute at the spec or
    environment file line that sets it ("not set by the spec" otherwise). Dynamic half: the
    running task definition against what the spec compiles to. Exit 0: no drift, 2: drift, 1: error."""
    from generator.cli import _root
    from generator.deploy.aws import Target, resolve
    from generator.spec import naming
    from generator.tools import drift as lib
    from generator.tools.terraform import refresh_only_plan

    if plan_file is not None and service is None:
        raise click.UsageError("--plan is the plan of one root: name the SERVICE")
    found = _root(root)
    repo = resolve(found, service, env).repo if service is not None else _validated(found, env)
    reports: list[Report] = []
    for item in lib.services_in(repo, env, service):
        if plan_file is not None:
            plan = lib.load_plan(plan_file)
        else:
            plan = refresh_only_plan(found / naming.root_dir(env, item.name))
        report = lib.static(found, repo, item, env, plan)
        if not static_only:
            report = _dynamic(Target(found, repo, item, repo.account(env)), report)
        reports.append(report)
    drifted = any(r.drifted for r in reports)
    if as_json:
        click.echo(json.dumps({"drifted": drifted, "reports": [r.as_dict() for r in reports]}, indent=2))
    else:
        for report in reports:
            click.echo(report.text())
        count = sum(len(r.findings) for r in reports)
        if drifted:
            click.secho(f"drift: {count} finding(s) in {env}", fg="red", err=True)
        else:
            click.echo(f"no drift in {env} ({len(reports)} service(s))")
    if drifted:
        sys.exit(EXIT_DRIFTED)


def _validated(root: Path, env: str) -> Repo:
    from generator.api import validate
    from generator.deploy.aws import DeployError

    repo = validate(root)
    if env not in [a.env for a in repo.accounts]:
        raise DeployError(f"unknown environment {env!r}; accounts are: {', '.join(a.env for a in repo.accounts)}")
    return repo


def _dynamic(target: Target, report: Report) -> Report:
    from generator.deploy.aws import Aws
    from generator.deploy.inspect import status
    from generator.tools.drift import with_dynamic

    now = status(Aws(region=target.account.region), target)
    return with_dynamic(report, now.pending_changes, now.revision, now.image_tag)


def register(cli: click.Group) -> None:
    cli.add_command(drift)
