"""Every refusal of the deploy commands is one line on stderr and exit 1, never a traceback:
unknown service or environment, no credentials, an unreachable endpoint, the wrong account and a
missing image (the last two against a moto server on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from conftest import CliResult
from e2e.harness import client, free_port, moto_server

ORG = Path(__file__).resolve().parent / "fixtures" / "org"  # the fixture organization

CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
NO_PROFILE = {
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def aws_cli(*args: str, env: dict[str, str]) -> CliResult:
    """`infragen` in a subprocess with no AWS_* variable but ``env`` (no profile, no ambient credentials)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=ORG,
        capture_output=True,
        text=True,
        env={**clean, **NO_PROFILE, **env, "NO_COLOR": "1"},
        timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def one_line_error(result: CliResult) -> str:
    assert result.code == 1, (result.code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    # --allow-unreviewed's warning (the fixture is no git work tree) is its own line
    lines = [
        line for line in result.stderr.strip().splitlines() if not line.startswith("warning: deploying an unreviewed")
    ]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["deploy", "nope", "--env", "staging", "--image-tag", "v1"],
            "unknown service 'nope' (known services: bpg, core, demo-service, klausapproves)",
        ),
        (
            ["deploy", "bgp", "--env", "staging", "--image-tag", "v1"],
            "unknown service 'bgp'; did you mean 'bpg'? (known services: bpg, core, demo-service, klausapproves)",
        ),
        (["status", "bpg", "--env", "stagin"], "unknown environment 'stagin'; did you mean 'staging'?"),
        (["verify", "bpg", "--env", "qa"], "unknown environment 'qa'; accounts are: production, staging"),
        (
            ["compile", "bpg", "--env", "qa", "--image-tag", "v1"],
            "unknown environment 'qa'; accounts are: production, staging",
        ),
        (
            ["deploy", "bpg", "--env", "staging", "--image-tag", "v1:latest", "--allow-unreviewed"],
            "--image-tag 'v1:latest' is not a valid image tag: 1-128 of A-Z a-z 0-9 _ . -, not starting with . or -",
        ),
    ],
)
def test_unknown_service_or_environment(cli: Callable[..., CliResult], args: list[str], message: str) -> None:
    assert one_line_error(cli(*args)) == message


def test_no_credentials(cli: Callable[..., CliResult]) -> None:
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    line = one_line_error(
        aws_cli("deploy", "bpg", "--env", "staging", "--image-tag", "v1", "--allow-unreviewed", env=env)
    )
    assert line.startswith("sts:GetCallerIdentity: no AWS credentials found")


def test_unreachable_endpoint(cli: Callable[..., CliResult]) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    env = {**CREDS, "AWS_ENDPOINT_URL": url, "AWS_MAX_ATTEMPTS": "1"}
    line = one_line_error(aws_cli("status", "bpg", "--env", "staging", env=env))
    assert line.startswith(
        f'sts:GetCallerIdentity: cannot reach the AWS endpoint: Could not connect to the endpoint URL: "{url}/'
    )


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


def test_wrong_account(cli: Callable[..., CliResult], endpoint: str) -> None:
    env = {**CREDS, "AWS_ENDPOINT_URL": endpoint}
    line = one_line_error(
        aws_cli("deploy", "bpg", "--env", "staging", "--image-tag", "v1", "--allow-unreviewed", env=env)
    )
    assert line == (
        "wrong AWS account: the credentials are for 123456789012 (arn:aws:sts::123456789012:user/moto), "
        "but accounts/staging/account.yaml says 111111111111"
    )


def test_missing_image_and_repository(example: Path, cli: Callable[..., CliResult], endpoint: str) -> None:
    account = example / "accounts" / "staging" / "account.yaml"
    data = yaml.safe_load(account.read_text(encoding="utf-8"))
    data["accountId"] = "123456789012"  # moto's account
    account.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    env = {**CREDS, "AWS_ENDPOINT_URL": endpoint}
    args = ("deploy", "bpg", "--env", "staging", "--image-tag", "v9", "--allow-unreviewed", "--root", str(example))
    line = one_line_error(aws_cli(*args, env=env))
    assert line == "ECR repository 'bpg' does not exist in 123456789012/eu-west-1: apply the service's root first"
    ecr = client(endpoint, "ecr")
    ecr.create_repository(repositoryName="bpg")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": []}
    ecr.put_image(repositoryName="bpg", imageManifest=json.dumps(manifest), imageTag="v1")
    line = one_line_error(aws_cli(*args, env=env))
    assert line == (
        "image tag 'v9' not found in ECR repository 123456789012.dkr.ecr.eu-west-1.amazonaws.com/bpg: push it first"
    )
    # nothing was registered
    assert client(endpoint, "ecs").list_task_definitions()["taskDefinitionArns"] == []


def test_an_html_error_page_is_one_line() -> None:
    """An endpoint that answers a 500 with an HTML page (moto's RunTask crash in the sandbox, a
    proxy): botocore hands the page over as the message, several lines of HTML. One line instead."""
    from botocore.exceptions import ClientError

    from generator.deploy.aws import DeployError, translated

    page = (
        "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n"
        "<p>The server encountered an internal error and was unable to complete your request.</p>\n"
    )
    with pytest.raises(DeployError) as raised, translated("ecs:RunTask"):
        raise ClientError({"Error": {"Code": "500", "Message": page}}, "RunTask")
    assert str(raised.value) == "ecs:RunTask: 500: 500 Internal Server Error (the endpoint answered with an HTML page)"
    with pytest.raises(DeployError) as raised, translated("ecs:RunTask"):
        raise ClientError({"Error": {"Code": "Boom", "Message": "first line\n  second " + "x" * 400}}, "RunTask")
    text = str(raised.value)
    assert "\n" not in text and text.startswith("ecs:RunTask: Boom: first line second xxx") and text.endswith("...")
