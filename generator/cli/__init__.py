"""The `infragen` command: parse options, call the library, report. Nothing else."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from generator.cli.options import json_option, root_option
from generator.errors import CommandError, InfragenError

_found_root: list[Path] = []  # the root a command resolved, to show source lines under errors


def _root(root: Path | None) -> Path:
    from generator.spec.root import find_root

    found = find_root(root, explicit=True) if root is not None else find_root(Path.cwd())
    _found_root[:] = [found]
    return found


@click.group()
@click.version_option(package_name="infragen")
def cli() -> None:
    """Generate Terraform roots and atlantis.yaml from service specs."""


@cli.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@root_option
@json_option
def gen(check: bool, root: Path | None, as_json: bool) -> None:
    """Regenerate every root, atlantis.yaml and CODEOWNERS."""
    from generator.api import generate

    result = generate(_root(root), check=check)
    if as_json:
        stale = check and bool(result.changes or result.interrupted)
        changes = [{"path": c.path, "action": c.action, "reason": c.reason} for c in result.changes]
        click.echo(
            json.dumps(
                {"valid": True, "check": check, "stale": stale, "interrupted": result.interrupted, "changes": changes}
            )
        )
        sys.exit(1 if stale else 0)
    for text, err in result.report(check=check):
        click.echo(text, err=err)
    if check:
        if result.changes or result.interrupted:
            click.secho(f"{len(result.changes)} generated file(s) are stale; run 'make gen'", fg="red", err=True)
            sys.exit(1)
        click.echo("generated files are up to date")


@cli.command()
@root_option
@json_option
def validate(root: Path | None, as_json: bool) -> None:
    """Check every input file; write nothing."""
    from generator.api import validate as run

    repo = run(_root(root))
    if as_json:
        click.echo(json.dumps({"valid": True, "problems": []}))
    else:
        click.echo(f"ok: {len(repo.services)} service(s), {len(repo.accounts)} account(s)")


@cli.group()
def new() -> None:
    """Scaffold new input files."""


@new.command("service")
@click.argument("name")
@click.option("--owner", required=True, help="Owning team (a key of teams.yaml).")
@click.option("--cpu", type=int, default=256, show_default=True, help="Fargate CPU units (1024 = 1 vCPU).")
@click.option("--memory", type=int, default=512, show_default=True, help="Memory in MiB (Fargate-valid for --cpu).")
@click.option("--desired-count", type=int, default=1, show_default=True, help="Number of tasks.")
@click.option("--env", "envs", multiple=True, help="Account to run in (repeatable; default: every account).")
@click.option("--external-domain", default=None, help="Expose on the external load balancer at this host name.")
@click.option(
    "--datastore",
    "datastores",
    multiple=True,
    metavar="TYPE:NAME",
    help="Owned datastore, e.g. postgres:db (repeatable; NAME is prefixed with the service name).",
)
@click.option("--description", default="", help="What the service does.")
@click.option(
    "--kind",
    type=click.Choice(["service", "worker", "job"]),
    default="service",
    show_default=True,
    help="service: serves HTTP; worker: serves nothing (a queue consumer), health from a container command; "
    "job: one task per schedule (EventBridge Scheduler), no ECS service.",
)
@root_option
def new_service(
    name: str,
    owner: str,
    cpu: int,
    memory: int,
    desired_count: int,
    envs: tuple[str, ...],
    external_domain: str | None,
    datastores: tuple[str, ...],
    description: str,
    kind: str,
    root: Path | None,
) -> None:
    """Create services/NAME/ with service.yaml and one environments/<env>.yaml per account."""
    from generator.tools.scaffold import NewService, new_service

    spec = NewService(
        name=name,
        owner=owner,
        cpu=cpu,
        memory=memory,
        desired_count=desired_count,
        environments=envs,
        external_domain=external_domain,
        datastores=datastores,
        description=description,
        kind=kind,
    )
    done = new_service(_root(root), spec)
    for path in done.files:
        click.echo(f"create  {path}")
    for note in done.notes:
        click.echo(f"note    {note}")
    click.echo(
        f"\nNext: review the files, then\n  make gen\n  git add services/{name} accounts atlantis.yaml "
        f"CODEOWNERS\n  git commit -m 'Add service {name}'\n  git push   # and open a pull request"
    )


@cli.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 naming READMEs whose tables are stale.")
@root_option
def docs(check: bool, root: Path | None) -> None:
    """Render each module README's inputs/outputs tables from variables.tf and outputs.tf."""
    from generator.tools.docs import run

    result = run(_root(root), check=check)
    for path in result.skipped:
        click.echo(f"skip    {path}  (no README.md or no BEGIN_TF_DOCS/END_TF_DOCS markers)", err=True)
    for path in result.stale:
        click.echo(f"{'stale' if check else 'update':7} {path}")
    if check and result.stale:
        click.secho(f"{len(result.stale)} module README(s) are stale; run 'infragen docs'", fg="red", err=True)
        sys.exit(1)
    click.echo("module docs are up to date" if check else f"{len(result.stale)} README(s) changed")


