mock_provider "aws" {}

variables {
  service        = "orders"
  owner          = "team-a"
  environment    = "staging"
  production     = false
  vpc_id         = "vpc-0123456789abcdef0"
  subnet_ids     = ["subnet-0a", "subnet-0b"]
  tags           = { cost-center = "cc-42", owner = "someone-else" }
  name           = "orders-aurora"
  engine_version = "16.4"
  instance_class = "db.r6g.large"
  iam_users      = ["orders", "billing"]
}

run "staging" {
  command = apply

  assert {
    condition     = module.client_access.security_group_name == "orders-aurora" && module.client_access.client_security_group_name == "orders-aurora-clients"
    error_message = "the groups must be named <name> and <name>-clients"
  }

  assert {
    condition = (
      length(module.client_access.ingress_rules) == 1 &&
      module.client_access.ingress_rules["clients"].source_security_group_id == module.client_access.client_security_group_id &&
      module.client_access.ingress_rules["clients"].from_port == 5432 &&
      length(module.client_access.client_egress_rules) == 1 &&
      module.client_access.client_egress_rules["guarded"].destination_security_group_id == module.client_access.security_group_id
    )
    error_message = "the cluster group must admit only the -clients group on 5432, which may only reach it"
  }

  assert {
    condition = (
      module.cluster.id == "orders-aurora" &&
      !module.cluster.deletion_protection &&
      module.cluster.final_snapshot_identifier == null &&
      module.cluster.instance_ids == ["orders-aurora-1"]
    )
    error_message = "outside production: no deletion protection, no final snapshot, one instance (the writer)"
  }

  assert {
    condition     = output.tags == tomap({ cost-center = "cc-42", owner = "team-a", service = "orders", environment = "staging", managed-by = "infragen" })
    error_message = "tags must be var.tags plus owner, service, environment and managed-by, which win over var.tags"
  }

  assert {
    condition     = toset(keys(output.connection_parameters)) == toset(["database", "host", "port", "reader_host"]) && output.connection_parameters["host"] == "/infragen/staging/orders-aurora/host"
    error_message = "the connection parameters must be postgres's (host, port, database) plus reader_host, under /infragen/<env>/<name>/"
  }

  assert {
    condition     = aws_ssm_parameter.connection["database"].value == "postgres" && aws_ssm_parameter.connection["port"].value == "5432"
    error_message = "clients connect to the postgres database on 5432"
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset(["orders-aurora-connections", "orders-aurora-cpu", "orders-aurora-freeable-memory"])
    error_message = "one instance: CPU, freeable memory and connections alarms, no replica-lag alarm"
  }

  assert {
    condition     = output.max_connections == 1712 && length(output.dashboard_widgets) == 2
    error_message = "db.r6g.large: max_connections from 16 GiB; two dashboard widgets without readers"
  }
}

run "production_with_readers" {
  command = apply

  variables {
    environment             = "prod"
    production              = true
    instances               = 3
    admin_security_group_id = "sg-0123456789abcdef0"
    alarm_topic_arn         = "arn:aws:sns:us-east-1:123456789012:team-a-alerts"
  }

  assert {
    condition = (
      module.cluster.deletion_protection &&
      can(regex("^orders-aurora-final-[0-9a-f]{8}$", module.cluster.final_snapshot_identifier)) &&
      module.cluster.instance_ids == ["orders-aurora-1", "orders-aurora-2", "orders-aurora-3"]
    )
    error_message = "production: deletion protection, a final snapshot, and the writer plus two readers"
  }

  assert {
    condition = (
      contains(keys(aws_cloudwatch_metric_alarm.this), "orders-aurora-replica-lag") &&
      aws_cloudwatch_metric_alarm.this["orders-aurora-replica-lag"].metric_name == "AuroraReplicaLag" &&
      aws_cloudwatch_metric_alarm.this["orders-aurora-replica-lag"].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:team-a-alerts"])
    )
    error_message = "readers: an AuroraReplicaLag alarm, routed to the owner team's topic"
  }

  assert {
    condition     = module.client_access.ingress_rules["atlantis"].source_security_group_id == "sg-0123456789abcdef0"
    error_message = "the Atlantis server's group must be admitted (database users)"
  }

  assert {
    condition     = length(output.dashboard_widgets) == 3
    error_message = "readers add the replica-lag widget"
  }
}

run "production_default_instances" {
  command = plan

  variables {
    production = true
  }

  assert {
    condition     = output.instances == 2
    error_message = "production defaults to a writer and one reader"
  }
}

run "name_must_start_with_service" {
  command = plan

  variables {
    name = "billing-aurora"
  }

  expect_failures = [output.arn]
}
