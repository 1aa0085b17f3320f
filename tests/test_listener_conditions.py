"""Listener rule conditions besides the host (issue 20): spec.ingress.paths and spec.ingress.headers
become one line each of the root's external block; unset, nothing changes."""

from __future__ import annotations

from pathlib import Path

from conftest import copy_inputs, snapshot
from spec_files import gen, line_diff

SPEC = "services/klausapproves/service.yaml"
ROOTS = {"production/services/klausapproves/main.tf", "staging/services/klausapproves/main.tf"}


def test_paths_and_headers_are_lines_of_the_external_block(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo", outputs=True)
    gen(root)
    before = snapshot(root / "accounts")
    spec = root / SPEC
    text = spec.read_text(encoding="utf-8")
    assert "    external: true\n" in text
    spec.write_text(
        text.replace(
            "    external: true\n",
            "    external: true\n    paths: ['/loans/*']\n    headers:\n      X-Canary: ['on']\n",
            1,
        ),
        encoding="utf-8",
    )
    gen(root)
    after = snapshot(root / "accounts")
    changed = {p for p in before.keys() | after.keys() if before.get(p, (b"",))[0] != after.get(p, (b"",))[0]}
    assert changed == ROOTS
    for path in ROOTS:
        assert line_diff(before[path][0], after[path][0]) == (
            [],
            [
                '    paths                  = ["/loans/*"]',
                "    headers = {",
                '      "X-Canary" = ["on"]',
                "    }",
            ],
        ), path
