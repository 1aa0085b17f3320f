"""The dynamic side of a job (kind: job): deploy and rollback point its EventBridge Scheduler
schedule at a revision (UpdateSchedule with every other field kept), never touching an ECS
service; status shows the schedule and the last runs; verify checks the schedule; restart is
refused; run reads the network from the schedule. The golden job fixture's inputs
(tests/golden/job/input) run in-process against moto 5.2.6, which implements the scheduler API
(CreateSchedule, GetSchedule, UpdateSchedule); where moto falls short, the test says so by name.

moto gaps met here (docs/testing.md):
- scheduler UpdateSchedule ignores ``ActionAfterCompletion`` (the stored value stays), so that the
  field is sent is checked on the request, not on GetSchedule afterwards;
- ECS RunTask needs a container-level ``memory`` and, with awsvpc, a VPC with DNS hostnames;
  its stopped tasks have no ``stopCode``, ``stoppedAt`` nor a real exit code (always 0), so the
  runs ``status`` prints are fed to a botocore Stubber in the real ECS API's shapes.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber

from generator.deploy import inspect, rollout, run, schedule
from generator.deploy.aws import Aws, DeployError, Target, resolve
from generator.deploy.review import Review
from generator.errors import CommandError
from generator.plan import taskdef
from generator.plan.policy import deploy_policy

JOB_INPUT = Path(__file__).resolve().parent / "golden" / "job" / "input"
ACCOUNT = "333333333333"
REGION = "us-east-1"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/dev"
SCHEDULER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/reconcile-scheduler"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b1e9c3a-7c4e-4a4e-9d55-2f4f0f7e2a11"
REVIEWED = Review(commit="c0ffee", reviewed=True, why="")
NOW = dt.datetime(2026, 12, 4, 3, 0, tzinfo=dt.UTC)


@dataclass
class Calls:
    """Every AWS operation the code under test made (``service:Operation``), and the
    UpdateSchedule requests as sent."""

    operations: list[str] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)

    def record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.operations.append(f"{model.service_model.signing_name}:{model.name}")
        if model.name == "UpdateSchedule":
            self.updates.append(params)


@dataclass
class Job:
    target: Target
    calls: Calls
    aws: Aws
    bootstrap: str
    network: dict[str, Any]


@pytest.fixture
def moto_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from moto import mock_aws

    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def _image(ecr: Any, tag: str) -> None:
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", '
    manifest += f'"config": {{"digest": "sha256:{tag[-1] * 64}"}}, "layers": []}}'
    ecr.put_image(repositoryName="reconcile", imageManifest=manifest, imageTag=tag)


def _recording_aws(calls: Calls) -> Aws:
    session = boto3.session.Session(region_name=REGION)
    session.events.register("provide-client-params", calls.record)
    return Aws(region=REGION, session=session)


@pytest.fixture
def job(moto_env: None, tmp_path: Path) -> Job:
    """reconcile in dev as its root leaves it: the cluster, the ECR repository (images v1, v2), the
    bootstrap revision 1 and the schedule running it, with non-default values in every field
    UpdateSchedule could reset."""
    root = tmp_path / "repo"
    shutil.copytree(JOB_INPUT, root)
    target = resolve(root, "reconcile", "dev")
    ecs, ecr, ec2, scheduler = (boto3.client(n, region_name=REGION) for n in ("ecs", "ecr", "ec2", "scheduler"))
    ecs.create_cluster(clusterName="dev")
    ecr.create_repository(repositoryName="reconcile")
    for tag in ("v1", "v2"):
        _image(ecr, tag)
    bootstrap_request = taskdef.task_definition(target.repo, target.service, target.account, "bootstrap")
    bootstrap = ecs.register_task_definition(**bootstrap_request)["taskDefinition"]["taskDefinitionArn"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # moto's RunTask needs it
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="reconcile", Description="reconcile", VpcId=vpc)["GroupId"]
    network = {"awsvpcConfiguration": {"Subnets": [subnet], "SecurityGroups": [group], "AssignPublicIp": "DISABLED"}}
    scheduler.create_schedule_group(Name="reconcile")
    scheduler.create_schedule(
        Name="reconcile",
        GroupName="reconcile",
        Description="Runs the ECS task reconcile (infragen kind: job).",
        ScheduleExpression="cron(0 3 * * ? *)",
        ScheduleExpressionTimezone="Europe/Berlin",
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
        State="DISABLED",
        StartDate=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        EndDate=dt.datetime.now(dt.UTC) + dt.timedelta(days=365),
        KmsKeyArn=KMS_KEY,
        ActionAfterCompletion="NONE",
        Target={
            "Arn": CLUSTER,
            "RoleArn": SCHEDULER_ROLE,
            "EcsParameters": {
                "TaskDefinitionArn": bootstrap,
                "TaskCount": 1,
                "LaunchType": "FARGATE",
                "PlatformVersion": "LATEST",
                "EnableECSManagedTags": True,
                "EnableExecuteCommand": False,
                "PropagateTags": "TASK_DEFINITION",
                "NetworkConfiguration": network,
            },
            "RetryPolicy": {"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 3600},
        },
    )
    calls = Calls()
    return Job(target, calls, _recording_aws(calls), bootstrap, network)


def _schedule() -> dict[str, Any]:
    found: dict[str, Any] = boto3.client("scheduler", region_name=REGION).get_schedule(
        Name="reconcile", GroupName="reconcile"
    )
    found.pop("ResponseMetadata")
    found.pop("LastModificationDate")
    return found


def _without_revision(found: dict[str, Any]) -> dict[str, Any]:
    kept = {**found, "Target": {**found["Target"], "EcsParameters": dict(found["Target"]["EcsParameters"])}}
    del kept["Target"]["EcsParameters"]["TaskDefinitionArn"]
    return kept


def _allowed(policy: dict[str, Any], operation: str) -> bool:
    return any(fnmatchcase(operation, action) for s in policy["Statement"] for action in s["Action"])


NO_PERMISSION = {"sts:GetCallerIdentity"}  # needs no IAM permission


def test_the_copied_fields_are_what_getschedule_returns_and_updateschedule_accepts() -> None:
    model = botocore.session.get_session().get_service_model("scheduler")
    accepted = set(model.operation_model("UpdateSchedule").input_shape.members) - {"ClientToken"}
    returned = set(model.operation_model("GetSchedule").output_shape.members)
    assert set(schedule.UPDATE_FIELDS) == accepted & returned


def test_deploy_points_the_schedule_at_the_new_revision_and_keeps_every_other_field(job: Job) -> None:
    before = _schedule()
    outcome = rollout.deploy(job.aws, job.target, "v1", None, REVIEWED)
    assert outcome.ok and outcome.deployment is None
    assert outcome.task_definition == f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/reconcile:2"
    assert "schedule reconcile/reconcile (cron(0 3 * * ? *) Europe/Berlin, DISABLED) now runs it" in outcome.message
    after = _schedule()
    assert after["Target"]["EcsParameters"]["TaskDefinitionArn"] == outcome.task_definition
    assert _without_revision(after) == _without_revision(before)
    # The request itself carries every field (moto's UpdateSchedule ignores ActionAfterCompletion,
    # so the stored schedule alone would not show it missing).
    (sent,) = job.calls.updates
    assert set(sent) - {"ClientToken"} == set(schedule.UPDATE_FIELDS)  # botocore fills in ClientToken
    assert sent["ActionAfterCompletion"] == "NONE" and sent["KmsKeyArn"] == KMS_KEY and sent["State"] == "DISABLED"
    assert sent["Target"]["RoleArn"] == SCHEDULER_ROLE
    assert sent["Target"]["EcsParameters"]["NetworkConfiguration"] == job.network
    # The registered revision is the compiled one, tagged like a service's.
    described = boto3.client("ecs", region_name=REGION).describe_task_definition(
        taskDefinition=outcome.task_definition, include=["TAGS"]
    )
    tags = {t["key"]: t["value"] for t in described["tags"]}
    assert tags[rollout.TAG_IMAGE] == "v1" and tags[rollout.TAG_COMMIT] == "c0ffee"
    assert described["taskDefinition"]["containerDefinitions"][0]["image"].endswith("/reconcile:v1")


def test_a_job_deploy_never_touches_an_ecs_service_and_the_policy_allows_every_call(job: Job) -> None:
    rollout.deploy(job.aws, job.target, "v1", None, REVIEWED)
    rollout.deploy(job.aws, job.target, "v2", None, REVIEWED)
    rollout.rollback(job.aws, job.target, None, None)
    inspect.status(job.aws, job.target)
    assert not {op for op in job.calls.operations if op.endswith("Service") or op.endswith("Services")}
    assert "scheduler:UpdateSchedule" in job.calls.operations
    policy = deploy_policy(job.target.service, job.target.account)
    assert [op for op in job.calls.operations if op not in NO_PERMISSION and not _allowed(policy, op)] == []


def test_a_missing_schedule_is_one_line_and_registers_nothing(job: Job) -> None:
    boto3.client("scheduler", region_name=REGION).delete_schedule(Name="reconcile", GroupName="reconcile")
    with pytest.raises(DeployError) as error:
        rollout.deploy(job.aws, job.target, "v1", None, REVIEWED)
    assert str(error.value) == (
        "schedule 'reconcile' (group 'reconcile') of job 'reconcile' not found in 333333333333/us-east-1: "
        "apply its root (accounts/dev/services/reconcile) first"
    )
    assert "ecs:RegisterTaskDefinition" not in job.calls.operations


def test_rollback_points_the_schedule_back(job: Job) -> None:
    first = rollout.deploy(job.aws, job.target, "v1", None, REVIEWED).task_definition
    second = rollout.deploy(job.aws, job.target, "v2", None, REVIEWED).task_definition
    assert _schedule()["Target"]["EcsParameters"]["TaskDefinitionArn"] == second
    outcome = rollout.rollback(job.aws, job.target, None, None)
    assert outcome.ok and outcome.task_definition == first
    after = _schedule()
    assert after["Target"]["EcsParameters"]["TaskDefinitionArn"] == first
    assert after["State"] == "DISABLED" and after["FlexibleTimeWindow"]["MaximumWindowInMinutes"] == 15
    # history marks what the schedule runs; --to works as for a service and refuses the bootstrap
    revisions = rollout.history(job.aws, job.target)
    assert [(r.number, r.current) for r in revisions] == [(3, False), (2, True), (1, False)]
    with pytest.raises(DeployError, match=r"^reconcile:2 is already the revision the schedule runs"):
        rollout.rollback(job.aws, job.target, "2", None)
    with pytest.raises(DeployError, match=r"^refusing to roll back to reconcile:1: it was not deployed by infragen"):
        rollout.rollback(job.aws, job.target, "1", None)
    assert rollout.rollback(job.aws, job.target, "3", None).task_definition == second


def test_verify_checks_the_schedule_and_skips_the_service(job: Job) -> None:
    iam = boto3.client("iam", region_name=REGION)
    for kind in ("task", "execution", "scheduler"):
        iam.create_role(RoleName=f"reconcile-{kind}", AssumeRolePolicyDocument="{}")
    rollout.deploy(job.aws, job.target, "v1", None, REVIEWED)
    lines = [c.line() for c in inspect.verify(job.aws, job.target, None)]
    assert "skip service: reconcile is a job: no ECS service to check" in lines
    # reconcile has no environments/dev.yaml: the check must not claim one was validated
    assert lines[0] == "ok   spec: services/reconcile/service.yaml is valid (no environment file for dev)"
    assert (
        f"ok   schedule: reconcile/reconcile (cron(0 3 * * ? *) Europe/Berlin, DISABLED) runs reconcile:2 on {CLUSTER}"
    ) in lines
    assert "ok   scheduler role: reconcile-scheduler exists" in lines
    # the subnets of the schedule's target, not the account file's (which moto does not have)
    subnet = job.network["awsvpcConfiguration"]["Subnets"][0]
    assert (
        f"ok   subnets: 251 free address(es) ({subnet} 251); a run of the job starts 1 task: 1 more needed"
    ) in lines
    assert "ok   image: reconcile:v1 exists" in lines  # the tag of the revision the schedule runs
    assert not [op for op in job.calls.operations if "Service" in op]
    # a schedule pointed at another family or cluster fails the check
    found = _schedule()
    found["Target"]["Arn"] = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/other"
    boto3.client("scheduler", region_name=REGION).update_schedule(**schedule.update_request(found, job.bootstrap))
    check = next(c for c in inspect.verify(job.aws, job.target, None) if c.name == "schedule")
    assert not check.ok and f"targets 'arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/other', not the cluster" in check.detail


def test_run_reads_the_network_from_the_schedule(job: Job) -> None:
    deployed = rollout.deploy(job.aws, job.target, "v1", None, REVIEWED).task_definition
    launch = run.launch_of(job.aws, job.target)
    assert launch.task_definition == deployed
    subnets = job.network["awsvpcConfiguration"]["Subnets"]
    groups = job.network["awsvpcConfiguration"]["SecurityGroups"]
    assert launch.network == {
        "awsvpcConfiguration": {"subnets": subnets, "securityGroups": groups, "assignPublicIp": "DISABLED"}
    }
    assert launch.launch == {"launchType": "FARGATE", "platformVersion": "LATEST"}
    assert launch.log_group == "/ecs/reconcile"
    assert not [op for op in job.calls.operations if "Service" in op]


def test_service_tasks_of_a_job_are_its_familys(job: Job) -> None:
    from generator.deploy.service import stop_task, tasks

    ecs = boto3.client("ecs", region_name=REGION)

    def stand_in(family: str) -> str:
        """A stand-in revision: moto's RunTask needs a container-level memory."""
        registered = ecs.register_task_definition(
            family=family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="512",
            memory="1024",
            containerDefinitions=[{"name": family, "image": "stand-in", "memory": 1024}],
        )
        arn: str = registered["taskDefinition"]["taskDefinitionArn"]
        return arn

    vpc = job.network["awsvpcConfiguration"]
    network = {"awsvpcConfiguration": {"subnets": vpc["Subnets"], "securityGroups": vpc["SecurityGroups"]}}
    ecs.run_task(
        cluster=CLUSTER, taskDefinition=stand_in("reconcile"), launchType="FARGATE", networkConfiguration=network
    )
    found = tasks(job.aws, job.target)
    assert [t.revision for t in found] == ["reconcile:2"]
    assert stop_task(job.aws, job.target, found[0].id).endswith(found[0].id)
    other = ecs.run_task(
        cluster=CLUSTER, taskDefinition=stand_in("api"), launchType="FARGATE", networkConfiguration=network
    )
    with pytest.raises(DeployError, match=r"does not run job 'reconcile' \(api:1\)"):
        stop_task(job.aws, job.target, other["tasks"][0]["taskArn"].rsplit("/", 1)[-1])
    assert not [op for op in job.calls.operations if "Service" in op]


