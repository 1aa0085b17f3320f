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
