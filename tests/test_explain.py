"""`infragen explain <service>`: the PR summary says what the spec declares, generates, plans and needs."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ORG, copy_inputs, run_cli

from generator import generate
from generator.tools.explain import explain


def test_explain_summarises_spec_files_projects_and_approvals() -> None:
    text = explain(ORG, "klausapproves")
    assert text.startswith("## `klausapproves`\n")
    assert "Approves loan applications. Owned by payments (@lemon/payments)." in text
    assert "| CPU units / memory | 2048 / 4096 MiB | 1024 / 2048 MiB |" in text  # production override
    assert "| autoscaling | cpu at 70%, 1 to 10 tasks |" in text
    # each environment's public name as its root has it (staging overrides the domain)
    ingress = next(line for line in text.splitlines() if line.startswith("| ingress |"))
    assert ingress.split(" | ")[1].endswith("public `klausapproves.lemon.com`")
    assert ingress.split(" | ")[2].endswith("public `klausapproves.staging.lemon.com` |")
    assert "Depends on: services `bpg`; datastores `klausapproves-rds`, `klausapproves-cache`." in text
    assert "instance class db.r6g.large, storage GB 100, Multi-AZ yes" in text  # production datastore override
    assert "instance class db.t4g.micro" in text
    assert "database users (IAM auth) [klausapproves]" in text  # the users the root grants
    assert (
        "- `accounts/staging/services/klausapproves/`: backend.tf, main.tf, outputs.tf, providers.tf, versions.tf"
        in text
    )
    production = next(line for line in text.splitlines() if line.startswith("| `production-klausapproves`"))
    assert "after `production-bpg`, `production-team-payments` are applied" in production
    assert "up to date with the base branch" in production  # undiverged
    assert production.endswith("| @lemon/infra |")  # generated roots: the platform team only
    staging = next(line for line in text.splitlines() if line.startswith("| `staging-klausapproves`"))
    assert "up to date with the base branch" in staging  # the server's floor is the same everywhere


def test_explain_a_service_without_datastores_or_dependencies() -> None:
    text = explain(ORG, "demo-service")
    assert "Depends on: none." in text
    assert "| datastore |" not in text
    assert "@lemon/infra |" in text


def test_explain_a_decommissioned_service(tmp_path: Path) -> None:
    repo = copy_inputs(tmp_path / "repo", outputs=True)
    shutil.rmtree(repo / "services/demo-service")
    generate(repo)
    text = explain(repo, "demo-service")
    assert "destroy-only until `infragen prune demo-service`" in text
    assert "| `staging-demo-service` (destroy-only) |" in text


def test_cli_prints_markdown_and_rejects_unknown_services() -> None:
    result = run_cli("explain", "bpg")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("## `bpg`")
    unknown = run_cli("explain", "nope")
    assert unknown.code == 2
    assert "no service 'nope' (known: bpg, core, demo-service, klausapproves)" in unknown.stderr


def test_explain_lists_variable_names_secret_references_grants_and_other_projects() -> None:
    text = run_cli("explain", "klausapproves").stdout
    row = next(line for line in text.splitlines() if line.startswith("| variables (names) |"))
    assert "`FEATURE_FLAGS`" in row and "`LOG_LEVEL`" in row
    assert "instant-approval" not in text  # names, never values
    secrets = next(line for line in text.splitlines() if line.startswith("| secrets (references) |"))
    assert "`BPG_API_TOKEN` from SSM `/klausapproves/bpg-api-token`" in secrets
    assert "`SIGNING_KEY` from Secrets Manager `arn:aws:secretsmanager:eu-west-1:222222222222:secret:" in secrets
    grants = next(
        line for line in text.splitlines() if line.startswith("| execution role: read Secrets Manager secrets |")
    )
    assert "arn:aws:secretsmanager:eu-west-1:222222222222:secret:klausapproves/signing-AbCdEf" in grants
    assert "| execution role: read SSM parameters |" in text
    assert "| tasks join security groups | `bpg-clients`" in text
    bpg = run_cli("explain", "bpg").stdout
    assert "A change to this service's spec or environment files also re-plans:" in bpg
    assert "- `production-klausapproves` (when `services/bpg/service.yaml` changes)" in bpg
    assert "- `staging-klausapproves` (when `services/bpg/service.yaml` changes)" in bpg
