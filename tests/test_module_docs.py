"""`infragen docs`: README tables from variables.tf/outputs.tf; prose untouched; --check finds stale ones."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

from generator.tools import docs

VARIABLES = """
variable "name" {
  type        = string
  description = "Name | prefix of every resource."
}

variable "tags" {
  type        = map(string)
  description = "Extra tags."
  default     = {}
}

variable "autoscaling" {
  type = object({
    min = number
    max = number
  })
  description = <<-EOT
    Autoscaling bounds,
    or null.
  EOT
  default     = null
}

variable "port" {
  type        = number
  description = "Port."
  default     = 8080
}

variable "path" {
  type        = string
  description = "Health check path."
  default     = "/health"
}

variable "subnet_ids" {
  type        = list(string)
  description = "Subnets."
}
"""

OUTPUTS = """
output "arn" {
  description = "ARN of the thing."
  value       = "x"
}
"""

PROSE_TOP = '# group/thing\n\nHand-written prose | with a pipe.\n\n## Example\n```hcl\nmodule "x" {}\n```\n\n'
PROSE_END = "\n\n## Notes\nMore prose after the tables.\n"

EXPECTED = """## Inputs

| Name | Description | Type | Default | Required |
|------|-------------|------|---------|:--------:|
| autoscaling | Autoscaling bounds,<br>or null. | `object({min = number, max = number})` | `null` | no |
| name | Name \\| prefix of every resource. | `string` | n/a | yes |
| path | Health check path. | `string` | `"/health"` | no |
| port | Port. | `number` | `8080` | no |
| subnet_ids | Subnets. | `list(string)` | n/a | yes |
| tags | Extra tags. | `map(string)` | `{}` | no |

## Outputs

| Name | Description |
|------|-------------|
| arn | ARN of the thing. |
"""


def make_module(root: Path, readme: str) -> Path:
    module = root / "modules/group/thing"
    module.mkdir(parents=True)
    (module / "variables.tf").write_text(VARIABLES)
    (module / "outputs.tf").write_text(OUTPUTS)
    (module / "README.md").write_text(readme)
    (root / "teams.yaml").write_text("platformTeam: infra\nteams: {}\n")
    return module


def test_tables_are_rendered_between_the_markers_and_prose_is_kept(tmp_path: Path) -> None:
    module = make_module(tmp_path, PROSE_TOP + docs.BEGIN + "\n" + docs.END + PROSE_END)
    result = docs.run(tmp_path)
    assert result.stale == ("modules/group/thing/README.md",)
    text = (module / "README.md").read_text()
    assert text == PROSE_TOP + docs.BEGIN + "\n" + EXPECTED + docs.END + PROSE_END


def test_idempotent(tmp_path: Path) -> None:
    module = make_module(tmp_path, PROSE_TOP + docs.BEGIN + "\n" + docs.END + PROSE_END)
    docs.run(tmp_path)
    once = (module / "README.md").read_bytes()
    assert docs.run(tmp_path).stale == ()
    assert docs.run(tmp_path, check=True).stale == ()
    assert (module / "README.md").read_bytes() == once


def test_check_names_stale_readmes_and_writes_nothing(tmp_path: Path) -> None:
    module = make_module(tmp_path, PROSE_TOP + docs.BEGIN + "\n" + docs.END + PROSE_END)
    docs.run(tmp_path)
    with (module / "variables.tf").open("a") as handle:
        handle.write('\nvariable "extra" {\n  type        = bool\n  description = "New."\n  default     = false\n}\n')
    before = (module / "README.md").read_bytes()
    result = run_cli("docs", "--check", "--root", str(tmp_path))
    assert result.code == 1
    assert "stale   modules/group/thing/README.md" in result.stdout
    assert "run 'infragen docs'" in result.stderr
    assert (module / "README.md").read_bytes() == before
    assert run_cli("docs", "--root", str(tmp_path)).code == 0
    assert "| extra | New. | `bool` | `false` | no |" in (module / "README.md").read_text()
    assert run_cli("docs", "--check", "--root", str(tmp_path)).code == 0


def test_readme_without_markers_is_skipped_not_touched(tmp_path: Path) -> None:
    module = make_module(tmp_path, "# thing\n\nNo generated section.\n")
    result = docs.run(tmp_path)
    assert result.stale == () and result.skipped == ("modules/group/thing/README.md",)
    assert (module / "README.md").read_text() == "# thing\n\nNo generated section.\n"


def test_type_rendering_is_terraform_syntax() -> None:
    assert docs.type_text("string") == "string"
    assert docs.type_text("${map(string)}") == "map(string)"
    assert docs.type_text("${list(object({a = string}))}") == "list(object({a = string}))"
    assert docs.type_text(None) == "any"
