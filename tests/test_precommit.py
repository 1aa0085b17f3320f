"""pre-commit: the shipped hooks and this repository's config parse and name real commands."""

from __future__ import annotations

import shlex

import yaml
from conftest import REPO

from generator.cli import cli


def _infragen_command(entry: str) -> list[str]:
    words = shlex.split(entry)
    assert words[0] in ("infragen", ".venv/bin/infragen"), entry
    return words[1:]


def _assert_real(args: list[str]) -> None:
    command = cli.get_command(None, args[0])  # type: ignore[arg-type]
    assert command is not None, f"infragen has no command {args[0]!r}"
    known = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for word in args[1:]:
        if word.startswith("-"):
            assert word in known, f"infragen {args[0]} has no option {word}"


def test_hooks_file_exposes_validate_and_gen_check() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert {"infragen-validate", "infragen-gen-check"} <= set(by_id)
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        _assert_real(_infragen_command(hook["entry"]))
    assert _infragen_command(by_id["infragen-gen-check"]["entry"]) == ["gen", "--check"]


def test_repo_config_uses_the_hooks_and_terraform_fmt() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    (local,) = config["repos"]
    assert local["repo"] == "local"
    hooks = {hook["id"]: hook for hook in local["hooks"]}
    shipped = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert shipped <= set(hooks)
    for hook_id in shipped:
        _assert_real(_infragen_command(hooks[hook_id]["entry"]))
        assert hooks[hook_id]["pass_filenames"] is False
    assert shlex.split(hooks["terraform-fmt"]["entry"]) == ["terraform", "fmt", "-check", "-recursive"]
