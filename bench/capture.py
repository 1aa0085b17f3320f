"""The copier peer's input: the values infragen's templates receive for each root's five files.

Usage: python bench/capture.py ROOT OUT.json (run by bench/run.py with the stamp and any cache off,
so every root is rendered). It records every template the generator renders
(``generator.render.jinja.render``, as generator/render/roots.py calls it), runs
``generator.api.generate(root, check=True)`` on a consistent tree, and matches the records to the generated files by template name and bytes
(infragen appends a checksum line after rendering; the rest must match exactly): for each root
folder holding the five files, the values that rendered exactly those files, and those bytes.
Each file's ``header`` is passed as ``header_<file stem>`` (copier renders every file of a root
from one data mapping, and each file lists its own inputs).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT_FILES = ("main.tf", "versions.tf", "providers.tf", "backend.tf", "outputs.tf")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _unsealed(text: str) -> str:
    """The file without the checksum line infragen appends after rendering (its last line)."""
    body, sep, _ = text.rstrip("\n").rpartition("\n")
    return body + "\n" if sep else text


def main() -> None:
    root, out = Path(sys.argv[1]), Path(sys.argv[2])
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    from generator.render import jinja
    from generator.render import roots as printer  # prints a root's files with jinja.render

    real = jinja.render

    def render(template: str, **values: Any) -> str:
        text = real(template, **values)
        if template.endswith(".tf.j2"):
            seen.setdefault((Path(template).name.removesuffix(".j2"), text), dict(values))
        return text

    jinja.render = printer.render = render  # type: ignore[assignment]
    os.environ["INFRAGEN_JOBS"] = "1"  # every root rendered in this process, where the records are
    from generator.api import generate

    result = generate(root, check=True)
    jinja.render = printer.render = real  # type: ignore[assignment]
    if result.changes:
        raise SystemExit(f"capture: the tree at {root} is not consistent ({len(result.changes)} changes)")

    items, missing = [], 0
    for main_tf in sorted(root.glob("accounts/**/main.tf")):
        folder = main_tf.parent
        if not all((folder / name).is_file() for name in ROOT_FILES):
            continue
        data: dict[str, Any] = {}
        expected: dict[str, str] = {}
        for name in ROOT_FILES:
            full = (folder / name).read_text(encoding="utf-8")
            text = next((t for t in (full, _unsealed(full)) if (name, t) in seen), "")
            values = seen.get((name, text))
            if values is None:
                missing += 1
                break
            own = _plain(values)
            # each file has its own header (its own inputs): one data key per file for copier
            own[f"header_{name.split('.')[0]}"] = own.pop("header")
            data.update(own)
            expected[name] = text
        else:
            items.append({"dir": folder.relative_to(root).as_posix(), "data": data, "expected": expected})
    if missing or not items:
        raise SystemExit(f"capture: {missing} roots' files were not rendered by a *.tf.j2 template")
    out.write_text(json.dumps(items), encoding="utf-8")
    print(len(items))


if __name__ == "__main__":
    main()
