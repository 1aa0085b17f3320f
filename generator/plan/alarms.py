"""Alarms and alert routing: the platform defaults (read from the modules' alarms.tf, the one
place a platform engineer changes them), the team topic of a service, the overrides a service
passes to its modules, and the per-team alerts roots (``accounts/<env>/teams/<team>/``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import hcl
from generator.datastores import REGISTRY
from generator.spec import naming
from generator.spec.models import Account, AlarmOverride, Repo, Service, Team

TEAM_ROOTS = "teams"


@dataclass(frozen=True)
class AlarmDefault:
    key: str
    threshold: float
    min: float
    max: float
    unit: str


def topic_name(team: str) -> str:
    return f"{team}-alerts"


def topic_arn(team: str, account: Account) -> str:
    return f"arn:{naming.partition(account.region)}:sns:{account.region}:{account.account_id}:{topic_name(team)}"


def team_root_dir(env: str, team: str) -> str:
    return f"accounts/{env}/{TEAM_ROOTS}/{team}"


def team_project_name(env: str, team: str) -> str:
    return f"{env}-team-{team}"


def alerting_teams(repo: Repo, env: str) -> list[Team]:
    """Teams that own at least one service in ``env``: each gets a topic there."""
    owners = {s.owner for s in repo.services if env in s.environments}
    return [t for t in repo.teams.teams if t.name in owners]


def _number(value: Any) -> float:
    return float(value) if not isinstance(value, (int, float)) else value


@functools.cache
def _read_defaults(path: Path) -> tuple[AlarmDefault, ...]:
    import hcl2  # only explain and override validation need the module defaults

    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = hcl2.load(handle)
    found: dict[str, Any] = {}
    for block in parsed.get("locals", []):
        found.update(block.get("alarm_defaults", {}))
    return tuple(
        AlarmDefault(
            key=key,
            threshold=_number(d["threshold"]),
            min=_number(d["min"]),
            max=_number(d["max"]),
            unit=str(d.get("unit", "")).strip('"'),
        )
        for key, d in found.items()
    )


@functools.cache
def _read_deployment_keys(path: Path) -> tuple[str, ...]:
    import hcl2

    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = hcl2.load(handle)
    for block in parsed.get("locals", []):
        if "deployment_alarm_keys" in block:
            return tuple(str(k).strip('"') for k in block["deployment_alarm_keys"])
    return ()


def deployment_keys(root: Path) -> tuple[str, ...]:
    """The service alarm keys whose alarms ECS watches during a deployment (``local.deployment_alarm_keys``
    of modules/platform/service/alarms.tf); empty when the repository has no such module."""
    path = root / "modules" / "platform" / "service" / "alarms.tf"
    return _read_deployment_keys(path) if path.is_file() else ()


def alarm_module(kind: str) -> str | None:
    """The platform module that owns the alarms of ``kind`` ("service" or a datastore type), or
    None when it has none (a bucket)."""
    if kind == "service":
        return "service"
    found = REGISTRY.find(kind)
    return found.module.rsplit("/", 1)[-1] if found is not None and found.has_alarms else None


def defaults(root: Path, kind: str) -> dict[str, AlarmDefault] | None:
    """The alarms of the module behind ``kind`` ("service" or a datastore type) with their default
    thresholds, or None when the repository has no such module (no alarms, e.g. a bucket)."""
    module = alarm_module(kind)
    path = root / "modules" / "platform" / (module or "-") / "alarms.tf"
    if module is None or not path.is_file():
        return None
    return {d.key: d for d in _read_defaults(path)}


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
