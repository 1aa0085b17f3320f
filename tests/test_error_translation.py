"""Errors that finish the job: every message of issue 12, one bad input each, full text asserted.

Each case edits the example repo and checks the exact line `infragen validate` prints (file, line,
column, field, message). The before texts are in the issue-12 report.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_inputs, run_cli

BPG = "services/bpg/service.yaml"
KLAUS_PROD = "services/klausapproves/environments/production.yaml"
CORE = "services/core/service.yaml"


def edit(root: Path, path: str, old: str, new: str) -> None:
    target = root / path
    text = target.read_text()
    assert old in text, (path, old)
    target.write_text(text.replace(old, new, 1))


CASES: dict[str, tuple[list[tuple[str, str, str]], list[str]]] = {
    "schema and cross-file problems together": (
        [(BPG, "cpu: 512", "cpu: 500"), (BPG, "owner: payments", "owner: payment")],
        [
            f"{BPG}:4:8: owner: unknown owner 'payment'; did you mean 'payments'?",
            f"{BPG}:9:10: spec.resources.cpu: 500 is not one of 256, 512, 1024, 2048, 4096, 8192, 16384",
        ],
    ),
    "name pattern in words with an example": (
        [(BPG, "  bpg-events:\n", "  order_history:\n")],
        [
            f"{BPG}:15:3: resources.order_history: invalid key 'order_history': 'order_history' is not valid here: "
            "write 3 to 40 lower-case letters, digits and '-', starting with a letter and not ending with '-', "
            "for example 'order-history'",
        ],
    ),
    "service name pattern": (
        [(BPG, "name: bpg", "name: Order_History")],
        ["name: 'Order_History' is not valid here: write 3 to 32 lower-case letters, digits and '-', "],
    ),
    "secret shape: allowed keys at that place": (
        [(KLAUS_PROD, "    ssmParameter: /klausapproves/bpg-api-token", "    ssmParameter: /x\n    field: x")],
        [
            f"{KLAUS_PROD}:6:5: secrets.BPG_API_TOKEN: must be {{secretsManager: <full secret ARN>, field: "
            "<json key>} or {ssmParameter: /name}: unknown key 'field'; allowed keys here: kmsKey, ssmParameter",
        ],
    ),
    "secret shape: both kinds": (
        [(KLAUS_PROD, "    ssmParameter: /klausapproves/bpg-api-token", "    ssmParameter: /x\n    secretsManager: y")],
        [
            "secrets.BPG_API_TOKEN: must be {secretsManager: <full secret ARN>, field: <json key>} or "
            "{ssmParameter: /name}: use secretsManager or ssmParameter, not both"
        ],
    ),
    "cpu at the top level belongs under spec.resources": (
        [(BPG, "description:", "cpu: 512\ndescription:")],
        [f"{BPG}:5:1: cpu: unknown field 'cpu': cpu belongs under spec.resources"],
    ),
    "desiredCount at the top level belongs under spec": (
        [(BPG, "description:", "desiredCount: 2\ndescription:")],
        [f"{BPG}:5:1: desiredCount: unknown field 'desiredCount': desiredCount belongs under spec"],
    ),
    "misspelt key: did-you-mean and allowed keys, no second 'missing' error": (
        [(BPG, "  desiredCount: 2", "  desiredCont: 2")],
        [
            f"{BPG}:11:3: spec.desiredCont: unknown field 'desiredCont'; did you mean 'desiredCount'?; allowed keys "
            "here: autoscaling, dependencies, desiredCount, healthCheck, image, ingress, metricsPort, port, previousPort, resources",
        ],
    ),
    "tab": (
        [(BPG, "  desiredCount: 2", "\tdesiredCount: 2")],
        [f"{BPG}:11:1: tabs are not allowed in YAML: indent with spaces"],
    ),
    "indented too deep after a value": (
        [(BPG, "    memory: 1024", "     memory: 1024")],
        [f"{BPG}:10:12: unexpected ':' here: this line is indented deeper than the key above it"],
    ),
    "indented differently from its siblings": (
        [(BPG, "  desiredCount: 2", "   desiredCount: 2")],
        [f"{BPG}:11:4: bad indentation: this line is indented differently from the keys before it"],
    ),
    "autoscaling bounds blamed on the spec that set them, not an environment file without overrides": (
        [
            (CORE, "desiredCount: ", "autoscaling: {resource: cpu, target: 60, min: 2, max: 4}\n  desiredCount: 0 #"),
        ],
        ["spec.autoscaling: desiredCount 0 must lie between autoscaling min 2 and max 4"],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_message(tmp_path: Path, case: str) -> None:
    root = copy_inputs(tmp_path / "repo")
    edits, expected = CASES[case]
    for path, old, new in edits:
        edit(root, path, old, new)
    if "environment file without overrides" in case:
        (root / "services/core/environments").mkdir()
        (root / "services/core/environments/production.yaml").write_text("variables:\n  LOG_LEVEL: info\n")
    result = run_cli("validate", "--root", str(root))
    assert result.code == 1
    assert "Traceback" not in result.stderr
    for line in expected:
        assert line in result.stderr, result.stderr
    assert "does not match" not in result.stderr and "Additional properties" not in result.stderr
    assert "invalid YAML: " not in result.stderr
    assert "environments/production.yaml" not in result.stderr or "without overrides" not in case
    assert len(result.stderr.strip().splitlines()) == len(expected)


def test_autoscaling_bounds_blame_the_environment_override(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    path = root / "services/bpg/environments/production.yaml"
    edit(root, BPG, "desiredCount: 2", "desiredCount: 2\n  autoscaling: {resource: cpu, target: 60, min: 2, max: 4}")
    path.write_text(path.read_text().replace("desiredCount: 3", "desiredCount: 9"))
    result = run_cli("validate", "--root", str(root))
    assert result.code == 1
    assert (
        "services/bpg/environments/production.yaml:5:17: overrides.desiredCount: desiredCount 9 must lie between "
        "autoscaling min 2 and max 4 in production" in result.stderr
    )


@pytest.mark.parametrize(
    ("datastore", "says"),
    [
        ("sqs:x", "unknown type 'sqs'; did you mean 'queue' (queue:x)?"),
        ("dynamodb:x", "did you mean 'table' (table:x)?"),
        ("s3:x", "did you mean 'bucket' (bucket:x)?"),
        ("postgress:x", "unknown type 'postgress'; did you mean 'postgres'?"),
        ("db", "write TYPE:NAME, for example postgres:db"),
    ],
)
def test_usage_errors_exit_2_with_a_suggestion(tmp_path: Path, datastore: str, says: str) -> None:
    root = copy_inputs(tmp_path / "repo")
    result = run_cli("new", "service", "orders", "--owner", "payments", "--datastore", datastore, "--root", str(root))
    assert result.code == 2, result.stderr
    assert says in result.stderr
    assert not (root / "services/orders").exists()


def test_unknown_service_is_a_usage_error_with_a_suggestion() -> None:
    result = run_cli("explain", "klausaproves")
    assert result.code == 2
    assert "no service 'klausaproves'; did you mean 'klausapproves'?" in result.stderr


def _on_a_terminal(root: Path, no_color: str | None) -> str:
    """Run `validate` with stdout and stderr on a pseudo-terminal; return what it printed."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "validate", "--root", str(root)],
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_only_on_a_terminal_without_no_color(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    edit(root, BPG, "owner: payments", "owner: payment")
    assert "\x1b[" in _on_a_terminal(root, None)
    plain = _on_a_terminal(root, "1")
    assert "\x1b[" not in plain
    assert "unknown owner 'payment'" in plain
    assert "4 | owner: payment" in plain  # the excerpt still shows on a terminal
    piped = subprocess.run(
        [sys.executable, "-m", "generator.cli", "validate", "--root", str(root)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "NO_COLOR"},
    )
    assert "\x1b[" not in piped.stderr and "unknown owner 'payment'" in piped.stderr


def test_a_resources_override_is_checked_at_its_memory_line(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    env = root / "services/bpg/environments/staging.yaml"
    env.write_text("overrides:\n  resources:\n    cpu: 256\n    memory: 8192\n")
    result = run_cli("validate", "--root", str(root))
    assert result.code == 1
    assert "services/bpg/environments/staging.yaml:4:13: overrides.resources.memory: memory 8192 is not valid" in (
        result.stderr
    )
