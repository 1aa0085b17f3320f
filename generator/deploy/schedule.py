"""A job's EventBridge Scheduler schedule (kind: job, modules/aws/ecs-service/schedule.tf).

A job has no ECS service: a schedule named like the job, in a schedule group named like the job,
runs ECS RunTask with a revision of the job's family. Terraform creates it with the bootstrap
revision and ignores the target's task definition afterwards, so ``deploy`` and ``rollback`` point
it at a revision with UpdateSchedule, as they point a service at one with UpdateService.

UpdateSchedule replaces the whole schedule ("you must provide all required parameters again; any
parameter you leave out is reset to its default",
https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html), so every field
GetSchedule returns that UpdateSchedule accepts is sent back unchanged but the target's
``EcsParameters.TaskDefinitionArn``.
"""

from __future__ import annotations

import copy
from typing import Any

from generator.deploy.aws import Aws, DeployError, Target, error_code, translated
from generator.spec import naming

# GetSchedule's output members that UpdateSchedule's input accepts (botocore's scheduler model;
# tests/test_job_deploy.py checks the list against it). ClientToken is UpdateSchedule's own.
UPDATE_FIELDS = (
    "Name",
    "GroupName",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "FlexibleTimeWindow",
    "Target",
    "State",
    "Description",
    "StartDate",
    "EndDate",
    "KmsKeyArn",
    "ActionAfterCompletion",
)


def arn(target: Target) -> str:
    """The schedule's ARN: ``schedule/<group>/<name>``, both named like the job."""
    account = target.account
    return (
        f"arn:{naming.partition(account.region)}:scheduler:{account.region}:{account.account_id}:"
        f"schedule/{target.name}/{target.name}"
    )


def get(aws: Aws, target: Target) -> dict[str, Any]:
    """GetSchedule of the job's schedule; a missing one is a one-line error naming the root."""
    from botocore.exceptions import ClientError

    with translated(f"scheduler:GetSchedule {target.name}/{target.name}"):
        try:
            found: dict[str, Any] = aws.client("scheduler").get_schedule(Name=target.name, GroupName=target.name)
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
            raise DeployError(
                f"schedule {target.name!r} (group {target.name!r}) of job {target.name!r} not found in "
                f"{target.account.account_id}/{target.account.region}: apply its root "
                f"(accounts/{target.account.env}/services/{target.name}) first"
            ) from None
    found.pop("ResponseMetadata", None)
    return found


def ecs_parameters(schedule: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = (schedule.get("Target") or {}).get("EcsParameters") or {}
    return params


def task_definition(schedule: dict[str, Any]) -> str:
    """The revision the schedule runs."""
    return str(ecs_parameters(schedule).get("TaskDefinitionArn") or "")


def update_request(schedule: dict[str, Any], task_definition_arn: str) -> dict[str, Any]:
    """The UpdateSchedule request that keeps ``schedule`` as it is but for the revision it runs."""
    request = {k: copy.deepcopy(schedule[k]) for k in UPDATE_FIELDS if schedule.get(k) is not None}
    params = request.get("Target", {}).get("EcsParameters")
    if params is None:
        raise DeployError(
            f"schedule {schedule.get('GroupName')}/{schedule.get('Name')} has no ECS target "
            "(Target.EcsParameters); it is not an infragen job's schedule"
        )
    params["TaskDefinitionArn"] = task_definition_arn
    return request


def point(aws: Aws, target: Target, schedule: dict[str, Any], task_definition_arn: str) -> None:
    """UpdateSchedule: the job's schedule runs ``task_definition_arn`` from its next run on."""
    with translated(f"scheduler:UpdateSchedule {target.name}/{target.name}"):
        aws.client("scheduler").update_schedule(**update_request(schedule, task_definition_arn))


def network(schedule: dict[str, Any]) -> dict[str, Any]:
    """The schedule target's network configuration in ECS RunTask's shape (camelCase keys)."""
    vpc = (ecs_parameters(schedule).get("NetworkConfiguration") or {}).get("awsvpcConfiguration") or {}
    if not vpc:
        return {}
    result: dict[str, Any] = {"subnets": list(vpc.get("Subnets") or [])}
    if vpc.get("SecurityGroups"):
        result["securityGroups"] = list(vpc["SecurityGroups"])
    if vpc.get("AssignPublicIp"):
        result["assignPublicIp"] = vpc["AssignPublicIp"]
    return {"awsvpcConfiguration": result}


def launch(schedule: dict[str, Any]) -> dict[str, Any]:
    """RunTask's launchType or capacityProviderStrategy (+ platformVersion) of the schedule's target."""
    params = ecs_parameters(schedule)
    result: dict[str, Any]
    if params.get("CapacityProviderStrategy"):
        result = {"capacityProviderStrategy": [dict(item) for item in params["CapacityProviderStrategy"]]}
    else:
        result = {"launchType": params.get("LaunchType") or "FARGATE"}
    if params.get("PlatformVersion"):
        result["platformVersion"] = params["PlatformVersion"]
    return result
