"""Listener rule priorities, allocated once per service and account and then kept.

A new service gets its name's hash slot, probing upward past priorities already taken on the
same listener. Once given, a priority is recorded in the generated, committed
``accounts/<env>/listener-priorities.yaml`` and read back by the next run, so adding or removing a
service never changes another service's root, and two pull requests that add services conflict
only in that file. A priority is released when its service leaves the account.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem, SpecError
from generator.spec import naming
from generator.spec.models import Repo, Service

# Only the external listener gets rules: services reach each other through ECS Service Connect,
# not the internal load balancer. "internal" is still read (and dropped) so that a file written
# by an older version loads; the next run writes it without that section.
LISTENERS = ("external",)
READ_LISTENERS = ("internal", "external")
INPUTS = ("services/*/service.yaml",)
MAX_PRIORITY = naming.LISTENER_PRIORITY_SLOTS

# env -> listener -> service -> priority
Allocation = dict[str, dict[str, dict[str, int]]]


def path(env: str) -> str:
    return f"accounts/{env}/listener-priorities.yaml"


def _load(text: str) -> Any:
    """``yaml.safe_load``, by libyaml when it can (a third of planning at 1,000 x 3 went to the
    pure-Python parser); a file it refuses is read again by the reference loader, whose message is
    reported (as generator/spec/document.py does)."""
    if yaml.__with_libyaml__ and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        with contextlib.suppress(yaml.YAMLError):
            return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.safe_load(text)


def read(root: Path, repo: Repo) -> tuple[tuple[str, str, str, int], ...]:
    """The priorities recorded by the last run, as (env, listener, service, priority) rows.

    Only files carrying the generator's header are read (a foreign file is refused when writing).
    """
    rows: list[tuple[str, str, str, int]] = []
    problems: list[Problem] = []
    for account in repo.accounts:
        rel = path(account.env)
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        if not text.startswith(naming.HEADER_PREFIX):
            continue
        try:
            data = _load(text) or {}
        except yaml.YAMLError as exc:
            problems.append(Problem(rel, 1, 1, "", f"cannot be read ({exc}); delete it and run 'make gen'"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(rel, 1, 1, "", "expected a mapping of listeners; delete it and run 'make gen'"))
            continue
        for listener, entries in sorted(data.items()):
            if listener not in READ_LISTENERS or not isinstance(entries, dict):
                problems.append(Problem(rel, 1, 1, str(listener), f"expected one of {', '.join(LISTENERS)}"))
                continue
            for name, priority in sorted(entries.items()):
                if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= MAX_PRIORITY:
                    problems.append(
                        Problem(rel, 1, 1, f"{listener}.{name}", f"priority must be an integer 1-{MAX_PRIORITY}")
                    )
                    continue
                rows.append((account.env, listener, str(name), priority))
    if problems:
        raise SpecError(problems)
    return tuple(rows)


def _listener_services(repo: Repo, env: str, listener: str) -> list[str]:
    def on(service: Service) -> bool:
        if env not in service.environments:
            return False
        return listener == "external" and bool(service.ingress and service.ingress.external)

    return sorted(s.name for s in repo.services if on(s))


def _hash_slot(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % MAX_PRIORITY


def allocate(repo: Repo) -> Allocation:
    """Keep every recorded priority of a service still on the listener; give new ones hash slots.

    Should a merge leave two services with one priority, the first name keeps it and the other is
    given a new slot (the only case in which a recorded priority moves).
    """
    previous: dict[tuple[str, str], dict[str, int]] = {}
    for env, listener, name, priority in repo.previous_priorities:
        previous.setdefault((env, listener), {})[name] = priority
    result: Allocation = {}
    for account in repo.accounts:
        per_env = result.setdefault(account.env, {})
        for listener in LISTENERS:
            names = _listener_services(repo, account.env, listener)
            recorded = previous.get((account.env, listener), {})
            given: dict[str, int] = {}
            taken: set[int] = set()
            for name in names:
                kept = recorded.get(name)
                if kept is not None and kept not in taken:
                    given[name] = kept
                    taken.add(kept)
            for name in names:
                if name in given:
                    continue
                slot = _hash_slot(name)
                while slot + 1 in taken:
                    slot = (slot + 1) % MAX_PRIORITY
                taken.add(slot + 1)
                given[name] = slot + 1
            per_env[listener] = dict(sorted(given.items()))
    return result


def content(allocation: Mapping[str, Mapping[str, int]]) -> str:
    lines = [
        naming.header(INPUTS),
        "# Listener rule priorities, given once per service and kept: adding or removing a service never",
        "# moves another's. Two pull requests that add services conflict only here; keep both lines and",
        "# run 'make gen' (a duplicate priority is given to the first name and a new slot to the other).",
    ]
    for listener in LISTENERS:
        entries = allocation.get(listener, {})
        if not entries:
            lines.append(f"{listener}: {{}}")
            continue
        lines.append(f"{listener}:")
        lines.extend(f"  {name}: {priority}" for name, priority in entries.items())
    return "\n".join(lines) + "\n"


__all__ = ["Allocation", "allocate", "content", "path", "read"]
