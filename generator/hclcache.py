"""Local values of a module file: the tables validation and `explain` read from the modules (the
alarm defaults, the deployment alarm keys, the instance memory table).

generator/hclscan.py reads a literal local in about a millisecond. A file it cannot read goes to
python-hcl2 (about 0.2 s to import, tens of milliseconds per file), and the merged `locals` it
finds are kept on disk by the sha256 of the file's content (the result depends on nothing else),
next to the other caches. Both give strings without their quotes.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from generator import cachedir, hclscan

CACHE_VERSION = 2  # 2: strings without python-hcl2's quotes, as hclscan gives them
_LOCALS = cachedir.ByContent(f"hcl-locals-v{CACHE_VERSION}.json")


@cache
def local_value(path: Path, name: str) -> Any:
    """The value of ``local.<name>`` as defined in ``path`` (None when the file does not define it)."""
    raw = path.read_bytes()
    try:
        return hclscan.local_value(raw.decode("utf-8"), name)
    except (hclscan.Unsupported, UnicodeDecodeError):
        found: dict[str, Any] = _LOCALS.get(raw, lambda: _parse(raw.decode("utf-8")))
        return found.get(name)


def _parse(text: str) -> dict[str, Any]:
    import hcl2

    parsed: dict[str, Any] = hcl2.loads(text)
    merged: dict[str, Any] = {}
    for block in parsed.get("locals", []):
        merged.update(block)
    # what the disk gives back (JSON, strings unquoted as hclscan gives them), on the first read too
    copied: dict[str, Any] = hclscan.unquoted(json.loads(json.dumps(merged)))
    return copied
