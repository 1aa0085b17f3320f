"""The only way a value reaches generated HCL.

- :func:`string` encodes text as an HCL quoted template that evaluates to exactly that text.
- :func:`ident` checks a generated identifier or block label against the ASCII rule.
- :func:`body` lays out attributes the way ``terraform fmt`` does, so output is fmt-clean as written.
- :class:`Document` / :class:`JsonEncode` print a JSON document (a task definition, an IAM policy)
  as a multi-line HCL object, keys in the lexical order ``jsonencode`` emits them, one value per
  line: a reviewer's diff of one changed value is one changed line.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
INDENT = "  "

_SIMPLE_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Categories written as \u escapes so that no invisible or line-breaking character is emitted raw.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn"})


class EncodingBug(AssertionError):
    """A value reached the encoder that validation should have rejected. Always a bug."""


def unrepresentable(text: str) -> str | None:
    """Why ``text`` cannot be a Terraform string, or None when it can."""
    for char in text:
        if char == "\x00":
            return "contains a NUL character, which Terraform strings cannot hold"
        if 0xD800 <= ord(char) <= 0xDFFF:
            return "contains a lone surrogate (invalid Unicode)"
    return None


# Printable ASCII other than " \ $ %: such text needs no escape (most values; the slow path dominated bench/).
_PLAIN = re.compile(r"[ !#&-\[\]-~]*")


# Quoted texts by text: 3,000 roots repeat the same few thousand values (actions, ports, names of
# kinds) in 570,000 scalars; bounded, so that a huge repository cannot grow it without end.
_QUOTED: dict[str, str] = {}
_QUOTED_MAX = 1 << 16


def _quote(text: str) -> str:
    """:func:`string`, remembered (the scalars of :func:`expr` and :func:`document`)."""
    found = _QUOTED.get(text)
    if found is None:
        found = f'"{text}"' if _PLAIN.fullmatch(text) else string(text)
        if len(_QUOTED) >= _QUOTED_MAX:
            _QUOTED.clear()
        _QUOTED[text] = found
    return found


def string(text: str) -> str:
    """Encode ``text`` as an HCL quoted string literal (template escapes included)."""
    if _PLAIN.fullmatch(text):
        return f'"{text}"'
    reason = unrepresentable(text)
    if reason is not None:
        raise EncodingBug(f"cannot encode {text!r}: {reason}")
    out = ['"']
    length = len(text)
    for index, char in enumerate(text):
        nxt = text[index + 1] if index + 1 < length else ""
        if char in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[char])
        elif char in "$%" and nxt == "{":
            out.append(char + char)
        elif unicodedata.category(char) in _ESCAPED_CATEGORIES:
            code = ord(char)
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def ident(name: str) -> str:
    """Return ``name`` if it is a safe ASCII identifier; raise otherwise (validation missed it)."""
    if not IDENT.fullmatch(name):
        raise EncodingBug(f"{name!r} is not a safe HCL identifier")
    return name


def label(name: str) -> str:
    """A quoted block label such as ``module "name"``; the name must be an identifier."""
    return f'"{ident(name)}"'


@dataclass(frozen=True)
class Raw:
    """An expression the generator built itself (a reference such as ``module.x.id``)."""

    expr: str


Json = str | int | bool | None | Sequence["Json"] | Mapping[str, "Json"]


@dataclass(frozen=True)
class Document:
    """A JSON document written as an HCL value (see :func:`document`)."""

    data: Json


@dataclass(frozen=True)
class JsonEncode:
    """``jsonencode(<document>)``: a string holding ``data`` as JSON, printed as reviewable HCL."""

    data: Json


Value = str | int | bool | None | Raw | Document | JsonEncode | Sequence["Value"] | Mapping[str, "Value"]


@dataclass(frozen=True)
class ObjectList(Raw):
    """A list of objects laid out one per line; ``items`` keeps the values (and their references)."""

    items: tuple[Value, ...]


def object_list(items: Sequence[Value]) -> ObjectList:
    """A list of objects, one object block per item, as terraform fmt lays it out (at depth 1)."""
    if not items:
        return ObjectList("[]", ())
    pad = INDENT
    parts = [pad + INDENT + expr(item, 2) for item in items]
    return ObjectList("[\n" + ",\n".join(parts) + ",\n" + pad + "]", tuple(items))


def expr(value: Value, depth: int = 0) -> str:
    """Render a value. Mappings become multi-line objects; sequences stay on one line."""
    text = _scalar_text(value)  # scalars first: this runs for every value of every generated file
    if text is not None:
        return text
    kind = type(value)  # the exact types first: Mapping and Sequence are slow ABC checks
    if kind is dict:
        assert isinstance(value, dict)
        return _object(value, depth)
    if kind is list or kind is tuple:
        assert isinstance(value, (list, tuple))
        return _sequence(value, depth)
    if isinstance(value, Raw):
        return value.expr
    if isinstance(value, Document):
        return document(value.data, depth)
    if isinstance(value, JsonEncode):
        return f"jsonencode({document(value.data, depth)})"
    if isinstance(value, Mapping):
        return _object(value, depth)
    assert isinstance(value, Sequence)
    return _sequence(value, depth)


def _object(value: Mapping[str, Value], depth: int) -> str:
    if not value:
        return "{}"
    return "{\n" + _fill(value.items(), depth + 1, None) + "\n" + INDENT * depth + "}"


def _sequence(value: Sequence[Value], depth: int) -> str:
    items = [expr(item, depth) for item in value]
    if any("\n" in item for item in items):
        raise EncodingBug("lists of multi-line values are not supported")
    return "[" + ", ".join(items) + "]"


_LOWER_IDENT = re.compile(r"[a-z_][a-z0-9_]*")


def body(attrs: Iterable[tuple[str, Value]], depth: int = 1, *, quote_keys: bool = False) -> str:
    """Attributes, one per line, with ``=`` aligned as ``terraform fmt`` aligns them.

    Consecutive single-line attributes form a group whose ``=`` signs line up; an attribute whose
    value spans several lines stands alone.
    """
    return _fill(attrs, depth, quote_keys)


def _fill(attrs: Iterable[tuple[str, Value]], depth: int, quote_keys: bool | None) -> str:
    """:func:`body` from its layout's stencil: the keys, which values span several lines, the
    depth and the key quoting (None: quoted unless every key is a lower-case identifier, as an
    object's) decide the layout, so it is made once per such shape (:func:`_body_stencil`) and each
    body only fills in its values' texts. The roots of one kind repeat a few hundred shapes."""
    keys: list[str] = []
    texts: list[str] = []
    multi: list[bool] = []
    for key, value in attrs:
        keys.append(key)
        text = _scalar_text(value)  # scalars first: most values, and never more than one line
        if text is None:
            text = expr(value, depth)
            multi.append("\n" in text)
        else:
            multi.append(False)
        texts.append(text)
    return _body_stencil(tuple(keys), tuple(multi), depth, quote_keys) % tuple(texts)


@functools.lru_cache(maxsize=8192)
def _body_stencil(keys: tuple[str, ...], multi: tuple[bool, ...], depth: int, quote_keys: bool | None) -> str:
    """A %-format of a body's layout (:func:`_aligned`): one %s per value, in order."""
    if quote_keys is None:
        quote_keys = not all(_LOWER_IDENT.fullmatch(key) for key in keys)
    names = [string(key) if quote_keys else ident(key) for key in keys]
    marks = ["\n" if spans else "" for spans in multi]  # _aligned reads only whether a value spans lines
    lines = _aligned(list(zip(names, marks, strict=True)), INDENT * depth)
    return "\n".join(line.removesuffix("\n").replace("%", "%%") + "%s" for line in lines)


def _body_reference(attrs: Sequence[tuple[str, Value]], depth: int = 1, *, quote_keys: bool = False) -> str:
    """:func:`body` laid out attribute by attribute, objects included (the reference its stencils
    are tested against)."""

    def text(value: Value) -> str:
        if isinstance(value, Mapping) and value:
            quote = not all(_LOWER_IDENT.fullmatch(key) for key in value)
            inner = _body_reference(list(value.items()), depth + 1, quote_keys=quote)
            return "{\n" + inner + "\n" + INDENT * depth + "}"
        return expr(value, depth)

    rendered = [(string(key) if quote_keys else ident(key), text(value)) for key, value in attrs]
    return "\n".join(_aligned(rendered, INDENT * depth))


def _aligned(rendered: list[tuple[str, str]], pad: str) -> list[str]:
    """``key = value`` lines as ``terraform fmt`` writes them: the ``=`` of consecutive single-line
    attributes line up; an attribute whose value spans several lines stands alone."""
    lines: list[str] = []
    start = 0  # the first attribute of the current group of single-line ones
    for index, (key, value) in enumerate(rendered):
        if "\n" in value:
            if start < index:
                _group(lines, rendered[start:index], pad)
            lines.append(f"{pad}{key} = {value}")
            start = index + 1
    if start < len(rendered):
        _group(lines, rendered[start:] if start else rendered, pad)
    return lines


def _group(lines: list[str], group: list[tuple[str, str]], pad: str) -> None:
    """Consecutive single-line attributes, their ``=`` signs lined up."""
    width = max([len(k) for k, _ in group])
    lines.extend([f"{pad}{k.ljust(width)} = {v}" for k, v in group])


# Words an object key cannot be written bare: HCL would read them as literals or a for expression.
_KEYWORDS = frozenset({"true", "false", "null", "for", "in", "if"})
_BARE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=4096)
def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) and name not in _KEYWORDS else string(name)


