mock_provider "aws" {
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/orders"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/mock"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/orders/0123456789abcdef"
    }
  }
}

variables {
  name                   = "orders"
  cluster_arn            = "arn:aws:ecs:eu-west-1:111122223333:cluster/main"
  image                  = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders:bootstrap"
  cpu                    = 512
  memory_mb              = 1024
  desired_count          = 2
  vpc_id                 = "vpc-0123456789abcdef0"
  subnet_ids             = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  security_group_ids     = ["sg-0123456789abcdef0"]
  listener_arn           = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/internal/0123456789abcdef/0123456789abcdef"
  listener_rule_priority = 100
  host_header            = "orders-internal.prod.example.com"
  tags                   = { owner = "team-a" }
}

run "defaults" {
  command = apply

  assert {
    condition     = aws_ecs_task_definition.this.family == "orders" && output.container_name == "orders"
    error_message = "task definition family and container name must be the service name"
  }

  assert {
    condition = alltrue([
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].name == "orders",
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].readonlyRootFilesystem == true,
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].privileged == false,
    ])
    error_message = "container must be named after the service, have a read-only root filesystem and not be privileged"
  }

  assert {
    condition     = aws_ecs_task_definition.this.pid_mode == null && aws_ecs_task_definition.this.network_mode == "awsvpc"
    error_message = "no host PID namespace; awsvpc networking"
  }

  assert {
    condition     = [for p in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings : p.containerPort] == [8080, 9090]
    error_message = "port mappings must be the HTTP port and the metrics port"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].logConfiguration.options["awslogs-group"] == "/ecs/orders"
    error_message = "containers must log to the module's log group"
  }

  assert {
    condition     = aws_ecs_task_definition.this.execution_role_arn != null && aws_iam_role.execution.name == "orders-execution" && aws_iam_role.task.name == "orders-task"
    error_message = "execution and task roles must be two distinct roles named after the service"
  }

  assert {
    condition     = aws_ecs_service.this[0].network_configuration[0].assign_public_ip == false
    error_message = "tasks must not get a public IP"
  }

  assert {
    condition     = aws_ecs_service.this[0].platform_version == "LATEST" && aws_ecs_service.this[0].launch_type == "FARGATE"
    error_message = "service must run on the latest Fargate platform"
  }

  assert {
    condition     = aws_ecs_service.this[0].desired_count == 2 && length(aws_ecs_service.autoscaled) == 0
    error_message = "without autoscaling Terraform owns desired_count"
  }

  assert {
    condition     = length(aws_appautoscaling_target.this) == 0 && length(aws_appautoscaling_policy.this) == 0
    error_message = "no autoscaling unless asked for"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/ecs/orders" && aws_cloudwatch_log_group.this.retention_in_days == 365
    error_message = "log group /ecs/<name> with 365 days retention by default"
  }

  assert {
    condition     = aws_lb_target_group.this.target_type == "ip" && aws_lb_target_group.this.port == 8080 && aws_lb_target_group.this.health_check[0].path == "/health"
    error_message = "target group must be of type ip on the HTTP port with the /health check"
  }

  assert {
    condition     = aws_lb_listener_rule.internal.priority == 100 && tolist(aws_lb_listener_rule.internal.condition)[0].host_header[0].values == toset(["orders-internal.prod.example.com"])
    error_message = "internal listener rule must match the internal host name with the given priority"
  }

  assert {
    condition     = length(aws_lb_listener_rule.external) == 0 && output.external_listener_rule_arn == null
    error_message = "no external listener rule unless asked for"
  }

  assert {
    condition     = length(aws_iam_role_policy.task) == 0
    error_message = "the task role must have no policy when the service declares no queues, tables or buckets"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Sid] == ["EcrAuth", "EcrPull", "Logs"]
    error_message = "without secrets the execution role may only pull the image and write logs"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "EcrPull"][0] == ["arn:aws:ecr:eu-west-1:111122223333:repository/orders"]
    error_message = "image pull must be limited to the image's ECR repository"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "Logs"][0] == ["arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/orders:log-stream:*"]
    error_message = "log writes must be limited to the service's log group"
  }

  assert {
    condition     = jsondecode(aws_iam_role.task.assume_role_policy).Statement[0].Principal.Service == "ecs-tasks.amazonaws.com" && jsondecode(aws_iam_role.task.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111122223333"
    error_message = "roles must be assumable by ECS tasks of this account only"
  }

  assert {
    condition     = aws_ecs_service.this[0].tags["owner"] == "team-a" && aws_iam_role.task.tags["owner"] == "team-a"
    error_message = "tags must reach the resources"
  }
}

