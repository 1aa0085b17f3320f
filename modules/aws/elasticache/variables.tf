variable "name" {
  type        = string
  description = "Replication group ID; also the name of the subnet group."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must match ^[a-z][a-z0-9-]{1,38}[a-z0-9]$ (3-40 characters, starts with a letter, ends with a letter or digit) and must not contain \"--\"."
  }
}

variable "engine_version" {
  type        = string
  description = "Redis engine version, e.g. \"7.1\"."
  default     = "7.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9x]+(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must look like 7.1, 6.x or 6.2.6."
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
  description = "Number of nodes (primary plus replicas), 1-6. Automatic failover and Multi-AZ are enabled when greater than 1."
  default     = 2

  validation {
    condition     = var.num_cache_nodes >= 1 && var.num_cache_nodes <= 6 && floor(var.num_cache_nodes) == var.num_cache_nodes
    error_message = "num_cache_nodes must be a whole number between 1 and 6."
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

variable "port" {
  type        = number
  description = "Port Redis listens on."
  default     = 6379

  validation {
    condition     = var.port >= 1024 && var.port <= 65535
    error_message = "port must be between 1024 and 65535."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets for the cache subnet group."

  validation {
    condition     = length(var.subnet_ids) >= 1 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must list at least one subnet ID (subnet-<hex>)."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups attached to the cache nodes."

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "security_group_ids must list at least one security group."
  }
}

variable "kms_key_id" {
  type        = string
  description = "ARN of a customer-managed KMS key for at-rest encryption. Null uses the AWS-managed key."
  default     = null

  validation {
    condition     = var.kms_key_id == null || can(regex("^arn:aws[a-z-]*:kms:", coalesce(var.kms_key_id, "x")))
    error_message = "kms_key_id must be null or a KMS key ARN."
  }
}

variable "user_group_ids" {
  type        = list(string)
  description = "ElastiCache RBAC user groups for identity-based access (no secret in Terraform state). Empty: access is controlled by security groups only."
  default     = []
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource of the module."
  default     = {}
}

variable "final_snapshot" {
  type        = bool
  description = "Take a final snapshot (named <name>-final-<random>, unique per group) when the group is deleted."
  default     = true
}

variable "apply_immediately" {
  type        = bool
  description = "Apply modifications (node type, engine version, node count) now instead of in the next maintenance window; with false the plan shows a pending change until the window."
  default     = false
}
