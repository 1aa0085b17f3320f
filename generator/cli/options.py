"""Options every command group shares (one definition; the command modules import them)."""

from __future__ import annotations

from pathlib import Path

import click

root_option = click.option(
    "--root",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Repository root (default: the repository containing the current directory).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
env_option = click.option("--env", "env", required=True, help="Environment (an accounts/<env> folder).")
