"""The `locals` of a module file, parsed once per content.

Validation and `explain` read a few tables from module files (the alarm defaults, the instance
memory table): python-hcl2 costs about 0.2 s to import and tens of milliseconds per file, which
every `gen` would pay for files that rarely change. So the merged `locals` of a file are kept on
disk by the sha256 of its content (the result depends on nothing else), next to the other caches.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from generator import cachedir

CACHE_VERSION = 1
_LOCALS = cachedir.ByContent(f"hcl-locals-v{CACHE_VERSION}.json")


@cache
def locals_of(path: Path) -> dict[str, Any]:
    """Every local value defined in ``path`` (Terraform allows each name once per module)."""
    raw = path.read_bytes()
    found: dict[str, Any] = _LOCALS.get(raw, lambda: _parse(raw.decode("utf-8")))
    return found


def _parse(text: str) -> dict[str, Any]:
    import hcl2

    parsed: dict[str, Any] = hcl2.loads(text)
    merged: dict[str, Any] = {}
    for block in parsed.get("locals", []):
        merged.update(block)
    copied: dict[str, Any] = json.loads(json.dumps(merged))  # what the disk gives back, on the first read too
    return copied
