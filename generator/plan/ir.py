"""The plan of one run, built once: the validated repo with its recorded priorities, every root,
the listener priorities and the destroy-only roots. The renderers (atlantis.yaml, CODEOWNERS, the
Terragrunt flavor) and the repo tools consume this one object instead of re-deriving roots."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from generator.plan import allocation
from generator.plan.retired import RetiredRoot, retired_roots
from generator.plan.roots import ModuleCall, Root, RootBody, module_calls, root_body, roots, service_roots
from generator.spec.models import Repo, Service


@dataclass(frozen=True)
class Plan:
    repo: Repo  # with ``previous_priorities`` read from the allocation files
    priorities: allocation.Allocation
    roots: tuple[Root, ...]
    retired: tuple[RetiredRoot, ...]

    def calls(self, root: Root) -> list[ModuleCall]:
        """The module calls of one root (service, datastores, dashboard, discovery): planned on demand,
        so a root served from the cache is never planned."""
        given = self.priorities[root.account.env]
        name = root.service.name
        return module_calls(self.repo, root, given["external"].get(name))

    def root_calls(self) -> list[tuple[Root, list[ModuleCall]]]:
        return [(root, self.calls(root)) for root in self.roots]

    def body(self, root: Root) -> RootBody:
        """What one service root's files say (generator.render.roots prints it)."""
        return root_body(self.repo, root, self.calls(root))

    @cached_property
    def model_texts(self) -> dict[int, str]:
        """repr of a model, by its id, for the root keys (generator.plan.keys): a service's roots
        come one after the other, so its spec is printed once. Only the last few are kept (a
        service's text is about 10 kB: all 1,000 of them would raise the peak memory)."""
        return {}

    def model_text(self, model: object) -> str:
        found = self.model_texts.get(id(model))
        if found is None:
            if len(self.model_texts) >= 16:
                self.model_texts.pop(next(iter(self.model_texts)))  # the oldest
            found = self.model_texts[id(model)] = repr(model)
        return found

    @cached_property
    def datastore_users(self) -> dict[str, tuple[str, ...]]:
        """datastore -> the services that declare it as a dependency (sorted), for every datastore."""
        index: dict[str, set[str]] = {}
        for service in self.repo.services:
            for name in service.depends_on_datastores:
                index.setdefault(name, set()).add(service.name)
        return {name: tuple(sorted(users)) for name, users in index.items()}


def build(root_path: Path, repo: Repo) -> Plan:
    """Read the recorded priorities, allocate, derive every root and find the destroy-only roots: once."""
    repo = dataclasses.replace(repo, previous_priorities=allocation.read(root_path, repo))
    all_roots = tuple(roots(repo))
    return Plan(
        repo=repo,
        priorities=allocation.allocate(repo),
        roots=all_roots,
        retired=tuple(retired_roots(root_path, repo, all_roots)),
    )


def with_services(repo: Repo, models: Mapping[str, Service]) -> Repo:
    """``repo`` with ``models`` (by name) in place of its services of those names."""
    return dataclasses.replace(repo, services=tuple(models.get(s.name, s) for s in repo.services))


def replanned(plan: Plan, models: Mapping[str, Service]) -> Plan:
    """``plan`` with ``models`` in its repository (:func:`with_services`) and their roots planned
    again. Only for models whose faces are unchanged (generator/delta.py): the priorities, the other
    roots and the destroy-only roots are then the same."""
    repo = with_services(plan.repo, models)
    found: list[Root] = []
    for item in plan.roots:
        model = models.get(item.service.name)
        if model is None:
            found.append(item)
        elif item.account.env == min(model.environments):
            found.extend(service_roots(repo, model))
    return Plan(repo=repo, priorities=plan.priorities, roots=tuple(found), retired=plan.retired)