def test_status_prints_the_schedule_and_a_stopped_runs_exit_code(moto_env: None, tmp_path: Path) -> None:
    """The schedule from moto, the runs from a Stubber (moto's stopped tasks have no stop code,
    no stop time and always exit 0)."""
    root = tmp_path / "repo"
    shutil.copytree(JOB_INPUT, root)
    target = resolve(root, "reconcile", "dev")
    revision = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/reconcile:4"
    scheduler = boto3.client("scheduler", region_name=REGION)
    scheduler.create_schedule_group(Name="reconcile")
    scheduler.create_schedule(
        Name="reconcile",
        GroupName="reconcile",
        ScheduleExpression="cron(0 3 * * ? *)",
        ScheduleExpressionTimezone="Europe/Berlin",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": CLUSTER,
            "RoleArn": SCHEDULER_ROLE,
            "EcsParameters": {"TaskDefinitionArn": revision, "LaunchType": "FARGATE"},
        },
    )
    ecs = boto3.client(
        "ecs", region_name=REGION, aws_access_key_id="s", aws_secret_access_key="s", endpoint_url="http://127.0.0.1:9"
    )
    stub = Stubber(ecs)
    request = taskdef.task_definition(target.repo, target.service, target.account, "v4")
    tags = [*request.pop("tags"), {"key": rollout.TAG_IMAGE, "value": "v4"}]
    stub.add_response(
        "describe_task_definition",
        {"taskDefinition": {**request, "taskDefinitionArn": revision, "revision": 4}, "tags": tags},
        {"taskDefinition": revision, "include": ["TAGS"]},
    )
    stub.add_response(
        "list_tasks", {"taskArns": []}, {"cluster": CLUSTER, "family": "reconcile", "desiredStatus": "RUNNING"}
    )
    failed = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/dev/0123456789abcdef0123456789abcdef"
    ok = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/dev/fedcba9876543210fedcba9876543210"
    stub.add_response(
        "list_tasks",
        {"taskArns": [ok, failed]},
        {"cluster": CLUSTER, "family": "reconcile", "desiredStatus": "STOPPED"},
    )

    def task(arn: str, day: int, code: int) -> dict[str, Any]:
        return {
            "taskArn": arn,
            "clusterArn": CLUSTER,
            "taskDefinitionArn": revision,
            "group": "family:reconcile",
            "startedBy": "chronos-reconcile",
            "lastStatus": "STOPPED",
            "desiredStatus": "STOPPED",
            "startedAt": NOW.replace(day=day),
            "stoppedAt": NOW.replace(day=day, minute=12),
            "stopCode": "EssentialContainerExited",
            "stoppedReason": "Essential container in task exited",
            "containers": [{"name": "reconcile", "exitCode": code, "lastStatus": "STOPPED"}],
        }

    stub.add_response(
        "describe_tasks",
        {"tasks": [task(ok, 3, 0), task(failed, 4, 3)], "failures": []},
        {"cluster": CLUSTER, "tasks": [ok, failed]},
    )
    stub.activate()
    aws = Aws(region=REGION, _clients={"ecs": ecs})
    result = inspect.status(aws, target)
    stub.assert_no_pending_responses()
    assert isinstance(result, inspect.JobStatus)
    lines = result.text().splitlines()
    assert lines[:4] == [
        "job       reconcile (dev): no ECS service, EventBridge Scheduler runs its task",
        "schedule  reconcile/reconcile  cron(0 3 * * ? *) Europe/Berlin  ENABLED",
        "revision  reconcile:4  image tag v4  (what the next run starts)",
        "last runs (newest first, at most 10):",
    ]
    assert lines[4] == (
        "  0123456789abcdef0123456789abcdef  reconcile:4            STOPPED   started 2026-12-04T03:00:00+00:00  "
        "stopped 2026-12-04T03:12:00+00:00  EssentialContainerExited  exit 3  (Essential container in task exited)"
    )
    assert lines[5].startswith("  fedcba9876543210fedcba9876543210") and "exit 0" in lines[5]
    assert "the schedule's revision matches the spec" in lines
    assert result.as_dict()["runs"][0]["exitCode"] == 3


