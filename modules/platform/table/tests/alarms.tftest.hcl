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

  # DynamoDB publishes ReadThrottleEvents / WriteThrottleEvents only for periods with a non-zero
  # value: "reads + writes" would have no datapoint when only one of them throttles, so each is
  # filled with 0 before the sum (review finding 5 of issue 18).
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.this["orders-table-throttles"].metric_query : q.expression if q.id == "throttles"]) == "FILL(reads, 0) + FILL(writes, 0)"
    error_message = "the throttles expression must fill each metric with 0 (a write-only throttle must alarm)"
  }
}

run "rejects_silenced_alarm_without_reason" {
  command = plan
  variables {
    alarm_overrides = { throttles = { silenced = true } }
  }
  expect_failures = [var.alarm_overrides]
}
