mock_provider "aws" {}

variables {
  name                   = "orders-db"
  engine                 = "postgres"
  engine_version         = "16.4"
  instance_class         = "db.t4g.medium"
  storage_gb             = 20
  subnet_ids             = ["subnet-0a", "subnet-0b"]
  vpc_security_group_ids = ["sg-0123"]
  tags                   = { owner = "team-a" }
}

run "secure_defaults" {
  command = apply

  assert {
    condition = (
      aws_db_instance.this.storage_encrypted &&
      aws_db_instance.this.manage_master_user_password &&
      !aws_db_instance.this.publicly_accessible &&
      aws_db_instance.this.iam_database_authentication_enabled &&
      aws_db_instance.this.copy_tags_to_snapshot &&
      aws_db_instance.this.performance_insights_enabled
    )
    error_message = "encryption, managed password, private, IAM auth, tag copy and Performance Insights must be on"
  }

  # 16.4 pins the minor: AWS must not upgrade it, or Terraform would try to downgrade
  # (hashicorp/terraform-provider-aws#27240).
  assert {
    condition     = !aws_db_instance.this.auto_minor_version_upgrade && !aws_db_instance.this.allow_major_version_upgrade
    error_message = "a pinned minor version turns automatic minor upgrades off"
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period == 7 && aws_db_instance.this.multi_az
    error_message = "defaults must be 7 days of backups and Multi-AZ"
  }

  assert {
    condition     = aws_db_instance.this.deletion_protection && !aws_db_instance.this.skip_final_snapshot && can(regex("^orders-db-final-[0-9a-f]{8}$", aws_db_instance.this.final_snapshot_identifier))
    error_message = "defaults must be deletion protection and a final snapshot named <name>-final-<random>, unique per instance (a fixed name fails the second destroy)"
  }

  assert {
    condition     = aws_db_instance.this.port == 5432 && aws_db_instance.this.ca_cert_identifier == "rds-ca-rsa2048-g1"
    error_message = "postgres must listen on 5432 with the rsa2048 CA"
  }

  assert {
    condition     = aws_db_instance.this.enabled_cloudwatch_logs_exports == toset(["postgresql", "upgrade"])
    error_message = "postgres must export postgresql and upgrade logs"
  }

  assert {
    condition     = aws_db_instance.this.db_subnet_group_name == aws_db_subnet_group.this.name && aws_db_subnet_group.this.name == "orders-db"
    error_message = "the instance must use its own subnet group named <name>"
  }

  assert {
    condition     = aws_db_parameter_group.this.family == "postgres16" && contains([for p in aws_db_parameter_group.this.parameter : p.name], "log_min_duration_statement") && contains([for p in aws_db_parameter_group.this.parameter : p.name], "log_statement")
    error_message = "the postgres parameter group must be postgres16 and enable query logging"
  }

  assert {
    condition     = aws_db_instance.this.tags == tomap({ owner = "team-a", Name = "orders-db" })
    error_message = "tags must be var.tags plus Name"
  }
}

run "mysql_and_no_protection" {
  command = apply

  variables {
    engine              = "mysql"
    engine_version      = "8.0.39"
    multi_az            = false
    deletion_protection = false
    skip_final_snapshot = true
  }

  assert {
    condition     = aws_db_instance.this.port == 3306 && aws_db_parameter_group.this.family == "mysql8.0"
    error_message = "mysql must listen on 3306 with the mysql8.0 family"
  }

  assert {
    condition     = contains(aws_db_instance.this.enabled_cloudwatch_logs_exports, "slowquery") && contains([for p in aws_db_parameter_group.this.parameter : p.name], "slow_query_log")
    error_message = "mysql must log slow queries and export them"
  }

  assert {
    condition     = !aws_db_instance.this.deletion_protection && aws_db_instance.this.skip_final_snapshot && !aws_db_instance.this.multi_az
    error_message = "deletion protection, final snapshot and Multi-AZ must follow the variables"
  }
}

run "rejects_short_backups" {
  command = plan
  variables {
    backup_retention_days = 3
  }
  expect_failures = [var.backup_retention_days]
}

run "rejects_unknown_engine" {
  command = plan
  variables {
    engine = "oracle-ee"
  }
  expect_failures = [var.engine]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "9orders"
  }
  expect_failures = [var.name]
}

run "rejects_small_storage" {
  command = plan
  variables {
    storage_gb = 5
  }
  expect_failures = [var.storage_gb]
}

run "rejects_single_subnet" {
  command = plan
  variables {
    subnet_ids = ["subnet-0a"]
  }
  expect_failures = [var.subnet_ids]
}

run "rejects_reserved_username" {
  command = plan
  variables {
    master_username = "admin"
  }
  expect_failures = [var.master_username]
}

run "rejects_max_storage_below_storage" {
  command = plan
  variables {
    storage_gb     = 100
    max_storage_gb = 50
  }
  expect_failures = [aws_db_instance.this]
}

run "rejects_monitoring_without_role" {
  command = plan
  variables {
    monitoring_interval_seconds = 60
  }
  expect_failures = [aws_db_instance.this]
}

run "release_line_only_gets_minor_upgrades" {
  command = apply
  variables {
    engine_version = "16"
  }
  assert {
    condition     = aws_db_instance.this.auto_minor_version_upgrade && aws_db_parameter_group.this.family == "postgres16"
    error_message = "postgres MAJOR lets AWS apply minor upgrades"
  }
}

