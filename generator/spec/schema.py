"""JSON Schema validation of each input file, reported as positioned problems."""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from generator.datastores import REGISTRY, schemas
from generator.errors import Problem
from generator.spec import fastcheck
from generator.spec.document import Document, FieldPath

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

Kind = Literal["service", "environment", "account", "teams"]
KINDS: tuple[Kind, ...] = ("service", "environment", "account", "teams")

# The schemas ship inside the package (generator/spec/schemas/, package data of the wheel, which pip
# installs as files: read beside this module, without importlib.resources and the zipfile module it
# imports, 10 ms of every validating run); the repository's top-level `schemas` is a symlink to that
# folder so editors' `$schema=schemas/...` comments keep working.
_SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def committed_text(name: str) -> str:
    """The text of ``generator/spec/schemas/<name>.schema.json`` as committed."""
    return schema_path(name).read_text(encoding="utf-8")


def schema_path(name: str) -> Path:
    """The committed file (``make schemas`` rewrites the generated ones)."""
    return _SCHEMA_DIR / f"{name}.schema.json"


def schema_text(name: str) -> str:
    """The schema of an input kind (plus ``infragen``, the repo settings) as validation uses it:
    the service and environment schemas with their datastore parts from the registered kinds
    (generator/datastores/schemas.py), which equal the committed files for the built-in kinds."""
    return _generated_text(name, REGISTRY.version)


@cache
def _generated_text(name: str, version: int) -> str:
    text = committed_text(name)
    if name not in schemas.GENERATED:
        return text
    return schemas.dump(schemas.generate(name, json.loads(text)))


def refresh(*, write: bool) -> list[str]:
    """The generated schemas whose committed file differs; with ``write``, rewrite them."""
    stale = []
    for name in schemas.GENERATED:
        text = schema_text(name)
        if committed_text(name) != text:
            stale.append(name)
            if write:
                schema_path(name).write_text(text, encoding="utf-8")
    return stale


def schema(kind: Kind) -> dict[str, Any]:
    return _schema(kind, REGISTRY.version)


