"""The dynamic half against the moto emulator: apply one service root with Terraform, then run the
real `infragen` CLI as a service owner would (compile, verify, deploy, status with a pending spec
change, rollback, verify failures, tasks, stop-task, restart, logs) and compare `compile` with the
task definition Terraform applied (only the image may differ).

moto does not simulate rollouts (deployments stay as created, no tasks start) or ECS Exec, so the
deploys here use ``--no-wait``; waiting and failure handling are tested with botocore's Stubber in
tests/test_deploy_rollout.py. The terminal session is printed and saved to
``$TMPDIR/infragen-deploy-e2e-transcript.txt``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tfenv import run_terraform, terraform_binary

from generator import api

from . import harness as h
from .harness import ACCOUNT_ID, ENV, REGION
from .test_apply import e2e_requested

SERVICE = "ledger"
TASKDEF = "module.service.module.ecs_service.aws_ecs_task_definition.this"


class Session:
    """Runs `infragen` in a subprocess against the emulator and keeps a transcript."""

    def __init__(self, root: Path, endpoint: str) -> None:
        self.root = root
        self.lines: list[str] = []
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "NO_COLOR": "1",
        }

    def run(self, *args: str, code: int = 0) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "generator.cli", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        output = proc.stdout + proc.stderr
        self.lines.append(f"$ infragen {' '.join(args)}")
        self.lines.extend(output.rstrip("\n").splitlines())
        self.lines.append(f"[exit {proc.returncode}]")
        assert proc.returncode == code, f"infragen {' '.join(args)} exited {proc.returncode}:\n{output}"
        assert "Traceback" not in output, output
        return output

    def note(self, text: str) -> None:
        self.lines.append(f"# {text}")


def tf(cwd: Path, *args: str) -> str:
    done = run_terraform([*args, "-no-color"], cwd, timeout=900)
    assert done.returncode == 0, f"terraform {' '.join(args)}:\n{(done.stdout + done.stderr)[-6000:]}"
    return done.stdout


def applied_task_definition(cwd: Path) -> dict[str, Any]:
    state = json.loads(run_terraform(["show", "-json"], cwd).stdout)

    def walk(module: dict[str, Any]) -> list[dict[str, Any]]:
        found = [r for r in module.get("resources", []) if r["address"] == TASKDEF]
        for child in module.get("child_modules", []):
            found += walk(child)
        return found

    (resource,) = walk(state["values"]["root_module"])
    values: dict[str, Any] = resource["values"]
    return values


def as_request(values: dict[str, Any]) -> dict[str, Any]:
    """The Terraform state of aws_ecs_task_definition in RegisterTaskDefinition's shape."""
    return {
        "family": values["family"],
        "taskRoleArn": values["task_role_arn"],
        "executionRoleArn": values["execution_role_arn"],
        "networkMode": values["network_mode"],
        "requiresCompatibilities": sorted(values["requires_compatibilities"]),
        "cpu": values["cpu"],
        "memory": values["memory"],
        "containerDefinitions": json.loads(values["container_definitions"]),
        "volumes": [{"name": v["name"]} for v in values["volume"]],
        "tags": [{"key": k, "value": v} for k, v in sorted(values["tags_all"].items())],
    }


