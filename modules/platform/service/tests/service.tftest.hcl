mock_provider "aws" {
  mock_resource "aws_ecs_task_definition" {
    defaults = {
      arn = "arn:aws:ecs:eu-west-1:111122223333:task-definition/orders:1"
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
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/orders"
    }
  }
}

# Distinct, well-formed ids for the two groups, so rules can be told apart.
override_resource {
  target = module.client_access.aws_security_group.this
  values = { id = "sg-0aaaaaaaaaaaaaaa1" }
}

override_resource {
  target = module.client_access.aws_security_group.clients
  values = { id = "sg-0ccccccccccccccc1" }
}

variables {
  name        = "orders"
  service     = "orders"
  owner       = "team-orders"
  environment = "prod"
  production  = true
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  tags        = { cost-center = "cc-42", owner = "someone-else" }

  image         = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders:bootstrap"
  cpu           = 512
  memory_mb     = 1024
  desired_count = 2

  cluster_arn                   = "arn:aws:ecs:eu-west-1:111122223333:cluster/main"
  service_connect_namespace_arn = "arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123456789abcdef"
  internal_hostname             = "orders-internal.prod.example.com"

  client_security_group_ids = ["sg-0ddddddddddddddd1"]
}

run "internal_service" {
  command = apply

  assert {
    condition     = output.service_name == "orders" && output.task_definition_family == "orders" && output.log_group_name == "/ecs/orders"
    error_message = "ECS service, task family and log group are named after the service"
  }

  assert {
    condition     = output.security_group_id == "sg-0aaaaaaaaaaaaaaa1" && output.client_security_group_id == "sg-0ccccccccccccccc1"
    error_message = "outputs must expose the tasks' group and the -clients group"
  }

  assert {
    condition     = module.client_access.security_group_name == "orders" && module.client_access.client_security_group_name == "orders-clients"
    error_message = "groups are named <name> and <name>-clients"
  }

  # A security group's description cannot change in place: one that names the port would make
  # a port change replace the group the running tasks are attached to (and, with a fixed name,
  # fail with InvalidGroup.Duplicate).
  assert {
    condition     = module.client_access.descriptions == { guarded = "ECS tasks of orders: HTTP from its load balancers and orders-clients", clients = "Clients of service orders: egress to its tasks" }
    error_message = "security group descriptions must not carry the port"
  }

  assert {
    condition = { for k, r in module.client_access.ingress_rules : k => [r.source_security_group_id, r.protocol, r.from_port, r.to_port] } == {
      clients = ["sg-0ccccccccccccccc1", "tcp", 8080, 8080]
    }
    error_message = "an internal service's tasks admit only <name>-clients, on the HTTP port: no shared internal load balancer"
  }

  assert {
    condition     = alltrue([for r in values(module.client_access.client_egress_rules) : r.security_group_id == module.client_access.client_security_group_id]) && alltrue([for r in values(module.client_access.ingress_rules) : r.security_group_id == module.client_access.security_group_id])
    error_message = "the tasks' group has no generic egress rules and the -clients group admits nothing"
  }

  assert {
    condition = { for k, r in module.client_access.client_egress_rules : k => [r.destination_security_group_id, r.protocol, r.from_port, r.to_port] } == {
      guarded = ["sg-0aaaaaaaaaaaaaaa1", "tcp", 8080, 8080]
    }
    error_message = "the -clients group reaches only the tasks, on the HTTP port"
  }

  assert {
    condition     = module.ecs_service.security_group_ids == toset(["sg-0aaaaaaaaaaaaaaa1", "sg-0ddddddddddddddd1"])
    error_message = "the tasks join their own group and their dependencies' -clients groups, nothing else"
  }

  assert {
    condition     = module.ecs_service.https_egress_rule_id != null
    error_message = "the tasks' group must get the HTTPS egress Fargate needs"
  }

  assert {
    condition     = output.internal_hostname == "orders-internal.prod.example.com" && output.external_hostname == null
    error_message = "the internal hostname is the Service Connect alias; no external record for an internal service"
  }

  assert {
    condition = alltrue([
      module.ecs_service.service_connect_dns_name == "orders-internal.prod.example.com",
      length(module.ecs_service.target_group_arns) == 0,
    ])
    error_message = "other services reach it through Service Connect at <name>-internal..., not through a target group"
  }

  assert {
    condition     = module.ecs_service.external_listener_rule_arn == null && module.ecs_service.autoscaling_policy_arn == null
    error_message = "no external rule and no autoscaling unless asked for"
  }

  assert {
    condition = output.tags == {
      cost-center = "cc-42"
      owner       = "team-orders"
      service     = "orders"
      environment = "prod"
      managed-by  = "infragen"
    }
    error_message = "standard tags are added and take precedence over var.tags"
  }
}

