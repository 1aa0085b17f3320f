"""The AWS names the spec rule checks for uniqueness (issue 18, finding 2) are the names the
modules create: every ``"${var.name}-<suffix>"`` literal of a platform module (and of the aws
modules it calls) is in the generator's table (``naming.SERVICE_DERIVED_NAMES``, each kind's
``derived_names``), so a new alarm or role added to a module without the table fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.datastores import REGISTRY, kind_of
from generator.spec import naming

MODULES = Path(__file__).resolve().parent.parent / "modules"

# "${var.name}-<literal>" up to the next interpolation or the closing quote
SUFFIX = re.compile(r'"\$\{var\.name\}(-[a-z0-9-]*)')

# suffixes that are no fixed name: a name_prefix (AWS appends a unique part), the final
# snapshot (a random per-instance part follows), a per-user or per-resource part that
# follows (cache users are checked with the declaring services; an autoscaling policy name
# is scoped to its scalable target)
NOT_FIXED = {"-", "-final-"}


def _modules_of(platform: str) -> tuple[str, ...]:
    """A platform module and the aws/ modules it calls (read from its sources)."""
    text = "".join(tf.read_text(encoding="utf-8") for tf in sorted((MODULES / platform).glob("*.tf")))
    return (platform, *sorted(set(re.findall(r'source\s*=\s*"\.\./\.\./(aws/[a-z0-9-]+)"', text))))


# Every kind of the registry, by its first type name (no list of kinds here to keep up to date).
MODULES_OF = {
    "service": _modules_of("platform/service"),
    **{kind.types[0]: _modules_of(kind.module) for kind in REGISTRY.kinds},
}


def module_suffixes(modules: tuple[str, ...]) -> set[str]:
    found = set()
    for module in modules:
        for tf in sorted((MODULES / module).glob("*.tf")):
            found.update(SUFFIX.findall(tf.read_text(encoding="utf-8")))
    return found - NOT_FIXED


def table_suffixes(kind: str) -> set[str]:
    if kind == "service":
        pairs = naming.SERVICE_DERIVED_NAMES
    else:
        datastore_kind = kind_of(kind)
        pairs = datastore_kind.derived_names
        if datastore_kind.network_for(kind) is not None:
            pairs = (*pairs, ("security group", "-clients"))
    # "-5xx-rate-{lb}" is written "${var.name}-5xx-rate-${lb}" in the module, and the numbered
    # "-replica-1" .. "-replica-5" "${var.name}-replica-${...}"
    return {suffix.split("{", 1)[0] for _, suffix in pairs} | {
        re.sub(r"-([a-z]+)-[0-9]+$", r"-\1-", suffix) for _, suffix in pairs
    }


@pytest.mark.parametrize("kind", sorted(MODULES_OF))
def test_every_name_a_module_derives_is_in_the_table(kind: str) -> None:
    missing = module_suffixes(MODULES_OF[kind]) - table_suffixes(kind)
    assert not missing, (
        f"{kind}: names <name>{sorted(missing)} are created by the modules but not checked for uniqueness"
    )


def test_cache_member_names_are_in_the_table() -> None:
    """The cache's alarms are per member (``${id}-cpu`` with id ``<name>-001``...)."""
    text = (MODULES / "platform/cache/alarms.tf").read_text(encoding="utf-8")
    alarms = set(re.findall(r'"\$\{id\}(-[a-z0-9-]+)"', text))
    table = {suffix for _, suffix in kind_of("redis").derived_names}
    assert alarms and all(f"-001{a}" in table and f"-006{a}" in table for a in alarms), alarms
