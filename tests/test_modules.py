"""Terraform modules under modules/<group>/<name>: layout, typed interfaces, validate and test.

Every module directory with a versions.tf is one test case (ids like ``aws/rds``). Terraform runs
in a copy of the whole modules/ tree (one per pytest session or xdist worker) so that relative
module sources resolve and no .terraform directory is left in the repository. The plugin cache
is shared between workers; ``terraform init`` runs under a file lock because Terraform does not
promise that concurrent inits may share one cache.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import consul_mock
import hcl2
import pytest
import tfenv

REPO = Path(__file__).resolve().parent.parent
MODULES = REPO / "modules"
STANDARD_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")
SUMMARY = re.compile(r"(\d+) passed, (\d+) failed")


def module_dirs() -> list[Path]:
    if not MODULES.is_dir():
        return []
    return sorted(p.parent for p in MODULES.glob("*/*/versions.tf"))


def module_id(path: Path) -> str:
    return path.relative_to(MODULES).as_posix()


MODULE_PARAMS = [pytest.param(p, id=module_id(p)) for p in module_dirs()]


def unquote(value: Any) -> Any:
    """python-hcl2 8.x keeps the quotes of labels and string literals; strip them."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def load_hcl(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = hcl2.load(f)
    return data


def blocks(path: Path, kind: str) -> dict[str, dict[str, Any]]:
    """Labelled blocks of one kind (variable, output, module) in one file: label -> body."""
    found: dict[str, dict[str, Any]] = {}
    for entry in load_hcl(path).get(kind, []):
        for label, body in entry.items():
            found[unquote(label)] = body
    return found


def required_providers(module: Path, seen: set[Path] | None = None) -> set[str]:
    """Provider sources (namespace/name) a module needs, following local module calls."""
    seen = set() if seen is None else seen
    module = module.resolve()
    if module in seen:
        return set()
    seen.add(module)
    sources: set[str] = set()
    for tf in sorted(module.glob("*.tf")):
        data = load_hcl(tf)
        for terraform in data.get("terraform", []):
            for providers in terraform.get("required_providers", []):
                for name, spec in providers.items():
                    if name.startswith("__"):
                        continue
                    source = unquote(spec.get("source", "")) if isinstance(spec, dict) else ""
                    sources.add((source or f"hashicorp/{name}").lower())
        for entry in data.get("module", []):
            for body in entry.values():
                source = unquote(body.get("source", ""))
                if source.startswith(("./", "../")):
                    sources |= required_providers(module / source, seen)
    return sources


def missing_providers(module: Path) -> list[str]:
    missing = []
    for source in sorted(required_providers(module)):
        parts = source.split("/")
        namespace, name = parts[-2], parts[-1]
        if not tfenv.provider_available(namespace, name):
            missing.append(f"{namespace}/{name}")
    return missing


# --- static checks: layout and typed, described interfaces --------------------------------


@pytest.mark.parametrize("module", MODULE_PARAMS)
def test_module_has_standard_files(module: Path) -> None:
    missing = [name for name in STANDARD_FILES if not (module / name).is_file()]
    assert not missing, f"{module_id(module)}: missing {missing}"
    readme = (module / "README.md").read_text(encoding="utf-8")
    assert "<!-- BEGIN_TF_DOCS -->" in readme and "<!-- END_TF_DOCS -->" in readme, (
        f"{module_id(module)}: README.md needs a <!-- BEGIN_TF_DOCS --> / <!-- END_TF_DOCS --> block"
    )


