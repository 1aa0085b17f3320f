# --- Cache inputs ---

variable "engine_version" {
  type        = string
  description = "Redis engine version, 7 or later, e.g. \"7.1\" (the users authenticate with IAM, which ElastiCache supports from Redis 7.0)."
  default     = "7.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9x]+(\\.[0-9]+)?$", var.engine_version)) && try(tonumber(split(".", var.engine_version)[0]) >= 7, false)
    error_message = "engine_version must be Redis 7 or later and look like 7.1 or 7.0.7: IAM authentication needs Redis 7 (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html)."
  }
}

variable "node_type" {
  type        = string
  description = "Cache node type, e.g. cache.t4g.small."

  validation {
    condition     = can(regex("^cache\\.[a-z0-9]+\\.[a-z0-9]+$", var.node_type))
    error_message = "node_type must look like cache.<family>.<size>, e.g. cache.t4g.small."
  }
}

variable "num_cache_nodes" {
  type        = number
  description = "Number of nodes, 1-6; automatic failover and Multi-AZ when greater than 1. Null means 2 in production and 1 elsewhere."
  default     = null

  validation {
    condition     = var.num_cache_nodes == null || try(var.num_cache_nodes >= 1 && var.num_cache_nodes <= 6 && floor(var.num_cache_nodes) == var.num_cache_nodes, false)
    error_message = "num_cache_nodes must be null or a whole number between 1 and 6."
  }
}

variable "snapshot_retention_days" {
  type        = number
  description = "Days automatic snapshots are kept (1-35)."
  default     = 7

  validation {
    condition     = var.snapshot_retention_days >= 1 && var.snapshot_retention_days <= 35 && floor(var.snapshot_retention_days) == var.snapshot_retention_days
    error_message = "snapshot_retention_days must be a whole number between 1 and 35."
  }
}

variable "iam_users" {
  description = "Services that declare the cache: each gets an IAM-authenticated ElastiCache user <name>-<service> in the cache's RBAC user group."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.iam_users : can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", u))])
    error_message = "iam_users must be service names."
  }
}
