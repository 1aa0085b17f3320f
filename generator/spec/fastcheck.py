"""The common case at compiled speed: is an input file valid against its schema, yes or no.

Most files of a repository are valid, and jsonschema's interpreter spends about 0.3 ms on each
(half of reading 2,000 files). fastjsonschema turns a schema into Python source that checks a
value in a tenth of that. It answers only valid or not: a file it rejects goes through jsonschema
(generator/spec/schema.py), whose errors make the positioned messages, so the messages are the
ones they always were. ``tests/test_fast_schema.py`` holds the two to the same verdicts.

The compiled code is kept in the user's cache folder by a digest of the schema, so a process
neither generates nor compiles it again (generating and compiling the service schema's
250,000 characters cost about 70 ms, more than validating a thousand files).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from generator import cachedir

CACHE_VERSION = 3
Check = Callable[[Any], bool]


def ecma_patterns(node: Any) -> Any:
    """The schema with each `pattern` made ECMA-262's: `$` matches only at the very end (as
    schema.py's jsonschema validator does; Python's `$` also matches before a final newline)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("const", "enum", "default", "examples"):
                out[key] = value  # data, not schema
            elif key == "pattern" and isinstance(value, str):
                out[key] = ecma_pattern(value)
            elif key in ("properties", "patternProperties", "$defs"):
                out[key] = {name: ecma_patterns(sub) for name, sub in value.items()}  # names, not keywords
            else:
                out[key] = ecma_patterns(value)
        return out
    if isinstance(node, list):
        return [ecma_patterns(item) for item in node]
    return node


def ecma_pattern(pattern: str) -> str:
    """Each unescaped `$`: an anchor outside a character class becomes `\\Z` (the very end), a
    literal inside one becomes `\\$`. fastjsonschema would otherwise turn every `$` into `\\Z`,
    which is a bad escape inside a class such as `[A-Za-z$]`."""
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
            out.append(char)
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        elif char == "$":
            out.append("\\$" if in_class else "\\Z")
        else:
            out.append(char)
    return "".join(out)


def _cache_dir() -> Path:
    return cachedir.folder() / "validators"


@cache
def checker(schema_text: str) -> Check | None:
    """A function telling whether a value is valid against the schema, or None when
    fastjsonschema is not installed (then every file takes jsonschema's path)."""
    try:
        import fastjsonschema
    except ImportError:  # pragma: no cover - a runtime dependency; kept optional for the reference path
        return None
    schema = ecma_patterns(json.loads(schema_text))
    schema.pop("$schema", None)  # fastjsonschema knows drafts 4-7; the keywords used are common to 2020-12
    text = json.dumps(schema, sort_keys=True)
    tag = f"v{CACHE_VERSION} fastjsonschema {fastjsonschema.VERSION} py{sys.version_info[:2]}\0{text}"
    path = _cache_dir() / f"{hashlib.sha256(tag.encode('utf-8')).hexdigest()[:32]}.marshal"
    code = None
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):  # missing or damaged: rebuilt
        code = marshal.loads(path.read_bytes())
    if code is None:
        # use_default=False: the check must not write the schema's defaults into the data it is given
        source = fastjsonschema.compile_to_code(schema, use_default=False)
        code = compile(source, f"<schema {path.stem}>", "exec")
        cachedir.write_atomic(path, marshal.dumps(code))
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # code fastjsonschema generated from our own schema
    # one function per schema and $defs entry, named after the $id; the schema's own has the shortest name
    validate = namespace[min((name for name in namespace if name.startswith("validate")), key=len)]
    error = fastjsonschema.JsonSchemaException

    def check(value: Any) -> bool:
        try:
            validate(value)
        except error:
            return False
        return True

    return check