@pytest.mark.parametrize("module", MODULE_PARAMS)
def test_variables_and_outputs_are_typed_and_described(module: Path) -> None:
    problems: list[str] = []
    variables = 0
    for tf in sorted(module.glob("*.tf")):
        for name, body in blocks(tf, "variable").items():
            variables += 1
            var_type = str(body.get("type", "")).strip()
            if var_type.startswith("${") and var_type.endswith("}"):
                var_type = var_type[2:-1].strip()
            if not var_type:
                problems.append(f"{tf.name}: variable {name!r} has no type")
            elif var_type == "any":
                problems.append(f"{tf.name}: variable {name!r} has type any")
            if not str(unquote(body.get("description", ""))).strip():
                problems.append(f"{tf.name}: variable {name!r} has no description")
        for name, body in blocks(tf, "output").items():
            if not str(unquote(body.get("description", ""))).strip():
                problems.append(f"{tf.name}: output {name!r} has no description")
    assert not problems, f"{module_id(module)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("module", MODULE_PARAMS)
def test_versions_use_lower_bounds(module: Path) -> None:
    text = (module / "versions.tf").read_text(encoding="utf-8")
    floor = re.search(r'required_version\s*=\s*">=\s*1\.([0-9]+)"', text)
    assert floor and int(floor.group(1)) >= 7, f"{module_id(module)}: required_version >= 1.7 (or a later 1.x)"
    constraints = re.findall(r'version\s*=\s*"([^"]*)"', text)
    assert all(c.strip().startswith(">=") for c in constraints), (
        f"{module_id(module)}: only lower bounds (>=) belong in modules, found {constraints}"
    )


# --- terraform init / validate / test ------------------------------------------------------


@pytest.fixture(scope="session")
def modules_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of modules/ per session (or xdist worker), without any .terraform leftovers."""
    dest = tmp_path_factory.mktemp("tf") / "modules"
    shutil.copytree(
        MODULES, dest, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*"), symlinks=True
    )
    return dest


@contextmanager
def plugin_cache_lock() -> Iterator[None]:
    """Serialise CLI-config writes and inits that share the plugin cache across xdist workers."""
    lock_path = Path(tempfile.gettempdir()) / f"infragen-tf-{os.getuid()}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            tfenv.cli_config()
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def show(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


@pytest.mark.terraform
@pytest.mark.parametrize("module", MODULE_PARAMS)
def test_terraform_validate_and_test(module: Path, modules_copy: Path) -> None:
    name = module_id(module)
    if tfenv.terraform_binary() is None:
        pytest.skip(f"{name}: terraform not run: the terraform CLI is not on PATH")
    missing = missing_providers(module)
    workdir = modules_copy / name
    if missing == ["hashicorp/consul"]:
        # No Consul provider here: validate and test the copy in which every consul_* resource is a
        # terraform_data carrying the same arguments (tests/consul_mock.py says what that skips).
        mocked = modules_copy.parent / "consul-mocked"
        with plugin_cache_lock():
            if not mocked.exists():
                staging = modules_copy.parent / f"consul-mocked.tmp{os.getpid()}"
                shutil.copytree(modules_copy, staging, ignore=shutil.ignore_patterns(".terraform*"))
                consul_mock.mock_tree(staging)
                staging.rename(mocked)
        workdir = mocked / name
        print(f"{name}: consul provider not installable; validated and tested with consul_* as terraform_data")
    elif missing:
        pytest.skip(
            f"{name}: terraform test not run: provider {', '.join(missing)} is not installable on this machine "
            "(no registry access)"
        )

    with plugin_cache_lock():
        init = tfenv.run_terraform(["init", "-backend=false", "-input=false", "-no-color"], workdir)
    assert init.returncode == 0, f"{name}: terraform init failed\n{show(init)}"

    validate = tfenv.run_terraform(["validate", "-no-color"], workdir)
    assert validate.returncode == 0, f"{name}: terraform validate failed\n{show(validate)}"

    if not (module / "tests").is_dir():
        return
    test = tfenv.run_terraform(["test", "-no-color"], workdir)
    assert test.returncode == 0, f"{name}: terraform test failed\n{show(test)}"
    summaries = SUMMARY.findall(test.stdout)
    assert summaries, f"{name}: no 'N passed, M failed' summary\n{show(test)}"
    passed, failed = (int(n) for n in summaries[-1])
    assert failed == 0 and passed > 0, f"{name}: expected N passed, 0 failed with N > 0\n{show(test)}"
