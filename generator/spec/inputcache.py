"""Each input file parsed and validated once, ever: the valid documents of a repository, kept by
the sha256 of their bytes.

Reading a 1,000-service repository is parsing and schema-checking about 2,000 YAML files; almost
all of them are unchanged since the last run. This cache keeps, per file, the sha256 of its
bytes, the schema it passed and the parsed :class:`Document` (data and every position), so a
later run reads and hashes each file and parses only the ones whose bytes changed. It keeps only
files that passed their schema: a file with problems (of its schema, or of any rule across files,
such as a credential under `variables:`) is not kept, and is read again and reports them in full
every time. The rules across files (generator/spec/rules.py) run on every load, on the models.

It is keyed by the generator's fingerprint (generator/fingerprint.py): the schemas, the datastore
kinds and the parser are code of the package, so an edited generator starts an empty cache. One
file per repository path in the user's cache folder, next to the other caches; written only when
something changed; ``INFRAGEN_NO_CACHE=1`` or ``INFRAGEN_NO_STAMP=1`` turns it off. It is a
pickle, trusted as the folder is: the user's own (like the compiled validators it sits beside).
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import cachedir, fingerprint
from generator.spec.document import Document

CACHE_VERSION = 1


def cache_file(root: Path) -> Path:
    return cachedir.per_repository("documents", root, ".pickle")


def _fingerprint() -> str:
    import yaml

    return f"v{CACHE_VERSION} pyyaml {yaml.__version__} {fingerprint.package_digest()}"


# file -> (sha256 of its bytes, the schema it passed, data, value positions, key positions)
Entry = tuple[str, str, Any, dict[Any, tuple[int, int]], dict[Any, tuple[int, int]]]


@dataclass
class InputCache:
    path: Path | None  # None: caching is off, every lookup misses and nothing is saved
    entries: dict[str, Entry] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    changed: bool = False

    @classmethod
    def open(cls, root: Path) -> InputCache:
        if not cachedir.caches_enabled():
            return cls(None)
        path = cache_file(root)
        stored: Any = None
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
            stored = pickle.loads(path.read_bytes())
        if not (isinstance(stored, dict) and stored.get("fingerprint") == _fingerprint()):
            return cls(path, changed=True)
        entries = stored.get("files")
        return cls(path, entries if isinstance(entries, dict) else {}, changed=not isinstance(entries, dict))

    def get(self, file: str, digest: str, kind: str) -> Document | None:
        """The document of ``file`` when its bytes (``digest``) passed ``kind``'s schema before."""
        self.seen.add(file)
        entry = self.entries.get(file)
        if entry is None or entry[0] != digest or entry[1] != kind:
            return None
        return Document(file=file, data=entry[2], values=entry[3], keys=entry[4])

    def put(self, doc: Document, digest: str, kind: str) -> None:
        if self.path is None:
            return
        self.seen.add(doc.file)  # read this run (parsed here or by a prefetching child): not gone
        self.entries[doc.file] = (digest, kind, doc.data, doc.values, doc.keys)
        self.changed = True

    def save(self, without: Collection[str] = ()) -> None:
        """Write the cache when an entry was added, or a file it held was not read this time
        (removed from the repository) or is in ``without`` (it has a problem): those entries go."""
        if self.path is None:
            return
        gone = (self.entries.keys() - self.seen) | (self.entries.keys() & set(without))
        if not (self.changed or gone):
            return
        for file in gone:
            del self.entries[file]
        data = pickle.dumps({"fingerprint": _fingerprint(), "files": self.entries}, protocol=pickle.HIGHEST_PROTOCOL)
        cachedir.write_atomic(self.path, data)
