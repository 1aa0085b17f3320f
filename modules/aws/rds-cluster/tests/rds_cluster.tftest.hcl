mock_provider "aws" {}

variables {
  name                   = "orders-aurora"
  engine_version         = "16.4"
  instance_class         = "db.r6g.large"
  subnet_ids             = ["subnet-0a", "subnet-0b"]
  vpc_security_group_ids = ["sg-0123"]
  tags                   = { owner = "team-a" }
}

run "secure_defaults" {
  command = apply

  assert {
    condition = (
      aws_rds_cluster.this.storage_encrypted &&
      aws_rds_cluster.this.manage_master_user_password &&
      aws_rds_cluster.this.iam_database_authentication_enabled &&
      aws_rds_cluster.this.copy_tags_to_snapshot &&
      aws_rds_cluster.this.master_password == null
    )
    error_message = "encryption, a managed master password (none in state), IAM auth and tag copy must be on"
  }

  assert {
    condition     = aws_rds_cluster.this.engine == "aurora-postgresql" && aws_rds_cluster.this.engine_mode == "provisioned" && aws_rds_cluster.this.port == 5432
    error_message = "the cluster must be provisioned Aurora PostgreSQL on 5432"
  }

  assert {
    condition     = aws_rds_cluster.this.deletion_protection && !aws_rds_cluster.this.skip_final_snapshot && can(regex("^orders-aurora-final-[0-9a-f]{8}$", aws_rds_cluster.this.final_snapshot_identifier))
    error_message = "defaults must be deletion protection and a final snapshot <name>-final-<random>"
  }

  assert {
    condition     = aws_rds_cluster.this.backup_retention_period == 7 && aws_rds_cluster.this.enabled_cloudwatch_logs_exports == toset(["postgresql"])
    error_message = "defaults must be 7 days of backups and the postgresql log export"
  }

  assert {
    condition     = aws_rds_cluster_parameter_group.this.family == "aurora-postgresql16" && contains([for p in aws_rds_cluster_parameter_group.this.parameter : p.name], "rds.force_ssl")
    error_message = "the cluster parameter group must be aurora-postgresql16 and force TLS"
  }

  assert {
    condition     = length(aws_rds_cluster_instance.this) == 1 && aws_rds_cluster_instance.this[0].identifier == "orders-aurora-1" && aws_rds_cluster_instance.this[0].promotion_tier == 0
    error_message = "one instance by default: the writer <name>-1"
  }

  assert {
    condition = alltrue([for i in aws_rds_cluster_instance.this : (
      i.performance_insights_enabled && !i.publicly_accessible && i.copy_tags_to_snapshot && !i.auto_minor_version_upgrade
    )])
    error_message = "members must have Performance Insights, be private, copy tags and not upgrade a pinned minor"
  }

  assert {
    condition     = aws_rds_cluster.this.db_subnet_group_name == "orders-aurora" && aws_rds_cluster.this.tags == tomap({ owner = "team-a", Name = "orders-aurora" })
    error_message = "the cluster must use its own subnet group <name> and tags var.tags plus Name"
  }
}

run "readers_and_no_protection" {
  command = apply

  variables {
    instances           = 3
    deletion_protection = false
    skip_final_snapshot = true
  }

  assert {
    condition     = [for i in aws_rds_cluster_instance.this : i.identifier] == ["orders-aurora-1", "orders-aurora-2", "orders-aurora-3"]
    error_message = "instances = 3 must make the writer and two readers"
  }

  assert {
    condition     = !aws_rds_cluster.this.deletion_protection && aws_rds_cluster.this.final_snapshot_identifier == null
    error_message = "without protection there is no final snapshot"
  }
}

run "too_many_instances" {
  command = plan

  variables {
    instances = 17
  }

  expect_failures = [var.instances]
}

run "bad_name" {
  command = plan

  variables {
    name = "orders--aurora"
  }

  expect_failures = [var.name]
}

run "bad_version" {
  command = plan

  variables {
    engine_version = "16"
  }

  expect_failures = [var.engine_version]
}