@cli.command("schema")
@click.argument(
    "kind", required=False, type=click.Choice(["service", "environment", "account", "teams", "infragen", "channels"])
)
@click.option("--write", is_flag=True, help="Rewrite the committed schemas whose datastore parts come from the kinds.")
@click.option("--check", is_flag=True, help="Exit 1 when a committed schema differs from the kinds.")
def show_schema(kind: str | None, write: bool, check: bool) -> None:
    """Print the JSON Schema of an input file (editors use schemas/*.schema.json directly).

    The datastore parts of the service and environment schemas are generated from the kinds in
    generator/datastores; `--write` refreshes the committed files (`make schemas`)."""
    from generator.spec.schema import refresh, schema_text

    if write or check:
        stale = refresh(write=write)
        for name in stale:
            click.echo(f"{'wrote' if write else 'stale'}: generator/spec/schemas/{name}.schema.json")
        if stale and not write:
            sys.exit(1)
        if not stale:
            click.echo("the committed schemas match the datastore kinds")
        return
    if kind is None:
        raise click.UsageError(
            "name a schema (service, environment, account, teams, infragen, channels) or pass --write/--check"
        )
    click.echo(schema_text(kind), nl=False)


@cli.command()
@click.option("--base", required=True, help="Git ref the change merges into (e.g. origin/main).")
@click.option("--head", default=None, help="Git ref of the change (default: the working tree).")
@click.option("--markdown", "as_markdown", is_flag=True, help="A markdown table for a pull request comment.")
@root_option
@json_option
def affected(base: str, head: str | None, as_markdown: bool, root: Path | None, as_json: bool) -> None:
    """List the Atlantis projects a change plans, each with the files that trigger it."""
    from generator.tools.affected import affected as run
    from generator.tools.affected import as_dict, as_text
    from generator.tools.affected import as_markdown as markdown

    if as_json and as_markdown:
        raise click.UsageError("choose one of --json and --markdown")
    report = run(_root(root), base, head)
    if as_json:
        click.echo(json.dumps(as_dict(report), indent=2))
    else:
        click.echo(markdown(report) if as_markdown else as_text(report), nl=False)


@cli.command()
@click.argument("service")
@root_option
def explain(service: str, root: Path | None) -> None:
    """Summarise a service for a pull request description (markdown)."""
    from generator.tools.explain import explain as run

    click.echo(run(_root(root), service), nl=False)


@cli.command()
@click.argument("name")
@click.option(
    "--team", is_flag=True, help="NAME is a team: remove its retired alert roots (accounts/<env>/teams/NAME)."
)
@click.option("--yes", is_flag=True, help="Confirm that the destroy of every root was applied.")
@click.option(
    "--base",
    default="origin/main",
    show_default=True,
    help="The branch Atlantis applies from; the destroy-only roots must already be on it.",
)
@root_option
def prune(name: str, team: bool, yes: bool, base: str, root: Path | None) -> None:
    """Remove the destroy-only roots of a decommissioned service NAME (or of team NAME's alert
    roots, with --team) once their destroy is applied."""
    from generator.tools.decommission import prune_and_generate as run

    def confirm() -> None:  # asked once nothing else refuses
        if yes:
            return
        if not sys.stdin.isatty():
            raise CommandError(
                f"prune asks whether the destroy of every root of {name} was applied, and there is no terminal "
                "to ask on: pass --yes once it is (nothing was deleted)"
            )
        click.confirm(f"Was the destroy of every root of {name} applied (its state is empty)?", abort=True)

    for path in run(_root(root), name, base, confirm, team=team):
        click.echo(f"delete  {path}")


def use_color(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@cli.command("plan-unchanged")
@click.argument("saved", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("fresh", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def plan_unchanged(saved: Path, fresh: Path) -> None:
    """Exit 1 when two `terraform show -json` plans differ (the saved one is stale).

    The Terragrunt workflow runs it before applying a saved plan, against a fresh plan."""
    from generator.errors import CommandError
    from generator.render.terragrunt import plan_differences

    try:
        differences = plan_differences(json.loads(saved.read_text()), json.loads(fresh.read_text()))
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the plans: {exc}") from exc
    if differences:
        project = os.environ.get("PROJECT_NAME", "<project>")
        raise CommandError(
            "the saved plan is stale (a dependency was applied after it was made); these would change "
            f"differently now: {', '.join(differences)}. Comment 'atlantis plan -p {project}', review, apply again"
        )
    click.echo("the saved plan is still current")


from generator.cli.deploy import register as _register_deploy_commands  # noqa: E402

_register_deploy_commands(cli)

from generator.cli.drift import register as _register_drift  # noqa: E402

_register_drift(cli)

from generator.cli.adopt import register as _register_adopt  # noqa: E402

_register_adopt(cli)

from generator.cli.datastore import register as _register_datastore_commands  # noqa: E402

_register_datastore_commands(cli)

from generator.cli.run import register as _register_run_command  # noqa: E402

_register_run_command(cli)

from generator.cli.sandbox import register as _register_sandbox  # noqa: E402

_register_sandbox(cli)

from generator.cli.plancheck import register as _register_plan_check  # noqa: E402

_register_plan_check(cli)

from generator.cli.modules import register as _register_modules  # noqa: E402

_register_modules(cli)


def main() -> None:
    color = use_color(sys.stdout) and use_color(sys.stderr)
    try:
        # click.echo/secho strip styles when the context says no colour
        cli.main(standalone_mode=False, color=color)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)  # a "no" to a question, or Ctrl-C
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except InfragenError as exc:
        report_error(exc, _found_root[0] if _found_root else None, color)


def report_error(exc: InfragenError, root: Path | None, color: bool) -> NoReturn:
    """A user-facing failure of a command as the CLI reports it (JSON under ``--json``), and its exit."""
    from generator.cli.report import error_json, format_error

    if "--json" in sys.argv:
        click.echo(json.dumps(error_json(exc)))
    else:
        click.echo(format_error(exc, root, show_source=sys.stderr.isatty()), err=True, color=color)
    sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