run "secrets_and_environment" {
  command = apply

  variables {
    environment_variables = { LOG_LEVEL = "info", A_FIRST = "1" }
    secrets = {
      DB_PASSWORD = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf:password::"
      API_TOKEN   = "arn:aws:ssm:eu-west-1:111122223333:parameter/orders/api-token"
    }
    secret_arns        = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf"]
    ssm_parameter_arns = ["arn:aws:ssm:eu-west-1:111122223333:parameter/orders/api-token"]
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment == [{ name = "A_FIRST", value = "1" }, { name = "LOG_LEVEL", value = "info" }]
    error_message = "environment variables must be passed sorted by name"
  }

  assert {
    condition = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets == [
      { name = "API_TOKEN", valueFrom = "arn:aws:ssm:eu-west-1:111122223333:parameter/orders/api-token" },
      { name = "DB_PASSWORD", valueFrom = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf:password::" },
    ]
    error_message = "secrets must be passed as valueFrom references"
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s if s.Sid == "Secrets"] == [{
      Sid      = "Secrets", Effect = "Allow", Action = ["secretsmanager:GetSecretValue"],
      Resource = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf"]
    }]
    error_message = "the execution role may read exactly the given secret"
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s if s.Sid == "Parameters"] == [{
      Sid      = "Parameters", Effect = "Allow", Action = ["ssm:GetParameters"],
      Resource = ["arn:aws:ssm:eu-west-1:111122223333:parameter/orders/api-token"]
    }]
    error_message = "the execution role may read exactly the given parameter"
  }

  assert {
    condition     = length(aws_iam_role_policy.task) == 0
    error_message = "secrets must not give the task role any access"
  }
}

run "dependency_access" {
  command = apply

  variables {
    queue_arns  = ["arn:aws:sqs:eu-west-1:111122223333:orders-events"]
    table_arns  = ["arn:aws:dynamodb:eu-west-1:111122223333:table/orders-items"]
    bucket_arns = ["arn:aws:s3:::orders-files-111122223333"]
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.task[0].policy).Statement == [
      {
        Sid      = "Queues", Effect = "Allow",
        Action   = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage"],
        Resource = ["arn:aws:sqs:eu-west-1:111122223333:orders-events"]
      },
      {
        Sid = "Tables", Effect = "Allow",
        Action = [
          "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
          "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
        ],
        Resource = [
          "arn:aws:dynamodb:eu-west-1:111122223333:table/orders-items",
          "arn:aws:dynamodb:eu-west-1:111122223333:table/orders-items/index/*",
        ]
      },
      { Sid = "BucketList", Effect = "Allow", Action = ["s3:ListBucket"], Resource = ["arn:aws:s3:::orders-files-111122223333"] },
      {
        Sid      = "BucketObjects", Effect = "Allow", Action = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        Resource = ["arn:aws:s3:::orders-files-111122223333/*"]
      },
    ]
    error_message = "the task role must get exactly the declared queue, table and bucket access"
  }
}

run "only_a_queue" {
  command = apply

  variables {
    queue_arns = ["arn:aws:sqs:eu-west-1:111122223333:orders-events.fifo"]
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.task[0].policy).Statement : s.Sid] == ["Queues"]
    error_message = "only the declared kinds of access may appear"
  }
}