@cache
def _schema(kind: Kind, version: int) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Any:
    """ECMA-262 `pattern`: `$` matches only at the very end (Python's also matches before a final newline)."""
    from jsonschema.exceptions import ValidationError

    if isinstance(instance, str) and not re.search(fastcheck.ecma_pattern(pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _validator_class() -> Any:
    """jsonschema's 2020-12 validator with ECMA `pattern`. Imported on first use: a repository whose
    files are all valid never needs it (fastcheck answers), and it costs ~60 ms to import."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(Draft202012Validator, {"pattern": _pattern})  # type: ignore[no-untyped-call]


def make_validator(sub: dict[str, Any]) -> Any:
    return _validator_class()(sub)


def validator(kind: Kind) -> Any:
    return _validator(kind, REGISTRY.version)


@cache
def _validator(kind: Kind, version: int) -> Any:
    return make_validator(schema(kind))


def is_valid(data: Any, kind: Kind, sub: dict[str, Any] | None = None) -> bool:
    """Whether a file's data (or a part of it, against ``sub``) is valid, at compiled speed when
    fastjsonschema is there."""
    fast = fastcheck.checker(schema_text(kind) if sub is None else json.dumps(sub, sort_keys=True))
    if fast is not None:
        return fast(data)
    return bool((validator(kind) if sub is None else make_validator(sub)).is_valid(data))


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """`; did you mean 'x'?` when a choice is close to ``word``, else empty."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def known(word: str, choices: list[str] | tuple[str, ...] | set[str], noun: str, limit: int = 20) -> str:
    """:func:`suggest` followed by the choices: `; did you mean 'x'? (known services: a, b, c)`."""
    names = sorted(choices)
    shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
    return f"{suggest(word, names)} (known {noun}: {shown or 'none'})"


def check(doc: Document, kind: Kind, base: FieldPath = (), sub: dict[str, Any] | None = None) -> list[Problem]:
    """Validate ``doc.data`` (or a subtree at ``base`` against ``sub``) and return problems."""
    instance = doc.data
    for part in base:
        instance = instance[part]
    if is_valid(instance, kind, sub):
        return []  # the common case; only a file with problems pays for jsonschema's messages
    checker = validator(kind) if sub is None else make_validator(sub)
    problems: list[Problem] = []
    for error in checker.iter_errors(instance):
        problems.extend(_problems(doc, base, error))
    # a misspelt required key is one problem, not two: keep the did-you-mean, drop "missing required"
    typos = {
        (p.field.rpartition(".")[0], p.message.rpartition("did you mean ")[2][1:].split("'")[0])
        for p in problems
        if "did you mean" in p.message
    }
    return [
        p
        for p in problems
        if not (p.message.startswith("missing required field ") and (p.field, p.message.split("'")[1]) in typos)
    ]


def _problems(doc: Document, base: FieldPath, error: ValidationError) -> list[Problem]:
    path: FieldPath = (*base, *error.absolute_path)
    value = error.instance
    rule = error.validator
    if rule == "additionalProperties" and isinstance(value, dict):
        known = list(_mapping(error.schema).get("properties", {}))
        extra = [key for key in value if key not in known]
        return [doc.problem((*path, key), _unknown_field(doc, path, key, known), key=True) for key in extra]
    if rule == "required" and isinstance(value, dict):
        missing = [name for name in _items(error.validator_value) if name not in value]
        return [doc.problem(path, f"missing required field {name!r}") for name in missing]
    if "propertyNames" in error.schema_path and rule != "propertyNames":
        key = str(value)
        return [doc.problem((*path, key), f"invalid key {key!r}: {_detail(error)}", key=True)]
    if rule == "propertyNames":
        from jsonschema.exceptions import best_match

        inner = best_match(error.context) if error.context else None
        key = str(inner.instance) if inner is not None else str(value)
        detail = _detail(inner) if inner is not None else "invalid name"
        return [doc.problem((*path, key), f"invalid key {key!r}: {detail}", key=True)]
    if rule == "oneOf" and error.context:
        from jsonschema.exceptions import best_match

        if "secretsManager" in json.dumps(error.schema):
            shape = "must be {secretsManager: <full secret ARN>, field: <json key>} or {ssmParameter: /name}"
            if isinstance(value, dict) and "secretsManager" in value and "ssmParameter" in value:
                return [doc.problem(path, f"{shape}: use secretsManager or ssmParameter, not both")]
            # judge the value against the branch its own key names, not the closest-looking one
            chosen = [
                e
                for e in error.context
                if isinstance(value, dict)
                and all(k in value for k in _items(_mapping(e.schema).get("required")))
                and e.validator != "required"
            ]
            inner = best_match(chosen or error.context)
            inner_path: FieldPath = (*base, *inner.absolute_path)
            return [doc.problem(inner_path, f"{shape}: {_detail(inner)}")]
        inner = best_match(error.context)
        return _problems(doc, base, inner)
    if rule == "enum" and isinstance(value, str):
        options = [str(o) for o in _items(error.validator_value)]
        return [doc.problem(path, f"{value!r} is not one of {', '.join(options)}{suggest(value, options)}")]
    return [doc.problem(path, _detail(error))]


_LOWER_NAME = "lower-case letters, digits and '-', starting with a letter and not ending with '-'"
# What each schema pattern means, in words, with an example. A pattern not listed here is shown as is.
PATTERN_HINTS: dict[str, tuple[str, str]] = {
    "^[a-z][a-z0-9-]{1,30}[a-z0-9]$": (f"3 to 32 {_LOWER_NAME}", "order-history"),
    "^[a-z][a-z0-9-]{1,38}[a-z0-9]$": (f"3 to 40 {_LOWER_NAME}", "orders-db"),
    "^[a-z][a-z0-9-]{0,38}[a-z0-9]$": (f"2 to 40 {_LOWER_NAME}", "orders-db"),
    "^[a-z][a-z0-9]{1,15}$": ("2 to 16 lower-case letters and digits, starting with a letter", "staging"),
    "^[a-z0-9-]{1,64}$": ("1 to 64 lower-case letters, digits and '-'", "production"),
    "^[A-Za-z_][A-Za-z0-9_]{0,254}$": ("letters, digits and '_', not starting with a digit", "LOG_LEVEL"),
    "^[A-Za-z_][A-Za-z0-9_.-]{0,254}$": ("letters, digits, '_', '.' and '-', not starting with a digit", "order_id"),
    "^[0-9]{12}$": ("the 12-digit AWS account id, quoted", '"123456789012"'),
    "^[a-z]{2}(-gov)?-[a-z]+-[0-9]$": ("an AWS region", "eu-west-1"),
    "^Z[A-Z0-9]{1,31}$": ("a Route 53 hosted zone id", "Z0123456789ABCDEFGHIJ"),
    "^vpc-[0-9a-f]{8,17}$": ("a VPC id", "vpc-0a1b2c3d4e5f60001"),
    "^subnet-[0-9a-f]{8,17}$": ("a subnet id", "subnet-0a1b2c3d4e5f60011"),
    "^sg-[0-9a-f]{8,17}$": ("a security group id", "sg-0a1b2c3d4e5f60021"),
    "^@[A-Za-z0-9-]+(/[A-Za-z0-9._-]+)?$": ("a GitHub user or team", "@lemon/payments"),
    "^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$": ("a lower-case DNS name", "orders.example.com"),
    "^/[A-Za-z0-9._~/?&=%-]{0,254}$": ("a URL path starting with /", "/health"),
    "^/[A-Za-z0-9_.\\-/]{1,1010}$": ("an SSM parameter name starting with /", "/orders/api-token"),
    "^db\\.[a-z0-9]+\\.[a-z0-9]+$": ("an RDS instance class", "db.t4g.micro"),
    "^cache\\.[a-z0-9]+\\.[a-z0-9]+$": ("an ElastiCache node type", "cache.t4g.micro"),
    "^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$": (
        "a full Secrets Manager secret ARN",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/api-AbCdEf",
    ),
    "^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]+$": (
        "an ECS cluster ARN",
        "arn:aws:ecs:eu-west-1:123456789012:cluster/staging",
    ),
    "^[0-9]+(\\.[0-9]+){0,2}$": ("a version number", "16.4"),
    "^([7-9]|[1-9][0-9]+)(\\.[0-9]+){0,2}$": (
        "Redis 7 or later (its users authenticate with IAM, which ElastiCache supports from Redis 7.0)",
        "7.1",
    ),
}


_CLASS = re.compile(r"\[[^\]]*\](?:\{(\d+),(\d+)\})?")


def length_bounds(pattern: str) -> tuple[int, int] | None:
    """The shortest and longest match of a pattern made only of character classes (``^[a-z][a-z0-9-]{1,30}[a-z0-9]$``
    is 3 to 32), or None for any other pattern."""
    body = pattern.removeprefix("^").removesuffix("$")
    if not body or _CLASS.sub("", body):
        return None
    least = most = 0
    for match in _CLASS.finditer(body):
        least += int(match[1]) if match[1] else 1
        most += int(match[2]) if match[2] else 1
    return least, most


def _example(value: object, pattern: str, example: str) -> str:
    """An example close to what was typed when the pattern is a lower-case name, else the stock one."""
    if isinstance(value, str) and example.islower() and "-" in example and not _looks_secret(value):
        guess = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")
        guess = re.sub(r"-{2,}", "-", guess)
        if guess and re.fullmatch(pattern.rstrip("$").lstrip("^"), guess):
            return guess
    return example


def _unknown_field(doc: Document, path: FieldPath, key: str, known: list[str]) -> str:
    """`unknown field`, with where the key belongs when it belongs elsewhere, else a did-you-mean and
    the keys allowed at this place."""
    message = f"unknown field {key!r}"
    kind = _kind_of(doc.file)
    if kind is not None:
        homes = [p for p in _homes(schema(kind), key) if p != tuple(str(x) for x in path)]
        if homes:
            where = " or ".join(".".join(h) if h else "the top level" for h in homes[:2])
            return f"{message}: {key} belongs under {where}"
    hint = suggest(key, known)
    return f"{message}{hint}; allowed keys here: {', '.join(sorted(known))}" if known else message


def _kind_of(file: str) -> Kind | None:
    if file == "teams.yaml":
        return "teams"
    if file.endswith("account.yaml"):
        return "account"
    if file.endswith("service.yaml"):
        return "service"
    if "/environments/" in file:
        return "environment"
    return None


def _homes(
    node: dict[str, Any], key: str, at: tuple[str, ...] = (), root: dict[str, Any] | None = None
) -> list[tuple[str, ...]]:
    """Every fixed object path in a schema whose properties include ``key`` (refs followed, depth-limited)."""
    root = root if root is not None else node
    if len(at) > 4:
        return []
    if "$ref" in node and isinstance(node["$ref"], str) and node["$ref"].startswith("#/$defs/"):
        node = root.get("$defs", {}).get(node["$ref"].split("/")[-1], {})
    found: list[tuple[str, ...]] = []
    properties = _mapping(node.get("properties"))
    if key in properties:
        found.append(at)
    for name, sub in sorted(properties.items()):
        if isinstance(sub, dict):
            found.extend(_homes(sub, key, (*at, name), root))
    for combinator in ("oneOf", "anyOf", "allOf"):
        for sub in _items(node.get(combinator)):
            if isinstance(sub, dict):
                found.extend(_homes(sub, key, at, root))
    return list(dict.fromkeys(found))


def _detail(error: ValidationError) -> str:
    value = error.instance
    rule = error.validator
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if isinstance(value, str) and _looks_secret(value):
        shown = "the value (not shown: it looks like a credential)"
    if rule == "type":
        return f"must be of type {error.validator_value}, got {_yaml_type(value)}" + (
            "; quote the value so it arrives exactly as written" if error.validator_value == "string" else ""
        )
    if rule == "pattern":
        pattern = str(error.validator_value)
        if pattern in PATTERN_HINTS:
            words, example = PATTERN_HINTS[pattern]
            bounds = length_bounds(pattern)
            if isinstance(value, str) and bounds and not bounds[0] <= len(value) <= bounds[1]:
                least, most = bounds
                limit = f"at most {most}" if len(value) > most else f"at least {least}"
                return (
                    f"{shown} is {len(value)} characters long; {limit} are allowed here: write {words}, "
                    f"for example {_example(value, pattern, example)!r}"
                )
            return f"{shown} is not valid here: write {words}, for example {_example(value, pattern, example)!r}"
        return f"{shown} does not match the required pattern {pattern}"
    if rule == "additionalProperties" and isinstance(value, dict):
        known = sorted(_mapping(error.schema).get("properties", {}))
        extra = [key for key in value if key not in known]
        return f"unknown key {', '.join(map(repr, extra))}; allowed keys here: {', '.join(known)}"
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
    if rule == "maxProperties" and isinstance(value, dict):
        return f"has {len(value)} entries; at most {error.validator_value} are allowed here"
    if rule == "maxItems" and isinstance(value, list):
        return f"lists {len(value)} items; at most {error.validator_value} are allowed here"
    return error.message


def _looks_secret(value: str) -> bool:
    from generator.spec.secrets import value_kinds

    return bool(value_kinds(value))


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
