"""The registry of datastore kinds: type name -> the kind that owns it.

Each kind (``generator/datastores/<kind>.py``) owns its options and defaults, schema fragment,
platform module and arguments, outputs, network port, IAM grant, connection-by-convention keys,
Terragrunt mock values and scaffold lines. Everything else asks the registry (``kind_of``).
Adding a kind: docs/design.md, "Datastore kinds".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from generator.datastores.aurora import Aurora, AuroraKind
from generator.datastores.base import Access, DataSource, Grant, Interpolation, Kind, Network, Option, SqlUsers
from generator.datastores.bucket import Bucket, BucketKind
from generator.datastores.cache import Cache, CacheKind
from generator.datastores.database import Database, DatabaseKind
from generator.datastores.queue import Queue, QueueKind
from generator.datastores.table import Table, TableKind
from generator.datastores.topic import Topic, TopicKind

__all__ = [
    "REGISTRY",
    "Access",
    "Aurora",
    "Bucket",
    "Cache",
    "DataSource",
    "Database",
    "Grant",
    "Interpolation",
    "Kind",
    "Network",
    "Option",
    "Queue",
    "Registry",
    "SqlUsers",
    "Table",
    "Topic",
    "kind_of",
    "registered",
]


class Registry:
    """Kinds in a fixed order (the order of schema `$defs`, IAM statements and `--datastore` help)."""

    def __init__(self, kinds: tuple[Kind, ...]) -> None:
        self._kinds = list(kinds)
        self.version = 0  # bumped on every change: caches built from the kinds key on it
        self._by_type: dict[str, Kind] | None = None  # type name -> kind, rebuilt after a change

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(self._kinds)

    def types(self) -> tuple[str, ...]:
        return tuple(t for k in self._kinds for t in k.types)

    def find(self, type_name: str) -> Kind | None:
        # a dict, not a scan of the kinds: asked about 75,000 times by a run at 1,000 x 3
        by_type = self._by_type
        if by_type is None:
            by_type = self._by_type = {t: k for k in reversed(self._kinds) for t in k.types}
        return by_type.get(type_name)

    def get(self, type_name: str) -> Kind:
        found = self.find(type_name)
        if found is None:  # the schema admits only registered types: reaching here is a bug
            raise KeyError(f"no datastore kind {type_name!r}; kinds: {', '.join(self.types())}")
        return found

    def register(self, kind: Kind) -> None:
        taken = set(self.types())
        clash = [t for t in kind.types if t in taken]
        if clash or any(k.schema_def == kind.schema_def for k in self._kinds):
            raise ValueError(f"datastore kind {type(kind).__name__}: {clash or kind.schema_def} already registered")
        self._kinds.append(kind)
        self.version += 1
        self._by_type = None

    def unregister(self, kind: Kind) -> None:
        self._kinds.remove(kind)
        self.version += 1
        self._by_type = None


REGISTRY = Registry((DatabaseKind(), CacheKind(), QueueKind(), TableKind(), BucketKind(), TopicKind(), AuroraKind()))


def kind_of(type_name: str) -> Kind:
    """The kind of a datastore type (``postgres`` -> the database kind)."""
    return REGISTRY.get(type_name)


@contextmanager
def registered(kind: Kind) -> Iterator[Kind]:
    """Register ``kind`` for the duration of a block (tests, plugins)."""
    REGISTRY.register(kind)
    try:
        yield kind
    finally:
        REGISTRY.unregister(kind)