_SCALARS = frozenset({str, int, bool, type(None)})


def _scalar(value: Json) -> bool:
    return type(value) in _SCALARS or isinstance(value, (str, int, bool))


def document(data: Json, depth: int = 0) -> str:
    """``data`` (JSON: objects, arrays, strings, integers, booleans, null) as an HCL value that
    ``jsonencode`` turns back into the same JSON.

    Object keys are sorted (``jsonencode`` emits them in that order), one attribute per line with
    ``=`` aligned as ``terraform fmt`` aligns them; arrays of scalars stay on one line; other arrays
    hold one element per line, an object whose values are all scalars on a single line
    (``{ name = "X", value = "y" }``). So changing one value changes one line.
    """
    texts: list[str] = []
    try:
        shape = _shape(data, texts)
    except _Irregular:  # a Mapping or a str subclass, say: the general path
        return _document(data, depth)
    return _stencil(shape, depth) % tuple(texts)


# A document's shape: its keys and nesting with every scalar a slot. The documents of 3,000 roots
# come in a few dozen shapes (a deploy policy, a task definition's containers), so each shape is
# laid out once by :func:`_document` and each document only fills its slots: about twice as fast.
Shape = int | tuple[tuple[str, ...] | None, tuple["Shape", ...]]
_SLOT = 0  # the shape of a scalar
_MARK = "\x01"  # a scalar of a stencil: no key or text of a document carries it (see _shape)
_MARK_TEXT = string(_MARK)


