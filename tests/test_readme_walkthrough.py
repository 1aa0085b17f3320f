"""The README walkthrough shows what `infragen new service` really writes: its command is run on a
copy of the fixture organization and the file it writes is compared with the README's block."""

from __future__ import annotations

import re
import shlex
import textwrap
from pathlib import Path

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
