"""`infragen compile`: the RegisterTaskDefinition request, pure and deterministic, with connection by
convention; the generated root passes the same container definitions to the module."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliResult
from hcl_literal import local_value

from generator.api import validate
from generator.plan import taskdef
from generator.spec.convention import injected

ORG = Path(__file__).resolve().parent / "fixtures" / "org"  # the fixture organization
NO_AWS = {
    # compile must not call AWS: no credentials, and an endpoint that refuses connections
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_ACCESS_KEY_ID": "",
    "AWS_SECRET_ACCESS_KEY": "",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


def test_compile_prints_the_register_request(cli: Callable[..., CliResult]) -> None:
    result = cli("compile", "klausapproves", "--env", "staging", "--image-tag", "2026.11.23-abc123", env=NO_AWS)
    assert result.code == 0, result.stderr
    request = json.loads(result.stdout)
    assert request["family"] == "klausapproves"
    assert (request["cpu"], request["memory"]) == ("1024", "2048")
    assert request["networkMode"] == "awsvpc" and request["requiresCompatibilities"] == ["FARGATE"]
    assert request["executionRoleArn"] == "arn:aws:iam::111111111111:role/klausapproves-execution"
    assert request["taskRoleArn"] == "arn:aws:iam::111111111111:role/klausapproves-task"
    (container,) = request["containerDefinitions"]
    assert container["image"] == "111111111111.dkr.ecr.eu-west-1.amazonaws.com/klausapproves:2026.11.23-abc123"
    assert [(p["name"], p["containerPort"]) for p in container["portMappings"]] == [("http", 8080), ("metrics", 9090)]
    assert container["logConfiguration"]["options"] == {
        "awslogs-group": "/ecs/klausapproves",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "klausapproves",
    }
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert env == {
        "BPG_URL": "http://bpg-internal.staging.lemon.internal",
        "FEATURE_FLAGS": "instant-approval,${not-a-template}",
        "KLAUSAPPROVES_CACHE_USER": "klausapproves-cache-klausapproves",  # ElastiCache IAM user
        "KLAUSAPPROVES_RDS_USER": "klausapproves",  # rds-db:connect as the user named like the service
        "LOG_LEVEL": "debug",
    }
    assert [e["name"] for e in container["environment"]] == sorted(env)
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    ssm = "arn:aws:ssm:eu-west-1:111111111111:parameter"
    assert secrets == {
        "BPG_API_TOKEN": f"{ssm}/klausapproves/bpg-api-token",
        "KLAUSAPPROVES_CACHE_ENDPOINT": f"{ssm}/infragen/staging/klausapproves-cache/endpoint",
        "KLAUSAPPROVES_CACHE_PORT": f"{ssm}/infragen/staging/klausapproves-cache/port",
        "KLAUSAPPROVES_RDS_DATABASE": f"{ssm}/infragen/staging/klausapproves-rds/database",
        "KLAUSAPPROVES_RDS_HOST": f"{ssm}/infragen/staging/klausapproves-rds/host",
        "KLAUSAPPROVES_RDS_PORT": f"{ssm}/infragen/staging/klausapproves-rds/port",
        "KLAUSAPPROVES_RDS_READER_HOST": f"{ssm}/infragen/staging/klausapproves-rds/reader_host",
        "KLAUSAPPROVES_RDS_READER_HOSTS": f"{ssm}/infragen/staging/klausapproves-rds/reader_hosts",
    }
    assert not any("PASSWORD" in name or "secretsmanager" in arn for name, arn in secrets.items())
    tags = {t["key"]: t["value"] for t in request["tags"]}
    assert tags == {
        "cost-center": "CC-210",  # the owner team's cost center (teams.yaml)
        "environment": "staging",
        "managed-by": "infragen",
        "owner": "payments",
        "service": "klausapproves",
    }


def test_compile_is_deterministic_and_writes_the_file(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    out = tmp_path / "td.json"
    first = cli("compile", "bpg", "--env", "production", "--image-tag", "v1", "-o", str(out), env=NO_AWS)
    second = cli("compile", "bpg", "--env", "production", "--image-tag", "v1", env=NO_AWS)
    assert first.code == second.code == 0
    assert out.read_text(encoding="utf-8") == second.stdout
    names = {s["name"] for s in json.loads(second.stdout)["containerDefinitions"][0]["secrets"]}
    assert names == {"BPG_EVENTS_QUEUE_URL", "BPG_LEDGER_TABLE_NAME", "BPG_STATEMENTS_BUCKET_NAME"}


def test_compile_to_a_file_it_cannot_write_is_a_one_line_error(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    # -o into a folder that does not exist (a typo in the path): one line naming the file, exit 1, no traceback
    out = tmp_path / "missing" / "td.json"
    result = cli("compile", "bpg", "--env", "production", "--image-tag", "v1", "-o", str(out), env=NO_AWS)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"cannot write {out}: No such file or directory"
    assert not out.parent.exists()


def test_the_root_passes_the_same_container_definitions() -> None:
    repo = validate(ORG)
    for service in repo.services:
        for env in service.environments:
            account = repo.account(env)
            main = (ORG / "accounts" / env / "services" / service.name / "main.tf").read_text(encoding="utf-8")
            assert re.search(r"^  container_definitions += jsonencode\(local\.container_definitions\)$", main, re.M)
            from_root = local_value(main, "container_definitions")
            compiled = taskdef.task_definition(repo, service, account, "bootstrap")["containerDefinitions"]
            assert (
                compiled[0]["image"]
                == f"{account.account_id}.dkr.ecr.{account.region}.amazonaws.com/{service.name}:bootstrap"
            )
            assert from_root == compiled, f"{service.name}/{env}"


def test_every_dependency_is_injected_by_convention() -> None:
    repo = validate(ORG)
    account = repo.account("production")
    core = {i.name: i.parameter or f"={i.value}" for i in injected(repo, repo.service("core"), account)}
    assert core == {
        "CORE_CACHE_ENDPOINT": "/infragen/production/core-cache/endpoint",
        "CORE_CACHE_PORT": "/infragen/production/core-cache/port",
        "CORE_CACHE_USER": "=core-cache-core",
        "CORE_DB_DATABASE": "/infragen/production/core-db/database",
        "CORE_DB_HOST": "/infragen/production/core-db/host",
        "CORE_DB_PORT": "/infragen/production/core-db/port",
        "CORE_DB_READER_HOST": "/infragen/production/core-db/reader_host",
        "CORE_DB_READER_HOSTS": "/infragen/production/core-db/reader_hosts",
        "CORE_DB_USER": "=core",
    }


@pytest.mark.parametrize("field", ["variables", "secrets"])
def test_a_convention_name_in_the_environment_file_is_a_validation_error(
    example: Path, cli: Callable[..., CliResult], field: str
) -> None:
    path = example / "services" / "klausapproves" / "environments" / "staging.yaml"
    text = path.read_text(encoding="utf-8")
    if field == "variables":
        text = text.replace("  LOG_LEVEL: debug\n", "  LOG_LEVEL: debug\n  KLAUSAPPROVES_RDS_HOST: localhost\n")
    else:
        text = text.replace("  BPG_API_TOKEN:\n", "  BPG_URL:\n")
    path.write_text(text, encoding="utf-8")
    result = cli("validate", "--root", str(example))
    assert result.code == 1
    name = "KLAUSAPPROVES_RDS_HOST" if field == "variables" else "BPG_URL"
    source = "datastores: klausapproves-rds" if field == "variables" else "services: bpg"
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.strip().startswith(name + ":"))
    assert (
        f"services/klausapproves/environments/staging.yaml:{line}:3: {field}.{name}: {name} is set by connection "
        f"by convention from dependency {source}; rename the {field[:-1]}"
    ) in result.stderr


def test_two_dependencies_with_the_same_convention_name_are_a_validation_error(
    example: Path, cli: Callable[..., CliResult]
) -> None:
    # service bpg-events-queue -> BPG_EVENTS_QUEUE_URL; queue bpg-events -> BPG_EVENTS_QUEUE_URL
    folder = example / "services" / "bpg-events-queue"
    folder.mkdir()
    (folder / "service.yaml").write_text(
        "name: bpg-events-queue\nowner: payments\ndescription: x\nenvironments: [staging]\n"
        "spec:\n  resources: {cpu: 256, memory: 512}\n  desiredCount: 1\n",
        encoding="utf-8",
    )
    spec = example / "services" / "klausapproves" / "service.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("    services: [bpg]\n", "    services: [bpg, bpg-events-queue]\n")
    text = text.replace(
        "datastores: [klausapproves-rds, klausapproves-cache]",
        "datastores: [klausapproves-rds, klausapproves-cache, bpg-events]",
    )
    spec.write_text(text, encoding="utf-8")
    result = cli("validate", "--root", str(example))
    assert result.code == 1
    assert (
        "datastores: bpg-events and services: bpg-events-queue both set BPG_EVENTS_QUEUE_URL by connection by "
        "convention; rename one of them"
    ) in result.stderr
    assert result.stderr.startswith("services/klausapproves/service.yaml:")


def test_values_are_sent_in_nfc_like_terraform_sends_them(example: Path, cli: Callable[..., CliResult]) -> None:
    path = example / "services" / "klausapproves" / "environments" / "staging.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("LOG_LEVEL: debug", 'LOG_LEVEL: "cafe\\u0301"'))
    result = cli(
        "compile", "klausapproves", "--env", "staging", "--image-tag", "v1", "--root", str(example), env=NO_AWS
    )
    assert result.code == 0, result.stderr
    env = {e["name"]: e["value"] for e in json.loads(result.stdout)["containerDefinitions"][0]["environment"]}
    assert env["LOG_LEVEL"] == "caf\u00e9"
