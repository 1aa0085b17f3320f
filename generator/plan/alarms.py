"""Alert routing: the team topic of a service, the overrides a service passes to its modules, and
the per-team alerts roots (``accounts/<env>/teams/<team>/``). The alarms themselves and their
defaults, which the spec's overrides are checked against, are generator.spec.alarms."""

from __future__ import annotations

from generator import hcl
from generator.spec import naming
from generator.spec.models import Account, AlarmOverride, Repo, Service, Team

TEAM_ROOTS = "teams"


def topic_name(team: str) -> str:
    return f"{team}-alerts"


def topic_arn(team: str, account: Account) -> str:
    return f"arn:{naming.partition(account.region)}:sns:{account.region}:{account.account_id}:{topic_name(team)}"


def team_root_dir(env: str, team: str) -> str:
    return f"accounts/{env}/{TEAM_ROOTS}/{team}"


def team_project_name(env: str, team: str) -> str:
    return naming.team_project_name(env, team)


def alerting_teams(repo: Repo, env: str) -> list[Team]:
    """Teams that own at least one service in ``env``: each gets a topic there."""
    owners = {s.owner for s in repo.services if env in s.environments}
    return [t for t in repo.teams.teams if t.name in owners]


def override_args(overrides: tuple[AlarmOverride, ...]) -> dict[str, hcl.Value]:
    """The ``alarm_overrides`` module input."""
    result: dict[str, hcl.Value] = {}
    for o in overrides:
        entry: dict[str, hcl.Value] = {}
        if o.threshold is not None:
            entry["threshold"] = int(o.threshold) if float(o.threshold).is_integer() else hcl.Raw(repr(o.threshold))
        if o.silenced:
            entry["silenced"] = True
        entry["reason"] = o.reason
        result[o.key] = entry
    return result


def module_args(service: Service, account: Account, target: str) -> list[tuple[str, hcl.Value]]:
    """alarm_topic_arn and alarm_overrides of one module call (the service or a datastore)."""
    args: list[tuple[str, hcl.Value]] = [("alarm_topic_arn", topic_arn(service.owner, account))]
    overrides = service.alarm_overrides(account.env, target)
    if overrides:
        args.append(("alarm_overrides", override_args(overrides)))
    return args
