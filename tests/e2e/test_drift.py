"""`infragen drift` against the moto emulator: apply one small root (tests/fixtures/drift: a service
and its queue), require no drift right after the apply, then change with boto3 what a person
changes in the console (the ECS desired count, the queue's visibility timeout, a tag, an ingress
rule) and require each at its spec line (the rule: "not set by the spec"). The session is printed
and saved to ``$TMPDIR/infragen-drift-e2e-transcript.txt``.
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
from .harness import ENV
from .test_apply import e2e_requested

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "drift"
SERVICE = "orders"


def tf(cwd: Path, *args: str) -> None:
    done = run_terraform([*args, "-no-color"], cwd, timeout=900)
    assert done.returncode == 0, f"terraform {' '.join(args)}:\n{(done.stdout + done.stderr)[-6000:]}"


def line_of(root: Path, file: str, needle: str) -> int:
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, start=1) if needle in text)


def test_drift_against_the_emulator(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if not e2e_requested(request.config):
        pytest.skip("the drift e2e runs only with `make e2e` (pytest tests/e2e): it applies a root")
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: the drift e2e applies a root with it")
    started = time.monotonic()
    transcript: list[str] = []
    with h.moto_server() as endpoint:
        infra = h.provision(endpoint)
        root = h.make_repo(tmp_path / "repo", infra, FIXTURE)
        shutil.rmtree(root / "plans")  # the captured plans of tests/test_drift.py are not part of the repo
        api.generate(root)
        cwd = root / "accounts" / ENV / "services" / SERVICE
        (cwd / "zz_e2e_override.tf").write_text(h.override(endpoint), encoding="utf-8")
        tf(cwd, "init", "-input=false")
        tf(cwd, "apply", "-input=false", "-auto-approve")
        env = {
            **{k: v for k, v in terraform_env().items() if not k.startswith("AWS_")},
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "NO_COLOR": "1",
        }

        def drift(*extra: str, code: int) -> str:
            args = ["drift", SERVICE, "--env", ENV, *extra]
            proc = subprocess.run(
                [sys.executable, "-m", "generator.cli", *args],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            output = proc.stdout + proc.stderr
            transcript.append(f"$ infragen {' '.join(args)}")
            transcript.extend(output.rstrip("\n").splitlines())
            transcript.append(f"[exit {proc.returncode}]")
            assert proc.returncode == code, f"infragen {' '.join(args)} exited {proc.returncode}:\n{output}"
            assert "Traceback" not in output, output
            return output

        # right after the apply: nothing, in both halves
        out = drift(code=0)
        assert "no drift: what runs matches the spec" in out and "running revision orders:1" in out

        # what a person changes in the console
        ecs, sqs, ec2 = (h.client(endpoint, name) for name in ("ecs", "sqs", "ec2"))
        ecs.update_service(cluster=infra.cluster_arn, service=SERVICE, desiredCount=5)
        url = sqs.get_queue_url(QueueName="orders-jobs")["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "120"})
        sqs.tag_queue(QueueUrl=url, Tags={"owner": "growth"})
        (group,) = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [SERVICE]}])["SecurityGroups"]
        ec2.authorize_security_group_ingress(
            GroupId=group["GroupId"],
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "debugging"}],
                }
            ],
        )
        transcript.append(
            "# boto3: ECS desiredCount 5; orders-jobs VisibilityTimeout 120 and tag owner=growth; "
            "ingress tcp 8080 from 10.0.0.0/8 on security group orders"
        )
        out = drift(code=2)
        env_file, service_file = "services/orders/environments/e2e.yaml", "services/orders/service.yaml"
        expected = [
            f"{env_file}:{line_of(root, env_file, 'desiredCount: 2')} overrides.desiredCount 2, running 5",
            f"{env_file}:{line_of(root, env_file, 'visibilityTimeoutSeconds: 60')} "
            "overrides.datastores.orders-jobs.visibilityTimeoutSeconds 60, running 120",
            f"{service_file}:{line_of(root, service_file, 'owner: payments')} owner payments, running growth",
            'not set by the spec: ingress tcp 8080 from 10.0.0.0/8 ("debugging")',
        ]
        for text in expected:
            assert text in out, f"{text!r} not in:\n{out}"
        data = json.loads(drift("--json", code=2))
        (report,) = data["reports"]
        assert len(report["findings"]) == len(expected), report["findings"]

    text = "\n".join(transcript) + "\n"
    print(text)
    (Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "infragen-drift-e2e-transcript.txt").write_text(text)
    print(f"drift e2e: {time.monotonic() - started:.0f} s")
