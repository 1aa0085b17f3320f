"""The methods `dataclasses` writes for every model class, compiled once per installation.

A dataclass's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and, frozen, ``__setattr__``
are Python source that `dataclasses` writes and compiles each time its class is defined: in
every process, since no ``__pycache__`` keeps them. A `gen` defines about 80 classes, 450 such
functions, and compiling them was 54 ms of its 160 ms of imports (Python 3.11, 2 cores): a
third of the start of every run, the pull request gates' and a one-file change's included.

:func:`install` hands `dataclasses` an ``exec`` that looks each source text up in a table of
code objects, compiles only a text it has not seen, and runs the code as the built-in would: a
kept code object is what ``compile`` makes of that very text, with the same file name and no
inherited ``__future__`` flags, so the classes are the same. The table is kept as the .pyc files
are, beside the package's bytecode, else in the user's cache folder (:func:`places`), one file
per interpreter build. A missing, damaged or foreign file is a table to fill again; a folder that
cannot be written costs the compile, never correctness. :func:`save` writes the table when this
process compiled something new: at exit, and from the console script, which leaves a `gen` with
``os._exit`` (generator/entry.py).
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import dataclasses
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

# The generator's own classes need about 450 entries (about 1 KB each, read at every start). A
# class whose fields change leaves its old texts behind: a full table starts again.
MAX_ENTRIES = 2048

_table: dict[str, CodeType] | None = None
_added = 0


def _name() -> str:
    """The table's file name: one per interpreter build (its code objects and marshal format are its own)."""
    import hashlib

    build = hashlib.sha256(f"{sys.version}\0{sys.implementation.cache_tag}".encode()).hexdigest()[:16]
    return f"dataclass-code-{build}.marshal"


def places() -> list[Path]:
    """Where the table is kept, the first that can be written: beside the package's own bytecode
    (``generator/__pycache__``, where the interpreter keeps its .pyc files, shared by every user
    of the installation; not when bytecode is not written there: PYTHONDONTWRITEBYTECODE,
    PYTHONPYCACHEPREFIX), then the user's cache folder."""
    from generator import cachedir

    found = [cachedir.folder() / _name()]
    if not sys.dont_write_bytecode and sys.pycache_prefix is None:
        found.insert(0, Path(__file__).resolve().parent / "__pycache__" / _name())
    return found


def _load() -> dict[str, CodeType]:
    global _table
    if _table is None:
        _table = {}
        for place in places():
            try:
                found = marshal.loads(place.read_bytes())
            except (OSError, ValueError, EOFError, TypeError):  # missing or damaged: filled again
                continue
            if isinstance(found, dict) and len(found) <= MAX_ENTRIES:
                _table = {k: v for k, v in found.items() if type(k) is str and type(v) is CodeType}
                break
    return _table


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
    """``exec`` for `dataclasses`: a source text runs as its kept code object."""
    global _added
    if type(source) is str:
        table = _load()
        code = table.get(source)
        if code is None:
            # what exec(source) compiles: file "<string>", and dont_inherit: no flag of this module
            code = compile(source, "<string>", "exec", dont_inherit=True)
            if len(table) >= MAX_ENTRIES:
                table.clear()
            table[source] = code
            _added += 1
        source = code
    builtins.exec(source, globals, locals)


def install() -> None:
    """Route the ``exec`` of `dataclasses` through the table (idempotent; a `dataclasses` that calls
    no ``exec`` never reads the name), and write the table when the interpreter exits."""
    if getattr(dataclasses, "exec", None) is not _exec:
        dataclasses.exec = _exec  # type: ignore[attr-defined]
        atexit.register(save)


def save() -> None:
    """Write the table when this process compiled new texts, whole, where :func:`places` allows
    (a forked child never does: it leaves with os._exit, and what it compiled is the parent's too)."""
    global _added
    if not _added or _table is None:
        return
    data = marshal.dumps(_table)
    for place in places():
        tmp = place.with_name(f"{place.name}.{os.getpid()}.tmp")
        try:
            place.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, place)
            break
        except OSError:  # not writable: the next place, or none (the next run compiles again)
            with contextlib.suppress(OSError):
                tmp.unlink()
    _added = 0
