"""The generator's own fingerprint: a digest of every file of the package and the Python version.

What the caches outside the repository are keyed by besides their inputs (the datastore kinds,
the schemas and the templates are all code of the package, so any edit of the generator is a
new fingerprint). A base module, so every stage can key a cache by it.
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache

from generator.package import PACKAGE


@cache
def package_digest() -> str:
    digest = hashlib.sha256(f"py{sys.version_info[:2]}".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file() or path.suffix == ".pyc":
            continue
        digest.update(f"\0{path.relative_to(PACKAGE).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
