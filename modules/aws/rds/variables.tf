variable "name" {
  type        = string
  description = "DB instance identifier; also the prefix of the subnet group, parameter group and final snapshot."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must match ^[a-z][a-z0-9-]{1,38}[a-z0-9]$ (3-40 characters, starts with a letter, ends with a letter or digit) and must not contain \"--\"."
  }
}

variable "engine" {
  type        = string
  description = "Database engine: \"postgres\" or \"mysql\"."

  validation {
    condition     = contains(["postgres", "mysql"], var.engine)
    error_message = "engine must be \"postgres\" or \"mysql\"."
  }
}

variable "engine_version" {
  type        = string
  description = "Engine version, e.g. \"16.4\" (postgres) or \"8.0.39\" (mysql). At least MAJOR.MINOR for mysql, MAJOR for postgres."

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+){0,2}$", var.engine_version))
    error_message = "engine_version must be digits separated by dots, e.g. 16.4 or 8.0.39."
  }
}

variable "parameter_group_family" {
  type        = string
  description = "Parameter group family. Null derives it from engine and engine_version (postgres16, mysql8.0)."
  default     = null

  validation {
    condition     = var.parameter_group_family == null || can(regex("^(postgres|mysql)[0-9.]+$", coalesce(var.parameter_group_family, "x")))
    error_message = "parameter_group_family must be null or look like postgres16 or mysql8.0."
  }
}

variable "instance_class" {
  type        = string
  description = "DB instance class, e.g. db.t4g.medium."

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.<family>.<size>, e.g. db.t4g.medium."
  }
}

variable "storage_gb" {
  type        = number
  description = "Allocated storage in GiB (20-65536)."

  validation {
    condition     = var.storage_gb >= 20 && var.storage_gb <= 65536 && floor(var.storage_gb) == var.storage_gb
    error_message = "storage_gb must be a whole number between 20 and 65536."
  }
}

variable "max_storage_gb" {
  type        = number
  description = "Upper limit for storage autoscaling in GiB. Null disables storage autoscaling. Must be greater than storage_gb."
  default     = null

  validation {
    condition     = var.max_storage_gb == null || try(var.max_storage_gb <= 65536 && floor(var.max_storage_gb) == var.max_storage_gb, false)
    error_message = "max_storage_gb must be null or a whole number of at most 65536."
  }
}

variable "multi_az" {
  type        = bool
  description = "Run a standby in a second availability zone."
  default     = true
}

variable "backup_retention_days" {
  type        = number
  description = "Days automated backups are kept (7-35)."
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35 && floor(var.backup_retention_days) == var.backup_retention_days
    error_message = "backup_retention_days must be a whole number between 7 and 35."
  }
}

variable "backup_window" {
  type        = string
  description = "Daily window for automated backups, hh24:mi-hh24:mi in UTC, at least 30 minutes and not overlapping maintenance_window (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, PreferredBackupWindow). Null: AWS picks 30 minutes of the region's 8-hour block."
  default     = null

  validation {
    condition = var.backup_window == null || try(
      can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window)) &&
      (tonumber(substr(var.backup_window, 6, 2)) * 60 + tonumber(substr(var.backup_window, 9, 2)) - tonumber(substr(var.backup_window, 0, 2)) * 60 - tonumber(substr(var.backup_window, 3, 2)) + 1440) % 1440 >= 30,
      false
    )
    error_message = "backup_window must be null or hh24:mi-hh24:mi in UTC (03:00-03:30), at least 30 minutes long."
  }
}

variable "maintenance_window" {
  type        = string
  description = "Weekly maintenance window, ddd:hh24:mi-ddd:hh24:mi in UTC with lower-case days (sun:03:00-sun:04:00), at least 30 minutes and not overlapping backup_window (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, PreferredMaintenanceWindow). Null: AWS picks 30 minutes of the region's 8-hour block at random."
  default     = null

  validation {
    condition = var.maintenance_window == null || try(
      can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window)) &&
      (
        index(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], substr(var.maintenance_window, 10, 3)) * 1440 + tonumber(substr(var.maintenance_window, 14, 2)) * 60 + tonumber(substr(var.maintenance_window, 17, 2))
        -index(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], substr(var.maintenance_window, 0, 3)) * 1440 - tonumber(substr(var.maintenance_window, 4, 2)) * 60 - tonumber(substr(var.maintenance_window, 7, 2))
        + 10080
      ) % 10080 >= 30,
      false
    )
    error_message = "maintenance_window must be null or ddd:hh24:mi-ddd:hh24:mi in UTC with lower-case days (sun:03:00-sun:04:00), at least 30 minutes long."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the instance. Platform modules set it from production."
  default     = true
}