run "mysql_line" {
  command = apply
  variables {
    engine         = "mysql"
    engine_version = "8.0"
  }
  assert {
    condition     = aws_db_instance.this.auto_minor_version_upgrade && aws_db_parameter_group.this.family == "mysql8.0"
    error_message = "mysql MAJOR.MINOR is the release line: family mysql8.0, minor upgrades on"
  }
}

run "rejects_mysql_major_only" {
  command = plan
  variables {
    engine         = "mysql"
    engine_version = "8"
  }
  expect_failures = [aws_db_instance.this]
}

run "major_upgrade_path" {
  command = plan
  variables {
    engine_version              = "17"
    allow_major_version_upgrade = true
  }
  assert {
    condition     = aws_db_instance.this.allow_major_version_upgrade && aws_db_parameter_group.this.family == "postgres17"
    error_message = "a major upgrade is allowed when asked for and moves the parameter group family"
  }
}

# Performance Insights is not available for RDS for MySQL on db.t2/db.t3/db.t4g micro and small
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html):
# by default it is on where supported and off there (issue 18 finding 4).
run "mysql_micro_turns_performance_insights_off" {
  command = apply
  variables {
    engine         = "mysql"
    engine_version = "8.0"
    instance_class = "db.t4g.micro"
  }
  assert {
    condition     = !aws_db_instance.this.performance_insights_enabled
    error_message = "MySQL on db.t4g.micro cannot have Performance Insights: it must be off by default"
  }
}

run "postgres_micro_keeps_performance_insights" {
  command = apply
  variables {
    instance_class = "db.t4g.micro"
  }
  assert {
    condition     = aws_db_instance.this.performance_insights_enabled && aws_db_instance.this.performance_insights_retention_period == 7
    error_message = "PostgreSQL supports Performance Insights on every class: on by default"
  }
}

run "rejects_performance_insights_on_unsupported_class" {
  command = plan
  variables {
    engine                       = "mysql"
    engine_version               = "8.0"
    instance_class               = "db.t3.small"
    performance_insights_enabled = true
  }
  expect_failures = [aws_db_instance.this]
}

# Issue 18 finding 7 and finding 12: with apply_immediately = false a major upgrade's new
# parameter group is attached only in the maintenance window, so deleting the old group in the
# same apply fails while it is still attached (InvalidDBParameterGroupState, the
# terraform-aws-rds#94 pattern): the old group is then left to AWS (skip_destroy) instead.
run "maintenance_window_keeps_the_old_parameter_group" {
  command = apply
  variables {
    engine_version              = "17"
    allow_major_version_upgrade = true
  }
  assert {
    condition     = !aws_db_instance.this.apply_immediately && aws_db_parameter_group.this.skip_destroy
    error_message = "changes wait for the maintenance window, so a replaced parameter group must not be deleted (skip_destroy)"
  }
}

run "apply_immediately_deletes_the_old_parameter_group" {
  command = apply
  variables {
    engine_version              = "17"
    allow_major_version_upgrade = true
    apply_immediately           = true
  }
  assert {
    condition     = aws_db_instance.this.apply_immediately && !aws_db_parameter_group.this.skip_destroy
    error_message = "changes applied immediately detach the old parameter group before it is deleted: no group is left behind"
  }
}

run "storage_autoscaling" {
  command = apply
  variables {
    max_storage_gb = 100
  }
  assert {
    condition     = aws_db_instance.this.max_allocated_storage == 100 && aws_db_instance.this.allocated_storage == 20
    error_message = "max_storage_gb is the storage autoscaling limit"
  }
}

run "backup_and_maintenance_windows" {
  command = apply
  variables {
    backup_retention_days = 35
    backup_window         = "23:45-00:15"
    maintenance_window    = "sun:00:15-sun:01:00"
  }
  assert {
    condition = (
      aws_db_instance.this.backup_retention_period == 35 &&
      aws_db_instance.this.backup_window == "23:45-00:15" &&
      aws_db_instance.this.maintenance_window == "sun:00:15-sun:01:00"
    )
    error_message = "backup_retention_days, backup_window and maintenance_window must reach the instance"
  }
}

run "rejects_backup_window_shorter_than_30_minutes" {
  command = plan
  variables {
    backup_window = "03:00-03:29"
  }
  expect_failures = [var.backup_window]
}

run "rejects_backup_window_format" {
  command = plan
  variables {
    backup_window = "3:00-4:00"
  }
  expect_failures = [var.backup_window]
}

run "rejects_maintenance_window_shorter_than_30_minutes" {
  command = plan
  variables {
    maintenance_window = "sat:23:50-sun:00:10"
  }
  expect_failures = [var.maintenance_window]
}

run "rejects_maintenance_window_with_capital_days" {
  command = plan
  variables {
    maintenance_window = "Sun:03:00-Sun:04:00"
  }
  expect_failures = [var.maintenance_window]
}

run "rejects_overlapping_windows" {
  command = plan
  variables {
    backup_window      = "03:00-04:00"
    maintenance_window = "wed:03:30-wed:05:00"
  }
  expect_failures = [aws_db_instance.this]
}

run "rejects_windows_overlapping_across_the_week_end" {
  command = plan
  variables {
    backup_window      = "00:00-00:30"
    maintenance_window = "sun:23:00-mon:00:10"
  }
  expect_failures = [aws_db_instance.this]
}

run "adjacent_windows_are_allowed" {
  command = plan
  variables {
    backup_window      = "03:00-03:30"
    maintenance_window = "sun:03:30-sun:04:00"
  }
}
