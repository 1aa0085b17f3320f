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
      "orders-missing-tasks", "orders-cpu", "orders-memory",
    ])
    error_message = "an internal service (no load balancer: Service Connect) gets the ECS alarms only"
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
    condition     = output.deployment_alarm_names == tolist(["orders-missing-tasks"])
    error_message = "without a load balancer the deployment rolls back on missing tasks (never an empty list: aws/ecs-service cannot drop an alarms block it once had)"
  }
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
    condition     = output.deployment_alarm_names == tolist(["orders-5xx-rate-external", "orders-p99-latency-external"])
    error_message = "the ECS service must roll a deployment back on the 5xx and latency alarms"
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
    condition     = !contains(keys(aws_cloudwatch_metric_alarm.this), "orders-5xx-rate-external") && output.deployment_alarm_names == tolist(["orders-p99-latency-external"])
    error_message = "a silenced alarm is not created and not watched by deployments"
  }
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
