"""Module READMEs: the inputs/outputs tables between the terraform-docs markers.

Each module's ``README.md`` keeps its hand-written prose; only the text between
``<!-- BEGIN_TF_DOCS -->`` and ``<!-- END_TF_DOCS -->`` is rendered here, from ``variables.tf``
and ``outputs.tf`` (parsed with python-hcl2), in terraform-docs' markdown table layout.
"""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

from generator import hclscan
from generator.errors import ModuleDocsError
from generator.render.jinja import render

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"


@dataclass(frozen=True)
class Input:
    name: str
    description: str
    type: str
    default: str  # rendered, or "n/a" when required
    required: bool


@dataclass(frozen=True)
class Output:
    name: str
    description: str


@dataclass(frozen=True)
class DocsResult:
    stale: tuple[str, ...]  # READMEs whose tables changed (or would change, with check)
    skipped: tuple[str, ...]  # modules without a README.md or without the markers


def module_dirs(root: Path) -> list[Path]:
    """Every ``modules/<group>/<name>`` holding a ``variables.tf`` or ``outputs.tf``."""
    base = root / "modules"
    if not base.is_dir():
        return []
    found = {p.parent for name in ("variables.tf", "outputs.tf") for p in base.glob(f"*/*/{name}")}
    return sorted(found)


def _parse(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open(encoding="utf-8") as handle:
            parsed: dict[str, Any] = hcl2.load(handle)
    except Exception as exc:  # python-hcl2 raises lark errors of several kinds
        raise ModuleDocsError(f"{path}: cannot parse: {exc}") from exc
    return parsed


def _text(value: Any) -> str:
    """A description as plain text: quotes and heredoc markers removed, escapes decoded."""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        if inner.startswith("<<"):
            lines = inner.split("\n")[1:-1]
            return textwrap.dedent("\n".join(lines)).strip()
        try:
            decoded: str = json.loads(value)
        except ValueError:
            decoded = inner
        return decoded.replace("$${", "${").replace("%%{", "%{")
    return value


def _expr(value: Any) -> str:
    """A value as Terraform writes it: ``"text"``, ``8080``, ``true``, ``null``, ``{}``, ``[1, 2]``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return value  # python-hcl2 keeps string literals quoted
    if isinstance(value, list):
        return "[" + ", ".join(_expr(v) for v in value) + "]"
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if k != "__is_block__"]
        if not items:
            return "{}"
        return "{ " + ", ".join(f"{k} = {_expr(v)}" for k, v in items) + " }"
    return str(value)


def type_text(value: Any) -> str:
    """A variable's type as written in Terraform (``string``, ``map(string)``, ``object({...})``)."""
    if value is None:
        return "any"
    return _expr(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def inputs(module: Path) -> list[Input]:
    """Variables of every ``*.tf`` file (a module may link shared variables in from ``_shared/``)."""
    result = []
    blocks = [block for tf in sorted(module.glob("*.tf")) for block in _parse(tf).get("variable", [])]
    for block in blocks:
        for raw_name, body in block.items():
            required = "default" not in body
            result.append(
                Input(
                    name=str(hclscan.unquoted(raw_name)),
                    description=_text(body.get("description")),
                    type=type_text(body.get("type")),
                    default="n/a" if required else _expr(body["default"]),
                    required=required,
                )
            )
    return sorted(result, key=lambda i: i.name)


def outputs(module: Path) -> list[Output]:
    result = []
    for block in _parse(module / "outputs.tf").get("output", []):
        for raw_name, body in block.items():
            result.append(Output(name=str(hclscan.unquoted(raw_name)), description=_text(body.get("description"))))
    return sorted(result, key=lambda o: o.name)


def tables(module: Path) -> str:
    """The text between the markers (without them), starting and ending with a newline."""
    rows = [
        (
            i.name,
            _cell(i.description),
            f"`{_cell(i.type)}`",
            "n/a" if i.required else f"`{_cell(i.default)}`",
            "yes" if i.required else "no",
        )
        for i in inputs(module)
    ]
    outs = [(o.name, _cell(o.description)) for o in outputs(module)]
    return render("module-docs.md.j2", inputs=rows, outputs=outs)


def updated_readme(text: str, module: Path) -> str | None:
    """``text`` with its tables regenerated, or None when it has no BEGIN/END markers."""
    start = text.find(BEGIN)
    end = text.find(END, start + len(BEGIN)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return text[: start + len(BEGIN)] + "\n" + tables(module) + text[end:]


def run(root: Path, *, check: bool = False) -> DocsResult:
    """Regenerate every module README's tables; with ``check``, only report the stale ones."""
    stale: list[str] = []
    skipped: list[str] = []
    for module in module_dirs(root):
        readme = module / "README.md"
        rel = readme.relative_to(root).as_posix()
        if not readme.is_file():
            skipped.append(module.relative_to(root).as_posix())
            continue
        text = readme.read_text(encoding="utf-8")
        new = updated_readme(text, module)
        if new is None:
            skipped.append(rel)
            continue
        if new != text:
            stale.append(rel)
            if not check:
                tmp = readme.with_name(readme.name + ".infragen-tmp")
                with tmp.open("w", encoding="utf-8", newline="\n") as handle:
                    handle.write(new)
                os.replace(tmp, readme)
    if (root / "generator").is_dir() or (root / "docs").is_dir():
        _reference(root, check, stale)
    return DocsResult(stale=tuple(stale), skipped=tuple(skipped))


def _reference(root: Path, check: bool, stale: list[str]) -> None:
    """docs/spec-reference.md from the JSON Schemas (generator/tools/specref.py)."""
    from generator.tools.specref import PATH, reference

    target = root / PATH
    text = reference()
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return
    stale.append(PATH)
    if not check:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".infragen-tmp")
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
