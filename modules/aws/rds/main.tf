locals {
  version_parts = split(".", var.engine_version)
  # The parts that name the line AWS upgrades within: postgres MAJOR, mysql MAJOR.MINOR.
  line_parts = var.engine == "postgres" ? 1 : 2
  # A version that names only the line lets AWS apply minor upgrades (the provider matches
  # engine_version as a prefix of the running version). A pinned minor (16.4, 8.0.39) turns
  # automatic minor upgrades off: otherwise Terraform would try to downgrade after AWS
  # upgraded (hashicorp/terraform-provider-aws#27240).
  auto_minor_version_upgrade = length(local.version_parts) <= local.line_parts
  parameter_group_family = coalesce(
    var.parameter_group_family,
    var.engine == "postgres" ? "postgres${local.version_parts[0]}" : "mysql${join(".", slice(local.version_parts, 0, min(2, length(local.version_parts))))}",

  )
  port = coalesce(var.port, var.engine == "postgres" ? 5432 : 3306)

  # The daily backup window and the weekly maintenance window as (start, length) in minutes,
  # the backup window from midnight, the maintenance window from Monday 00:00; RDS refuses a
  # backup window that conflicts with the maintenance window on any day (CreateDBInstance,
  # PreferredBackupWindow). Variable validation has checked the formats.
  week_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
  backup_window = var.backup_window == null ? null : {
    start  = tonumber(substr(var.backup_window, 0, 2)) * 60 + tonumber(substr(var.backup_window, 3, 2))
    length = (tonumber(substr(var.backup_window, 6, 2)) * 60 + tonumber(substr(var.backup_window, 9, 2)) - tonumber(substr(var.backup_window, 0, 2)) * 60 - tonumber(substr(var.backup_window, 3, 2)) + 1440) % 1440
  }
  maintenance_window = var.maintenance_window == null ? null : {
    start  = index(local.week_days, substr(var.maintenance_window, 0, 3)) * 1440 + tonumber(substr(var.maintenance_window, 4, 2)) * 60 + tonumber(substr(var.maintenance_window, 7, 2))
    length = (index(local.week_days, substr(var.maintenance_window, 10, 3)) * 1440 + tonumber(substr(var.maintenance_window, 14, 2)) * 60 + tonumber(substr(var.maintenance_window, 17, 2)) - index(local.week_days, substr(var.maintenance_window, 0, 3)) * 1440 - tonumber(substr(var.maintenance_window, 4, 2)) * 60 - tonumber(substr(var.maintenance_window, 7, 2)) + 10080) % 10080
  }
  # Two intervals on the week's circle meet when either starts inside the other.
  windows_overlap = local.backup_window == null || local.maintenance_window == null ? false : anytrue([
    for day in range(7) : (
      (local.maintenance_window.start - day * 1440 - local.backup_window.start + 10080) % 10080 < local.backup_window.length ||
      (day * 1440 + local.backup_window.start - local.maintenance_window.start + 10080) % 10080 < local.maintenance_window.length
    )
  ])

  # Performance Insights (Database Insights) is not available for RDS for MySQL on these classes
  # (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html,
  # "Instance class restrictions"); PostgreSQL has no restriction. Null turns it on where supported.
  performance_insights_unsupported = {
    postgres = []
    mysql    = ["db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"]
  }
  performance_insights_supported = !contains(local.performance_insights_unsupported[var.engine], var.instance_class)
  performance_insights_enabled   = var.performance_insights_enabled == null ? local.performance_insights_supported : var.performance_insights_enabled

  log_exports = {
    postgres = ["postgresql", "upgrade"]
    mysql    = ["audit", "error", "general", "slowquery"]
  }

  # Query logging (checkov CKV2_AWS_30): DDL statements and slow statements.
  parameters = {
    postgres = {
      log_statement              = "ddl"
      log_min_duration_statement = tostring(var.slow_query_ms)
      "rds.force_ssl"            = "1"
    }
    mysql = {
      slow_query_log           = "1"
      long_query_time          = tostring(var.slow_query_ms / 1000)
      log_output               = "FILE"
      require_secure_transport = "ON"
    }
  }
}

resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "Subnets of the ${var.name} database"
  subnet_ids  = var.subnet_ids
  tags        = merge(var.tags, { Name = var.name })
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-"
  description = "Parameters of the ${var.name} database: query logging and TLS only"
  family      = local.parameter_group_family
  tags        = merge(var.tags, { Name = var.name })

  dynamic "parameter" {
    for_each = local.parameters[var.engine]
    content {
      name         = parameter.key
      value        = parameter.value
      apply_method = "pending-reboot"
    }
  }

  # A new family (a major upgrade) replaces the group: the new one is created first and the
  # instance switched to it. With apply_immediately = false RDS attaches it only in the next
  # maintenance window, so deleting the old group in the same apply would fail while it is
  # still attached (InvalidDBParameterGroupState; terraform-aws-modules/terraform-aws-rds#94).
  # Then Terraform forgets the old group instead (skip_destroy) and it stays in the account
  # (docs/design.md, "RDS versions"). Applied immediately, the old group is detached first
  # and deleted.
  skip_destroy = !var.apply_immediately

  lifecycle {
    create_before_destroy = true
  }
}

# A per-instance random suffix (terraform_data's id is a UUID drawn at create) for the final
# snapshot: a fixed <name>-final would make the second destroy of a database of the same name
# fail with DBSnapshotAlreadyExists.
resource "terraform_data" "final_snapshot_suffix" {
  input = var.name
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_118:enhanced monitoring needs an IAM role this module does not create; callers set monitoring_interval_seconds and monitoring_role_arn, Performance Insights and log exports are on by default
  #checkov:skip=CKV_AWS_354:Performance Insights uses the AWS-managed KMS key unless kms_key_id is set; customer-managed keys are a per-account decision
  #checkov:skip=CKV_AWS_157:Multi-AZ is per environment: on by default here, and platform/database turns it off outside production unless multi_az is set (its tests assert both)
  #checkov:skip=CKV_AWS_293:deletion protection is per environment: on by default here, and platform/database turns it off outside production so those instances can be torn down (its tests assert both)
  identifier     = var.name
  engine         = var.engine
  engine_version = var.engine_version
  instance_class = var.instance_class
  db_name        = var.db_name
  port           = local.port

  allocated_storage     = var.storage_gb
  max_allocated_storage = var.max_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_id

  username                            = var.master_username
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = var.kms_key_id
  iam_database_authentication_enabled = true

  db_subnet_group_name   = aws_db_subnet_group.this.name
  parameter_group_name   = aws_db_parameter_group.this.name
  vpc_security_group_ids = var.vpc_security_group_ids
  publicly_accessible    = false
  multi_az               = var.multi_az
  ca_cert_identifier     = var.ca_cert_identifier

  backup_retention_period   = var.backup_retention_days
  backup_window             = var.backup_window
  maintenance_window        = var.maintenance_window
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = var.skip_final_snapshot ? null : "${var.name}-final-${substr(terraform_data.final_snapshot_suffix.id, 0, 8)}"
  delete_automated_backups  = false

  auto_minor_version_upgrade  = local.auto_minor_version_upgrade
  allow_major_version_upgrade = var.allow_major_version_upgrade
  apply_immediately           = var.apply_immediately

  enabled_cloudwatch_logs_exports       = local.log_exports[var.engine]
  performance_insights_enabled          = local.performance_insights_enabled
  performance_insights_kms_key_id       = local.performance_insights_enabled ? var.kms_key_id : null
  performance_insights_retention_period = local.performance_insights_enabled ? 7 : null
  monitoring_interval                   = var.monitoring_interval_seconds
  monitoring_role_arn                   = var.monitoring_interval_seconds > 0 ? var.monitoring_role_arn : null

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = length(local.version_parts) >= local.line_parts
      error_message = "engine_version must name at least the release line: MAJOR for postgres (16), MAJOR.MINOR for mysql (8.0); \"8\" would need the parameter group family mysql8, which does not exist."
    }
    precondition {
      condition     = var.max_storage_gb == null || try(var.max_storage_gb > var.storage_gb, false)
      error_message = "max_storage_gb must be null or greater than storage_gb."
    }
    precondition {
      condition     = !local.windows_overlap
      error_message = "backup_window ${coalesce(var.backup_window, "-")} overlaps maintenance_window ${coalesce(var.maintenance_window, "-")}; RDS requires them not to conflict (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, PreferredBackupWindow)."
    }
    precondition {
      condition     = !local.performance_insights_enabled || local.performance_insights_supported
      error_message = "Performance Insights is not supported for ${var.engine} on ${var.instance_class} (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html): leave performance_insights_enabled null or choose a larger class."
    }
    precondition {
      condition     = var.monitoring_interval_seconds == 0 || var.monitoring_role_arn != null
      error_message = "monitoring_role_arn is required when monitoring_interval_seconds > 0."
    }
  }
}
