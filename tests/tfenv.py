"""Terraform CLI set-up shared by every test that runs terraform.

These machines cannot reach the Terraform registry. They carry providers in a local
filesystem mirror; this module finds it and writes a CLI config that installs from it.

Environment variables (all optional):
- ``INFRAGEN_TF_CLI_CONFIG``: use this CLI config file as it is, write nothing.
- ``INFRAGEN_TF_PLUGIN_MIRROR``: the filesystem mirror directory to use.
- ``INFRAGEN_TF_PLUGIN_CACHE``: the shared plugin cache directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)


@cache
def terraform_binary() -> str | None:
    return shutil.which("terraform")


@cache
def plugin_mirror() -> Path | None:
    explicit = os.environ.get("INFRAGEN_TF_PLUGIN_MIRROR")
    candidates = [explicit] if explicit else list(MIRROR_CANDIDATES)
    for candidate in candidates:
        path = Path(candidate).expanduser()
        if (path / "registry.terraform.io").is_dir():
            return path
    return None


def provider_available(namespace: str, name: str) -> bool:
    """True when the mirror carries registry.terraform.io/<namespace>/<name>."""
    mirror = plugin_mirror()
    return mirror is not None and (mirror / "registry.terraform.io" / namespace / name).is_dir()


@cache
def cli_config() -> Path:
    explicit = os.environ.get("INFRAGEN_TF_CLI_CONFIG")
    if explicit:
        return Path(explicit)
    base = Path(tempfile.gettempdir()) / f"infragen-tf-{os.getuid()}"
    cache_dir = Path(os.environ.get("INFRAGEN_TF_PLUGIN_CACHE", base / "plugin-cache"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    mirror = plugin_mirror()
    lines = [f'plugin_cache_dir = "{cache_dir}"', "plugin_cache_may_break_dependency_lock_file = true"]
    if mirror is not None:
        lines += [
            "provider_installation {",
            "  filesystem_mirror {",
            f'    path    = "{mirror}"',
            '    include = ["registry.terraform.io/*/*"]',
            "  }",
            "}",
        ]
    config = base / "terraformrc"
    text = "\n".join(lines) + "\n"
    if not config.exists() or config.read_text() != text:
        tmp = config.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text)
        tmp.replace(config)
    return config


def terraform_env() -> dict[str, str]:
    env = dict(os.environ)
    env["TF_CLI_CONFIG_FILE"] = str(cli_config())
    env["TF_IN_AUTOMATION"] = "1"
    env["CHECKPOINT_DISABLE"] = "1"
    env.pop("TF_LOG", None)
    return env


def run_terraform(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    binary = terraform_binary()
    if binary is None:
        raise RuntimeError("terraform CLI not found on PATH")
    return subprocess.run(
        [binary, *args], cwd=cwd, env=terraform_env(), capture_output=True, text=True, timeout=timeout
    )