class _Irregular(Exception):
    """A document :func:`_shape` leaves to the general path."""


def _shape(data: Any, texts: list[str]) -> Shape:
    """``data``'s shape, its scalars' HCL texts appended to ``texts`` in document order (the exact
    JSON types only: anything else is :class:`_Irregular`)."""
    kind = type(data)
    if kind is dict:
        order = tuple(data)
        keys = _SORTED.get(order)
        if keys is None:
            keys = _sorted_keys(order)
        items = [data[k] for k in keys]
    elif kind is list or kind is tuple:
        keys, items = None, data
    else:
        texts.append(_scalar_hcl(data))
        return _SLOT
    children: list[Shape] = []
    for item in items:  # scalars here, not in a call each: most of a document's values are scalars
        if type(item) is str:
            text = _QUOTED.get(item)
            texts.append(_quote(item) if text is None else text)
            children.append(_SLOT)
        else:
            children.append(_shape(item, texts))
    return (keys, tuple(children))


# A dict's keys in jsonencode's order, by their order in the dict: documents of one shape are
# built the same way, so a few hundred key orders stand for 190,000 dicts at 1,000 x 3.
_SORTED: dict[tuple[str, ...], tuple[str, ...]] = {}


def _sorted_keys(order: tuple[str, ...]) -> tuple[str, ...]:
    keys = tuple(sorted(order))
    if _MARK in "".join(keys):
        raise _Irregular
    if len(_SORTED) >= _QUOTED_MAX:
        _SORTED.clear()
    _SORTED[order] = keys
    return keys


