"""A small reader of HCL's native syntax for the two facts the generator takes from module files:
the ``source`` of each top-level ``module`` block, and the literal value of a named local.

python-hcl2 parses whole files with a general LALR parser: about 45 ms per module file and 0.2 s
to import, so a run with an empty cache (CI on a fresh clone, a new Atlantis checkout) spent two
seconds reading the modules before generating anything. This reader tokenizes a file in one pass
(comments, quoted templates with nested interpolations, heredocs, brackets) and reads the block
structure; expressions it is not asked about are skipped by their brackets, never evaluated.

It reads what HCL specifies (hashicorp/hcl, hclsyntax/spec.md): an attribute ends at a newline
outside brackets, a block is ``type labels* { body }``, an object's items are separated by newlines
or commas, its keys are identifiers or strings. A value the reader is asked for that is not a
literal (a reference, a function call, an operator, an interpolated string) raises
:class:`Unsupported`, and so does anything it cannot tokenize: the callers fall back to python-hcl2
for that file, so an unusual file costs time, never a wrong answer. tests/test_hclscan.py compares
both readers on every file of the shipped modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class Unsupported(ValueError):
    """This reader cannot answer for this file (python-hcl2 can)."""


@dataclass(frozen=True)
class Token:
    kind: str  # "ident", "number", "string" (a quoted template), "heredoc", "nl", or the punctuation itself
    text: str
    value: str | None = None  # a string without interpolation: its value


_SPACE = re.compile(r"[ \t\r]+|#[^\n]*|//[^\n]*|/\*.*?\*/", re.S)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n")
_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "=>", "...")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
OPEN = {"{": "}", "[": "]", "(": ")"}


def tokens(text: str) -> list[Token]:
    """The tokens of a file; comments and spaces dropped, newlines kept (they end attributes)."""
    result: list[Token] = []
    pos, end = 0, len(text)
    while pos < end:
        space = _SPACE.match(text, pos)
        if space:
            pos = space.end()
            continue
        char = text[pos]
        if char == "\n":
            result.append(Token("nl", "\n"))
            pos += 1
        elif char == '"':
            pos = _string(text, pos, result)
        elif char == "<" and text.startswith("<<", pos):
            heredoc = _HEREDOC.match(text, pos)
            if heredoc is None:
                raise Unsupported(f"'<<' without a heredoc at offset {pos}")
            closing = re.compile(rf"^[ \t]*{re.escape(heredoc.group(2))}[ \t]*\r?$", re.M)
            found = closing.search(text, heredoc.end())
            if found is None:
                raise Unsupported(f"heredoc {heredoc.group(2)} is not closed")
            result.append(Token("heredoc", text[pos : found.end()]))
            pos = found.end()
        elif (ident := _IDENT.match(text, pos)) is not None:
            result.append(Token("ident", ident.group()))
            pos = ident.end()
        elif (number := _NUMBER.match(text, pos)) is not None:
            result.append(Token("number", number.group()))
            pos = number.end()
        else:
            operator = next((op for op in _OPERATORS if text.startswith(op, pos)), char)
            result.append(Token(operator, operator))
            pos += len(operator)
    return result


def _string(text: str, pos: int, out: list[Token]) -> int:
    """A quoted template from its opening quote: one token, with its value when it has no
    interpolation. Nested templates inside ``${ }`` and ``%{ }`` are skipped by their braces."""
    start, pos = pos, pos + 1
    value: list[str] | None = []
    while True:
        if pos >= len(text) or text[pos] == "\n":
            raise Unsupported(f"unterminated string at offset {start}")
        char = text[pos]
        if char == '"':
            pos += 1
            break
        if char == "\\":
            escaped = text[pos + 1 : pos + 2]
            if escaped in _ESCAPES:
                if value is not None:
                    value.append(_ESCAPES[escaped])
                pos += 2
                continue
            raise Unsupported(f"escape \\{escaped} at offset {pos}")  # \uNNNN and friends: python-hcl2
        if char in "$%" and text.startswith(char * 2 + "{", pos):  # $${ and %%{ are literal
            if value is not None:
                value.append(char + "{")
            pos += 3
            continue
        if char in "$%" and text.startswith(char + "{", pos):
            value = None
            pos = _skip_interpolation(text, pos + 2)
            continue
        if value is not None:
            value.append(char)
        pos += 1
    token_text = text[start:pos]
    out.append(Token("string", token_text, "".join(value) if value is not None else None))
    return pos


def _skip_interpolation(text: str, pos: int) -> int:
    """From just after ``${``: the offset after its closing brace (nested strings and braces)."""
    depth = 1
    while depth:
        if pos >= len(text):
            raise Unsupported("unterminated interpolation")
        char = text[pos]
        if char == '"':
            scratch: list[Token] = []
            pos = _string(text, pos, scratch)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        pos += 1
    return pos


@dataclass(frozen=True)
class Attribute:
    name: str
    value: tuple[Token, ...]  # the expression's tokens, newlines inside brackets included


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    attributes: tuple[Attribute, ...]
    blocks: tuple[Block, ...]


def parse(text: str) -> Block:
    """The file's body as a block (type ``""``): attributes and nested blocks, expressions unread."""
    items = tokens(text)
    body, pos = _body(items, 0, top=True)
    if pos != len(items):
        raise Unsupported("unexpected '}' at the top level")
    return body


def _body(items: list[Token], pos: int, *, top: bool) -> tuple[Block, int]:
    attributes: list[Attribute] = []
    blocks: list[Block] = []
    while pos < len(items):
        token = items[pos]
        if token.kind == "nl":
            pos += 1
            continue
        if token.kind == "}":
            if top:
                raise Unsupported("unexpected '}'")
            return Block("", (), tuple(attributes), tuple(blocks)), pos
        if token.kind != "ident":
            raise Unsupported(f"expected an attribute or a block, found {token.text!r}")
        following = items[pos + 1] if pos + 1 < len(items) else None
        if following is not None and following.kind == "=":
            value, pos = _expression(items, pos + 2)
            attributes.append(Attribute(token.text, value))
            continue
        labels: list[str] = []
        pos += 1
        while pos < len(items) and items[pos].kind in ("string", "ident"):
            label = items[pos]
            if label.kind == "string" and label.value is None:
                raise Unsupported("a block label with an interpolation")
            labels.append(label.value if label.value is not None else label.text)
            pos += 1
        if pos >= len(items) or items[pos].kind != "{":
            raise Unsupported(f"block {token.text!r} without its '{{'")
        inner, pos = _body(items, pos + 1, top=False)
        if pos >= len(items) or items[pos].kind != "}":
            raise Unsupported(f"block {token.text!r} is not closed")
        blocks.append(Block(token.text, tuple(labels), inner.attributes, inner.blocks))
        pos += 1
    if not top:
        raise Unsupported("a block is not closed")
    return Block("", (), tuple(attributes), tuple(blocks)), pos


def _expression(items: list[Token], pos: int) -> tuple[tuple[Token, ...], int]:
    """An attribute's expression: up to a newline outside brackets, or the body's closing brace."""
    start, closers = pos, []
    while pos < len(items):
        kind = items[pos].kind
        if kind in OPEN:
            closers.append(OPEN[kind])
        elif kind in ("}", "]", ")"):
            if not closers:
                if kind == "}":
                    break  # `name = value }` on one line: the body ends here
                raise Unsupported(f"unbalanced {kind!r}")
            if closers.pop() != kind:
                raise Unsupported(f"unbalanced {kind!r}")
        elif kind == "nl" and not closers:
            break
        pos += 1
    if closers:
        raise Unsupported("an expression is not closed")
    value = tuple(items[start:pos])
    if not value:
        raise Unsupported("an attribute without a value")
    return value, pos


def module_sources(text: str) -> list[str]:
    """The literal ``source`` of every top-level ``module`` block, in file order."""
    found = []
    for block in parse(text).blocks:
        if block.type != "module":
            continue
        for attribute in block.attributes:
            if attribute.name == "source":
                found.append(literal(attribute.value))
    return [s for s in found if isinstance(s, str)]


def local_value(text: str, name: str) -> Any:
    """The literal value of ``local.<name>`` (None when no ``locals`` block of the file defines it)."""
    for block in parse(text).blocks:
        if block.type == "locals":
            for attribute in block.attributes:
                if attribute.name == name:
                    return literal(attribute.value)
    return None


def literal(value: tuple[Token, ...]) -> Any:
    """A literal expression: strings without interpolation, numbers, true/false/null, objects and
    tuples of literals. Anything else raises Unsupported."""
    result, pos = _literal(value, _skip_nl(value, 0))
    if _skip_nl(value, pos) != len(value):
        raise Unsupported("not a literal: an operator or a call follows a value")
    return result


def _skip_nl(items: tuple[Token, ...], pos: int) -> int:
    while pos < len(items) and items[pos].kind == "nl":
        pos += 1
    return pos


def _literal(items: tuple[Token, ...], pos: int) -> tuple[Any, int]:
    if pos >= len(items):
        raise Unsupported("a value is missing")
    token = items[pos]
    if token.kind == "string":
        if token.value is None:
            raise Unsupported("an interpolated string is not a literal")
        return token.value, pos + 1
    if token.kind == "number":
        number = float(token.text) if any(c in token.text for c in ".eE") else int(token.text)
        return number, pos + 1
    if token.kind == "-" and pos + 1 < len(items) and items[pos + 1].kind == "number":
        inner, after = _literal(items, pos + 1)
        return -inner, after
    if token.kind == "ident" and token.text in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[token.text], pos + 1
    if token.kind == "[":
        values: list[Any] = []
        pos = _skip_nl(items, pos + 1)
        while items[pos].kind != "]":
            item, pos = _literal(items, pos)
            values.append(item)
            pos = _skip_nl(items, pos)
            if items[pos].kind == ",":
                pos = _skip_nl(items, pos + 1)
            elif items[pos].kind != "]":
                raise Unsupported("not a literal tuple")
        return values, pos + 1
    if token.kind == "{":
        mapping: dict[str, Any] = {}
        pos = _skip_nl(items, pos + 1)
        while items[pos].kind != "}":
            key = items[pos]
            if key.kind == "ident":
                name = key.text
            elif key.kind == "string" and key.value is not None:
                name = key.value
            else:
                raise Unsupported("not a literal object key")
            if items[pos + 1].kind not in ("=", ":"):
                raise Unsupported("not a literal object item")
            mapping[name], pos = _literal(items, pos + 2)
            if items[pos].kind == ",":
                pos += 1
            elif items[pos].kind not in ("nl", "}"):
                raise Unsupported("not a literal object")
            pos = _skip_nl(items, pos)
        return mapping, pos + 1
    raise Unsupported(f"{token.text!r} is not a literal")


def unquoted(value: Any) -> Any:
    """A python-hcl2 value as this reader gives it: python-hcl2 8 keeps the quotes of string
    literals, labels and quoted keys; drop them, in nested lists and objects too."""
    if isinstance(value, dict):
        return {unquoted(k): unquoted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unquoted(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value
