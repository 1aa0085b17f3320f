"""A test-time copy of Consul wiring without the Consul provider: every ``consul_*`` resource or
data source becomes a built-in ``terraform_data`` resource whose ``input`` carries the same
arguments (nested blocks become lists of objects, ``dynamic`` blocks ``for`` expressions), and
every reference ``consul_x.name.attr`` becomes ``terraform_data.consul_x__name.output.attr``.

Terraform then checks what it can without the provider schema: the module calls, variable types
and validations, every expression and reference the arguments use, preconditions, and (in
``terraform test``) the values the arguments evaluate to. It does NOT check the arguments against
the Consul provider's schema (names, types, required arguments), computed attributes
(``.output.<computed>`` is an error here, ``.id`` is the terraform_data id), nor anything Consul
itself would do.
"""

from __future__ import annotations

import re
from pathlib import Path

META_ARGS = {"count", "for_each", "depends_on", "provider", "lifecycle"}
# Computed attributes the modules read, as the provider derives them from an argument
# (hashicorp/consul: a service's service_id defaults to its name).
COMPUTED = {"consul_service": {"service_id": "name"}}
HEADER = re.compile(r'^(\s*)(resource|data) "(consul_\w+)" "(\w+)" \{\s*$')
REF = re.compile(r'(?<![\w."])(data\.)?(consul_\w+)\.(\w+)((?:\[[^\]]*\])?)(?:\.(\w+))?')


def _depth(text: str) -> int:
    """Bracket depth change of ``text`` ignoring quoted strings."""
    depth, in_str, esc = 0, False, False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
    return depth


def _items(lines: list[str]) -> list[tuple[str, str, list[str]]]:
    """Top-level items of a block body: (kind, name, lines); kind is attr, block or dynamic."""
    items, i = [], 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")):
            i += 1
            continue
        m_dyn = re.match(r'^\s*dynamic\s+"(\w+)"\s*\{\s*$', line)
        m_blk = re.match(r"^\s*(\w+)\s*\{\s*$", line)
        m_attr = re.match(r"^\s*(\w+)\s*=", line)
        kind = "dynamic" if m_dyn else "block" if m_blk else "attr"
        name = (m_dyn or m_blk or m_attr).group(1) if (m_dyn or m_blk or m_attr) else ""
        assert name, f"cannot read line {line!r}"
        chunk, depth = [line], _depth(line)
        i += 1
        while depth > 0:
            chunk.append(lines[i])
            depth += _depth(lines[i])
            i += 1
        items.append((kind, name, chunk))
    return items


def _object(lines: list[str]) -> str:
    """An HCL object expression for a block body."""
    parts = []
    for kind, name, chunk in _items(lines):
        if kind == "attr":
            parts.append(chunk[0].strip() + ("\n" + "\n".join(chunk[1:]) if len(chunk) > 1 else ""))
        elif kind == "block":
            parts.append(f"{name} = [{_object(chunk[1:-1])}]")
        else:
            body = _items(chunk[1:-1])
            for_each = next(c for k, n, c in body if n == "for_each")
            expr = "\n".join(for_each).split("=", 1)[1].strip()
            content = next(c for k, n, c in body if n == "content")
            parts.append(
                f"{name} = [for {name} in [for k, v in ({expr}) : {{ key = k, value = v }}] : {_object(content[1:-1])}]"
            )
    return "{\n" + "\n".join(parts) + "\n}"


def _label(kind: str, rtype: str, name: str) -> str:
    return f"{'data_' if kind == 'data' else ''}{rtype}__{name}"


def _refs(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        data, rtype, name, index, attr = m.groups()
        base = f"terraform_data.{_label('data' if data else 'resource', rtype, name)}{index}"
        if attr is None:
            return base
        if attr == "id":
            return f"{base}.id"
        return f"{base}.output.{attr}"

    return REF.sub(repl, text)


def _strip_blocks(text: str, pattern: str) -> str:
    out, lines, i = [], text.splitlines(keepends=True), 0
    while i < len(lines):
        if re.match(pattern, lines[i]):
            depth = _depth(lines[i])
            i += 1
            while depth > 0:
                depth += _depth(lines[i])
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "".join(out)


def mock_text(text: str) -> str:
    """The Consul-free version of one .tf or .tftest.hcl file."""
    text = _strip_blocks(text, r'^\s*(mock_provider|provider) "consul"')
    text = _strip_blocks(text, r"^\s*consul\s*=\s*\{")
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        m = HEADER.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, kind, rtype, name = m.groups()
        body, depth = [], 1
        i += 1
        while True:
            depth += _depth(lines[i])
            if depth == 0:
                break
            body.append(lines[i])
            i += 1
        i += 1
        meta = [c for k, n, c in _items(body) if n in META_ARGS]
        items = _items(body)
        args = [line for k, n, c in items if n not in META_ARGS for line in c]
        present = {n for _, n, _ in items}
        for attr, source in COMPUTED.get(rtype, {}).items():
            if attr not in present:
                src = next("\n".join(c).split("=", 1)[1].strip() for _, n, c in items if n == source)
                args.append(f"{attr} = {src}")
        out.append(f'{indent}resource "terraform_data" "{_label(kind, rtype, name)}" {{')
        for chunk in meta:
            out.extend(chunk)
        out.append(f"{indent}  input = {_object(args)}")
        out.append(f"{indent}}}")
    return _refs("\n".join(out) + "\n")


def mock_tree(root: Path) -> list[Path]:
    """Rewrite every .tf / .tftest.hcl under ``root`` that mentions consul; return them."""
    changed = []
    for path in sorted([*root.rglob("*.tf"), *root.rglob("*.tftest.hcl")]):
        if ".terraform" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "consul" not in text:
            continue
        new = mock_text(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed
