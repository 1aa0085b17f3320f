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
