"""The platform's alarms: each module's alarm keys and default thresholds, read from the modules'
alarms.tf (the one place a platform engineer changes them), and the service alarms ECS watches
during a deployment. The spec's ``overrides.alarms`` are checked against them (generator.spec.rules);
``explain`` prints them. Alert routing and the overrides passed to modules are generator.plan.alarms."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import hclcache
from generator.datastores import REGISTRY


@dataclass(frozen=True)
class AlarmDefault:
    key: str
    threshold: float
    min: float
    max: float
    unit: str


def _number(value: Any) -> float:
    return float(value) if not isinstance(value, (int, float)) else value


@functools.cache
def _read_defaults(path: Path) -> tuple[AlarmDefault, ...]:
    found: dict[str, Any] = hclcache.local_value(path, "alarm_defaults") or {}
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
    return tuple(str(k).strip('"') for k in hclcache.local_value(path, "deployment_alarm_keys") or ())


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
