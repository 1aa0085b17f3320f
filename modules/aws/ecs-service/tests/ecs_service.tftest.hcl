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
  mock_resource "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:eu-west-1:111122223333:repository/orders"
      repository_url = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders"
    }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = {
      arn = "arn:aws:ecs:eu-west-1:111122223333:task-definition/orders:1"
    }
  }
  mock_resource "aws_scheduler_schedule" {
    defaults = {
      arn = "arn:aws:scheduler:eu-west-1:111122223333:schedule/orders/orders"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/orders/0123456789abcdef"
    }
  }
}

variables {
  name               = "orders"
  cluster_arn        = "arn:aws:ecs:eu-west-1:111122223333:cluster/main"
  image              = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders:bootstrap"
  cpu                = 512
  memory_mb          = 1024
  desired_count      = 2
  vpc_id             = "vpc-0123456789abcdef0"
  subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  security_group_ids = ["sg-0123456789abcdef0"]
  service_connect = {
    namespace_arn = "arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123456789abcdef"
    dns_name      = "orders-internal.prod.example.com"
  }
  tags = { owner = "team-a" }
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
    condition     = aws_ecs_service.this[0].desired_count == 0 && output.desired_count == 2
    error_message = "the service starts with 0 tasks (nothing to pull before the first deploy); the spec's count is an output for deploys"
  }

  assert {
    condition     = length(aws_appautoscaling_target.this) == 0 && length(aws_appautoscaling_policy.this) == 0
    error_message = "no autoscaling unless asked for"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/ecs/orders" && aws_cloudwatch_log_group.this.retention_in_days == 365
    error_message = "log group /ecs/<name> with 365 days retention by default"
  }

  # No shared internal load balancer: other services reach the tasks through Service Connect.
  assert {
    condition     = length(aws_lb_target_group.this) == 0 && length(aws_lb_listener_rule.this) == 0 && length(aws_ecs_service.this[0].load_balancer) == 0 && output.target_group_arns == {}
    error_message = "a service without external ingress has no target group, no listener rule and no load_balancer block"
  }

  assert {
    condition     = aws_ecs_service.this[0].health_check_grace_period_seconds == null
    error_message = "ECS refuses a health check grace period on a service without a load balancer"
  }

  assert {
    condition = alltrue([
      aws_ecs_service.this[0].service_connect_configuration[0].enabled,
      aws_ecs_service.this[0].service_connect_configuration[0].namespace == "arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123456789abcdef",
      aws_ecs_service.this[0].service_connect_configuration[0].service[0].port_name == "http",
      aws_ecs_service.this[0].service_connect_configuration[0].service[0].discovery_name == "orders",
      aws_ecs_service.this[0].service_connect_configuration[0].service[0].client_alias[0].dns_name == "orders-internal.prod.example.com",
      aws_ecs_service.this[0].service_connect_configuration[0].service[0].client_alias[0].port == 80,
    ])
    error_message = "Service Connect serves the port named http as <name>-internal... port 80 in the account's namespace"
  }

  assert {
    condition     = contains([for m in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings : m.name], aws_ecs_service.this[0].service_connect_configuration[0].service[0].port_name)
    error_message = "Service Connect's port_name must name a port mapping of the bootstrap task definition"
  }

  assert {
    condition     = aws_ecs_service.this[0].service_connect_configuration[0].log_configuration[0].log_driver == "awslogs" && aws_ecs_service.this[0].service_connect_configuration[0].log_configuration[0].options["awslogs-group"] == "/ecs/orders"
    error_message = "the Service Connect proxy logs to the service's log group"
  }

  assert {
    condition     = output.service_connect_dns_name == "orders-internal.prod.example.com"
    error_message = "the module outputs the client alias"
  }

  assert {
    condition     = aws_ecr_repository.this.name == "orders" && aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE" && aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push && aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS"
    error_message = "the service's ECR repository is named like the service, immutable, scanned on push and KMS-encrypted"
  }

  assert {
    condition     = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.countType] == ["sinceImagePushed", "imageCountMoreThan"]
    error_message = "the repository has a lifecycle policy expiring untagged and old images"
  }

  assert {
    condition     = aws_ecs_service.this[0].enable_execute_command == false && length(aws_iam_policy.execute_command) == 0
    error_message = "ECS Exec is off by default"
  }

  assert {
    condition     = !contains(keys(aws_lb_listener_rule.this), "external") && output.external_listener_rule_arn == null
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
    condition     = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "EcrPull"][0] == ["arn:aws:ecr:eu-west-1:111122223333:repository/orders", "arn:aws:ecr:eu-west-1:*:repository/aws-guardduty-agent-fargate"]
    error_message = "image pull must be limited to the service's ECR repository and the GuardDuty agent sidecar Fargate injects"
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

  assert {
    condition     = !anytrue([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : contains(s.Action, "kms:Decrypt")])
    error_message = "secrets under AWS managed keys give no kms:Decrypt"
  }
}

