"""The common case at compiled speed: is an input file valid against its schema, yes or no.

Most files of a repository are valid, and jsonschema's interpreter spends about 0.3 ms on each
(half of reading 2,000 files). fastjsonschema turns a schema into Python source that checks a
value in a tenth of that. It answers only valid or not: a file it rejects goes through jsonschema
(generator/spec/schema.py), whose errors make the positioned messages, so the messages are the
ones they always were. ``tests/test_fast_schema.py`` holds the two to the same verdicts.

The compiled code is kept in the user's cache folder by a digest of the schema, so a process
neither generates nor compiles it again. A cold run (CI on a fresh clone, a new Atlantis checkout)
still makes it, so the code is made small: without fastjsonschema's detailed exceptions, which
printed the schema itself into every `raise` (the service schema's code was 341,000 characters
and took 90 ms to generate and compile; now 102,000 and 21 ms).
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

CACHE_VERSION = 4  # 4: without detailed exceptions
Check = Callable[[Any], bool]


def prepared(node: Any) -> Any:
    """The schema as fastjsonschema is given it, with the same meaning:

    - each `pattern` made ECMA-262's: `$` matches only at the very end (as schema.py's jsonschema
      validator does; Python's `$` also matches before a final newline);
    - each `const` an `enum` of its one value, which JSON Schema defines as the same test
      (https://json-schema.org/draft/2020-12/json-schema-validation#section-6.1.3) and
      fastjsonschema compiles with the same comparison; its `const` cannot be compiled without
      detailed exceptions (its message asks for the schema's text)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("enum", "default", "examples"):
                out[key] = value  # data, not schema
            elif key == "const":
                pass  # below, once the node's own `enum` and `allOf` are known
            elif key == "pattern" and isinstance(value, str):
                out[key] = ecma_pattern(value)
            elif key in ("properties", "patternProperties", "$defs"):
                out[key] = {name: prepared(sub) for name, sub in value.items()}  # names, not keywords
            else:
                out[key] = prepared(value)
        if "const" in node:  # beside an `enum` of its own, both must hold
            if "enum" in out:
                out["allOf"] = [*out.get("allOf", []), {"enum": [node["const"]]}]
            else:
                out["enum"] = [node["const"]]
        return out
    if isinstance(node, list):
        return [prepared(item) for item in node]
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
    schema = prepared(json.loads(schema_text))
    schema.pop("$schema", None)  # fastjsonschema knows drafts 4-7; the keywords used are common to 2020-12
    text = json.dumps(schema, sort_keys=True)
    tag = f"v{CACHE_VERSION} fastjsonschema {fastjsonschema.VERSION} py{sys.version_info[:2]}\0{text}"
    path = _cache_dir() / f"{hashlib.sha256(tag.encode('utf-8')).hexdigest()[:32]}.marshal"
    code = None
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):  # missing or damaged: rebuilt
        code = marshal.loads(path.read_bytes())
    if code is None:
        # use_default=False: the check must not write the schema's defaults into the data it is given;
        # only the verdict is used (a rejected file's messages come from jsonschema): no detailed exceptions
        source = fastjsonschema.compile_to_code(schema, use_default=False, detailed_exceptions=False)
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
