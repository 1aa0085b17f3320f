mock_provider "aws" {}

variables {
  service         = "orders"
  owner           = "team-a"
  environment     = "staging"
  production      = false
  vpc_id          = "vpc-0123456789abcdef0"
  subnet_ids      = ["subnet-0a", "subnet-0b"]
  tags            = { cost-center = "cc-42", owner = "someone-else" }
  name            = "orders-db"
  alarm_topic_arn = "arn:aws:sns:eu-west-1:111122223333:team-a-alerts"
  engine          = "postgres"
  engine_version  = "16.4"
  instance_class  = "db.t4g.medium"
  storage_gb      = 20
}
run "database_alarms" {
  command = apply

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset(["orders-db-cpu", "orders-db-free-storage", "orders-db-connections"])
    error_message = "a database gets cpu, free storage and connections alarms"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-db-cpu"].dimensions == tomap({ DBInstanceIdentifier = "orders-db" }) && aws_cloudwatch_metric_alarm.this["orders-db-cpu"].alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:team-a-alerts"])
    error_message = "RDS alarms use the instance identifier and notify the team topic"
  }

  assert {
    condition     = anytrue([for q in aws_cloudwatch_metric_alarm.this["orders-db-free-storage"].metric_query : q.expression == "100 * free / 21474836480"]) && aws_cloudwatch_metric_alarm.this["orders-db-free-storage"].threshold == 10
    error_message = "free storage is a percentage of the allocated storage, default 10%"
  }

  # Issue 18 finding 12: the connections alarm is a share of the class's default max_connections,
  # PostgreSQL LEAST({DBInstanceClassMemory/9531392}, 5000): db.t4g.medium (4 GiB) with the
  # estimated RDS reserve of 384 MiB has (4096 - 384) MiB / 9531392 = 408 connections.
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.this["orders-db-connections"].metric_query : q.expression if q.id == "connections_percent"]) == "100 * connections / 408" && aws_cloudwatch_metric_alarm.this["orders-db-connections"].threshold == 80
    error_message = "connections alarm: 80% of the class's max_connections (408 for postgres on db.t4g.medium)"
  }
}

run "mysql_connections_follow_the_class" {
  command = apply
  variables {
    engine         = "mysql"
    engine_version = "8.0"
    instance_class = "db.r6g.2xlarge"
  }
  # MySQL {DBInstanceClassMemory/12582880}: 64 GiB less 5% = 62259 MiB -> 5188 connections
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.this["orders-db-connections"].metric_query : q.expression if q.id == "connections_percent"]) == "100 * connections / 5188"
    error_message = "mysql on db.r6g.2xlarge: max_connections 5188"
  }
}

run "max_connections_for_an_unknown_class" {
  command = apply
  variables {
    instance_class  = "db.x2g.large"
    max_connections = 1000
  }
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.this["orders-db-connections"].metric_query : q.expression if q.id == "connections_percent"]) == "100 * connections / 1000"
    error_message = "max_connections is taken as given"
  }
}

run "rejects_unknown_class_without_max_connections" {
  command = plan
  variables {
    instance_class = "db.x2g.large"
  }
  expect_failures = [output.max_connections]
}

run "rejects_connections_threshold_above_100_percent" {
  command = plan
  variables {
    alarm_overrides = { connections = { threshold = 200, reason = "a count, not a share" } }
  }
  expect_failures = [var.alarm_overrides]
}

run "rejects_free_storage_threshold_above_max" {
  command = plan
  variables {
    alarm_overrides = { free_storage = { threshold = 95, reason = "too much" } }
  }
  expect_failures = [var.alarm_overrides]
}

run "rejects_silenced_alarm_without_reason" {
  command = plan
  variables {
    alarm_overrides = { connections = { silenced = true, reason = " " } }
  }
  expect_failures = [var.alarm_overrides]
}