run "external_service_with_autoscaling" {
  command = apply

  variables {
    autoscaling = { resource = "cpu", target = 60, min = 2, max = 8 }
    external = {
      listener_arn           = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      dns_name               = "external-lb-456.eu-west-1.elb.amazonaws.com"
      zone_id                = "Z32O12XQLNTSW2"
      security_group_id      = "sg-0eeeeeeeeeeeeeee1"
      domain                 = "orders.example.com"
      public_zone_id         = "Z9876543210ZYXWVUTSRQ"
      listener_rule_priority = 77
    }
  }

  assert {
    condition = { for k, r in module.client_access.ingress_rules : k => [r.source_security_group_id, r.from_port, r.to_port] } == {
      external_lb = ["sg-0eeeeeeeeeeeeeee1", 8080, 8080]
      clients     = ["sg-0ccccccccccccccc1", 8080, 8080]
    }
    error_message = "an external service also admits the external load balancer (and no internal one), on the HTTP port"
  }

  assert {
    condition     = output.external_hostname == "orders.example.com" && module.ecs_service.external_listener_rule_arn != null
    error_message = "external alias record and listener rule for the public domain"
  }

  assert {
    condition     = module.ecs_service.autoscaling_policy_arn != null
    error_message = "autoscaling present when set"
  }
}

run "external_service_health_check_settings" {
  command = apply

  variables {
    external = {
      listener_arn           = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      dns_name               = "external-lb-456.eu-west-1.elb.amazonaws.com"
      zone_id                = "Z32O12XQLNTSW2"
      security_group_id      = "sg-0eeeeeeeeeeeeeee1"
      domain                 = "orders.example.com"
      public_zone_id         = "Z9876543210ZYXWVUTSRQ"
      listener_rule_priority = 77
    }
    health_check = { interval_seconds = 30, unhealthy_threshold = 5, matcher = "200,204" }
  }

  assert {
    condition = (
      module.ecs_service.target_group_health_checks["external"].interval == 30 &&
      module.ecs_service.target_group_health_checks["external"].timeout == 5 &&
      module.ecs_service.target_group_health_checks["external"].healthy_threshold == 2 &&
      module.ecs_service.target_group_health_checks["external"].unhealthy_threshold == 5 &&
      module.ecs_service.target_group_health_checks["external"].matcher == "200,204"
    )
    error_message = "set health_check attributes reach the target group; unset ones keep aws/ecs-service's defaults"
  }
}

run "external_service_listener_conditions" {
  command = apply

  variables {
    external = {
      listener_arn           = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      dns_name               = "external-lb-456.eu-west-1.elb.amazonaws.com"
      zone_id                = "Z32O12XQLNTSW2"
      security_group_id      = "sg-0eeeeeeeeeeeeeee1"
      domain                 = "orders.example.com"
      public_zone_id         = "Z9876543210ZYXWVUTSRQ"
      listener_rule_priority = 77
      paths                  = ["/orders/*"]
      headers                = { "X-Canary" = ["on", "yes"] }
    }
  }

  assert {
    condition     = jsonencode(module.ecs_service.external_listener_rule_conditions) == jsonencode({ headers = { "X-Canary" = ["on", "yes"] }, host = "orders.example.com", paths = ["/orders/*"] })
    error_message = "paths and headers must reach the external listener rule of aws/ecs-service"
  }
}

run "rejects_host_header_condition" {
  command = plan
  variables {
    external = {
      listener_arn           = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      dns_name               = "external-lb-456.eu-west-1.elb.amazonaws.com"
      zone_id                = "Z32O12XQLNTSW2"
      security_group_id      = "sg-0eeeeeeeeeeeeeee1"
      domain                 = "orders.example.com"
      public_zone_id         = "Z9876543210ZYXWVUTSRQ"
      listener_rule_priority = 77
      headers                = { host = ["other.example.com"] }
    }
  }
  expect_failures = [var.external]
}

run "rejects_health_check_interval_below_5" {
  command = plan
  variables {
    health_check = { interval_seconds = 4 }
  }
  expect_failures = [var.health_check]
}

