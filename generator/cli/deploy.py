"""Thin click layer of the deploy commands; ``generator.cli`` registers them with :func:`register`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.cli.options import env_option, root_option

if TYPE_CHECKING:
    from generator.deploy.aws import Aws, Target
    from generator.deploy.rollout import Outcome, Progress, Waiter

wait_options = [
    click.option("--no-wait", is_flag=True, help="Return once the service is updated; do not wait for the rollout."),
    click.option("--timeout", type=click.IntRange(min=1), default=900, show_default=True, help="Seconds to wait."),
]


def _with_wait(func: Any) -> Any:
    for option in reversed(wait_options):
        func = option(func)
    return func


def _target(root: Path | None, service: str, env: str) -> tuple[Aws, Target]:
    from generator.cli import _root
    from generator.deploy.aws import Aws, resolve

    target = resolve(_root(root), service, env)
    return Aws(region=target.account.region), target


class _Reporter:
    """A live status line on a terminal, plain lines (only on change) otherwise."""

    def __init__(self) -> None:
        self.live = sys.stdout.isatty()
        self.last = ""

    def __call__(self, progress: Progress) -> None:
        line = progress.line()
        if self.live:
            click.echo("\r\x1b[K" + line, nl=False)
        elif line != self.last:
            click.echo(line)
        self.last = line

    def close(self) -> None:
        if self.live and self.last:
            click.echo()


def _waiter(aws: Aws, target: Target, no_wait: bool, timeout: int) -> tuple[Waiter | None, _Reporter]:
    from generator.deploy.rollout import Waiter

    reporter = _Reporter()
    return (None if no_wait else Waiter(aws, target, timeout=timeout, report=reporter)), reporter


def _finish(outcome: Outcome, reporter: _Reporter) -> None:
    reporter.close()
    revision = outcome.task_definition.rsplit("/", 1)[-1]
    if outcome.ok:
        click.echo(f"{revision}: {outcome.message}" + (f" ({outcome.deployment})" if outcome.deployment else ""))
        return
    click.secho(f"error: {revision}: {outcome.message}", fg="red", err=True)
    sys.exit(1)


@click.command("compile")
@click.argument("service")
@env_option
@click.option("--image-tag", required=True, help="Image tag in the service's ECR repository.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
@root_option
def compile_cmd(service: str, env: str, image_tag: str, output: Path | None, root: Path | None) -> None:
    """Print the RegisterTaskDefinition request (JSON) of SERVICE in ENV. No AWS call."""
    from generator.cli import _root
    from generator.deploy.aws import resolve
    from generator.plan.taskdef import task_definition

    target = resolve(_root(root), service, env)
    text = json.dumps(task_definition(target.repo, target.service, target.account, image_tag), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        from generator.errors import CommandError

        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from exc
        click.echo(f"wrote {output}", err=True)


@click.command()
@click.argument("service")
@env_option
@click.option("--image-tag", required=True, help="Image tag in the service's ECR repository.")
@click.option(
    "--allow-unreviewed",
    is_flag=True,
    help="Deploy from uncommitted changes or a HEAD not on the base branch (tagged infragen:reviewed=no).",
)
@_with_wait
@root_option
def deploy(
    service: str, env: str, image_tag: str, allow_unreviewed: bool, no_wait: bool, timeout: int, root: Path | None
) -> None:
    """Register the compiled revision with IMAGE-TAG, update the service, wait for the rollout.

    A job (kind: job) has no service: its schedule is pointed at the new revision (UpdateSchedule),
    which its next run starts; there is nothing to wait for.

    Refuses a tree with uncommitted spec changes or a HEAD that is not on the base branch
    (infragen.yaml baseBranch, default main) unless --allow-unreviewed."""
    from generator.deploy.review import require_review
    from generator.deploy.rollout import deploy as run

    aws, target = _target(root, service, env)
    review = require_review(target.root, allow_unreviewed)
    if not review.reviewed:
        click.secho(f"warning: deploying an unreviewed tree ({review.why})", fg="yellow", err=True)
    waiter, reporter = _waiter(aws, target, no_wait, timeout)
    _finish(run(aws, target, image_tag, waiter, review), reporter)


@click.command()
@click.argument("service")
@env_option
@click.option("--to", "to", default=None, help="Revision number or family:revision (default: the previous one).")
@_with_wait
@root_option
def rollback(service: str, env: str, to: str | None, no_wait: bool, timeout: int, root: Path | None) -> None:
    """Return the service to the previous revision infragen deployed (or --to REVISION).

    A job's schedule is pointed back at that revision."""
    from generator.deploy.rollout import rollback as run

    aws, target = _target(root, service, env)
    waiter, reporter = _waiter(aws, target, no_wait, timeout)
    _finish(run(aws, target, to, waiter), reporter)


