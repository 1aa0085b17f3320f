locals {
  # The ECR repository deployments pull from. For an ECR image
  # (<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]) it is that repository;
  # for any other image reference (the spec's default is the bare service name) it is the
  # repository of the same path in the cluster's account and region, where the deploy
  # pipeline pushes. Either way the execution role may pull from that one repository only.
  ecr_image = try(regex("^(?P<account>[0-9]{12})\\.dkr\\.ecr\\.(?P<region>[a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/(?P<repository>[a-z0-9._/-]+)", var.image), null)
  # Strip a registry host (a first component with a dot or colon, or localhost), then the tag or digest.
  image_path = replace(replace(var.image, "/^([^/]*[.:][^/]*|localhost)//", ""), "/(@.*|:[^/]*)$/", "")
  ecr_repository_arn = (local.ecr_image != null
    ? "arn:${local.partition}:ecr:${local.ecr_image.region}:${local.ecr_image.account}:repository/${local.ecr_image.repository}"
    : "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${local.image_path}"
  )

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
        Resource = [local.ecr_repository_arn]
      },
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.this.arn}:log-stream:*"]
      },
    ],
    length(var.secret_arns) == 0 ? [] : [
      { Sid = "Secrets", Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = var.secret_arns },
    ],
    length(var.ssm_parameter_arns) == 0 ? [] : [
      { Sid = "Parameters", Effect = "Allow", Action = ["ssm:GetParameters"], Resource = var.ssm_parameter_arns },
    ],
  )

  # Task role: exactly the declared dependencies, nothing when there are none.
  task_statements = concat(
    length(var.queue_arns) == 0 ? [] : [{
      Sid      = "Queues"
      Effect   = "Allow"
      Action   = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage"]
      Resource = var.queue_arns
    }],
    length(var.table_arns) == 0 ? [] : [{
      Sid    = "Tables"
      Effect = "Allow"
      Action = [
        "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
        "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
      ]
      Resource = concat(var.table_arns, [for a in var.table_arns : "${a}/index/*"])
    }],
    length(var.bucket_arns) == 0 ? [] : [
      { Sid = "BucketList", Effect = "Allow", Action = ["s3:ListBucket"], Resource = var.bucket_arns },
      {
        Sid      = "BucketObjects"
        Effect   = "Allow"
        Action   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
        Resource = [for a in var.bucket_arns : "${a}/*"]
      },
    ],
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
