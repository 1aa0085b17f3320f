locals {
  # arn:<partition>:ecs:<region>:<account>:cluster/<name>
  cluster_arn_parts = split(":", var.cluster_arn)
  partition         = local.cluster_arn_parts[1]
  region            = local.cluster_arn_parts[3]
  account_id        = local.cluster_arn_parts[4]
  cluster_name      = split("/", local.cluster_arn_parts[5])[1]

  # Valid Fargate CPU -> memory (MiB) combinations.
  fargate_memory_mb = {
    256   = [512, 1024, 2048]
    512   = range(1024, 4096 + 1, 1024)
    1024  = range(2048, 8192 + 1, 1024)
    2048  = range(4096, 16384 + 1, 1024)
    4096  = range(8192, 30720 + 1, 1024)
    8192  = range(16384, 61440 + 1, 4096)
    16384 = range(32768, 122880 + 1, 8192)
  }

  autoscaling_enabled = var.autoscaling != null && var.schedule == null # a job refuses it (schedule.tf)
  # resource = "queue": target tracking on the backlog per task, visible messages of the queue
  # divided by the running tasks (metric math), for workers that consume the queue.
  queue_scaling = local.autoscaling_enabled && try(var.autoscaling.resource == "queue", false)

  # A worker (serve_http = false) serves nothing: no port named http, no Service Connect alias, no
  # target group; its health is the container health check command.
  http_port_mappings = var.serve_http ? [
    { name = "http", containerPort = var.port, hostPort = var.port, protocol = "tcp", appProtocol = "http" },
  ] : []
  health_check = length(var.health_check_command) == 0 ? {} : {
    healthCheck = { command = var.health_check_command, interval = 30, timeout = 5, retries = 3, startPeriod = 60 }
  }

  # The load balancers the service is reachable through, each with its own target group: only the
  # external one. Other services reach it through ECS Service Connect (service_connect below),
  # not through a shared internal load balancer.
  load_balancers = var.external_listener == null ? {} : {
    external = { listener_arn = var.external_listener.listener_arn, host_header = var.external_listener.host_header, priority = var.external_listener.priority, path_patterns = var.external_listener.path_patterns, http_headers = var.external_listener.http_headers }
  }
  # Target group name_prefix: at most 6 characters; the provider appends a unique suffix.
  target_group_prefix = substr(var.name, 0, 6)

  # The service's ECR repository, named exactly like the service.
  repository_url = "${local.account_id}.dkr.ecr.${local.region}.amazonaws.com/${var.name}"

  container_definitions = [
    merge(local.health_check, {
      name      = var.name
      image     = var.image
      essential = true

      portMappings = concat(local.http_port_mappings, [
        { name = "metrics", containerPort = var.metrics_port, hostPort = var.metrics_port, protocol = "tcp" },
      ])

      environment = [for k in sort(keys(var.environment_variables)) : { name = k, value = var.environment_variables[k] }]
      secrets     = [for k in sort(keys(var.secrets)) : { name = k, valueFrom = var.secrets[k] }]

      readonlyRootFilesystem = true
      privileged             = false
      # A writable, task-local scratch directory, since the root filesystem is read-only.
      mountPoints = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = local.region
          awslogs-stream-prefix = var.name
        }
      }
    })
  ]
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  skip_destroy      = var.retain_logs_on_destroy

  tags = var.tags
}

# The bootstrap task definition. Deployments register new revisions outside Terraform, and
# the ECS service ignores task definition changes.
resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory_mb)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = coalesce(var.container_definitions_json, jsonencode(local.container_definitions))

  volume {
    name = "tmp"
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = contains(lookup(local.fargate_memory_mb, tostring(var.cpu), []), var.memory_mb)
      error_message = "cpu and memory_mb must form a valid Fargate pair: 256 -> 512/1024/2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720 (steps of 1024); 8192 -> 16384-61440 (steps of 4096); 16384 -> 32768-122880 (steps of 8192)."
    }

    precondition {
      condition     = startswith(var.image, "${local.repository_url}:") || startswith(var.image, "${local.repository_url}@")
      error_message = "image must be a full URI in the service's own ECR repository: <account>.dkr.ecr.<region>.amazonaws.com/<name>:<tag> (or @<digest>)."
    }

    precondition {
      condition     = length(setintersection(keys(var.environment_variables), keys(var.secrets))) == 0
      error_message = "A name must not appear in both environment_variables and secrets."
    }

    precondition {
      condition = alltrue([
        for v in values(var.secrets) :
        anytrue([for a in concat(var.secret_arns, var.ssm_parameter_arns) : v == a || startswith(v, "${a}:")])
      ])
      error_message = "Every secrets valueFrom must be one of secret_arns or ssm_parameter_arns (a Secrets Manager ARN may carry a :json-key:stage:version suffix), or the task could not read it."
    }
  }
}

