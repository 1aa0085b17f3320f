# --- Aurora inputs ---

variable "engine_version" {
  type        = string
  description = "Aurora PostgreSQL version, MAJOR.MINOR (e.g. \"16.4\")."

  validation {
    condition     = can(regex("^[1-9][0-9]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be MAJOR.MINOR, e.g. 16.4."
  }
}

variable "instance_class" {
  type        = string
  description = "Instance class of every member, e.g. db.r6g.large (provisioned instances; the memory and connections alarms need a class of local.instance_memory_gib in alarms.tf)."

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.<family>.<size>, e.g. db.r6g.large."
  }
}

variable "instances" {
  type        = number
  description = "Cluster members: the writer and instances - 1 Aurora Replicas (1-16). Null: 2 in production, else 1."
  default     = null

  validation {
    condition     = var.instances == null || try(var.instances >= 1 && var.instances <= 16 && floor(var.instances) == var.instances, false)
    error_message = "instances must be null or a whole number between 1 and 16 (a writer and up to 15 Aurora Replicas)."
  }
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
  description = "Services that connect with IAM database authentication (the owner and the services that declare the cluster); each gets a database user named like the service, created by `infragen datastore users`."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.iam_users : can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", u))])
    error_message = "iam_users must be service names."
  }
}

variable "admin_security_group_id" {
  description = "Security group of the Atlantis server (account.yaml atlantis.securityGroupId), admitted on 5432 so its apply step `infragen datastore users` can manage the database users; null admits nobody else."
  type        = string
  default     = null

  validation {
    condition     = var.admin_security_group_id == null || can(regex("^sg-[0-9a-f]{8,17}$", var.admin_security_group_id))
    error_message = "admin_security_group_id must be a security group ID (sg- followed by 8 to 17 hex digits) or null."
  }
}
