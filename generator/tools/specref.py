"""docs/spec-reference.md: every field of every input file, generated from the JSON Schemas.

``infragen docs`` writes it (``--check`` reports it stale), so the reference cannot drift from
what validation accepts. One table per file kind, then one per datastore kind."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from generator.render.jinja import render
from generator.spec import schema as schemas

PATH = "docs/spec-reference.md"
FILES = (
    ("service", "services/<name>/service.yaml"),
    ("environment", "services/<name>/environments/<env>.yaml"),
    ("account", "accounts/<env>/account.yaml"),
    ("teams", "teams.yaml"),
    ("infragen", "infragen.yaml"),
    ("channels", "modules/channels.yaml"),
)


@dataclass(frozen=True)
class Field:
    path: str
    type: str
    required: bool
    rules: str  # enum, pattern, bounds, default
    description: str


@dataclass(frozen=True)
class Section:
    title: str
    file: str
    description: str
    fields: tuple[Field, ...]


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target: dict[str, Any] = root["$defs"][ref.removeprefix("#/$defs/")]
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _type(node: dict[str, Any], root: dict[str, Any]) -> str:
    node = _resolve(node, root)
    if "const" in node:
        return json.dumps(node["const"])
    if "enum" in node:
        return " | ".join(json.dumps(v) for v in node["enum"])
    for key in ("oneOf", "anyOf"):
        if key in node:
            return " or ".join(dict.fromkeys(_type(n, root) for n in node[key]))
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if kind == "array":
        items = node.get("items")
        return f"list of {_type(items, root)}" if isinstance(items, dict) else "list"
    if kind == "object" and "properties" not in node and isinstance(node.get("additionalProperties"), dict):
        return f"map of {_type(node['additionalProperties'], root)}"
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return str(kind or "any")


def _rules(node: dict[str, Any]) -> str:
    parts = []
    if "pattern" in node:
        parts.append(f"pattern `{node['pattern']}`")
    for key, word in (("minimum", "min"), ("maximum", "max"), ("minLength", "min length"), ("maxLength", "max length"),
                      ("minItems", "min items"), ("maxItems", "max items")):  # fmt: skip
        if key in node:
            parts.append(f"{word} {node[key]}")
    if "default" in node:
        parts.append(f"default `{json.dumps(node['default'])}`")
    names = node.get("propertyNames")
    if isinstance(names, dict) and "pattern" in names:
        parts.append(f"keys match `{names['pattern']}`")
    return ", ".join(parts)


def _walk(node: dict[str, Any], root: dict[str, Any], path: str, required: bool, out: list[Field]) -> None:
    node = _resolve(node, root)
    if path:
        out.append(Field(path, _type(node, root), required, _rules(node), str(node.get("description", ""))))
    props = node.get("properties")
    if isinstance(props, dict):
        needed = set(node.get("required") or [])
        for name, child in props.items():
            if isinstance(child, dict):
                _walk(child, root, f"{path}.{name}" if path else name, name in needed, out)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and isinstance(_resolve(extra, root).get("properties"), dict):
        _walk(extra, root, f"{path}.<name>", False, out)
    items = node.get("items")
    if isinstance(items, dict) and isinstance(_resolve(items, root).get("properties"), dict):
        _walk(items, root, f"{path}[]", False, out)
    for key in ("oneOf", "anyOf"):
        for option in node.get(key) or []:
            if isinstance(option, dict) and isinstance(_resolve(option, root).get("properties"), dict):
                sub: list[Field] = []
                _walk({**option, "description": ""}, root, "", False, sub)
                out.extend(Field(f"{path}.{f.path}", f.type, f.required, f.rules, f.description) for f in sub)


def sections() -> list[Section]:
    result = []
    for kind, file in FILES:
        root = schemas.schema(kind)  # type: ignore[arg-type]
        fields: list[Field] = []
        _walk(root, root, "", True, fields)
        result.append(Section(kind, file, str(root.get("description", "")), tuple(fields)))
    service = schemas.schema("service")
    for name, definition in service.get("$defs", {}).items():
        if name == "resource" or not isinstance(definition.get("properties"), dict):
            continue
        fields = []
        _walk(definition, service, "", True, fields)
        title = f"datastore kind: {name}"
        result.append(
            Section(title, "service.yaml resources.<name>", str(definition.get("description", "")), tuple(fields))
        )
    return result


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference() -> str:
    rows = [
        (
            s.title,
            s.file,
            _cell(s.description),
            [
                (f.path, _cell(f.type), "yes" if f.required else "", _cell(f.rules), _cell(f.description))
                for f in s.fields
            ],
        )
        for s in sections()
    ]
    return render("spec-reference.md.j2", sections=rows)
