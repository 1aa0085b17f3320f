"""Read a literal HCL value the generator printed (a ``jsonencode`` document) back into Python.

python-hcl2 keeps string literals quoted and escaped; a generated literal uses JSON's escapes plus
HCL's ``$${``/``%%{`` for template openers, so it decodes as JSON once those are undone."""

from __future__ import annotations

import json
from typing import Any

import hcl2


def decode(value: Any) -> Any:
    if isinstance(value, str):
        if not value.startswith('"'):
            raise AssertionError(f"not a literal: {value!r}")
        return json.loads(value.replace("$${", "${").replace("%%{", "%{"))
    if isinstance(value, dict):
        return {decode(k) if k.startswith('"') else k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def local_value(main_tf: str, name: str) -> Any:
    """The value of ``local.<name>`` in a generated main.tf."""
    (block,) = [b for b in hcl2.loads(main_tf)["locals"] if name in b]
    return decode(block[name])


def jsonencoded(text: str, after: str) -> Any:
    """The document of the first ``jsonencode(...)`` after ``after`` in ``text``."""
    start = text.index("jsonencode(", text.index(after)) + len("jsonencode(")
    depth, end = 0, start
    for end in range(start, len(text)):
        if text[end] in "{[":
            depth += 1
        elif text[end] in "}]":
            depth -= 1
            if depth == 0:
                break
    return decode(hcl2.loads(f"x = {text[start : end + 1]}\n")["x"])
