"""A service owner's pull request stays green: the README walkthrough on a copy of the repository.

The tool's tests read their own fixture organization (tests/fixtures/org), never the live
services/; this test proves it the way it broke before: it adds `invoices` (postgres, queue,
calls bpg, external ingress, autoscaling, environment files) to a copy of this repository, then
runs there the live-repository gate (`make check`'s steps) and the tests that used to hard-code
today's services. CI runs the whole `make test` on the same copy (`make test-added-service`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tfenv import terraform_binary
from walkthrough import SERVICE, add_service, copy_repository, infragen

if os.environ.get("INFRAGEN_ADDED_SERVICE_COPY") == "1":
    pytest.skip(
        "this run is `make test-added-service`: the repository under test already is the walkthrough's copy",
        allow_module_level=True,
    )

# The tests that went red on the walkthrough's pull request when they read the live services/.
FORMERLY_LIVE = [
    "tests/test_affected.py",
    "tests/test_decommission.py",
    "tests/test_explain.py",
    "tests/test_codeowners.py",
    "tests/test_atlantis_autoplan.py",
    "tests/test_generate.py",
]


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = copy_repository(tmp_path_factory.mktemp("added") / "repo")
    return root, add_service(root)


def test_the_walkthrough_writes_the_service_its_roots_and_the_shared_files(branch: tuple[Path, list[str]]) -> None:
    root, changed = branch
    for env in ("staging", "production"):
        for name in ("main.tf", "versions.tf", "providers.tf", "backend.tf", "outputs.tf"):
            assert f"accounts/{env}/services/{SERVICE}/{name}" in changed
    assert {"atlantis.yaml", "CODEOWNERS", f"services/{SERVICE}/service.yaml"} <= set(changed)
    assert not [path for path in changed if path.startswith("tests/")], "the tool's fixtures must not change"
    atlantis = (root / "atlantis.yaml").read_text(encoding="utf-8")
    assert f"name: staging-{SERVICE}" in atlantis and f"name: production-{SERVICE}" in atlantis


@pytest.mark.parametrize(
    "args",
    [("gen", "--check"), ("validate",), ("docs", "--check"), ("schema", "--check")],
    ids=lambda a: " ".join(a),
)
def test_the_live_repository_gate_passes(branch: tuple[Path, list[str]], args: tuple[str, ...]) -> None:
    root, _ = branch
    result = infragen(root, *args)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_added_roots_are_fmt_clean_and_validate(branch: tuple[Path, list[str]]) -> None:
    root, _ = branch
    binary = terraform_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("terraform CLI missing under CI")
        pytest.skip("terraform CLI missing: fmt/validate of the added roots NOT checked")
    fmt = subprocess.run(
        [binary, "fmt", "-check", "-recursive", "accounts", "modules"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"},
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    validate = _pytest(root, "tests/test_generated_roots.py", env={"INFRAGEN_LIVE_REPO": "1"})
    assert validate.returncode == 0, validate.stdout[-4000:] + validate.stderr[-2000:]
    assert f"{SERVICE}" in validate.stdout  # the added roots were among those validated


def test_the_tests_that_read_the_live_services_now_pass_on_the_branch(branch: tuple[Path, list[str]]) -> None:
    root, _ = branch
    result = _pytest(root, *FORMERLY_LIVE)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]


def _pytest(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-rN", "-v", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=1200,
    )
