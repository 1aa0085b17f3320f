"""The methods `dataclasses` writes for every model class, compiled once per installation.

A dataclass's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and, frozen, ``__setattr__``
are Python source that `dataclasses` writes and compiles each time its class is defined: in
every process, since no ``__pycache__`` keeps them. A `gen` defines about 80 classes, 450 such
functions, and compiling them was 54 ms of its 160 ms of imports (Python 3.11, 2 cores): a
third of the start of every run, the pull request gates' and a one-file change's included.

:func:`install` hands `dataclasses` an ``exec`` that looks each source text up in a table of
code objects, compiles only a text it has not seen, and runs the code as the built-in would: a
kept code object is what ``compile`` makes of that very text, with the same file name and no
inherited ``__future__`` flags, so the classes are the same. The tables are kept as the .pyc
files are, beside the package's bytecode, else in the user's cache folder (:func:`folders`), one
per module, so a process reads only those of the modules it imports. A missing, damaged or
foreign file is a table to fill again; a folder that cannot be written costs the compile, never
correctness. :func:`save` writes the tables this process added to: at exit, and from the console
script, which leaves a `gen` with ``os._exit`` (generator/entry.py).
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import marshal
import sys
from pathlib import Path
from types import CodeType
from typing import Any

# A module's table past this many texts starts again: a class whose fields change leaves its old
# texts behind (the generator's largest module, spec.models, needs about 130).
MAX_ENTRIES = 512

_tables: dict[str, dict[str, CodeType]] = {}  # by the name of the module that defines the classes
_changed: set[str] = set()
_added = 0  # texts compiled by this process since its last save
_folders: list[Path] = []


def folders() -> list[Path]:
    """Where the tables are kept, one file per module, the first folder that can be written:
    beside the package's own bytecode (``generator/__pycache__``, where the interpreter keeps its
    .pyc files, shared by every user of the installation; not when bytecode is not written there:
    PYTHONDONTWRITEBYTECODE, PYTHONPYCACHEPREFIX), then the user's cache folder. One folder per
    interpreter build: its code objects and marshal format are its own."""
    if not _folders:
        import hashlib

        from generator import cachedir

        build = hashlib.sha256(f"{sys.version}\0{sys.implementation.cache_tag}".encode()).hexdigest()[:16]
        name = f"dataclass-code-{build}"
        if not sys.dont_write_bytecode and sys.pycache_prefix is None:
            _folders.append(Path(__file__).resolve().parent / "__pycache__" / name)
        _folders.append(cachedir.folder() / name)
    return _folders


def _file(module: str) -> str:
    safe = module if module.replace(".", "").replace("_", "").isalnum() else "_other"
    return f"{safe}.marshal"


def _load(module: str) -> dict[str, CodeType]:
    """``module``'s table, read on its first class: a process reads only the tables of the
    modules it imports (a `gen` with nothing to do, a few small ones)."""
    table = _tables.get(module)
    if table is None:
        table = _tables[module] = {}
        for folder in folders():
            try:
                found = marshal.loads((folder / _file(module)).read_bytes())
            except (OSError, ValueError, EOFError, TypeError):  # missing or damaged: filled again
                continue
            if isinstance(found, dict) and len(found) <= MAX_ENTRIES:
                table.update((k, v) for k, v in found.items() if type(k) is str and type(v) is CodeType)
                break
    return table


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
    """``exec`` for `dataclasses`: a source text runs as its kept code object. `dataclasses`
    passes the defining module's namespace as ``globals``: its name picks the table."""
    global _added
    if type(source) is str:
        module = globals.get("__name__") if globals is not None else None
        module = module if type(module) is str and module else "_other"
        table = _load(module)
        code = table.get(source)
        if code is None:
            # what exec(source) compiles: file "<string>", and dont_inherit: no flag of this module
            code = compile(source, "<string>", "exec", dont_inherit=True)
            if len(table) >= MAX_ENTRIES:
                table.clear()
            table[source] = code
            _changed.add(module)
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
    """Write each table this process added texts to, whole, where :func:`folders` allows (a forked
    child never does: it leaves with os._exit, and what it compiled is the parent's too)."""
    global _added
    from generator import cachedir

    for module in sorted(_changed):
        data = marshal.dumps(_tables[module])
        for folder in folders():  # not writable: the next folder, or none (the next run compiles again)
            if cachedir.write_atomic(folder / _file(module), data):
                break
    _changed.clear()
    _added = 0
