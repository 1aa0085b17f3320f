locals {
  # The repository's and the log group's ARNs from their names (the ARN formats of ECR and
  # CloudWatch Logs), not from the resources: the execution role's policy is then known when the
  # service is first planned, so a reviewer reads it in the plan and plan-check judges its size.
  ecr_repository_arn = "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${aws_ecr_repository.this.name}"
  log_group_arn      = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${aws_cloudwatch_log_group.this.name}"
  # Images Fargate itself adds to a task: the GuardDuty Runtime Monitoring agent sidecar comes
  # from GuardDuty's repository in an AWS-owned account of the region, which the execution role
  # must be able to pull (as AmazonECSTaskExecutionRolePolicy allows).
  injected_image_repository_arns = ["arn:${local.partition}:ecr:${local.region}:*:repository/aws-guardduty-agent-fargate"]

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EcsTasks"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      # Confused-deputy protection: only ECS acting for this account may assume the role.
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  # Execution role: pull the image, write the log group, read exactly the given secrets.
  execution_statements = concat(
    [
      # GetAuthorizationToken has no resource-level permissions.
      { Sid = "EcrAuth", Effect = "Allow", Action = ["ecr:GetAuthorizationToken"], Resource = ["*"] },
      {
        Sid      = "EcrPull"
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        Resource = concat([local.ecr_repository_arn], local.injected_image_repository_arns)
      },
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${local.log_group_arn}:log-stream:*"]
      },
    ],
    length(var.secret_arns) == 0 ? [] : [
      { Sid = "Secrets", Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = var.secret_arns },
    ],
    length(var.ssm_parameter_arns) == 0 ? [] : [
      { Sid = "Parameters", Effect = "Allow", Action = ["ssm:GetParameters"], Resource = var.ssm_parameter_arns },
    ],
    # A secret or SecureString parameter encrypted with a customer managed key needs kms:Decrypt
    # on that key ("Required only if your key uses a custom KMS key", Amazon ECS task execution IAM
    # role: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html),
    # and only as Secrets Manager or SSM use it on the role's behalf (kms:ViaService): the role
    # cannot decrypt anything with the key directly.
    length(var.secret_kms_key_arns) == 0 ? [] : [
      {
        Sid      = "SecretsKms"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = var.secret_kms_key_arns
        Condition = {
          StringEquals = { "kms:ViaService" = ["secretsmanager.${local.region}.amazonaws.com", "ssm.${local.region}.amazonaws.com"] }
        }
      },
    ],
  )

  # Task role: exactly the declared dependencies, nothing when there are none. Each datastore
  # kind states its statement (actions and exact resources; generator/datastores), for example
  # rds-db:connect as the database user named like the service, elasticache:Connect on the
  # replication group and this service's user, SQS/DynamoDB/S3 data access on exactly the
  # declared queues, tables (and their indexes) and buckets (and their objects).
  task_statements = concat(
    [for s in var.dependency_access : { Sid = s.sid, Effect = "Allow", Action = s.actions, Resource = s.resources }],
    # ECS Exec: the SSM Session Manager channels the exec agent opens (no resource-level
    # permissions exist for them).
    var.enable_execute_command ? [{
      Sid      = "EcsExec"
      Effect   = "Allow"
      Action   = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
      Resource = ["*"]
    }] : [],
  )
}

resource "aws_iam_role" "execution" {
  name                 = "${var.name}-execution"
  description          = "ECS execution role of ${var.name}: image pull, logs, its own secrets."
  assume_role_policy   = local.assume_role_policy
  max_session_duration = 3600

  tags = var.tags
}

resource "aws_iam_role_policy" "execution" {
  name   = "${var.name}-execution"
  role   = aws_iam_role.execution.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.execution_statements })
}

resource "aws_iam_role" "task" {
  name                 = "${var.name}-task"
  description          = "ECS task role of ${var.name}: access to its declared dependencies only."
  assume_role_policy   = local.assume_role_policy
  max_session_duration = 3600

  tags = var.tags
}

resource "aws_iam_role_policy" "task" {
  count = length(local.task_statements) == 0 ? 0 : 1

  name   = "${var.name}-task"
  role   = aws_iam_role.task.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.task_statements })
}

# ECS Exec for the service's owners: ecs:ExecuteCommand on exactly this service's tasks (ECS tags
# them with aws:ecs:serviceName, enable_ecs_managed_tags). Attach it to the owner team's role.
# ExecuteCommand is authorized against two resources, the cluster and the task ("the
# execute-command API action contains only task and cluster resources in a request"), and AWS's
# example policy names both ARNs (Using Amazon ECS Exec, IAM permissions:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html). The cluster carries
# no aws:ecs:serviceName tag, so it gets its own statement without the tag condition: a task
# statement alone denies every exec. What may be exec'd into is still decided by the task
# statement and the container name.
resource "aws_iam_policy" "execute_command" {
  count = var.enable_execute_command ? 1 : 0

  name        = "${var.name}-execute-command"
  description = "ECS Exec into the tasks of ${var.name} only"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ExecuteCommandCluster"
        Effect   = "Allow"
        Action   = ["ecs:ExecuteCommand"]
        Resource = [var.cluster_arn]
        Condition = {
          StringEquals = { "ecs:container-name" = var.name }
        }
      },
      {
        Sid      = "ExecuteCommand"
        Effect   = "Allow"
        Action   = ["ecs:ExecuteCommand"]
        Resource = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${local.cluster_name}/*"]
        Condition = {
          StringEquals = {
            "aws:ResourceTag/aws:ecs:serviceName" = var.name
            "ecs:container-name"                  = var.name
          }
        }
      },
      {
        Sid      = "DescribeTasks"
        Effect   = "Allow"
        Action   = ["ecs:DescribeTasks", "ecs:ListTasks"]
        Resource = ["*"]
        Condition = {
          ArnEquals = { "ecs:cluster" = var.cluster_arn }
        }
      },
    ]
  })

  tags = var.tags
}
