"""The datastore parts of the service and environment JSON schemas, generated from the kinds.

The committed files (generator/spec/schemas/, the top-level ``schemas`` symlink) are what editors
read; ``generator.spec.schema`` validates against the generated form, and
``tests/test_schemas.py`` asserts the committed files equal it. Refresh them with
``make schemas`` (``infragen schema --write``).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from generator.datastores import REGISTRY

GENERATED = ("service", "environment")


def _resource() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "One owned datastore; its type selects the options (docs/spec-reference.md, datastore kinds).",
        "required": ["type"],
        "properties": {"type": {"enum": list(REGISTRY.types()), "description": "Kind of datastore."}},
        "allOf": [
            {
                "if": {"properties": {"type": k.type_schema()}, "required": ["type"]},
                "then": {"$ref": f"#/$defs/{k.schema_def}"},
            }
            for k in REGISTRY.kinds
        ],
    }


def _splice(defs: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``defs`` with the kinds' entries replaced by ``new``, placed where the first one was."""
    generated = set(new) | {"resource"}
    result: dict[str, Any] = {}
    placed = False
    for key, value in defs.items():
        if key in generated:
            if not placed:
                result.update(new)
                placed = True
            continue
        result[key] = value
    if not placed:
        result.update(new)
    return result


def generate(name: str, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` (a committed schema) with its datastore parts derived from the registered kinds."""
    if name not in GENERATED:
        return base
    data = copy.deepcopy(base)
    in_environment = name == "environment"
    new: dict[str, Any] = {} if in_environment else {"resource": _resource()}
    for kind in REGISTRY.kinds:
        new[kind.schema_def] = kind.schema_fragment(in_environment=in_environment)
    data["$defs"] = _splice(data.get("$defs", {}), new)
    return data


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
