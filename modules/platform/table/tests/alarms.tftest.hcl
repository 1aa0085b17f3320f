mock_provider "aws" {}

variables {
  service         = "orders"
  owner           = "team-a"
  environment     = "staging"
  production      = false
  vpc_id          = "vpc-0123456789abcdef0"
  subnet_ids      = ["subnet-0a", "subnet-0b"]
  tags            = { cost-center = "cc-42", owner = "someone-else" }
  name            = "orders-table"
  alarm_topic_arn = "arn:aws:sns:eu-west-1:111122223333:team-a-alerts"
  hash_key        = "pk"
}

run "table_alarm" {
  command = apply

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["orders-table-throttles"] && length(aws_cloudwatch_metric_alarm.this["orders-table-throttles"].metric_query) == 3
    error_message = "a table gets the throttles alarm (read + write throttle events)"
  }
}

run "rejects_silenced_alarm_without_reason" {
  command = plan
  variables {
    alarm_overrides = { throttles = { silenced = true } }
  }
  expect_failures = [var.alarm_overrides]
}