variable "skip_final_snapshot" {
  type        = bool
  description = "Delete without a final snapshot. When false a snapshot named <name>-final is taken on delete."
  default     = false
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets for the DB subnet group (at least two, in different AZs)."

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must list at least two subnet IDs (subnet-<hex>)."
  }
}

variable "vpc_security_group_ids" {
  type        = list(string)
  description = "Security groups attached to the instance."

  validation {
    condition     = length(var.vpc_security_group_ids) >= 1
    error_message = "vpc_security_group_ids must list at least one security group."
  }
}

variable "port" {
  type        = number
  description = "Port the database listens on. Null uses the engine default (5432 postgres, 3306 mysql)."
  default     = null

  validation {
    condition     = var.port == null || try(var.port >= 1150 && var.port <= 65535, false)
    error_message = "port must be null or between 1150 and 65535."
  }
}

variable "master_username" {
  type        = string
  description = "Master user name. Its password is generated and kept in Secrets Manager by RDS (manage_master_user_password)."
  default     = "dbadmin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.master_username)) && !contains(["admin", "postgres", "rdsadmin", "root", "user"], var.master_username)
    error_message = "master_username must match ^[a-z][a-z0-9_]{0,15}$ and must not be a reserved name (admin, postgres, rdsadmin, root, user)."
  }
}

variable "db_name" {
  type        = string
  description = "Name of the initial database. Null creates none."
  default     = null

  validation {
    condition     = var.db_name == null || can(regex("^[a-z][a-z0-9_]{0,62}$", coalesce(var.db_name, "x")))
    error_message = "db_name must be null or match ^[a-z][a-z0-9_]{0,62}$."
  }
}

variable "kms_key_id" {
  type        = string
  description = "ARN of a customer-managed KMS key for storage, Performance Insights and the master user secret. Null uses the AWS-managed keys."
  default     = null

  validation {
    condition     = var.kms_key_id == null || can(regex("^arn:aws[a-z-]*:kms:", coalesce(var.kms_key_id, "x")))
    error_message = "kms_key_id must be null or a KMS key ARN."
  }
}

variable "performance_insights_enabled" {
  type        = bool
  description = "Enable Performance Insights. Null: on where AWS supports it (every PostgreSQL class; MySQL except db.t2/db.t3/db.t4g micro and small). true on an unsupported class is an error."
  default     = null
}

variable "apply_immediately" {
  type        = bool
  description = "Apply modifications (instance class, engine version, parameter group, storage) now instead of in the next maintenance window. false: the plan shows a pending change until the window, and a parameter group replaced by a major upgrade is left in the account (skip_destroy) because it is still attached when Terraform would delete it."
  default     = false
}

variable "monitoring_interval_seconds" {
  type        = number
  description = "Enhanced monitoring interval (0 disables it; 1, 5, 10, 15, 30 or 60). Needs monitoring_role_arn."
  default     = 0

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval_seconds)
    error_message = "monitoring_interval_seconds must be one of 0, 1, 5, 10, 15, 30, 60."
  }
}

variable "monitoring_role_arn" {
  type        = string
  description = "IAM role RDS uses to publish enhanced monitoring metrics. Required when monitoring_interval_seconds > 0."
  default     = null
}

variable "ca_cert_identifier" {
  type        = string
  description = "Certificate authority for the server certificate."
  default     = "rds-ca-rsa2048-g1"

  validation {
    condition     = contains(["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"], var.ca_cert_identifier)
    error_message = "ca_cert_identifier must be one of rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1."
  }
}

variable "read_replicas" {
  description = "Read replicas of the instance, <name>-replica-1 .. -N, in the same region and security groups (replicas.tf). RDS allows 15; the platform caps them at 5."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.read_replicas >= 0 && var.read_replicas <= 5 && floor(var.read_replicas) == var.read_replicas
    error_message = "read_replicas must be a whole number between 0 and 5."
  }
}

variable "slow_query_ms" {
  type        = number
  description = "Statements slower than this many milliseconds are logged (log_min_duration_statement / long_query_time)."
  default     = 1000

  validation {
    condition     = var.slow_query_ms >= 0 && floor(var.slow_query_ms) == var.slow_query_ms
    error_message = "slow_query_ms must be a whole number >= 0."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource of the module."
  default     = {}
}

variable "allow_major_version_upgrade" {
  description = "Allow a change of engine_version to a new major version (the parameter group family follows; a new group is created before the old one is removed)."
  type        = bool
  default     = false
}
