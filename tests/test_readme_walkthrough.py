"""The README walkthrough shows what `infragen new service` really writes: its command is run on a
copy of the fixture organization and the file it writes is compared with the README's block. The
continued walkthrough (a worker, a topic and its subscribers) is replayed block by block."""

from __future__ import annotations

import re
import shlex
import textwrap
from pathlib import Path

import yaml
from conftest import REPO, copy_inputs, run_cli


def test_the_walkthroughs_service_yaml_is_what_new_service_writes(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^\s*\.venv/bin/infragen (new service invoices [^\n]*)$", readme, re.M)
    assert command, "the walkthrough's `new service` command"
    shown = re.search(r"The result looks like this:\n\n(\s*)```yaml\n(.*?)\n\1```", readme, re.S)
    assert shown, "the walkthrough's service.yaml block"
    expected = textwrap.dedent(shown.group(2)) + "\n"
    root = copy_inputs(tmp_path / "repo")
    result = run_cli(*shlex.split(command.group(1)), "--root", str(root))
    assert result.code == 0, result.stderr
    assert (root / "services/invoices/service.yaml").read_text(encoding="utf-8") == expected


CONTINUED = "## Walkthrough, continued: a worker and a topic fan-out\n"
BLOCK = re.compile(r"^( *)```[a-z]*\n(.*?)\n\1```$", re.S | re.M)
MARKER = re.compile(r"^# (\S+) \((excerpt|merged)\)$")


def _merge(into: dict[str, object], keys: dict[str, object]) -> None:
    for key, value in keys.items():
        old = into.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            _merge(old, value)
        else:
            into[key] = value


def test_the_worker_and_fan_out_walkthrough_is_what_the_tool_writes(tmp_path: Path) -> None:
    """Every block of the continued walkthrough, in order: a `$ .venv/bin/infragen ...` block is
    run and its output compared; `# <file> (merged)` keys go into that spec; the chunks (between
    `...` lines) of a `# <file> (excerpt)` block are found in that file, in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(CONTINUED) + len(CONTINUED)
    section = readme[start : readme.index("\n## ", start)]
    root = copy_inputs(tmp_path / "repo", outputs=True)
    # a fresh input record (as after the user's earlier `make gen`), so gen names the changed inputs
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "INFRAGEN_NO_STAMP": "0", "INFRAGEN_NO_CACHE": "0"}
    # steps 1 and 3 of the walkthrough: the service invoices, generated
    command = re.search(r"^\s*\.venv/bin/infragen (new service invoices [^\n]*)$", readme, re.M)
    assert command, "the walkthrough's `new service` command"
    for args in (shlex.split(command.group(1)), ["gen"]):
        result = run_cli(*args, cwd=root, env=env)
        assert result.code == 0, result.stderr
    blocks = [textwrap.dedent(m.group(2)) for m in BLOCK.finditer(section)]
    assert len(blocks) >= 10, "the continued walkthrough's blocks"
    for block in blocks:
        first, _, rest = block.partition("\n")
        if first.startswith("$ .venv/bin/infragen "):
            result = run_cli(*shlex.split(first.removeprefix("$ .venv/bin/infragen ")), cwd=root, env=env)
            assert result.code == 0, result.stderr
            assert result.stdout == rest + "\n", f"the output of `{first[2:]}`"
            continue
        marker = MARKER.match(first)
        assert marker, f"a block of the continued walkthrough that nothing checks:\n{block}"
        path = root / marker.group(1)
        if marker.group(2) == "merged":
            spec = yaml.safe_load(path.read_text(encoding="utf-8"))
            _merge(spec, yaml.safe_load(rest))
            path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
            continue
        text, at = path.read_text(encoding="utf-8"), 0
        for chunk in rest.split("\n...\n"):
            found = text.find(chunk, at)
            assert found >= 0, f"{marker.group(1)} has no (or no later) lines:\n{chunk}"
            at = found + len(chunk)