# One target group per load balancer: ELBv2 refuses to associate a target group with a second
# load balancer (TargetGroupAssociationLimit). The service registers its tasks in each through
# its own load_balancer block. A port change does not replace the group: ECS registers each task
# as its IP and the container port of the service's load balancer configuration, and the health
# check uses that traffic port, so the group's own port is only its creation default (ignored
# afterwards). Replacing it would leave the listener forwarding to an empty group while the
# service still registers into the old one. name_prefix plus a Name tag keep a replacement for
# other reasons (create_before_destroy) free of name clashes (DuplicateTargetGroupName).
resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS terminates at the load balancer; tasks serve plain HTTP on a private subnet behind a security group that admits only the external load balancer and the -clients group.
  for_each = local.load_balancers

  name_prefix          = local.target_group_prefix
  port                 = var.port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    enabled             = true
    path                = var.health_check_path
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = var.health_check.matcher
    interval            = var.health_check.interval_seconds
    timeout             = var.health_check.timeout_seconds
    healthy_threshold   = var.health_check.healthy_threshold
    unhealthy_threshold = var.health_check.unhealthy_threshold
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [port]
  }
}

resource "aws_lb_listener_rule" "this" {
  for_each = local.load_balancers

  listener_arn = each.value.listener_arn
  priority     = each.value.priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.key].arn
  }

  condition {
    host_header {
      values = [each.value.host_header]
    }
  }

  # Conditions besides the host: one path-pattern condition (any pattern matches) and one
  # http-header condition per header (any of its values matches); all conditions must hold.
  dynamic "condition" {
    for_each = length(each.value.path_patterns) > 0 ? [each.value.path_patterns] : []
    content {
      path_pattern {
        values = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = each.value.http_headers
    content {
      http_header {
        http_header_name = condition.key
        values           = condition.value
      }
    }
  }

  tags = var.tags
}

# One service resource, whatever the autoscaling setting: Terraform never owns the running
# task count nor the running task definition. It creates the service with desired_count 0,
# because before the first deploy the service's ECR repository holds no image and any task
# would fail to pull (a crash loop). Deploys register task definitions and set the desired
# count from the spec (output desired_count); autoscaling, when on, moves it between min and
# max. Switching autoscaling on or off only adds or removes the scaling target and policy.
resource "aws_ecs_service" "this" {
  # A scheduled job (var.schedule) has no ECS service: EventBridge Scheduler runs its task
  # (schedule.tf).
  count = var.schedule == null ? 1 : 0

  name             = var.name
  cluster          = var.cluster_arn
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = 0
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  # ECS accepts a grace period only for services with a load balancer.
  health_check_grace_period_seconds = length(local.load_balancers) > 0 ? var.health_check_grace_period_seconds : null
  enable_execute_command            = var.enable_execute_command
  enable_ecs_managed_tags           = true
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = false

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # A deployment that drives these CloudWatch alarms into ALARM is rolled back (issue 13). Once a
  # service has the block, the list must not become empty: removing the block makes the provider
  # send DeploymentConfiguration.Alarms without AlarmNames, and an empty list is sent as no list;
  # UpdateService/CreateService refuse both ("missing required field"; found by the e2e
  # transition "external ingress off"). platform/service therefore always passes at least one
  # alarm while any is unsilenced.
  dynamic "alarms" {
    for_each = length(var.deployment_alarm_names) > 0 ? [1] : []
    content {
      alarm_names = var.deployment_alarm_names
      enable      = true
      rollback    = true
    }
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  # ECS Service Connect: the tasks serve the task definition's port named "http" to the
  # namespace's clients at <client_alias.dns_name>:<client_alias.port>, and, as clients, reach
  # every other service of the namespace by its alias. Whether a client may open a connection
  # is the security groups' decision: the tasks admit only <name>-clients (and the external
  # load balancer). Updated in place by UpdateService (not ForceNew in hashicorp/aws).
  # A worker (serve_http = false) is a client only: no service block, so no alias and no
  # discovery name; it still reaches the namespace's services by their aliases.
  service_connect_configuration {
    enabled   = true
    namespace = var.service_connect.namespace_arn

    dynamic "service" {
      for_each = var.serve_http ? [1] : []
      content {
        port_name      = "http"
        discovery_name = var.name

        client_alias {
          dns_name = var.service_connect.dns_name
          port     = var.service_connect.port
        }
      }
    }

    log_configuration {
      log_driver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "service-connect"
      }
    }
  }

  # ECS requires the load balancer's container name and port to exist in the service's task
  # definition, and Terraform never changes the task definition (ignore_changes below). While the
  # port changes, the previous port stays here; `infragen deploy` sends the new task definition and
  # the new port in one UpdateService ("For services that use rolling updates, you can add,
  # update, or remove Elastic Load Balancing target groups":
  # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html), after which
  # the root drops previous_port and this matches what runs.
  dynamic "load_balancer" {
    for_each = local.load_balancers
    content {
      target_group_arn = aws_lb_target_group.this[load_balancer.key].arn
      container_name   = var.name
      container_port   = coalesce(var.previous_port, var.port)
    }
  }

  tags = var.tags

  # A target group must be attached to a load balancer (a listener rule) before a service can
  # use it.
  depends_on = [aws_lb_listener_rule.this, aws_iam_role_policy.execution]

  lifecycle {
    ignore_changes = [task_definition, desired_count]

    precondition {
      condition     = length(var.security_group_ids) <= var.max_security_groups
      error_message = "security_group_ids exceed max_security_groups, the account's security groups per network interface quota (AWS default 5): tasks could not start. Declare fewer network dependencies or raise the quota and max_security_groups."
    }

    precondition {
      condition     = var.autoscaling == null || try(var.desired_count >= var.autoscaling.min && var.desired_count <= var.autoscaling.max, false)
      error_message = "With autoscaling, desired_count must satisfy autoscaling.min <= desired_count <= autoscaling.max."
    }

    precondition {
      condition     = var.serve_http ? var.service_connect.dns_name != null : var.external_listener == null
      error_message = "A service that serves HTTP needs service_connect.dns_name (its alias); one that does not (serve_http = false, a worker) cannot have an external_listener."
    }

    precondition {
      condition     = !local.queue_scaling || !var.serve_http
      error_message = "autoscaling.resource \"queue\" is for workers (serve_http = false): a service scales on cpu or memory."
    }
  }
}

resource "aws_appautoscaling_target" "this" {
  count = local.autoscaling_enabled ? 1 : 0

  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${local.cluster_name}/${aws_ecs_service.this[0].name}"
  min_capacity       = var.autoscaling.min
  max_capacity       = var.autoscaling.max

  tags = var.tags
}

resource "aws_appautoscaling_policy" "this" {
  count = local.autoscaling_enabled ? 1 : 0

  name               = "${var.name}-${var.autoscaling.resource}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling.target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    dynamic "predefined_metric_specification" {
      for_each = local.queue_scaling ? [] : [1]
      content {
        predefined_metric_type = var.autoscaling.resource == "cpu" ? "ECSServiceAverageCPUUtilization" : "ECSServiceAverageMemoryUtilization"
      }
    }

    # Backlog per task: ApproximateNumberOfMessagesVisible of the queue / RunningTaskCount of the
    # service (ECS/ContainerInsights: the cluster needs Container Insights). With no running task
    # the whole backlog counts as one task's, so a worker scaled to its minimum still scales out.
    dynamic "customized_metric_specification" {
      for_each = local.queue_scaling ? [1] : []
      content {
        metrics {
          id          = "visible"
          label       = "visible messages of ${var.autoscaling.queue_name}"
          return_data = false
          metric_stat {
            stat = "Sum"
            metric {
              namespace   = "AWS/SQS"
              metric_name = "ApproximateNumberOfMessagesVisible"
              dimensions {
                name  = "QueueName"
                value = var.autoscaling.queue_name
              }
            }
          }
        }

        metrics {
          id          = "running"
          label       = "running tasks of ${var.name}"
          return_data = false
          metric_stat {
            stat = "Average"
            metric {
              namespace   = "ECS/ContainerInsights"
              metric_name = "RunningTaskCount"
              dimensions {
                name  = "ClusterName"
                value = local.cluster_name
              }
              dimensions {
                name  = "ServiceName"
                value = var.name
              }
            }
          }
        }

        metrics {
          id          = "backlog_per_task"
          label       = "visible messages per running task"
          expression  = "IF(running > 0, visible / running, visible)"
          return_data = true
        }
      }
    }
  }
}

