"""Parse a YAML file once, keeping the line and column of every node."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem, SpecError

FieldPath = tuple[str | int, ...]


def dotted(path: FieldPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Document:
    """A parsed YAML document and the position of each value and key in it."""

    file: str  # path relative to the repository root, as shown to users
    data: Any
    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def problem(self, path: FieldPath, message: str, *, key: bool = False) -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.file, line, column, dotted(path), message)


def parse(text: str, file: str) -> Document:
    """Parse one YAML document. Raises :class:`SpecError` with the position of a syntax error."""
    if "\x00" in text:
        raise SpecError([Problem(file, 1, 1, "", "file contains a NUL byte; YAML files must be text")])
    if yaml.__with_libyaml__ and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:  # libyaml parses about ten times faster: the bulk of loading a large repository
            return _parse(text, file, yaml.CSafeLoader)
        except SpecError:
            pass  # the reference loader below reports the problems, in its own words
    return _parse(text, file, yaml.SafeLoader)


def _parse(text: str, file: str, loader_class: type[yaml.SafeLoader] | type[yaml.CSafeLoader]) -> Document:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        values: dict[FieldPath, tuple[int, int]] = {}
        keys: dict[FieldPath, tuple[int, int]] = {}
        problems: list[Problem] = []
        if node is not None:
            _walk(node, (), values, keys, problems, file, set())
        if problems:
            raise SpecError(problems)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = exc.problem or exc.context or "invalid YAML"
        raise SpecError([Problem(file, line, column, "", yaml_message(detail))]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(file, 1, 1, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return Document(file=file, data=data, values=values, keys=keys)


YAML_MESSAGES = (
    ("found character '\\t' that cannot start any token", "tabs are not allowed in YAML: indent with spaces"),
    (
        "mapping values are not allowed here",
        "unexpected ':' here: this line is indented deeper than the key above it (line it up with its "
        "siblings), or a value contains ': ' (quote the value)",
    ),
    (
        "expected <block end>, but found '<block mapping start>'",
        "bad indentation: this line is indented differently from the keys before it; keys of one mapping "
        "start in the same column (indent with 2 spaces per level)",
    ),
    (
        "expected <block end>, but found '<block sequence start>'",
        "bad indentation: a list item ('- ') is indented differently from the items before it",
    ),
    (
        "could not find expected ':'",
        "a key needs ': ' after it; if this line continues a value, quote the value or indent it further",
    ),
    ("did not find expected key", "bad indentation or a stray character: keys of one mapping start in the same column"),
    ("found unexpected end of stream", "a quoted string is not closed"),
    ("expected ',' or ']'", "a [list] is not closed with ']' (or an item is missing its ',')"),
    ("expected ',' or '}'", "a {mapping} is not closed with '}' (or an entry is missing its ',')"),
)


def yaml_message(detail: str) -> str:
    """PyYAML's problem text in words a spec author can act on."""
    for raw, words in YAML_MESSAGES:
        if raw in detail:
            return words
    return f"invalid YAML: {detail}"


def load(path: Path, root: Path) -> Document:
    file = path.relative_to(root).as_posix()
    return parse_bytes(read(path, file), file)


def read(path: str | Path, file: str) -> bytes:
    """The bytes of input ``file`` (repository-relative) at ``path``: a regular file reached through
    no symbolic link below the repository. Atlantis's gate reads a pull request's checkout before
    any review, and a link would have it read a file of the server (its keys would be quoted in the
    messages) or a device (/dev/zero: read until memory runs out)."""
    text = os.fspath(path)
    parts = file.split("/")
    if text.endswith(file) and text[: len(text) - len(file)].endswith(os.sep):
        base = text[: len(text) - len(file)]
        for depth in range(1, len(parts)):  # the folders; the file itself: O_NOFOLLOW below
            if os.path.islink(base + os.sep.join(parts[:depth])):
                where = "/".join(parts[:depth])
                raise SpecError([Problem(file, 1, 1, "", f"is a symbolic link ({where}): {_PLAIN_FILES}")])
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SpecError([Problem(file, 1, 1, "", f"is a symbolic link: {_PLAIN_FILES}")]) from None
        raise SpecError([Problem(file, 1, 1, "", f"cannot read file: {exc.strerror}")]) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SpecError([Problem(file, 1, 1, "", f"is not a regular file: {_PLAIN_FILES}")])
        try:
            return handle.read()
        except OSError as exc:
            raise SpecError([Problem(file, 1, 1, "", f"cannot read file: {exc.strerror}")]) from None


_PLAIN_FILES = "input files are plain files of the repository; commit the file itself"


def parse_bytes(raw: bytes, file: str) -> Document:
    """:func:`parse` of a file's bytes, refusing a byte-order mark and anything but UTF-8."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise SpecError([Problem(file, 1, 1, "", "file starts with a byte-order mark; save it as UTF-8 without BOM")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError([Problem(file, 1, 1, "", f"file is not valid UTF-8 (byte {exc.start})")]) from None
    return parse(text, file)


def _walk(
    node: yaml.Node,
    path: FieldPath,
    values: dict[FieldPath, tuple[int, int]],
    keys: dict[FieldPath, tuple[int, int]],
    problems: list[Problem],
    file: str,
    walked: set[int],
) -> None:
    """Every value's and key's position. A node met twice is an alias (``*name``): refused, since
    each alias of an alias multiplies the values (a 1 kB file of nine levels held a billion)."""
    walked.add(id(node))
    values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                problems.append(Problem(file, *position, dotted(path), f"keys must be strings, got {key_node.value!r}"))
                continue
            key = str(key_node.value)
            if key in seen:
                line, column = keys[(*path, key)]
                problems.append(
                    Problem(
                        file,
                        *position,
                        dotted((*path, key)),
                        f"duplicate key {key!r}: the first {key!r} is at {file}:{line}:{column}; "
                        "a mapping holds each key once, so merge the two",
                    )
                )
                continue
            seen.add(key)
            keys[(*path, key)] = position
            if id(value_node) in walked:
                problems.append(Problem(file, *position, dotted((*path, key)), _ALIAS))
                continue
            _walk(value_node, (*path, key), values, keys, problems, file, walked)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            if id(item) in walked:
                # an alias's node is the anchored one, marked where the anchor is: point at the list
                line, column = node.start_mark.line + 1, node.start_mark.column + 1
                problems.append(Problem(file, line, column, dotted((*path, index)), _ALIAS))
                continue
            _walk(item, (*path, index), values, keys, problems, file, walked)


_ALIAS = "a YAML alias (*name) repeats a value written elsewhere; write the value out here"
