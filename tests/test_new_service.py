"""`infragen new service`: scaffold, then gen, validate and terraform validate on the result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_inputs, run_cli, snapshot
from tfenv import provider_available, run_terraform, terraform_binary

SERVICE_SCHEMA = "# yaml-language-server: $schema=../../schemas/service.schema.json"
ENV_SCHEMA = "# yaml-language-server: $schema=../../../schemas/environment.schema.json"


def new(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("new", "service", *args, "--root", str(root))
    return result.code, result.stdout, result.stderr


def test_scaffold_writes_spec_files_for_every_account(example: Path) -> None:
    code, out, err = new(example, "orders", "--owner", "payments", "--datastore", "postgres:db")
    assert code == 0, err
    service = example / "services/orders/service.yaml"
    envs = sorted(p.name for p in (example / "services/orders/environments").iterdir())
    assert envs == ["production.yaml", "staging.yaml"]  # default: every account
    assert service.read_text().splitlines()[0] == SERVICE_SCHEMA
    for name in envs:
        assert (example / "services/orders/environments" / name).read_text().splitlines()[0] == ENV_SCHEMA
    data = yaml.safe_load(service.read_text())
    assert data["resources"] == {"orders-db": {"type": "postgres"}}
    assert data["spec"]["dependencies"] == {"datastores": ["orders-db"]}
    assert data["spec"]["resources"] == {"cpu": 256, "memory": 512}
    for step in ("make gen", "git commit", "git push"):
        assert step in out


def test_new_service_then_gen_validate_and_terraform_validate(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    if not (root / "modules").is_dir():
        shutil.copytree(
            REPO / "modules", root / "modules", ignore=shutil.ignore_patterns(".terraform*", "tests"), symlinks=True
        )
    code, _, err = new(
        root, "orders", "--owner", "payments", "--cpu", "512", "--memory", "1024", "--desired-count", "2",
        "--env", "staging", "--external-domain", "orders.lemon.com",
        "--datastore", "postgres:db", "--datastore", "queue:jobs", "--datastore", "table:events",
    )  # fmt: skip
    assert code == 0, err
    assert run_cli("gen", "--root", str(root)).code == 0
    check = run_cli("validate", "--root", str(root), "--json")
    assert check.code == 0 and json.loads(check.stdout) == {"valid": True, "problems": []}
    stale = run_cli("gen", "--check", "--root", str(root))
    assert stale.code == 0, stale.stdout + stale.stderr
    root_dir = root / "accounts/staging/services/orders"
    assert (root_dir / "main.tf").is_file() and not (root / "accounts/production/services/orders").exists()
    if terraform_binary() is None or not provider_available("hashicorp", "aws"):
        pytest.skip("terraform validate needs the terraform CLI and hashicorp/aws in the local provider mirror")
    init = run_terraform(["init", "-backend=false", "-input=false", "-no-color"], root_dir)
    assert init.returncode == 0, init.stderr
    result = run_terraform(["validate", "-no-color"], root_dir)
    assert result.returncode == 0, result.stdout + result.stderr


def test_refuses_to_overwrite_an_existing_service(example: Path) -> None:
    before = snapshot(example)
    code, _, err = new(example, "bpg", "--owner", "payments")
    assert code == 1
    assert "services/bpg already exists" in err
    assert snapshot(example) == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--owner", "payment"), "unknown owner 'payment'; did you mean 'payments'?"),
        (("--owner", "payments", "--env", "stagng"), "unknown environment 'stagng'; did you mean 'staging'?"),
        (("--owner", "payments", "--cpu", "256", "--memory", "4096"), "cpu 256 allows memory 512, 1024, 2048"),
        (("--owner", "payments", "--datastore", "postgress:db"), "unknown type 'postgress'; did you mean 'postgres'?"),
        (("--owner", "payments", "--datastore", "db"), "write TYPE:NAME"),
        (("--owner", "payments", "--external-domain", "Not A Domain"), "spec.ingress.domain"),
    ],
)
def test_invalid_arguments_write_nothing(example: Path, args: tuple[str, ...], says: str) -> None:
    before = snapshot(example)
    code, _, err = new(example, "orders", *args)
    assert code == (2 if "--datastore" in args else 1), err  # a malformed argument is a usage error
    assert says in err
    assert "Traceback" not in err
    assert snapshot(example) == before
    if code == 1:  # problems in the files it would have created: said so, since none exists
        assert err.rstrip().endswith(
            "nothing was written: the lines above are in the files this command would "
            "have created; change its options and run it again"
        ), err


def test_bad_name_is_refused_before_any_path_is_built(example: Path) -> None:
    before = snapshot(example)
    code, _, err = new(example, "../escape", "--owner", "payments")
    assert code == 2 and "must be DNS-safe" in err
    assert snapshot(example) == before


def test_a_broken_repository_is_reported_and_nothing_is_written(example: Path) -> None:
    spec = example / "services/bpg/service.yaml"
    spec.write_text(spec.read_text().replace("owner: payments", "owner: nobody"))
    before = snapshot(example)
    code, _, err = new(example, "orders", "--owner", "payments")
    assert code == 1
    assert "services/bpg/service.yaml" in err and "fix the problems above first" in err
    assert snapshot(example) == before


@pytest.mark.parametrize("kind", ["service", "environment", "account", "teams", "infragen"])
def test_schema_command_prints_the_schema_file(kind: str) -> None:
    result = run_cli("schema", kind)
    assert result.code == 0
    assert json.loads(result.stdout) == json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text())


def test_an_external_domain_gets_an_override_where_the_zone_differs(example: Path) -> None:
    code, _, err = new(example, "orders", "--owner", "payments", "--external-domain", "orders.lemon.com")
    assert code == 0, err
    staging = (example / "services/orders/environments/staging.yaml").read_text()
    production = (example / "services/orders/environments/production.yaml").read_text()
    assert "overrides:\n  ingress:\n    domain: orders.staging.lemon.com\n" in staging
    assert "ingress:" not in production  # orders.lemon.com lies in production's zone lemon.com
    assert "domain: orders.lemon.com" in (example / "services/orders/service.yaml").read_text()


def test_a_replaced_external_domain_is_said_and_the_example_uncomments_cleanly(example: Path) -> None:
    """Issue 22: --external-domain outside an account's zone was replaced silently, and uncommenting
    the scaffold's example under a live `overrides:` gave "duplicate key"."""
    result = run_cli("new", "service", "orders", "--owner", "payments", "--external-domain", "orders.lemon.com",
                     "--root", str(example))  # fmt: skip
    assert result.code == 0, result.stderr
    assert (
        "note    staging: external domain orders.staging.lemon.com (orders.lemon.com is outside staging's public "
        "zone staging.lemon.com); change it in services/orders/environments/staging.yaml"
    ) in result.stdout
    assert "note    production" not in result.stdout  # it lies in production's zone
    for env in ("staging", "production"):
        path = example / f"services/orders/environments/{env}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        start = next(i for i, line in enumerate(lines) if line.lstrip("# ") == "desiredCount: 2")
        uncommented = [line.replace("# ", "", 1) if start <= i < start + 4 else line for i, line in enumerate(lines)]
        if not any(line == "overrides:" for line in lines):
            uncommented[start - 1] = uncommented[start - 1].replace("# ", "", 1)  # the example's own key
        path.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["overrides"]["desiredCount"] == 2 and data["overrides"]["resources"]["cpu"] == 1024, env
    checked = run_cli("validate", "--root", str(example))
    assert checked.code == 0, checked.stderr
