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
    condition     = length(aws_cloudwatch_metric_alarm.this) == 8 && aws_cloudwatch_metric_alarm.this["orders-cache-002-evictions"].dimensions == tomap({ CacheClusterId = "orders-cache-002" })
    error_message = "each member cluster <name>-00N gets cpu, memory, evictions and latency alarms"
  }
}

run "latency_slo_per_node" {
  command = apply

  variables {
    num_cache_nodes = 2
  }

  assert {
    condition = alltrue([
      for id in ["orders-cache-001", "orders-cache-002"] : (
        aws_cloudwatch_metric_alarm.this["${id}-latency"].threshold == 1000 &&
        aws_cloudwatch_metric_alarm.this["${id}-latency"].comparison_operator == "GreaterThanThreshold" &&
        aws_cloudwatch_metric_alarm.this["${id}-latency"].evaluation_periods == 5 &&
        aws_cloudwatch_metric_alarm.this["${id}-latency"].datapoints_to_alarm == 5 &&
        aws_cloudwatch_metric_alarm.this["${id}-latency"].treat_missing_data == "notBreaching" &&
        aws_cloudwatch_metric_alarm.this["${id}-latency"].metric_name == null &&
        toset([for q in aws_cloudwatch_metric_alarm.this["${id}-latency"].metric_query : q.id if q.return_data]) == toset(["worse"]) &&
        toset(flatten([for q in aws_cloudwatch_metric_alarm.this["${id}-latency"].metric_query : [for m in q.metric : "${m.namespace}/${m.metric_name}/${m.dimensions["CacheClusterId"]}/${m.period}/${m.stat}"]])) == toset([
          "AWS/ElastiCache/GetTypeCmdsLatency/${id}/60/Average",
          "AWS/ElastiCache/SetTypeCmdsLatency/${id}/60/Average",
        ])
      )
    ])
    error_message = "every node has the latency SLO alarm: the worse of its read and write command latency above 1000 us in 5 of 5 one-minute periods"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-cache-001-latency"].alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:team-a-alerts"]) && aws_cloudwatch_metric_alarm.this["orders-cache-001-latency"].ok_actions == toset(["arn:aws:sns:eu-west-1:111122223333:team-a-alerts"])
    error_message = "the SLO alarm notifies the owner team's topic on ALARM and OK, like every alarm"
  }
}

run "latency_slo_threshold_override" {
  command = apply

  variables {
    alarm_overrides = { latency = { threshold = 2000, reason = "large values: 2 ms is our budget" } }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-cache-001-latency"].threshold == 2000 && strcontains(aws_cloudwatch_metric_alarm.this["orders-cache-001-latency"].alarm_description, "Override: large values")
    error_message = "the SLO threshold is overridable per environment with a reason"
  }
}

run "rejects_latency_slo_below_100us" {
  command = plan
  variables {
    alarm_overrides = { latency = { threshold = 10, reason = "too tight" } }
  }
  expect_failures = [var.alarm_overrides]
}

run "silence_evictions_with_reason" {
  command = apply

  variables {
    alarm_overrides = { evictions = { silenced = true, reason = "LRU cache: evictions are expected" } }
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset(["orders-cache-001-cpu", "orders-cache-001-memory", "orders-cache-001-latency"])
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
