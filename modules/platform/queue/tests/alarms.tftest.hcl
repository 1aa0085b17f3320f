mock_provider "aws" {}

variables {
  service         = "orders"
  owner           = "team-a"
  environment     = "staging"
  production      = false
  vpc_id          = "vpc-0123456789abcdef0"
  subnet_ids      = ["subnet-0a", "subnet-0b"]
  tags            = { cost-center = "cc-42", owner = "someone-else" }
  name            = "orders-events"
  alarm_topic_arn = "arn:aws:sns:eu-west-1:111122223333:team-a-alerts"
}

run "queue_alarms" {
  command = apply

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-events-oldest-message"].dimensions == tomap({ QueueName = "orders-events" }) && aws_cloudwatch_metric_alarm.this["orders-events-dead-letters"].dimensions == tomap({ QueueName = "orders-events-dlq" })
    error_message = "the age alarm watches the queue and the dead-letter alarm its DLQ"
  }
}

run "no_dlq_no_dead_letter_alarm" {
  command = apply
  variables {
    fifo              = true
    dead_letter_queue = false
    allow_replacement = true # runs of a file share one state: this replaces the previous run's queue
  }
  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["orders-events.fifo-oldest-message"]
    error_message = "without a DLQ only the age alarm exists, on the .fifo queue"
  }
}

run "rejects_override_without_threshold_or_silence" {
  command = plan
  variables {
    alarm_overrides = { oldest_message = { reason = "nothing set" } }
  }
  expect_failures = [var.alarm_overrides]
}