run "autoscaling" {
  command = apply

  variables {
    autoscaling = { resource = "memory", target = 70, min = 2, max = 6 }
  }

  assert {
    condition     = length(aws_ecs_service.this) == 0 && length(aws_ecs_service.autoscaled) == 1
    error_message = "with autoscaling the variant that ignores desired_count must be used"
  }

  assert {
    condition     = aws_appautoscaling_target.this[0].min_capacity == 2 && aws_appautoscaling_target.this[0].max_capacity == 6 && aws_appautoscaling_target.this[0].resource_id == "service/main/orders"
    error_message = "scalable target must cover the service with the given bounds"
  }

  assert {
    condition     = aws_appautoscaling_policy.this[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageMemoryUtilization" && aws_appautoscaling_policy.this[0].target_tracking_scaling_policy_configuration[0].target_value == 70
    error_message = "target tracking must follow the chosen resource and target"
  }

  assert {
    condition     = aws_ecs_service.autoscaled[0].network_configuration[0].assign_public_ip == false && aws_ecs_service.autoscaled[0].platform_version == "LATEST"
    error_message = "the autoscaled variant keeps the secure settings"
  }
}

run "external_listener" {
  command = apply

  variables {
    external_listener = {
      listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header  = "orders.example.com"
      priority     = 7
    }
  }

  assert {
    condition     = aws_lb_listener_rule.external[0].priority == 7 && tolist(aws_lb_listener_rule.external[0].condition)[0].host_header[0].values == toset(["orders.example.com"])
    error_message = "external rule must match the public domain with its priority"
  }

  assert {
    condition     = aws_lb_listener_rule.external[0].action[0].target_group_arn == aws_lb_target_group.this.arn
    error_message = "external rule must forward to the service's target group"
  }
}

run "non_ecr_image_pulls_from_the_conventional_repository" {
  command = apply

  variables {
    image = "registry.example.org:5000/team/orders:1.0"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "EcrPull"][0] == ["arn:aws:ecr:eu-west-1:111122223333:repository/team/orders"]
    error_message = "a non-ECR image maps to the ECR repository of the same path in the cluster's account"
  }
}

run "bare_image_name_pulls_from_the_service_repository" {
  command = apply

  variables {
    image = "orders"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "EcrPull"][0] == ["arn:aws:ecr:eu-west-1:111122223333:repository/orders"]
    error_message = "the spec's default image (the service name) maps to the ECR repository of that name"
  }

  assert {
    condition     = length(aws_security_group_rule.https_egress) == 0
    error_message = "no egress rule unless a group is given"
  }
}

run "https_egress_rule" {
  command = apply

  variables {
    enable_https_egress            = true
    https_egress_security_group_id = "sg-0123456789abcdef0"
  }

  assert {
    condition = (
      aws_security_group_rule.https_egress[0].type == "egress" &&
      aws_security_group_rule.https_egress[0].security_group_id == "sg-0123456789abcdef0" &&
      aws_security_group_rule.https_egress[0].protocol == "tcp" &&
      aws_security_group_rule.https_egress[0].from_port == 443 &&
      aws_security_group_rule.https_egress[0].to_port == 443 &&
      aws_security_group_rule.https_egress[0].cidr_blocks == tolist(["0.0.0.0/0"])
    )
    error_message = "the only open egress is tcp/443"
  }
}

run "rejects_https_egress_without_group" {
  command = plan
  variables {
    enable_https_egress = true
  }
  expect_failures = [aws_security_group_rule.https_egress]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "Orders_Service"
  }
  expect_failures = [var.name]
}

run "rejects_short_retention" {
  command = plan
  variables {
    log_retention_days = 30
  }
  expect_failures = [var.log_retention_days]
}

run "rejects_priority_out_of_range" {
  command = plan
  variables {
    listener_rule_priority = 50001
  }
  expect_failures = [var.listener_rule_priority]
}

run "rejects_autoscaling_min_above_max" {
  command = plan
  variables {
    autoscaling = { resource = "cpu", target = 50, min = 5, max = 2 }
  }
  expect_failures = [var.autoscaling]
}

run "rejects_unknown_autoscaling_resource" {
  command = plan
  variables {
    autoscaling = { resource = "requests", target = 50, min = 1, max = 2 }
  }
  expect_failures = [var.autoscaling]
}

run "rejects_desired_count_outside_autoscaling_bounds" {
  command = plan
  variables {
    desired_count = 10
    autoscaling   = { resource = "cpu", target = 50, min = 1, max = 4 }
  }
  expect_failures = [aws_ecs_service.autoscaled]
}

run "rejects_invalid_fargate_pair" {
  command = plan
  variables {
    cpu       = 256
    memory_mb = 4096
  }
  expect_failures = [aws_ecs_task_definition.this]
}

run "rejects_wildcard_secret_arn" {
  command = plan
  variables {
    secret_arns = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:*"]
  }
  expect_failures = [var.secret_arns]
}

run "rejects_secret_not_covered_by_arns" {
  command = plan
  variables {
    secrets = { DB_PASSWORD = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-AbCdEf" }
  }
  expect_failures = [aws_ecs_task_definition.this]
}

run "rejects_bucket_object_arn" {
  command = plan
  variables {
    bucket_arns = ["arn:aws:s3:::orders-files/*"]
  }
  expect_failures = [var.bucket_arns]
}