def _scalar_hcl(data: Any) -> str:
    text = _scalar_text(data)
    if text is None:  # a Mapping or Sequence other than dict, list and tuple
        raise _Irregular
    return text


def _stand_in(shape: Shape) -> Json:
    """A document of ``shape`` whose every scalar is the mark."""
    if isinstance(shape, int):
        return _MARK
    keys, children = shape
    if keys is None:
        return [_stand_in(child) for child in children]
    return {key: _stand_in(child) for key, child in zip(keys, children, strict=True)}


@functools.lru_cache(maxsize=512)
def _stencil(shape: Shape, depth: int) -> str:
    """A %-format of ``shape`` laid out at ``depth``: one %s per scalar, in document order."""
    text = _document(_stand_in(shape), depth)
    stencil = text.replace("%", "%%").replace(_MARK_TEXT, "%s")
    if stencil % ((_MARK_TEXT,) * text.count(_MARK_TEXT)) != text:  # checked once per shape
        raise EncodingBug(f"no stencil for the shape {shape!r}")
    return stencil


def _document(data: Json, depth: int = 0) -> str:
    """:func:`document`, laid out node by node: the reference layout (and its general path)."""
    kind = type(data)
    if kind is str:
        return string(data)  # type: ignore[arg-type]
    if kind is dict or (kind is not list and kind is not tuple and isinstance(data, Mapping)):
        assert isinstance(data, Mapping)
        if not data:
            return "{}"
        rendered = [(_key(k), _member(data[k], depth + 1)) for k in sorted(data)]
        return "{\n" + "\n".join(_aligned(rendered, INDENT * (depth + 1))) + "\n" + INDENT * depth + "}"
    if kind is list or kind is tuple:
        assert isinstance(data, (list, tuple))
        if not data:
            return "[]"
        scalars = [_scalar_text(item) for item in data]
        if None not in scalars:
            return "[" + ", ".join(scalars) + "]"  # type: ignore[arg-type]
        pad = INDENT * (depth + 1)
        items = [_inline(item) if _flat(item) else _document(item, depth + 1) for item in data]
        return "[\n" + "".join(f"{pad}{item},\n" for item in items) + INDENT * depth + "]"
    if isinstance(data, bool) or data is None or isinstance(data, (int, str)):
        return expr(data)
    raise EncodingBug(f"not a JSON value of a document: {data!r}")


def _scalar_text(value: Value) -> str | None:
    """A scalar's HCL text, or None for anything else (:func:`expr` and :func:`document` ask
    first: most values are scalars). The exact types first, then their subclasses."""
    kind = type(value)
    if kind is str:
        text = _QUOTED.get(value)  # type: ignore[arg-type]
        return _quote(value) if text is None else text  # type: ignore[arg-type]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return string(value)
    return None


def _member(value: Json, depth: int) -> str:
    text = _scalar_text(value)
    return _document(value, depth) if text is None else text


def _flat(value: Json) -> bool:
    return (
        (type(value) is dict or isinstance(value, Mapping)) and bool(value) and all(_scalar(v) for v in value.values())
    )


def _inline(value: Json) -> str:
    assert isinstance(value, Mapping)
    return "{ " + ", ".join(f"{_key(k)} = {expr(value[k])}" for k in sorted(value)) + " }"
