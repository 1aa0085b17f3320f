"""JSON Schema validation of each input file, reported as positioned problems."""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from importlib import resources
from typing import Any, Literal

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from ._yaml import Document, FieldPath
from .errors import Problem

Kind = Literal["service", "environment", "account", "teams"]
KINDS: tuple[Kind, ...] = ("service", "environment", "account", "teams")

# The schemas ship inside the package (generator/schemas/, read with importlib.resources, so an
# installed wheel has them); the repository's top-level `schemas` is a symlink to that folder so
# editors' `$schema=schemas/...` comments keep working.
SCHEMA_PACKAGE = "generator.schemas"


def schema_text(name: str) -> str:
    """The text of ``generator/schemas/<name>.schema.json`` (input kinds plus ``infragen``, the repo settings)."""
    return resources.files(SCHEMA_PACKAGE).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")


@cache
def schema(kind: Kind) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Any:
    """ECMA-262 `pattern`: `$` matches only at the very end (Python's also matches before a final newline)."""
    if isinstance(instance, str):
        anchored = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
        if not re.search(anchored, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})  # type: ignore[no-untyped-call]


@cache
def validator(kind: Kind) -> Any:
    return Validator(schema(kind))


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """`; did you mean 'x'?` when a choice is close to ``word``, else empty."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check(doc: Document, kind: Kind, base: FieldPath = (), sub: dict[str, Any] | None = None) -> list[Problem]:
    """Validate ``doc.data`` (or a subtree at ``base`` against ``sub``) and return problems."""
    instance = doc.data
    for part in base:
        instance = instance[part]
    checker = validator(kind) if sub is None else Validator(sub)
    problems: list[Problem] = []
    for error in checker.iter_errors(instance):
        problems.extend(_problems(doc, base, error))
    return problems


def _problems(doc: Document, base: FieldPath, error: ValidationError) -> list[Problem]:
    path: FieldPath = (*base, *error.absolute_path)
    value = error.instance
    rule = error.validator
    if rule == "additionalProperties" and isinstance(value, dict):
        known = list(_mapping(error.schema).get("properties", {}))
        extra = [key for key in value if key not in known]
        return [doc.problem((*path, key), f"unknown field {key!r}{suggest(key, known)}", key=True) for key in extra]
    if rule == "required" and isinstance(value, dict):
        missing = [name for name in _items(error.validator_value) if name not in value]
        return [doc.problem(path, f"missing required field {name!r}") for name in missing]
    if "propertyNames" in error.schema_path and rule != "propertyNames":
        key = str(value)
        return [doc.problem((*path, key), f"invalid key {key!r}: {_detail(error)}", key=True)]
    if rule == "propertyNames":
        inner = best_match(error.context) if error.context else None
        key = str(inner.instance) if inner is not None else str(value)
        detail = _detail(inner) if inner is not None else "invalid name"
        return [doc.problem((*path, key), f"invalid key {key!r}: {detail}", key=True)]
    if rule == "oneOf" and error.context:
        if "secretsManager" in json.dumps(error.schema):
            shape = "must be {secretsManager: <full secret ARN>, field: <json key>} or {ssmParameter: /name}"
            inner = best_match(error.context)
            inner_path: FieldPath = (*base, *inner.absolute_path)
            return [doc.problem(inner_path, f"{shape}: {_detail(inner)}")]
        inner = best_match(error.context)
        return _problems(doc, base, inner)
    if rule == "enum" and isinstance(value, str):
        options = [str(o) for o in _items(error.validator_value)]
        return [doc.problem(path, f"{value!r} is not one of {', '.join(options)}{suggest(value, options)}")]
    return [doc.problem(path, _detail(error))]


def _detail(error: ValidationError) -> str:
    value = error.instance
    rule = error.validator
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if rule == "type":
        return f"must be of type {error.validator_value}, got {_yaml_type(value)}" + (
            "; quote the value so it arrives exactly as written" if error.validator_value == "string" else ""
        )
    if rule == "pattern":
        return f"{shown} does not match the required pattern {error.validator_value}"
    if rule == "minimum":
        return f"must be at least {error.validator_value}, got {shown}"
    if rule == "maximum":
        return f"must be at most {error.validator_value}, got {shown}"
    if rule == "enum":
        return f"{shown} is not one of {', '.join(str(o) for o in _items(error.validator_value))}"
    if rule == "const":
        return f"must be {error.validator_value!r}, got {shown}"
    if rule == "minItems":
        return f"must list at least {error.validator_value} item(s)"
    if rule == "uniqueItems":
        return "items must be unique"
    if rule == "maxLength":
        return f"must be at most {error.validator_value} characters long"
    if rule == "minLength":
        return f"must be at least {error.validator_value} characters long"
    if rule == "minProperties":
        return f"must have at least {error.validator_value} entries"
    return error.message


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _yaml_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__