# Review finding 1: while the port changes, the tasks still on the previous port stay reachable
# from the load balancer and the -clients group, and the ECS service keeps the previous port in
# its load balancer configuration until `infragen deploy` moves it.
run "port_change_keeps_the_previous_port_open" {
  command = apply

  variables {
    port          = 9000
    previous_port = 8080
    external = {
      listener_arn           = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      dns_name               = "external-lb-456.eu-west-1.elb.amazonaws.com"
      zone_id                = "Z32O12XQLNTSW2"
      security_group_id      = "sg-0eeeeeeeeeeeeeee1"
      domain                 = "orders.example.com"
      public_zone_id         = "Z9876543210ZYXWVUTSRQ"
      listener_rule_priority = 77
    }
  }

  assert {
    condition = toset(concat(
      [for r in module.client_access.ingress_rules : "${r.source_security_group_id}:${r.from_port}"],
      [for r in aws_security_group_rule.previous_port_ingress : "${r.source_security_group_id}:${r.from_port}" if r.security_group_id == "sg-0aaaaaaaaaaaaaaa1"],
      )) == toset([
      "sg-0eeeeeeeeeeeeeee1:9000", "sg-0ccccccccccccccc1:9000",
      "sg-0eeeeeeeeeeeeeee1:8080", "sg-0ccccccccccccccc1:8080",
    ])
    error_message = "the tasks admit the load balancer and the -clients group on both ports during the change"
  }

  assert {
    condition = toset(concat(
      [for r in module.client_access.client_egress_rules : r.from_port],
      [for r in aws_security_group_rule.previous_port_clients_egress : r.from_port if r.security_group_id == "sg-0ccccccccccccccc1"],
    )) == toset([9000, 8080])
    error_message = "the -clients group may reach the tasks on both ports during the change"
  }

  assert {
    condition     = one(module.ecs_service.load_balancer_container_ports) == 8080
    error_message = "the ECS service keeps the previous port until the deploy moves it"
  }
}

run "rejects_previous_port_equal_to_port" {
  command = plan
  variables {
    previous_port = 8080
  }
  expect_failures = [var.previous_port]
}

run "rejects_short_log_retention" {
  command = plan
  variables {
    log_retention_days = 90
  }
  expect_failures = [var.log_retention_days]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "orders_service"
  }
  expect_failures = [var.name]
}

run "rejects_non_namespace_arn" {
  command = plan
  variables {
    service_connect_namespace_arn = "arn:aws:ecs:eu-west-1:111122223333:cluster/main"
  }
  expect_failures = [var.service_connect_namespace_arn]
}

run "rejects_external_priority_out_of_range" {
  command = plan
  variables {
    external = {
      listener_arn           = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/external/0123456789abcdef/0123456789abcdef"
      dns_name               = "external-lb-456.eu-west-1.elb.amazonaws.com"
      zone_id                = "Z32O12XQLNTSW2"
      security_group_id      = "sg-0eeeeeeeeeeeeeee1"
      domain                 = "orders.example.com"
      public_zone_id         = "Z9876543210ZYXWVUTSRQ"
      listener_rule_priority = 50001
    }
  }
  expect_failures = [var.external]
}

run "passes_the_accounts_eni_quota" {
  command = plan
  variables {
    client_security_group_ids = ["sg-0ddddddddddddddd1", "sg-0ddddddddddddddd2", "sg-0ddddddddddddddd3", "sg-0ddddddddddddddd4", "sg-0ddddddddddddddd5"]
    max_security_groups       = 6
  }
  # The tasks join six groups (their own and five -clients groups): with the default quota of 5
  # aws/ecs-service's precondition fails this plan (its test rejects_more_groups_than_the_eni_quota).
}

run "rejects_an_eni_quota_above_16" {
  command = plan
  variables {
    max_security_groups = 17
  }
  expect_failures = [var.max_security_groups]
}

run "rejects_autoscaling_min_above_max" {
  command = plan
  variables {
    autoscaling = { resource = "memory", target = 60, min = 4, max = 2 }
  }
  expect_failures = [var.autoscaling]
}

run "rejects_unknown_cpu" {
  command = plan
  variables {
    cpu = 300
  }
  expect_failures = [var.cpu]
}

# Issue 19: kind = "worker" serves no HTTP: no target group, no Service Connect alias, no
# internal host name; its health is the container health check command; it scales on the backlog
# per task of a queue.
run "worker" {
  command = apply

  variables {
    kind                 = "worker"
    internal_hostname    = null
    health_check_command = ["CMD-SHELL", "find /tmp/healthy -mmin -1 | grep -q ."]
    autoscaling          = { resource = "queue", target = 50, min = 1, max = 6, queue_name = "orders-jobs" }
  }

  assert {
    condition     = length(module.ecs_service.target_group_arns) == 0 && output.target_group_arns == {} && module.ecs_service.external_listener_rule_arn == null
    error_message = "a worker has no target group and no listener rule"
  }

  assert {
    condition     = output.internal_hostname == null && module.ecs_service.service_connect_dns_name == null
    error_message = "a worker has no Service Connect alias (nobody can call it)"
  }

  assert {
    condition     = module.ecs_service.autoscaling_policy_arn != null
    error_message = "the backlog policy is created"
  }

  assert {
    condition     = output.client_security_group_id == null && module.client_access.ingress_rules == {} && output.security_group_id != null
    error_message = "nothing may call a worker: no -clients group, and its tasks' own group admits nothing"
  }

  assert {
    condition     = length(output.deployment_alarm_names) == 0 && join(",", output.alarm_names) == "orders-cpu,orders-memory"
    error_message = "a worker has no HTTP (ALB or Service Connect) alarms: CPU and memory only"
  }
}

