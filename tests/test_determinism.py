"""Determinism: the same inputs give byte-identical trees, whatever the directory, the order in
which the file system lists entries, and the hash seed.

Each run is a fresh interpreter (``PYTHONHASHSEED`` differs) that shuffles every directory
listing (``os.listdir``, ``os.scandir`` and so ``os.walk``, ``Path.iterdir``, ``Path.glob``,
``Path.rglob``, ``glob``) with its own seed before calling the library ``generate``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import copy_inputs

SHUFFLED_GENERATE = r"""
import json, os, pathlib, random, sys

rng = random.Random(int(sys.argv[2]))
calls = {"listdir": 0, "scandir": 0}
_listdir, _scandir = os.listdir, os.scandir


def listdir(path="."):
    calls["listdir"] += 1
    names = _listdir(path)
    rng.shuffle(names)
    return names


class Shuffled:
    def __init__(self, entries):
        self.entries = entries

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __iter__(self):
        return iter(self.entries)

    def __next__(self):
        if not self.entries:
            raise StopIteration
        return self.entries.pop(0)

    def close(self):
        pass


def scandir(path="."):
    calls["scandir"] += 1
    with _scandir(path) as it:
        entries = list(it)
    rng.shuffle(entries)
    return Shuffled(entries)


os.listdir, os.scandir = listdir, scandir
from generator import api  # imported after patching, so module-level references see the shuffle

result = api.generate(pathlib.Path(sys.argv[1]))
print(json.dumps({"changes": len(result.changes), **calls}))
"""


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def generate(root: Path, seed: int) -> dict[str, int]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-c", SHUFFLED_GENERATE, str(root), str(seed)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    counts: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return counts


def test_trees_are_byte_identical_across_directories_listing_orders_and_hash_seeds(tmp_path: Path) -> None:
    runs = [
        (tmp_path / "a", 0),
        (tmp_path / "second" / "deeper path with spaces", 1),
        (tmp_path / "c", 987654321),
    ]
    trees = []
    for root, seed in runs:
        copy_inputs(root)
        counts = generate(root, seed)
        assert counts["changes"] > 0
        assert counts["listdir"] + counts["scandir"] > 0, "the shuffle never ran: the test proves nothing"
        trees.append(tree(root))
    first = trees[0]
    for (root, seed), other in zip(runs[1:], trees[1:], strict=True):
        differing = sorted(p for p in set(first) | set(other) if first.get(p) != other.get(p))
        assert not differing, f"{root} (PYTHONHASHSEED={seed}) differs from {runs[0][0]}: {differing[:10]}"
    # A second shuffled run over an already generated tree changes nothing.
    assert generate(runs[0][0], 42)["changes"] == 0
    assert tree(runs[0][0]) == first
