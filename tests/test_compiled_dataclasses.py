"""The dataclass methods every process compiled (generator/compiled.py) come from a table kept in
the cache folder: a class made from it is the class `dataclasses` would have made, a second
process compiles nothing, and a damaged table is filled again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

# A process importing the package (which installs the table), defining a frozen dataclass the way
# the models are defined, then printing what the class does and what the table gave it.
PROBE = """
import dataclasses, json, sys
from dataclasses import dataclass, field
import generator
from generator import compiled

@dataclass(frozen=True)
class Probe:
    name: str
    count: int = 1
    tags: tuple[str, ...] = field(default_factory=tuple)

a, b = Probe("x", 2, ("t",)), Probe("x", 2, ("t",))
try:
    a.name = "y"
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
init = Probe.__init__
added = compiled._added
compiled.save()
print(json.dumps({
    "repr": repr(a),
    "equal": a == b and hash(a) == hash(b) and a != Probe("z"),
    "frozen": frozen,
    "return_annotation": repr(init.__annotations__.get("return")),
    "compiled_here": added,
    "kept": sum(1 for table in compiled._tables.values() for code in table.values() if code.co_filename == "<string>"),
    "table": str(next((f / "__main__.marshal" for f in compiled.folders() if (f / "__main__.marshal").is_file()), "")),
}))
"""


def _probe(cache: Path) -> dict[str, object]:
    """The probe, its table in ``cache`` only (bytecode writing off: the package's __pycache__ is
    the checkout's, shared with every other test)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(cache), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


def test_a_second_process_makes_the_same_classes_without_compiling(tmp_path: Path) -> None:
    cold = _probe(tmp_path)
    warm = _probe(tmp_path)
    assert isinstance(cold["compiled_here"], int) and cold["compiled_here"] > 0
    assert warm["compiled_here"] == 0  # every method of every class came from the table
    assert isinstance(warm["kept"], int) and warm["kept"] >= cold["compiled_here"]
    for result in (cold, warm):
        assert result["repr"] == "Probe(name='x', count=2, tags=('t',))"
        assert result["equal"] is True
        assert result["frozen"] is True
        # compiled without this package's `from __future__ import annotations`, as exec would
        assert result["return_annotation"] == "None"
    assert Path(str(warm["table"])).is_file()


def test_kept_code_is_what_compile_makes_of_the_same_text(tmp_path: Path) -> None:
    """The table's entries, compiled again from their keys, are equal code objects."""
    import marshal

    table_path = Path(str(_probe(tmp_path)["table"]))
    table = marshal.loads(table_path.read_bytes())
    assert table
    for source, code in table.items():
        assert code == compile(source, "<string>", "exec", dont_inherit=True)


def test_a_damaged_table_is_compiled_again_and_rewritten(tmp_path: Path) -> None:
    table = Path(str(_probe(tmp_path)["table"]))
    table.write_bytes(b"\x00not marshal")
    again = _probe(tmp_path)
    assert isinstance(again["compiled_here"], int) and again["compiled_here"] > 0
    assert again["repr"] == "Probe(name='x', count=2, tags=('t',))"
    assert _probe(tmp_path)["compiled_here"] == 0  # rewritten whole by the run that compiled


def test_an_unwritable_cache_folder_costs_the_compile_not_the_run(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x", encoding="utf-8")  # the cache folder cannot be made under a file
    for _ in range(2):
        result = _probe(blocked)
        assert isinstance(result["compiled_here"], int) and result["compiled_here"] > 0
        assert result["repr"] == "Probe(name='x', count=2, tags=('t',))"


def test_the_table_is_kept_beside_the_packages_bytecode_when_bytecode_is_written(tmp_path: Path) -> None:
    """As the interpreter keeps .pyc files: a copy of the package whose __pycache__ can be written
    holds the table there, and a process with an empty cache folder compiles nothing."""
    import shutil

    shutil.copytree(REPO / "generator", tmp_path / "src" / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    found = []
    for cache in ("first", "second"):
        env["XDG_CACHE_HOME"] = str(tmp_path / cache)
        proc = subprocess.run(
            [sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        found.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert Path(str(found[0]["table"])).parent.parent == tmp_path / "src" / "generator" / "__pycache__"
    assert isinstance(found[0]["compiled_here"], int) and found[0]["compiled_here"] > 0
    assert found[1]["compiled_here"] == 0
    assert not (tmp_path / "first").exists() and not (tmp_path / "second").exists()  # no cache folder written


def test_a_full_table_starts_again_instead_of_growing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts a changed class left behind cannot fill a module's table for good: past MAX_ENTRIES
    it is emptied and the new text kept, so it never holds more and a new class is still kept."""
    from generator import compiled

    stale = {f"stale {i}": compile("pass", "<string>", "exec") for i in range(3)}
    monkeypatch.setattr(compiled, "_tables", {"probe.module": stale})
    monkeypatch.setattr(compiled, "_changed", set())
    monkeypatch.setattr(compiled, "MAX_ENTRIES", 3)
    namespace: dict[str, object] = {"__name__": "probe.module"}
    compiled._exec("def made():\n    return 7\n", namespace)
    assert list(compiled._tables["probe.module"]) == ["def made():\n    return 7\n"]
    assert compiled._changed == {"probe.module"}
    assert namespace["made"]() == 7  # type: ignore[operator]


def test_a_process_reads_only_the_tables_of_the_modules_it_imports(tmp_path: Path) -> None:
    """One table per module: a process that defines classes in one module reads that module's
    table, not the tables every other command's modules filled."""
    _probe(tmp_path)  # fills the tables of the package's modules the probe imports, and __main__'s
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    script = (
        "import json, generator\nfrom generator import compiled\nfrom dataclasses import dataclass\n"
        "@dataclass(frozen=True)\nclass Probe:\n    name: str\n    count: int = 1\n"
        "    tags: tuple[str, ...] = ()\nprint(json.dumps(sorted(compiled._tables)))"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == ["__main__"]