run "rejects_worker_with_an_alias" {
  command = plan

  variables {
    kind                 = "worker"
    health_check_command = ["CMD-SHELL", "true"]
  }

  expect_failures = [output.service_name]
}

run "job" {
  command = apply

  variables {
    kind               = "job"
    internal_hostname  = null
    desired_count      = null
    container_insights = false
    alarm_topic_arn    = "arn:aws:sns:eu-west-1:111122223333:team-orders-alerts"
    schedule           = { expression = "cron(0 3 * * ? *)", timezone = "Europe/Berlin", retries = 2 }
  }

  assert {
    condition     = output.service_name == null && output.schedule_arn != null && output.internal_hostname == null && output.target_group_arns == {}
    error_message = "a job has a schedule and no ECS service, alias or target group"
  }

  assert {
    condition = alltrue([
      toset(keys(aws_cloudwatch_metric_alarm.this)) == toset(["orders-failed-invocations", "orders-never-started", "orders-failed-runs"]),
      alltrue([for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset([var.alarm_topic_arn])]),
      aws_cloudwatch_metric_alarm.this["orders-failed-invocations"].namespace == "AWS/Scheduler",
      aws_cloudwatch_metric_alarm.this["orders-failed-invocations"].metric_name == "InvocationDroppedCount",
      aws_cloudwatch_metric_alarm.this["orders-failed-invocations"].dimensions == tomap({ ScheduleGroup = "orders" }),
      aws_cloudwatch_metric_alarm.this["orders-never-started"].dimensions == tomap({ RuleName = "orders-never-started" }),
    ])
    error_message = "a job pages its owner team on a run Scheduler gave up on, a task that never started and a failed run; no service alarms and no overrun alarm without a timeout"
  }

  assert {
    condition = alltrue([
      jsondecode(aws_cloudwatch_event_rule.job["never-started"].event_pattern).detail.stopCode == ["TaskFailedToStart"],
      jsondecode(aws_cloudwatch_event_rule.job["never-started"].event_pattern).detail.group == ["family:orders"],
      jsondecode(aws_cloudwatch_event_rule.job["failed-runs"].event_pattern).detail.containers.exitCode == [{ "anything-but" = 0 }],
      jsondecode(aws_cloudwatch_event_rule.job["failed-runs"].event_pattern).detail.clusterArn == [var.cluster_arn],
    ])
    error_message = "the rules match only this family's stopped tasks in this cluster: failed to start, or exited non-zero"
  }

  assert {
    condition     = length(output.dashboard_widgets) == 2 && strcontains(output.dashboard_widgets[0], "InvocationAttemptCount")
    error_message = "a job's dashboard shows its scheduled runs and failed runs"
  }
}

run "job_with_a_timeout_pages_an_overrun" {
  command = plan

  variables {
    kind               = "job"
    internal_hostname  = null
    desired_count      = null
    container_insights = true
    schedule           = { expression = "rate(1 hour)", timezone = "UTC", retries = 0, timeout_seconds = 900 }
  }

  override_data {
    target = data.aws_ecs_cluster.insights[0]
    values = { setting = [{ name = "containerInsights", value = "enabled" }] }
  }

  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.this["orders-overrun"].evaluation_periods == 15,
      aws_cloudwatch_metric_alarm.this["orders-overrun"].period == 60,
      aws_cloudwatch_metric_alarm.this["orders-overrun"].dimensions == tomap({ ClusterName = "main", TaskDefinitionFamily = "orders" }),
      !contains(keys(aws_cloudwatch_metric_alarm.this), "orders-missing-tasks"),
    ])
    error_message = "a 900 s timeout alarms after 15 minutes in a row of the family's task metrics; a job has no missing-tasks alarm"
  }
}

run "rejects_a_job_with_a_desired_count" {
  command = plan

  variables {
    kind              = "job"
    internal_hostname = null
    schedule          = { expression = "rate(1 hour)", timezone = "UTC", retries = 0 }
  }

  expect_failures = [output.service_name]
}