@click.command()
@click.argument("service")
@env_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@root_option
def status(service: str, env: str, as_json: bool, root: Path | None) -> None:
    """Running revision, counts, deployments, events, and what in the spec is not deployed yet.

    For a job: its schedule, the revision it runs and its last runs (exit codes)."""
    from generator.deploy.inspect import status as run

    aws, target = _target(root, service, env)
    result = run(aws, target)
    click.echo(json.dumps(result.as_dict(), indent=2, default=str) if as_json else result.text())


@click.command()
@click.argument("service")
@env_option
@click.option("--image-tag", default=None, help="Check this tag (default: the running one).")
@root_option
def verify(service: str, env: str, image_tag: str | None, root: Path | None) -> None:
    """Check the spec and that everything the service needs exists (describe only)."""
    from generator.deploy.inspect import verify as run

    aws, target = _target(root, service, env)
    checks = run(aws, target, image_tag)
    for check in checks:
        click.echo(check.line())
    failed = [c for c in checks if not c.ok]
    if failed:
        click.secho(f"{len(failed)} of {len(checks)} check(s) failed", fg="red", err=True)
        sys.exit(1)
    skipped = sum(c.skipped for c in checks)
    click.echo(f"all {len(checks) - skipped} checks passed" + (f" ({skipped} skipped)" if skipped else ""))


@click.group("service")
def service_group() -> None:
    """Operate a running service: restart, tasks, history, stop-task, exec, logs."""


@service_group.command()
@click.argument("service")
@env_option
@_with_wait
@root_option
def restart(service: str, env: str, no_wait: bool, timeout: int, root: Path | None) -> None:
    """Start a new deployment of the running revision (fresh tasks, same definition).

    Refused for a job (no ECS service): `infragen run JOB --env ENV` starts a one-off run."""
    from generator.deploy.rollout import restart as run

    aws, target = _target(root, service, env)
    waiter, reporter = _waiter(aws, target, no_wait, timeout)
    _finish(run(aws, target, waiter), reporter)


@service_group.command("tasks")
@click.argument("service")
@env_option
@click.option("--stopped", is_flag=True, help="Include recently stopped tasks.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@root_option
def tasks_cmd(service: str, env: str, stopped: bool, as_json: bool, root: Path | None) -> None:
    """List the service's tasks with revision, status, health and start time."""
    from generator.deploy.service import tasks

    aws, target = _target(root, service, env)
    found = tasks(aws, target, stopped=stopped)
    if as_json:
        click.echo(json.dumps([t.as_dict() for t in found], indent=2))
        return
    for task in found:
        click.echo(task.line())
    if not found:
        click.echo(f"no tasks of {service} in {env}")


@service_group.command("history")
@click.argument("service")
@env_option
@click.option("--limit", type=click.IntRange(min=1, max=100), default=20, show_default=True, help="Newest N revisions.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@root_option
def history_cmd(service: str, env: str, limit: int, as_json: bool, root: Path | None) -> None:
    """List the service's revisions: image tag, infra commit, deployer, time, and whether
    `rollback --to` can use it (* marks the running one)."""
    from generator.deploy.rollout import HISTORY_HEADER, history

    aws, target = _target(root, service, env)
    found = history(aws, target, limit)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in found], indent=2))
        return
    if not found:
        click.echo(f"no revisions of {service} in {env}: apply its root first")
        return
    click.echo(HISTORY_HEADER)
    for revision in found:
        click.echo(revision.line())


@service_group.command("stop-task")
@click.argument("service")
@click.argument("task")
@env_option
@root_option
def stop_task_cmd(service: str, task: str, env: str, root: Path | None) -> None:
    """Stop one task of the service (ECS starts a replacement)."""
    from generator.deploy.service import stop_task

    aws, target = _target(root, service, env)
    click.echo(f"stopped {stop_task(aws, target, task)}")


@service_group.command("exec")
@click.argument("service")
@env_option
@click.option("--command", "command", default="/bin/sh", show_default=True, help="Command to run in the container.")
@click.option("--task", "task", default=None, help="Task id (default: the newest running task).")
@root_option
def exec_cmd(service: str, env: str, command: str, task: str | None, root: Path | None) -> None:
    """Run COMMAND in a running container with ECS Exec (AWS CLI + session-manager-plugin)."""
    from generator.deploy.service import exec_command, run_exec

    aws, target = _target(root, service, env)
    sys.exit(run_exec(exec_command(aws, target, command, task)))


@service_group.command("logs")
@click.argument("service")
@env_option
@click.option("--since", default="10m", show_default=True, help="How far back: 30s, 10m, 2h, 1d.")
@click.option("--follow", is_flag=True, help="Keep printing new events.")
@root_option
def logs_cmd(service: str, env: str, since: str, follow: bool, root: Path | None) -> None:
    """Print the service's CloudWatch logs."""
    from generator.deploy.service import logs

    aws, target = _target(root, service, env)
    for line in logs(aws, target, since, follow):
        click.echo(line)


COMMANDS = (compile_cmd, deploy, rollback, status, verify, service_group)


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
