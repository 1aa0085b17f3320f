# --- Database inputs ---

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
  description = "Engine version, e.g. \"16.4\" or \"8.0.39\"."

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+){0,2}$", var.engine_version))
    error_message = "engine_version must be digits separated by dots, e.g. 16.4 or 8.0.39."
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
  description = "Storage autoscaling limit in GiB. Null: twice storage_gb, at least 100 (at most 65536); 0 turns storage autoscaling off. Otherwise greater than storage_gb."
  default     = null

  validation {
    condition     = var.max_storage_gb == null || try(var.max_storage_gb == 0 || (var.max_storage_gb > var.storage_gb && var.max_storage_gb <= 65536 && floor(var.max_storage_gb) == var.max_storage_gb), false)
    error_message = "max_storage_gb must be null, 0 (off) or a whole number greater than storage_gb and at most 65536."
  }
}

variable "performance_insights" {
  type        = bool
  description = "Performance Insights. Null: on where AWS supports it (not for MySQL on db.t2/db.t3/db.t4g micro and small)."
  default     = null
}

variable "apply_immediately" {
  type        = bool
  description = "Apply instance class, engine version and parameter changes now instead of in the next maintenance window. Null: now outside production, in the window in production."
  default     = null
}

variable "max_connections" {
  type        = number
  description = "The instance's max_connections, the 100% of the connections alarm. Null: RDS's default for the engine and instance class (required for a class this module does not know)."
  default     = null

  validation {
    condition     = var.max_connections == null || try(var.max_connections >= 1 && floor(var.max_connections) == var.max_connections, false)
    error_message = "max_connections must be null or a whole number >= 1."
  }
}

variable "read_replicas" {
  description = "Read replicas <name>-replica-1 .. -N (0-5; RDS allows 15, the platform caps them at 5): same class, same security group (admits <name>-clients), IAM authentication; clients find the first as reader_host and all as reader_hosts, and each gets a replica_lag alarm. infragen renders 1 in production and 0 elsewhere unless the spec says readReplicas."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.read_replicas >= 0 && var.read_replicas <= 5 && floor(var.read_replicas) == var.read_replicas
    error_message = "read_replicas must be a whole number between 0 and 5."
  }
}

variable "multi_az" {
  type        = bool
  description = "Run a standby in a second AZ. Null follows production (Multi-AZ in production only)."
  default     = null
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

variable "iam_users" {
  description = "Services that connect with IAM database authentication (the owner and the services that declare the database); each gets a database user named like the service, created by `infragen datastore users`."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.iam_users : can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", u))])
    error_message = "iam_users must be service names."
  }
}

variable "admin_security_group_id" {
  description = "Security group of the Atlantis server (account.yaml atlantis.securityGroupId), admitted on the database port so its apply step `infragen datastore users` can manage the database users; null admits nobody else."
  type        = string
  default     = null

  validation {
    condition     = var.admin_security_group_id == null || can(regex("^sg-[0-9a-f]{8,17}$", var.admin_security_group_id))
    error_message = "admin_security_group_id must be a security group ID (sg- followed by 8 to 17 hex digits) or null."
  }
}