# Fargate pulls images, writes logs and fetches secrets over the task's own ENI, so the
# tasks' group needs HTTPS egress to the AWS endpoints (ECR, S3 for image layers, CloudWatch
# Logs, Secrets Manager, SSM). Not to anywhere: to https_egress_cidr_blocks (default the private
# ranges, where the VPC's interface endpoints live) and https_egress_prefix_list_ids (the S3
# gateway endpoint's prefix list). A VPC that reaches AWS through NAT lists 0.0.0.0/0 explicitly
# (account.yaml network.httpsEgress). Nothing else leaves the tasks except through the -clients
# groups.
resource "aws_security_group_rule" "https_egress" {
  count = var.enable_https_egress ? 1 : 0

  type              = "egress"
  security_group_id = var.https_egress_security_group_id
  description       = "HTTPS to AWS APIs (ECR, S3, CloudWatch Logs, Secrets Manager, SSM)"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = length(var.https_egress_cidr_blocks) > 0 ? var.https_egress_cidr_blocks : null
  prefix_list_ids   = length(var.https_egress_prefix_list_ids) > 0 ? var.https_egress_prefix_list_ids : null

  lifecycle {
    precondition {
      condition     = var.https_egress_security_group_id != null
      error_message = "enable_https_egress needs https_egress_security_group_id."
    }

    precondition {
      condition     = length(var.https_egress_cidr_blocks) + length(var.https_egress_prefix_list_ids) > 0
      error_message = "enable_https_egress needs at least one of https_egress_cidr_blocks and https_egress_prefix_list_ids."
    }
  }
}