run "dependency_access" {
  command = apply

  # what infragen passes for a queue, a table and a bucket dependency (generator/datastores)
  variables {
    dependency_access = [
      {
        sid       = "Queues"
        actions   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage"]
        resources = ["arn:aws:sqs:eu-west-1:111122223333:orders-events"]
      },
      {
        sid       = "Tables"
        actions   = ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
        resources = ["arn:aws:dynamodb:eu-west-1:111122223333:table/orders-items", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders-items/index/*"]
      },
      { sid = "BucketList", actions = ["s3:ListBucket"], resources = ["arn:aws:s3:::orders-files-111122223333"] },
      { sid = "BucketObjects", actions = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], resources = ["arn:aws:s3:::orders-files-111122223333/*"] },
    ]
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.task[0].policy).Statement == [
      {
        Sid = "Queues", Effect = "Allow",
        Action = [
          "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
          "sqs:ReceiveMessage", "sqs:SendMessage",
        ],
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
    dependency_access = [{
      sid       = "Queues"
      actions   = ["sqs:ReceiveMessage"]
      resources = ["arn:aws:sqs:eu-west-1:111122223333:orders-events.fifo"]
    }]
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
    condition     = aws_ecs_service.this[0].name == "orders" && aws_ecs_service.this[0].desired_count == 0
    error_message = "with autoscaling the same single service resource is used (switching autoscaling never replaces it)"
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
    condition     = aws_ecs_service.this[0].network_configuration[0].assign_public_ip == false && aws_ecs_service.this[0].platform_version == "LATEST"
    error_message = "the autoscaled service keeps the secure settings"
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
    condition     = aws_lb_listener_rule.this["external"].priority == 7 && tolist(aws_lb_listener_rule.this["external"].condition)[0].host_header[0].values == toset(["orders.example.com"])
    error_message = "external rule must match the public domain with its priority"
  }

  # ELBv2: a target group can be associated with one load balancer only
  # (TargetGroupAssociationLimit): the external rule forwards to the external group only.
  assert {
    condition     = keys(aws_lb_target_group.this) == ["external"] && aws_lb_listener_rule.this["external"].action[0].target_group_arn == aws_lb_target_group.this["external"].arn
    error_message = "the external load balancer's rule must forward to its own target group"
  }

  assert {
    condition     = aws_lb_target_group.this["external"].target_type == "ip" && aws_lb_target_group.this["external"].port == 8080 && aws_lb_target_group.this["external"].health_check[0].path == "/health"
    error_message = "target group must be of type ip on the HTTP port with the /health check"
  }

  assert {
    condition     = aws_lb_target_group.this["external"].name_prefix == "orders" && aws_lb_target_group.this["external"].tags["Name"] == "orders-external"
    error_message = "target groups use name_prefix plus a Name tag, so a replacement (port change) cannot clash with the old name"
  }

  assert {
    condition     = [for lb in aws_ecs_service.this[0].load_balancer : lb.target_group_arn] == [aws_lb_target_group.this["external"].arn] && aws_ecs_service.this[0].health_check_grace_period_seconds == 60
    error_message = "the service registers its tasks in the external target group, with the health check grace period"
  }

  assert {
    condition     = aws_ecs_service.this[0].service_connect_configuration[0].enabled
    error_message = "external ingress does not replace Service Connect for other services"
  }
}

run "ecs_exec" {
  command = apply

  variables {
    enable_execute_command = true
  }

  assert {
    condition     = aws_ecs_service.this[0].enable_execute_command && contains([for s in jsondecode(aws_iam_role_policy.task[0].policy).Statement : s.Sid], "EcsExec")
    error_message = "ECS Exec turns on the exec agent and gives the task role the ssmmessages channels"
  }

  # ExecuteCommand is authorized on the cluster and on the task: both ARNs must be allowed (AWS's
  # "Using Amazon ECS Exec" example), the task only with this service's tag, both only for this
  # service's container.
  assert {
    condition = (
      sort(flatten([for s in jsondecode(aws_iam_policy.execute_command[0].policy).Statement : s.Resource if contains(s.Action, "ecs:ExecuteCommand")])) ==
      sort(["arn:aws:ecs:eu-west-1:111122223333:cluster/main", "arn:aws:ecs:eu-west-1:111122223333:task/main/*"])
    )
    error_message = "ecs:ExecuteCommand must be allowed on the cluster ARN and on the cluster's task ARNs"
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.execute_command[0].policy).Statement : (
        s.Action == ["ecs:ExecuteCommand"] && s.Condition.StringEquals["ecs:container-name"] == "orders" &&
        (s.Resource != ["arn:aws:ecs:eu-west-1:111122223333:task/main/*"] || lookup(s.Condition.StringEquals, "aws:ResourceTag/aws:ecs:serviceName", null) == "orders")
      ) if contains(s.Action, "ecs:ExecuteCommand")
    ])
    error_message = "the owners' policy allows ecs:ExecuteCommand on this service's tasks (tag) and container only"
  }
}

run "database_and_cache_iam_auth" {
  command = apply

  variables {
    dependency_access = [
      { sid = "DatabaseIamAuth", actions = ["rds-db:connect"], resources = ["arn:aws:rds-db:eu-west-1:111122223333:dbuser:db-ABCDEFGHIJKLMNOP/orders"] },
      {
        sid       = "CacheIamAuth"
        actions   = ["elasticache:Connect"]
        resources = ["arn:aws:elasticache:eu-west-1:111122223333:replicationgroup:orders-cache", "arn:aws:elasticache:eu-west-1:111122223333:user:orders-cache-orders"]
      },
    ]
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.task[0].policy).Statement : s.Resource if s.Sid == "DatabaseIamAuth"][0] == ["arn:aws:rds-db:eu-west-1:111122223333:dbuser:db-ABCDEFGHIJKLMNOP/orders"]
    error_message = "a declared database gives rds-db:connect as the service's own database user, nothing else"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.task[0].policy).Statement : s.Action if s.Sid == "CacheIamAuth"][0] == ["elasticache:Connect"]
    error_message = "a declared cache gives elasticache:Connect"
  }
}

run "rejects_non_ecr_image" {
  command = plan

  variables {
    image = "registry.example.org:5000/team/orders:1.0"
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "rejects_image_of_another_repository" {
  command = plan

  variables {
    image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/other:1"
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "rejects_more_groups_than_the_eni_quota" {
  command = plan

  variables {
    security_group_ids = ["sg-00000000000000001", "sg-00000000000000002", "sg-00000000000000003", "sg-00000000000000004", "sg-00000000000000005", "sg-00000000000000006"]
  }

  expect_failures = [aws_ecs_service.this]
}

run "a_raised_eni_quota_admits_more_groups" {
  command = plan
  variables {
    security_group_ids  = ["sg-00000000000000001", "sg-00000000000000002", "sg-00000000000000003", "sg-00000000000000004", "sg-00000000000000005", "sg-00000000000000006"]
    max_security_groups = 6
  }
  assert {
    condition     = length(aws_ecs_service.this[0].network_configuration[0].security_groups) == 6
    error_message = "all six groups reach the service"
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
      aws_security_group_rule.https_egress[0].to_port == 443
    )
    error_message = "the only open egress is tcp/443"
  }

  # Review finding 11: not to the whole internet by default, only to the private ranges where the
  # VPC's interface endpoints are.
  assert {
    condition     = aws_security_group_rule.https_egress[0].cidr_blocks == tolist(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]) && !contains(aws_security_group_rule.https_egress[0].cidr_blocks, "0.0.0.0/0")
    error_message = "HTTPS egress defaults to the private ranges (VPC endpoints), not 0.0.0.0/0"
  }
}

run "https_egress_to_the_account_endpoints" {
  command = apply

  variables {
    enable_https_egress            = true
    https_egress_security_group_id = "sg-0123456789abcdef0"
    https_egress_cidr_blocks       = ["10.20.0.0/16"]
    https_egress_prefix_list_ids   = ["pl-6da54004"]
  }

  assert {
    condition     = aws_security_group_rule.https_egress[0].cidr_blocks == tolist(["10.20.0.0/16"]) && aws_security_group_rule.https_egress[0].prefix_list_ids == tolist(["pl-6da54004"])
    error_message = "the account's endpoint CIDRs and the S3 gateway prefix list are the only HTTPS destinations"
  }
}

run "rejects_https_egress_to_nothing" {
  command = plan
  variables {
    enable_https_egress            = true
    https_egress_security_group_id = "sg-0123456789abcdef0"
    https_egress_cidr_blocks       = []
  }
  expect_failures = [aws_security_group_rule.https_egress]
}

run "secrets_encrypted_with_a_customer_key" {
  command = apply

  variables {
    secrets             = { DB_PASSWORD = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf:password::" }
    secret_arns         = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf"]
    secret_kms_key_arns = ["arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"]
  }

  # Review finding 11: ECS reads the secret with the execution role; a customer key needs
  # kms:Decrypt, and only through Secrets Manager / SSM.
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s if s.Sid == "SecretsKms"] == [{
      Sid       = "SecretsKms", Effect = "Allow", Action = ["kms:Decrypt"],
      Resource  = ["arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"]
      Condition = { StringEquals = { "kms:ViaService" = ["secretsmanager.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com"] } }
    }]
    error_message = "the execution role may decrypt with exactly the secrets' keys, via Secrets Manager and SSM only"
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

run "rejects_non_namespace_arn" {
  command = plan
  variables {
    service_connect = {
      namespace_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/internal/0123456789abcdef/0123456789abcdef"
      dns_name      = "orders-internal.prod.example.com"
    }
  }
  expect_failures = [var.service_connect]
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
  expect_failures = [aws_ecs_service.this]
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

run "rejects_wildcard_resource" {
  command = plan
  variables {
    dependency_access = [{ sid = "BucketList", actions = ["s3:ListBucket"], resources = ["arn:aws:s3:::orders-*"] }]
  }
  expect_failures = [var.dependency_access]
}

run "rejects_wildcard_action" {
  command = plan
  variables {
    dependency_access = [{ sid = "Queues", actions = ["sqs:*"], resources = ["arn:aws:sqs:eu-west-1:111122223333:orders-events"] }]
  }
  expect_failures = [var.dependency_access]
}

# Review finding 1: a port change. ECS refuses a load balancer container port that the running
# task definition does not map, and Terraform never changes the task definition. So while
# previous_port is set the service keeps the previous port (infragen deploy moves task definition
# and port together in one UpdateService), and the target group is never replaced (an empty new
# group behind the listener rule while tasks register in the old one would be an outage).
run "port_change_before" {
  command   = apply
  state_key = "port_change"

  variables {
    external_listener = {
      listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header  = "orders.example.com"
      priority     = 7
    }
  }

  assert {
    condition     = one(aws_ecs_service.this[0].load_balancer).container_port == 8080 && aws_lb_target_group.this["external"].port == 8080
    error_message = "before the change the service and its target group use port 8080"
  }
}

run "port_change_in_progress" {
  command   = apply
  state_key = "port_change"

  variables {
    port          = 9000
    previous_port = 8080
    external_listener = {
      listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header  = "orders.example.com"
      priority     = 7
    }
  }

  assert {
    condition     = one(aws_ecs_service.this[0].load_balancer).container_port == 8080
    error_message = "while previous_port is set the service's load balancer keeps the port the running task definition maps (the deploy moves it)"
  }

  assert {
    condition     = [for p in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings : p.containerPort if p.name == "http"] == [9000]
    error_message = "the bootstrap task definition maps the new port"
  }

  assert {
    condition     = aws_lb_target_group.this["external"].port == 8080
    error_message = "the target group is kept (its port is only the creation default), not replaced by an empty one"
  }
}

run "port_change_done" {
  command   = apply
  state_key = "port_change"

  variables {
    port = 9000
    external_listener = {
      listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header  = "orders.example.com"
      priority     = 7
    }
  }

  assert {
    condition     = one(aws_ecs_service.this[0].load_balancer).container_port == 9000 && aws_lb_target_group.this["external"].port == 8080
    error_message = "after the deploy the root names the new port (what the deploy set), still with the same target group"
  }
}

run "rejects_previous_port_equal_to_port" {
  command = plan
  variables {
    previous_port = 8080
  }
  expect_failures = [var.previous_port]
}

# Issue 19: a worker serves no HTTP. No port named http, no Service Connect alias (it stays a
# client of the namespace), no target group; its health is the container health check command;
# it scales on the backlog per task of the queue it consumes.
run "worker" {
  command = apply

  variables {
    serve_http           = false
    health_check_command = ["CMD-SHELL", "find /tmp/healthy -mmin -1 | grep -q ."]
    service_connect = {
      namespace_arn = "arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123456789abcdef"
    }
    autoscaling = { resource = "queue", target = 100, min = 1, max = 10, queue_name = "orders-jobs" }
  }

  assert {
    condition     = [for p in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings : p.name] == ["metrics"]
    error_message = "a worker maps only the metrics port: no port named http"
  }

  assert {
    condition = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck == {
      command = ["CMD-SHELL", "find /tmp/healthy -mmin -1 | grep -q ."], interval = 30, timeout = 5, retries = 3, startPeriod = 60
    }
    error_message = "the worker's health is its container health check command"
  }

  assert {
    condition     = length(aws_lb_target_group.this) == 0 && length(aws_lb_listener_rule.this) == 0 && length(aws_ecs_service.this[0].load_balancer) == 0
    error_message = "a worker has no target group, listener rule or load balancer"
  }

  assert {
    condition     = aws_ecs_service.this[0].service_connect_configuration[0].enabled && length(aws_ecs_service.this[0].service_connect_configuration[0].service) == 0 && output.service_connect_dns_name == null
    error_message = "a worker is a Service Connect client only: no service alias"
  }

  assert {
    condition     = aws_ecs_service.this[0].health_check_grace_period_seconds == null
    error_message = "no load balancer, no grace period"
  }

  assert {
    condition = alltrue([
      length(aws_appautoscaling_policy.this[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification) == 0,
      aws_appautoscaling_policy.this[0].name == "orders-queue",
      aws_appautoscaling_policy.this[0].target_tracking_scaling_policy_configuration[0].target_value == 100,
    ])
    error_message = "queue scaling tracks a customized metric (no predefined one) at the target backlog per task"
  }

  assert {
    condition = {
      for m in aws_appautoscaling_policy.this[0].target_tracking_scaling_policy_configuration[0].customized_metric_specification[0].metrics :
      m.id => m.expression != null ? m.expression : join(" ", [m.metric_stat[0].metric[0].namespace, m.metric_stat[0].metric[0].metric_name, join(",", [for d in m.metric_stat[0].metric[0].dimensions : "${d.name}=${d.value}"])])
      } == {
      visible          = "AWS/SQS ApproximateNumberOfMessagesVisible QueueName=orders-jobs"
      running          = "ECS/ContainerInsights RunningTaskCount ClusterName=main,ServiceName=orders"
      backlog_per_task = "IF(running > 0, visible / running, visible)"
    }
    error_message = "the backlog policy divides the queue's visible messages by the service's running tasks (metric math)"
  }
}

run "rejects_queue_scaling_without_queue_name" {
  command = plan

  variables {
    serve_http  = false
    autoscaling = { resource = "queue", target = 10, min = 1, max = 4 }
  }

  expect_failures = [var.autoscaling]
}

run "rejects_a_service_without_alias" {
  command = plan

  variables {
    service_connect = {
      namespace_arn = "arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123456789abcdef"
    }
  }

  expect_failures = [aws_ecs_service.this]
}

run "rejects_bad_health_check_command" {
  command = plan

  variables {
    health_check_command = ["test -f /tmp/healthy"]
  }

  expect_failures = [var.health_check_command]
}

run "scheduled_job" {
  command = apply

  variables {
    serve_http = false
    service_connect = {
      namespace_arn = "arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123456789abcdef"
      dns_name      = null
    }
    schedule = { expression = "cron(0 3 * * ? *)", timezone = "Europe/Berlin", retries = 1 }
  }

  assert {
    condition     = length(aws_ecs_service.this) == 0 && length(aws_appautoscaling_target.this) == 0 && output.service_name == null
    error_message = "a scheduled job has no ECS service"
  }

  assert {
    condition = alltrue([
      aws_scheduler_schedule.this[0].name == "orders",
      aws_scheduler_schedule.this[0].group_name == "orders",
      aws_scheduler_schedule_group.this[0].name == "orders",
      aws_scheduler_schedule.this[0].schedule_expression == "cron(0 3 * * ? *)",
      aws_scheduler_schedule.this[0].schedule_expression_timezone == "Europe/Berlin",
      aws_scheduler_schedule.this[0].flexible_time_window[0].mode == "OFF",
      output.schedule_group_name == "orders",
    ])
    error_message = "the schedule and its group are named like the job, with its expression and time zone"
  }

  assert {
    condition = alltrue([
      aws_scheduler_schedule.this[0].target[0].arn == var.cluster_arn,
      aws_scheduler_schedule.this[0].target[0].ecs_parameters[0].task_definition_arn == aws_ecs_task_definition.this.arn,
      aws_scheduler_schedule.this[0].target[0].ecs_parameters[0].launch_type == "FARGATE",
      aws_scheduler_schedule.this[0].target[0].ecs_parameters[0].task_count == 1,
      aws_scheduler_schedule.this[0].target[0].ecs_parameters[0].network_configuration[0].assign_public_ip == false,
      aws_scheduler_schedule.this[0].target[0].ecs_parameters[0].network_configuration[0].security_groups == toset(var.security_group_ids),
      aws_scheduler_schedule.this[0].target[0].ecs_parameters[0].network_configuration[0].subnets == toset(var.subnet_ids),
      aws_scheduler_schedule.this[0].target[0].retry_policy[0].maximum_retry_attempts == 1,
    ])
    error_message = "Scheduler runs one Fargate task of the bootstrap task definition on the cluster, in the job's subnets and groups, without a public IP, retrying as asked"
  }

  assert {
    condition     = [for p in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings : p.name] == ["metrics"]
    error_message = "a job serves no HTTP: only the metrics port is mapped"
  }

  assert {
    condition = alltrue([
      jsondecode(aws_iam_role.scheduler[0].assume_role_policy).Statement[0].Principal.Service == "scheduler.amazonaws.com",
      jsondecode(aws_iam_role.scheduler[0].assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111122223333",
    ])
    error_message = "only Scheduler, acting for this account, assumes the scheduler role"
  }

  assert {
    condition = alltrue([
      [for s in jsondecode(aws_iam_role_policy.scheduler[0].policy).Statement : s.Sid] == ["RunTask", "TagTask", "PassRoles"],
      jsondecode(aws_iam_role_policy.scheduler[0].policy).Statement[0].Action == ["ecs:RunTask"],
      jsondecode(aws_iam_role_policy.scheduler[0].policy).Statement[0].Resource == ["arn:aws:ecs:eu-west-1:111122223333:task-definition/orders:*"],
      jsondecode(aws_iam_role_policy.scheduler[0].policy).Statement[0].Condition.ArnEquals["ecs:cluster"] == var.cluster_arn,
      jsondecode(aws_iam_role_policy.scheduler[0].policy).Statement[2].Resource == [aws_iam_role.execution.arn, aws_iam_role.task.arn],
      jsondecode(aws_iam_role_policy.scheduler[0].policy).Statement[2].Condition.StringEquals["iam:PassedToService"] == "ecs-tasks.amazonaws.com",
    ])
    error_message = "the scheduler role runs only this family in this cluster and passes only the job's two roles to ECS tasks"
  }
}

run "a_service_has_no_schedule" {
  command = plan

  assert {
    condition     = length(aws_ecs_service.this) == 1 && length(aws_scheduler_schedule.this) == 0 && length(aws_iam_role.scheduler) == 0 && output.schedule_arn == null
    error_message = "a service has its ECS service and no schedule"
  }
}

run "rejects_a_job_with_autoscaling" {
  command = plan

  variables {
    serve_http = false
    service_connect = {
      namespace_arn = "arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123456789abcdef"
      dns_name      = null
    }
    schedule    = { expression = "rate(1 hour)", timezone = "UTC", retries = 0 }
    autoscaling = { resource = "cpu", target = 60, min = 1, max = 2 }
  }

  expect_failures = [aws_scheduler_schedule.this]
}

run "rejects_a_bad_schedule_expression" {
  command = plan

  variables {
    schedule = { expression = "every night", timezone = "UTC", retries = 0 }
  }

  expect_failures = [var.schedule]
}

run "health_check_defaults" {
  command = apply

  variables {
    external_listener = {
      listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header  = "orders.example.com"
      priority     = 7
    }
  }

  assert {
    condition = (
      aws_lb_target_group.this["external"].health_check[0].interval == 15 &&
      aws_lb_target_group.this["external"].health_check[0].timeout == 5 &&
      aws_lb_target_group.this["external"].health_check[0].healthy_threshold == 2 &&
      aws_lb_target_group.this["external"].health_check[0].unhealthy_threshold == 3 &&
      aws_lb_target_group.this["external"].health_check[0].matcher == "200-299"
    )
    error_message = "unset, the health check is 15 s interval, 5 s timeout, thresholds 2 and 3, matcher 200-299 (generator/spec/health.py DEFAULTS)"
  }
}

run "health_check_settings" {
  command = apply

  variables {
    external_listener = {
      listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header  = "orders.example.com"
      priority     = 7
    }
    health_check = { interval_seconds = 30, timeout_seconds = 10, healthy_threshold = 5, unhealthy_threshold = 4, matcher = "200,204" }
  }

  assert {
    condition = (
      aws_lb_target_group.this["external"].health_check[0].interval == 30 &&
      aws_lb_target_group.this["external"].health_check[0].timeout == 10 &&
      aws_lb_target_group.this["external"].health_check[0].healthy_threshold == 5 &&
      aws_lb_target_group.this["external"].health_check[0].unhealthy_threshold == 4 &&
      aws_lb_target_group.this["external"].health_check[0].matcher == "200,204"
    )
    error_message = "health_check settings must reach the target group"
  }
}

run "health_check_null_attributes_take_the_defaults" {
  command = plan

  variables {
    health_check = { interval_seconds = null, timeout_seconds = 2 }
  }

  assert {
    condition     = var.health_check.interval_seconds == 15 && var.health_check.timeout_seconds == 2 && var.health_check.matcher == "200-299"
    error_message = "a null attribute (what platform/service passes for an unset one) takes the default"
  }
}

run "rejects_health_check_timeout_not_below_interval" {
  command = plan
  variables {
    health_check = { interval_seconds = 5 }
  }
  expect_failures = [var.health_check]
}

run "rejects_health_check_threshold_above_10" {
  command = plan
  variables {
    health_check = { unhealthy_threshold = 11 }
  }
  expect_failures = [var.health_check]
}

run "rejects_health_check_matcher_outside_200_499" {
  command = plan
  variables {
    health_check = { matcher = "200-500" }
  }
  expect_failures = [var.health_check]
}

run "rejects_health_check_falling_matcher_range" {
  command = plan
  variables {
    health_check = { matcher = "299-200" }
  }
  expect_failures = [var.health_check]
}

run "listener_rule_paths_and_headers" {
  command = apply

  variables {
    external_listener = {
      listener_arn  = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header   = "orders.example.com"
      priority      = 7
      path_patterns = ["/api/*", "/v2/orders"]
      http_headers  = { "X-Canary" = ["on"] }
    }
  }

  assert {
    condition = (
      length(aws_lb_listener_rule.this["external"].condition) == 3 &&
      one([for c in aws_lb_listener_rule.this["external"].condition : c.path_pattern[0].values if length(c.path_pattern) > 0]) == toset(["/api/*", "/v2/orders"]) &&
      one([for c in aws_lb_listener_rule.this["external"].condition : c.http_header[0] if length(c.http_header) > 0]).http_header_name == "X-Canary" &&
      one([for c in aws_lb_listener_rule.this["external"].condition : c.http_header[0] if length(c.http_header) > 0]).values == toset(["on"])
    )
    error_message = "path_patterns and http_headers must become path-pattern and http-header conditions of the rule, besides the host"
  }
}

run "listener_rule_only_the_host_by_default" {
  command = apply

  variables {
    external_listener = {
      listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header  = "orders.example.com"
      priority     = 7
    }
  }

  assert {
    condition     = length(aws_lb_listener_rule.this["external"].condition) == 1
    error_message = "without paths and headers the rule has the host condition only"
  }
}

run "rejects_more_than_5_match_evaluations" {
  command = plan
  variables {
    external_listener = {
      listener_arn  = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header   = "orders.example.com"
      priority      = 7
      path_patterns = ["/a", "/b", "/c"]
      http_headers  = { "X-A" = ["1", "2"] }
    }
  }
  expect_failures = [var.external_listener]
}

run "rejects_more_than_5_wildcards" {
  command = plan
  variables {
    external_listener = {
      listener_arn  = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header   = "orders.example.com"
      priority      = 7
      path_patterns = ["/a/*/*/*", "/b/???"]
    }
  }
  expect_failures = [var.external_listener]
}

run "rejects_host_as_a_header" {
  command = plan
  variables {
    external_listener = {
      listener_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header  = "orders.example.com"
      priority     = 7
      http_headers = { Host = ["evil.example.com"] }
    }
  }
  expect_failures = [var.external_listener]
}

run "rejects_long_path_pattern" {
  command = plan
  variables {
    external_listener = {
      listener_arn  = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      host_header   = "orders.example.com"
      priority      = 7
      path_patterns = ["/${join("", [for i in range(128) : "a"])}"]
    }
  }
  expect_failures = [var.external_listener]
}
