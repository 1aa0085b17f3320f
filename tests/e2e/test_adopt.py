"""`infragen adopt` against the moto emulator: Lemon's monolith (tests/fixtures/adopt: a service
with a queue, a table and a bucket) whose resources, its ECS service among them, were made by hand
before it had a spec.

boto3 creates them under their conventional names, `adopt` writes the import blocks and plans,
the root is applied (imported, not created: a create would fail on the taken name), a second
`adopt` removes the file, and its plan (the next plan of the root) creates and destroys nothing. The session is printed
and saved to ``$TMPDIR/infragen-adopt-e2e-transcript.txt``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from tfenv import run_terraform, terraform_binary, terraform_env

from generator import api

from . import harness as h
from .harness import ACCOUNT_ID, ENV
from .test_apply import e2e_requested

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "adopt"
SERVICE = "lemon"
ROOT = f"accounts/{ENV}/services/{SERVICE}"
ASSUME_ECS_TASKS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}
        ],
    }
)
# What was made by hand, at the address the plan of the generated root gives it.
ADOPTED = {
    "module.service.module.ecs_service.aws_cloudwatch_log_group.this": "/ecs/lemon",
    "module.service.module.ecs_service.aws_ecr_repository.this": "lemon",
    "module.service.module.ecs_service.aws_iam_role.task": "lemon-task",
    "module.service.module.ecs_service.aws_iam_role.execution": "lemon-execution",
    "module.lemon_orders.module.dynamodb.aws_dynamodb_table.this": "lemon-orders",
    "module.lemon_files.module.s3.aws_s3_bucket.this": f"lemon-files-{ACCOUNT_ID}",
    'module.lemon_jobs.aws_ssm_parameter.connection["url"]': f"/infragen/{ENV}/lemon-jobs/url",
}


def _require_terraform() -> None:
    if terraform_binary() is not None:
        return
    message = "terraform CLI not on PATH: the adopt e2e plans and applies a root with it"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " -- CI=true: a missing tool is a failure, not a skip", pytrace=False)
    pytest.skip(message)


def tf(cwd: Path, *args: str) -> str:
    done = run_terraform([*args, "-no-color"], cwd, timeout=900)
    assert done.returncode == 0, f"terraform {' '.join(args)}:\n{(done.stdout + done.stderr)[-6000:]}"
    return done.stdout


def test_adopt_against_the_emulator(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if not e2e_requested(request.config):
        pytest.skip("the adopt e2e runs only with `make e2e` (pytest tests/e2e): it applies a root")
    _require_terraform()
    started = time.monotonic()
    transcript: list[str] = []
    with h.moto_server() as endpoint:
        infra = h.provision(endpoint)
        root = h.make_repo(tmp_path / "repo", infra, FIXTURE)
        api.generate(root)
        cwd = root / ROOT
        (cwd / "zz_e2e_override.tf").write_text(h.override(endpoint), encoding="utf-8")
        env = {
            **{k: v for k, v in terraform_env().items() if not k.startswith("AWS_")},
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "NO_COLOR": "1",
        }

        def adopt(code: int) -> str:
            args = ["adopt", SERVICE, "--env", ENV]
            began = time.monotonic()
            proc = subprocess.run(
                [sys.executable, "-m", "generator.cli", *args],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            output = proc.stdout + proc.stderr
            transcript.append(f"$ infragen {' '.join(args)}")
            transcript.extend(output.rstrip("\n").splitlines())
            transcript.append(f"[exit {proc.returncode}; {time.monotonic() - began:.0f} s]")
            assert proc.returncode == code, f"infragen {' '.join(args)} exited {proc.returncode}:\n{output}"
            assert "Traceback" not in output, output
            return output

        # Lemon's resources, made by hand before the spec existed
        logs, ecr, iam, ec2, sqs, dynamodb, s3, ssm = (
            h.client(endpoint, name) for name in ("logs", "ecr", "iam", "ec2", "sqs", "dynamodb", "s3", "ssm")
        )
        logs.create_log_group(logGroupName="/ecs/lemon")
        ecr.create_repository(repositoryName="lemon")
        for role in ("lemon-task", "lemon-execution"):
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=ASSUME_ECS_TASKS)
        group = ec2.create_security_group(GroupName="lemon", Description="monolith tasks", VpcId=infra.vpc_id)
        url = sqs.create_queue(QueueName="lemon-jobs")["QueueUrl"]
        dynamodb.create_table(
            TableName="lemon-orders",
            AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        s3.create_bucket(Bucket=f"lemon-files-{ACCOUNT_ID}", CreateBucketConfiguration={"LocationConstraint": h.REGION})
        ssm.put_parameter(Name=f"/infragen/{ENV}/lemon-jobs/url", Value=url, Type="String")
        transcript.append(
            "# boto3: log group /ecs/lemon, ECR repository lemon, IAM roles lemon-task and lemon-execution, "
            f"security group lemon, queue lemon-jobs, table lemon-orders, bucket lemon-files-{ACCOUNT_ID}, "
            f"SSM parameter /infragen/{ENV}/lemon-jobs/url"
        )
        # the monolith's ECS service, running a task definition registered by hand
        ecs = h.client(endpoint, "ecs")
        family = ecs.register_task_definition(
            family=SERVICE,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[
                {"name": SERVICE, "image": f"{ACCOUNT_ID}.dkr.ecr.{h.REGION}.amazonaws.com/lemon:v1"}
            ],
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(
            cluster=infra.cluster_arn,
            serviceName=SERVICE,
            taskDefinition=family,
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": list(infra.subnet_ids),
                    "securityGroups": [group["GroupId"]],
                    "assignPublicIp": "DISABLED",
                }
            },
        )
        transcript.append("# boto3: ECS service lemon in cluster e2e (Fargate, task definition lemon:1)")

        # a repository made with AWS's defaults (mutable tags, AES256): its encryption cannot change
        # in place, so the plan would replace it (and lose its images): refused, the address named
        out = adopt(code=1)
        assert "refusing to finish" in out
        assert "module.service.module.ecs_service.aws_ecr_repository.this: would be replaced" in out
        ecr.delete_repository(repositoryName="lemon", force=True)
        ecr.create_repository(
            repositoryName="lemon",
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
            encryptionConfiguration={"encryptionType": "KMS"},
        )
        transcript.append("# boto3: ECR repository lemon made again as the spec says (KMS, immutable tags)")

        out = adopt(code=0)
        adopt_file = cwd / "adopt.tf"
        text = adopt_file.read_text(encoding="utf-8")
        transcript.append(f"$ cat {ROOT}/adopt.tf")
        transcript.extend(text.rstrip("\n").splitlines())
        assert text.startswith(f"# Written by `infragen adopt {SERVICE} --env {ENV}`; DO NOT EDIT.\n")
        expected = {
            **ADOPTED,
            "module.service.module.client_access.aws_security_group.this[0]": group["GroupId"],
            "module.lemon_jobs.module.sqs.aws_sqs_queue.this": url,  # the provider imports a queue by its URL
            "module.service.module.ecs_service.aws_ecs_service.this[0]": f"{ENV}/{SERVICE}",  # cluster/service
        }
        for address, import_id in expected.items():
            assert f"  to = {address}\n  id = {json.dumps(import_id)}\n" in text, f"{address} not imported:\n{text}"
            assert f"import {address}  (id {import_id})" in out
        # AWS's default egress rule of the hand-made group is not the root's: named, to be revoked
        assert f"note: security group lemon ({group['GroupId']}) has 1 rule(s) made by hand" in out, out
        fmt = run_terraform(["fmt", "-check", "-diff", "adopt.tf"], cwd)
        assert fmt.returncode == 0, fmt.stdout + fmt.stderr

        # gen and the staleness gate leave the file alone
        assert api.generate(root, check=True).changes == []
        api.generate(root)
        assert adopt_file.read_text(encoding="utf-8") == text

        # the apply imports instead of creating (a create would fail: every name is taken)
        applied = tf(cwd, "apply", "-input=false", "-auto-approve")
        imported = h.counted(applied, "imported")
        transcript.append(f"$ terraform apply  # {imported} imported")
        assert imported >= len(expected), applied[-3000:]

        # the next plan (adopt's own, without the file) creates and destroys nothing
        out = adopt(code=0)
        assert f"removed {ROOT}/adopt.tf: every resource it imported is in the state" in out
        assert not adopt_file.exists()
        assert "created by the apply" not in out and "refusing" not in out, out

    text = "\n".join(transcript) + "\n"
    print(text)
    (Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "infragen-adopt-e2e-transcript.txt").write_text(text)
    print(f"adopt e2e: {time.monotonic() - started:.0f} s")
    shutil.rmtree(tmp_path / "repo", ignore_errors=True)
