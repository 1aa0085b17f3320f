"""The least-privilege IAM policy a deploy role needs for one service in one environment: push to
its ECR repository, register revisions of its family, update and inspect its ECS service and tasks,
run one-off tasks of its family (``infragen run``), pass its two roles to ECS, read its logs and describe (never read) its secrets. A job (kind: job) has no ECS service:
instead of the service actions it may read and update its own schedule (``schedule/<job>/<job>``)
and pass that schedule's role (``<job>-scheduler``) to Scheduler. The generated root
prints it as the ``deploy_policy_json`` output (``jsonencode`` of the policy written as HCL)."""

from __future__ import annotations

from typing import Any

from generator.plan import taskdef
from generator.spec import naming
from generator.spec.models import Account, Service


def deploy_policy(service: Service, account: Account) -> dict[str, Any]:
    part, region, acct, name = naming.partition(account.region), account.region, account.account_id, service.name
    cluster = account.cluster_arn
    cluster_name = cluster.rsplit("/", 1)[-1]
    repository = f"arn:{part}:ecr:{region}:{acct}:repository/{name}"
    log_group = f"arn:{part}:logs:{region}:{acct}:log-group:{taskdef.log_group(service)}"
    on_cluster = {"ArnEquals": {"ecs:cluster": cluster}}
    statements: list[dict[str, Any]] = [
        {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {
            "Sid": "EcrPushAndCheck",
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:CompleteLayerUpload",
                "ecr:DescribeImages",
                "ecr:DescribeRepositories",
                "ecr:InitiateLayerUpload",
                "ecr:PutImage",
                "ecr:UploadLayerPart",
            ],
            "Resource": repository,
        },
        {
            # RegisterTaskDefinition has no resource-level permissions; the request tags pin the service.
            "Sid": "RegisterOwnFamily",
            "Effect": "Allow",
            "Action": ["ecs:RegisterTaskDefinition", "ecs:TagResource"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestTag/service": name}},
        },
        {
            "Sid": "ReadTaskDefinitions",
            "Effect": "Allow",
            "Action": ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"],
            "Resource": "*",
        },
        *(
            _job_statements(service, account)
            if service.is_job
            else [
                {
                    "Sid": "UpdateOwnService",
                    "Effect": "Allow",
                    "Action": ["ecs:DescribeServices", "ecs:UpdateService"],
                    "Resource": f"arn:{part}:ecs:{region}:{acct}:service/{cluster_name}/{name}",
                }
            ]
        ),
        {"Sid": "Cluster", "Effect": "Allow", "Action": ["ecs:DescribeClusters"], "Resource": cluster},
        {
            # infragen run (one-off tasks, migrations): RunTask is scoped to task definitions and the
            # ecs:cluster key ("Actions, resources, and condition keys for Amazon ECS",
            # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html)
            "Sid": "RunOwnTasks",
            "Effect": "Allow",
            "Action": ["ecs:RunTask"],
            "Resource": f"arn:{part}:ecs:{region}:{acct}:task-definition/{name}:*",
            "Condition": on_cluster,
        },
        {
            "Sid": "Tasks",
            "Effect": "Allow",
            "Action": ["ecs:DescribeTasks", "ecs:ListTasks", "ecs:StopTask"],
            "Resource": "*",
            "Condition": on_cluster,
        },
        {
            "Sid": "PassOwnRoles",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": [taskdef.role_arn(service, account, "execution"), taskdef.role_arn(service, account, "task")],
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        },
        {
            "Sid": "VerifyRoles",
            "Effect": "Allow",
            "Action": ["iam:GetRole"],
            "Resource": [
                taskdef.role_arn(service, account, "execution"),
                taskdef.role_arn(service, account, "task"),
                *([taskdef.role_arn(service, account, "scheduler")] if service.is_job else []),
            ],
        },
        {"Sid": "LogGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"},
        {
            "Sid": "ReadLogs",
            "Effect": "Allow",
            "Action": ["logs:FilterLogEvents", "logs:GetLogEvents"],
            "Resource": f"{log_group}:*",
        },
        # DescribeParameters has no resource-level permissions and returns metadata only, never values.
        {"Sid": "DescribeParameters", "Effect": "Allow", "Action": ["ssm:DescribeParameters"], "Resource": "*"},
        # verify: the free addresses of the subnets the tasks start in. DescribeSubnets has no
        # resource-level permissions ("Actions, resources, and condition keys for Amazon EC2") and
        # returns metadata only.
        {"Sid": "DescribeSubnets", "Effect": "Allow", "Action": ["ec2:DescribeSubnets"], "Resource": "*"},
    ]
    env_file = service.env_file(account.env)
    secret_arns = sorted(
        {s.secrets_manager_arn for _, s in (env_file.secrets if env_file else ()) if s.secrets_manager_arn}
    )
    if secret_arns:
        statements.append(
            {
                "Sid": "DescribeSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:DescribeSecret"],
                "Resource": secret_arns,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def _job_statements(service: Service, account: Account) -> list[dict[str, Any]]:
    """A job's deploy and rollback: GetSchedule, then UpdateSchedule of its own schedule (group and
    schedule named like the job, modules/aws/ecs-service/schedule.tf). UpdateSchedule passes the
    target's RoleArn, the job's Scheduler role, so the caller needs iam:PassRole on exactly that
    role ("Amazon EventBridge Scheduler identity-based policy examples",
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/security_iam_id-based-policy-examples.html)."""
    part, region, acct, name = naming.partition(account.region), account.region, account.account_id, service.name
    return [
        {
            "Sid": "UpdateOwnSchedule",
            "Effect": "Allow",
            "Action": ["scheduler:GetSchedule", "scheduler:UpdateSchedule"],
            "Resource": f"arn:{part}:scheduler:{region}:{acct}:schedule/{name}/{name}",
        },
        {
            "Sid": "PassOwnSchedulerRole",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": taskdef.role_arn(service, account, "scheduler"),
            "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        },
    ]
