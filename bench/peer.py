"""The copier peer: render each root's five files with ``copier.run_copy``, one call per root.

Usage: python bench/peer.py VALUES.json TEMPLATE DEST. VALUES.json lists {"dir", "data"} per
root (computed by bench/run.py with infragen's planner). Run as a subprocess so that its wall
time (interpreter start included) and max RSS are measured like infragen's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import copier


def main() -> None:
    values, template, dest = sys.argv[1:4]
    for item in json.loads(Path(values).read_text(encoding="utf-8")):
        copier.run_copy(
            template, Path(dest) / item["dir"], data=item["data"], defaults=True, overwrite=True, quiet=True
        )


if __name__ == "__main__":
    main()
