mock_provider "aws" {
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
  alarm_topic_arn           = "arn:aws:sns:eu-west-1:111122223333:team-orders-alerts"
}

run "default_alarms_notify_the_team_topic" {
  command = apply

  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset([
      "orders-5xx-rate-connect", "orders-p99-latency-connect", "orders-cpu", "orders-memory",
    ])
    error_message = "an internal service (no load balancer) gets the Service Connect 5xx and latency alarms and the ECS alarms; no missing-tasks alarm without Container Insights"
  }

  # Review finding 3: error rate and latency from the metrics ECS publishes for Service Connect
  # (AWS/ECS, per TargetDiscoveryName), healthy when nobody calls (no data).
  assert {
    condition = (
      toset([for q in aws_cloudwatch_metric_alarm.this["orders-5xx-rate-connect"].metric_query : "${q.id}:${try(q.metric[0].namespace, "")}:${try(q.metric[0].metric_name, "")}:${try(q.metric[0].dimensions.TargetDiscoveryName, "")}" if length(q.metric) > 0])
      == toset(["errors:AWS/ECS:HTTPCode_Target_5XX_Count:orders", "requests:AWS/ECS:RequestCount:orders"])
      && aws_cloudwatch_metric_alarm.this["orders-5xx-rate-connect"].treat_missing_data == "notBreaching"
      && aws_cloudwatch_metric_alarm.this["orders-5xx-rate-connect"].threshold == 5
    )
    error_message = "the Service Connect 5xx rate reads HTTPCode_Target_5XX_Count / RequestCount (AWS/ECS, TargetDiscoveryName = the service) with the http_5xx_rate threshold, missing data not breaching"
  }

  assert {
    condition = (
      one([for q in aws_cloudwatch_metric_alarm.this["orders-p99-latency-connect"].metric_query : q.metric[0].metric_name if length(q.metric) > 0]) == "TargetResponseTime"
      && one([for q in aws_cloudwatch_metric_alarm.this["orders-p99-latency-connect"].metric_query : q.metric[0].stat if length(q.metric) > 0]) == "p99"
      && one([for q in aws_cloudwatch_metric_alarm.this["orders-p99-latency-connect"].metric_query : q.expression if q.return_data]) == "latency_ms / 1000"
      && aws_cloudwatch_metric_alarm.this["orders-p99-latency-connect"].treat_missing_data == "notBreaching"
    )
    error_message = "the Service Connect latency alarm is the p99 of TargetResponseTime converted from milliseconds to seconds"
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.treat_missing_data != "breaching"])
    error_message = "no service alarm pages on missing data"
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:team-orders-alerts"]) && a.ok_actions == a.alarm_actions])
    error_message = "every alarm must notify the team topic on ALARM and OK"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-cpu"].threshold == 80 && aws_cloudwatch_metric_alarm.this["orders-memory"].threshold == 85
    error_message = "thresholds must be the module defaults"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-cpu"].dimensions == tomap({ ClusterName = "main", ServiceName = "orders" })
    error_message = "ECS alarms must use the cluster and service names"
  }

  assert {
    condition     = output.deployment_alarm_names == tolist(["orders-5xx-rate-connect", "orders-p99-latency-connect"])
    error_message = "without a load balancer the deployment rolls back on the Service Connect 5xx and latency alarms"
  }
}

run "container_insights_adds_the_missing_tasks_alarm" {
  command = apply

  variables {
    container_insights = true
  }

  override_data {
    target = data.aws_ecs_cluster.insights[0]
    values = { setting = [{ name = "containerInsights", value = "enabled" }] }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-missing-tasks"].treat_missing_data == "notBreaching" && !contains(output.deployment_alarm_names, "orders-missing-tasks")
    error_message = "with Container Insights the missing-tasks alarm exists, does not page on missing data and is no deployment alarm"
  }
}

run "rejects_container_insights_the_cluster_does_not_have" {
  command = plan

  variables {
    container_insights = true
  }

  override_data {
    target = data.aws_ecs_cluster.insights[0]
    values = { setting = [{ name = "containerInsights", value = "disabled" }] }
  }

  expect_failures = [data.aws_ecs_cluster.insights]
}

