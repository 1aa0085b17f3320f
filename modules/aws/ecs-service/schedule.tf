# A scheduled job (var.schedule set): no ECS service; EventBridge Scheduler calls ECS RunTask with
# the bootstrap task definition of this module, the service's network and roles. Deployments
# register new revisions outside Terraform (`infragen deploy` then points the schedule at the new
# revision with UpdateSchedule), so the target's task definition is ignored after creation, as
# the ECS service ignores its own.
#
# Schedule names: 1-64 characters of [0-9a-zA-Z-_.], unique per schedule group
# (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html); the
# group is named like the job, so each job's AWS/Scheduler metrics (dimension ScheduleGroup)
# are its own and its alarms need no metric filter.

locals {
  scheduled = var.schedule != null
}

resource "aws_scheduler_schedule_group" "this" {
  count = local.scheduled ? 1 : 0

  name = var.name
  tags = var.tags
}

resource "aws_scheduler_schedule" "this" {
  #checkov:skip=CKV_AWS_297:the schedule has no input payload, only the task definition, network and role ARNs; Scheduler's AWS-owned key encrypts them
  count = local.scheduled ? 1 : 0

  name                         = var.name
  group_name                   = aws_scheduler_schedule_group.this[0].name
  description                  = "Runs the ECS task ${var.name} (infragen kind: job)."
  schedule_expression          = var.schedule.expression
  schedule_expression_timezone = var.schedule.timezone
  state                        = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.cluster_arn
    role_arn = aws_iam_role.scheduler[0].arn

    ecs_parameters {
      task_definition_arn     = aws_ecs_task_definition.this.arn
      task_count              = 1
      launch_type             = "FARGATE"
      platform_version        = "LATEST"
      enable_ecs_managed_tags = true
      enable_execute_command  = var.enable_execute_command
      propagate_tags          = "TASK_DEFINITION"

      network_configuration {
        subnets          = var.subnet_ids
        security_groups  = var.security_group_ids
        assign_public_ip = false
      }
    }

    # Retries of a RunTask call that fails (capacity, throttling); a task that starts and exits
    # non-zero is not retried. Scheduler gives up on an invocation after the attempts or an hour.
    retry_policy {
      maximum_retry_attempts       = var.schedule.retries
      maximum_event_age_in_seconds = 3600
    }
  }

  lifecycle {
    ignore_changes = [target[0].ecs_parameters[0].task_definition_arn]

    precondition {
      condition     = length(var.security_group_ids) <= var.max_security_groups
      error_message = "security_group_ids exceed max_security_groups, the account's security groups per network interface quota (AWS default 5): tasks could not start. Declare fewer network dependencies or raise the quota and max_security_groups."
    }

    precondition {
      condition     = !var.serve_http && var.external_listener == null && var.autoscaling == null
      error_message = "A scheduled job serves nothing and runs one task per run: serve_http = false, no external_listener and no autoscaling."
    }
  }
}

# The role Scheduler assumes: RunTask of this family only, in this cluster only, and passing
# exactly the job's two roles to ECS tasks. RunTask with managed tags needs ecs:TagResource on the
# task it creates (ecs:CreateAction = RunTask).
resource "aws_iam_role" "scheduler" {
  count = local.scheduled ? 1 : 0

  name = "${var.name}-scheduler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "scheduler.amazonaws.com" }
      # Confused-deputy protection: only Scheduler acting for this account may assume the role.
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  count = local.scheduled ? 1 : 0

  name = "${var.name}-scheduler"
  role = aws_iam_role.scheduler[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "RunTask"
        Effect    = "Allow"
        Action    = ["ecs:RunTask"]
        Resource  = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${var.name}:*"]
        Condition = { ArnEquals = { "ecs:cluster" = var.cluster_arn } }
      },
      {
        Sid       = "TagTask"
        Effect    = "Allow"
        Action    = ["ecs:TagResource"]
        Resource  = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${local.cluster_name}/*"]
        Condition = { StringEquals = { "ecs:CreateAction" = "RunTask" } }
      },
      {
        Sid       = "PassRoles"
        Effect    = "Allow"
        Action    = ["iam:PassRole"]
        Resource  = [aws_iam_role.execution.arn, aws_iam_role.task.arn]
        Condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } }
      },
    ]
  })
}
