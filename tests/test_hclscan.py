"""generator/hclscan.py, the fast reader of module files, against python-hcl2 (the general parser it
replaces on the common path): the same module sources and the same literal locals for every file of
the shipped modules, Unsupported (never a wrong answer) for what it does not read, and the callers
fall back to python-hcl2 for such a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest

from generator import hclcache, hclscan
from generator.plan import modules

REPO = Path(__file__).resolve().parent.parent
MODULE_FILES = sorted((REPO / "modules").rglob("*.tf"))


def test_every_shipped_module_file_is_read() -> None:
    assert len(MODULE_FILES) > 100
    for path in MODULE_FILES:
        hclscan.parse(path.read_text(encoding="utf-8"))  # raises Unsupported otherwise


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_same_answers_as_python_hcl2(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    parsed = hcl2.loads(text)
    expected_sources = sorted(
        hclscan.unquoted(body["source"])
        for block in parsed.get("module", [])
        for body in block.values()
        if "source" in body
    )
    assert sorted(hclscan.module_sources(text)) == expected_sources
    merged: dict[str, Any] = {}
    for block in parsed.get("locals", []):
        merged.update({k: v for k, v in block.items() if not k.startswith("__")})
    for name, value in merged.items():
        try:
            mine = hclscan.local_value(text, name)
        except hclscan.Unsupported:
            continue  # an expression, not a literal: python-hcl2 gives its text, the callers never ask
        assert mine == hclscan.unquoted(value), name


def test_the_tables_the_generator_reads_are_literals() -> None:
    """The three tables validation reads come from the fast reader, not the fallback."""
    service = (REPO / "modules/platform/service/alarms.tf").read_text(encoding="utf-8")
    defaults = hclscan.local_value(service, "alarm_defaults")
    assert defaults["cpu"] == {"threshold": 80, "min": 1, "max": 100, "unit": "% CPU"}
    assert "http_5xx_rate" in hclscan.local_value(service, "deployment_alarm_keys")
    database = (REPO / "modules/platform/database/alarms.tf").read_text(encoding="utf-8")
    assert hclscan.local_value(database, "instance_memory_gib")["r"]["2xlarge"] == 64


SYNTAX = r"""
# a comment with module "x" { source = "./not" }
/* a block comment
   module "y" { source = "./neither" } */
module "a" {
  source = "../aws/thing" // trailing
  name   = "${var.prefix}-a"   # an interpolation with a "nested ${"string"}" inside
  policy = <<-EOT
    {"source": "./heredoc"}
    EOT
  tags = { for k, v in var.tags : k => v if v != "}" }
}
module "b" { source = "./b" }
locals {
  table = {
    "2xlarge" = 32, small = 2
    neg       = -1.5
    list      = ["x", "esc\"aped", "$${literal}"]
    nothing   = null
  }
  computed = merge(local.table, {})
  interpolated = "${local.computed}"
}
"""


def test_syntax_the_reader_must_get_right() -> None:
    assert hclscan.module_sources(SYNTAX) == ["../aws/thing", "./b"]
    assert hclscan.local_value(SYNTAX, "table") == {
        "2xlarge": 32,
        "small": 2,
        "neg": -1.5,
        "list": ["x", 'esc"aped', "${literal}"],
        "nothing": None,
    }
    assert hclscan.local_value(SYNTAX, "absent") is None
    for name in ("computed", "interpolated"):
        with pytest.raises(hclscan.Unsupported):
            hclscan.local_value(SYNTAX, name)


@pytest.mark.parametrize(
    "text",
    [
        'module "a" {\n  source = "./a"\n',  # not closed
        'module "a" {\n  source = "\\u00e9"\n}\n',  # an escape the reader leaves to python-hcl2
        'x = "unterminated\n',
        "x = <<EOT\nno end\n",
        "}\n",
    ],
)
def test_what_it_cannot_read_is_unsupported(text: str) -> None:
    with pytest.raises(hclscan.Unsupported):
        hclscan.parse(text)


def test_callers_fall_back_to_python_hcl2(tmp_path: Path) -> None:
    """A file the reader leaves alone still gives the right sources and locals, through python-hcl2."""
    module = tmp_path / "modules" / "m"
    (module / "inner").mkdir(parents=True)
    (module / "inner" / "main.tf").write_text("", encoding="utf-8")
    (module / "main.tf").write_text(
        'module "inner" {\n  source = "./inner"\n  note = "caf\\u00e9"\n}\n'
        'locals {\n  table = { a = 1 }\n  word = "caf\\u00e9"\n}\n',
        encoding="utf-8",
    )
    text = (module / "main.tf").read_text(encoding="utf-8")
    with pytest.raises(hclscan.Unsupported):
        hclscan.parse(text)
    modules.clear_cache()
    hclcache.local_value.cache_clear()
    assert modules.closure(tmp_path, "modules", ["./m"]) == ["modules/m", "modules/m/inner"]
    assert hclcache.local_value(module / "main.tf", "table") == {"a": 1}
    assert hclcache.local_value(module / "main.tf", "word") == "caf\\u00e9"  # python-hcl2 keeps escapes as written
