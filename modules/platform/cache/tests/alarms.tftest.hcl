mock_provider "aws" {}

variables {
  service         = "orders"
  owner           = "team-a"
  environment     = "staging"
  production      = false
  vpc_id          = "vpc-0123456789abcdef0"
  subnet_ids      = ["subnet-0a", "subnet-0b"]
  tags            = { cost-center = "cc-42", owner = "someone-else" }
  name            = "orders-cache"
  alarm_topic_arn = "arn:aws:sns:eu-west-1:111122223333:team-a-alerts"
  node_type       = "cache.t4g.small"
}
run "cache_alarms_per_node" {
  command = apply

  variables {
    num_cache_nodes = 2
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 6 && aws_cloudwatch_metric_alarm.this["orders-cache-002-evictions"].dimensions == tomap({ CacheClusterId = "orders-cache-002" })
    error_message = "each member cluster <name>-00N gets cpu, memory and evictions alarms"
  }
}

run "silence_evictions_with_reason" {
  command = apply

  variables {
    alarm_overrides = { evictions = { silenced = true, reason = "LRU cache: evictions are expected" } }
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset(["orders-cache-001-cpu", "orders-cache-001-memory"])
    error_message = "a silenced alarm is not created"
  }
}

run "rejects_negative_threshold" {
  command = plan
  variables {
    alarm_overrides = { evictions = { threshold = -1, reason = "negative" } }
  }
  expect_failures = [var.alarm_overrides]
}
