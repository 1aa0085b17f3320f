mock_provider "aws" {}

variables {
  service         = "orders"
  owner           = "team-a"
  environment     = "production"
  production      = true
  vpc_id          = "vpc-0123456789abcdef0"
  subnet_ids      = ["subnet-0a", "subnet-0b"]
  tags            = { cost-center = "cc-42" }
  name            = "orders-db"
  alarm_topic_arn = "arn:aws:sns:eu-west-1:111122223333:team-a-alerts"
  engine          = "postgres"
  engine_version  = "16"
  instance_class  = "db.t4g.medium"
  storage_gb      = 20
}

run "without_replicas_readers_read_the_instance" {
  command = apply

  assert {
    condition     = length(module.rds.replica_ids) == 0 && aws_ssm_parameter.connection["reader_host"].value == module.rds.address && aws_ssm_parameter.connection["reader_hosts"].value == module.rds.address
    error_message = "without replicas reader_host and reader_hosts name the instance itself"
  }

  assert {
    condition     = length([for k in keys(aws_cloudwatch_metric_alarm.this) : k if endswith(k, "-lag")]) == 0 && length(output.dashboard_widgets) == 2
    error_message = "no replica, no replica_lag alarm and no lag widget"
  }
}

run "two_replicas" {
  command = apply

  variables {
    read_replicas = 2
  }

  assert {
    condition     = module.rds.replica_ids == ["orders-db-replica-1", "orders-db-replica-2"]
    error_message = "two replicas <name>-replica-1 and -2"
  }

  assert {
    condition     = alltrue([for id in module.rds.replica_ids : contains(keys(aws_cloudwatch_metric_alarm.this), "${id}-lag")])
    error_message = "each replica has a replica-lag alarm"
  }

  assert {
    condition = alltrue([for id in module.rds.replica_ids : (
      aws_cloudwatch_metric_alarm.this["${id}-lag"].metric_name == "ReplicaLag" &&
      aws_cloudwatch_metric_alarm.this["${id}-lag"].namespace == "AWS/RDS" &&
      aws_cloudwatch_metric_alarm.this["${id}-lag"].dimensions == tomap({ DBInstanceIdentifier = id }) &&
      aws_cloudwatch_metric_alarm.this["${id}-lag"].threshold == 60 &&
      aws_cloudwatch_metric_alarm.this["${id}-lag"].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.this["${id}-lag"].evaluation_periods == 5 &&
      aws_cloudwatch_metric_alarm.this["${id}-lag"].alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:team-a-alerts"])
    )])
    error_message = "the replica_lag alarm watches ReplicaLag of the replica itself, above 60 s for 5 minutes, and notifies the owner team"
  }

  assert {
    condition     = alltrue([for r in module.rds.replica_ids : true]) && length(output.dashboard_widgets) == 3 && strcontains(output.dashboard_widgets[2], "ReplicaLag") && strcontains(output.dashboard_widgets[2], "orders-db-replica-2")
    error_message = "the dashboard gets a replica lag widget with one line per replica"
  }

  assert {
    condition     = aws_ssm_parameter.connection["reader_host"].value == output.replica_addresses[0] && aws_ssm_parameter.connection["reader_hosts"].value == join(",", output.replica_addresses)
    error_message = "reader_host is the first replica, reader_hosts all of them"
  }
}

run "replica_lag_override_and_silence" {
  command = apply

  variables {
    read_replicas   = 1
    alarm_overrides = { replica_lag = { threshold = 300, reason = "reports tolerate five minutes" } }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-db-replica-1-lag"].threshold == 300
    error_message = "the replica_lag threshold is overridable with a reason"
  }
}

run "rejects_six_replicas" {
  command = plan
  variables {
    read_replicas = 6
  }
  expect_failures = [var.read_replicas]
}
