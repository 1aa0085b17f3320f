"""The staleness gate on an Atlantis server: `gen --check` runs once per project of a pull request,
in parallel, on one checkout. One gate computes the verdict; the others (waiting on its lock, or
later) print the same verdict without loading the repository, while Terraform writes its working
files into the roots."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import loading_fails

from generator import api
from generator.write import stamp as incremental

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo(stamped: Path) -> Path:
    return stamped


def test_a_failed_gate_is_printed_again_without_loading(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = repo / "services" / "core" / "service.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("desiredCount: 1", "desiredCount: 2"), encoding="utf-8")
    first = api.generate(repo, check=True).changes
    assert {c.path for c in first} == {f"accounts/{env}/services/core/main.tf" for env in ("production", "staging")}
    loading_fails(monkeypatch)
    assert api.generate(repo, check=True).changes == first
    assert not incremental.unchanged(repo), "a failed verdict is not a consistent tree: gen still writes"


def test_terraform_working_files_leave_the_verdict(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert api.generate(repo, check=True).changes == []
    root = repo / "accounts" / "staging" / "services" / "core"
    (root / ".terraform" / "providers").mkdir(parents=True)
    (root / ".terraform.lock.hcl").write_text("# lock\n", encoding="utf-8")
    (root / "staging-core-default.tfplan").write_bytes(b"PK\x03\x04")
    (root / "staging-core-default.json").write_text("{}", encoding="utf-8")
    loading_fails(monkeypatch)
    assert api.generate(repo, check=True).changes == []


def test_other_new_files_are_judged_again(repo: Path) -> None:
    assert api.generate(repo, check=True).changes == []
    root = repo / "accounts" / "staging" / "services" / "core"
    (root / "notes.json").write_text("{}", encoding="utf-8")  # no plan beside it: not Atlantis's
    assert incremental.verdict(repo) is None
    header = (root / "main.tf").read_text(encoding="utf-8").splitlines()[0]
    (root / "stray.tf").write_text(f"{header}\n", encoding="utf-8")  # a generated-looking orphan
    assert [(c.path, c.action) for c in api.generate(repo, check=True).changes] == [
        ("accounts/staging/services/core/stray.tf", "delete")
    ]


GATE = """
import sys
from pathlib import Path
from generator import api
real = api._generate
LOG = sys.argv[1]
def counted(root, **options):
    with open(LOG, "a", encoding="utf-8") as log:
        log.write("computed\\n")
    return real(root, **options)
api._generate = counted
from generator.cli import main
sys.argv = ["infragen", "gen", "--check", "--root", sys.argv[2]]
main()
"""


def test_concurrent_gates_compute_once(repo: Path, tmp_path: Path) -> None:
    """Eight gates started together on one checkout: one computes, seven print its verdict."""
    spec = repo / "services" / "core" / "service.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("desiredCount: 1", "desiredCount: 2"), encoding="utf-8")
    time.sleep(1.1)  # the gates keep the real 1 s settle delay: a checkout is older when Atlantis plans it
    log = tmp_path / "computed.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}
    project = repo / "accounts" / "staging" / "services" / "core"
    gates = [
        subprocess.Popen(
            [sys.executable, "-c", GATE, str(log), str(repo)],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(8)
    ]
    outputs = [gate.communicate(timeout=600)[0] for gate in gates]
    assert [gate.returncode for gate in gates] == [1] * 8, outputs
    assert len(set(outputs)) == 1, outputs
    assert "accounts/staging/services/core/main.tf" in outputs[0]
    assert log.read_text(encoding="utf-8").splitlines() == ["computed"]