run "external_service_gets_alarms_per_load_balancer" {
  command = apply

  variables {
    external = {
      listener_arn           = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/public/fedcba9876543210/0123456789abcdef"
      dns_name               = "public-lb-123.eu-west-1.elb.amazonaws.com"
      zone_id                = "Z32O12XQLNTSW2"
      security_group_id      = "sg-0eeeeeeeeeeeeeee1"
      domain                 = "orders.example.com"
      public_zone_id         = "Z0123456789ABCDEFGHIK"
      listener_rule_priority = 7
    }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-unhealthy-targets-external"].dimensions["LoadBalancer"] == "app/public/fedcba9876543210" && !contains(keys(aws_cloudwatch_metric_alarm.this), "orders-5xx-rate-internal")
    error_message = "the external load balancer gets its ALB alarms; there is no internal one"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-p99-latency-external"].dimensions == tomap({ LoadBalancer = "app/public/fedcba9876543210", TargetGroup = "targetgroup/orders/0123456789abcdef" }) && aws_cloudwatch_metric_alarm.this["orders-p99-latency-external"].extended_statistic == "p99" && aws_cloudwatch_metric_alarm.this["orders-p99-latency-external"].threshold == 1
    error_message = "ALB alarms must use the load balancer and target group ARN suffixes and the default threshold"
  }

  assert {
    condition     = output.deployment_alarm_names == tolist(["orders-5xx-rate-connect", "orders-5xx-rate-external", "orders-p99-latency-connect", "orders-p99-latency-external"])
    error_message = "the ECS service must roll a deployment back on the 5xx and latency alarms of both paths"
  }

  # Review finding 12: the load balancer's own 503s (no healthy target) are invisible to the
  # targets' 5xx; an alarm on the healthy target count sees them.
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["orders-healthy-targets-external"].metric_name == "HealthyHostCount" &&
      aws_cloudwatch_metric_alarm.this["orders-healthy-targets-external"].namespace == "AWS/ApplicationELB" &&
      aws_cloudwatch_metric_alarm.this["orders-healthy-targets-external"].statistic == "Minimum" &&
      aws_cloudwatch_metric_alarm.this["orders-healthy-targets-external"].comparison_operator == "LessThanThreshold" &&
      aws_cloudwatch_metric_alarm.this["orders-healthy-targets-external"].threshold == 1 &&
      aws_cloudwatch_metric_alarm.this["orders-healthy-targets-external"].dimensions == tomap({ LoadBalancer = "app/public/fedcba9876543210", TargetGroup = "targetgroup/orders/0123456789abcdef" })
    )
    error_message = "an exposed service alarms when its target group has fewer than 1 healthy target"
  }
}

run "override_and_silence_with_reason" {
  command = apply

  variables {
    external = {
      listener_arn           = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/public/fedcba9876543210/0123456789abcdef"
      dns_name               = "public-lb-123.eu-west-1.elb.amazonaws.com"
      zone_id                = "Z32O12XQLNTSW2"
      security_group_id      = "sg-0eeeeeeeeeeeeeee1"
      domain                 = "orders.example.com"
      public_zone_id         = "Z0123456789ABCDEFGHIK"
      listener_rule_priority = 7
    }
    alarm_overrides = {
      cpu           = { threshold = 95, reason = "batch jobs peak at 90% every night" }
      http_5xx_rate = { silenced = true, reason = "staging load tests inject 5xx" }
    }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-cpu"].threshold == 95 && strcontains(aws_cloudwatch_metric_alarm.this["orders-cpu"].alarm_description, "batch jobs peak")
    error_message = "an override replaces the threshold and records its reason"
  }

  assert {
    condition     = !contains(keys(aws_cloudwatch_metric_alarm.this), "orders-5xx-rate-external") && output.deployment_alarm_names == tolist(["orders-p99-latency-connect", "orders-p99-latency-external"])
    error_message = "a silenced alarm is not created and not watched by deployments"
  }
}

# Review finding 6: silencing every deployment alarm would send an empty alarm list, which the
# provider cannot (UpdateService: missing required field AlarmNames). Refused at plan.
run "rejects_silencing_every_deployment_alarm" {
  command = plan

  variables {
    alarm_overrides = {
      http_5xx_rate = { silenced = true, reason = "load tests inject 5xx" }
      p99_latency   = { silenced = true, reason = "load tests are slow" }
    }
  }

  expect_failures = [output.deployment_alarm_names]
}

run "rejects_threshold_out_of_range" {
  command = plan
  variables {
    alarm_overrides = { cpu = { threshold = 150, reason = "more than 100% CPU" } }
  }
  expect_failures = [var.alarm_overrides]
}

run "rejects_silenced_alarm_without_reason" {
  command = plan
  variables {
    alarm_overrides = { memory = { silenced = true } }
  }
  expect_failures = [var.alarm_overrides]
}

run "rejects_unknown_alarm" {
  command = plan
  variables {
    alarm_overrides = { cpuu = { threshold = 90, reason = "typo" } }
  }
  expect_failures = [var.alarm_overrides]
}