def without_image(request: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The request without the images; container fields whose value is an empty list are dropped
    (the provider reads the task definition back with AWS's defaults, e.g. ``volumesFrom: []``,
    which is the same as leaving the field out)."""
    copy = json.loads(json.dumps(request))
    images = [c.pop("image") for c in copy["containerDefinitions"]]
    copy["containerDefinitions"] = [{k: v for k, v in c.items() if v != []} for c in copy["containerDefinitions"]]
    return copy, images


def test_deploy_commands_against_the_emulator(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if not e2e_requested(request.config):
        pytest.skip("the deploy e2e runs only with `make e2e` (pytest tests/e2e): it applies a root")
    if terraform_binary() is None:
        pytest.skip("terraform CLI not on PATH: the deploy e2e applies a root with it")
    started = time.monotonic()
    with h.moto_server() as endpoint:
        infra = h.provision(endpoint)
        root = h.make_repo(tmp_path / "repo", infra)
        api.generate(root)
        # A reviewed tree, as deploy requires: committed on main; Terraform's local files ignored.
        (root / ".gitignore").write_text(".terraform/\n*.tfstate*\n.terraform.lock.hcl\nzz_*.tf\n", encoding="utf-8")
        subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
        subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "-c",
                "user.name=e2e",
                "-c",
                "user.email=e2e@example.invalid",
                "commit",
                "-qm",
                "e2e",
            ],
            check=True,
        )
        cwd = root / "accounts" / ENV / "services" / SERVICE
        (cwd / "zz_e2e_override.tf").write_text(h.override(endpoint), encoding="utf-8")
        tf(cwd, "init", "-input=false")
        tf(cwd, "apply", "-input=false", "-auto-approve")
        applied = time.monotonic()
        (cwd / "zz_e2e_override.tf").unlink()

        ecr = h.client(endpoint, "ecr")
        try:
            ecr.describe_repositories(repositoryNames=[SERVICE])
        except ecr.exceptions.RepositoryNotFoundException:
            # The ECR repository is part of aws/ecs-service (issue 10); until that lands, create it here.
            ecr.create_repository(repositoryName=SERVICE)
        for tag, digest in (("v1", "1" * 64), ("v2", "2" * 64)):
            manifest = json.dumps(
                {
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                    "config": {"digest": f"sha256:{digest}"},
                    "layers": [],
                }
            )
            ecr.put_image(repositoryName=SERVICE, imageManifest=manifest, imageTag=tag)

        s = Session(root, endpoint)
        base = (SERVICE, "--env", ENV)

        # compile == what Terraform applied, except the image
        compiled = json.loads(s.run("compile", *base, "--image-tag", "v1"))
        s.note("verify with everything provisioned")
        out = s.run("verify", *base, "--image-tag", "v1")
        # the emulator's two /24 subnets (251 addresses each); ledger's ceiling is 2, nothing runs yet
        assert "(maximumPercent 200), 0 run now: 4 more needed" in out and "ok   subnets: 502 free address(es)" in out
        s.run("deploy", *base, "--image-tag", "v1", "--no-wait")
        s.run("deploy", *base, "--image-tag", "v2", "--no-wait")
        out = s.run("status", *base)
        assert "image tag v2" in out and "the running revision matches the spec" in out

        env_file = root / "services" / SERVICE / "environments" / f"{ENV}.yaml"
        text = env_file.read_text(encoding="utf-8")
        changed = text.replace("LOG_LEVEL: debug", "LOG_LEVEL: info")
        changed += "overrides:\n  resources:\n    cpu: 256\n    memory: 1024\n"
        env_file.write_text(changed, encoding="utf-8")
        s.note("changed LOG_LEVEL and memory 512 -> 1024 in services/ledger/environments/e2e.yaml")
        out = s.run("status", *base)
        assert "memory 512 → 1024" in out and "LOG_LEVEL changed (variable)" in out
        assert f"infragen deploy {SERVICE} --env {ENV} --image-tag v2" in out
        status_json = json.loads(s.run("status", *base, "--json"))
        assert status_json["pendingChanges"] == ["memory 512 → 1024", "LOG_LEVEL changed (variable)"]
        env_file.write_text(text, encoding="utf-8")

        out = s.run("rollback", *base, "--no-wait")
        assert "rollback to ledger:" in out
        out = s.run("status", *base)
        assert "image tag v1" in out, out
        out = s.run("service", "history", *base)
        rows = [line.split() for line in out.splitlines()[1:]]
        assert [r[:3] for r in rows[:3]] == [["3", "v2", rows[0][2]], ["*", "2", "v1"], ["1", "-", "-"]], out
        assert out.splitlines()[3].endswith("(the root's bootstrap revision, whose image was never pushed)")
        s.note("the bootstrap revision's image does not exist: rollback refuses it and lists what it can use")
        out = s.run("rollback", *base, "--to", "1", "--no-wait", code=1)
        assert "refusing to roll back to ledger:1" in out and "deployable revisions: 3 (v2)" in out

        s.note("verify fails for a missing image tag")
        out = s.run("verify", *base, "--image-tag", "v3", code=1)
        assert f"FAIL image: {SERVICE}:v3 not found" in out
        env_file.write_text(
            env_file.read_text(encoding="utf-8") + "secrets:\n  API_TOKEN:\n    ssmParameter: /ledger/missing-token\n",
            encoding="utf-8",
        )
        s.note("added a secret reference to /ledger/missing-token, which does not exist")
        out = s.run("verify", *base, "--image-tag", "v1", code=1)
        assert "FAIL secret API_TOKEN: SSM parameter /ledger/missing-token not found" in out
        env_file.write_text(text, encoding="utf-8")

        # moto starts no tasks for a service: start one in the service's group, as ECS would
        ecs = h.client(endpoint, "ecs")
        # (moto's RunTask needs a container-level memory, which a Fargate task definition does not
        # need: a stand-in family, run in the service's group as the ECS scheduler would)
        ecs.register_task_definition(
            family=f"{SERVICE}-e2e-stand-in",
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": SERVICE, "image": "stand-in", "memory": 512}],
        )
        ec2 = h.client(endpoint, "ec2")
        ec2.modify_vpc_attribute(VpcId=infra.vpc_id, EnableDnsHostnames={"Value": True})  # as an ECS VPC has
        groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [SERVICE]}])["SecurityGroups"]
        ecs.run_task(
            cluster=infra.cluster_arn,
            taskDefinition=f"{SERVICE}-e2e-stand-in",
            count=1,
            launchType="FARGATE",
            group=f"service:{SERVICE}",
            startedBy="ecs-svc/1234567890",
            networkConfiguration={
                "awsvpcConfiguration": {"subnets": list(infra.subnet_ids), "securityGroups": [groups[0]["GroupId"]]}
            },
        )
        out = s.run("service", "tasks", *base)
        task_id = out.split()[0]
        assert f"{SERVICE}-e2e-stand-in:1" in out
        out = s.run("service", "stop-task", SERVICE, task_id, "--env", ENV)
        assert task_id in out
        out = s.run("service", "tasks", *base, "--stopped")
        assert "STOPPED" in out and "infragen service stop-task" in out
        out = s.run("service", "restart", *base, "--no-wait")
        assert "restart of" in out

        logs = h.client(endpoint, "logs")
        stream = f"{SERVICE}/{SERVICE}/{task_id}"
        logs.create_log_stream(logGroupName=f"/ecs/{SERVICE}", logStreamName=stream)
        now = int(time.time() * 1000)
        logs.put_log_events(
            logGroupName=f"/ecs/{SERVICE}",
            logStreamName=stream,
            logEvents=[
                {"timestamp": now - 1000, "message": "listening on :8080"},
                {"timestamp": now, "message": "GET /health 200"},
            ],
        )
        out = s.run("service", "logs", *base, "--since", "5m")
        assert "listening on :8080" in out and out.index("listening") < out.index("GET /health")

        s.note("exec needs the AWS CLI and session-manager-plugin; moto has no ExecuteCommand")
        if shutil.which("aws") is None or shutil.which("session-manager-plugin") is None:
            out = s.run("service", "exec", *base, code=1)
            assert "ECS Exec needs" in out

        # compile == the task definition Terraform applied, except the image
        shown = applied_task_definition_from(root, endpoint)
        want, want_images = without_image(compiled)
        got, got_images = without_image(as_request(shown))
        assert got == want
        assert want_images == [f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{SERVICE}:v1"]
        assert got_images == [f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{SERVICE}:bootstrap"]

    transcript = "\n".join(s.lines) + "\n"
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "infragen-deploy-e2e-transcript.txt"
    path.write_text(transcript, encoding="utf-8")
    print(f"\n--- deploy e2e transcript ({path}) ---\n{transcript}", flush=True)
    print(
        f"deploy e2e: apply {applied - started:.0f}s, commands {time.monotonic() - applied:.0f}s, "
        f"{sum(1 for line in s.lines if line.startswith('$'))} infragen commands",
        flush=True,
    )


def applied_task_definition_from(root: Path, endpoint: str) -> dict[str, Any]:
    cwd = root / "accounts" / ENV / "services" / SERVICE
    (cwd / "zz_e2e_override.tf").write_text(h.override(endpoint), encoding="utf-8")
    try:
        return applied_task_definition(cwd)
    finally:
        (cwd / "zz_e2e_override.tf").unlink()