def test_restart_is_refused_for_a_job(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    from generator.cli import main

    root = tmp_path / "repo"
    shutil.copytree(JOB_INPUT, root)
    target = resolve(root, "reconcile", "dev")
    with pytest.raises(CommandError) as error:
        rollout.restart(Aws(region=REGION), target, None)  # refused before any AWS call
    assert "infragen run reconcile --env dev" in str(error.value)
    monkeypatch.setattr(
        sys, "argv", ["infragen", "service", "restart", "reconcile", "--env", "dev", "--root", str(root)]
    )
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip() == (
        "service restart: 'reconcile' is a job (kind: job): it has no ECS service, so nothing runs to restart; "
        "every scheduled run starts a fresh task of the revision its schedule names. To run it now, start a "
        "one-off task: `infragen run reconcile --env dev` (its own command) or "
        "`infragen run reconcile --env dev -- COMMAND...`"
    )


def test_run_of_a_job_without_a_command_runs_its_own(job: Job) -> None:
    """The launch from moto's schedule; RunTask and the task's end from a Stubber (moto's RunTask
    needs a container-level memory the compiled revision does not have)."""
    deployed = rollout.deploy(job.aws, job.target, "v1", None, REVIEWED).task_definition
    ecs = boto3.client(
        "ecs", region_name=REGION, aws_access_key_id="s", aws_secret_access_key="s", endpoint_url="http://127.0.0.1:9"
    )
    stub = Stubber(ecs)
    described = boto3.client("ecs", region_name=REGION).describe_task_definition(taskDefinition=deployed)
    stub.add_response(
        "describe_task_definition", {"taskDefinition": described["taskDefinition"]}, {"taskDefinition": deployed}
    )
    vpc = job.network["awsvpcConfiguration"]
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/dev/0123456789abcdef0123456789abcdef"
    task = {"taskArn": arn, "lastStatus": "STOPPED", "containers": [{"name": "reconcile", "exitCode": 0}]}
    stub.add_response(
        "run_task",
        {"tasks": [task], "failures": []},
        {
            "cluster": CLUSTER,
            "taskDefinition": deployed,
            "count": 1,
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": vpc["Subnets"],
                    "securityGroups": vpc["SecurityGroups"],
                    "assignPublicIp": "DISABLED",
                }
            },
            "startedBy": "infragen-run",
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
        },  # no overrides: the container's own command
    )
    stub.add_response("describe_tasks", {"tasks": [task], "failures": []}, {"cluster": CLUSTER, "tasks": [arn]})
    stub.activate()
    aws = _recording_aws(job.calls)
    aws._clients["ecs"] = ecs
    notes: list[str] = []
    assert run.run(aws, job.target, (), echo=notes.append, note=notes.append, sleep=lambda _: None) == 0
    stub.assert_no_pending_responses()
    assert notes[0].startswith("started task 0123456789abcdef0123456789abcdef (reconcile:2) in subnets subnet-")
